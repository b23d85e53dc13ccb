/**
 * Pulls what the node lacks from its peers (protocol/network.md §5, chrysalis.md §12 "Requests"): parents the
 * solidifier misses, messages a peer announced and has not sent yet, and milestones between our confirmed index and
 * the latest one known (warp sync, in a window ahead of the confirmed index).
 *
 * A message id has at most one pending entry. Its first round goes to the peers that relied on it (the sender of the
 * child, or the announcer); later rounds, every `retryIntervalMs`, add up to `otherPeers` peers whose heartbeat says
 * they have or could have the cone of the entry's milestone (Hornet `requester.go`, `HasDataForMilestone` /
 * `CouldHaveDataForMilestone`). Entries are round-robin in Map order: a sent entry moves to the end, so when the
 * per-tick budget runs out the entries left over go first next time instead of starving.
 *
 * Time comes only from `modules.now()` and `tick()`; nothing here sets a timer.
 *
 * The only effects of running this are frames queued on peers (`peer.send`), `onGiveUp` calls, and its own state,
 * which is bounded by `maxPending` message entries and `milestoneWindow` milestone entries.
 */
import type { MilestoneRequester } from "../pipeline/confirmer.js";
import { bytesToHex } from "../primitives/hex.js";
import type { Requester, RequestHint } from "../tangle/solidifier.js";
import { encodeMilestoneRequest } from "./packetCodec.js";
import { PacketType } from "./packets.js";
import type { GossipPeer, PeerDirectory } from "./peerTypes.js";

export interface RequesterOptions {
  /** Re-send pending requests this often (Hornet: 5 s). */
  retryIntervalMs: number;
  /**
   * Give a request up after this long (Hornet: 15 s), only while the node is synced (CMI ≥ LMI): while it catches up,
   * requests belong to the cone of a milestone being solidified and are kept (network.md §5). Announcements that
   * the solidifier never asked for are always given up after this long.
   */
  giveUpMs: number;
  /** Besides the peers that relied on a message, ask up to this many others per retry (network.md §5: 4). */
  otherPeers: number;
  /** Most message entries (requests and expectations); new ones beyond it are refused and counted. */
  maxPending: number;
  /** Milestones CMI+1 .. CMI+window are requested (chrysalis.md §12 warp sync: 150). */
  milestoneWindow: number;
  /** Most frames one tick() sends, so a backlog of retries cannot burst onto the peers' queues. */
  maxSendsPerTick: number;
}

export const DEFAULT_REQUESTER_OPTIONS: RequesterOptions = {
  retryIntervalMs: 5_000,
  giveUpMs: 15_000,
  otherPeers: 4,
  // An entry is ~250 bytes (id, hex key, a few fields), so the bound is ~25 MB; it covers the solidifier's backlog
  // of parents during a sync in reverse order.
  maxPending: 100_000,
  milestoneWindow: 150,
  // A tick per second: 2,000 request frames per second is far below what a peer answers, and 100k pending entries
  // with 5 frames each still cycle within a few minutes.
  maxSendsPerTick: 2_000,
};

export interface ChainState {
  confirmedIndex: number;
  latestIndex: number;
  prunedIndex: number;
}

export interface RequesterModules {
  peers: PeerDirectory;
  now(): number;
  /** [0,1), for choosing peers. */
  random(): number;
  /** The message is stored already. */
  hasMessage(id: Uint8Array): boolean;
  /** The milestone index is recorded already. */
  hasMilestone(index: number): boolean;
  chain(): ChainState;
  /** A request was given up; `blame` is the peer that announced or sent the thing and never supplied it. */
  onGiveUp?(info: { idHex: string; blame?: string }): void;
}

export interface RequesterStats {
  pendingMessages: number;
  pendingMilestones: number;
  /** Request frames queued on peers. */
  sent: number;
  /** Requested messages that arrived (takeRequest). */
  answered: number;
  givenUp: number;
  /** Requests turned away because a bound was reached. */
  refused: number;
}

