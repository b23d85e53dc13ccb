/**
 * Spreads a valid, solid message to peers (protocol/network.md §4), by one of two strategies:
 * - `infect`: announce the id with Gossip to a few random peers and send the full Message only to those that answer
 *   they lack it; every "already held" answer buys one more random untried peer, up to a saturation-bound number of
 *   attempts. Each message costs about `infectionTarget` full copies per node instead of one per peer.
 * - `flood` (Hornet's re-broadcast, chrysalis.md §12): the full Message to every connected peer it did not come from.
 *
 * No timers: the service calls tick() about every 100 ms and time comes from `modules.now()`, so tests drive a fake
 * clock. Memory is bounded: at most `maxRounds` infection rounds and `REMEMBERED_IDS_MAX` remembered ids, each of
 * which expires after `rememberMs`.
 */
import { PacketType } from "./packets.js";
import type { GossipPeer, PeerDirectory } from "./peerTypes.js";

export type GossipMode = "infect" | "flood";

export interface BroadcasterOptions {
  mode: GossipMode;
  /** Peers a round tries to infect (`gossip.infectionTarget`). */
  infectionTarget: number;
  /** Bounds the peers a round may try: attemptLimit = ceil(infectionTarget·100/(100−saturationPercent)). */
  saturationPercent: number;
  /** `gossip.requestTimeout`: a peer that does not answer a Gossip within it counts as a holder. */
  responseTimeoutMs: number;
  /** How long a finished id is remembered; broadcasting it again within this time is ignored. */
  rememberMs: number;
  /** Infection rounds in flight at most; a new round beyond it finishes the oldest one early. */
  maxRounds: number;
}

export const DEFAULT_BROADCASTER_OPTIONS: BroadcasterOptions = {
  mode: "infect",
  infectionTarget: 3,
  saturationPercent: 80,
  responseTimeoutMs: 2000,
  rememberMs: 60_000,
  maxRounds: 10_000,
};

/**
 * Remembered ids at most. 60 s at well above the few hundred messages per second a Chrysalis network carries; beyond
 * it the oldest id is forgotten early, which at worst lets a late duplicate broadcast through once.
 */
export const REMEMBERED_IDS_MAX = 200_000;

export interface BroadcasterModules {
  peers: PeerDirectory;
  now(): number;
  /** Uniform in [0, 1). */
  random(): number;
}

export interface BroadcasterStats {
  /** broadcast() calls that started spreading (duplicates not counted). */
  broadcasts: number;
  /** Gossip frames queued. */
  gossipSent: number;
  /** Message frames queued (infect: to peers that lacked it; flood: to every peer). */
  messagesSent: number;
  /** Peers that answered "not held" and were sent the Message. */
  infected: number;
  /** Asked peers counted as holders: answered "held", timed out, went away, or their frame could not be queued. */
  holders: number;
  /** Asked peers that did not answer within responseTimeoutMs (also counted in holders). */
  timeouts: number;
  roundsInFlight: number;
}

/** Attempts per infection round (network.md §4): saturation 80 % with target 3 gives 15. */
export function attemptLimitFor(infectionTarget: number, saturationPercent: number): number {
  // The epsilon keeps float noise in a fractional percentage (100 − 99.9 = 0.0999…) from adding an attempt.
  return Math.ceil((infectionTarget * 100) / (100 - saturationPercent) - 1e-9);
}

interface Round {
  readonly id: Uint8Array;
  readonly idHex: string;
  readonly bytes: Uint8Array;
  /** Every peer asked or excluded: none of them is asked (again) in this round. */
  readonly tried: Set<string>;
  /** Asked peers whose answer is outstanding → the deadline of that answer. */
  readonly awaiting: Map<string, number>;
  /** Asked peers plus the connected excluded ones, compared against the attempt limit. */
  attempts: number;
  infected: number;
  done: boolean;
}

interface Deadline {
  readonly idHex: string;
  readonly peerHex: string;
  readonly at: number;
}

/** Dead entries at the head of the deadline queue before it is compacted. */
const DEADLINE_COMPACT_AT = 1024;

