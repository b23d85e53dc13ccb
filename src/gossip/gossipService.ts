/**
 * The peer-to-peer layer as the node sees it (protocol/network.md, chrysalis.md §12): connections and peers
 * (PeerManager), what arrives from them (messages to the ingestion pipeline, requests answered from the store,
 * heartbeats, announcements), what we send (gossip of solid messages by the Broadcaster, missing data by the
 * GossipRequester, heartbeats), punishment of provable faults, and the node's synced state.
 *
 * It is also the node's Requester (the solidifier's missing parents) and MilestoneRequester (the confirmer's missing
 * milestones), so the pipeline asks the network through it.
 */
import { messageId } from "../codec/index.js";
import type { Logger } from "../logger/logger.js";
import { silentLogger } from "../logger/logger.js";
import type { MilestoneRequester } from "../pipeline/confirmer.js";
import type { NodeEventBus } from "../pipeline/events.js";
import type { Ingress, SubmitOptions } from "../pipeline/ingress.js";
import { GOSSIP_ACTION } from "../pipeline/messageError.js";
import { bytesToHex } from "../primitives/hex.js";
import type { Requester, RequestHint } from "../tangle/solidifier.js";
import type { Tangle } from "../tangle/tangle.js";
import { DEFAULT_TIP_SELECTION_PARAMS } from "../tangle/tipScore.js";
import { isNodeAlmostSynced } from "../tangle/tipSelector.js";
import { Lru } from "../util/lru.js";
import { type BlockEntry, Blocklist } from "./blocklist.js";
import { Broadcaster, type BroadcasterStats, type GossipMode } from "./broadcaster.js";
import type { Frame } from "./framing.js";
import { GossipError } from "./gossipError.js";
import { type NetworkRules, rulesHash } from "./handshake.js";
import { type NodeIdentity, shortNodeId } from "./identity.js";
import {
  decodeGossipResponse,
  decodeHeartbeat,
  decodeMessageId,
  decodeMilestoneRequest,
  encodeGossipResponse,
  encodeHeartbeat,
  encodeMilestoneRequest,
} from "./packetCodec.js";
import { PacketType } from "./packets.js";
import { type EndpointInfo, type Peer, type PeerInfo, PeerManager, type PeerManagerOptions } from "./peerManager.js";
import type { Endpoint, Heartbeat } from "./peerTypes.js";
import { GossipRequester, type RequesterOptions, type RequesterStats } from "./requester.js";

export interface GossipServiceOptions {
  networkName: string;
  rules: NetworkRules;
  bind: { host: string; port: number };
  announce?: { host: string; port: number };
  peers: Endpoint[];
  /** Default 32 (network.md §2). */
  maxPeers?: number;
  /** Default "infect" (network.md §4). */
  mode?: GossipMode;
  /** Default 3. */
  infectionTarget?: number;
  /** Default 80. */
  saturationPercent?: number;
  /** gossip.requestTimeout: a peer that does not answer an announcement within it counts as a holder. Default 2 s. */
  gossipResponseTimeoutMs?: number;
  /** Default 30 s; the first round 5 s after start. */
  discoveryIntervalMs?: number;
  discoveryFirstMs?: number;
  /** Heartbeats go out on every milestone change and at least this often (Hornet: 30 s). */
  heartbeatIntervalMs?: number;
  /** A peer silent for this long is dropped (Hornet: 100 s). */
  heartbeatTimeoutMs?: number;
  bidirectionalTimeoutMs?: number;
  handshakeTimeoutMs?: number;
  dialTimeoutMs?: number;
  reconnectBaseMs?: number;
  /** Blocks last this long (network.md §7: 10 min). */
  blockDurationMs?: number;
  requester?: Partial<RequesterOptions>;
  /** Messages from one peer being ingested at once before we stop reading its connection. Default 512. */
  maxInFlightPerPeer?: number;
  /** Requests answered per peer per second at most; the excess is ignored (the peer re-requests). Default 5,000. */
  maxServedPerSecond?: number;
}