/**
 * The peers that relied on a message (senders of its children, its announcer) are asked first on every round. A few
 * are enough: the heartbeat-chosen peers cover the rest, and the bound keeps each entry small.
 */
const MAX_TARGETS = 4;

interface MessageEntry {
  /** A copy: the caller's id may be a view into a whole message buffer that the entry would otherwise keep alive. */
  readonly id: Uint8Array;
  milestoneIndex: number;
  /** Peers to ask first, by NodeId. */
  readonly targets: string[];
  /** Who is blamed when it is given up: the announcer, else the first peer that sent a child of it. */
  blame: string | undefined;
  /** The solidifier asked for it (request()); false for a pure expectation. */
  needed: boolean;
  /** A request for it was queued to a peer, or the solidifier needs it: an arriving copy counts as requested. */
  requested: boolean;
  /** Rounds sent so far; the first round asks the targets only. */
  rounds: number;
  readonly createdAt: number;
  nextSendAt: number;
}

interface MilestoneEntry {
  nextSendAt: number;
}

export class GossipRequester implements Requester, MilestoneRequester {
  private readonly options: RequesterOptions;
  /** By hex id; Map order is the round-robin order of retries. */
  private readonly messages = new Map<string, MessageEntry>();
  private readonly milestones = new Map<number, MilestoneEntry>();
  /**
   * Frames left to send until the next tick. tick() resets it; sends outside a tick (fan-outs of new requests,
   * milestone requests) draw on what the last tick left, and wait for the next tick when it is spent. The single
   * frame to the hinted peer of a new request is exempt: it is paced by the arrival of the child that caused it.
   */
  private budget: number;
  private sent = 0;
  private answered = 0;
  private givenUp = 0;
  private refused = 0;

  constructor(
    options: Partial<RequesterOptions>,
    private readonly modules: RequesterModules,
  ) {
    this.options = { ...DEFAULT_REQUESTER_OPTIONS, ...options };
    this.budget = this.options.maxSendsPerTick;
  }

  /**
   * The solidifier misses `messageId`: ask `hint.peerId` (the child's sender) at once if it is connected, otherwise
   * peers chosen by heartbeat. A second call for a pending id merges: the lower milestone index wins and a new
   * hinted peer is asked at once.
   */
  request(messageId: Uint8Array, hint: RequestHint): void {
    const idHex = bytesToHex(messageId);
    const existing = this.messages.get(idHex);
    if (existing !== undefined) {
      existing.needed = true;
      existing.requested = true;
      if (hint.milestoneIndex < existing.milestoneIndex) existing.milestoneIndex = hint.milestoneIndex;
      if (hint.peerId !== undefined && this.addTarget(existing, hint.peerId)) {
        existing.blame ??= hint.peerId;
        const peer = this.modules.peers.get(hint.peerId);
        if (peer !== undefined && this.sendMessageRequest(peer, existing.id) && existing.rounds === 0) {
          this.afterRound(existing, 1);
        }
      }
      return;
    }
    if (this.messages.size >= this.options.maxPending) {
      this.refused++;
      return;
    }
    const now = this.modules.now();
    const entry: MessageEntry = {
      id: messageId.slice(),
      milestoneIndex: hint.milestoneIndex,
      targets: hint.peerId === undefined ? [] : [hint.peerId],
      blame: hint.peerId,
      needed: true,
      requested: true,
      rounds: 0,
      createdAt: now,
      nextSendAt: now,
    };
    this.messages.set(idHex, entry);
    // The one frame to the hinted peer is not charged to the budget: the arrival of the child paces it.
    const hinted = hint.peerId === undefined ? undefined : this.modules.peers.get(hint.peerId);
    if (hinted !== undefined && this.sendMessageRequest(hinted, entry.id)) this.afterRound(entry, 1);
    else this.afterRound(entry, this.sendToOthers(entry));
  }

