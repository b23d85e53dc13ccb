/**
 * Byte codecs of the UTXO ledger's tables and HEALTH fields, exactly as storage/prefixes.ts lays them out (OUTPUTS
 * … TX_HISTORY, LEDGER_INDEX, SNAPSHOT_INFO). Encoders refuse values that do not fit the layout with
 * STORAGE_ERROR_INVALID_KEY / _VALUE (a caller bug); decoders refuse stored bytes that do not fit with
 * LEDGER_ERROR_CORRUPT, so a damaged database stops the node instead of feeding white flag wrong balances.
 */
import { decodeReceiptPayload, encodeReceiptPayload, type Output, type ReceiptPayload } from "../codec/index.js";
import { ID_LENGTH, OUTPUT_ID_LENGTH, TOKEN_SUPPLY } from "../params/protocol.js";
import { SNAPSHOT_INFO_LENGTH, STORE_PREFIXES } from "../storage/prefixes.js";
import { StorageError } from "../storage/storageError.js";
import { CONFLICT_REASONS, type ConflictReason } from "./conflictReason.js";
import { LedgerError } from "./ledgerError.js";
import type { InclusionState, LedgerOutput, TreasuryOutputState } from "./types.js";

export const OUTPUT_VALUE_LENGTH = ID_LENGTH + 1 + ID_LENGTH + 8;
export const SPENT_VALUE_LENGTH = ID_LENGTH + 4;
export const BALANCE_VALUE_LENGTH = 8 + 8 + 4;
export const TX_HISTORY_VALUE_LENGTH = ID_LENGTH + 1 + 1 + 2 + 2 + 8 + 8;
const AMOUNT_LENGTH = 8;
const TREASURY_STATE_LENGTH = ID_LENGTH + AMOUNT_LENGTH;
const DIFF_FLAG_RECEIPT = 0x01;
const DIFF_RECEIPT_LENGTH = 4 + 2 * TREASURY_STATE_LENGTH;
const TX_HISTORY_REF_LENGTH = 2 * ID_LENGTH;
const U32_MAX = 0xffff_ffff;
const U16_MAX = 0xffff;
const TWO_32 = 2 ** 32;
/** Highest u32 "high word" of a u64 that is still a safe integer (2^53 - 1). */
const SAFE_HIGH_MAX = 0x1f_ffff;

export type OutputType = Output["type"];

/** The spend of a spent output (SPENT value). */
export interface SpentRecord {
  targetTransactionId: Uint8Array;
  milestoneIndexSpent: number;
}

/** ADDRESS_BALANCES value: totals over the address's unspent outputs. */
export interface AddressBalance {
  balance: number;
  dustAllowanceSum: number;
  dustOutputCount: number;
}

export interface AddressOutputEntry {
  address: Uint8Array;
  spent: boolean;
  outputType: OutputType;
  outputId: Uint8Array;
}

/** What a receipt did to the treasury, as a MILESTONE_DIFFS record keeps it. */
export interface StoredDiffReceipt {
  /** Names the RECEIPTS entry (its key starts with migratedAt). */
  migratedAt: number;
  spentTreasury: TreasuryOutputState;
  newTreasury: TreasuryOutputState;
}

/** A TX_HISTORY entry written with a milestone, by the key parts the milestone index does not give. */
export interface TxHistoryRef {
  address: Uint8Array;
  messageId: Uint8Array;
}

/** MILESTONE_DIFFS value. */
export interface StoredDiffRecord {
  createdOutputIds: Uint8Array[];
  consumedOutputIds: Uint8Array[];
  receipt: StoredDiffReceipt | null;
  txHistory: TxHistoryRef[];
  /** The milestone payload (TIP-8 bytes) for snapshot writing, when the caller handed it in. */
  milestonePayloadBytes: Uint8Array | null;
}

