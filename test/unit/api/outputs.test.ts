/**
 * `GET /api/v1/outputs/{outputId}` against a ledger built with ConsensusBuilder: an unspent output, the same output
 * once spent (spend fields appear), the genesis output, a dust allowance output, unknown and malformed ids. The
 * output JSON is compared with what iota.js 1.8.6 decodes from the transaction's own bytes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deserializeTransactionEssence } from "@iota/iota.js";
import { ReadStream } from "@iota/util.js";
import {
  encodeTransactionEssence,
  parseOutputId,
  type TransactionPayload,
  transactionId,
} from "../../../src/codec/index.js";
import { TOKEN_SUPPLY } from "../../../src/params/protocol.js";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { outputIdTo, Wallet } from "../../utils/ledgerFixtures.js";
import { apiHarness, assertErrorEnvelope, dataOf } from "./apiHarness.js";

const alice = Wallet.named("alice");
const bob = Wallet.named("bob");

/** The output JSON iota.js decodes from the essence bytes of `tx`, for the output with this id. */
function iotaJsOutput(tx: TransactionPayload, id: Uint8Array): unknown {
  const essence = deserializeTransactionEssence(new ReadStream(encodeTransactionEssence(tx.essence)));
  return JSON.parse(JSON.stringify(essence.outputs[parseOutputId(id).outputIndex]));
}

describe("GET /api/v1/outputs/{outputId}", () => {
  it("answers an unspent output, then the same output with its spend; iota.js reads the same output JSON", async () => {
    const h = await apiHarness();
    await h.cb.milestone([]);
    const toAlice = h.cb.genesisWallet.transfer(
      [h.cb.genesisOutput],
      [
        { address: alice, amount: 1_000_000 },
        { address: h.cb.genesisWallet, amount: TOKEN_SUPPLY - 1_000_000 },
      ],
    );
    await h.cb.tb.message("A").parents("ms1").withPayload(toAlice).store();
    await h.cb.milestone(["A"]);
    const id = outputIdTo(toAlice, alice);
    const url = `/api/v1/outputs/${bytesToHex(id)}`;

    const unspent = dataOf(await h.get(url)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(unspent), [
      "messageId",
      "transactionId",
      "outputIndex",
      "isSpent",
      "ledgerIndex",
      "output",
    ]);
    assert.deepEqual(unspent, {
      messageId: h.cb.tb.hex("A"),
      transactionId: bytesToHex(transactionId(toAlice)),
      outputIndex: parseOutputId(id).outputIndex,
      isSpent: false,
      ledgerIndex: 2,
      output: { type: 0, address: { type: 0, address: alice.addressHex }, amount: 1_000_000 },
    });
    assert.deepEqual(unspent.output, iotaJsOutput(toAlice, id));

    const toBob = alice.transfer([{ outputId: id }], [{ address: bob, amount: 1_000_000 }]);
    await h.cb.tb.message("B").parents("ms2").withPayload(toBob).store();
    await h.cb.milestone(["B"]);
    const spent = dataOf(await h.get(url)) as Record<string, unknown>;
    assert.deepEqual(Object.keys(spent), [
      "messageId",
      "transactionId",
      "outputIndex",
      "isSpent",
      "milestoneIndexSpent",
      "transactionIdSpent",
      "ledgerIndex",
      "output",
    ]);
    assert.deepEqual(spent, {
      ...unspent,
      isSpent: true,
      milestoneIndexSpent: 3,
      transactionIdSpent: bytesToHex(transactionId(toBob)),
      ledgerIndex: 3,
    });
    // Either case, as Hornet lowercases ids.
    assert.deepEqual(dataOf(await h.get(`/api/v1/outputs/${bytesToHex(id).toUpperCase()}`)), spent);
  });

  it("answers the genesis output (34 zero bytes) and a dust allowance output with type 1", async () => {
    const h = await apiHarness();
    const tx = h.cb.genesisWallet.transfer(
      [h.cb.genesisOutput],
      [
        { address: alice, amount: 1_000_000, type: 1 },
        { address: h.cb.genesisWallet, amount: TOKEN_SUPPLY - 1_000_000 },
      ],
    );
    await h.cb.tb.message("A").withPayload(tx).store();
    await h.cb.milestone(["A"]);
    assert.deepEqual(dataOf(await h.get(`/api/v1/outputs/${"00".repeat(34)}`)), {
      messageId: "00".repeat(32),
      transactionId: "00".repeat(32),
      outputIndex: 0,
      isSpent: true,
      milestoneIndexSpent: 1,
      transactionIdSpent: bytesToHex(transactionId(tx)),
      ledgerIndex: 1,
      output: {
        type: 0,
        address: { type: 0, address: h.cb.genesisWallet.addressHex },
        amount: TOKEN_SUPPLY,
      },
    });
    const dustId = outputIdTo(tx, alice, 1);
    const dust = dataOf(await h.get(`/api/v1/outputs/${bytesToHex(dustId)}`)) as { output: unknown };
    assert.deepEqual(dust.output, { type: 1, address: { type: 0, address: alice.addressHex }, amount: 1_000_000 });
    assert.deepEqual(dust.output, iotaJsOutput(tx, dustId));
  });

  it("answers 404 for an output the ledger never held, and 400 for a malformed id", async () => {
    const h = await apiHarness();
    await h.cb.milestone([]);
    const unknown = `${"ab".repeat(32)}0100`;
    assert.match(assertErrorEnvelope(await h.get(`/api/v1/outputs/${unknown}`), 404), new RegExp(unknown));
    assert.match(assertErrorEnvelope(await h.get(`/api/v1/outputs/${"ab".repeat(32)}`), 400), /68 hexadecimal/);
    assert.match(assertErrorEnvelope(await h.get(`/api/v1/outputs/${"ab".repeat(35)}`), 400), /70 characters/);
    assert.match(assertErrorEnvelope(await h.get(`/api/v1/outputs/${"ab".repeat(33)}zz`), 400), /character 67/);
  });
});
