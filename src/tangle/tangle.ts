/**
 * The node's view of the Tangle: messages, their metadata, the edges between them, indexes and the milestone
 * indexes, read and written through one StagedStore so that every state transition lands in the database as part of
 * one atomic batch (group commit) and is visible to readers at once.
 *
 * The only effects of the mutating methods are staged puts and deletes of the keys listed in storage/prefixes.ts;
 * nothing here emits events or touches the network. Small, hot state lives in memory as well: the solid entry points
 * (a few thousand at most after pruning) and the three milestone indexes.
 */
import { decodeMessage, type Message, messageParents } from "../codec/index.js";
import { bytesToHex, hexToBytes } from "../primitives/hex.js";
import type { KvStore } from "../storage/kv.js";
import {
  arrivalKey,
  childrenKey,
  childrenPrefix,
  decodeChildrenKey,
  decodeIndexationKey,
  decodeMessageMetadata,
  decodeMilestoneValue,
  decodeU32,
  decodeUnsolidValue,
  encodeMessageMetadata,
  encodeMilestoneValue,
  encodeU32,
  encodeUnsolidValue,
  HEALTH_FIELD_CONFIRMED_MILESTONE_INDEX,
  HEALTH_FIELD_DATABASE_VERSION,
  HEALTH_FIELD_DIRTY,
  HEALTH_FIELD_LATEST_MILESTONE_INDEX,
  HEALTH_FIELD_PRUNING_INDEX,
  type HealthField,
  healthKey,
  indexationKey,
  indexationPrefix,
  LEDGER_INCLUSION_NO_TRANSACTION,
  type LedgerInclusionState,
  messageIdOfKey,
  messageKey,
  messageMetadataKey,
  milestoneKey,
  referencedKey,
  type StoredMessageMetadata,
  type StoredMilestone,
  solidEntryPointKey,
  tablePrefix,
  type UnsolidEntry,
  unsolidKey,
} from "../storage/prefixes.js";
import { StagedStore, type StagedStoreOptions } from "../storage/stagedStore.js";
import { TangleError } from "./tangleError.js";

/** Layout version of everything in storage/prefixes.ts; bump it when a layout changes incompatibly. */
export const DATABASE_VERSION = 1;

export interface TangleOpenResult {
  tangle: Tangle;
  /** True when the previous run did not close the database cleanly (it is consistent anyway: see StagedStore). */
  wasDirty: boolean;
}

export interface NewMessage {
  id: Uint8Array;
  bytes: Uint8Array;
  message: Message;
  arrivedAt: number;
}

/** Metadata of a message that was just stored: nothing known beyond "stored". */
export function freshMetadata(): StoredMessageMetadata {
  return {
    solid: false,
    referenced: false,
    milestone: false,
    conflicting: false,
    referencedByMilestoneIndex: 0,
    milestoneIndex: 0,
    ledgerInclusionState: LEDGER_INCLUSION_NO_TRANSACTION,
    conflictReason: 0,
    ocri: 0,
    ycri: 0,
    coneRootCalculationIndex: 0,
  };
}

/** The indexation indexes a message carries: its own payload's and the one inside a transaction (chrysalis.md §1.3). */
export function indexesOf(message: Message): Uint8Array[] {
  const p = message.payload;
  if (p === null) return [];
  if (p.type === 2) return [p.index];
  if (p.type === 0 && p.essence.payload !== null) return [p.essence.payload.index];
  return [];
}

function indexesOfBytes(bytes: Uint8Array): Uint8Array[] {
  return indexesOf(decodeMessage(bytes, "trusted"));
}

export class Tangle {
  private readonly seps = new Map<string, number>();
  private cmi: number;
  private lmi: number;
  private pruned: number;
  private closed = false;