/** One tx-history entry (Hornet 1.2's route, chrysalis.md §10.2). */
export interface TxHistoryEntry {
  address: Uint8Array;
  milestoneIndex: number;
  messageId: Uint8Array;
  transactionId: Uint8Array;
  inclusion: InclusionState;
  conflictReason: ConflictReason;
  inputsCount: number;
  outputsCount: number;
  /** Signed change of the address's balance by this transaction; 0 when it conflicts. */
  balanceChange: number;
  /** Timestamp of the referencing milestone, Unix seconds. */
  milestoneTimestamp: number;
}

/** HEALTH SNAPSHOT_INFO: the TIP-9 header fields of the snapshot the ledger was loaded from or last written. */
export interface SnapshotInfo {
  networkId: bigint;
  snapshotIndex: number;
  entryPointIndex: number;
  /** Unix seconds. */
  timestamp: number;
}

// ---- helpers -----------------------------------------------------------------------------------------------

function corrupt(what: string, detail: string): LedgerError {
  return new LedgerError("LEDGER_ERROR_CORRUPT", `stored ${what} is corrupt: ${detail}`);
}

function invalidKey(what: string, detail: string): StorageError {
  return new StorageError("STORAGE_ERROR_INVALID_KEY", `${what}: ${detail}`);
}

function assertLength(what: string, bytes: Uint8Array, length: number): void {
  if (bytes.length !== length) throw invalidKey(what, `${bytes.length} bytes, expected ${length}`);
}

function assertUint(what: string, n: number, max: number): void {
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw new StorageError("STORAGE_ERROR_INVALID_VALUE", `${what} ${n} is not an integer in 0..${max}`);
  }
}

function assertOutputType(what: string, type: number): asserts type is OutputType {
  if (type !== 0 && type !== 1) throw new StorageError("STORAGE_ERROR_INVALID_VALUE", `${what} ${type} is not 0 or 1`);
}

function getU16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function setU16(b: Uint8Array, o: number, n: number): void {
  b[o] = n >>> 8;
  b[o + 1] = n & 0xff;
}

function getU32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function setU32(b: Uint8Array, o: number, n: number): void {
  b[o] = n >>> 24;
  b[o + 1] = (n >>> 16) & 0xff;
  b[o + 2] = (n >>> 8) & 0xff;
  b[o + 3] = n & 0xff;
}

/** A u64 that must be a safe integer: amounts and timestamps. */
function getU64(what: string, b: Uint8Array, o: number): number {
  const high = getU32(b, o);
  if (high > SAFE_HIGH_MAX) throw corrupt(what, "a u64 above 2^53 - 1");
  return high * TWO_32 + getU32(b, o + 4);
}

function setU64(b: Uint8Array, o: number, n: number): void {
  setU32(b, o, Math.floor(n / TWO_32));
  setU32(b, o + 4, n >>> 0);
}

/**
 * A signed safe integer as a big-endian two's complement i64: a negative n is written as 2^64 + n, whose high word
 * is 2^32 - 1 - floor((-n - 1) / 2^32) and low word 2^32 - 1 - ((-n - 1) mod 2^32).
 */
function setI64(b: Uint8Array, o: number, n: number): void {
  if (n >= 0) {
    setU64(b, o, n);
    return;
  }
  const m = -n - 1;
  setU32(b, o, ~Math.floor(m / TWO_32) >>> 0);
  setU32(b, o + 4, ~(m >>> 0) >>> 0);
}

function getAmount(what: string, b: Uint8Array, o: number): number {
  const n = getU64(what, b, o);
  if (n > TOKEN_SUPPLY) throw corrupt(what, `amount ${n} is above the total supply`);
  return n;
}

function keyOf(prefix: number, length: number): Uint8Array {
  const key = new Uint8Array(length);
  key[0] = prefix;
  return key;
}