export interface GossipServiceModules {
  identity: NodeIdentity;
  tangle: Tangle;
  ingress: Pick<Ingress, "submit">;
  events: NodeEventBus;
  now(): number;
  random?(): number;
  logger?: Logger;
}

export interface SyncStatus {
  confirmedIndex: number;
  latestIndex: number;
  /** CMI = LMI and some milestone is known (Hornet `IsNodeSynced`). */
  synced: boolean;
  /** CMI ≥ LMI − 2 and some milestone is known (Hornet `IsNodeAlmostSynced`; tip selection works). */
  almostSynced: boolean;
  connectedPeers: number;
  syncedPeers: number;
}

export interface GossipStats {
  messagesReceived: number;
  messagesNew: number;
  messagesKnown: number;
  messagesRejected: number;
  requestsServed: number;
  requestsIgnored: number;
  announcementsReceived: number;
  unexpectedResponses: number;
  requester: RequesterStats;
  broadcaster: BroadcasterStats;
}

/** Hornet's synced-peer rule (chrysalis.md §12): its solid index is within 2 of max(its latest, our latest). */
const SYNCED_PEER_THRESHOLD = 2;
const FIRST_HEARTBEAT_TIMEOUT_MS = 5_000;

interface Origin {
  requested: boolean;
  /** Peers known to hold it (they sent or announced it). */
  holders: Set<string>;
}

interface PeerLoad {
  inFlight: number;
  servedThisSecond: number;
  second: number;
}

export class GossipService implements Requester, MilestoneRequester {
  private readonly manager: PeerManager;
  private readonly requester: GossipRequester;
  private readonly broadcaster: Broadcaster;
  private readonly blocklist: Blocklist;
  private readonly logger: Logger;
  private readonly origins = new Lru<Origin>(100_000);
  /** Ids handed to the ingress and not yet decided, so an announcement of one is answered "held". */
  private readonly inFlight = new Set<string>();
  private readonly loads = new Map<string, PeerLoad>();
  private readonly maxInFlightPerPeer: number;
  private readonly maxServedPerSecond: number;
  private readonly heartbeatIntervalMs: number;
  private readonly heartbeatTimeoutMs: number;
  private readonly requesterOptions: Partial<RequesterOptions>;
  private timers: NodeJS.Timeout[] = [];
  private unsubscribe: Array<() => void> = [];
  private heartbeatScheduled = false;
  private lastHeartbeatSentAt = 0;
  private started = false;
  private closed = false;
  private readonly counters = {
    messagesReceived: 0,
    messagesNew: 0,
    messagesKnown: 0,
    messagesRejected: 0,
    requestsServed: 0,
    requestsIgnored: 0,
    announcementsReceived: 0,
    unexpectedResponses: 0,
  };

