/**
 * The confirmed UTXO ledger on storage: outputs, spends, per-address indexes and balances, milestone diffs, the
 * treasury, receipts and the tx-history index (tables in storage/prefixes.ts, codecs in ledgerRecords.ts).
 *
 * Every mutating method only STAGES puts and deletes, synchronously, on the StagedStore it was given: the one the
 * tangle writes through, so that a confirmation lands in ONE atomic batch together with the referenced messages'
 * metadata (the caller stages both in the same event-loop turn, then awaits `store.durable()`). Each mutation checks
 * everything it needs before staging anything, so a refused one leaves the store untouched.
 *
 * One UtxoLedger per store: it keeps the ledger index in memory.
 */
import type { ReceiptPayload } from "../codec/index.js";
import { compareBytes, equalBytes } from "../primitives/bytes.js";
import { bytesToHex } from "../primitives/hex.js";
import type { KvRange } from "../storage/kv.js";
import {
  encodeU32,
  HEALTH_FIELD_LEDGER_INDEX,
  HEALTH_FIELD_SNAPSHOT_INFO,
  healthKey,
  tablePrefix,
} from "../storage/prefixes.js";
import type { StagedStore } from "../storage/stagedStore.js";
import { type BalanceDelta, balanceDeltas, diffOfMutations, idKey, type LedgerDiff } from "./ledgerDiff.js";
import { LedgerError } from "./ledgerError.js";
import {
  type AddressBalance,
  type AddressOutputEntry,
  addressOutputKey,
  addressOutputsPrefix,
  balanceKey,
  decodeAddressOutputKey,
  decodeBalanceValue,
  decodeDiffKey,
  decodeDiffValue,
  decodeLedgerIndex,
  decodeOutputValue,
  decodeReceiptKey,
  decodeReceiptValue,
  decodeSnapshotInfo,
  decodeSpentValue,
  decodeTreasuryEntry,
  decodeTxHistoryEntry,
  diffKey,
  encodeAmountValue,
  encodeBalanceValue,
  encodeDiffValue,
  encodeOutputValue,
  encodeReceiptValue,
  encodeSnapshotInfo,
  encodeSpentValue,
  encodeTxHistoryValue,
  type OutputType,
  outputKey,
  receiptKey,
  receiptsPrefix,
  type SnapshotInfo,
  type SpentRecord,
  type StoredDiffRecord,
  spentKey,
  type TxHistoryEntry,
  type TxHistoryRef,
  treasuryKey,
  treasuryPrefix,
  txHistoryKey,
  txHistoryPrefix,
} from "./ledgerRecords.js";
import type {
  AddressDustState,
  LedgerOutput,
  LedgerView,
  SpentOutput,
  TreasuryOutputState,
  WhiteFlagMutations,
} from "./types.js";

/** Ops pruneTo stages per call at most (plus one milestone's worth), to stay near StagedStore's drain limit. */
const PRUNE_CHUNK_OPS = 10_000;
const EMPTY = new Uint8Array(0);
const U32_MAX = 0xffff_ffff;
const ZERO_BALANCE: AddressBalance = { balance: 0, dustAllowanceSum: 0, dustOutputCount: 0 };

/** The milestone being confirmed, as applyMilestone needs it. */
export interface ConfirmedMilestone {
  index: number;
  /** Unix seconds (TIP-8), recorded in the tx-history entries. */
  timestamp: number;
  /** The milestone payload (TIP-8 bytes), kept in the diff for snapshot writing. */
  milestonePayloadBytes?: Uint8Array | undefined;
}

export interface OutputWithSpent {
  output: LedgerOutput;
  spent: SpentRecord | null;
}

export interface AddressOutputsQuery {
  /** Also list spent outputs, after all unspent ones. */
  includeSpent: boolean;
  /** Only outputs of this type. */
  type?: OutputType | undefined;
  /** At most this many ids in total. */
  limit: number;
}

/** A MILESTONE_DIFFS record with its index (the utxo-changes route). */
export interface StoredMilestoneDiff extends StoredDiffRecord {
  milestoneIndex: number;
}

export interface StoredReceipt {
  receipt: ReceiptPayload;
  milestoneIndex: number;
}

