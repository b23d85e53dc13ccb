/** Small DAG builders for the tangle tests: real messages on a memory Tangle, and a map-backed ConeRootView. */

import { messageId } from "../../../src/codec/ids.js";
import { encodeMessage } from "../../../src/codec/index.js";
import { compareBytes } from "../../../src/primitives/bytes.js";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { MemoryKvStore } from "../../../src/storage/backends/memory.js";
import { LEDGER_INCLUSION_NO_TRANSACTION, type StoredMessageMetadata } from "../../../src/storage/prefixes.js";
import type { ConeRootView } from "../../../src/tangle/coneRootIndexes.js";
import { freshMetadata, Tangle } from "../../../src/tangle/tangle.js";

/** Parents as TIP-6 wants them: sorted ascending bytewise, without repeats. */
export function sortedParents(parents: readonly Uint8Array[]): Uint8Array[] {
  const out = [...parents].sort(compareBytes);
  return out.filter((p, i) => i === 0 || compareBytes(out[i - 1]!, p) !== 0);
}

/** A distinct 32-byte id per n that is never a real message id. */
export function fakeId(n: number): Uint8Array {
  const out = new Uint8Array(32);
  new DataView(out.buffer).setUint32(0, n + 1);
  out[31] = 0xee;
  return out;
}

/** Builds messages on a memory Tangle: real bytes (network 0, no payload) whose parents the Tangle reads back. */
export class DagBuilder {
  /** Messages on the same parents differ only by nonce (no PoW is checked here). */
  private nonce = 0n;

  private constructor(readonly tangle: Tangle) {}

  static async open(): Promise<DagBuilder> {
    const { tangle } = await Tangle.open(new MemoryKvStore());
    return new DagBuilder(tangle);
  }

  /** Stores an unsolid message on `parents`; returns its id. */
  store(parents: readonly Uint8Array[]): Uint8Array {
    const message = { networkId: 0n, parents: sortedParents(parents), payload: null, nonce: this.nonce++ };
    const bytes = encodeMessage(message);
    const id = messageId(bytes);
    this.tangle.storeMessage({ id, bytes, message, arrivedAt: 0 });
    return id;
  }

  solid(parents: readonly Uint8Array[]): Uint8Array {
    const id = this.store(parents);
    this.tangle.markSolid(id);
    return id;
  }

  /** A solid message referenced by milestone `index`. */
  referenced(parents: readonly Uint8Array[], index: number): Uint8Array {
    const id = this.solid(parents);
    this.tangle.markReferenced(id, index, LEDGER_INCLUSION_NO_TRANSACTION);
    return id;
  }

  /** A solid entry point that is not stored (as after a snapshot load). */
  sep(n: number, index: number): Uint8Array {
    const id = fakeId(n);
    this.tangle.addSolidEntryPoint(id, index);
    return id;
  }

  /** Sets CMI and LMI together (a synced node). */
  synced(index: number): void {
    this.tangle.setLatestMilestoneIndex(index);
    this.tangle.setConfirmedMilestoneIndex(index);
  }
}

/** Metadata of a solid, unreferenced message, with `overrides` on top. */
export function metadata(overrides: Partial<StoredMessageMetadata> = {}): StoredMessageMetadata {
  return { ...freshMetadata(), solid: true, ...overrides };
}

/**
 * A ConeRootView over plain maps with synthetic ids, for DAGs too large to store message by message (the memory
 * KvStore keeps a sorted array, so committing 100k messages to it would dominate the test). Counts parent reads.
 */
export class MapConeView implements ConeRootView {
  confirmedMilestoneIndex = 0;
  parentReads = 0;
  metadataWrites = 0;
  private readonly parents = new Map<string, Uint8Array[]>();
  private readonly metas = new Map<string, StoredMessageMetadata>();
  private readonly seps = new Map<string, number>();

  add(id: Uint8Array, parents: Uint8Array[], meta: Partial<StoredMessageMetadata> = {}): Uint8Array {
    const hex = bytesToHex(id);
    this.parents.set(hex, parents);
    this.metas.set(hex, metadata(meta));
    return id;
  }

  addSep(id: Uint8Array, index: number): Uint8Array {
    this.seps.set(bytesToHex(id), index);
    return id;
  }

  getMetadata(id: Uint8Array): StoredMessageMetadata | undefined {
    const m = this.metas.get(bytesToHex(id));
    return m === undefined ? undefined : { ...m };
  }

  setMetadata(id: Uint8Array, meta: StoredMessageMetadata): void {
    this.metadataWrites++;
    this.metas.set(bytesToHex(id), { ...meta });
  }

  getParents(id: Uint8Array): Uint8Array[] | undefined {
    this.parentReads++;
    return this.parents.get(bytesToHex(id));
  }

  solidEntryPointIndex(id: Uint8Array): number | undefined {
    return this.seps.get(bytesToHex(id));
  }
}