  private constructor(
    private readonly kv: KvStore,
    readonly store: StagedStore,
  ) {
    this.cmi = this.readHealthU32(HEALTH_FIELD_CONFIRMED_MILESTONE_INDEX);
    this.lmi = this.readHealthU32(HEALTH_FIELD_LATEST_MILESTONE_INDEX);
    this.pruned = this.readHealthU32(HEALTH_FIELD_PRUNING_INDEX);
    for (const [key, value] of kv.iterate({ prefix: tablePrefix("SOLID_ENTRY_POINTS") })) {
      this.seps.set(bytesToHex(messageIdOfKey(key)), decodeU32(value));
    }
  }

  /**
   * Opens the tangle on `kv`: checks the layout version, loads the in-memory state and sets the dirty flag (cleared
   * by close()). Refuses a database of another layout version with TANGLE_ERROR_DATABASE_VERSION.
   */
  static async open(kv: KvStore, options: StagedStoreOptions = {}): Promise<TangleOpenResult> {
    const version = kv.get(healthKey(HEALTH_FIELD_DATABASE_VERSION));
    if (version !== undefined && decodeU32(version) !== DATABASE_VERSION) {
      throw new TangleError(
        "TANGLE_ERROR_DATABASE_VERSION",
        `the database has layout version ${decodeU32(version)}; this build reads version ${DATABASE_VERSION}`,
      );
    }
    const dirty = kv.get(healthKey(HEALTH_FIELD_DIRTY));
    const wasDirty = dirty !== undefined && dirty[0] === 1;
    await kv.batch([
      { type: "put", key: healthKey(HEALTH_FIELD_DATABASE_VERSION), value: encodeU32(DATABASE_VERSION) },
      { type: "put", key: healthKey(HEALTH_FIELD_DIRTY), value: Uint8Array.of(1) },
    ]);
    return { tangle: new Tangle(kv, new StagedStore(kv, options)), wasDirty };
  }

  /** Commits everything staged, clears the dirty flag and closes the underlying store. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.store.flush();
    await this.kv.batch([{ type: "put", key: healthKey(HEALTH_FIELD_DIRTY), value: Uint8Array.of(0) }]);
    await this.kv.close();
  }

  /** Resolves once everything staged so far is durable. */
  durable(): Promise<void> {
    return this.store.durable();
  }

  // ---- milestone indexes -------------------------------------------------------------------------------------

  /** Confirmed milestone index (CMI): the newest milestone whose cone is applied. */
  get confirmedMilestoneIndex(): number {
    return this.cmi;
  }

  /** Latest milestone index (LMI): the newest valid milestone seen. */
  get latestMilestoneIndex(): number {
    return this.lmi;
  }

  /** Highest milestone index whose messages are pruned (0: nothing pruned). */
  get pruningIndex(): number {
    return this.pruned;
  }

  setConfirmedMilestoneIndex(index: number): void {
    this.writeHealthU32(HEALTH_FIELD_CONFIRMED_MILESTONE_INDEX, index);
    this.cmi = index;
  }

  setLatestMilestoneIndex(index: number): void {
    this.writeHealthU32(HEALTH_FIELD_LATEST_MILESTONE_INDEX, index);
    this.lmi = index;
  }

  setPruningIndex(index: number): void {
    this.writeHealthU32(HEALTH_FIELD_PRUNING_INDEX, index);
    this.pruned = index;
  }

  // ---- reads -------------------------------------------------------------------------------------------------

  hasMessage(id: Uint8Array): boolean {
    return this.store.has(messageKey(id));
  }

  getMessageBytes(id: Uint8Array): Uint8Array | undefined {
    return this.store.get(messageKey(id));
  }

  /** Parents of a stored message (views into a private copy of its bytes), or undefined if it is not stored. */
  getParents(id: Uint8Array): Uint8Array[] | undefined {
    const bytes = this.store.get(messageKey(id));
    return bytes === undefined ? undefined : messageParents(bytes);
  }

  getMetadata(id: Uint8Array): StoredMessageMetadata | undefined {
    const value = this.store.get(messageMetadataKey(id));
    return value === undefined ? undefined : decodeMessageMetadata(value);
  }

