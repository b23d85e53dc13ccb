/**
 * Every table of the key space: its prefix byte and the byte-level layout of its keys and values (ARCHITECTURE.md
 * habit 11, after Hornet's database_prefixes.go). The first key byte names the table. docs/storage-layout.md mirrors
 * this file; test/unit/storage/storageLayoutDoc.test.ts keeps the two in step.
 *
 * Conventions: integers are unsigned big-endian everywhere, so in keys byte order equals numeric order; ids are the
 * 32-byte BLAKE2b-256 message or milestone ids; "‖" is concatenation. A retired prefix stays here as a comment and is
 * never reused. 0x00 is never assigned, so an all-zero key means nothing.
 */
import { ID_LENGTH, INDEXATION_INDEX_LENGTH_MAX, INDEXATION_INDEX_LENGTH_MIN } from "../params/protocol.js";
import { StorageError } from "./storageError.js";

export const STORE_PREFIXES = {
  /**
   * Node state and health.
   * key:   0x01 ‖ field u8   (HEALTH_FIELD_*)
   * value: per field: DATABASE_VERSION → u32; DIRTY → u8 (1 while the node runs, 0 after a clean shutdown);
   *        CONFIRMED_MILESTONE_INDEX (CMI), LATEST_MILESTONE_INDEX (LMI), PRUNING_INDEX (highest pruned milestone
   *        index), LEDGER_INDEX (the milestone the UTXO ledger is at) → u32;
   *        SNAPSHOT_INFO → network id u64 ‖ snapshot index u32 ‖ entry point (SEP) index u32 ‖ timestamp u64 (TIP-9
   *        header of the snapshot the ledger was loaded from or last written, seconds since the Unix epoch);
   *        SNAPSHOT_IMPORT_IN_PROGRESS → u8 1 (durable before a snapshot import writes anything, deleted in its last
   *        batch: present at start means the import was interrupted and the database holds part of a ledger)
   */
  HEALTH: 0x01,
  /**
   * Raw messages, exactly the bytes received (TIP-6 serialization).
   * key:   0x02 ‖ message id (32)
   * value: message bytes (53..32768)
   */
  MESSAGES: 0x02,
  /**
   * Per-message metadata, fixed 23 bytes (MESSAGE_METADATA_LENGTH).
   * key:   0x03 ‖ message id (32)
   * value: flags u8 (METADATA_FLAG_*) ‖ referencedByMilestoneIndex u32 ‖ milestoneIndex u32 ‖
   *        ledgerInclusionState u8 (LEDGER_INCLUSION_*) ‖ conflictReason u8 (chrysalis.md §10.4) ‖ OCRI u32 ‖ YCRI u32 ‖
   *        coneRootCalculationIndex u32 (the CMI at which OCRI/YCRI were computed; chrysalis.md §7)
   *        (indexes are 0 when not set)
   */
  MESSAGE_METADATA: 0x03,
  /**
   * Approvers: one entry per (parent, child) edge, so a prefix scan on the parent lists its children.
   * key:   0x04 ‖ parent message id (32) ‖ child message id (32)
   * value: empty
   */
  CHILDREN: 0x04,
  /**
   * Indexation payloads by index. The length byte keeps index "ab" from matching a prefix scan for "abc" (and the
   * reverse), so a scan on 0x05 ‖ len ‖ index lists exactly the messages with that index.
   * key:   0x05 ‖ index length u8 (1..64) ‖ index bytes ‖ message id (32)
   * value: empty
   */
  INDEXATION: 0x05,
  /**
   * Milestones by index, in numeric order.
   * key:   0x06 ‖ milestone index u32
   * value: milestone message id (32) ‖ milestone id (32) ‖ timestamp u64 (TIP-8 seconds since the Unix epoch)
   */
  MILESTONES: 0x06,
  /**
   * Solid entry points: messages below the pruning horizon that count as solid (chrysalis.md §6.1, TIP-9 snapshots §11).
   * key:   0x07 ‖ message id (32)
   * value: milestone index u32 that referenced the message
   */
  SOLID_ENTRY_POINTS: 0x07,
  /**
   * Stored messages that are not solid yet: the solidifier's pending set, reloaded at start so that a restart resumes
   * exactly where it stopped. Written in the batch that stores the message, deleted in the batch that marks it solid
   * or evicts it.
   * key:   0x08 ‖ message id (32)
   * value: arrival time u64 (milliseconds since the Unix epoch, for age-based eviction) ‖ LMI at arrival u32 (to
   *        find its ARRIVALS key when it is evicted)
   */
  UNSOLID: 0x08,
  /**
   * Every stored message, by the latest milestone index (LMI) known when it arrived (Hornet's unreferenced-messages
   * store): pruning to index P deletes the entries with LMI ≤ P, and with them the messages that were never
   * referenced by a milestone.
   * key:   0x09 ‖ LMI at arrival u32 ‖ message id (32)
   * value: empty
   */
  ARRIVALS: 0x09,
  /**
   * Messages by the milestone that referenced them, written in the batch that marks them referenced: pruning to
   * index P walks the entries with index ≤ P instead of re-traversing each milestone's cone.
   * key:   0x0a ‖ referencing milestone index u32 ‖ message id (32)
   * value: empty
   */
  REFERENCED: 0x0a,
  /**
   * Every output the UTXO ledger holds, unspent or spent (a spent one stays until pruning removes the milestone
   * diff that spent it). Ed25519 is the only address type, so the address is its 32-byte hash.
   * key:   0x0b ‖ output id (34: transaction id ‖ u16 LE output index, TIP-7)
   * value: message id (32) ‖ output type u8 (0 SigLockedSingle, 1 SigLockedDustAllowance) ‖ address (32) ‖
   *        amount u64 (73 bytes)
   */
  OUTPUTS: 0x0b,
  /**
   * The spend of each spent output still held in OUTPUTS; an output without an entry here is unspent.
   * key:   0x0c ‖ output id (34)
   * value: target (spending) transaction id (32) ‖ milestone index that confirmed the spend u32 (36 bytes)
   */
  SPENT: 0x0c,
  /**
   * Outputs by address for the address routes: a scan on 0x0d ‖ address lists the unspent outputs before the spent
   * ones, each group by output type, so "unspent first, then spent, optionally one type, at most N" is one scan.
   * key:   0x0d ‖ address (32) ‖ spent u8 (0 unspent, 1 spent) ‖ output type u8 ‖ output id (34)
   * value: empty
   */
  ADDRESS_OUTPUTS: 0x0d,
  /**
   * Per-address totals over the unspent outputs (TIP-15 dust state and the REST balance). Absent when all are 0.
   * key:   0x0e ‖ address (32)
   * value: balance u64 ‖ dustAllowanceSum u64 (SigLockedDustAllowance amounts) ‖ dustOutputCount u32
   *        (SigLockedSingle outputs below 1 Mi) (20 bytes)
   */
  ADDRESS_BALANCES: 0x0e,
  /**
   * What each confirmed milestone changed in the ledger: enough to roll it back, to serve utxo-changes, to write
   * the milestone diffs of a snapshot (chrysalis.md §11.2) and to prune it.
   * key:   0x0f ‖ milestone index u32
   * value: flags u8 (0x01: the milestone carried a receipt) ‖
   *        created count u32 ‖ created output ids (34 each) ‖ consumed count u32 ‖ consumed output ids (34 each) ‖
   *        [receipt flag: migratedAt u32 ‖ spent treasury milestone id (32) ‖ spent amount u64 ‖
   *         new treasury milestone id (32) ‖ new amount u64] ‖
   *        tx-history count u32 ‖ (address (32) ‖ message id (32)) per TX_HISTORY entry written with the milestone ‖
   *        milestone payload length u32 (0: not kept) ‖ milestone payload bytes (TIP-8)
   */
  MILESTONE_DIFFS: 0x0f,
  /**
   * Treasury outputs (TIP-17), named by the id of the milestone whose receipt created them. The spent byte comes
   * first so that the single unspent one is the first key under 0x10 ‖ 0x00.
   * key:   0x10 ‖ spent u8 (0 unspent, 1 spent) ‖ milestone id (32)
   * value: amount u64
   */
  TREASURY: 0x10,
  /**
   * Receipts of confirmed milestones (TIP-17), in migratedAt order, which never goes down between receipts: the
   * last key is the latest receipt.
   * key:   0x11 ‖ migratedAt u32 ‖ milestone index u32
   * value: receipt payload bytes (TIP-17 serialization, type 3 included)
   */
  RECEIPTS: 0x11,
  /**
   * Transactions by address (Hornet 1.2's tx-history route, chrysalis.md §10.2): one entry per referenced
   * transaction message and address it touches, included or conflicting; a reverse scan on 0x12 ‖ address lists
   * the newest first.
   * key:   0x12 ‖ address (32) ‖ referencing milestone index u32 ‖ message id (32)
   * value: transaction id (32) ‖ ledgerInclusionState u8 ‖ conflictReason u8 ‖ inputsCount u16 ‖ outputsCount u16 ‖
   *        address balance change i64 (two's complement) ‖ milestone timestamp u64 (54 bytes)
   */
  TX_HISTORY: 0x12,
} as const;

