/**
 * The UTXO ledger over a StagedStore: a hand-built sequence of milestones (transactions, a conflict, an output
 * created and consumed in one milestone, receipts) checked through every query, rollbacks that restore the store
 * byte for byte, one atomic batch per confirmation, refusals that stage nothing, the snapshot path (import,
 * roll back, apply diffs), pruning, a seeded random run and a reopen on LMDB.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { outputId, type ReceiptPayload } from "../../../src/codec/index.js";
import { ConflictReason } from "../../../src/ledger/conflictReason.js";
import type { LedgerDiff } from "../../../src/ledger/ledgerDiff.js";
import { diffKey } from "../../../src/ledger/ledgerRecords.js";
import type {
  AddressDiff,
  LedgerOutput,
  ReceiptMutation,
  ReferencedMessage,
  SpentOutput,
  TreasuryOutputState,
  WhiteFlagMutations,
} from "../../../src/ledger/types.js";
import { UtxoLedger } from "../../../src/ledger/utxoLedger.js";
import { TOKEN_SUPPLY } from "../../../src/params/protocol.js";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { LmdbKvStore } from "../../../src/storage/backends/lmdb.js";
import { MemoryKvStore } from "../../../src/storage/backends/memory.js";
import type { KvOp, KvRange, KvStore } from "../../../src/storage/kv.js";
import { messageMetadataKey } from "../../../src/storage/prefixes.js";
import { StagedStore } from "../../../src/storage/stagedStore.js";
import { errorCodeOf } from "../../utils/errorCode.js";
import { checkLedgerConsistency } from "../../utils/ledgerConsistency.js";
import { seededRandom } from "../../utils/seededRandom.js";
import { checkTangleConsistency } from "../../utils/tangleConsistency.js";

// ---- fixtures --------------------------------------------------------------------------------------------------

const filled = (tag: number, n: number, length = 32): Uint8Array => {
  const b = new Uint8Array(length);
  b[0] = tag;
  b[1] = n >>> 8;
  b[2] = n & 0xff;
  return b;
};
const txId = (n: number) => filled(0x10, n);
const msgId = (n: number) => filled(0x20, n);
const addr = (n: number) => filled(0x30, n);
const msId = (n: number) => filled(0x40, n);

const A = addr(1);
const B = addr(2);
const C = addr(3);
const D = addr(4);
const E = addr(5);
const T0 = 10_000_000;
const ZERO_ID = new Uint8Array(32);

function out(tx: Uint8Array, index: number, address: Uint8Array, amount: number, type: 0 | 1 = 0): LedgerOutput {
  return {
    outputId: outputId(tx, index),
    messageId: msgId(tx[2]!),
    output: { type, address: { type: 0, address }, amount },
  };
}

const GENESIS: LedgerOutput = {
  outputId: new Uint8Array(34),
  messageId: ZERO_ID,
  output: { type: 0, address: { type: 0, address: A }, amount: TOKEN_SUPPLY - T0 },
};
const TREASURY0: TreasuryOutputState = { milestoneId: ZERO_ID, amount: T0 };

interface Tx {
  n: number;
  consumes: LedgerOutput[];
  creates: LedgerOutput[];
}

function spend(o: LedgerOutput, target: Uint8Array, ms: number): SpentOutput {
  return { ...o, targetTransactionId: target, milestoneIndexSpent: ms };
}

function balanceChanges(tx: Tx): Array<{ address: Uint8Array; change: number }> {
  const changes = new Map<string, { address: Uint8Array; change: number }>();
  const add = (o: LedgerOutput, sign: number) => {
    const hex = bytesToHex(o.output.address.address);
    const c = changes.get(hex) ?? { address: o.output.address.address, change: 0 };
    c.change += sign * o.output.amount;
    changes.set(hex, c);
  };
  for (const o of tx.consumes) add(o, -1);
  for (const o of tx.creates) add(o, 1);
  return [...changes.values()];
}

interface MilestoneSpec {
  index: number;
  txs: Tx[];
  conflicting?: Array<{ n: number; addresses: Uint8Array[]; reason: ConflictReason }>;
  noTransaction?: number[];
  receipt?: ReceiptMutation;
}

function mutationsOf(spec: MilestoneSpec): WhiteFlagMutations {
  const referenced: ReferencedMessage[] = [];
  const createdOutputs: LedgerOutput[] = [];
  const consumedOutputs: SpentOutput[] = [];
  const addressDiffs = new Map<string, AddressDiff>();
  for (const tx of spec.txs) {
    referenced.push({
      messageId: msgId(tx.n),
      inclusion: 2,
      conflictReason: ConflictReason.NONE,
      transaction: {
        transactionId: txId(tx.n),
        inputsCount: tx.consumes.length,
        outputsCount: tx.creates.length,
        balanceChanges: balanceChanges(tx),
      },
    });
    createdOutputs.push(...tx.creates);
    consumedOutputs.push(...tx.consumes.map((o) => spend(o, txId(tx.n), spec.index)));
    for (const c of balanceChanges(tx)) {
      const hex = bytesToHex(c.address);
      const d = addressDiffs.get(hex) ?? { address: c.address, balance: 0, dustAllowanceSum: 0, dustOutputCount: 0 };
      d.balance += c.change;
      addressDiffs.set(hex, d);
    }
  }
  for (const c of spec.conflicting ?? []) {
    referenced.push({
      messageId: msgId(c.n),
      inclusion: 1,
      conflictReason: c.reason,
      transaction: {
        transactionId: txId(c.n),
        inputsCount: 1,
        outputsCount: c.addresses.length,
        balanceChanges: c.addresses.map((address) => ({ address, change: 0 })),
      },
    });
  }
  for (const n of spec.noTransaction ?? []) {
    referenced.push({ messageId: msgId(n), inclusion: 0, conflictReason: ConflictReason.NONE, transaction: null });
  }
  if (spec.receipt !== undefined) createdOutputs.push(...spec.receipt.migratedOutputs);
  return {
    milestoneIndex: spec.index,
    referenced,
    includedMessageIds: spec.txs.map((tx) => msgId(tx.n)),
    merkleRoot: new Uint8Array(32),
    createdOutputs,
    consumedOutputs,
    addressDiffs,
    receipt: spec.receipt ?? null,
  };
}

function receiptMutation(
  index: number,
  migratedAt: number,
  final: boolean,
  spent: TreasuryOutputState,
  deposits: Array<[Uint8Array, number]>,
): ReceiptMutation {
  const sum = deposits.reduce((s, [, d]) => s + d, 0);
  const receipt: ReceiptPayload = {
    type: 3,
    migratedAt,
    final,
    funds: deposits.map(([address, deposit], j) => ({
      tailTransactionHash: filled(0x50 + j, index, 49),
      address: { type: 0, address },
      deposit,
    })),
    transaction: {
      type: 4,
      input: { type: 1, milestoneId: spent.milestoneId },
      output: { type: 2, amount: spent.amount - sum },
    },
  };
  return {
    receipt,
    milestoneId: msId(index),
    milestoneIndex: index,
    spentTreasury: spent,
    newTreasury: { milestoneId: msId(index), amount: spent.amount - sum },
    migratedOutputs: deposits.map(([address, deposit], j) => ({
      outputId: outputId(msId(index), j),
      messageId: msgId(1000 + index),
      output: { type: 0, address: { type: 0, address }, amount: deposit },
    })),
  };
}

// ms1: t1 splits the genesis output into an allowance and a dust output for B and change for A; m2 conflicts, m3
// carries no transaction. ms2: t3 spends B's dust and A's change (to C and A); t4 spends C's fresh output at once
// (to D). ms3: a receipt migrates funds to E, t5 moves D's funds to B. ms4: a final receipt with the same migratedAt.
const S = TOKEN_SUPPLY - T0;
const o1a = out(txId(1), 0, B, 1_000_000, 1);
const o1b = out(txId(1), 1, B, 500);
const o1c = out(txId(1), 2, A, S - 1_000_500);
const o3a = out(txId(4), 0, C, 2_000_000);
const o3b = out(txId(4), 1, A, S - 3_000_000);
const o4a = out(txId(5), 0, D, 2_000_000);
const o5a = out(txId(6), 0, B, 2_000_000);
const R3 = receiptMutation(3, 7, false, TREASURY0, [
  [E, 1_000_000],
  [E, 2_000_000],
]);
const R4 = receiptMutation(4, 7, true, R3.newTreasury, [[E, 1_000_000]]);

const SPECS: MilestoneSpec[] = [
  {
    index: 1,
    txs: [{ n: 1, consumes: [GENESIS], creates: [o1a, o1b, o1c] }],
    conflicting: [{ n: 2, addresses: [A, C], reason: ConflictReason.INPUT_UTXO_NOT_FOUND }],
    noTransaction: [3],
  },
  {
    index: 2,
    txs: [
      { n: 4, consumes: [o1b, o1c], creates: [o3a, o3b] },
      { n: 5, consumes: [o3a], creates: [o4a] },
    ],
  },
  { index: 3, txs: [{ n: 6, consumes: [o4a], creates: [o5a] }], receipt: R3 },
  { index: 4, txs: [], receipt: R4 },
];

const timestampOf = (index: number) => 1_600_000_000 + index;
const payloadOf = (index: number) => Uint8Array.of(1, 0, 0, 0, index);

function apply(ledger: UtxoLedger, spec: MilestoneSpec): void {
  ledger.applyMilestone(mutationsOf(spec), {
    index: spec.index,
    timestamp: timestampOf(spec.index),
    milestonePayloadBytes: payloadOf(spec.index),
  });
}

async function bootstrap(kv: KvStore = new MemoryKvStore()): Promise<{ store: StagedStore; ledger: UtxoLedger }> {
  const store = new StagedStore(kv);
  const ledger = new UtxoLedger(store);
  assert.ok(ledger.isEmpty());
  ledger.importUnspentOutputs([GENESIS]);
  ledger.setTreasury(TREASURY0);
  ledger.setLedgerIndex(0);
  await store.flush();
  return { store, ledger };
}

function dump(kv: Pick<KvStore, "iterate">, range: KvRange = {}): string[] {
  return [...kv.iterate(range)].map(([k, v]) => `${bytesToHex(k)}=${bytesToHex(v)}`);
}

const hexes = (ids: Uint8Array[]) => ids.map(bytesToHex);

function assertSound(store: StagedStore, ledger: UtxoLedger): void {
  assert.deepEqual(checkLedgerConsistency(store), []);
  assert.deepEqual(checkTangleConsistency(store), []);
  assert.equal(ledger.totalSupplyCheck(), TOKEN_SUPPLY);
}

/** A MemoryKvStore that counts and keeps the batches it commits. */
class CountingKv extends MemoryKvStore {
  readonly batches: KvOp[][] = [];
  override batch(ops: readonly KvOp[]): Promise<void> {
    this.batches.push([...ops]);
    return super.batch(ops);
  }
}