  constructor(
    options: GossipServiceOptions,
    private readonly modules: GossipServiceModules,
  ) {
    const random = modules.random ?? Math.random;
    this.logger = (modules.logger ?? silentLogger).child({ component: "gossip" });
    this.maxInFlightPerPeer = options.maxInFlightPerPeer ?? 512;
    this.maxServedPerSecond = options.maxServedPerSecond ?? 5_000;
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 30_000;
    this.heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? 100_000;
    this.blocklist = new Blocklist(
      options.blockDurationMs === undefined ? {} : { durationMs: options.blockDurationMs },
      modules.now,
    );
    const managerOptions: Partial<PeerManagerOptions> &
      Pick<PeerManagerOptions, "networkName" | "networkId" | "rulesHash" | "bind"> = {
      networkName: options.networkName,
      networkId: options.rules.networkId,
      rulesHash: rulesHash(options.rules),
      bind: options.bind,
      peers: options.peers,
      ...(options.announce === undefined ? {} : { announce: options.announce }),
      ...definedOnly({
        maxPeers: options.maxPeers,
        discoveryIntervalMs: options.discoveryIntervalMs,
        discoveryFirstMs: options.discoveryFirstMs,
        bidirectionalTimeoutMs: options.bidirectionalTimeoutMs,
        handshakeTimeoutMs: options.handshakeTimeoutMs,
        dialTimeoutMs: options.dialTimeoutMs,
        reconnectBaseMs: options.reconnectBaseMs,
      }),
    };
    this.manager = new PeerManager(managerOptions, {
      identity: modules.identity,
      blocklist: this.blocklist,
      now: modules.now,
      random,
      logger: this.logger,
      listener: {
        onPeerConnected: (peer) => this.onPeerConnected(peer),
        onPeerDisconnected: (peer) => this.onPeerGone(peer),
        onFrame: (peer, frame) => this.onFrame(peer, frame),
      },
    });
    const tangle = modules.tangle;
    this.requesterOptions = options.requester ?? {};
    this.requester = new GossipRequester(this.requesterOptions, {
      peers: this.manager,
      now: modules.now,
      random,
      hasMessage: (id) => tangle.hasMessage(id),
      hasMilestone: (index) => tangle.getMilestone(index) !== undefined,
      chain: () => ({
        confirmedIndex: tangle.confirmedMilestoneIndex,
        latestIndex: tangle.latestMilestoneIndex,
        prunedIndex: tangle.pruningIndex,
      }),
      onGiveUp: ({ idHex, blame }) => this.onGiveUp(idHex, blame),
    });
    this.broadcaster = new Broadcaster(
      definedOnly({
        mode: options.mode,
        infectionTarget: options.infectionTarget,
        saturationPercent: options.saturationPercent,
        responseTimeoutMs: options.gossipResponseTimeoutMs,
      }),
      { peers: this.manager, now: modules.now, random },
    );
  }

  get nodeIdHex(): string {
    return this.modules.identity.nodeIdHex;
  }

  get mode(): GossipMode {
    return this.broadcaster.mode;
  }

  /** Listens, dials the configured peers and starts the timers (requests every second, heartbeats, gossip timeouts). */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    const events = this.modules.events;
    this.unsubscribe.push(
      events.on("message.solid", (e) => this.onSolid(e.messageId, e.messageIdHex)),
      events.on("milestone.latest", () => this.scheduleHeartbeat()),
      events.on("milestone.confirmed", () => this.scheduleHeartbeat()),
    );
    await this.manager.start();
    // Tick often enough for the configured retry interval (tests shorten it), at most once a second otherwise.
    const retryMs = this.requesterOptions.retryIntervalMs ?? 5_000;
    this.every(Math.min(1_000, Math.max(20, Math.floor(retryMs / 4))), () => this.requester.tick());
    this.every(100, () => this.broadcaster.tick());
    this.every(5_000, () => this.checkHeartbeats());
    this.logger.info("Gossip listening", {
      nodeId: this.nodeIdHex,
      endpoint: `${this.listenEndpoint().host}:${this.listenEndpoint().port}`,
      mode: this.mode,
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const off of this.unsubscribe) off();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.manager.close();
  }

  listenEndpoint(): { host: string; port: number } {
    return this.manager.listenEndpoint();
  }

  // --- what the pipeline asks of the network -------------------------------------------------------------------

  request(id: Uint8Array, hint: RequestHint): void {
    this.requester.request(id, hint);
  }

  requestMilestone(index: number): void {
    this.requester.requestMilestone(index);
  }

  // --- inspection and control (the API exposes these) ----------------------------------------------------------

  peers(): PeerInfo[] {
    return this.manager.peerInfo();
  }

  endpoints(): EndpointInfo[] {
    return this.manager.endpointInfo();
  }

  blocked(): BlockEntry[] {
    return this.blocklist.list();
  }

  addPeer(endpoint: Endpoint): void {
    this.manager.addPeer(endpoint);
  }

  removePeer(nodeIdHex: string): boolean {
    return this.manager.removePeer(nodeIdHex);
  }

  unblock(nodeIdHex: string): boolean {
    return this.blocklist.unblock(nodeIdHex);
  }

