/**
 * The snapshot file layout (TIP-9 as Hornet 1.x and Bee really write it, chrysalis.md §11): header, solid entry
 * points, Output (108 B) and Spent (140 B) records, treasury records and milestone diffs, with their encoders and
 * decoders. The TIP-9 text is wrong about three things and the nodes are right: the two milestone indexes are u32,
 * a Spent record carries the spending transaction id, and a delta header has no outputs count and no treasury.
 *
 * All integers are little-endian. Records are read and written with direct byte access: a DataView per record over
 * small arrays costs more than the whole decode (see storage/prefixes.ts).
 */
import { CodecError, decodeMilestonePayload, type MilestonePayload } from "../../codec/index.js";
import { ID_LENGTH, MESSAGE_LENGTH_MAX, OUTPUT_ID_LENGTH, TOKEN_SUPPLY } from "../../params/protocol.js";
import type { LedgerOutput, SpentOutput, TreasuryOutputState } from "../types.js";
import { SnapshotError } from "./snapshotError.js";

export const SNAPSHOT_VERSION = 1;
export type SnapshotType = "full" | "delta";
const TYPE_BYTE: Record<SnapshotType, number> = { full: 0, delta: 1 };

/** version u8 · type u8 · timestamp u64 · network id u64 · SEP index u32 · ledger index u32 · SEP count u64 ·
 * outputs count u64 · diffs count u64 · treasury milestone id [32] · treasury amount u64. */
export const FULL_HEADER_LENGTH = 90;
/** As the full header without the outputs count and the treasury (chrysalis.md §11.1). */
export const DELTA_HEADER_LENGTH = 42;
/** Where the counts start: writers put zeros there first and seek back once the records are streamed (Hornet). */
export const COUNTS_OFFSET = 26;
const TREASURY_OFFSET = 50;

export const SEP_LENGTH = ID_LENGTH;
/** messageId [32] · outputId [34] · output type u8 · address type u8 · address [32] · amount u64. */
export const OUTPUT_RECORD_LENGTH = 108;
/** An Output record followed by the id of the transaction that spent it [32]. */
export const SPENT_RECORD_LENGTH = 140;
/** Treasury milestone id [32] · amount u64. */
export const TREASURY_RECORD_LENGTH = 40;
/** The u64 count in front of a diff's created and consumed records. */
export const COUNT_LENGTH = 8;
/** A milestone payload lives inside a message, so it can never be longer than one (TIP-6). */
export const MILESTONE_PAYLOAD_LENGTH_MAX = MESSAGE_LENGTH_MAX;
/** The smallest payload TIP-8 allows: type, index, timestamp, 1 parent, proof, PoW fields, 1 key, no receipt,
 * 1 signature. */
const MILESTONE_PAYLOAD_LENGTH_MIN = 4 + 4 + 8 + 1 + 32 + 32 + 4 + 4 + 1 + 32 + 4 + 1 + 64;
/** u32 payload length · payload · created count · consumed count: what a diff takes at the very least. */
export const MILESTONE_DIFF_LENGTH_MIN = 4 + MILESTONE_PAYLOAD_LENGTH_MIN + 2 * COUNT_LENGTH;

const OUTPUT_TYPE_OFFSET = 66;
const ADDRESS_OFFSET = 68;
const AMOUNT_OFFSET = 100;
const ADDRESS_LENGTH = 32;
const TWO_32 = 0x1_0000_0000;

export interface SnapshotHeaderFields {
  type: SnapshotType;
  /** Unix seconds; Hornet writes the target milestone's timestamp. */
  timestamp: number;
  networkId: bigint;
  /** Solid entry point index: the milestone the snapshot is taken at. */
  sepIndex: number;
  /** The milestone index of the ledger state held (full) or built on (delta). */
  ledgerIndex: number;
  /** The unspent treasury output at the ledger index: required in a full snapshot, null in a delta. */
  treasury: TreasuryOutputState | null;
}

export interface SnapshotCounts {
  sepCount: number;
  /** Always 0 in a delta snapshot, which has no outputs section. */
  outputCount: number;
  milestoneDiffCount: number;
}

export interface SnapshotHeader extends SnapshotHeaderFields, SnapshotCounts {
  version: number;
}

/** A Spent record as written: the milestone index of the spend is not in the file (it is the diff's milestone). */
export type SnapshotSpentRecord = LedgerOutput & { targetTransactionId: Uint8Array };