function checkKey(what: string, key: Uint8Array, prefix: number, length: number): void {
  if (key.length !== length || key[0] !== prefix) {
    throw corrupt(`${what} key`, `${key.length} bytes with prefix ${key[0]}, expected ${length} with ${prefix}`);
  }
}

// ---- OUTPUTS -----------------------------------------------------------------------------------------------

export function outputKey(outputId: Uint8Array): Uint8Array {
  assertLength("output id", outputId, OUTPUT_ID_LENGTH);
  const key = keyOf(STORE_PREFIXES.OUTPUTS, 1 + OUTPUT_ID_LENGTH);
  key.set(outputId, 1);
  return key;
}

/** The output id of an OUTPUTS or SPENT key. */
export function outputIdOfKey(key: Uint8Array): Uint8Array {
  if (key.length !== 1 + OUTPUT_ID_LENGTH || (key[0] !== STORE_PREFIXES.OUTPUTS && key[0] !== STORE_PREFIXES.SPENT)) {
    throw corrupt("output key", `${key.length} bytes with prefix ${key[0]}`);
  }
  return key.slice(1);
}

export function encodeOutputValue(o: LedgerOutput): Uint8Array {
  assertLength("message id", o.messageId, ID_LENGTH);
  assertOutputType("output type", o.output.type);
  assertLength("output address", o.output.address.address, ID_LENGTH);
  assertUint("output amount", o.output.amount, TOKEN_SUPPLY);
  const out = new Uint8Array(OUTPUT_VALUE_LENGTH);
  out.set(o.messageId, 0);
  out[ID_LENGTH] = o.output.type;
  out.set(o.output.address.address, ID_LENGTH + 1);
  setU64(out, 2 * ID_LENGTH + 1, o.output.amount);
  return out;
}

export function decodeOutputValue(outputId: Uint8Array, bytes: Uint8Array): LedgerOutput {
  if (bytes.length !== OUTPUT_VALUE_LENGTH) {
    throw corrupt("output", `${bytes.length} bytes, expected ${OUTPUT_VALUE_LENGTH}`);
  }
  const type = bytes[ID_LENGTH]!;
  if (type !== 0 && type !== 1) throw corrupt("output", `unknown output type ${type}`);
  return {
    outputId,
    messageId: bytes.slice(0, ID_LENGTH),
    output: {
      type,
      address: { type: 0, address: bytes.slice(ID_LENGTH + 1, 2 * ID_LENGTH + 1) },
      amount: getAmount("output", bytes, 2 * ID_LENGTH + 1),
    },
  };
}

// ---- SPENT -------------------------------------------------------------------------------------------------

export function spentKey(outputId: Uint8Array): Uint8Array {
  assertLength("output id", outputId, OUTPUT_ID_LENGTH);
  const key = keyOf(STORE_PREFIXES.SPENT, 1 + OUTPUT_ID_LENGTH);
  key.set(outputId, 1);
  return key;
}

export function encodeSpentValue(s: SpentRecord): Uint8Array {
  assertLength("target transaction id", s.targetTransactionId, ID_LENGTH);
  assertUint("milestoneIndexSpent", s.milestoneIndexSpent, U32_MAX);
  const out = new Uint8Array(SPENT_VALUE_LENGTH);
  out.set(s.targetTransactionId, 0);
  setU32(out, ID_LENGTH, s.milestoneIndexSpent);
  return out;
}

export function decodeSpentValue(bytes: Uint8Array): SpentRecord {
  if (bytes.length !== SPENT_VALUE_LENGTH) throw corrupt("spent", `${bytes.length} bytes, expected 36`);
  return { targetTransactionId: bytes.slice(0, ID_LENGTH), milestoneIndexSpent: getU32(bytes, ID_LENGTH) };
}

// ---- ADDRESS_OUTPUTS ---------------------------------------------------------------------------------------

const ADDRESS_OUTPUT_KEY_LENGTH = 1 + ID_LENGTH + 2 + OUTPUT_ID_LENGTH;