  syncStatus(): SyncStatus {
    const tangle = this.modules.tangle;
    const cmi = tangle.confirmedMilestoneIndex;
    const lmi = tangle.latestMilestoneIndex;
    const connected = this.manager.connected();
    return {
      confirmedIndex: cmi,
      latestIndex: lmi,
      synced: lmi !== 0 && cmi >= lmi,
      almostSynced: isNodeAlmostSynced(cmi, lmi),
      connectedPeers: connected.length,
      syncedPeers: connected.filter((p) => this.isPeerSynced(p.heartbeat)).length,
    };
  }

  stats(): GossipStats {
    return { ...this.counters, requester: this.requester.stats(), broadcaster: this.broadcaster.stats() };
  }

  // --- peers coming and going ----------------------------------------------------------------------------------

  private onPeerConnected(peer: Peer): void {
    this.loads.set(peer.nodeIdHex, { inFlight: 0, servedThisSecond: 0, second: 0 });
    // chrysalis.md §12: a heartbeat and a request for the peer's latest milestone right after the stream opens.
    peer.send(PacketType.HEARTBEAT, this.heartbeatBody(), "request");
    peer.send(PacketType.MILESTONE_REQUEST, encodeMilestoneRequest(0), "request");
  }

  private onPeerGone(peer: Peer): void {
    this.loads.delete(peer.nodeIdHex);
    this.requester.onPeerGone(peer.nodeIdHex);
    this.broadcaster.onPeerGone(peer.nodeIdHex);
  }

  private onFrame(peer: Peer, frame: Frame): void {
    try {
      switch (frame.type) {
        case PacketType.MESSAGE:
          peer.metrics.receivedMessages++;
          this.onMessage(peer, frame.body);
          return;
        case PacketType.MESSAGE_REQUEST:
          peer.metrics.receivedMessageRequests++;
          this.onMessageRequest(peer, decodeMessageId(frame.body));
          return;
        case PacketType.MILESTONE_REQUEST:
          peer.metrics.receivedMilestoneRequests++;
          this.onMilestoneRequest(peer, decodeMilestoneRequest(frame.body));
          return;
        case PacketType.HEARTBEAT:
          peer.metrics.receivedHeartbeats++;
          this.onHeartbeat(peer, decodeHeartbeat(frame.body));
          return;
        case PacketType.GOSSIP:
          this.onAnnouncement(peer, decodeMessageId(frame.body));
          return;
        case PacketType.GOSSIP_RESPONSE: {
          const { id, alreadyHeld } = decodeGossipResponse(frame.body);
          if (!this.broadcaster.onGossipResponse(peer.nodeIdHex, bytesToHex(id), alreadyHeld)) {
            this.counters.unexpectedResponses++;
          }
          return;
        }
        default:
          // Handshake and endpoints frames are the peer manager's; anything else cannot pass the frame decoder.
          return;
      }
    } catch (e) {
      const detail = e instanceof GossipError ? e.message : String(e);
      this.manager.block(peer.nodeIdHex, "malformed-frame", detail);
    }
  }

  // --- messages --------------------------------------------------------------------------------------------------