export type StorePrefixName = keyof typeof STORE_PREFIXES;

export const HEALTH_FIELD_DATABASE_VERSION = 0x01;
export const HEALTH_FIELD_DIRTY = 0x02;
export const HEALTH_FIELD_CONFIRMED_MILESTONE_INDEX = 0x03;
export const HEALTH_FIELD_LATEST_MILESTONE_INDEX = 0x04;
export const HEALTH_FIELD_PRUNING_INDEX = 0x05;
export const HEALTH_FIELD_LEDGER_INDEX = 0x06;
export const HEALTH_FIELD_SNAPSHOT_INFO = 0x07;
export const HEALTH_FIELD_SNAPSHOT_IMPORT_IN_PROGRESS = 0x08;
export type HealthField =
  | typeof HEALTH_FIELD_DATABASE_VERSION
  | typeof HEALTH_FIELD_DIRTY
  | typeof HEALTH_FIELD_CONFIRMED_MILESTONE_INDEX
  | typeof HEALTH_FIELD_LATEST_MILESTONE_INDEX
  | typeof HEALTH_FIELD_PRUNING_INDEX
  | typeof HEALTH_FIELD_LEDGER_INDEX
  | typeof HEALTH_FIELD_SNAPSHOT_INFO
  | typeof HEALTH_FIELD_SNAPSHOT_IMPORT_IN_PROGRESS;