export function addressOutputKey(e: AddressOutputEntry): Uint8Array {
  assertLength("address", e.address, ID_LENGTH);
  assertOutputType("output type", e.outputType);
  assertLength("output id", e.outputId, OUTPUT_ID_LENGTH);
  const key = keyOf(STORE_PREFIXES.ADDRESS_OUTPUTS, ADDRESS_OUTPUT_KEY_LENGTH);
  key.set(e.address, 1);
  key[1 + ID_LENGTH] = e.spent ? 1 : 0;
  key[2 + ID_LENGTH] = e.outputType;
  key.set(e.outputId, 3 + ID_LENGTH);
  return key;
}

/** Prefix of the address's outputs: all of them, those with this spent state, or those of this state and type. */
export function addressOutputsPrefix(address: Uint8Array, spent?: boolean, outputType?: OutputType): Uint8Array {
  assertLength("address", address, ID_LENGTH);
  const length = spent === undefined ? 1 + ID_LENGTH : outputType === undefined ? 2 + ID_LENGTH : 3 + ID_LENGTH;
  const key = keyOf(STORE_PREFIXES.ADDRESS_OUTPUTS, length);
  key.set(address, 1);
  if (spent !== undefined) key[1 + ID_LENGTH] = spent ? 1 : 0;
  if (spent !== undefined && outputType !== undefined) {
    assertOutputType("output type", outputType);
    key[2 + ID_LENGTH] = outputType;
  }
  return key;
}

export function decodeAddressOutputKey(key: Uint8Array): AddressOutputEntry {
  checkKey("address output", key, STORE_PREFIXES.ADDRESS_OUTPUTS, ADDRESS_OUTPUT_KEY_LENGTH);
  const spent = key[1 + ID_LENGTH]!;
  const type = key[2 + ID_LENGTH]!;
  if (spent > 1) throw corrupt("address output key", `spent byte ${spent}`);
  if (type !== 0 && type !== 1) throw corrupt("address output key", `unknown output type ${type}`);
  return {
    address: key.slice(1, 1 + ID_LENGTH),
    spent: spent === 1,
    outputType: type,
    outputId: key.slice(3 + ID_LENGTH),
  };
}

// ---- ADDRESS_BALANCES --------------------------------------------------------------------------------------

export function balanceKey(address: Uint8Array): Uint8Array {
  assertLength("address", address, ID_LENGTH);
  const key = keyOf(STORE_PREFIXES.ADDRESS_BALANCES, 1 + ID_LENGTH);
  key.set(address, 1);
  return key;
}

export function encodeBalanceValue(b: AddressBalance): Uint8Array {
  assertUint("balance", b.balance, TOKEN_SUPPLY);
  assertUint("dustAllowanceSum", b.dustAllowanceSum, b.balance);
  assertUint("dustOutputCount", b.dustOutputCount, U32_MAX);
  const out = new Uint8Array(BALANCE_VALUE_LENGTH);
  setU64(out, 0, b.balance);
  setU64(out, 8, b.dustAllowanceSum);
  setU32(out, 16, b.dustOutputCount);
  return out;
}

export function decodeBalanceValue(bytes: Uint8Array): AddressBalance {
  if (bytes.length !== BALANCE_VALUE_LENGTH) throw corrupt("address balance", `${bytes.length} bytes, expected 20`);
  const balance = getAmount("address balance", bytes, 0);
  const dustAllowanceSum = getAmount("address balance", bytes, 8);
  // Allowance outputs are part of the balance, so their sum cannot exceed it.
  if (dustAllowanceSum > balance) {
    throw corrupt("address balance", `dust allowance ${dustAllowanceSum} exceeds the balance ${balance}`);
  }
  return { balance, dustAllowanceSum, dustOutputCount: getU32(bytes, 16) };
}

// ---- MILESTONE_DIFFS ---------------------------------------------------------------------------------------