function corrupt(message: string): LedgerError {
  return new LedgerError("LEDGER_ERROR_CORRUPT", message);
}

function entryOf(o: LedgerOutput, spent: boolean): AddressOutputEntry {
  return { address: o.output.address.address, spent, outputType: o.output.type, outputId: o.outputId };
}

function sumAmounts(outputs: readonly LedgerOutput[]): number {
  let sum = 0;
  for (const o of outputs) sum += o.output.amount;
  return sum;
}

function sameTreasury(a: TreasuryOutputState | undefined, b: TreasuryOutputState): boolean {
  return a !== undefined && a.amount === b.amount && equalBytes(a.milestoneId, b.milestoneId);
}

function treasuryText(t: TreasuryOutputState | undefined): string {
  return t === undefined ? "none" : `${bytesToHex(t.milestoneId)} holding ${t.amount}`;
}

export class UtxoLedger implements LedgerView {
  private index: number;

  constructor(private readonly store: StagedStore) {
    const stored = store.get(healthKey(HEALTH_FIELD_LEDGER_INDEX));
    this.index = stored === undefined ? 0 : decodeLedgerIndex(stored);
  }

  /** The milestone whose confirmation the ledger reflects (0 before any). */
  get ledgerIndex(): number {
    return this.index;
  }

  // ---- LedgerView ----------------------------------------------------------------------------------------------

  getOutput(outputId: Uint8Array): LedgerOutput | undefined {
    const value = this.store.get(outputKey(outputId));
    return value === undefined ? undefined : decodeOutputValue(outputId.slice(), value);
  }

  isSpent(outputId: Uint8Array): boolean {
    return this.store.has(spentKey(outputId));
  }

  dustState(address: Uint8Array): AddressDustState {
    const b = this.balance(address);
    return { dustAllowanceSum: b.dustAllowanceSum, dustOutputCount: b.dustOutputCount };
  }

  treasury(): TreasuryOutputState | undefined {
    let found: TreasuryOutputState | undefined;
    for (const [key, value] of this.store.iterate({ prefix: treasuryPrefix(false), limit: 2 })) {
      // TIP-17: there is exactly one treasury output.
      if (found !== undefined) throw corrupt("the ledger holds two unspent treasury outputs");
      found = decodeTreasuryEntry(key, value).treasury;
    }
    return found;
  }

  lastReceipt(): { migratedAt: number; final: boolean } | undefined {
    // TIP-17: migratedAt never goes down between receipts, so the last key is the latest milestone's receipt.
    for (const [key, value] of this.store.iterate({ prefix: receiptsPrefix(), reverse: true, limit: 1 })) {
      return { migratedAt: decodeReceiptKey(key).migratedAt, final: decodeReceiptValue(value).final };
    }
    return undefined;
  }

  // ---- confirmation and rollback ------------------------------------------------------------------------------

  /**
   * Stages everything the milestone changes: outputs, spends, address indexes, balances, the diff, treasury and
   * receipt, one tx-history entry per referenced transaction and address it touches, and the ledger index.
   * Throws LEDGER_ERROR_INDEX_MISMATCH unless it is milestone ledgerIndex + 1, LEDGER_ERROR_CORRUPT when the
   * mutations do not fit the stored ledger, LEDGER_ERROR_RECEIPT_INVALID when the spent treasury is not ours.
   */
  applyMilestone(mutations: WhiteFlagMutations, milestone: ConfirmedMilestone): void {
    if (mutations.milestoneIndex !== milestone.index) {
      throw new LedgerError(
        "LEDGER_ERROR_INDEX_MISMATCH",
        `mutations of milestone ${mutations.milestoneIndex} handed in for milestone ${milestone.index}`,
      );
    }
    const diff = diffOfMutations(mutations, milestone.milestonePayloadBytes ?? null);
    if (mutations.receipt !== null) {
      // The receipt's outputs are part of createdOutputs (types.ts); a contract drift must not lose funds silently.
      const created = new Set(diff.created.map((o) => idKey(o.outputId)));
      for (const o of mutations.receipt.migratedOutputs) {
        if (!created.has(idKey(o.outputId))) {
          throw corrupt(`migrated output ${bytesToHex(o.outputId)} is missing from the created outputs`);
        }
      }
    }
    const history: TxHistoryEntry[] = [];
    for (const r of mutations.referenced) {
      const tx = r.transaction;
      if (tx === null) continue;
      for (const change of tx.balanceChanges) {
        history.push({
          address: change.address,
          milestoneIndex: milestone.index,
          messageId: r.messageId,
          transactionId: tx.transactionId,
          inclusion: r.inclusion,
          conflictReason: r.conflictReason,
          inputsCount: tx.inputsCount,
          outputsCount: tx.outputsCount,
          balanceChange: change.change,
          milestoneTimestamp: milestone.timestamp,
        });
      }
    }
    this.stageApply(diff, history);
  }

