/**
 * `GET /api/v1/transactions/{transactionId}/included-message` and its `/metadata`, `/raw` and `/children`: the message
 * routes' answers for the message that included the transaction, found through output `txId ‖ 0`; 404 for a
 * conflicting, unknown or not yet confirmed transaction.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deserializeMessage } from "@iota/iota.js";
import { ReadStream } from "@iota/util.js";
import { transactionId } from "../../../src/codec/index.js";
import { TOKEN_SUPPLY } from "../../../src/params/protocol.js";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { Wallet } from "../../utils/ledgerFixtures.js";
import { apiHarness, assertErrorEnvelope, dataOf } from "./apiHarness.js";

const alice = Wallet.named("alice");
const bob = Wallet.named("bob");
const SUFFIXES = ["", "/metadata", "/children"];

describe("GET /api/v1/transactions/{transactionId}/included-message…", () => {
  it("answers for the including message what the message routes answer for it", async () => {
    const h = await apiHarness();
    await h.cb.milestone([]);
    const tx = h.cb.genesisWallet.transfer(
      [h.cb.genesisOutput],
      [
        { address: alice, amount: 1_000_000 },
        { address: h.cb.genesisWallet, amount: TOKEN_SUPPLY - 1_000_000 },
      ],
      { index: "weaver" },
    );
    await h.cb.tb.message("A").parents("ms1").withPayload(tx).store();
    await h.cb.tb.message("C").parents("A").index("child").store();
    const txUrl = `/api/v1/transactions/${bytesToHex(transactionId(tx))}/included-message`;
    // Not confirmed yet: the ledger has no output of it.
    assert.match(assertErrorEnvelope(await h.get(txUrl), 404), /no included transaction/);
    await h.cb.milestone(["C"]);

    const msgUrl = `/api/v1/messages/${h.cb.tb.hex("A")}`;
    for (const suffix of SUFFIXES) {
      assert.deepEqual(dataOf(await h.get(`${txUrl}${suffix}`)), dataOf(await h.get(`${msgUrl}${suffix}`)), suffix);
    }
    const json = dataOf(await h.get(txUrl));
    assert.deepEqual(json, JSON.parse(JSON.stringify(deserializeMessage(new ReadStream(h.cb.tb.bytes("A"))))));
    const meta = dataOf(await h.get(`${txUrl}/metadata`)) as { ledgerInclusionState: string };
    assert.equal(meta.ledgerInclusionState, "included");
    const children = dataOf(await h.get(`${txUrl}/children`)) as { childrenMessageIds: string[] };
    assert.deepEqual(children.childrenMessageIds, [h.cb.tb.hex("C")]);

    const raw = await h.get(`${txUrl}/raw`);
    assert.equal(raw.statusCode, 200);
    assert.equal(raw.headers["content-type"], "application/octet-stream");
    assert.deepEqual(new Uint8Array(raw.rawPayload), h.cb.tb.bytes("A"));
    // Either case.
    assert.deepEqual(dataOf(await h.get(txUrl.replace(/[0-9a-f]{64}/, (id) => id.toUpperCase()))), json);
  });

  it("answers 404 for a conflicting transaction and an unknown one, 400 for a malformed id", async () => {
    const h = await apiHarness();
    const toAlice = h.cb.genesisWallet.transfer([h.cb.genesisOutput], [{ address: alice, amount: TOKEN_SUPPLY }]);
    const toBob = h.cb.genesisWallet.transfer([h.cb.genesisOutput], [{ address: bob, amount: TOKEN_SUPPLY }]);
    await h.cb.tb.message("A").withPayload(toAlice).store();
    await h.cb.milestone(["A"]);
    await h.cb.tb.message("B").parents("ms1").withPayload(toBob).store();
    await h.cb.milestone(["B"]);
    const conflicting = bytesToHex(transactionId(toBob));
    for (const suffix of [...SUFFIXES, "/raw"]) {
      const base = "/api/v1/transactions";
      assertErrorEnvelope(await h.get(`${base}/${conflicting}/included-message${suffix}`), 404);
      assertErrorEnvelope(await h.get(`${base}/${"cd".repeat(32)}/included-message${suffix}`), 404);
      assertErrorEnvelope(await h.get(`${base}/${"cd".repeat(31)}/included-message${suffix}`), 400);
      assertErrorEnvelope(await h.get(`${base}/${"zz".repeat(32)}/included-message${suffix}`), 400);
    }
    // The included one of the two still answers.
    const included = dataOf(
      await h.get(`/api/v1/transactions/${bytesToHex(transactionId(toAlice))}/included-message/metadata`),
    ) as { messageId: string };
    assert.equal(included.messageId, h.cb.tb.hex("A"));
  });
});