  /**
   * A peer announced `messageId` and we answered "not held": the Message should follow from it. Nothing is sent now;
   * a round that is due finds out whether it came.
   */
  expect(messageId: Uint8Array, announcerIdHex: string): void {
    const idHex = bytesToHex(messageId);
    const existing = this.messages.get(idHex);
    if (existing !== undefined) {
      this.addTarget(existing, announcerIdHex);
      existing.blame ??= announcerIdHex;
      return;
    }
    if (this.messages.size >= this.options.maxPending) {
      this.refused++;
      return;
    }
    const now = this.modules.now();
    this.messages.set(idHex, {
      id: messageId.slice(),
      // A freshly announced message belongs to the cone of a coming milestone; the LMI is Hornet's index when unknown.
      milestoneIndex: this.modules.chain().latestIndex,
      targets: [announcerIdHex],
      blame: announcerIdHex,
      needed: false,
      requested: false,
      rounds: 0,
      createdAt: now,
      nextSendAt: now + this.options.retryIntervalMs,
    });
  }

  /**
   * Milestone `index` is missing: ask peers whose heartbeat shows it (prunedIndex < index ≤ latestIndex), or every
   * connected peer while none has sent a heartbeat, and re-send every `retryIntervalMs` until it is recorded or
   * confirmed past.
   */
  requestMilestone(index: number): void {
    const { confirmedIndex } = this.modules.chain();
    if (index <= confirmedIndex || this.milestones.has(index) || this.modules.hasMilestone(index)) return;
    this.addMilestone(index, confirmedIndex);
  }

  /**
   * A message arrived. If we had requested it, forget the request and return its milestone index (the index its own
   * missing parents are requested with); a pure expectation not yet requested is forgotten too, but the message
   * counts as unrequested (its PoW must be checked).
   */
  takeRequest(idHex: string): { milestoneIndex: number } | undefined {
    const entry = this.messages.get(idHex);
    if (entry === undefined) return undefined;
    this.messages.delete(idHex);
    if (!entry.requested) return undefined;
    this.answered++;
    return { milestoneIndex: entry.milestoneIndex };
  }

  isPending(idHex: string): boolean {
    return this.messages.has(idHex);
  }

  /** A heartbeat arrived: request the milestones it reveals that we lack, within the window. */
  onHeartbeat(peer: GossipPeer): void {
    this.fillMilestoneWindow(peer.heartbeat?.latestIndex ?? 0);
  }

  /** A peer disconnected: it is no longer asked first (it stays blamed where it was the announcer or sender). */
  onPeerGone(nodeIdHex: string): void {
    for (const entry of this.messages.values()) {
      const i = entry.targets.indexOf(nodeIdHex);
      if (i >= 0) entry.targets.splice(i, 1);
    }
  }

  /** Drops what is done, gives up what is overdue, sends the rounds that are due, within the per-tick budget. */
  tick(): void {
    this.budget = this.options.maxSendsPerTick;
    const now = this.modules.now();
    const chain = this.modules.chain();
    for (const index of this.milestones.keys()) {
      if (index <= chain.confirmedIndex || this.modules.hasMilestone(index)) this.milestones.delete(index);
    }
    this.fillMilestoneWindow(0);
    for (const [index, entry] of this.milestones) {
      if (this.budget <= 0) break;
      if (entry.nextSendAt <= now) this.sendMilestoneRound(index, entry);
    }
    this.tickMessages(now, chain.confirmedIndex >= chain.latestIndex);
  }

  stats(): RequesterStats {
    return {
      pendingMessages: this.messages.size,
      pendingMilestones: this.milestones.size,
      sent: this.sent,
      answered: this.answered,
      givenUp: this.givenUp,
      refused: this.refused,
    };
  }