export class Broadcaster {
  readonly mode: GossipMode;
  readonly attemptLimit: number;
  private readonly options: BroadcasterOptions;
  private readonly modules: BroadcasterModules;
  /** In insertion order, so the first entry is the oldest round. */
  private readonly rounds = new Map<string, Round>();
  /** idHex → expiry time; insertion order is expiry order because every entry lives rememberMs from now(). */
  private readonly remembered = new Map<string, number>();
  /** Answer deadlines in the order they were set (= deadline order); stale entries are skipped when reached. */
  private deadlines: Deadline[] = [];
  private deadlineHead = 0;
  private readonly counters = {
    broadcasts: 0,
    gossipSent: 0,
    messagesSent: 0,
    infected: 0,
    holders: 0,
    timeouts: 0,
  };

  constructor(options: Partial<BroadcasterOptions>, modules: BroadcasterModules) {
    const o: BroadcasterOptions = { ...DEFAULT_BROADCASTER_OPTIONS, ...options };
    if (o.mode !== "infect" && o.mode !== "flood") throw new RangeError(`gossip.mode "${String(o.mode)}" is unknown`);
    if (!Number.isInteger(o.infectionTarget) || o.infectionTarget < 1) {
      throw new RangeError(`gossip.infectionTarget ${o.infectionTarget} is not an integer >= 1`);
    }
    if (!(o.saturationPercent >= 0 && o.saturationPercent < 100)) {
      throw new RangeError(`gossip.saturationPercent ${o.saturationPercent} is not in [0, 100)`);
    }
    if (!(o.responseTimeoutMs > 0)) throw new RangeError(`gossip.requestTimeout ${o.responseTimeoutMs} is not > 0`);
    if (!(o.rememberMs >= 0)) throw new RangeError(`broadcaster rememberMs ${o.rememberMs} is not >= 0`);
    if (!Number.isInteger(o.maxRounds) || o.maxRounds < 1) {
      throw new RangeError(`broadcaster maxRounds ${o.maxRounds} is not an integer >= 1`);
    }
    this.options = o;
    this.modules = modules;
    this.mode = o.mode;
    this.attemptLimit = attemptLimitFor(o.infectionTarget, o.saturationPercent);
  }

  /**
   * A message became valid and solid (or was submitted by the API): spread it. `exclude` are the peers it came
   * from; they hold it, so they are never contacted. Ignored while a round for the id runs or within rememberMs of
   * the last one.
   */
  broadcast(id: Uint8Array, idHex: string, bytes: Uint8Array, exclude: ReadonlySet<string>): void {
    if (this.rounds.has(idHex)) return;
    const expiry = this.remembered.get(idHex);
    if (expiry !== undefined && expiry > this.modules.now()) return;
    this.counters.broadcasts++;
    if (this.mode === "flood") {
      this.flood(bytes, exclude);
      this.remember(idHex);
      return;
    }
    const round: Round = {
      id,
      idHex,
      bytes,
      tried: new Set(exclude),
      awaiting: new Map(),
      attempts: 0,
      infected: 0,
      done: false,
    };
    // network.md §4: the peers it came from count as tried holders.
    for (const peer of this.modules.peers.connected()) if (exclude.has(peer.nodeIdHex)) round.attempts++;
    if (this.rounds.size >= this.options.maxRounds) {
      const oldest = this.rounds.values().next();
      if (!oldest.done) this.finish(oldest.value);
    }
    // In the map before the first send, so that an answer delivered from inside send() finds the round.
    this.rounds.set(idHex, round);
    this.advance(round);
  }

  /**
   * infect: `fromIdHex` answered our Gossip(idHex). Returns false, changing nothing, for an unknown or finished
   * round, a peer we did not ask, or a second answer.
   */
  onGossipResponse(fromIdHex: string, idHex: string, alreadyHeld: boolean): boolean {
    const round = this.rounds.get(idHex);
    if (round === undefined || !round.awaiting.delete(fromIdHex)) return false;
    if (alreadyHeld) {
      this.counters.holders++;
    } else {
      const peer = this.modules.peers.get(fromIdHex);
      if (peer?.send(PacketType.MESSAGE, round.bytes, "gossip") === true) {
        this.counters.messagesSent++;
        this.counters.infected++;
        round.infected++;
      } else {
        // It cannot get the Message from us now; treating it as a holder lets the round try someone else.
        this.counters.holders++;
      }
    }
    this.advance(round);
    return true;
  }

  /** A peer went away: its outstanding answers count as holders, and each round picks another peer. */
  onPeerGone(nodeIdHex: string): void {
    for (const round of this.rounds.values()) {
      if (round.done || !round.awaiting.delete(nodeIdHex)) continue;
      this.counters.holders++;
      this.advance(round);
    }
  }