  /** Stages a milestone diff from a snapshot file (no tx-history): as applyMilestone, same checks. */
  applyDiff(diff: LedgerDiff): void {
    this.stageApply(diff, []);
  }

  /** Stages the undoing of the stored diff of `index`, which must be the ledger index (LEDGER_ERROR_INDEX_MISMATCH). */
  rollbackMilestone(index: number): void {
    this.expectRollback(index);
    const diff = this.loadDiff(index);
    if (diff === undefined) throw corrupt(`no diff is stored for milestone ${index}, so it cannot be rolled back`);
    this.rollbackDiff(diff);
  }

  /**
   * Stages the undoing of `diff` (from a snapshot file, loaded backwards, or from loadDiff): its created outputs
   * go, its consumed ones are unspent again (stored from the diff's records, which a full snapshot's UTXO set
   * lacks), treasury and receipt return, and the stored diff and its tx-history entries are deleted if present.
   */
  rollbackDiff(diff: LedgerDiff): void {
    const i = diff.milestoneIndex;
    this.expectRollback(i);
    this.checkZeroSum(diff);
    const consumedIds = new Set(diff.consumed.map((s) => idKey(s.outputId)));
    for (const o of diff.created) {
      // An output created and consumed by the same milestone is in neither the UTXO set nor the spent ones.
      if (consumedIds.has(idKey(o.outputId))) continue;
      const stored = this.store.get(outputKey(o.outputId));
      if (stored === undefined || this.isSpent(o.outputId) || !equalBytes(stored, encodeOutputValue(o))) {
        throw corrupt(`output ${bytesToHex(o.outputId)} created by milestone ${i} is not that unspent ledger output`);
      }
    }
    const restored = diff.consumed.map((s) => {
      if (s.milestoneIndexSpent !== i) {
        throw corrupt(`output ${bytesToHex(s.outputId)} is recorded as spent by ${s.milestoneIndexSpent}`);
      }
      if (this.store.has(outputKey(s.outputId)) && !this.isSpent(s.outputId)) {
        throw corrupt(`output ${bytesToHex(s.outputId)} consumed by milestone ${i} is unspent in the ledger`);
      }
      return encodeOutputValue(s);
    });
    const t = diff.treasury;
    if (t !== null && !sameTreasury(this.treasury(), t.created)) {
      throw new LedgerError(
        "LEDGER_ERROR_RECEIPT_INVALID",
        `milestone ${i} created treasury ${treasuryText(t.created)}, the ledger holds ${treasuryText(this.treasury())}`,
      );
    }
    const treasuryWrites =
      t === null
        ? null
        : {
            receipt: receiptKey(t.receipt.migratedAt, i),
            spent: treasuryKey(true, t.spent.milestoneId),
            unspent: treasuryKey(false, t.spent.milestoneId),
            amount: encodeAmountValue(t.spent.amount),
          };
    const balances = this.balanceWrites(balanceDeltas(diff.consumed, diff.created));
    const stored = this.store.get(diffKey(i));
    const history = stored === undefined ? [] : decodeDiffValue(stored).txHistory;
    const indexValue = encodeU32(i - 1);

    diff.consumed.forEach((s, n) => {
      this.store.del(spentKey(s.outputId));
      this.store.put(outputKey(s.outputId), restored[n]!);
      this.store.del(addressOutputKey(entryOf(s, true)));
      this.store.put(addressOutputKey(entryOf(s, false)), EMPTY);
    });
    for (const o of diff.created) {
      this.store.del(outputKey(o.outputId));
      this.store.del(addressOutputKey(entryOf(o, false)));
    }
    this.stageBalances(balances);
    if (t !== null && treasuryWrites !== null) {
      this.store.del(treasuryWrites.receipt);
      this.store.del(treasuryKey(false, t.created.milestoneId));
      this.store.del(treasuryWrites.spent);
      this.store.put(treasuryWrites.unspent, treasuryWrites.amount);
    }
    for (const ref of history) this.store.del(txHistoryKey(ref.address, i, ref.messageId));
    this.store.del(diffKey(i));
    this.stageLedgerIndex(i - 1, indexValue);
  }