/** One milestone diff of a snapshot file, decoded. */
export interface SnapshotMilestoneDiff {
  milestoneIndex: number;
  /** The payload exactly as stored (type 1 …, TIP-8), for storing or re-writing without re-encoding. */
  milestonePayloadBytes: Uint8Array;
  milestone: MilestonePayload;
  /** The treasury output the milestone's receipt spent; null when the milestone has no receipt. */
  spentTreasury: TreasuryOutputState | null;
  created: LedgerOutput[];
  /** milestoneIndexSpent is the diff's milestone index. */
  consumed: SpentOutput[];
}

/** What the writer needs of a milestone diff (a SnapshotMilestoneDiff is one). */
export interface SnapshotDiffRecord {
  milestonePayloadBytes: Uint8Array;
  spentTreasury: TreasuryOutputState | null;
  created: readonly LedgerOutput[];
  consumed: readonly SnapshotSpentRecord[];
}

export function readU32(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x100_0000;
}

/** A u64 as a number: exact up to 2^53 − 1, larger values come out approximate but still larger than any supply,
 * count or file size they are compared with. */
export function readU64Number(b: Uint8Array, p: number): number {
  return readU32(b, p) + readU32(b, p + 4) * TWO_32;
}

function readU64(b: Uint8Array, p: number): bigint {
  return BigInt(readU32(b, p)) | (BigInt(readU32(b, p + 4)) << 32n);
}

export function writeU32(b: Uint8Array, p: number, v: number): void {
  b[p] = v & 0xff;
  b[p + 1] = (v >>> 8) & 0xff;
  b[p + 2] = (v >>> 16) & 0xff;
  b[p + 3] = (v >>> 24) & 0xff;
}

/** v must be a safe integer ≥ 0. */
export function writeU64Number(b: Uint8Array, p: number, v: number): void {
  writeU32(b, p, v >>> 0);
  writeU32(b, p + 4, Math.floor(v / TWO_32));
}

function writeU64(b: Uint8Array, p: number, v: bigint): void {
  writeU32(b, p, Number(v & 0xffff_ffffn));
  writeU32(b, p + 4, Number(v >> 32n));
}

export function snapshotHeaderLength(type: SnapshotType): number {
  return type === "full" ? FULL_HEADER_LENGTH : DELTA_HEADER_LENGTH;
}

/**
 * Decodes the header from the first bytes of a file (`bytes` may be shorter than the header when the file is).
 * Checks the version, the type and the treasury amount; the counts are checked against the file size by the reader.
 */
export function decodeSnapshotHeader(bytes: Uint8Array): SnapshotHeader {
  if (bytes.length < 2) {
    throw new SnapshotError(
      "SNAPSHOT_ERROR_TRUNCATED",
      `the file has ${bytes.length} bytes, too few for a snapshot header (version and type bytes missing)`,
      bytes.length,
    );
  }
  const version = bytes[0]!;
  // MUST (Hornet snapshot_read.go): only version 1 exists.
  if (version !== SNAPSHOT_VERSION) {
    throw new SnapshotError(
      "SNAPSHOT_ERROR_UNSUPPORTED_VERSION",
      `snapshot version ${version} is not supported (only version ${SNAPSHOT_VERSION} exists)`,
      0,
    );
  }
  const typeByte = bytes[1]!;
  if (typeByte !== TYPE_BYTE.full && typeByte !== TYPE_BYTE.delta) {
    throw new SnapshotError(
      "SNAPSHOT_ERROR_INVALID_TYPE",
      `snapshot type byte is ${typeByte}, must be 0 (full) or 1 (delta)`,
      1,
    );
  }
  const type: SnapshotType = typeByte === TYPE_BYTE.full ? "full" : "delta";
  const length = snapshotHeaderLength(type);
  if (bytes.length < length) {
    throw new SnapshotError(
      "SNAPSHOT_ERROR_TRUNCATED",
      `the file ends inside the ${length}-byte ${type} snapshot header`,
      bytes.length,
    );
  }
  const full = type === "full";
  return {
    version,
    type,
    timestamp: readU64Number(bytes, 2),
    networkId: readU64(bytes, 10),
    sepIndex: readU32(bytes, 18),
    ledgerIndex: readU32(bytes, 22),
    sepCount: readU64Number(bytes, COUNTS_OFFSET),
    outputCount: full ? readU64Number(bytes, COUNTS_OFFSET + 8) : 0,
    milestoneDiffCount: readU64Number(bytes, full ? COUNTS_OFFSET + 16 : COUNTS_OFFSET + 8),
    treasury: full ? decodeTreasuryRecord(bytes, TREASURY_OFFSET, TREASURY_OFFSET) : null,
  };
}