export function diffKey(milestoneIndex: number): Uint8Array {
  assertUint("milestone index", milestoneIndex, U32_MAX);
  const key = keyOf(STORE_PREFIXES.MILESTONE_DIFFS, 5);
  setU32(key, 1, milestoneIndex);
  return key;
}

export function decodeDiffKey(key: Uint8Array): number {
  checkKey("milestone diff", key, STORE_PREFIXES.MILESTONE_DIFFS, 5);
  return getU32(key, 1);
}

function setTreasuryState(out: Uint8Array, o: number, t: TreasuryOutputState): void {
  assertLength("treasury milestone id", t.milestoneId, ID_LENGTH);
  assertUint("treasury amount", t.amount, TOKEN_SUPPLY);
  out.set(t.milestoneId, o);
  setU64(out, o + ID_LENGTH, t.amount);
}

export function encodeDiffValue(d: StoredDiffRecord): Uint8Array {
  for (const id of d.createdOutputIds) assertLength("created output id", id, OUTPUT_ID_LENGTH);
  for (const id of d.consumedOutputIds) assertLength("consumed output id", id, OUTPUT_ID_LENGTH);
  for (const ref of d.txHistory) {
    assertLength("tx-history address", ref.address, ID_LENGTH);
    assertLength("tx-history message id", ref.messageId, ID_LENGTH);
  }
  const payloadLength = d.milestonePayloadBytes?.length ?? 0;
  const size =
    1 +
    4 +
    d.createdOutputIds.length * OUTPUT_ID_LENGTH +
    4 +
    d.consumedOutputIds.length * OUTPUT_ID_LENGTH +
    (d.receipt === null ? 0 : DIFF_RECEIPT_LENGTH) +
    4 +
    d.txHistory.length * TX_HISTORY_REF_LENGTH +
    4 +
    payloadLength;
  const out = new Uint8Array(size);
  out[0] = d.receipt === null ? 0 : DIFF_FLAG_RECEIPT;
  let o = 1;
  for (const ids of [d.createdOutputIds, d.consumedOutputIds]) {
    setU32(out, o, ids.length);
    o += 4;
    for (const id of ids) {
      out.set(id, o);
      o += OUTPUT_ID_LENGTH;
    }
  }
  if (d.receipt !== null) {
    assertUint("migratedAt", d.receipt.migratedAt, U32_MAX);
    setU32(out, o, d.receipt.migratedAt);
    setTreasuryState(out, o + 4, d.receipt.spentTreasury);
    setTreasuryState(out, o + 4 + TREASURY_STATE_LENGTH, d.receipt.newTreasury);
    o += DIFF_RECEIPT_LENGTH;
  }
  setU32(out, o, d.txHistory.length);
  o += 4;
  for (const ref of d.txHistory) {
    out.set(ref.address, o);
    out.set(ref.messageId, o + ID_LENGTH);
    o += TX_HISTORY_REF_LENGTH;
  }
  setU32(out, o, payloadLength);
  if (d.milestonePayloadBytes !== null) out.set(d.milestonePayloadBytes, o + 4);
  return out;
}

/** Reads a MILESTONE_DIFFS value front to back, refusing anything that runs past its end. */
class DiffReader {
  private o = 0;
  constructor(private readonly b: Uint8Array) {}

  take(n: number, what: string): number {
    if (n > this.b.length - this.o) throw corrupt("milestone diff", `${what} runs past the end of the record`);
    const at = this.o;
    this.o += n;
    return at;
  }

  u32(what: string): number {
    return getU32(this.b, this.take(4, what));
  }

  slice(n: number, what: string): Uint8Array {
    const at = this.take(n, what);
    return this.b.slice(at, at + n);
  }

  treasury(what: string): TreasuryOutputState {
    const at = this.take(TREASURY_STATE_LENGTH, what);
    return {
      milestoneId: this.b.slice(at, at + ID_LENGTH),
      amount: getAmount("milestone diff", this.b, at + ID_LENGTH),
    };
  }