  private stageApply(diff: LedgerDiff, history: readonly TxHistoryEntry[]): void {
    const i = diff.milestoneIndex;
    this.expectIndex(i, this.index + 1, "apply");
    this.checkZeroSum(diff);
    const created = new Map<string, Uint8Array>();
    const createdValues = diff.created.map((o) => {
      const key = idKey(o.outputId);
      if (created.has(key) || this.store.has(outputKey(o.outputId))) {
        throw corrupt(`milestone ${i} creates output ${bytesToHex(o.outputId)}, which exists already`);
      }
      const value = encodeOutputValue(o);
      created.set(key, value);
      return value;
    });
    const consumed = new Set<string>();
    for (const s of diff.consumed) {
      const key = idKey(s.outputId);
      const what = () => `milestone ${i} consumes output ${bytesToHex(s.outputId)}`;
      if (consumed.has(key)) throw corrupt(`${what()} twice`);
      consumed.add(key);
      if (s.milestoneIndexSpent !== i) throw corrupt(`${what()}, said to be spent by ${s.milestoneIndexSpent}`);
      const known = created.get(key) ?? (this.isSpent(s.outputId) ? undefined : this.store.get(outputKey(s.outputId)));
      if (known === undefined) throw corrupt(`${what()}, which is not unspent`);
      if (!equalBytes(known, encodeOutputValue(s))) throw corrupt(`${what()} with a record unlike the ledger's`);
    }
    const t = diff.treasury;
    if (t !== null && !sameTreasury(this.treasury(), t.spent)) {
      throw new LedgerError(
        "LEDGER_ERROR_RECEIPT_INVALID",
        `milestone ${i} spends treasury ${treasuryText(t.spent)}, the ledger holds ${treasuryText(this.treasury())}`,
      );
    }
    const balances = this.balanceWrites(balanceDeltas(diff.created, diff.consumed));
    const record = encodeDiffValue({
      createdOutputIds: diff.created.map((o) => o.outputId),
      consumedOutputIds: diff.consumed.map((s) => s.outputId),
      receipt: t === null ? null : { migratedAt: t.receipt.migratedAt, spentTreasury: t.spent, newTreasury: t.created },
      txHistory: history.map((h): TxHistoryRef => ({ address: h.address, messageId: h.messageId })),
      milestonePayloadBytes: diff.milestonePayloadBytes,
    });
    const historyValues = history.map(encodeTxHistoryValue);
    const spentValues = diff.consumed.map(encodeSpentValue);
    const receiptValue = t === null ? null : encodeReceiptValue(t.receipt);
    const indexValue = encodeU32(i);
    const recordKey = diffKey(i);

    diff.created.forEach((o, n) => {
      this.store.put(outputKey(o.outputId), createdValues[n]!);
      this.store.put(addressOutputKey(entryOf(o, false)), EMPTY);
    });
    diff.consumed.forEach((s, n) => {
      this.store.put(spentKey(s.outputId), spentValues[n]!);
      this.store.del(addressOutputKey(entryOf(s, false)));
      this.store.put(addressOutputKey(entryOf(s, true)), EMPTY);
    });
    this.stageBalances(balances);
    if (t !== null && receiptValue !== null) {
      this.store.del(treasuryKey(false, t.spent.milestoneId));
      this.store.put(treasuryKey(true, t.spent.milestoneId), encodeAmountValue(t.spent.amount));
      this.store.put(treasuryKey(false, t.created.milestoneId), encodeAmountValue(t.created.amount));
      this.store.put(receiptKey(t.receipt.migratedAt, i), receiptValue);
    }
    history.forEach((h, n) => {
      this.store.put(txHistoryKey(h.address, i, h.messageId), historyValues[n]!);
    });
    this.store.put(recordKey, record);
    this.stageLedgerIndex(i, indexValue);
  }