function isU32(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= 0xffff_ffff;
}

function headerError(message: string): SnapshotError {
  return new SnapshotError("SNAPSHOT_ERROR_INVALID_HEADER", message);
}

/** The header bytes; the counts are the ones known so far (zeros while streaming, see encodeSnapshotCounts). */
export function encodeSnapshotHeader(fields: SnapshotHeaderFields, counts: SnapshotCounts): Uint8Array {
  const { type, timestamp, networkId, sepIndex, ledgerIndex, treasury } = fields;
  if (type !== "full" && type !== "delta") throw headerError(`snapshot type ${String(type)} is not "full" or "delta"`);
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw headerError(`timestamp ${timestamp} is not a u64`);
  if (typeof networkId !== "bigint" || networkId < 0n || networkId > 0xffff_ffff_ffff_ffffn) {
    throw headerError(`network id ${String(networkId)} is not a u64`);
  }
  if (!isU32(sepIndex)) throw headerError(`SEP index ${sepIndex} is not a u32`);
  if (!isU32(ledgerIndex)) throw headerError(`ledger index ${ledgerIndex} is not a u32`);
  const full = type === "full";
  if (full && treasury === null) throw headerError("a full snapshot needs the treasury output");
  if (!full && treasury !== null) throw headerError("a delta snapshot has no treasury output (chrysalis.md §11.1)");
  if (!full && counts.outputCount !== 0) throw headerError("a delta snapshot has no outputs section");
  const out = new Uint8Array(snapshotHeaderLength(type));
  out[0] = SNAPSHOT_VERSION;
  out[1] = TYPE_BYTE[type];
  writeU64Number(out, 2, timestamp);
  writeU64(out, 10, networkId);
  writeU32(out, 18, sepIndex);
  writeU32(out, 22, ledgerIndex);
  out.set(encodeSnapshotCounts(type, counts), COUNTS_OFFSET);
  if (treasury !== null) encodeTreasuryRecord(treasury, out, TREASURY_OFFSET, "the header's treasury output");
  return out;
}

/** The counts as they sit at COUNTS_OFFSET: SEPs, outputs (full only), milestone diffs. */
export function encodeSnapshotCounts(type: SnapshotType, counts: SnapshotCounts): Uint8Array {
  const full = type === "full";
  const out = new Uint8Array(full ? 24 : 16);
  writeU64Number(out, 0, counts.sepCount);
  if (full) writeU64Number(out, 8, counts.outputCount);
  writeU64Number(out, full ? 16 : 8, counts.milestoneDiffCount);
  return out;
}

function recordError(message: string, offset?: number): SnapshotError {
  return new SnapshotError("SNAPSHOT_ERROR_INVALID_RECORD", message, offset);
}

/** The amount of the Output record at `pos`, after checking its output type, address type and amount. */
function checkedOutputAmount(buf: Uint8Array, pos: number, offset: number): number {
  const type = buf[pos + OUTPUT_TYPE_OFFSET]!;
  if (type > 1) {
    throw recordError(
      `output type ${type}, must be 0 (SigLockedSingleOutput) or 1 (SigLockedDustAllowanceOutput) (TIP-7)`,
      offset + OUTPUT_TYPE_OFFSET,
    );
  }
  const addressType = buf[pos + ADDRESS_OFFSET - 1]!;
  if (addressType !== 0) {
    throw recordError(`address type ${addressType}, must be 0 (Ed25519)`, offset + ADDRESS_OFFSET - 1);
  }
  const amount = readU64Number(buf, pos + AMOUNT_OFFSET);
  if (amount === 0 || amount > TOKEN_SUPPLY) {
    throw recordError(
      `output amount ${amount} is not in 1..${TOKEN_SUPPLY} (the total supply)`,
      offset + AMOUNT_OFFSET,
    );
  }
  return amount;
}

/**
 * Decoded records are copied out of the read buffer a block at a time and their byte fields are views into the
 * block. A small ArrayBuffer per record cost several times the rest of the decode (bench/snapshot.bench.ts read
 * 0.4M outputs/s that way); 64 KiB blocks keep what one long-kept output pins small.
 */
export const RECORD_BLOCK_LENGTH = 1 << 16;

/** A running total of amounts that must stay within the supply; `what` names them in the error. */
export interface AmountTally {
  total: number;
  readonly what: string;
}