  ids(what: string): Uint8Array[] {
    const count = this.u32(`${what} count`);
    if (count * OUTPUT_ID_LENGTH > this.b.length - this.o) {
      throw corrupt("milestone diff", `${count} ${what} do not fit the record`);
    }
    const ids = new Array<Uint8Array>(count);
    for (let i = 0; i < count; i++) ids[i] = this.slice(OUTPUT_ID_LENGTH, what);
    return ids;
  }

  get rest(): number {
    return this.b.length - this.o;
  }
}

export function decodeDiffValue(bytes: Uint8Array): StoredDiffRecord {
  const r = new DiffReader(bytes);
  const flags = bytes[r.take(1, "flags")]!;
  if ((flags & ~DIFF_FLAG_RECEIPT) !== 0) throw corrupt("milestone diff", `unknown flag bits 0x${flags.toString(16)}`);
  const createdOutputIds = r.ids("created outputs");
  const consumedOutputIds = r.ids("consumed outputs");
  let receipt: StoredDiffReceipt | null = null;
  if ((flags & DIFF_FLAG_RECEIPT) !== 0) {
    const migratedAt = r.u32("migratedAt");
    receipt = { migratedAt, spentTreasury: r.treasury("spent treasury"), newTreasury: r.treasury("new treasury") };
  }
  const historyCount = r.u32("tx-history count");
  if (historyCount * TX_HISTORY_REF_LENGTH > r.rest) {
    throw corrupt("milestone diff", `${historyCount} tx-history entries do not fit the record`);
  }
  const txHistory = new Array<TxHistoryRef>(historyCount);
  for (let i = 0; i < historyCount; i++) {
    txHistory[i] = { address: r.slice(ID_LENGTH, "tx-history"), messageId: r.slice(ID_LENGTH, "tx-history") };
  }
  const payloadLength = r.u32("milestone payload length");
  if (payloadLength !== r.rest) {
    throw corrupt("milestone diff", `milestone payload length ${payloadLength}, but ${r.rest} bytes follow`);
  }
  const milestonePayloadBytes = payloadLength === 0 ? null : r.slice(payloadLength, "milestone payload");
  return { createdOutputIds, consumedOutputIds, receipt, txHistory, milestonePayloadBytes };
}

// ---- TREASURY ----------------------------------------------------------------------------------------------

export function treasuryKey(spent: boolean, milestoneId: Uint8Array): Uint8Array {
  assertLength("treasury milestone id", milestoneId, ID_LENGTH);
  const key = keyOf(STORE_PREFIXES.TREASURY, 2 + ID_LENGTH);
  key[1] = spent ? 1 : 0;
  key.set(milestoneId, 2);
  return key;
}

export function treasuryPrefix(spent: boolean): Uint8Array {
  return Uint8Array.of(STORE_PREFIXES.TREASURY, spent ? 1 : 0);
}

export function decodeTreasuryEntry(
  key: Uint8Array,
  value: Uint8Array,
): { spent: boolean; treasury: TreasuryOutputState } {
  checkKey("treasury", key, STORE_PREFIXES.TREASURY, 2 + ID_LENGTH);
  if (key[1]! > 1) throw corrupt("treasury key", `spent byte ${key[1]}`);
  if (value.length !== AMOUNT_LENGTH) throw corrupt("treasury", `${value.length} bytes, expected 8`);
  return {
    spent: key[1] === 1,
    treasury: { milestoneId: key.slice(2), amount: getAmount("treasury", value, 0) },
  };
}

export function encodeAmountValue(amount: number): Uint8Array {
  assertUint("amount", amount, TOKEN_SUPPLY);
  const out = new Uint8Array(AMOUNT_LENGTH);
  setU64(out, 0, amount);
  return out;
}

// ---- RECEIPTS ----------------------------------------------------------------------------------------------