  /** Answers overdue by responseTimeoutMs count as holders; remembered ids expire. */
  tick(): void {
    const now = this.modules.now();
    while (this.deadlineHead < this.deadlines.length) {
      const d = this.deadlines[this.deadlineHead]!;
      if (d.at > now) break;
      this.deadlineHead++;
      const round = this.rounds.get(d.idHex);
      if (round === undefined || round.awaiting.get(d.peerHex) !== d.at) continue;
      round.awaiting.delete(d.peerHex);
      this.counters.timeouts++;
      this.counters.holders++;
      this.advance(round);
    }
    this.compactDeadlines();
    for (const [idHex, expiry] of this.remembered) {
      if (expiry > now) break;
      this.remembered.delete(idHex);
    }
  }

  stats(): BroadcasterStats {
    return { ...this.counters, roundsInFlight: this.rounds.size };
  }

  private flood(bytes: Uint8Array, exclude: ReadonlySet<string>): void {
    for (const peer of this.modules.peers.connected()) {
      if (exclude.has(peer.nodeIdHex)) continue;
      if (peer.send(PacketType.MESSAGE, bytes, "gossip")) this.counters.messagesSent++;
    }
  }

  /**
   * Keeps `infectionTarget` peers infected or awaited while attempts remain and untried peers exist; finishes the
   * round when nothing is awaited any more. Safe against answers delivered synchronously from inside send().
   */
  private advance(round: Round): void {
    while (!round.done) {
      const want = this.freeSlots(round);
      if (want <= 0) break;
      const picks = this.pickUntried(round, want);
      if (picks.length === 0) break;
      for (const peer of picks) {
        if (round.done || this.freeSlots(round) <= 0) break;
        if (!round.tried.has(peer.nodeIdHex)) this.ask(round, peer);
      }
    }
    if (!round.done && round.awaiting.size === 0) this.finish(round);
  }

  private freeSlots(round: Round): number {
    return Math.min(
      this.options.infectionTarget - round.infected - round.awaiting.size,
      this.attemptLimit - round.attempts,
    );
  }

  /** Up to `count` distinct random connected peers not yet tried in this round (partial Fisher–Yates). */
  private pickUntried(round: Round, count: number): GossipPeer[] {
    const candidates = this.modules.peers.connected().filter((p) => !round.tried.has(p.nodeIdHex));
    const n = Math.min(count, candidates.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.min(Math.floor(this.modules.random() * (candidates.length - i)), candidates.length - i - 1);
      const picked = candidates[j]!;
      candidates[j] = candidates[i]!;
      candidates[i] = picked;
    }
    candidates.length = n;
    return candidates;
  }

  private ask(round: Round, peer: GossipPeer): void {
    const peerHex = peer.nodeIdHex;
    const at = this.modules.now() + this.options.responseTimeoutMs;
    round.tried.add(peerHex);
    round.attempts++;
    round.awaiting.set(peerHex, at);
    this.deadlines.push({ idHex: round.idHex, peerHex, at });
    if (peer.send(PacketType.GOSSIP, round.id, "gossip")) {
      this.counters.gossipSent++;
    } else if (round.awaiting.delete(peerHex)) {
      this.counters.holders++;
    }
  }

  private finish(round: Round): void {
    round.done = true;
    round.awaiting.clear();
    if (this.rounds.get(round.idHex) === round) this.rounds.delete(round.idHex);
    this.remember(round.idHex);
  }

  private remember(idHex: string): void {
    this.remembered.delete(idHex);
    this.remembered.set(idHex, this.modules.now() + this.options.rememberMs);
    if (this.remembered.size > REMEMBERED_IDS_MAX) {
      const oldest = this.remembered.keys().next();
      if (!oldest.done) this.remembered.delete(oldest.value);
    }
  }

  private compactDeadlines(): void {
    if (this.deadlineHead === this.deadlines.length) {
      this.deadlines = [];
      this.deadlineHead = 0;
    } else if (this.deadlineHead >= DEADLINE_COMPACT_AT && this.deadlineHead * 2 >= this.deadlines.length) {
      this.deadlines = this.deadlines.slice(this.deadlineHead);
      this.deadlineHead = 0;
    }
  }
}