  private expectIndex(index: number, expected: number, what: string): void {
    if (index !== expected) {
      throw new LedgerError(
        "LEDGER_ERROR_INDEX_MISMATCH",
        `cannot ${what} milestone ${index}: the ledger is at ${this.index}, so only ${expected} fits`,
      );
    }
  }

  private expectRollback(index: number): void {
    this.expectIndex(index, this.index, "roll back");
    if (index === 0) throw new LedgerError("LEDGER_ERROR_INDEX_MISMATCH", "milestone 0 has no diff to roll back");
  }

  /** Tokens are neither made nor lost: what the outputs gain, the treasury gives (TIP-17), and the reverse. */
  private checkZeroSum(diff: LedgerDiff): void {
    const t = diff.treasury;
    const outputs = sumAmounts(diff.created) - sumAmounts(diff.consumed);
    const treasury = t === null ? 0 : t.spent.amount - t.created.amount;
    if (outputs !== treasury) {
      throw corrupt(
        `milestone ${diff.milestoneIndex} changes the outputs by ${outputs} but the treasury by ${-treasury}`,
      );
    }
  }

  /** The new ADDRESS_BALANCES values (null: delete) after `deltas`; refuses totals that would go negative. */
  private balanceWrites(deltas: readonly BalanceDelta[]): Array<[Uint8Array, Uint8Array | null]> {
    const writes: Array<[Uint8Array, Uint8Array | null]> = [];
    for (const d of deltas) {
      if (d.balance === 0 && d.dustAllowanceSum === 0 && d.dustOutputCount === 0) continue;
      const now = this.balance(d.address);
      const next: AddressBalance = {
        balance: now.balance + d.balance,
        dustAllowanceSum: now.dustAllowanceSum + d.dustAllowanceSum,
        dustOutputCount: now.dustOutputCount + d.dustOutputCount,
      };
      if (next.balance < 0 || next.dustAllowanceSum < 0 || next.dustOutputCount < 0) {
        throw corrupt(`address ${bytesToHex(d.address)} would hold a negative total (${JSON.stringify(next)})`);
      }
      const zero = next.balance === 0 && next.dustAllowanceSum === 0 && next.dustOutputCount === 0;
      writes.push([balanceKey(d.address), zero ? null : encodeBalanceValue(next)]);
    }
    return writes;
  }

  private stageBalances(writes: Array<[Uint8Array, Uint8Array | null]>): void {
    for (const [key, value] of writes) {
      if (value === null) this.store.del(key);
      else this.store.put(key, value);
    }
  }

  private stageLedgerIndex(index: number, value = encodeU32(index)): void {
    this.store.put(healthKey(HEALTH_FIELD_LEDGER_INDEX), value);
    this.index = index;
  }

  // ---- bootstrap (snapshot import) ------------------------------------------------------------------------------

  /** True while the ledger holds no output and no treasury: it was never bootstrapped from a snapshot. */
  isEmpty(): boolean {
    for (const prefix of [tablePrefix("OUTPUTS"), tablePrefix("TREASURY")]) {
      for (const _ of this.store.iterate({ prefix, limit: 1 })) return false;
    }
    return true;
  }

  /**
   * Stages `outputs` as unspent (a snapshot's UTXO set), with their address indexes and balances. Callers import
   * large sets in chunks and await `store.drain()` between them. Refuses an output the ledger holds already.
   */
  importUnspentOutputs(outputs: readonly LedgerOutput[]): void {
    const seen = new Set<string>();
    const values = outputs.map((o) => {
      const key = idKey(o.outputId);
      if (seen.has(key) || this.store.has(outputKey(o.outputId))) {
        throw corrupt(`snapshot output ${bytesToHex(o.outputId)} is in the ledger already`);
      }
      seen.add(key);
      return encodeOutputValue(o);
    });
    const balances = this.balanceWrites(balanceDeltas(outputs, []));
    outputs.forEach((o, n) => {
      this.store.put(outputKey(o.outputId), values[n]!);
      this.store.put(addressOutputKey(entryOf(o, false)), EMPTY);
    });
    this.stageBalances(balances);
  }