export const SNAPSHOT_INFO_LENGTH = 24;

const HEALTH_VALUE_LENGTHS: ReadonlyMap<number, number> = new Map([
  [HEALTH_FIELD_DATABASE_VERSION, 4],
  [HEALTH_FIELD_DIRTY, 1],
  [HEALTH_FIELD_CONFIRMED_MILESTONE_INDEX, 4],
  [HEALTH_FIELD_LATEST_MILESTONE_INDEX, 4],
  [HEALTH_FIELD_PRUNING_INDEX, 4],
  [HEALTH_FIELD_LEDGER_INDEX, 4],
  [HEALTH_FIELD_SNAPSHOT_INFO, SNAPSHOT_INFO_LENGTH],
  [HEALTH_FIELD_SNAPSHOT_IMPORT_IN_PROGRESS, 1],
]);

/** The value length of a HEALTH field, or undefined for a field byte that names none (for consistency checks). */
export function healthValueLength(field: number): number | undefined {
  return HEALTH_VALUE_LENGTHS.get(field);
}

export const METADATA_FLAG_SOLID = 0x01;
export const METADATA_FLAG_REFERENCED = 0x02;
export const METADATA_FLAG_MILESTONE = 0x04;
export const METADATA_FLAG_CONFLICTING = 0x08;
const METADATA_FLAGS_KNOWN = 0x0f;

