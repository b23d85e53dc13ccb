/**
 * The message routes against a tangle built with ConsensusBuilder: the message JSON (checked against iota.js 1.8.6's
 * own decoder), metadata before and after it is referenced (field presence, ledger verdicts, milestone index,
 * promote/reattach hints), raw bytes, children and lookup by indexation index.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deserializeMessage } from "@iota/iota.js";
import { ReadStream } from "@iota/util.js";
import { messageId } from "../../../src/codec/index.js";
import { TOKEN_SUPPLY } from "../../../src/params/protocol.js";
import { utf8ToBytes } from "../../../src/primitives/bytes.js";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { Wallet } from "../../utils/ledgerFixtures.js";
import { GENESIS_ID } from "../../utils/tangleBuilder.js";
import { apiHarness, assertErrorEnvelope, dataOf } from "./apiHarness.js";

const alice = Wallet.named("alice");
const bob = Wallet.named("bob");
const hexOf = (text: string) => bytesToHex(utf8ToBytes(text));

describe("GET /api/v1/messages/{messageId}", () => {
  it("answers the message JSON that iota.js decodes from the same bytes", async () => {
    const h = await apiHarness();
    const tx = h.cb.genesisWallet.transfer(
      [h.cb.genesisOutput],
      [
        { address: alice, amount: 1_000_000 },
        { address: h.cb.genesisWallet, amount: TOKEN_SUPPLY - 1_000_000 },
      ],
      { index: "weaver" },
    );
    await h.cb.tb.message("A").withPayload(tx).store();
    await h.cb.tb.message("B").parents("A").index("weaver", "hello").store();
    const ms = await h.cb.milestone(["B"]);
    for (const label of ["A", "B", "ms1"]) {
      const bytes = h.cb.tb.bytes(label);
      const json = dataOf(await h.get(`/api/v1/messages/${h.cb.tb.hex(label)}`));
      const theirs = JSON.parse(JSON.stringify(deserializeMessage(new ReadStream(bytes))));
      // iota.js leaves an absent receipt out; Hornet (and we) send null, which iota.js reads the same (client-compat §4).
      if (theirs.payload?.type === 1) theirs.payload.receipt ??= null;
      assert.deepEqual(json, theirs, label);
    }
    const msJson = dataOf(await h.get(`/api/v1/messages/${bytesToHex(ms.messageId)}`)) as { payload: { type: number } };
    assert.equal(msJson.payload.type, 1);
  });

  it("accepts the id in upper case and answers 404 for an unknown id", async () => {
    const h = await apiHarness();
    await h.cb.tb.message("A").store();
    const lower = await h.get(`/api/v1/messages/${h.cb.tb.hex("A")}`);
    const upper = await h.get(`/api/v1/messages/${h.cb.tb.hex("A").toUpperCase()}`);
    assert.deepEqual(dataOf(upper), dataOf(lower));
    const unknown = "ab".repeat(32);
    assert.match(assertErrorEnvelope(await h.get(`/api/v1/messages/${unknown}`), 404), new RegExp(unknown));
    assertErrorEnvelope(await h.get(`/api/v1/messages/${unknown}/raw`), 404);
    assertErrorEnvelope(await h.get("/api/v1/messages/abc"), 400);
  });
});

describe("GET /api/v1/messages/{messageId}/metadata", () => {
  it("is 503 before the node knows a milestone (not synced)", async () => {
    const h = await apiHarness();
    await h.cb.tb.message("A").store();
    assert.match(assertErrorEnvelope(await h.get(`/api/v1/messages/${h.cb.tb.hex("A")}/metadata`), 503), /not synced/);
  });

  it("has the hints and no ledger fields before it is referenced, the verdict and no hints after", async () => {
    const h = await apiHarness();
    await h.cb.milestone([]);
    const tx = h.cb.genesisWallet.transfer([h.cb.genesisOutput], [{ address: alice, amount: TOKEN_SUPPLY }]);
    await h.cb.tb.message("A").parents("ms1").withPayload(tx).store();
    await h.cb.tb.message("B").parents("A").index("weaver").store();
    const meta = (label: string) => h.get(`/api/v1/messages/${h.cb.tb.hex(label)}/metadata`);
    const parentsOf = (label: string) => (h.cb.tb.tangle.getParents(h.cb.tb.id(label)) ?? []).map(bytesToHex);

    assert.deepEqual(dataOf(await meta("A")), {
      messageId: h.cb.tb.hex("A"),
      parentMessageIds: parentsOf("A"),
      isSolid: true,
      shouldPromote: false,
      shouldReattach: false,
    });

    await h.cb.milestone(["B"]);
    assert.deepEqual(dataOf(await meta("A")), {
      messageId: h.cb.tb.hex("A"),
      parentMessageIds: parentsOf("A"),
      isSolid: true,
      referencedByMilestoneIndex: 2,
      ledgerInclusionState: "included",
    });
    assert.deepEqual(dataOf(await meta("B")), {
      messageId: h.cb.tb.hex("B"),
      parentMessageIds: parentsOf("B"),
      isSolid: true,
      referencedByMilestoneIndex: 2,
      ledgerInclusionState: "noTransaction",
    });
    // The milestone message: its own index and the milestone that referenced it (itself).
    assert.deepEqual(dataOf(await meta("ms2")), {
      messageId: h.cb.tb.hex("ms2"),
      parentMessageIds: parentsOf("ms2"),
      isSolid: true,
      referencedByMilestoneIndex: 2,
      milestoneIndex: 2,
      ledgerInclusionState: "noTransaction",
    });
  });

  it("reports a conflicting transaction with its conflict reason", async () => {
    const h = await apiHarness();
    const toAlice = h.cb.genesisWallet.transfer([h.cb.genesisOutput], [{ address: alice, amount: TOKEN_SUPPLY }]);
    await h.cb.tb.message("A").withPayload(toAlice).store();
    await h.cb.milestone(["A"]);
    const toBob = h.cb.genesisWallet.transfer([h.cb.genesisOutput], [{ address: bob, amount: TOKEN_SUPPLY }]);
    await h.cb.tb.message("B").parents("A").withPayload(toBob).store();
    await h.cb.milestone(["B"]);
    const b = dataOf(await h.get(`/api/v1/messages/${h.cb.tb.hex("B")}/metadata`)) as Record<string, unknown>;
    assert.equal(b.ledgerInclusionState, "conflicting");
    assert.equal(b.conflictReason, 1);
    assert.equal(b.referencedByMilestoneIndex, 2);
    assert.equal("shouldPromote" in b, false);
  });

  it("leaves the hints out for a message that is not solid", async () => {
    const h = await apiHarness();
    await h.cb.milestone([]);
    await h.cb.tb.message("U").parents(new Uint8Array(32).fill(9)).store();
    assert.deepEqual(dataOf(await h.get(`/api/v1/messages/${h.cb.tb.hex("U")}/metadata`)), {
      messageId: h.cb.tb.hex("U"),
      parentMessageIds: [bytesToHex(new Uint8Array(32).fill(9))],
      isSolid: false,
    });
    assertErrorEnvelope(await h.get(`/api/v1/messages/${"cd".repeat(32)}/metadata`), 404);
  });

  it("turns to shouldPromote as the cone ages, and to shouldReattach once below max depth (C1 = 8, M = 15)", async () => {
    const h = await apiHarness();
    await h.cb.milestone([]);
    await h.cb.tb.message("A").parents("ms1").store();
    const hints = async () => {
      const m = dataOf(await h.get(`/api/v1/messages/${h.cb.tb.hex("A")}/metadata`)) as Record<string, unknown>;
      return [m.shouldPromote, m.shouldReattach];
    };
    const seen: Array<[number, unknown[]]> = [];
    // A's cone roots at milestone 1; each further milestone leaves it out.
    for (let cmi = 1; cmi <= 17; cmi++) {
      if (cmi > 1) await h.cb.milestone([]);
      seen.push([cmi, await hints()]);
    }
    for (const [cmi, [promote, reattach]] of seen) {
      assert.equal(reattach, cmi - 1 > 15, `reattach at CMI ${cmi}`);
      assert.equal(promote, cmi - 1 > 8 && cmi - 1 <= 15, `promote at CMI ${cmi}`);
    }
  });
});

describe("GET /api/v1/messages/{messageId}/raw", () => {
  it("answers the stored bytes as octet-stream; they hash to the id", async () => {
    const h = await apiHarness();
    await h.cb.tb.message("A").index("raw", "bytes").store();
    const res = await h.get(`/api/v1/messages/${h.cb.tb.hex("A")}/raw`);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers["content-type"], "application/octet-stream");
    const raw = new Uint8Array(res.rawPayload);
    assert.deepEqual(raw, h.cb.tb.bytes("A"));
    assert.equal(bytesToHex(messageId(raw)), h.cb.tb.hex("A"));
  });

  it("answers errors of the binary route as JSON even when the client asks for octet-stream", async () => {
    const h = await apiHarness();
    const res = await h.app.inject({
      method: "GET",
      url: `/api/v1/messages/${"ef".repeat(32)}/raw`,
      headers: { "content-type": "application/octet-stream" },
    });
    assertErrorEnvelope(res, 404);
    assertErrorEnvelope(await h.get("/api/v1/messages/xyz/raw"), 400);
  });
});

describe("GET /api/v1/messages/{messageId}/children", () => {
  it("lists the children in id order, capped at maxResults", async () => {
    const h = await apiHarness({ api: { maxResults: 2 } });
    await h.cb.tb.message("A").store();
    for (const label of ["B", "C", "D"]) await h.cb.tb.message(label).parents("A").store();
    const all = ["B", "C", "D"].map((l) => h.cb.tb.hex(l)).sort();
    const data = dataOf(await h.get(`/api/v1/messages/${h.cb.tb.hex("A")}/children`));
    assert.deepEqual(data, {
      messageId: h.cb.tb.hex("A"),
      maxResults: 2,
      count: 2,
      childrenMessageIds: all.slice(0, 2),
    });
    // The genesis entry point is no stored message, but its children are listed.
    const genesis = dataOf(await h.get(`/api/v1/messages/${bytesToHex(GENESIS_ID)}/children`)) as { count: number };
    assert.equal(genesis.count, 1);
    const none = dataOf(await h.get(`/api/v1/messages/${"12".repeat(32)}/children`));
    assert.deepEqual(none, { messageId: "12".repeat(32), maxResults: 2, count: 0, childrenMessageIds: [] });
  });

  it("uses maxResults 1000 by default", async () => {
    const h = await apiHarness();
    const data = dataOf(await h.get(`/api/v1/messages/${"12".repeat(32)}/children`)) as { maxResults: number };
    assert.equal(data.maxResults, 1000);
  });
});

describe("GET /api/v1/messages?index=", () => {
  it("finds indexation payloads and indexations inside transactions, by hex index, echoing it", async () => {
    const h = await apiHarness({ api: { maxResults: 3 } });
    const tx = h.cb.genesisWallet.transfer([h.cb.genesisOutput], [{ address: alice, amount: TOKEN_SUPPLY }], {
      index: "weaver",
    });
    await h.cb.tb.message("T").withPayload(tx).store();
    await h.cb.tb.message("I").index("weaver", "data").store();
    await h.cb.tb.message("J").index("weaver2").store();
    const expected = [h.cb.tb.hex("T"), h.cb.tb.hex("I")].sort();
    assert.deepEqual(dataOf(await h.get(`/api/v1/messages?index=${hexOf("weaver")}`)), {
      index: hexOf("weaver"),
      maxResults: 3,
      count: 2,
      messageIds: expected,
    });
    const upper = hexOf("weaver").toUpperCase();
    assert.deepEqual(dataOf(await h.get(`/api/v1/messages?index=${upper}`)), {
      index: upper,
      maxResults: 3,
      count: 2,
      messageIds: expected,
    });
    const none = dataOf(await h.get(`/api/v1/messages?index=${hexOf("nothing")}`)) as { count: number };
    assert.equal(none.count, 0);
  });

  it("caps the ids at maxResults", async () => {
    const h = await apiHarness({ api: { maxResults: 3 } });
    for (let i = 0; i < 5; i++) await h.cb.tb.message(`M${i}`).index("many").store();
    const data = dataOf(await h.get(`/api/v1/messages?index=${hexOf("many")}`)) as {
      count: number;
      messageIds: string[];
    };
    assert.equal(data.count, 3);
    assert.equal(data.messageIds.length, 3);
  });

  it("refuses a missing, empty, repeated, non-hex, odd or longer-than-64-bytes index with 400", async () => {
    const h = await apiHarness();
    assert.match(assertErrorEnvelope(await h.get("/api/v1/messages"), 400), /required/);
    assert.match(assertErrorEnvelope(await h.get("/api/v1/messages?index="), 400), /empty/);
    assert.match(assertErrorEnvelope(await h.get("/api/v1/messages?index=aa&index=bb"), 400), /2 times/);
    assert.match(assertErrorEnvelope(await h.get("/api/v1/messages?index=zz"), 400), /character 1/);
    assert.match(assertErrorEnvelope(await h.get("/api/v1/messages?index=abc"), 400), /odd/);
    assert.match(assertErrorEnvelope(await h.get(`/api/v1/messages?index=${"ab".repeat(65)}`), 400), /64 bytes/);
    assert.equal((await h.get(`/api/v1/messages?index=${"ab".repeat(64)}`)).statusCode, 200);
  });
});