  private tickMessages(now: number, synced: boolean): void {
    const overdue = now - this.options.giveUpMs;
    const moved: [string, MessageEntry][] = [];
    const done: string[] = [];
    for (const [idHex, entry] of this.messages) {
      // network.md §5: no give-up for the cone of a milestone being solidified, i.e. while catching up.
      if (entry.createdAt <= overdue && (synced || !entry.needed)) {
        this.giveUp(idHex, entry);
        continue;
      }
      if (entry.nextSendAt > now || this.budget <= 0) continue;
      if (this.modules.hasMessage(entry.id)) {
        done.push(idHex);
        continue;
      }
      const rounds = entry.rounds;
      this.sendRound(entry);
      if (entry.rounds > rounds) moved.push([idHex, entry]);
    }
    for (const idHex of done) this.messages.delete(idHex);
    // Sent entries go to the back of the round-robin order; re-inserting during the loop would visit them again.
    for (const [idHex, entry] of moved) {
      this.messages.delete(idHex);
      this.messages.set(idHex, entry);
    }
  }

  private giveUp(idHex: string, entry: MessageEntry): void {
    this.messages.delete(idHex);
    // Stored by a path that did not take the request (an API submission): nobody is to blame.
    if (this.modules.hasMessage(entry.id)) return;
    this.givenUp++;
    const { onGiveUp } = this.modules;
    if (onGiveUp === undefined) return;
    if (entry.blame === undefined) onGiveUp({ idHex });
    else onGiveUp({ idHex, blame: entry.blame });
  }

  /**
   * One round for a message: the connected targets, plus, from the second round on or when no target is connected,
   * up to `otherPeers` peers chosen by heartbeat.
   */
  private sendRound(entry: MessageEntry): void {
    let queued = 0;
    let targetConnected = false;
    for (const nodeIdHex of entry.targets) {
      const peer = this.modules.peers.get(nodeIdHex);
      if (peer === undefined) continue;
      targetConnected = true;
      if (this.budget <= 0) break;
      this.budget--;
      if (this.sendMessageRequest(peer, entry.id)) queued++;
    }
    if (entry.rounds > 0 || !targetConnected) queued += this.sendToOthers(entry);
    this.afterRound(entry, queued);
  }

  private sendToOthers(entry: MessageEntry): number {
    let queued = 0;
    for (const peer of this.choosePeers(entry.milestoneIndex, entry.targets)) {
      if (this.budget <= 0) break;
      this.budget--;
      if (this.sendMessageRequest(peer, entry.id)) queued++;
    }
    return queued;
  }

  /**
   * The next round is due a full interval after one that queued a frame, or that found nobody to ask or only full
   * queues. A round the budget cut short before any frame stays due, for the next tick.
   */
  private afterRound(entry: MessageEntry, queued: number): void {
    if (queued > 0) {
      entry.rounds++;
      entry.requested = true;
    } else if (this.budget <= 0) {
      return;
    }
    entry.nextSendAt = this.modules.now() + this.options.retryIntervalMs;
  }

  private sendMessageRequest(peer: GossipPeer, id: Uint8Array): boolean {
    if (!peer.send(PacketType.MESSAGE_REQUEST, id, "request")) return false;
    this.sent++;
    return true;
  }

  private addTarget(entry: MessageEntry, nodeIdHex: string): boolean {
    if (entry.targets.length >= MAX_TARGETS || entry.targets.includes(nodeIdHex)) return false;
    entry.targets.push(nodeIdHex);
    return true;
  }

  /**
   * chrysalis.md §12 (Hornet `requester.go`): peers whose heartbeat shows prunedIndex < i ≤ confirmedIndex have the
   * cone of milestone i; failing those, peers with prunedIndex < i ≤ latestIndex could have it (a peer without a
   * heartbeat yet counts as one); failing those, any connected peer that has not pruned i. Up to `otherPeers` of the
   * first non-empty group, at random.
   */
  private choosePeers(requestIndex: number, exclude: readonly string[]): GossipPeer[] {
    // Before the first milestone every request carries index 0, and nothing can have been pruned yet.
    const milestoneIndex = Math.max(requestIndex, 1);
    const hasData: GossipPeer[] = [];
    const couldHave: GossipPeer[] = [];
    const unpruned: GossipPeer[] = [];
    for (const peer of this.modules.peers.connected()) {
      if (exclude.includes(peer.nodeIdHex)) continue;
      const hb = peer.heartbeat;
      if (hb === null) {
        couldHave.push(peer);
        unpruned.push(peer);
        continue;
      }
      // A peer that pruned the milestone deleted its cone: asking it is wasted.
      if (hb.prunedIndex >= milestoneIndex) continue;
      unpruned.push(peer);
      if (milestoneIndex <= hb.confirmedIndex) hasData.push(peer);
      else if (milestoneIndex <= hb.latestIndex) couldHave.push(peer);
    }
    const pool = hasData.length > 0 ? hasData : couldHave.length > 0 ? couldHave : unpruned;
    return this.pick(pool, this.options.otherPeers);
  }