  private onMessage(peer: Peer, bytes: Uint8Array): void {
    this.counters.messagesReceived++;
    const id = messageId(bytes);
    const idHex = bytesToHex(id);
    const origin = this.origins.get(idHex) ?? { requested: false, holders: new Set<string>() };
    origin.holders.add(peer.nodeIdHex);
    if (this.inFlight.has(idHex) || this.modules.tangle.hasMessage(id)) {
      // A copy of something we hold or are ingesting (most of what flood delivers): only note who has it.
      this.origins.set(idHex, origin);
      this.counters.messagesKnown++;
      peer.metrics.knownMessages++;
      return;
    }
    const request = this.requester.takeRequest(idHex);
    if (request !== undefined) origin.requested = true;
    this.origins.set(idHex, origin);
    const opts: SubmitOptions = {
      source: "peer",
      peerId: peer.nodeIdHex,
      requested: request !== undefined,
      ...(request === undefined ? {} : { milestoneIndex: request.milestoneIndex }),
    };
    const load = this.loads.get(peer.nodeIdHex);
    if (load !== undefined && ++load.inFlight === this.maxInFlightPerPeer) peer.setReading(false);
    this.inFlight.add(idHex);
    this.modules.ingress.submit(bytes, opts).then(
      (result) => {
        this.inFlight.delete(idHex);
        if (load !== undefined && load.inFlight-- === this.maxInFlightPerPeer) peer.setReading(true);
        if (result.status === "new") {
          this.counters.messagesNew++;
          peer.metrics.newMessages++;
        } else if (result.status === "known") {
          this.counters.messagesKnown++;
          peer.metrics.knownMessages++;
        } else {
          this.counters.messagesRejected++;
          if (GOSSIP_ACTION[result.code] === "REJECT") {
            const reason = result.code === "MESSAGE_ERROR_INSUFFICIENT_POW" ? "low-pow" : "invalid-message";
            this.manager.block(peer.nodeIdHex, reason, `${result.code}: ${result.detail}`);
          }
        }
      },
      (error: unknown) => {
        // The ingress never rejects for bad input; this is the store failing, not the peer.
        this.inFlight.delete(idHex);
        if (load !== undefined && load.inFlight-- === this.maxInFlightPerPeer) peer.setReading(true);
        this.logger.error("Message ingestion failed", { error: String(error) });
      },
    );
  }

  /** network.md §4: spread a message once it is valid and solid — unless we requested it (Hornet: sync traffic is not gossip) or we are too far behind for it to matter to anyone (Hornet: synced within below-max-depth). */
  private onSolid(id: Uint8Array, idHex: string): void {
    if (this.closed) return;
    const origin = this.origins.get(idHex);
    if (origin?.requested === true) return;
    const tangle = this.modules.tangle;
    if (tangle.latestMilestoneIndex - tangle.confirmedMilestoneIndex > DEFAULT_TIP_SELECTION_PARAMS.belowMaxDepth)
      return;
    const bytes = tangle.getMessageBytes(id);
    if (bytes === undefined) return;
    this.broadcaster.broadcast(id, idHex, bytes, origin?.holders ?? EMPTY_SET);
  }

  /** A peer says it has `id`: "held" if we have it or are ingesting it; otherwise "not held", and we expect it. */
  private onAnnouncement(peer: Peer, id: Uint8Array): void {
    this.counters.announcementsReceived++;
    const idHex = bytesToHex(id);
    // A pending request is not "held": the peers we asked may not have it yet, and this one does (expect() adds it to
    // the request's targets).
    const held = this.inFlight.has(idHex) || this.modules.tangle.hasMessage(id);
    const origin = this.origins.get(idHex) ?? { requested: false, holders: new Set<string>() };
    origin.holders.add(peer.nodeIdHex);
    this.origins.set(idHex, origin);
    peer.send(PacketType.GOSSIP_RESPONSE, encodeGossipResponse(id, held), "response");
    if (!held) this.requester.expect(id, peer.nodeIdHex);
  }

  private onGiveUp(idHex: string, blame: string | undefined): void {
    if (blame === undefined || this.manager.get(blame) === undefined) return;
    this.manager.block(blame, "unsupplied-announcement", `announced ${idHex} and never supplied it`);
  }

  // --- requests we serve -----------------------------------------------------------------------------------------

  private mayServe(peer: Peer): boolean {
    const load = this.loads.get(peer.nodeIdHex);
    if (load === undefined) return false;
    const second = Math.floor(this.modules.now() / 1000);
    if (load.second !== second) {
      load.second = second;
      load.servedThisSecond = 0;
    }
    if (load.servedThisSecond >= this.maxServedPerSecond) {
      this.counters.requestsIgnored++;
      return false;
    }
    load.servedThisSecond++;
    return true;
  }