  /** Ids of the stored children of `id`, in id order. */
  childrenOf(id: Uint8Array, limit?: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    const range = limit === undefined ? { prefix: childrenPrefix(id) } : { prefix: childrenPrefix(id), limit };
    for (const [key] of this.store.iterate(range)) out.push(decodeChildrenKey(key).childId);
    return out;
  }

  /** Ids of messages with this indexation index (top-level or inside a transaction), in id order. */
  messageIdsByIndex(index: Uint8Array, limit?: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    const prefix = indexationPrefix(index);
    for (const [key] of this.store.iterate(limit === undefined ? { prefix } : { prefix, limit })) {
      out.push(decodeIndexationKey(key).messageId);
    }
    return out;
  }

  getMilestone(index: number): StoredMilestone | undefined {
    const value = this.store.get(milestoneKey(index));
    return value === undefined ? undefined : decodeMilestoneValue(value);
  }

  /** The milestone index of a solid entry point, or undefined if `id` is not one. */
  solidEntryPointIndex(id: Uint8Array): number | undefined {
    return this.seps.get(bytesToHex(id));
  }

  solidEntryPointIndexByHex(idHex: string): number | undefined {
    return this.seps.get(idHex);
  }

  /** Every solid entry point as [id, milestone index]. */
  *solidEntryPoints(): IterableIterator<[Uint8Array, number]> {
    for (const [hex, index] of this.seps) yield [hexToBytes(hex), index];
  }

  get solidEntryPointCount(): number {
    return this.seps.size;
  }

  /** The stored unsolid messages with their arrival data (the solidifier's pending set on disk). */
  *unsolidMessages(): IterableIterator<[Uint8Array, UnsolidEntry]> {
    for (const [key, value] of this.store.iterate({ prefix: tablePrefix("UNSOLID") })) {
      yield [messageIdOfKey(key), decodeUnsolidValue(value)];
    }
  }

  // ---- writes (staged; durable with the next commit) ---------------------------------------------------------

  /**
   * Stages a new message: its bytes, unsolid metadata, one children edge per parent, its indexation entries, its
   * UNSOLID marker and its ARRIVALS entry. The caller has checked that it is not stored yet.
   */
  storeMessage(m: NewMessage): void {
    this.assertOpen();
    this.store.put(messageKey(m.id), m.bytes);
    this.store.put(messageMetadataKey(m.id), encodeMessageMetadata(freshMetadata()));
    for (const parent of m.message.parents) this.store.put(childrenKey(parent, m.id), EMPTY);
    for (const index of indexesOf(m.message)) this.store.put(indexationKey(index, m.id), EMPTY);
    const entry = { arrivedAt: m.arrivedAt, lmiAtArrival: this.lmi };
    this.store.put(unsolidKey(m.id), encodeUnsolidValue(entry));
    this.store.put(arrivalKey(entry.lmiAtArrival, m.id), EMPTY);
  }

  /** Stages new metadata for a stored message. */
  setMetadata(id: Uint8Array, metadata: StoredMessageMetadata): void {
    this.assertOpen();
    if (!this.store.has(messageMetadataKey(id))) {
      throw new TangleError("TANGLE_ERROR_UNKNOWN_MESSAGE", `no metadata for message ${bytesToHex(id)}`);
    }
    this.store.put(messageMetadataKey(id), encodeMessageMetadata(metadata));
  }

  /** Marks a stored message solid and drops its UNSOLID marker, in the same batch. */
  markSolid(id: Uint8Array): StoredMessageMetadata {
    const meta = this.requireMetadata(id);
    meta.solid = true;
    this.store.put(messageMetadataKey(id), encodeMessageMetadata(meta));
    this.store.del(unsolidKey(id));
    return meta;
  }

