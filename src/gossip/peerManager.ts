/**
 * Connections and peers (protocol/network.md §2, §6, §7): listening, dialing with backoff, one-way connections paired
 * into peers with dial-back and the bidirectional timeout, the handshake, loopback detection, `maxPeers`, blocks and
 * endpoint discovery. What flows over a connected peer is not its business: frames go to the listener.
 *
 * A peer is a pair of one-way connections: we send only on the one we dialed (outbound) and read only the one it
 * dialed (inbound). The dialer's first frame is its handshake; the listener checks it, and dials back to the
 * announced endpoint unless it already has (or is making) an outbound connection to that NodeId. A peer counts as
 * connected only while both directions are up, and when one direction goes, the other is closed too, so the two
 * nodes never disagree for long about whether they are peers (the asymmetric-state trouble Casper's history shows).
 */
import type { Logger } from "../logger/logger.js";
import { silentLogger } from "../logger/logger.js";
import type { Blocklist } from "./blocklist.js";
import { Connection, type ConnectionLimits, DEFAULT_CONNECTION_LIMITS } from "./connection.js";
import { endpointKey, formatEndpoint } from "./endpoint.js";
import type { Frame } from "./framing.js";
import { GossipError, type GossipErrorCode } from "./gossipError.js";
import { checkHandshake, decodeHandshake, encodeHandshake, type Handshake, PROTOCOL_VERSION } from "./handshake.js";
import type { NodeIdentity } from "./identity.js";
import { shortNodeId } from "./identity.js";
import { decodeEndpoints, ENDPOINTS_COUNT_MAX, encodeEndpoints } from "./packetCodec.js";
import { PacketType } from "./packets.js";
import type { BlockReason, Endpoint, GossipPeer, Heartbeat, PeerDirectory, SendClass } from "./peerTypes.js";
import { type AuthenticatedSocket, dialTls, listenTls, type TlsListener } from "./tlsTransport.js";

export interface PeerManagerOptions {
  networkName: string;
  networkId: bigint;
  rulesHash: Uint8Array;
  bind: { host: string; port: number };
  /** The endpoint peers should dial; default: the bind address with the port actually bound. */
  announce?: { host: string; port: number };
  /** Configured peers: dialed at start, never forgotten. */
  peers: readonly Endpoint[];
  maxPeers: number;
  bidirectionalTimeoutMs: number;
  handshakeTimeoutMs: number;
  dialTimeoutMs: number;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  /** A discovered endpoint is forgotten after this many failed tries in a row. */
  maxFailedTries: number;
  discoveryIntervalMs: number;
  discoveryFirstMs: number;
  /** Known endpoints kept at most (configured ones always). */
  maxEndpoints: number;
  connectionLimits: ConnectionLimits;
}

export const DEFAULT_PEER_MANAGER_OPTIONS: Omit<
  PeerManagerOptions,
  "networkName" | "networkId" | "rulesHash" | "bind"
> = {
  peers: [],
  maxPeers: 32,
  bidirectionalTimeoutMs: 10_000,
  handshakeTimeoutMs: 10_000,
  dialTimeoutMs: 10_000,
  reconnectBaseMs: 1_000,
  reconnectMaxMs: 5 * 60_000,
  maxFailedTries: 8,
  discoveryIntervalMs: 30_000,
  discoveryFirstMs: 5_000,
  maxEndpoints: 1_000,
  connectionLimits: DEFAULT_CONNECTION_LIMITS,
};

export interface PeerListener {
  onPeerConnected(peer: Peer): void;
  onPeerDisconnected(peer: Peer, error: GossipError | null): void;
  /** A frame from a connected peer's inbound connection (never a handshake or endpoints frame). */
  onFrame(peer: Peer, frame: Frame): void;
}

export interface PeerManagerModules {
  identity: NodeIdentity;
  blocklist: Blocklist;
  listener: PeerListener;
  now(): number;
  random(): number;
  logger?: Logger;
}