/** TIP-13 ledgerInclusionState, meaningful once referenced. */
export const LEDGER_INCLUSION_NO_TRANSACTION = 0;
export const LEDGER_INCLUSION_CONFLICTING = 1;
export const LEDGER_INCLUSION_INCLUDED = 2;
export type LedgerInclusionState =
  | typeof LEDGER_INCLUSION_NO_TRANSACTION
  | typeof LEDGER_INCLUSION_CONFLICTING
  | typeof LEDGER_INCLUSION_INCLUDED;

export const MESSAGE_METADATA_LENGTH = 23;
export const MILESTONE_VALUE_LENGTH = ID_LENGTH + ID_LENGTH + 8;

const U32_MAX = 0xffff_ffff;

export interface StoredMessageMetadata {
  solid: boolean;
  referenced: boolean;
  milestone: boolean;
  conflicting: boolean;
  referencedByMilestoneIndex: number;
  milestoneIndex: number;
  ledgerInclusionState: LedgerInclusionState;
  /** chrysalis.md §10.4 code; 0 = none. */
  conflictReason: number;
  /** Oldest cone root index (chrysalis.md §7: TIP-3's OMRSI); 0 when not yet known. */
  ocri: number;
  /** Youngest cone root index (chrysalis.md §7: TIP-3's YMRSI); 0 when not yet known. */
  ycri: number;
  /** The CMI at which ocri/ycri were computed; they are stale once the CMI moves on (Hornet caches them the same way). */
  coneRootCalculationIndex: number;
}

export interface StoredMilestone {
  messageId: Uint8Array;
  milestoneId: Uint8Array;
  timestamp: bigint;
}

function assertId(name: string, id: Uint8Array): void {
  if (id.length !== ID_LENGTH) {
    throw new StorageError("STORAGE_ERROR_INVALID_KEY", `${name} is ${id.length} bytes, expected ${ID_LENGTH}`);
  }
}

function assertUint(name: string, n: number, max: number): void {
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw new StorageError("STORAGE_ERROR_INVALID_VALUE", `${name} ${n} is not an integer in 0..${max}`);
  }
}

function assertLength(what: string, bytes: Uint8Array, length: number): void {
  if (bytes.length !== length) {
    throw new StorageError("STORAGE_ERROR_CORRUPT_VALUE", `${what} is ${bytes.length} bytes, expected ${length}`);
  }
}

/**
 * Big-endian u32 access by hand: a DataView over a small on-heap Uint8Array makes V8 move its bytes off the heap,
 * which showed up as ~9% of ingestion time (bench/ingestion.bench.ts profile).
 */
function getU32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}