export function receiptKey(migratedAt: number, milestoneIndex: number): Uint8Array {
  assertUint("migratedAt", migratedAt, U32_MAX);
  assertUint("milestone index", milestoneIndex, U32_MAX);
  const key = keyOf(STORE_PREFIXES.RECEIPTS, 9);
  setU32(key, 1, migratedAt);
  setU32(key, 5, milestoneIndex);
  return key;
}

/** Prefix of the receipts with this migratedAt, or of all receipts. */
export function receiptsPrefix(migratedAt?: number): Uint8Array {
  if (migratedAt === undefined) return Uint8Array.of(STORE_PREFIXES.RECEIPTS);
  assertUint("migratedAt", migratedAt, U32_MAX);
  const key = keyOf(STORE_PREFIXES.RECEIPTS, 5);
  setU32(key, 1, migratedAt);
  return key;
}

export function decodeReceiptKey(key: Uint8Array): { migratedAt: number; milestoneIndex: number } {
  checkKey("receipt", key, STORE_PREFIXES.RECEIPTS, 9);
  return { migratedAt: getU32(key, 1), milestoneIndex: getU32(key, 5) };
}

export function encodeReceiptValue(receipt: ReceiptPayload): Uint8Array {
  return encodeReceiptPayload(receipt);
}

export function decodeReceiptValue(bytes: Uint8Array): ReceiptPayload {
  try {
    // A copy: decoded byte strings are views into their input, and a stored value may be a shared staged buffer.
    return decodeReceiptPayload(bytes.slice(), "trusted");
  } catch (e) {
    throw corrupt("receipt", e instanceof Error ? e.message : String(e));
  }
}

// ---- TX_HISTORY --------------------------------------------------------------------------------------------

const TX_HISTORY_KEY_LENGTH = 1 + ID_LENGTH + 4 + ID_LENGTH;

export function txHistoryKey(address: Uint8Array, milestoneIndex: number, messageId: Uint8Array): Uint8Array {
  assertLength("address", address, ID_LENGTH);
  assertUint("milestone index", milestoneIndex, U32_MAX);
  assertLength("message id", messageId, ID_LENGTH);
  const key = keyOf(STORE_PREFIXES.TX_HISTORY, TX_HISTORY_KEY_LENGTH);
  key.set(address, 1);
  setU32(key, 1 + ID_LENGTH, milestoneIndex);
  key.set(messageId, 5 + ID_LENGTH);
  return key;
}

export function txHistoryPrefix(address: Uint8Array): Uint8Array {
  assertLength("address", address, ID_LENGTH);
  const key = keyOf(STORE_PREFIXES.TX_HISTORY, 1 + ID_LENGTH);
  key.set(address, 1);
  return key;
}

export function encodeTxHistoryValue(e: TxHistoryEntry): Uint8Array {
  assertLength("transaction id", e.transactionId, ID_LENGTH);
  assertUint("ledgerInclusionState", e.inclusion, 2);
  if (!CONFLICT_REASONS.includes(e.conflictReason)) {
    throw new StorageError("STORAGE_ERROR_INVALID_VALUE", `conflict reason ${e.conflictReason} is unknown`);
  }
  assertUint("inputsCount", e.inputsCount, U16_MAX);
  assertUint("outputsCount", e.outputsCount, U16_MAX);
  if (!Number.isInteger(e.balanceChange) || Math.abs(e.balanceChange) > TOKEN_SUPPLY) {
    throw new StorageError("STORAGE_ERROR_INVALID_VALUE", `balance change ${e.balanceChange} is out of range`);
  }
  assertUint("milestone timestamp", e.milestoneTimestamp, Number.MAX_SAFE_INTEGER);
  const out = new Uint8Array(TX_HISTORY_VALUE_LENGTH);
  out.set(e.transactionId, 0);
  out[ID_LENGTH] = e.inclusion;
  out[ID_LENGTH + 1] = e.conflictReason;
  setU16(out, ID_LENGTH + 2, e.inputsCount);
  setU16(out, ID_LENGTH + 4, e.outputsCount);
  setI64(out, ID_LENGTH + 6, e.balanceChange);
  setU64(out, ID_LENGTH + 14, e.milestoneTimestamp);
  return out;
}