  /** Up to `count` distinct elements of `pool` (which it shuffles in place) chosen with `modules.random`. */
  private pick(pool: GossipPeer[], count: number): GossipPeer[] {
    const n = Math.min(count, pool.length);
    for (let k = 0; k < n; k++) {
      const j = k + Math.floor(this.modules.random() * (pool.length - k));
      const chosen = pool[j]!;
      pool[j] = pool[k]!;
      pool[k] = chosen;
    }
    pool.length = n;
    return pool;
  }

  /**
   * Warp sync (chrysalis.md §12): every index in CMI+1 .. min(latest known, CMI+window) that is neither recorded nor
   * pending is requested. "Latest known" is the highest of our LMI, the connected peers' heartbeats and `seenLatest`.
   */
  private fillMilestoneWindow(seenLatest: number): void {
    const { confirmedIndex, latestIndex } = this.modules.chain();
    let known = Math.max(latestIndex, seenLatest);
    for (const peer of this.modules.peers.connected()) {
      if (peer.heartbeat !== null && peer.heartbeat.latestIndex > known) known = peer.heartbeat.latestIndex;
    }
    const last = Math.min(known, confirmedIndex + this.options.milestoneWindow);
    for (let index = confirmedIndex + 1; index <= last; index++) {
      if (!this.milestones.has(index) && !this.modules.hasMilestone(index)) this.addMilestone(index, confirmedIndex);
    }
  }

  private addMilestone(index: number, confirmedIndex: number): void {
    if (index > confirmedIndex + this.options.milestoneWindow) {
      this.refused++;
      return;
    }
    // Entries at or below a CMI that moved since the last tick are stale; dropping them keeps the map within the
    // window, since every remaining index lies in CMI+1 .. CMI+window.
    if (this.milestones.size >= this.options.milestoneWindow) {
      for (const i of this.milestones.keys()) if (i <= confirmedIndex) this.milestones.delete(i);
    }
    const entry: MilestoneEntry = { nextSendAt: this.modules.now() };
    this.milestones.set(index, entry);
    this.sendMilestoneRound(index, entry);
  }

  /**
   * Sends MilestoneRequest(index) to up to `otherPeers + 1` random peers whose heartbeat shows prunedIndex < index ≤
   * latestIndex (every connected peer qualifies while none has sent a heartbeat). A few suffice: each answers with
   * the whole milestone message, and duplicates from every peer would only be dropped.
   */
  private sendMilestoneRound(index: number, entry: MilestoneEntry): void {
    const connected = this.modules.peers.connected();
    const anyHeartbeat = connected.some((p) => p.heartbeat !== null);
    const pool = connected.filter((p) => {
      const hb = p.heartbeat;
      if (hb === null) return !anyHeartbeat;
      return hb.prunedIndex < index && index <= hb.latestIndex;
    });
    const chosen = this.pick(pool, this.options.otherPeers + 1);
    if (chosen.length > 0 && this.budget <= 0) return;
    const body = encodeMilestoneRequest(index);
    let queued = 0;
    for (const peer of chosen) {
      if (this.budget <= 0) break;
      this.budget--;
      if (peer.send(PacketType.MILESTONE_REQUEST, body, "request")) queued++;
    }
    this.sent += queued;
    entry.nextSendAt = this.modules.now() + this.options.retryIntervalMs;
  }
}
