/**
 * Receipts, the treasury and migrated outputs (TIP-17) against a ledger built with ConsensusBuilder whose genesis
 * keeps a treasury, and the ledger routes as an unmodified iota.js 1.8.6 SingleNodeClient reads them over a socket.
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import {
  Bech32Helper,
  ClientError,
  deserializeMessage,
  deserializeReceiptPayload,
  SingleNodeClient,
} from "@iota/iota.js";
import { ReadStream } from "@iota/util.js";
import {
  decodeMessage,
  encodeReceiptPayload,
  type MigratedFundsEntry,
  milestoneId,
  outputId,
  type ReceiptPayload,
} from "../../../src/codec/index.js";
import { TOKEN_SUPPLY } from "../../../src/params/protocol.js";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { ConsensusBuilder } from "../../utils/consensusBuilder.js";
import { Wallet } from "../../utils/ledgerFixtures.js";
import { type ApiHarness, apiHarness, assertErrorEnvelope, dataOf } from "./apiHarness.js";

const alice = Wallet.named("alice");
const bob = Wallet.named("bob");
const TREASURY = 10_000_000;

function fund(tail: number, wallet: Wallet, deposit: number): MigratedFundsEntry {
  return { tailTransactionHash: new Uint8Array(49).fill(tail), address: { type: 0, address: wallet.address }, deposit };
}

function receipt(
  migratedAt: number,
  final: boolean,
  funds: MigratedFundsEntry[],
  spends: Uint8Array,
  left: number,
): ReceiptPayload {
  return {
    type: 3,
    migratedAt,
    final,
    funds,
    transaction: { type: 4, input: { type: 1, milestoneId: spends }, output: { type: 2, amount: left } },
  };
}

function milestoneIdOf(bytes: Uint8Array): Uint8Array {
  const payload = decodeMessage(bytes, "trusted").payload;
  if (payload?.type !== 1) throw new Error("not a milestone message");
  return milestoneId(payload);
}

/** The receipt JSON iota.js decodes from the receipt's bytes. */
function iotaJsReceipt(r: ReceiptPayload): unknown {
  return JSON.parse(JSON.stringify(deserializeReceiptPayload(new ReadStream(encodeReceiptPayload(r)))));
}

interface Migration {
  cb: ConsensusBuilder;
  h: ApiHarness;
  receipts: ReceiptPayload[];
  milestoneIds: Uint8Array[];
}

/**
 * A genesis with a 10 Mi treasury; milestone 1 migrates 1 Mi to alice and 2 Mi to bob (migratedAt 5), milestone 2
 * another 1 Mi to alice (migratedAt 6, final).
 */
async function migration(): Promise<Migration> {
  const cb = await ConsensusBuilder.create({ treasury: TREASURY });
  const h = await apiHarness({
    deps: {
      tangle: cb.tb.tangle,
      pipeline: cb.tb.pipeline,
      tipSelector: cb.tb.tipSelector,
      ledger: cb.ledger,
      now: () => cb.tb.now,
    },
  });
  const first = receipt(5, false, [fund(1, alice, 1_000_000), fund(2, bob, 2_000_000)], new Uint8Array(32), 7_000_000);
  const ms1 = await cb.milestone([], { receipt: first });
  const second = receipt(6, true, [fund(3, alice, 1_000_000)], milestoneIdOf(ms1.bytes), 6_000_000);
  const ms2 = await cb.milestone([], { receipt: second });
  return { cb, h, receipts: [first, second], milestoneIds: [milestoneIdOf(ms1.bytes), milestoneIdOf(ms2.bytes)] };
}