  /** chrysalis.md §12: answer with the message if we have it, otherwise ignore silently. */
  private onMessageRequest(peer: Peer, id: Uint8Array): void {
    if (!this.mayServe(peer)) return;
    const bytes = this.modules.tangle.getMessageBytes(id);
    if (bytes === undefined) return;
    this.counters.requestsServed++;
    peer.send(PacketType.MESSAGE, bytes, "response");
  }

  /** chrysalis.md §12: answer with the message carrying milestone `index` (0 = our latest), if we have it. */
  private onMilestoneRequest(peer: Peer, index: number): void {
    if (!this.mayServe(peer)) return;
    const tangle = this.modules.tangle;
    const wanted = index === 0 ? tangle.latestMilestoneIndex : index;
    if (wanted === 0) return;
    const milestone = tangle.getMilestone(wanted);
    const bytes = milestone === undefined ? undefined : tangle.getMessageBytes(milestone.messageId);
    if (bytes === undefined) return;
    this.counters.requestsServed++;
    peer.send(PacketType.MESSAGE, bytes, "response");
  }

  // --- heartbeats ------------------------------------------------------------------------------------------------

  private onHeartbeat(peer: Peer, heartbeat: Heartbeat): void {
    peer.heartbeat = heartbeat;
    peer.lastHeartbeatAt = this.modules.now();
    this.requester.onHeartbeat(peer);
  }

  private heartbeatBody(): Uint8Array {
    const status = this.syncStatus();
    return encodeHeartbeat({
      confirmedIndex: status.confirmedIndex,
      prunedIndex: this.modules.tangle.pruningIndex,
      latestIndex: status.latestIndex,
      connectedPeers: status.connectedPeers,
      syncedPeers: status.syncedPeers,
    });
  }

  /** Milestone indexes changed: one heartbeat to every peer at the end of this turn. */
  private scheduleHeartbeat(): void {
    if (this.heartbeatScheduled || this.closed) return;
    this.heartbeatScheduled = true;
    setImmediate(() => {
      this.heartbeatScheduled = false;
      this.sendHeartbeats();
    });
  }

  private sendHeartbeats(): void {
    if (this.closed) return;
    this.lastHeartbeatSentAt = this.modules.now();
    const body = this.heartbeatBody();
    for (const peer of this.manager.connected()) peer.send(PacketType.HEARTBEAT, body, "request");
  }

  /** Periodic heartbeat, and drop peers that stay silent (chrysalis.md §12: 5 s after opening, 100 s later on). */
  private checkHeartbeats(): void {
    const now = this.modules.now();
    if (now - this.lastHeartbeatSentAt >= this.heartbeatIntervalMs) this.sendHeartbeats();
    for (const peer of this.manager.connected()) {
      const limit = peer.heartbeat === null ? FIRST_HEARTBEAT_TIMEOUT_MS : this.heartbeatTimeoutMs;
      if (now - peer.lastHeartbeatAt > limit) {
        this.logger.info("Peer sent no heartbeat", { peer: shortNodeId(peer.nodeIdHex) });
        this.manager.disconnect(
          peer.nodeIdHex,
          new GossipError("GOSSIP_ERROR_CONNECT_FAILED", `no heartbeat for ${now - peer.lastHeartbeatAt} ms`),
        );
      }
    }
  }

  private isPeerSynced(heartbeat: Heartbeat | null): boolean {
    if (heartbeat === null) return false;
    const reference = Math.max(heartbeat.latestIndex, this.modules.tangle.latestMilestoneIndex);
    return heartbeat.confirmedIndex >= reference - SYNCED_PEER_THRESHOLD;
  }

  private every(ms: number, fn: () => void): void {
    const timer = setInterval(() => {
      if (this.closed) return;
      try {
        fn();
      } catch (error) {
        this.logger.error("Gossip timer failed", { error: String(error) });
      }
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }
}

const EMPTY_SET: ReadonlySet<string> = new Set();

/** Drops undefined values, so optional settings fall back to the parts' own defaults (exactOptionalPropertyTypes). */
function definedOnly<T extends Record<string, unknown>>(values: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) if (value !== undefined) out[key] = value;
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}