/** Checks `count` records of `recordLength` bytes from buf[pos] and adds their amounts to `tally`. */
function checkRecords(
  buf: Uint8Array,
  pos: number,
  count: number,
  recordLength: number,
  offset: number,
  tally: AmountTally,
): void {
  let total = tally.total;
  for (let i = 0; i < count; i++) {
    const at = i * recordLength;
    total += checkedOutputAmount(buf, pos + at, offset + at);
    if (total > TOKEN_SUPPLY) throw supplyExceededError(total, tally.what, offset + at + AMOUNT_OFFSET);
  }
  tally.total = total;
}

function outputAt(block: Uint8Array, p: number): LedgerOutput {
  const ab = block.buffer;
  return {
    outputId: new Uint8Array(ab, p + ID_LENGTH, OUTPUT_ID_LENGTH),
    messageId: new Uint8Array(ab, p, ID_LENGTH),
    output: {
      type: block[p + OUTPUT_TYPE_OFFSET] as 0 | 1,
      address: { type: 0, address: new Uint8Array(ab, p + ADDRESS_OFFSET, ADDRESS_LENGTH) },
      amount: readU64Number(block, p + AMOUNT_OFFSET),
    },
  };
}

/** Copies `count` records from buf[pos] in blocks and makes each with `make(block, positionInBlock, i)`. */
function copyRecords<T>(
  buf: Uint8Array,
  pos: number,
  count: number,
  recordLength: number,
  make: (block: Uint8Array, p: number) => T,
): T[] {
  const perBlock = Math.floor(RECORD_BLOCK_LENGTH / recordLength);
  const out = new Array<T>(count);
  for (let first = 0; first < count; first += perBlock) {
    const n = Math.min(perBlock, count - first);
    const start = pos + first * recordLength;
    const block = buf.slice(start, start + n * recordLength);
    for (let j = 0; j < n; j++) out[first + j] = make(block, j * recordLength);
  }
  return out;
}

/**
 * Decodes `count` Output records from buf[pos] (`offset`: their file position, for errors) after checking all of
 * them, so a bad record costs no allocation. Byte fields are views into shared copied blocks (see
 * RECORD_BLOCK_LENGTH), never into `buf`.
 */
export function decodeOutputRecords(
  buf: Uint8Array,
  pos: number,
  count: number,
  offset: number,
  tally: AmountTally,
): LedgerOutput[] {
  checkRecords(buf, pos, count, OUTPUT_RECORD_LENGTH, offset, tally);
  return copyRecords(buf, pos, count, OUTPUT_RECORD_LENGTH, outputAt);
}

/** As decodeOutputRecords for Spent records; the file does not hold the spend's milestone index, the caller does. */
export function decodeSpentRecords(
  buf: Uint8Array,
  pos: number,
  count: number,
  offset: number,
  tally: AmountTally,
  milestoneIndexSpent: number,
): SpentOutput[] {
  checkRecords(buf, pos, count, SPENT_RECORD_LENGTH, offset, tally);
  return copyRecords(buf, pos, count, SPENT_RECORD_LENGTH, (block, p): SpentOutput => {
    const o = outputAt(block, p);
    return {
      outputId: o.outputId,
      messageId: o.messageId,
      output: o.output,
      targetTransactionId: new Uint8Array(block.buffer, p + OUTPUT_RECORD_LENGTH, ID_LENGTH),
      milestoneIndexSpent,
    };
  });
}

function checkLength(bytes: Uint8Array, length: number, field: string, what: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw recordError(`${what}: ${field} must be ${length} bytes`);
  }
}

/** Writes `o` as an Output record at buf[pos] and returns its amount. Errors name the record `${what}[${index}]`
 * (the string is built only on failure: this runs a million times for a big snapshot). */
export function encodeOutputRecord(o: LedgerOutput, buf: Uint8Array, pos: number, what: string, index: number): number {
  const { type, address, amount } = o.output;
  if (
    !(o.messageId instanceof Uint8Array) ||
    o.messageId.length !== ID_LENGTH ||
    !(o.outputId instanceof Uint8Array) ||
    o.outputId.length !== OUTPUT_ID_LENGTH ||
    (type !== 0 && type !== 1) ||
    address.type !== 0 ||
    !(address.address instanceof Uint8Array) ||
    address.address.length !== ADDRESS_LENGTH ||
    !Number.isSafeInteger(amount) ||
    amount <= 0 ||
    amount > TOKEN_SUPPLY
  ) {
    throw recordError(`${what}[${index}]: ${outputProblem(o)}`);
  }
  buf.set(o.messageId, pos);
  buf.set(o.outputId, pos + ID_LENGTH);
  buf[pos + OUTPUT_TYPE_OFFSET] = type;
  buf[pos + ADDRESS_OFFSET - 1] = 0;
  buf.set(address.address, pos + ADDRESS_OFFSET);
  writeU64Number(buf, pos + AMOUNT_OFFSET, amount);
  return amount;
}

