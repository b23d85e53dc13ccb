/** JSON shapes (chrysalis.md §10.3, client-compat.md §4): strict validation with paths, lenient partial messages. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  CodecError,
  decodeMessage,
  encodeMessage,
  messageFromJson,
  messageFromJsonPartial,
  messageToJson,
  payloadFromJson,
} from "../../../src/codec/index.js";
import { hexToBytes } from "../../../src/primitives/hex.js";
import { readMessageFixture, type TransactionFixture } from "../../utils/codecFixtures.js";

const fx = readMessageFixture<TransactionFixture>("testnet6-transaction.json");
const clone = (): Record<string, unknown> => JSON.parse(JSON.stringify(fx.json)) as Record<string, unknown>;

function rejectsAt(json: unknown, path: string): void {
  assert.throws(
    () => messageFromJson(json),
    (e: unknown) => e instanceof CodecError && e.code === "CODEC_ERROR_INVALID_JSON" && e.type.path === path,
  );
}

describe("messageFromJson", () => {
  it("names the failing path for wrong types, hex and ranges", () => {
    const badAmount = clone();
    (badAmount as { payload: { essence: { outputs: { amount: unknown }[] } } }).payload.essence.outputs[0]!.amount =
      "1000000";
    rejectsAt(badAmount, "payload.essence.outputs[0].amount");

    const badHex = clone();
    (badHex as { parentMessageIds: string[] }).parentMessageIds[1] = `0x${"ab".repeat(31)}`;
    rejectsAt(badHex, "parentMessageIds[1]");

    const badIndex = clone();
    (badIndex as { payload: { essence: { inputs: { transactionOutputIndex: number }[] } } }).payload.essence
      .inputs[0]!.transactionOutputIndex = 70000;
    rejectsAt(badIndex, "payload.essence.inputs[0].transactionOutputIndex");

    const badNonce = clone();
    badNonce.nonce = "18446744073709551616";
    rejectsAt(badNonce, "nonce");

    const badType = clone();
    (badType as { payload: { type: number } }).payload.type = 3;
    rejectsAt(badType, "payload.type");

    const badBlock = clone();
    (badBlock as { payload: { unlockBlocks: unknown[] } }).payload.unlockBlocks[0] = null;
    rejectsAt(badBlock, "payload.unlockBlocks[0]");

    rejectsAt([], "message");
    rejectsAt({ ...clone(), networkId: undefined }, "networkId");
  });

  it("accepts uppercase hex and an absent payload, and emits lowercase hex and null", () => {
    const upper = clone();
    upper.parentMessageIds = (upper.parentMessageIds as string[]).map((p) => p.toUpperCase());
    assert.equal(Buffer.from(encodeMessage(messageFromJson(upper))).toString("hex"), fx.messageHex);

    const none = messageFromJson({ networkId: "1", parentMessageIds: [fx.messageId], nonce: "2" });
    assert.equal(none.payload, null);
    assert.equal(messageToJson(none).payload, null);
  });

  it("milestone receipt may be null or absent", () => {
    const base = {
      type: 1,
      index: 1,
      timestamp: 2,
      parentMessageIds: ["11".repeat(32)],
      inclusionMerkleProof: "00".repeat(32),
      nextPoWScore: 0,
      nextPoWScoreMilestoneIndex: 0,
      publicKeys: ["22".repeat(32)],
      signatures: ["33".repeat(64)],
    };
    assert.deepEqual(payloadFromJson(base), payloadFromJson({ ...base, receipt: null }));
  });

  it("throws only CodecError on arbitrary JSON values", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        try {
          messageFromJson(v);
        } catch (e) {
          assert.ok(e instanceof CodecError, String(e));
        }
        try {
          messageFromJsonPartial(v);
        } catch (e) {
          assert.ok(e instanceof CodecError, String(e));
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("messageFromJsonPartial (REST submit)", () => {
  it("leaves missing networkId, parents and nonce unset", () => {
    const m = messageFromJsonPartial({ payload: { type: 2, index: "41", data: "" } });
    assert.equal(m.networkId, undefined);
    assert.equal(m.parents, undefined);
    assert.equal(m.nonce, undefined);
    assert.equal(m.payload?.type, 2);
    assert.equal("networkId" in m, false);
  });

  it("parses whatever is present, and a filled-in message encodes like the original", () => {
    const partial = messageFromJsonPartial({ ...clone(), nonce: null });
    assert.equal(partial.nonce, undefined);
    const original = decodeMessage(hexToBytes(fx.messageHex), "untrusted");
    assert.deepEqual(partial.parents, original.parents);
    const filled = { ...original, ...partial, nonce: original.nonce } as typeof original;
    assert.equal(Buffer.from(encodeMessage(filled)).toString("hex"), fx.messageHex);
  });
});