/** Codes that prove a peer broke the protocol (network.md §7): they block it. Everything else is transient. */
const FAULT_CODES: ReadonlySet<GossipErrorCode> = new Set([
  "GOSSIP_ERROR_FRAME_UNKNOWN_TYPE",
  "GOSSIP_ERROR_FRAME_TOO_LONG",
  "GOSSIP_ERROR_FRAME_WRONG_SIZE",
  "GOSSIP_ERROR_PACKET_MALFORMED",
  "GOSSIP_ERROR_HANDSHAKE_EXPECTED",
]);

export type EndpointOrigin = "configured" | "discovered" | "inbound";

interface EndpointState {
  endpoint: Endpoint;
  origin: EndpointOrigin;
  failures: number;
  nextAttemptAt: number;
  dialing: boolean;
  /** It led to ourselves: never dialed again. */
  loopback: boolean;
  lastError: string | null;
}

/**
 * What one peer sent us and what we queued for it, by packet kind, since its connection was paired (Hornet's per-peer
 * gossip metrics, chrysalis.md §10.2).
 */
export interface PeerMetrics {
  /** Messages it sent that were new to us. */
  newMessages: number;
  /** Messages it sent that we held or were ingesting already. */
  knownMessages: number;
  receivedMessages: number;
  receivedMessageRequests: number;
  receivedMilestoneRequests: number;
  receivedHeartbeats: number;
  sentMessages: number;
  sentMessageRequests: number;
  sentMilestoneRequests: number;
  sentHeartbeats: number;
}

function emptyPeerMetrics(): PeerMetrics {
  return {
    newMessages: 0,
    knownMessages: 0,
    receivedMessages: 0,
    receivedMessageRequests: 0,
    receivedMilestoneRequests: 0,
    receivedHeartbeats: 0,
    sentMessages: 0,
    sentMessageRequests: 0,
    sentMilestoneRequests: 0,
    sentHeartbeats: 0,
  };
}

export interface PeerInfo {
  nodeIdHex: string;
  endpoint: string | null;
  origin: EndpointOrigin | null;
  connected: boolean;
  outbound: boolean;
  inbound: boolean;
  connectedSince: number | null;
  heartbeat: Heartbeat | null;
  framesSent: number;
  framesReceived: number;
  bytesSent: number;
  bytesReceived: number;
  gossipDropped: number;
  /** Bytes waiting in the send queue of our connection to it. */
  queuedBytes: number;
  metrics: PeerMetrics;
}

export interface EndpointInfo {
  endpoint: string;
  origin: EndpointOrigin;
  failures: number;
  nextAttemptAt: number;
  loopback: boolean;
  lastError: string | null;
}

export class Peer implements GossipPeer {
  outbound: Connection | null = null;
  inbound: Connection | null = null;
  /** Where it listens (announced in its handshake, host resolved against the address it came from). */
  endpoint: Endpoint | null = null;
  heartbeat: Heartbeat | null = null;
  lastHeartbeatAt = 0;
  connectedSince: number | null = null;
  pairTimer: NodeJS.Timeout | null = null;
  handshakeTimer: NodeJS.Timeout | null = null;
  /** The gossip service counts what arrives; send() counts what goes out. */
  readonly metrics: PeerMetrics = emptyPeerMetrics();

  constructor(readonly nodeIdHex: string) {}

  get connected(): boolean {
    return this.connectedSince !== null;
  }

  send(type: PacketType, body: Uint8Array, sendClass: SendClass): boolean {
    const queued = this.connected && (this.outbound?.send(type, body, sendClass) ?? false);
    if (queued) {
      if (type === PacketType.MESSAGE) this.metrics.sentMessages++;
      else if (type === PacketType.MESSAGE_REQUEST) this.metrics.sentMessageRequests++;
      else if (type === PacketType.MILESTONE_REQUEST) this.metrics.sentMilestoneRequests++;
      else if (type === PacketType.HEARTBEAT) this.metrics.sentHeartbeats++;
    }
    return queued;
  }