function setU32(bytes: Uint8Array, offset: number, n: number): void {
  bytes[offset] = n >>> 24;
  bytes[offset + 1] = (n >>> 16) & 0xff;
  bytes[offset + 2] = (n >>> 8) & 0xff;
  bytes[offset + 3] = n & 0xff;
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function prefixed(prefix: number, ...parts: Uint8Array[]): Uint8Array {
  let len = 1;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  out[0] = prefix;
  let o = 1;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The one-byte prefix of a whole table, for count() and full scans. */
export function tablePrefix(name: StorePrefixName): Uint8Array {
  return Uint8Array.of(STORE_PREFIXES[name]);
}

export function healthKey(field: HealthField): Uint8Array {
  return Uint8Array.of(STORE_PREFIXES.HEALTH, field);
}

export function encodeU32(n: number): Uint8Array {
  assertUint("u32", n, U32_MAX);
  const out = new Uint8Array(4);
  setU32(out, 0, n);
  return out;
}

export function decodeU32(bytes: Uint8Array): number {
  assertLength("u32 value", bytes, 4);
  return getU32(bytes, 0);
}

export function messageKey(messageId: Uint8Array): Uint8Array {
  assertId("message id", messageId);
  return prefixed(STORE_PREFIXES.MESSAGES, messageId);
}

export function messageMetadataKey(messageId: Uint8Array): Uint8Array {
  assertId("message id", messageId);
  return prefixed(STORE_PREFIXES.MESSAGE_METADATA, messageId);
}

/** The message id at the end of a MESSAGES, MESSAGE_METADATA, SOLID_ENTRY_POINTS or UNSOLID key. */
export function messageIdOfKey(key: Uint8Array): Uint8Array {
  if (key.length !== 1 + ID_LENGTH) {
    throw new StorageError("STORAGE_ERROR_INVALID_KEY", `key is ${key.length} bytes, expected ${1 + ID_LENGTH}`);
  }
  return key.slice(1);
}

export function encodeMessageMetadata(m: StoredMessageMetadata): Uint8Array {
  assertUint("referencedByMilestoneIndex", m.referencedByMilestoneIndex, U32_MAX);
  assertUint("milestoneIndex", m.milestoneIndex, U32_MAX);
  assertUint("ledgerInclusionState", m.ledgerInclusionState, LEDGER_INCLUSION_INCLUDED);
  assertUint("conflictReason", m.conflictReason, 0xff);
  assertUint("ocri", m.ocri, U32_MAX);
  assertUint("ycri", m.ycri, U32_MAX);
  assertUint("coneRootCalculationIndex", m.coneRootCalculationIndex, U32_MAX);
  const out = new Uint8Array(MESSAGE_METADATA_LENGTH);
  out[0] =
    (m.solid ? METADATA_FLAG_SOLID : 0) |
    (m.referenced ? METADATA_FLAG_REFERENCED : 0) |
    (m.milestone ? METADATA_FLAG_MILESTONE : 0) |
    (m.conflicting ? METADATA_FLAG_CONFLICTING : 0);
  setU32(out, 1, m.referencedByMilestoneIndex);
  setU32(out, 5, m.milestoneIndex);
  out[9] = m.ledgerInclusionState;
  out[10] = m.conflictReason;
  setU32(out, 11, m.ocri);
  setU32(out, 15, m.ycri);
  setU32(out, 19, m.coneRootCalculationIndex);
  return out;
}

export function decodeMessageMetadata(bytes: Uint8Array): StoredMessageMetadata {
  assertLength("message metadata", bytes, MESSAGE_METADATA_LENGTH);
  const flags = bytes[0]!;
  const state = bytes[9]!;
  if ((flags & ~METADATA_FLAGS_KNOWN) !== 0) {
    throw new StorageError(
      "STORAGE_ERROR_CORRUPT_VALUE",
      `message metadata has unknown flag bits 0x${flags.toString(16)}`,
    );
  }
  if (state > LEDGER_INCLUSION_INCLUDED) {
    throw new StorageError(
      "STORAGE_ERROR_CORRUPT_VALUE",
      `message metadata has unknown ledger inclusion state ${state}`,
    );
  }
  return {
    solid: (flags & METADATA_FLAG_SOLID) !== 0,
    referenced: (flags & METADATA_FLAG_REFERENCED) !== 0,
    milestone: (flags & METADATA_FLAG_MILESTONE) !== 0,
    conflicting: (flags & METADATA_FLAG_CONFLICTING) !== 0,
    referencedByMilestoneIndex: getU32(bytes, 1),
    milestoneIndex: getU32(bytes, 5),
    ledgerInclusionState: state as LedgerInclusionState,
    conflictReason: bytes[10]!,
    ocri: getU32(bytes, 11),
    ycri: getU32(bytes, 15),
    coneRootCalculationIndex: getU32(bytes, 19),
  };
}

/** Prefix of every CHILDREN key of `parentId`: scan it to list the children. */
export function childrenPrefix(parentId: Uint8Array): Uint8Array {
  assertId("parent id", parentId);
  return prefixed(STORE_PREFIXES.CHILDREN, parentId);
}

export function childrenKey(parentId: Uint8Array, childId: Uint8Array): Uint8Array {
  assertId("parent id", parentId);
  assertId("child id", childId);
  return prefixed(STORE_PREFIXES.CHILDREN, parentId, childId);
}

export function decodeChildrenKey(key: Uint8Array): { parentId: Uint8Array; childId: Uint8Array } {
  if (key.length !== 1 + 2 * ID_LENGTH || key[0] !== STORE_PREFIXES.CHILDREN) {
    throw new StorageError("STORAGE_ERROR_INVALID_KEY", `not a children key (${key.length} bytes)`);
  }
  return { parentId: key.slice(1, 1 + ID_LENGTH), childId: key.slice(1 + ID_LENGTH) };
}

function assertIndex(index: Uint8Array): void {
  // MUST (TIP-6): an indexation index is 1..64 bytes.
  if (index.length < INDEXATION_INDEX_LENGTH_MIN || index.length > INDEXATION_INDEX_LENGTH_MAX) {
    throw new StorageError(
      "STORAGE_ERROR_INVALID_KEY",
      `index is ${index.length} bytes, expected ${INDEXATION_INDEX_LENGTH_MIN}..${INDEXATION_INDEX_LENGTH_MAX}`,
    );
  }
}

/** Prefix of every INDEXATION key with exactly this index. */
export function indexationPrefix(index: Uint8Array): Uint8Array {
  assertIndex(index);
  return prefixed(STORE_PREFIXES.INDEXATION, Uint8Array.of(index.length), index);
}

export function indexationKey(index: Uint8Array, messageId: Uint8Array): Uint8Array {
  assertIndex(index);
  assertId("message id", messageId);
  return prefixed(STORE_PREFIXES.INDEXATION, Uint8Array.of(index.length), index, messageId);
}

export function decodeIndexationKey(key: Uint8Array): { index: Uint8Array; messageId: Uint8Array } {
  const len = key[1] ?? 0;
  if (
    key[0] !== STORE_PREFIXES.INDEXATION ||
    len < INDEXATION_INDEX_LENGTH_MIN ||
    len > INDEXATION_INDEX_LENGTH_MAX ||
    key.length !== 2 + len + ID_LENGTH
  ) {
    throw new StorageError("STORAGE_ERROR_INVALID_KEY", `not an indexation key (${key.length} bytes)`);
  }
  return { index: key.slice(2, 2 + len), messageId: key.slice(2 + len) };
}

export function milestoneKey(index: number): Uint8Array {
  return prefixed(STORE_PREFIXES.MILESTONES, encodeU32(index));
}

export function decodeMilestoneKey(key: Uint8Array): number {
  if (key.length !== 5 || key[0] !== STORE_PREFIXES.MILESTONES) {
    throw new StorageError("STORAGE_ERROR_INVALID_KEY", `not a milestone key (${key.length} bytes)`);
  }
  return getU32(key, 1);
}

export function encodeMilestoneValue(m: StoredMilestone): Uint8Array {
  assertId("milestone message id", m.messageId);
  assertId("milestone id", m.milestoneId);
  if (m.timestamp < 0n || m.timestamp > 0xffff_ffff_ffff_ffffn) {
    throw new StorageError("STORAGE_ERROR_INVALID_VALUE", `milestone timestamp ${m.timestamp} is not a u64`);
  }
  const out = new Uint8Array(MILESTONE_VALUE_LENGTH);
  out.set(m.messageId, 0);
  out.set(m.milestoneId, ID_LENGTH);
  view(out).setBigUint64(2 * ID_LENGTH, m.timestamp);
  return out;
}

export function decodeMilestoneValue(bytes: Uint8Array): StoredMilestone {
  assertLength("milestone value", bytes, MILESTONE_VALUE_LENGTH);
  return {
    messageId: bytes.slice(0, ID_LENGTH),
    milestoneId: bytes.slice(ID_LENGTH, 2 * ID_LENGTH),
    timestamp: view(bytes).getBigUint64(2 * ID_LENGTH),
  };
}

export function solidEntryPointKey(messageId: Uint8Array): Uint8Array {
  assertId("message id", messageId);
  return prefixed(STORE_PREFIXES.SOLID_ENTRY_POINTS, messageId);
}

export function unsolidKey(messageId: Uint8Array): Uint8Array {
  assertId("message id", messageId);
  return prefixed(STORE_PREFIXES.UNSOLID, messageId);
}

export interface UnsolidEntry {
  arrivedAt: number;
  lmiAtArrival: number;
}

export const UNSOLID_VALUE_LENGTH = 12;

export function encodeUnsolidValue(e: UnsolidEntry): Uint8Array {
  assertUint("arrivedAt", e.arrivedAt, Number.MAX_SAFE_INTEGER);
  assertUint("lmiAtArrival", e.lmiAtArrival, U32_MAX);
  const out = new Uint8Array(UNSOLID_VALUE_LENGTH);
  view(out).setBigUint64(0, BigInt(e.arrivedAt));
  setU32(out, 8, e.lmiAtArrival);
  return out;
}

export function decodeUnsolidValue(bytes: Uint8Array): UnsolidEntry {
  assertLength("unsolid value", bytes, UNSOLID_VALUE_LENGTH);
  return { arrivedAt: decodeU64(bytes.subarray(0, 8)), lmiAtArrival: getU32(bytes, 8) };
}

export function encodeU64(n: number): Uint8Array {
  assertUint("u64", n, Number.MAX_SAFE_INTEGER);
  const out = new Uint8Array(8);
  view(out).setBigUint64(0, BigInt(n));
  return out;
}

export function decodeU64(bytes: Uint8Array): number {
  assertLength("u64 value", bytes, 8);
  const n = view(bytes).getBigUint64(0);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new StorageError("STORAGE_ERROR_CORRUPT_VALUE", `u64 value ${n} is above 2^53-1`);
  }
  return Number(n);
}

function indexedIdKey(prefix: number, index: number, messageId: Uint8Array): Uint8Array {
  assertId("message id", messageId);
  return prefixed(prefix, encodeU32(index), messageId);
}

function decodeIndexedIdKey(prefix: number, key: Uint8Array): { index: number; messageId: Uint8Array } {
  if (key.length !== 5 + ID_LENGTH || key[0] !== prefix) {
    throw new StorageError("STORAGE_ERROR_INVALID_KEY", `not a 0x${prefix.toString(16)} key (${key.length} bytes)`);
  }
  return { index: getU32(key, 1), messageId: key.slice(5) };
}

export function arrivalKey(lmiAtArrival: number, messageId: Uint8Array): Uint8Array {
  return indexedIdKey(STORE_PREFIXES.ARRIVALS, lmiAtArrival, messageId);
}

export function decodeArrivalKey(key: Uint8Array): { index: number; messageId: Uint8Array } {
  return decodeIndexedIdKey(STORE_PREFIXES.ARRIVALS, key);
}

export function referencedKey(milestoneIndex: number, messageId: Uint8Array): Uint8Array {
  return indexedIdKey(STORE_PREFIXES.REFERENCED, milestoneIndex, messageId);
}

export function decodeReferencedKey(key: Uint8Array): { index: number; messageId: Uint8Array } {
  return decodeIndexedIdKey(STORE_PREFIXES.REFERENCED, key);
}

/** First key of the entries of `prefixName` whose index is `index` (inclusive bound for range scans). */
export function indexedTableBound(prefixName: "ARRIVALS" | "REFERENCED" | "MILESTONES", index: number): Uint8Array {
  return prefixed(STORE_PREFIXES[prefixName], encodeU32(index));
}