describe("GET /api/v1/receipts and /api/v1/treasury", () => {
  it("lists the receipts in migratedAt order with their milestone, as iota.js reads them; filters by migratedAt", async () => {
    const { h, receipts } = await migration();
    const all = dataOf(await h.get("/api/v1/receipts")) as { receipts: Array<Record<string, unknown>> };
    assert.deepEqual(all, {
      receipts: [
        { receipt: iotaJsReceipt(receipts[0]!), milestoneIndex: 1 },
        { receipt: iotaJsReceipt(receipts[1]!), milestoneIndex: 2 },
      ],
    });
    assert.deepEqual(Object.keys(all.receipts[0]!), ["receipt", "milestoneIndex"]);
    assert.deepEqual(dataOf(await h.get("/api/v1/receipts/6")), { receipts: [all.receipts[1]] });
    assert.deepEqual(dataOf(await h.get("/api/v1/receipts/7")), { receipts: [] });
    assertErrorEnvelope(await h.get("/api/v1/receipts/-1"), 400);
    assertErrorEnvelope(await h.get("/api/v1/receipts/4294967296"), 400);
  });

  it("answers no receipts and the genesis treasury before any migration", async () => {
    const h = await apiHarness();
    assert.deepEqual(dataOf(await h.get("/api/v1/receipts")), { receipts: [] });
    assert.deepEqual(dataOf(await h.get("/api/v1/treasury")), { milestoneId: "00".repeat(32), amount: 0 });
  });

  it("answers the treasury the last receipt left, named by its milestone id", async () => {
    const { h, milestoneIds } = await migration();
    assert.deepEqual(dataOf(await h.get("/api/v1/treasury")), {
      milestoneId: bytesToHex(milestoneIds[1]!),
      amount: 6_000_000,
    });
  });

  it("serves migrated funds as outputs of the milestone (id milestoneId ‖ entry), on the addresses, and as included", async () => {
    const { cb, h, milestoneIds } = await migration();
    const bobs = outputId(milestoneIds[0]!, 1);
    assert.deepEqual(dataOf(await h.get(`/api/v1/outputs/${bytesToHex(bobs)}`)), {
      messageId: cb.tb.hex("ms1"),
      transactionId: bytesToHex(milestoneIds[0]!),
      outputIndex: 1,
      isSpent: false,
      ledgerIndex: 2,
      output: { type: 0, address: { type: 0, address: bob.addressHex }, amount: 2_000_000 },
    });
    const balance = dataOf(await h.get(`/api/v1/addresses/ed25519/${alice.addressHex}`)) as { balance: number };
    assert.equal(balance.balance, 2_000_000);
    const outputs = dataOf(await h.get(`/api/v1/addresses/ed25519/${alice.addressHex}/outputs`)) as {
      outputIds: string[];
    };
    assert.deepEqual(
      [...outputs.outputIds].sort(),
      [outputId(milestoneIds[0]!, 0), outputId(milestoneIds[1]!, 0)].map(bytesToHex).sort(),
    );
    // As Hornet: the "transaction" of migrated funds is the milestone, found through output 0.
    assert.deepEqual(
      dataOf(await h.get(`/api/v1/transactions/${bytesToHex(milestoneIds[1]!)}/included-message`)),
      dataOf(await h.get(`/api/v1/messages/${cb.tb.hex("ms2")}`)),
    );
  });
});

describe("the ledger routes as iota.js 1.8.6's SingleNodeClient reads them", () => {
  it("answers address, outputs, output, receipts, treasury and included message over HTTP", async () => {
    const { cb, h, milestoneIds } = await migration();
    await h.app.listen({ host: "127.0.0.1", port: 0 });
    try {
      const { port } = h.app.server.address() as AddressInfo;
      const client = new SingleNodeClient(`http://127.0.0.1:${port}`);
      const bech32 = Bech32Helper.toBech32(0, alice.address, "atoi");
      const viaInject = async (url: string) => dataOf(await h.get(url));

      assert.deepEqual(await client.address(bech32), await viaInject(`/api/v1/addresses/${bech32}`));
      assert.deepEqual(
        await client.addressEd25519(alice.addressHex),
        await viaInject(`/api/v1/addresses/ed25519/${alice.addressHex}`),
      );
      const outputs = await client.addressOutputs(bech32, 0, true);
      assert.equal(outputs.count, 2);
      assert.deepEqual(await client.addressEd25519Outputs(alice.addressHex, 0, true), outputs);
      assert.deepEqual((await client.addressEd25519Outputs(alice.addressHex, 1)).outputIds, []);
      for (const id of outputs.outputIds) {
        const output = await client.output(id);
        assert.equal(output.isSpent, false);
        assert.equal(output.output.amount, 1_000_000);
        assert.equal(output.output.address.address, alice.addressHex);
      }
      const receipts = await client.receipts();
      assert.deepEqual(
        receipts.receipts.map((r) => [r.milestoneIndex, r.receipt.migratedAt]),
        [
          [1, 5],
          [2, 6],
        ],
      );
      assert.equal((await client.receipts(5)).receipts.length, 1);
      assert.deepEqual(await client.treasury(), { milestoneId: bytesToHex(milestoneIds[1]!), amount: 6_000_000 });
      assert.deepEqual(
        await client.transactionIncludedMessage(bytesToHex(milestoneIds[0]!)),
        JSON.parse(JSON.stringify(deserializeMessage(new ReadStream(cb.tb.bytes("ms1"))))),
      );
      await assert.rejects(
        client.output(`${"ab".repeat(32)}0000`),
        (e: unknown) => e instanceof ClientError && e.httpStatus === 404,
      );
      await assert.rejects(
        client.address(Bech32Helper.toBech32(0, alice.address, "iota")),
        (e: unknown) => e instanceof ClientError && e.httpStatus === 400,
      );
      // The supply stays whole: outputs plus treasury.
      assert.equal(cb.ledger.totalSupplyCheck(), TOKEN_SUPPLY);
    } finally {
      await h.app.close();
    }
  });
});