  /** Stops reading its inbound connection (backpressure) or starts again. */
  setReading(on: boolean): void {
    if (on) this.inbound?.resume();
    else this.inbound?.pause();
  }
}

const UNSPECIFIED_HOSTS = new Set(["0.0.0.0", "::", "[::]", ""]);

export class PeerManager implements PeerDirectory {
  private readonly options: PeerManagerOptions;
  private readonly peersById = new Map<string, Peer>();
  private readonly endpoints = new Map<string, EndpointState>();
  /** NodeIds we are dialing right now (so an inbound connection from them is not dialed back twice). */
  private readonly dialingIds = new Set<string>();
  private readonly pendingInbound = new Set<Connection>();
  private listener: TlsListener | null = null;
  private ticker: NodeJS.Timeout | null = null;
  private nextDiscoveryAt = 0;
  private closed = false;
  private readonly logger: Logger;
  private handshakeBody: Uint8Array | null = null;
  private connectedCache: Peer[] | null = null;
  private ourHandshake: Handshake | null = null;

  constructor(
    options: Partial<PeerManagerOptions> & Pick<PeerManagerOptions, "networkName" | "networkId" | "rulesHash" | "bind">,
    private readonly modules: PeerManagerModules,
  ) {
    this.options = { ...DEFAULT_PEER_MANAGER_OPTIONS, ...options };
    this.logger = modules.logger ?? silentLogger;
  }

  get nodeIdHex(): string {
    return this.modules.identity.nodeIdHex;
  }