function outputProblem(o: LedgerOutput): string {
  const { type, address, amount } = o.output;
  if (!(o.messageId instanceof Uint8Array) || o.messageId.length !== ID_LENGTH) {
    return `messageId must be ${ID_LENGTH} bytes`;
  }
  if (!(o.outputId instanceof Uint8Array) || o.outputId.length !== OUTPUT_ID_LENGTH) {
    return `outputId must be ${OUTPUT_ID_LENGTH} bytes`;
  }
  if (type !== 0 && type !== 1) return `output type ${String(type)} must be 0 or 1`;
  if (address.type !== 0) return `address type ${String(address.type)} must be 0 (Ed25519)`;
  if (!(address.address instanceof Uint8Array) || address.address.length !== ADDRESS_LENGTH) {
    return `the address must be ${ADDRESS_LENGTH} bytes`;
  }
  return `amount ${amount} is not in 1..${TOKEN_SUPPLY} (the total supply)`;
}

/** Writes `s` as a Spent record at buf[pos] and returns its amount. */
export function encodeSpentRecord(
  s: SnapshotSpentRecord,
  buf: Uint8Array,
  pos: number,
  what: string,
  index: number,
): number {
  const target = s.targetTransactionId;
  if (!(target instanceof Uint8Array) || target.length !== ID_LENGTH) {
    throw recordError(`${what}[${index}]: targetTransactionId must be ${ID_LENGTH} bytes`);
  }
  const amount = encodeOutputRecord(s, buf, pos, what, index);
  buf.set(target, pos + OUTPUT_RECORD_LENGTH);
  return amount;
}

export function decodeTreasuryRecord(buf: Uint8Array, pos: number, offset: number): TreasuryOutputState {
  const amount = readU64Number(buf, pos + ID_LENGTH);
  if (amount > TOKEN_SUPPLY) {
    throw recordError(`treasury amount ${amount} exceeds the total supply ${TOKEN_SUPPLY}`, offset + ID_LENGTH);
  }
  return { milestoneId: buf.slice(pos, pos + ID_LENGTH), amount };
}

export function encodeTreasuryRecord(t: TreasuryOutputState, buf: Uint8Array, pos: number, what: string): void {
  checkLength(t.milestoneId, ID_LENGTH, "milestoneId", what);
  if (!Number.isSafeInteger(t.amount) || t.amount < 0 || t.amount > TOKEN_SUPPLY) {
    throw recordError(`${what}: treasury amount ${t.amount} is not in 0..${TOKEN_SUPPLY} (the total supply)`);
  }
  buf.set(t.milestoneId, pos);
  writeU64Number(buf, pos + ID_LENGTH, t.amount);
}

/** The error for a running sum of amounts that passed the supply; `offset` is where the last amount sits. */
export function supplyExceededError(sum: number, what: string, offset?: number): SnapshotError {
  return recordError(`${what} sum to ${sum}, more than the total supply ${TOKEN_SUPPLY}`, offset);
}

/** MUST (TIP-6): a milestone payload fits in a message; 0 would be no milestone at all. */
export function checkMilestonePayloadLength(length: number, offset: number): void {
  if (length === 0 || length > MILESTONE_PAYLOAD_LENGTH_MAX) {
    throw new SnapshotError(
      "SNAPSHOT_ERROR_INVALID_MILESTONE",
      `milestone payload length ${length} is not in 1..${MILESTONE_PAYLOAD_LENGTH_MAX}`,
      offset,
    );
  }
}

/**
 * Decodes a diff's milestone payload with every TIP-8 syntax rule (the file comes from outside). Signatures are not
 * checked here: that needs the network's key ranges, and Hornet's test files hold placeholder keys.
 * `offset` is where the payload starts in the file.
 */
export function decodeDiffMilestone(payloadBytes: Uint8Array, offset: number): MilestonePayload {
  try {
    return decodeMilestonePayload(payloadBytes, "untrusted");
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    const at = e.type.offset === undefined ? offset : offset + e.type.offset;
    throw new SnapshotError("SNAPSHOT_ERROR_INVALID_MILESTONE", `invalid milestone payload: ${e.message}`, at, {
      cause: e,
    });
  }
}
