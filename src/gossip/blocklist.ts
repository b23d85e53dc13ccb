/**
 * Blocked peers (protocol/network.md §7): a provable fault blocks the peer's NodeId and its IP address for 10 minutes
 * with a recorded reason. A new key pair gets a node a new NodeId, so the address is blocked too; but every node on
 * one machine shares 127.0.0.1, so a loopback address is never blocked (local test networks would block themselves).
 * Bounded: at most `maxEntries` entries, the least recently blocked evicted first. The clock is a parameter so that
 * tests can move it.
 */
import { canonicalHost, isLoopbackHost } from "./endpoint.js";
import type { BlockReason } from "./peerTypes.js";

export interface BlockEntry {
  nodeIdHex?: string;
  address?: string;
  reason: BlockReason;
  detail: string;
  since: number;
  /** The entry is active while now < until. */
  until: number;
}

export interface BlocklistOptions {
  /** Default 600_000 (network.md §7: 10 min). */
  durationMs?: number;
  /** Default 10_000, oldest evicted. */
  maxEntries?: number;
}

const DEFAULT_DURATION_MS = 600_000;
const DEFAULT_MAX_ENTRIES = 10_000;

function copy(e: BlockEntry): BlockEntry {
  return { ...e };
}

export class Blocklist {
  private readonly durationMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  /** Every stored entry once, in the order it was (re)blocked: the first is the one to evict. */
  private readonly entries = new Set<BlockEntry>();
  private readonly byNodeId = new Map<string, BlockEntry>();
  private readonly byAddress = new Map<string, BlockEntry>();

  constructor(options: BlocklistOptions, now: () => number) {
    this.durationMs = options.durationMs ?? DEFAULT_DURATION_MS;
    this.maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
    this.now = now;
  }

  /**
   * Blocks the NodeId and, unless it is a loopback address (on loopback every local node shares 127.0.0.1), the IP
   * address. Re-blocking extends. When nothing is left to block (only a loopback address), the returned entry is not
   * recorded.
   */
  block(target: { nodeIdHex?: string; address?: string }, reason: BlockReason, detail: string): BlockEntry {
    const since = this.now();
    const entry: BlockEntry = { reason, detail, since, until: since + this.durationMs };
    const nodeId = target.nodeIdHex?.toLowerCase();
    const address =
      target.address === undefined || isLoopbackHost(target.address) ? undefined : canonicalHost(target.address);
    if (nodeId !== undefined) entry.nodeIdHex = nodeId;
    if (address !== undefined) entry.address = address;
    if (nodeId === undefined && address === undefined) return copy(entry);

    if (nodeId !== undefined) this.replace("nodeIdHex", nodeId, entry);
    if (address !== undefined) this.replace("address", address, entry);
    this.entries.add(entry);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.values().next().value;
      if (oldest === undefined) break;
      this.remove(oldest);
    }
    return copy(entry);
  }

  /** The active entry that matches the NodeId or the address, or undefined; expired entries are dropped lazily. */
  check(target: { nodeIdHex?: string; address?: string }): BlockEntry | undefined {
    if (target.nodeIdHex !== undefined) {
      const hit = this.active(this.byNodeId.get(target.nodeIdHex.toLowerCase()));
      if (hit !== undefined) return copy(hit);
    }
    if (target.address !== undefined) {
      const hit = this.active(this.byAddress.get(canonicalHost(target.address)));
      if (hit !== undefined) return copy(hit);
    }
    return undefined;
  }

  /** Lifts the block on a NodeId (and on the address blocked with it); true when an active block was lifted. */
  unblock(nodeIdHex: string): boolean {
    const entry = this.byNodeId.get(nodeIdHex.toLowerCase());
    if (entry === undefined) return false;
    const wasActive = this.now() < entry.until;
    this.remove(entry);
    return wasActive;
  }

  /** Active entries, least recently blocked first. */
  list(): BlockEntry[] {
    this.dropExpired();
    return [...this.entries].map(copy);
  }

  get size(): number {
    this.dropExpired();
    return this.entries.size;
  }

  /**
   * Points `key` at `entry`. The entry that held the key gives up that field, so that every entry shows exactly the
   * keys it blocks; one left with neither a NodeId nor an address is dropped.
   */
  private replace(field: "nodeIdHex" | "address", key: string, entry: BlockEntry): void {
    const index = field === "nodeIdHex" ? this.byNodeId : this.byAddress;
    const old = index.get(key);
    index.set(key, entry);
    if (old === undefined) return;
    delete old[field];
    if (old.nodeIdHex === undefined && old.address === undefined) this.entries.delete(old);
  }

  private active(e: BlockEntry | undefined): BlockEntry | undefined {
    if (e === undefined) return undefined;
    if (this.now() < e.until) return e;
    this.remove(e);
    return undefined;
  }

  private remove(e: BlockEntry): void {
    this.entries.delete(e);
    if (e.nodeIdHex !== undefined) this.byNodeId.delete(e.nodeIdHex);
    if (e.address !== undefined) this.byAddress.delete(e.address);
  }

  private dropExpired(): void {
    const now = this.now();
    for (const e of this.entries) if (now >= e.until) this.remove(e);
  }
}