  /** Stages `t` as the one unspent treasury output, replacing any other unspent one. */
  setTreasury(t: TreasuryOutputState): void {
    const value = encodeAmountValue(t.amount);
    const key = treasuryKey(false, t.milestoneId);
    for (const [old] of this.store.iterate({ prefix: treasuryPrefix(false) })) this.store.del(old);
    this.store.put(key, value);
  }

  setLedgerIndex(index: number): void {
    this.stageLedgerIndex(index);
  }

  snapshotInfo(): SnapshotInfo | undefined {
    const value = this.store.get(healthKey(HEALTH_FIELD_SNAPSHOT_INFO));
    return value === undefined ? undefined : decodeSnapshotInfo(value);
  }

  setSnapshotInfo(info: SnapshotInfo): void {
    this.store.put(healthKey(HEALTH_FIELD_SNAPSHOT_INFO), encodeSnapshotInfo(info));
  }

  // ---- queries ------------------------------------------------------------------------------------------------

  getOutputWithSpent(outputId: Uint8Array): OutputWithSpent | undefined {
    const output = this.getOutput(outputId);
    if (output === undefined) return undefined;
    const spent = this.store.get(spentKey(outputId));
    return { output, spent: spent === undefined ? null : decodeSpentValue(spent) };
  }

  balance(address: Uint8Array): AddressBalance {
    const value = this.store.get(balanceKey(address));
    return value === undefined ? { ...ZERO_BALANCE } : decodeBalanceValue(value);
  }

  /** Output ids on the address: unspent ones first, then (if asked) spent ones, at most `limit` in all. */
  outputIdsOfAddress(address: Uint8Array, query: AddressOutputsQuery): Uint8Array[] {
    const ids: Uint8Array[] = [];
    const states = query.includeSpent ? [false, true] : [false];
    for (const spent of states) {
      const left = query.limit - ids.length;
      if (left <= 0) break;
      const prefix = addressOutputsPrefix(address, spent, query.type);
      for (const [key] of this.store.iterate({ prefix, limit: left })) ids.push(decodeAddressOutputKey(key).outputId);
    }
    return ids;
  }

  /** The stored diff of milestone `index` by output ids (the utxo-changes route), if kept. */
  milestoneDiff(index: number): StoredMilestoneDiff | undefined {
    const value = this.store.get(diffKey(index));
    return value === undefined ? undefined : { milestoneIndex: index, ...decodeDiffValue(value) };
  }

  /** The stored diff of milestone `index` with full output records, as a snapshot file holds it; if kept. */
  loadDiff(index: number): LedgerDiff | undefined {
    const value = this.store.get(diffKey(index));
    return value === undefined ? undefined : this.expandDiff(index, decodeDiffValue(value));
  }

  /**
   * The stored diffs from milestone `from` to `to`, both included, in that direction (a full snapshot lists them
   * from the ledger index down, a delta snapshot upwards). Throws LEDGER_ERROR_CORRUPT at a missing one. The
   * ledger must not change while this is consumed.
   */
  *storedDiffs(from: number, to: number): IterableIterator<LedgerDiff> {
    const step = from <= to ? 1 : -1;
    for (let i = from; i !== to + step; i += step) {
      const diff = this.loadDiff(i);
      if (diff === undefined) throw corrupt(`no diff is stored for milestone ${i}`);
      yield diff;
    }
  }

  /** Receipts in migratedAt order, all or those with this migratedAt. */
  receipts(migratedAt?: number): StoredReceipt[] {
    const out: StoredReceipt[] = [];
    for (const [key, value] of this.store.iterate({ prefix: receiptsPrefix(migratedAt) })) {
      out.push({ receipt: decodeReceiptValue(value), milestoneIndex: decodeReceiptKey(key).milestoneIndex });
    }
    return out;
  }

  /** The address's tx-history, newest milestone first, at most `limit` entries. */
  txHistory(address: Uint8Array, limit: number): TxHistoryEntry[] {
    const out: TxHistoryEntry[] = [];
    if (limit <= 0) return out;
    for (const [key, value] of this.store.iterate({ prefix: txHistoryPrefix(address), reverse: true, limit })) {
      out.push(decodeTxHistoryEntry(key, value));
    }
    return out;
  }