  /** Listens, then dials the configured peers; maintenance (reconnects, timeouts, discovery) runs every second. */
  async start(): Promise<void> {
    this.listener = await listenTls(
      this.modules.identity,
      { host: this.options.bind.host, port: this.options.bind.port, handshakeTimeoutMs: this.options.dialTimeoutMs },
      (socket) => this.onInbound(socket),
      (error, address) => this.logger.debug("Inbound TLS connection refused", { code: error.code, address }),
    );
    const announce = this.announcedEndpoint();
    this.ourHandshake = {
      protocolVersion: PROTOCOL_VERSION,
      networkName: this.options.networkName,
      networkId: this.options.networkId,
      rulesHash: this.options.rulesHash,
      endpoint: announce,
    };
    this.handshakeBody = encodeHandshake(this.ourHandshake);
    for (const endpoint of this.options.peers) this.addEndpoint(endpoint, "configured");
    this.nextDiscoveryAt = this.modules.now() + this.options.discoveryFirstMs;
    this.ticker = setInterval(() => this.tick(), 250);
    this.ticker.unref();
    this.tick();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ticker !== null) clearInterval(this.ticker);
    for (const conn of this.pendingInbound) conn.close();
    for (const peer of [...this.peersById.values()]) this.dropPeer(peer, null);
    await this.listener?.close();
  }

  /** The endpoint we listen on (with the real port when we bound port 0). */
  listenEndpoint(): { host: string; port: number } {
    if (this.listener === null) throw new Error("PeerManager.listenEndpoint() before start()");
    return { host: this.listener.host, port: this.listener.port };
  }

  /** Connected peers; the array is rebuilt only when a peer connects or goes (gossip asks for it per frame). */
  connected(): readonly Peer[] {
    if (this.connectedCache === null) {
      this.connectedCache = [];
      for (const peer of this.peersById.values()) if (peer.connected) this.connectedCache.push(peer);
    }
    return this.connectedCache;
  }

  get(nodeIdHex: string): Peer | undefined {
    const peer = this.peersById.get(nodeIdHex);
    return peer?.connected ? peer : undefined;
  }

  /** Adds an endpoint to dial (API "add peer"); configured endpoints are never forgotten. */
  addPeer(endpoint: Endpoint): void {
    const state = this.addEndpoint(endpoint, "configured");
    if (state !== null) {
      state.origin = "configured";
      state.nextAttemptAt = this.modules.now();
      this.tick();
    }
  }

  /** Disconnects a peer and forgets its endpoints (API "remove peer"); true if it was known. */
  removePeer(nodeIdHex: string): boolean {
    let known = false;
    for (const [key, state] of this.endpoints) {
      if (state.endpoint.nodeIdHex === nodeIdHex) {
        this.endpoints.delete(key);
        known = true;
      }
    }
    const peer = this.peersById.get(nodeIdHex);
    if (peer !== undefined) {
      this.dropPeer(peer, null);
      known = true;
    }
    return known;
  }

  /** Closes the peer's connections; it may reconnect (transient fault, no block). */
  disconnect(nodeIdHex: string, error: GossipError | null): void {
    const peer = this.peersById.get(nodeIdHex);
    if (peer !== undefined) this.dropPeer(peer, error);
  }

  /** Blocks a peer for a provable fault (network.md §7) and closes its connections. */
  block(nodeIdHex: string, reason: BlockReason, detail: string): void {
    const peer = this.peersById.get(nodeIdHex);
    const address = peer?.inbound?.remoteAddress ?? peer?.outbound?.remoteAddress;
    this.modules.blocklist.block({ nodeIdHex, ...(address === undefined ? {} : { address }) }, reason, detail);
    this.logger.warn("Peer blocked", { peer: shortNodeId(nodeIdHex), reason, detail });
    if (peer !== undefined) {
      this.dropPeer(peer, new GossipError("GOSSIP_ERROR_BLOCKED", `blocked (${reason}): ${detail}`));
    }
  }

  peerInfo(): PeerInfo[] {
    const out: PeerInfo[] = [];
    for (const peer of this.peersById.values()) {
      const o = peer.outbound?.stats();
      const i = peer.inbound?.stats();
      const state = peer.endpoint === null ? undefined : this.endpoints.get(endpointKey(peer.endpoint));
      out.push({
        nodeIdHex: peer.nodeIdHex,
        endpoint:
          peer.endpoint === null ? null : formatEndpoint({ host: peer.endpoint.host, port: peer.endpoint.port }),
        origin: state?.origin ?? null,
        connected: peer.connected,
        outbound: peer.outbound !== null,
        inbound: peer.inbound !== null,
        connectedSince: peer.connectedSince,
        heartbeat: peer.heartbeat,
        framesSent: o?.framesSent ?? 0,
        framesReceived: i?.framesReceived ?? 0,
        bytesSent: o?.bytesSent ?? 0,
        bytesReceived: i?.bytesReceived ?? 0,
        gossipDropped: o?.gossipDropped ?? 0,
        queuedBytes: o?.queuedBytes ?? 0,
        metrics: { ...peer.metrics },
      });
    }
    return out;
  }

  endpointInfo(): EndpointInfo[] {
    return [...this.endpoints.values()].map((s) => ({
      endpoint: formatEndpoint(s.endpoint),
      origin: s.origin,
      failures: s.failures,
      nextAttemptAt: s.nextAttemptAt,
      loopback: s.loopback,
      lastError: s.lastError,
    }));
  }

  /** Dials endpoints whose time has come, and sends discovery frames when due. */
  tick(): void {
    if (this.closed) return;
    const now = this.modules.now();
    let slots = this.options.maxPeers - this.peersById.size;
    // Configured endpoints first: they are what the operator asked for.
    const due = [...this.endpoints.values()]
      .filter((s) => !s.dialing && !s.loopback && s.nextAttemptAt <= now && !this.isPeer(s.endpoint))
      .sort((a, b) => Number(b.origin === "configured") - Number(a.origin === "configured"));
    for (const state of due) {
      if (slots <= 0 && state.origin !== "configured") break;
      if (this.isBlockedEndpoint(state.endpoint)) {
        state.nextAttemptAt = now + this.options.reconnectBaseMs;
        continue;
      }
      slots--;
      this.dial(state);
    }
    if (now >= this.nextDiscoveryAt) {
      this.nextDiscoveryAt = now + this.options.discoveryIntervalMs;
      this.sendDiscovery();
    }
  }

  private isPeer(endpoint: Endpoint): boolean {
    if (endpoint.nodeIdHex === undefined) return false;
    if (endpoint.nodeIdHex === this.nodeIdHex) return true;
    return this.peersById.get(endpoint.nodeIdHex)?.outbound != null || this.dialingIds.has(endpoint.nodeIdHex);
  }

  private isBlockedEndpoint(endpoint: Endpoint): boolean {
    return (
      this.modules.blocklist.check({
        address: endpoint.host,
        ...(endpoint.nodeIdHex === undefined ? {} : { nodeIdHex: endpoint.nodeIdHex }),
      }) !== undefined
    );
  }

  private addEndpoint(endpoint: Endpoint, origin: EndpointOrigin): EndpointState | null {
    const key = endpointKey(endpoint);
    const existing = this.endpoints.get(key);
    if (existing !== undefined) {
      if (endpoint.nodeIdHex !== undefined && existing.endpoint.nodeIdHex === undefined) {
        existing.endpoint = { ...existing.endpoint, nodeIdHex: endpoint.nodeIdHex };
      }
      return existing;
    }
    if (origin !== "configured" && this.endpoints.size >= this.options.maxEndpoints) return null;
    const state: EndpointState = {
      endpoint: { ...endpoint },
      origin,
      failures: 0,
      nextAttemptAt: this.modules.now(),
      dialing: false,
      loopback: false,
      lastError: null,
    };
    this.endpoints.set(key, state);
    return state;
  }

  private backoff(state: EndpointState, error: string): void {
    state.failures++;
    state.lastError = error;
    if (state.origin !== "configured" && state.failures >= this.options.maxFailedTries) {
      this.endpoints.delete(endpointKey(state.endpoint));
      this.logger.debug("Endpoint forgotten after failed tries", { endpoint: formatEndpoint(state.endpoint) });
      return;
    }
    // network.md §2: 1 s · 2^n, capped at 5 min; a little jitter so that two nodes that lost each other do not redial
    // in lockstep forever.
    const delay = Math.min(this.options.reconnectBaseMs * 2 ** (state.failures - 1), this.options.reconnectMaxMs);
    state.nextAttemptAt = this.modules.now() + delay * (0.9 + 0.2 * this.modules.random());
  }

  private dial(state: EndpointState): void {
    state.dialing = true;
    const expected = state.endpoint.nodeIdHex;
    if (expected !== undefined) this.dialingIds.add(expected);
    dialTls(this.modules.identity, state.endpoint, { timeoutMs: this.options.dialTimeoutMs }).then(
      (auth) => {
        state.dialing = false;
        if (expected !== undefined) this.dialingIds.delete(expected);
        this.onOutbound(state, auth);
      },
      (error: unknown) => {
        state.dialing = false;
        if (expected !== undefined) this.dialingIds.delete(expected);
        const message = error instanceof Error ? error.message : String(error);
        this.logger.debug("Dial failed", { endpoint: formatEndpoint(state.endpoint), error: message });
        this.backoff(state, message);
      },
    );
  }

  private onOutbound(state: EndpointState, auth: AuthenticatedSocket): void {
    const id = auth.remoteNodeIdHex;
    if (this.closed) {
      auth.socket.destroy();
      return;
    }
    if (id === this.nodeIdHex) {
      state.loopback = true;
      state.lastError = new GossipError("GOSSIP_ERROR_LOOPBACK", "this endpoint is this node").message;
      auth.socket.destroy();
      this.logger.debug("Endpoint leads to ourselves", { endpoint: formatEndpoint(state.endpoint) });
      return;
    }
    if (this.modules.blocklist.check({ nodeIdHex: id, address: auth.remoteAddress }) !== undefined) {
      auth.socket.destroy();
      this.backoff(state, "peer is blocked");
      return;
    }
    if (state.endpoint.nodeIdHex === undefined) state.endpoint = { ...state.endpoint, nodeIdHex: id };
    let peer = this.peersById.get(id);
    if (peer?.outbound != null) {
      // A second route to a peer we already send to (simultaneous dial-back, two addresses of one node).
      auth.socket.destroy();
      return;
    }
    if (peer === undefined) {
      if (this.peersById.size >= this.options.maxPeers && state.origin !== "configured") {
        auth.socket.destroy();
        state.nextAttemptAt = this.modules.now() + this.options.reconnectBaseMs * 30;
        return;
      }
      peer = new Peer(id);
      this.peersById.set(id, peer);
    }
    peer.endpoint ??= { host: state.endpoint.host, port: state.endpoint.port, nodeIdHex: id };
    const conn = new Connection(auth, "outbound", this.options.connectionLimits);
    peer.outbound = conn;
    const current = peer;
    conn.attach({
      // One-way: the peer never sends on a connection we dialed; anything it does send is a protocol fault.
      onFrame: () =>
        this.onConnectionFault(
          current,
          new GossipError("GOSSIP_ERROR_PACKET_MALFORMED", "the peer sent data on a connection we dialed"),
        ),
      onClose: (c, error) => this.onConnectionClosed(current, c, error),
    });
    conn.send(PacketType.HANDSHAKE, this.handshakeBody!, "request");
    this.armPairTimer(peer);
    this.maybeConnected(peer);
  }

  private onInbound(auth: AuthenticatedSocket): void {
    if (this.closed || auth.remoteNodeIdHex === this.nodeIdHex) {
      auth.socket.destroy();
      return;
    }
    if (this.modules.blocklist.check({ nodeIdHex: auth.remoteNodeIdHex, address: auth.remoteAddress }) !== undefined) {
      auth.socket.destroy();
      return;
    }
    const conn = new Connection(auth, "inbound", this.options.connectionLimits);
    this.pendingInbound.add(conn);
    const timer = setTimeout(() => {
      conn.close(new GossipError("GOSSIP_ERROR_HANDSHAKE_TIMEOUT", "no handshake within the handshake timeout"));
    }, this.options.handshakeTimeoutMs);
    timer.unref();
    let peer: Peer | null = null;
    conn.attach({
      onFrame: (c, frame) => {
        if (peer === null) {
          clearTimeout(timer);
          this.pendingInbound.delete(c);
          peer = this.onHandshake(c, frame);
          return;
        }
        if (frame.type === PacketType.HANDSHAKE) {
          this.onConnectionFault(peer, new GossipError("GOSSIP_ERROR_PACKET_MALFORMED", "a second handshake"));
        } else if (frame.type === PacketType.ENDPOINTS) {
          this.onEndpoints(peer, frame.body);
        } else if (peer.connected) {
          this.modules.listener.onFrame(peer, frame);
        }
      },
      onClose: (c, error) => {
        clearTimeout(timer);
        this.pendingInbound.delete(c);
        if (peer !== null) this.onConnectionClosed(peer, c, error);
        else if (error !== null && FAULT_CODES.has(error.code)) {
          this.modules.blocklist.block(
            { nodeIdHex: c.remoteNodeIdHex, address: c.remoteAddress },
            "malformed-frame",
            error.message,
          );
        }
      },
    });
  }

  /** The first frame of an inbound connection: returns the peer it belongs to, or null after closing it. */
  private onHandshake(conn: Connection, frame: Frame): Peer | null {
    const id = conn.remoteNodeIdHex;
    const fail = (code: GossipErrorCode, detail: string, reason: BlockReason | null): null => {
      if (reason !== null) {
        this.modules.blocklist.block({ nodeIdHex: id, address: conn.remoteAddress }, reason, detail);
      }
      this.logger.info("Handshake refused", { peer: shortNodeId(id), code, detail, blocked: reason !== null });
      conn.close(new GossipError(code, detail));
      return null;
    };
    if (frame.type !== PacketType.HANDSHAKE) {
      return fail("GOSSIP_ERROR_HANDSHAKE_EXPECTED", `first frame was type ${frame.type}`, "malformed-frame");
    }
    // The version leads the body; a node of another version may lay out the rest differently, so it is compared
    // before the rest is decoded (another version backs off, it is not a fault).
    if (frame.body.length >= 2) {
      const version = frame.body[0]! | (frame.body[1]! << 8);
      if (version !== PROTOCOL_VERSION) {
        return fail("GOSSIP_ERROR_HANDSHAKE_VERSION", `protocol version ${version}, ours is ${PROTOCOL_VERSION}`, null);
      }
    }
    let theirs: Handshake;
    try {
      theirs = decodeHandshake(frame.body);
    } catch (e) {
      return fail("GOSSIP_ERROR_PACKET_MALFORMED", (e as Error).message, "malformed-frame");
    }
    const verdict = checkHandshake(this.ourHandshake!, theirs);
    if (!verdict.ok) {
      const reason: BlockReason | null = !verdict.block
        ? null
        : verdict.code === "GOSSIP_ERROR_HANDSHAKE_WRONG_RULES"
          ? "wrong-rules"
          : "wrong-network";
      return fail(verdict.code, verdict.detail, reason);
    }
    let peer = this.peersById.get(id);
    if (peer === undefined) {
      const configured = [...this.endpoints.values()].some(
        (s) => s.origin === "configured" && s.endpoint.nodeIdHex === id,
      );
      if (this.peersById.size >= this.options.maxPeers && !configured) {
        return fail("GOSSIP_ERROR_MAX_PEERS", `already ${this.options.maxPeers} peers`, null);
      }
      peer = new Peer(id);
      this.peersById.set(id, peer);
    }
    if (peer.inbound !== null && peer.inbound !== conn) {
      // The peer dialed again (it restarted or lost its side): the newer connection wins.
      const old = peer.inbound;
      peer.inbound = null;
      old.close();
    }
    peer.inbound = conn;
    const host = UNSPECIFIED_HOSTS.has(theirs.endpoint.host) ? conn.remoteAddress : theirs.endpoint.host;
    peer.endpoint = { host, port: theirs.endpoint.port, nodeIdHex: id };
    const state = this.addEndpoint(peer.endpoint, "inbound");
    if (peer.outbound === null && !this.dialingIds.has(id) && state !== null && !state.dialing) {
      // One-way connections: answer with our own connection to the endpoint it announced.
      this.dial(state);
    }
    this.armPairTimer(peer);
    this.maybeConnected(peer);
    return peer;
  }

  private armPairTimer(peer: Peer): void {
    if (peer.pairTimer !== null || peer.connected) return;
    peer.pairTimer = setTimeout(() => {
      peer.pairTimer = null;
      if (peer.connected) return;
      const error = new GossipError(
        "GOSSIP_ERROR_BIDIRECTIONAL_TIMEOUT",
        `both directions were not up within ${this.options.bidirectionalTimeoutMs} ms`,
      );
      this.logger.debug("Peer pairing timed out", { peer: shortNodeId(peer.nodeIdHex) });
      this.dropPeer(peer, error);
    }, this.options.bidirectionalTimeoutMs);
    peer.pairTimer.unref();
  }

  private maybeConnected(peer: Peer): void {
    if (peer.connected || peer.outbound === null || peer.inbound === null) return;
    if (peer.pairTimer !== null) clearTimeout(peer.pairTimer);
    peer.pairTimer = null;
    peer.connectedSince = this.modules.now();
    peer.lastHeartbeatAt = peer.connectedSince;
    this.connectedCache = null;
    if (peer.endpoint !== null) {
      const state = this.endpoints.get(endpointKey(peer.endpoint));
      if (state !== undefined) {
        state.failures = 0;
        state.lastError = null;
      }
    }
    this.logger.info("Peer connected", {
      peer: shortNodeId(peer.nodeIdHex),
      endpoint: peer.endpoint === null ? null : formatEndpoint(peer.endpoint),
    });
    this.modules.listener.onPeerConnected(peer);
  }

  private onConnectionFault(peer: Peer, error: GossipError): void {
    this.block(peer.nodeIdHex, "malformed-frame", error.message);
  }

  private onConnectionClosed(peer: Peer, conn: Connection, error: GossipError | null): void {
    if (peer.outbound === conn) peer.outbound = null;
    else if (peer.inbound === conn) peer.inbound = null;
    else return;
    if (error !== null && FAULT_CODES.has(error.code)) {
      this.block(peer.nodeIdHex, "malformed-frame", error.message);
      return;
    }
    this.dropPeer(peer, error);
  }

  /** Closes both directions and forgets the peer; its endpoint is redialed after a backoff. */
  private dropPeer(peer: Peer, error: GossipError | null): void {
    if (this.peersById.get(peer.nodeIdHex) !== peer) return;
    this.peersById.delete(peer.nodeIdHex);
    if (peer.pairTimer !== null) clearTimeout(peer.pairTimer);
    peer.pairTimer = null;
    const wasConnected = peer.connected;
    peer.connectedSince = null;
    this.connectedCache = null;
    const { outbound, inbound } = peer;
    peer.outbound = null;
    peer.inbound = null;
    outbound?.close(error);
    inbound?.close(error);
    if (peer.endpoint !== null) {
      const state = this.endpoints.get(endpointKey(peer.endpoint));
      if (state !== undefined && !state.dialing) this.backoff(state, error?.message ?? "disconnected");
    }
    if (wasConnected) {
      this.logger.info("Peer disconnected", {
        peer: shortNodeId(peer.nodeIdHex),
        code: error?.code ?? null,
        detail: error?.message ?? null,
      });
      this.modules.listener.onPeerDisconnected(peer, error);
    }
  }

  /** Our announced endpoint (network.md §2): configured, or the bind address with the real port. */
  private announcedEndpoint(): { host: string; port: number } {
    if (this.options.announce !== undefined) return this.options.announce;
    const listen = this.listenEndpoint();
    return { host: this.options.bind.host, port: listen.port };
  }

  /** network.md §6: our endpoint and a sample of the endpoints of our connected peers, to every connected peer. */
  private sendDiscovery(): void {
    const peers = this.connected();
    if (peers.length === 0) return;
    const known: Required<Endpoint>[] = [];
    for (const p of peers) {
      if (p.endpoint !== null) known.push({ host: p.endpoint.host, port: p.endpoint.port, nodeIdHex: p.nodeIdHex });
    }
    const own = this.ourHandshake!.endpoint;
    for (const peer of peers) {
      const sample = shuffled(
        known.filter((e) => e.nodeIdHex !== peer.nodeIdHex),
        this.modules.random,
      ).slice(0, ENDPOINTS_COUNT_MAX - 1);
      if (!UNSPECIFIED_HOSTS.has(own.host)) sample.unshift({ ...own, nodeIdHex: this.nodeIdHex });
      if (sample.length > 0) peer.send(PacketType.ENDPOINTS, encodeEndpoints(sample), "gossip");
    }
  }

  private onEndpoints(peer: Peer, body: Uint8Array): void {
    let list: Required<Endpoint>[];
    try {
      list = decodeEndpoints(body);
    } catch (e) {
      this.onConnectionFault(peer, e as GossipError);
      return;
    }
    for (const endpoint of list) {
      if (endpoint.nodeIdHex === this.nodeIdHex || this.peersById.has(endpoint.nodeIdHex)) continue;
      if (UNSPECIFIED_HOSTS.has(endpoint.host)) continue;
      const added = this.addEndpoint(endpoint, "discovered");
      if (added !== null && added.failures === 0 && !added.dialing) {
        this.logger.debug("Endpoint discovered", {
          endpoint: formatEndpoint(endpoint),
          from: shortNodeId(peer.nodeIdHex),
        });
      }
    }
  }
}

function shuffled<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