  /**
   * Marks a message referenced by milestone `milestoneIndex` with its ledger verdict and records it in REFERENCED for
   * pruning. Its cone root indexes become the milestone index itself (chrysalis.md §7).
   */
  markReferenced(
    id: Uint8Array,
    milestoneIndex: number,
    inclusion: LedgerInclusionState,
    conflictReason = 0,
  ): StoredMessageMetadata {
    const meta = this.requireMetadata(id);
    meta.referenced = true;
    meta.referencedByMilestoneIndex = milestoneIndex;
    meta.ledgerInclusionState = inclusion;
    meta.conflicting = inclusion === 1;
    meta.conflictReason = conflictReason;
    meta.ocri = milestoneIndex;
    meta.ycri = milestoneIndex;
    meta.coneRootCalculationIndex = milestoneIndex;
    this.store.put(messageMetadataKey(id), encodeMessageMetadata(meta));
    this.store.put(referencedKey(milestoneIndex, id), EMPTY);
    return meta;
  }

  putMilestone(index: number, milestone: StoredMilestone): void {
    this.assertOpen();
    this.store.put(milestoneKey(index), encodeMilestoneValue(milestone));
  }

  deleteMilestone(index: number): void {
    this.assertOpen();
    this.store.del(milestoneKey(index));
  }

  addSolidEntryPoint(id: Uint8Array, milestoneIndex: number): void {
    this.assertOpen();
    this.store.put(solidEntryPointKey(id), encodeU32(milestoneIndex));
    this.seps.set(bytesToHex(id), milestoneIndex);
  }

  removeSolidEntryPoint(id: Uint8Array): void {
    this.assertOpen();
    this.store.del(solidEntryPointKey(id));
    this.seps.delete(bytesToHex(id));
  }

  /**
   * Stages the removal of a message and everything keyed by it: bytes, metadata, its edges to its parents and from
   * its children, its indexation entries, its UNSOLID marker and (when `lmiAtArrival` is given) its ARRIVALS entry,
   * and its REFERENCED entry if it was referenced. Returns the bytes it removed, or undefined if it was not stored.
   *
   * `keepChildrenEdges` keeps the edges from its stored children: an evicted unsolid message may arrive again, and
   * storeMessage only writes the edges to its own parents, so the children index would otherwise lose them for good.
   * Pruning drops them, since a pruned message never comes back.
   */
  deleteMessage(id: Uint8Array, lmiAtArrival?: number, keepChildrenEdges = false): Uint8Array | undefined {
    this.assertOpen();
    const bytes = this.store.get(messageKey(id));
    if (bytes === undefined) return undefined;
    const meta = this.getMetadata(id);
    this.store.del(messageKey(id));
    this.store.del(messageMetadataKey(id));
    this.store.del(unsolidKey(id));
    for (const parent of messageParents(bytes)) this.store.del(childrenKey(parent, id));
    if (!keepChildrenEdges) for (const [key] of this.store.iterate({ prefix: childrenPrefix(id) })) this.store.del(key);
    for (const index of indexesOfBytes(bytes)) this.store.del(indexationKey(index, id));
    if (lmiAtArrival !== undefined) this.store.del(arrivalKey(lmiAtArrival, id));
    if (meta?.referenced) this.store.del(referencedKey(meta.referencedByMilestoneIndex, id));
    return bytes;
  }

  private requireMetadata(id: Uint8Array): StoredMessageMetadata {
    this.assertOpen();
    const meta = this.getMetadata(id);
    if (meta === undefined) {
      throw new TangleError("TANGLE_ERROR_UNKNOWN_MESSAGE", `no metadata for message ${bytesToHex(id)}`);
    }
    return meta;
  }

  private readHealthU32(field: HealthField): number {
    const v = this.kv.get(healthKey(field));
    return v === undefined ? 0 : decodeU32(v);
  }

  private writeHealthU32(field: HealthField, value: number): void {
    this.assertOpen();
    this.store.put(healthKey(field), encodeU32(value));
  }

  private assertOpen(): void {
    if (this.closed) throw new TangleError("TANGLE_ERROR_CLOSED", "the tangle is closed");
  }
}

const EMPTY = new Uint8Array(0);