  /**
   * Every unspent output in output id order (a full snapshot's UTXO set), streamed: OUTPUTS and SPENT share their
   * key order, so one merge walk skips the spent ones without a lookup each. The ledger must not change meanwhile.
   */
  *unspentOutputs(): IterableIterator<LedgerOutput> {
    const spent = this.store.iterate({ prefix: tablePrefix("SPENT") });
    try {
      let next = spent.next();
      for (const [key, value] of this.store.iterate({ prefix: tablePrefix("OUTPUTS") })) {
        const id = key.subarray(1);
        while (!next.done && compareBytes(next.value[0].subarray(1), id) < 0) next = spent.next();
        if (!next.done && compareBytes(next.value[0].subarray(1), id) === 0) continue;
        yield decodeOutputValue(key.slice(1), value);
      }
    } finally {
      spent.return?.();
    }
  }

  /** Sum of every unspent output and the treasury: TOKEN_SUPPLY for a sound ledger. A full scan. */
  totalSupplyCheck(): number {
    let sum = this.treasury()?.amount ?? 0;
    for (const o of this.unspentOutputs()) sum += o.output.amount;
    return sum;
  }

  // ---- pruning ------------------------------------------------------------------------------------------------

  /**
   * Stages the pruning of the stored diffs of milestones ≤ `index`, lowest first: each diff goes with its
   * tx-history entries and the outputs it consumed (as Hornet prunes spent outputs with their diffs). Stops once
   * about `maxOps` ops are staged; returns true when nothing ≤ `index` is left. Callers loop, awaiting
   * `store.drain()` (or `durable()`) between calls.
   */
  pruneTo(index: number, maxOps = PRUNE_CHUNK_OPS): boolean {
    const range: KvRange = { prefix: tablePrefix("MILESTONE_DIFFS") };
    if (index < U32_MAX) range.end = diffKey(index + 1);
    let staged = 0;
    for (const [key, value] of this.store.iterate(range)) {
      if (staged >= maxOps) return false;
      staged += this.pruneDiff(decodeDiffKey(key), decodeDiffValue(value));
    }
    return true;
  }

  private pruneDiff(index: number, record: StoredDiffRecord): number {
    for (const id of record.consumedOutputIds) {
      const value = this.store.get(outputKey(id));
      if (value === undefined) throw corrupt(`output ${bytesToHex(id)} spent by milestone ${index} is missing`);
      const output = decodeOutputValue(id, value);
      this.store.del(outputKey(id));
      this.store.del(spentKey(id));
      this.store.del(addressOutputKey(entryOf(output, true)));
    }
    for (const ref of record.txHistory) this.store.del(txHistoryKey(ref.address, index, ref.messageId));
    this.store.del(diffKey(index));
    return 3 * record.consumedOutputIds.length + record.txHistory.length + 1;
  }

  private expandDiff(index: number, record: StoredDiffRecord): LedgerDiff {
    const load = (id: Uint8Array): LedgerOutput => {
      const value = this.store.get(outputKey(id));
      if (value === undefined) throw corrupt(`output ${bytesToHex(id)} of the diff of milestone ${index} is missing`);
      return decodeOutputValue(id, value);
    };
    const consumed = record.consumedOutputIds.map((id): SpentOutput => {
      const spent = this.store.get(spentKey(id));
      if (spent === undefined) throw corrupt(`output ${bytesToHex(id)} consumed by milestone ${index} is not spent`);
      return { ...load(id), ...decodeSpentValue(spent) };
    });
    let treasury: LedgerDiff["treasury"] = null;
    if (record.receipt !== null) {
      const { migratedAt, spentTreasury, newTreasury } = record.receipt;
      const receipt = this.store.get(receiptKey(migratedAt, index));
      if (receipt === undefined) throw corrupt(`the receipt of milestone ${index} is missing`);
      treasury = { receipt: decodeReceiptValue(receipt), spent: spentTreasury, created: newTreasury };
    }
    return {
      milestoneIndex: index,
      created: record.createdOutputIds.map(load),
      consumed,
      treasury,
      milestonePayloadBytes: record.milestonePayloadBytes,
    };
  }
}