export function decodeTxHistoryEntry(key: Uint8Array, value: Uint8Array): TxHistoryEntry {
  checkKey("tx-history", key, STORE_PREFIXES.TX_HISTORY, TX_HISTORY_KEY_LENGTH);
  if (value.length !== TX_HISTORY_VALUE_LENGTH) {
    throw corrupt("tx-history entry", `${value.length} bytes, expected ${TX_HISTORY_VALUE_LENGTH}`);
  }
  const inclusion = value[ID_LENGTH]!;
  const reason = value[ID_LENGTH + 1]!;
  if (inclusion > 2) throw corrupt("tx-history entry", `unknown ledger inclusion state ${inclusion}`);
  if (!(CONFLICT_REASONS as readonly number[]).includes(reason)) {
    throw corrupt("tx-history entry", `unknown conflict reason ${reason}`);
  }
  const change = new DataView(value.buffer, value.byteOffset, value.byteLength).getBigInt64(ID_LENGTH + 6);
  if (change > BigInt(TOKEN_SUPPLY) || change < -BigInt(TOKEN_SUPPLY)) {
    throw corrupt("tx-history entry", `balance change ${change} exceeds the total supply`);
  }
  return {
    address: key.slice(1, 1 + ID_LENGTH),
    milestoneIndex: getU32(key, 1 + ID_LENGTH),
    messageId: key.slice(5 + ID_LENGTH),
    transactionId: value.slice(0, ID_LENGTH),
    inclusion: inclusion as InclusionState,
    conflictReason: reason as ConflictReason,
    inputsCount: getU16(value, ID_LENGTH + 2),
    outputsCount: getU16(value, ID_LENGTH + 4),
    balanceChange: Number(change),
    milestoneTimestamp: getU64("tx-history entry", value, ID_LENGTH + 14),
  };
}

// ---- HEALTH ------------------------------------------------------------------------------------------------

export function decodeLedgerIndex(bytes: Uint8Array): number {
  if (bytes.length !== 4) throw corrupt("ledger index", `${bytes.length} bytes, expected 4`);
  return getU32(bytes, 0);
}

export function encodeSnapshotInfo(s: SnapshotInfo): Uint8Array {
  if (s.networkId < 0n || s.networkId > 0xffff_ffff_ffff_ffffn) {
    throw new StorageError("STORAGE_ERROR_INVALID_VALUE", `network id ${s.networkId} is not a u64`);
  }
  assertUint("snapshot index", s.snapshotIndex, U32_MAX);
  assertUint("entry point index", s.entryPointIndex, U32_MAX);
  assertUint("snapshot timestamp", s.timestamp, Number.MAX_SAFE_INTEGER);
  const out = new Uint8Array(SNAPSHOT_INFO_LENGTH);
  new DataView(out.buffer).setBigUint64(0, s.networkId);
  setU32(out, 8, s.snapshotIndex);
  setU32(out, 12, s.entryPointIndex);
  setU64(out, 16, s.timestamp);
  return out;
}

export function decodeSnapshotInfo(bytes: Uint8Array): SnapshotInfo {
  if (bytes.length !== SNAPSHOT_INFO_LENGTH) {
    throw corrupt("snapshot info", `${bytes.length} bytes, expected ${SNAPSHOT_INFO_LENGTH}`);
  }
  return {
    networkId: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0),
    snapshotIndex: getU32(bytes, 8),
    entryPointIndex: getU32(bytes, 12),
    timestamp: getU64("snapshot info", bytes, 16),
  };
}
