/** Path and query parameter parsing, the metadata and milestone mappers, and the message-rate tracker. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { API_ERROR_CODES, API_ERROR_STATUS, ApiError } from "../../../src/api/apiError.js";
import { ConfirmationRates } from "../../../src/api/confirmationRates.js";
import { ledgerInclusionStateToJson, messageMetadataToJson } from "../../../src/api/mappers/messageMetadata.js";
import { milestoneToJson, utxoChangesToJson } from "../../../src/api/mappers/milestone.js";
import {
  hasQueryFlag,
  parseIdParam,
  parseIndexQuery,
  parseMilestoneIndexParam,
} from "../../../src/api/routes/params.js";
import { NodeEventBus } from "../../../src/pipeline/events.js";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { freshMetadata } from "../../../src/tangle/tangle.js";

function apiErrorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    return e;
  }
  assert.fail("no error thrown");
}

describe("API error registry", () => {
  it("gives every code a 4xx or 5xx status", () => {
    for (const code of API_ERROR_CODES) {
      const status = API_ERROR_STATUS[code];
      assert.ok(status >= 400 && status < 600, code);
      assert.equal(new ApiError(code, "x").status, status);
    }
    assert.equal(new ApiError("API_ERROR_INTERNAL", "x").code, "API_ERROR_INTERNAL");
  });
});

describe("parameter parsing", () => {
  it("parses 64 hex digits in either case into the same id", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (id) => {
        const hex = bytesToHex(id);
        assert.deepEqual(parseIdParam({ id: hex }, "id"), id);
        assert.deepEqual(parseIdParam({ id: hex.toUpperCase() }, "id"), id);
      }),
    );
  });

  it("refuses anything else as an id with INVALID_PARAMETER and says why", () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 100 }).filter((s) => !/^[0-9a-fA-F]{64}$/.test(s)),
        (s) => {
          const e = apiErrorOf(() => parseIdParam({ id: s }, "id"));
          assert.equal(e.code, "API_ERROR_INVALID_PARAMETER");
          assert.equal(e.status, 400);
        },
      ),
    );
    assert.match(apiErrorOf(() => parseIdParam({ id: "ab" }, "id")).message, /64 hexadecimal digits; got 2/);
    assert.match(apiErrorOf(() => parseIdParam({ id: `${"a".repeat(63)}g` }, "id")).message, /character 64/);
    assert.match(apiErrorOf(() => parseIdParam({}, "id")).message, /missing/);
    assert.match(apiErrorOf(() => parseIdParam({ id: ["a", "b"] }, "id")).message, /2 times/);
  });

  it("parses milestone indexes from 0 to 2^32 − 1 written in decimal digits only", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), (n) => {
        assert.equal(parseMilestoneIndexParam({ i: String(n) }, "i"), n);
      }),
    );
    assert.equal(parseMilestoneIndexParam({ i: "007" }, "i"), 7);
    for (const bad of [
      "",
      "-1",
      "+1",
      "1.0",
      "1e3",
      "0x10",
      " 1",
      "1 ",
      "4294967296",
      "99999999999",
      "١",
      "NaN",
      "Infinity",
    ]) {
      assert.equal(apiErrorOf(() => parseMilestoneIndexParam({ i: bad }, "i")).status, 400, JSON.stringify(bad));
    }
  });

  it("parses an index query of 1 to 64 bytes and echoes the text", () => {
    assert.deepEqual(parseIndexQuery({ index: "0aFF" }, "index"), { text: "0aFF", bytes: Uint8Array.of(10, 255) });
    for (const bad of [undefined, "", "0", "xy", "ab".repeat(65), ["ab", "cd"]]) {
      const query = bad === undefined ? {} : { index: bad };
      assert.equal(apiErrorOf(() => parseIndexQuery(query, "index")).code, "API_ERROR_INVALID_PARAMETER");
    }
  });

  it("sees a query flag whatever its case and value", () => {
    assert.equal(hasQueryFlag({ spammertips: "" }, "spammerTips"), true);
    assert.equal(hasQueryFlag({ SPAMMERTIPS: "false" }, "spammerTips"), true);
    assert.equal(hasQueryFlag({ other: "1" }, "spammerTips"), false);
  });
});

describe("mappers", () => {
  const id = new Uint8Array(32).fill(1);
  const parent = new Uint8Array(32).fill(2);

  it("maps the three ledger inclusion states", () => {
    assert.deepEqual(
      [0, 1, 2].map((s) => ledgerInclusionStateToJson(s as 0 | 1 | 2)),
      ["noTransaction", "conflicting", "included"],
    );
  });

  it("leaves out every field that does not apply, in Hornet's order otherwise", () => {
    const meta = freshMetadata();
    assert.deepEqual(Object.keys(messageMetadataToJson(id, [parent], meta, null)), [
      "messageId",
      "parentMessageIds",
      "isSolid",
    ]);
    const conflicting = {
      ...meta,
      solid: true,
      referenced: true,
      milestone: true,
      milestoneIndex: 4,
      referencedByMilestoneIndex: 5,
      ledgerInclusionState: 1 as const,
      conflictReason: 2,
    };
    assert.deepEqual(messageMetadataToJson(id, [parent], conflicting, null), {
      messageId: bytesToHex(id),
      parentMessageIds: [bytesToHex(parent)],
      isSolid: true,
      referencedByMilestoneIndex: 5,
      milestoneIndex: 4,
      ledgerInclusionState: "conflicting",
      conflictReason: 2,
    });
    // The reason of an included message is never sent, whatever is stored.
    const included = { ...conflicting, milestone: false, ledgerInclusionState: 2 as const, conflictReason: 0 };
    assert.equal("conflictReason" in messageMetadataToJson(id, [parent], included, null), false);
    const hinted = messageMetadataToJson(
      id,
      [],
      { ...meta, solid: true },
      { shouldPromote: true, shouldReattach: false },
    );
    assert.equal(hinted.shouldPromote, true);
    assert.equal(hinted.shouldReattach, false);
  });

  it("maps milestones and UTXO changes", () => {
    assert.deepEqual(milestoneToJson(3, { messageId: id, milestoneId: parent, timestamp: 1_600_000_000n }), {
      index: 3,
      messageId: bytesToHex(id),
      timestamp: 1_600_000_000,
    });
    const out = new Uint8Array(34).fill(3);
    assert.deepEqual(utxoChangesToJson(3, { createdOutputIds: [out], consumedOutputIds: [] }), {
      index: 3,
      createdOutputs: [bytesToHex(out)],
      consumedOutputs: [],
    });
  });
});

describe("ConfirmationRates", () => {
  const ids = { messageId: new Uint8Array(32), messageIdHex: "00".repeat(32), milestoneId: new Uint8Array(32) };
  const confirmed = (index: number, timestamp: number, referenced: number) => ({
    ...ids,
    index,
    timestamp,
    referenced,
    included: 0,
    conflicting: 0,
    noTransaction: referenced,
    durationMs: 1,
  });
  const received = () => ({
    ...ids,
    message: { networkId: 0n, parents: [], payload: null, nonce: 0n },
    bytes: new Uint8Array(0),
    source: "peer" as const,
    requested: false,
  });

  it("measures stored and referenced messages per second between milestone timestamps", () => {
    const events = new NodeEventBus();
    const rates = new ConfirmationRates(events, (i) =>
      i === 9 ? { messageId: ids.messageId, milestoneId: ids.milestoneId, timestamp: 100n } : undefined,
    );
    assert.deepEqual(rates.rates, { messagesPerSecond: 0, referencedMessagesPerSecond: 0, referencedRate: 0 });
    for (let i = 0; i < 20; i++) events.emit("message.received", received());
    events.emit("milestone.confirmed", confirmed(10, 110, 5));
    assert.deepEqual(rates.rates, { messagesPerSecond: 2, referencedMessagesPerSecond: 0.5, referencedRate: 25 });
    // Equal timestamps: no interval, the last rates stay (Hornet).
    events.emit("message.received", received());
    events.emit("milestone.confirmed", confirmed(11, 110, 1));
    assert.deepEqual(rates.rates, { messagesPerSecond: 2, referencedMessagesPerSecond: 0.5, referencedRate: 25 });
    events.emit("milestone.confirmed", confirmed(12, 114, 4));
    assert.deepEqual(rates.rates, { messagesPerSecond: 0, referencedMessagesPerSecond: 1, referencedRate: 0 });
    rates.close();
    assert.equal(events.listenerCount("milestone.confirmed"), 0);
    assert.equal(events.listenerCount("message.received"), 0);
  });
});