// ---- tests -----------------------------------------------------------------------------------------------------

describe("UtxoLedger", () => {
  it("applies a sequence of milestones and answers every query after each", async () => {
    const { store, ledger } = await bootstrap();
    assert.ok(!ledger.isEmpty());
    assert.equal(ledger.ledgerIndex, 0);
    assertSound(store, ledger);
    assert.equal(
      errorCodeOf(() => ledger.rollbackMilestone(0)),
      "LEDGER_ERROR_INDEX_MISMATCH",
    );

    apply(ledger, SPECS[0]!);
    assert.equal(ledger.ledgerIndex, 1);
    assertSound(store, ledger);
    assert.deepEqual(ledger.balance(B), { balance: 1_000_500, dustAllowanceSum: 1_000_000, dustOutputCount: 1 });
    assert.deepEqual(ledger.dustState(B), { dustAllowanceSum: 1_000_000, dustOutputCount: 1 });
    assert.deepEqual(ledger.balance(A), { balance: S - 1_000_500, dustAllowanceSum: 0, dustOutputCount: 0 });
    assert.ok(ledger.isSpent(GENESIS.outputId));
    assert.deepEqual(ledger.getOutputWithSpent(GENESIS.outputId), {
      output: GENESIS,
      spent: { targetTransactionId: txId(1), milestoneIndexSpent: 1 },
    });
    assert.deepEqual(ledger.getOutputWithSpent(o1b.outputId), { output: o1b, spent: null });
    assert.equal(ledger.getOutputWithSpent(o3a.outputId), undefined);

    apply(ledger, SPECS[1]!);
    assertSound(store, ledger);
    // B's dust output went; C got an output and lost it in the same milestone, so it holds nothing at all.
    assert.deepEqual(ledger.balance(B), { balance: 1_000_000, dustAllowanceSum: 1_000_000, dustOutputCount: 0 });
    assert.deepEqual(ledger.balance(C), { balance: 0, dustAllowanceSum: 0, dustOutputCount: 0 });
    assert.deepEqual(ledger.balance(D), { balance: 2_000_000, dustAllowanceSum: 0, dustOutputCount: 0 });
    assert.deepEqual(ledger.getOutputWithSpent(o3a.outputId)?.spent, {
      targetTransactionId: txId(5),
      milestoneIndexSpent: 2,
    });
    assert.deepEqual(hexes(ledger.outputIdsOfAddress(C, { includeSpent: true, limit: 10 })), hexes([o3a.outputId]));
    assert.deepEqual(ledger.outputIdsOfAddress(C, { includeSpent: false, limit: 10 }), []);

    assert.equal(ledger.lastReceipt(), undefined);
    assert.deepEqual(ledger.treasury(), TREASURY0);
    apply(ledger, SPECS[2]!);
    assertSound(store, ledger);
    assert.deepEqual(ledger.treasury(), R3.newTreasury);
    assert.deepEqual(ledger.lastReceipt(), { migratedAt: 7, final: false });
    assert.deepEqual(ledger.balance(E), { balance: 3_000_000, dustAllowanceSum: 0, dustOutputCount: 0 });
    assert.deepEqual(ledger.getOutput(outputId(msId(3), 1)), R3.migratedOutputs[1]);

    apply(ledger, SPECS[3]!);
    assertSound(store, ledger);
    assert.equal(ledger.ledgerIndex, 4);
    assert.deepEqual(ledger.treasury(), R4.newTreasury);
    assert.deepEqual(ledger.lastReceipt(), { migratedAt: 7, final: true });
    assert.deepEqual(
      ledger.receipts().map((r) => [r.milestoneIndex, r.receipt.final, r.receipt.funds.length]),
      [
        [3, false, 2],
        [4, true, 1],
      ],
    );
    assert.deepEqual(ledger.receipts(7)[1]!.receipt, R4.receipt);
    assert.deepEqual(ledger.receipts(8), []);

    // B: allowance (type 1) and t5's output (type 0) unspent, the dust output spent; unspent first, type filter.
    const all = ledger.outputIdsOfAddress(B, { includeSpent: true, limit: 10 });
    assert.deepEqual(hexes(all), hexes([o5a.outputId, o1a.outputId, o1b.outputId]));
    assert.deepEqual(hexes(ledger.outputIdsOfAddress(B, { includeSpent: true, limit: 2 })), hexes(all.slice(0, 2)));
    assert.deepEqual(
      hexes(ledger.outputIdsOfAddress(B, { includeSpent: false, type: 1, limit: 10 })),
      hexes([o1a.outputId]),
    );
    assert.deepEqual(
      hexes(ledger.outputIdsOfAddress(B, { includeSpent: true, type: 0, limit: 10 })),
      hexes([o5a.outputId, o1b.outputId]),
    );
    assert.deepEqual(ledger.outputIdsOfAddress(B, { includeSpent: true, limit: 0 }), []);

    const diff2 = ledger.milestoneDiff(2);
    assert.deepEqual(hexes(diff2?.createdOutputIds ?? []), hexes([o3a.outputId, o3b.outputId, o4a.outputId]));
    assert.deepEqual(hexes(diff2?.consumedOutputIds ?? []), hexes([o1b.outputId, o1c.outputId, o3a.outputId]));
    assert.equal(diff2?.receipt, null);
    assert.deepEqual(diff2?.milestonePayloadBytes, payloadOf(2));
    assert.deepEqual(ledger.milestoneDiff(3)?.receipt, {
      migratedAt: 7,
      spentTreasury: TREASURY0,
      newTreasury: R3.newTreasury,
    });
    assert.equal(ledger.milestoneDiff(5), undefined);

    const unspent = [...ledger.unspentOutputs()];
    assert.deepEqual(
      hexes(unspent.map((o) => o.outputId)).sort(),
      hexes([o1a, o3b, o5a, ...R3.migratedOutputs, ...R4.migratedOutputs].map((o) => o.outputId)).sort(),
    );
  });

  it("records one tx-history entry per transaction and address, newest first, conflicts included", async () => {
    const { ledger } = await bootstrap();
    for (const spec of SPECS) apply(ledger, spec);
    const a = ledger.txHistory(A, 10);
    assert.deepEqual(
      a.map((h) => [h.milestoneIndex, bytesToHex(h.messageId), h.inclusion, h.conflictReason, h.balanceChange]),
      [
        [2, bytesToHex(msgId(4)), 2, 0, -1_999_500],
        [1, bytesToHex(msgId(2)), 1, ConflictReason.INPUT_UTXO_NOT_FOUND, 0],
        [1, bytesToHex(msgId(1)), 2, 0, -1_000_500],
      ],
    );
    assert.deepEqual(a[0], {
      address: A,
      milestoneIndex: 2,
      messageId: msgId(4),
      transactionId: txId(4),
      inclusion: 2,
      conflictReason: 0,
      inputsCount: 2,
      outputsCount: 2,
      balanceChange: -1_999_500,
      milestoneTimestamp: timestampOf(2),
    });
    assert.equal(ledger.txHistory(A, 2).length, 2);
    assert.deepEqual(ledger.txHistory(A, 0), []);
    // C: the conflicting m2 and both t3 (receives) and t4 (spends) of milestone 2.
    assert.deepEqual(
      ledger.txHistory(C, 10).map((h) => [h.milestoneIndex, h.balanceChange]),
      [
        [2, -2_000_000],
        [2, 2_000_000],
        [1, 0],
      ],
    );
    // Migrated funds are no transaction: E has none.
    assert.deepEqual(ledger.txHistory(E, 10), []);
    assert.deepEqual(
      ledger.txHistory(B, 10).map((h) => [h.milestoneIndex, h.balanceChange]),
      [
        [3, 2_000_000],
        [2, -500],
        [1, 1_000_500],
      ],
    );
  });

  it("rolls each milestone back to byte-identical store contents", async () => {
    const kv = new MemoryKvStore();
    const { store, ledger } = await bootstrap(kv);
    const genesis = dump(kv);
    for (const spec of SPECS) {
      const before = dump(kv);
      apply(ledger, spec);
      await store.flush();
      assert.notDeepEqual(dump(kv), before);
      ledger.rollbackMilestone(spec.index);
      assert.deepEqual(dump(store), before, `staged view after rolling back ${spec.index}`);
      await store.flush();
      assert.deepEqual(dump(kv), before, `store after rolling back ${spec.index}`);
      assert.equal(ledger.ledgerIndex, spec.index - 1);
      apply(ledger, spec);
      await store.flush();
    }
    for (let i = SPECS.length; i >= 1; i--) {
      ledger.rollbackMilestone(i);
      assertSound(store, ledger);
    }
    await store.flush();
    assert.deepEqual(dump(kv), genesis);
  });

  it("stages a confirmation as one atomic batch, together with what the caller stages in the same turn", async () => {
    const kv = new CountingKv();
    const { store, ledger } = await bootstrap(kv);
    kv.batches.length = 0;
    apply(ledger, SPECS[0]!);
    const metadataKey = messageMetadataKey(msgId(1));
    store.put(metadataKey, new Uint8Array(23));
    // Visible to reads at once, invisible in the database until the batch commits.
    assert.ok(store.has(diffKey(1)));
    assert.equal(kv.get(diffKey(1)), undefined);
    assert.equal(kv.get(metadataKey), undefined);
    await store.durable();
    assert.equal(kv.batches.length, 1);
    const keys = new Set(kv.batches[0]!.map((op) => bytesToHex(op.key)));
    assert.ok(keys.has(bytesToHex(diffKey(1))));
    assert.ok(keys.has(bytesToHex(metadataKey)));
    assert.equal(new UtxoLedger(new StagedStore(kv)).ledgerIndex, 1);
  });

  it("refuses out-of-order and unfitting mutations without staging anything", async () => {
    const { store, ledger } = await bootstrap();
    apply(ledger, SPECS[0]!);
    await store.flush();
    const before = dump(store);
    const expectRefused = (code: string, fn: () => unknown) => {
      assert.equal(errorCodeOf(fn), code);
      assert.equal(store.stagedOps, 0);
      assert.deepEqual(dump(store), before);
    };
    expectRefused("LEDGER_ERROR_INDEX_MISMATCH", () => apply(ledger, SPECS[2]!));
    expectRefused("LEDGER_ERROR_INDEX_MISMATCH", () => apply(ledger, SPECS[0]!));
    expectRefused("LEDGER_ERROR_INDEX_MISMATCH", () =>
      ledger.applyMilestone(mutationsOf(SPECS[1]!), { index: 3, timestamp: 0 }),
    );
    expectRefused("LEDGER_ERROR_INDEX_MISMATCH", () => ledger.rollbackMilestone(2));
    expectRefused("LEDGER_ERROR_INDEX_MISMATCH", () => ledger.rollbackMilestone(0));
    // Spending the already spent genesis output, or an output nobody created.
    expectRefused("LEDGER_ERROR_CORRUPT", () =>
      apply(ledger, { index: 2, txs: [{ n: 9, consumes: [GENESIS], creates: [out(txId(9), 0, C, S)] }] }),
    );
    const ghost = out(txId(99), 0, C, 5);
    expectRefused("LEDGER_ERROR_CORRUPT", () =>
      apply(ledger, { index: 2, txs: [{ n: 9, consumes: [ghost], creates: [out(txId(9), 0, C, 5)] }] }),
    );
    // A consumed record that differs from the stored output.
    const forged = { ...o1c, output: { ...o1c.output, address: { type: 0 as const, address: C } } };
    expectRefused("LEDGER_ERROR_CORRUPT", () =>
      apply(ledger, {
        index: 2,
        txs: [{ n: 9, consumes: [forged], creates: [out(txId(9), 0, C, o1c.output.amount)] }],
      }),
    );
    // Outputs that do not add up: tokens out of nowhere.
    expectRefused("LEDGER_ERROR_CORRUPT", () =>
      apply(ledger, { index: 2, txs: [{ n: 9, consumes: [o1b], creates: [out(txId(9), 0, C, 501)] }] }),
    );
    // Creating an output that exists.
    expectRefused("LEDGER_ERROR_CORRUPT", () =>
      apply(ledger, { index: 2, txs: [{ n: 9, consumes: [o1b], creates: [{ ...o1a, output: { ...o1b.output } }] }] }),
    );
    // A receipt that spends a treasury output we do not hold.
    const wrong = receiptMutation(2, 1, false, { milestoneId: msId(77), amount: T0 }, [[E, 1_000_000]]);
    expectRefused("LEDGER_ERROR_RECEIPT_INVALID", () => apply(ledger, { index: 2, txs: [], receipt: wrong }));
    // A receipt whose migrated outputs are missing from createdOutputs.
    const m = mutationsOf({ index: 2, txs: [], receipt: R3 });
    expectRefused("LEDGER_ERROR_CORRUPT", () =>
      ledger.applyMilestone({ ...m, createdOutputs: [] }, { index: 2, timestamp: 0 }),
    );
    assert.equal(ledger.ledgerIndex, 1);
    assertSound(store, ledger);
  });

  it("loads a full snapshot backwards and applies its diffs forwards to the same ledger", async () => {
    const a = await bootstrap();
    const genesis = dump(a.store);
    for (const spec of SPECS) apply(a.ledger, spec);
    const down = [...a.ledger.storedDiffs(4, 1)];
    assert.deepEqual(
      down.map((d) => d.milestoneIndex),
      [4, 3, 2, 1],
    );
    assert.deepEqual(
      [...a.ledger.storedDiffs(2, 3)].map((d) => d.milestoneIndex),
      [2, 3],
    );
    assert.equal(
      errorCodeOf(() => [...a.ledger.storedDiffs(5, 4)]),
      "LEDGER_ERROR_CORRUPT",
    );
    assert.deepEqual(down[1]!.treasury?.receipt, R3.receipt);
    assert.deepEqual(down[2]!.milestonePayloadBytes, payloadOf(2));

    // As a snapshot file holds it: the UTXO set at ledger index 4, the treasury, the diffs 4..1.
    const b = { store: new StagedStore(new MemoryKvStore()) };
    const ledger = new UtxoLedger(b.store);
    const utxos = [...a.ledger.unspentOutputs()];
    for (let i = 0; i < utxos.length; i += 3) {
      ledger.importUnspentOutputs(utxos.slice(i, i + 3));
      await b.store.drain();
    }
    ledger.setTreasury(a.ledger.treasury()!);
    ledger.setLedgerIndex(4);
    ledger.setSnapshotInfo({ networkId: 2n ** 63n + 5n, snapshotIndex: 0, entryPointIndex: 0, timestamp: 77 });
    assert.equal(ledger.totalSupplyCheck(), TOKEN_SUPPLY);
    for (const d of down) ledger.rollbackDiff(d);
    assert.equal(ledger.ledgerIndex, 0);
    assert.deepEqual(ledger.snapshotInfo(), {
      networkId: 2n ** 63n + 5n,
      snapshotIndex: 0,
      entryPointIndex: 0,
      timestamp: 77,
    });
    const withoutInfo = dump(b.store).filter((line) => !line.startsWith("0107="));
    assert.deepEqual(withoutInfo, genesis);

    // Forwards again (a delta snapshot): the same UTXO set, balances and diffs, without tx-history.
    for (const d of [...down].reverse()) ledger.applyDiff(d);
    assertSound(b.store, ledger);
    const keyed = (o: LedgerOutput) => bytesToHex(o.outputId);
    assert.deepEqual([...ledger.unspentOutputs()].map(keyed), utxos.map(keyed));
    for (const address of [A, B, C, D, E]) assert.deepEqual(ledger.balance(address), a.ledger.balance(address));
    assert.deepEqual(
      hexes(ledger.milestoneDiff(2)!.consumedOutputIds),
      hexes(a.ledger.milestoneDiff(2)!.consumedOutputIds),
    );
    assert.deepEqual(ledger.txHistory(A, 10), []);
    assert.deepEqual(ledger.receipts(), a.ledger.receipts());
    // A diff that does not continue the ledger is refused.
    assert.equal(
      errorCodeOf(() => ledger.applyDiff(down[0]!)),
      "LEDGER_ERROR_INDEX_MISMATCH",
    );
    const bad: LedgerDiff = { ...down[3]!, milestoneIndex: 4 };
    assert.equal(
      errorCodeOf(() => ledger.rollbackDiff(bad)),
      "LEDGER_ERROR_CORRUPT",
    );
  });

  it("prunes diffs, spent outputs and tx-history up to an index, in chunks", async () => {
    const { store, ledger } = await bootstrap();
    for (const spec of SPECS) apply(ledger, spec);
    await store.flush();
    let calls = 0;
    while (!ledger.pruneTo(2, 1)) {
      calls++;
      await store.durable();
    }
    assert.equal(calls, 1, "one milestone per call with a budget of 1 op");
    assert.equal(ledger.milestoneDiff(1), undefined);
    assert.equal(ledger.milestoneDiff(2), undefined);
    assert.ok(ledger.milestoneDiff(3) !== undefined);
    // Spent at 1 or 2: gone; unspent or spent later: kept.
    for (const o of [GENESIS, o1b, o1c, o3a]) assert.equal(ledger.getOutput(o.outputId), undefined);
    for (const o of [o1a, o3b, o5a]) assert.deepEqual(ledger.getOutput(o.outputId), o);
    assert.ok(ledger.isSpent(o4a.outputId));
    assert.deepEqual(ledger.txHistory(A, 10), []);
    assert.deepEqual(
      ledger.txHistory(B, 10).map((h) => h.milestoneIndex),
      [3],
    );
    assert.deepEqual(
      hexes(ledger.outputIdsOfAddress(B, { includeSpent: true, limit: 10 })),
      hexes([o5a.outputId, o1a.outputId]),
    );
    assertSound(store, ledger);
    assert.ok(ledger.pruneTo(2));
    ledger.rollbackMilestone(4);
    ledger.rollbackMilestone(3);
    assertSound(store, ledger);
    assert.equal(
      errorCodeOf(() => ledger.rollbackMilestone(2)),
      "LEDGER_ERROR_CORRUPT",
    );
  });

  it("keeps every invariant through a seeded random run, and rolls any milestone back exactly", async () => {
    const rnd = seededRandom(4242);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const addresses = [1, 2, 3, 4, 5, 6].map((n) => addr(n + 10));
    const kv = new MemoryKvStore();
    const { store, ledger } = await bootstrap(kv);
    let utxos: LedgerOutput[] = [GENESIS];
    let n = 100;
    for (let index = 1; index <= 30; index++) {
      const txs: Tx[] = [];
      for (let t = 0, count = Math.floor(rnd() * 4); t < count && utxos.length > 0; t++) {
        const consumes: LedgerOutput[] = [];
        for (let k = 0, want = 1 + Math.floor(rnd() * 3); k < want && utxos.length > 0; k++) {
          consumes.push(utxos.splice(Math.floor(rnd() * utxos.length), 1)[0]!);
        }
        let left = consumes.reduce((s, o) => s + o.output.amount, 0);
        const creates: LedgerOutput[] = [];
        const tx = ++n;
        for (let k = 0, want = 1 + Math.floor(rnd() * 3); k < want && left > 0; k++) {
          const small = rnd() < 0.3 ? 1 + Math.floor(rnd() * 999_999) : 1_000_000 + Math.floor(rnd() * 5_000_000);
          const amount = k === want - 1 ? left : Math.min(left, small);
          const type = amount >= 1_000_000 && rnd() < 0.3 ? 1 : 0;
          creates.push(out(txId(tx), k, pick(addresses), amount, type));
          left -= amount;
        }
        txs.push({ n: tx, consumes, creates });
        utxos.push(...creates);
      }
      const spec: MilestoneSpec = {
        index,
        txs,
        conflicting:
          rnd() < 0.3 ? [{ n: ++n, addresses: [pick(addresses)], reason: ConflictReason.INVALID_SIGNATURE }] : [],
      };
      const before = dump(store);
      apply(ledger, spec);
      assertSound(store, ledger);
      if (rnd() < 0.3) {
        ledger.rollbackMilestone(index);
        assert.deepEqual(dump(store), before);
        apply(ledger, spec);
      }
      utxos = [...ledger.unspentOutputs()];
      if (index % 10 === 0) await store.flush();
    }
    assert.equal(ledger.ledgerIndex, 30);
    while (!ledger.pruneTo(20, 50)) await store.drain();
    assertSound(store, ledger);
  });

  it("survives a reopen on LMDB", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weaver-ledger-"));
    try {
      const kv = LmdbKvStore.open({ path: dir });
      const { store, ledger } = await bootstrap(kv);
      for (const spec of SPECS.slice(0, 3)) apply(ledger, spec);
      await store.flush();
      const before = dump(kv);
      const balanceOfB = ledger.balance(B);
      await kv.close();

      const kv2 = LmdbKvStore.open({ path: dir });
      const store2 = new StagedStore(kv2);
      const reopened = new UtxoLedger(store2);
      assert.deepEqual(dump(kv2), before);
      assert.equal(reopened.ledgerIndex, 3);
      assertSound(store2, reopened);
      assert.deepEqual(reopened.treasury(), R3.newTreasury);
      assert.deepEqual(reopened.balance(B), balanceOfB);
      apply(reopened, SPECS[3]!);
      reopened.rollbackMilestone(4);
      reopened.rollbackMilestone(3);
      await store2.flush();
      assert.equal(new UtxoLedger(store2).ledgerIndex, 2);
      assert.deepEqual(reopened.treasury(), TREASURY0);
      assertSound(store2, reopened);
      await kv2.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
