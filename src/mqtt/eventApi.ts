/**
 * The event API (chrysalis.md §10.5, TIP-16): an MQTT 3.1.1 broker (aedes) that publishes the node's events on the
 * topics of topics.ts, reachable over TCP (Hornet: `localhost:1883`) and over WebSocket at `/mqtt` on the REST API's
 * HTTP server (Hornet proxies `/mqtt` to its WebSocket listener; iota.js clients connect to `ws://host:port/mqtt`).
 *
 * Clients only listen. Every publication is QoS 0 and not retained, and goes out only to topics someone subscribed
 * to (eventPublisher.ts). Clients may not publish (MQTT 3.1.1 §3.3.5: the server closes the connection), their will
 * messages are dropped, and every session is clean: nothing of a client is kept after it disconnects.
 *
 * What bounds the memory one client, or many, can take:
 * - `maxClients` open connections, counted from the TCP accept or WebSocket upgrade (over it: TCP is closed,
 *   the upgrade answered 503); a connection must send CONNECT within `connectTimeoutMs`;
 * - `maxSubscriptionsPerClient`, and only topics of the table (each at most 148 characters);
 * - inbound packets of at most `maxPacketBytes` (packetSizeGuard.ts; the WebSocket frame limit matches);
 * - a client whose unsent output exceeds `maxClientBufferBytes`, or whose socket does not drain within
 *   `drainTimeoutMs` (aedes), is disconnected: a slow reader cannot hold the others' deliveries back.
 *
 * createEventApi only builds the broker and subscribes to the events; `listenTcp` and `attachWebSocket` open it to
 * clients and `close()` takes everything down again.
 */
import type { EventEmitter } from "node:events";
import { type Server as HttpServer, type IncomingMessage, STATUS_CODES } from "node:http";
import { createServer as createTcpServer, type Socket, type Server as TcpServer } from "node:net";
import type { Duplex } from "node:stream";
import { Aedes, type Client, type PublishPacket, type Subscription } from "aedes";
import { createWebSocketStream, WebSocketServer } from "ws";
import { type Logger, silentLogger } from "../logger/logger.js";
import type { NodeEventBus } from "../pipeline/events.js";
import { EventPublisher, type EventPublisherDependencies } from "./eventPublisher.js";
import { PacketSizeGuard } from "./packetSizeGuard.js";
import { SubscriptionIndex } from "./subscriptionIndex.js";
import { parseTopic } from "./topics.js";

export interface EventApiDependencies extends EventPublisherDependencies {
  events: Pick<NodeEventBus, "on">;
  /** The node's bech32 HRP: `addresses/{bech32}/outputs` takes addresses of this network only (TIP-11). */
  bech32Hrp: string;
  /** Default: logs nothing. */
  logger?: Logger;
}

export interface EventApiOptions {
  /** Open connections over both transports together, including those that have not sent CONNECT yet. */
  maxClients: number;
  maxSubscriptionsPerClient: number;
  /** Largest inbound packet (variable header and payload). Clients only send CONNECT, SUBSCRIBE and the like. */
  maxPacketBytes: number;
  /** Unsent bytes a client may have queued before it is disconnected as too slow. */
  maxClientBufferBytes: number;
  /** How long a client's socket may stay full before it is disconnected (aedes `drainTimeout`). */
  drainTimeoutMs: number;
  /** How long a new connection has to send CONNECT. */
  connectTimeoutMs: number;
}

export const DEFAULT_EVENT_API_OPTIONS: Readonly<EventApiOptions> = Object.freeze({
  maxClients: 1000,
  // A wallet watching its addresses subscribes to one or two topics per address; iota.js sends them all in one
  // SUBSCRIBE (client-compat.md §7), which maxPacketBytes must hold: 1000 bech32 address topics take about 85 KB.
  maxSubscriptionsPerClient: 1000,
  maxPacketBytes: 128 * 1024,
  // Far above a burst of one milestone's metadata (about 300 bytes per referenced message) to a reader that keeps up;
  // at most maxClients × this is held for slow readers.
  maxClientBufferBytes: 1024 * 1024,
  drainTimeoutMs: 30_000,
  connectTimeoutMs: 10_000,
});

export interface EventApiStats {
  /** Open connections (TCP and WebSocket), whether or not they have sent CONNECT. */
  connections: number;
  /** Connected MQTT clients. */
  clients: number;
  subscriptions: number;
  /** Distinct topics with subscribers (every spelling of one topic counts once). */
  topics: number;
  /** Publications handed to the broker since the start (one per topic, whatever the number of subscribers). */
  published: number;
  refusedConnections: number;
  refusedSubscriptions: number;
  /** Connections closed because the client tried to publish. */
  refusedPublishes: number;
  droppedSlowClients: number;
  droppedOversizedPackets: number;
}

export interface EventApi {
  /** Listens for MQTT over TCP; port 0 picks a free one. Resolves with the address actually bound. */
  listenTcp(host: string, port: number): Promise<{ host: string; port: number }>;
  /** Serves MQTT over WebSocket at `path` of `server` (the REST API's), through its `upgrade` event. */
  attachWebSocket(server: HttpServer, path?: string): void;
  /** Disconnects every client, stops listening and stops following the events. Safe to call more than once. */
  close(): Promise<void>;
  stats(): EventApiStats;
}

export const DEFAULT_WEBSOCKET_PATH = "/mqtt";

/** TCP keep-alive probes after this much silence: iota.js connects with MQTT keep-alive 0, so only TCP notices a
 * vanished client. */
const TCP_KEEPALIVE_DELAY_MS = 60_000;

/** MQTT 3.1.1 §2.2: a fixed header is at most 5 bytes. */
const MAX_FIXED_HEADER_BYTES = 5;

/** SUBACK return code of a refused subscription (MQTT 3.1.1 §3.9.3). */
const SUBACK_FAILURE = 128;

function noop(): void {}

type UpgradeListener = (request: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Answers an upgrade request with a bare HTTP status and closes the socket. */
function refuseUpgrade(socket: Duplex, status: number): void {
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  }
  socket.destroy();
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

class MqttEventApi implements EventApi {
  private readonly broker: Aedes;
  private readonly ready: Promise<void>;
  private readonly index: SubscriptionIndex<Client>;
  private readonly publisher: EventPublisher;
  private readonly detachEvents: () => void;
  private readonly logger: Logger;
  private readonly connections = new Set<Duplex>();
  private readonly upgradeListeners: Array<{ server: HttpServer; listener: UpgradeListener }> = [];
  private webSockets: WebSocketServer | null = null;
  private tcp: TcpServer | null = null;
  private closing: Promise<void> | null = null;
  private readonly counters = {
    published: 0,
    refusedConnections: 0,
    refusedSubscriptions: 0,
    refusedPublishes: 0,
    droppedSlowClients: 0,
    droppedOversizedPackets: 0,
  };

  constructor(
    private readonly deps: EventApiDependencies,
    private readonly options: Readonly<EventApiOptions>,
  ) {
    this.logger = (deps.logger ?? silentLogger).child({ component: "mqtt" });
    this.index = new SubscriptionIndex<Client>(options.maxSubscriptionsPerClient);
    this.broker = new Aedes({
      connectTimeout: options.connectTimeoutMs,
      drainTimeout: options.drainTimeoutMs,
      preConnect: (_client, packet, done) => {
        // Nothing of a client outlives its connection: no stored subscriptions, no will (a will is a publish).
        packet.clean = true;
        delete packet.will;
        done(null, true);
      },
      authorizePublish: (client, _packet, done) => {
        this.counters.refusedPublishes++;
        this.logger.debug("Refused a client's publish", { client: client?.id ?? null });
        done(new Error("clients may not publish to the event API"));
      },
      authorizeSubscribe: (client, subscription, done) => done(null, this.authorizeSubscribe(client, subscription)),
      authorizeForward: (client, packet) => this.forward(client, packet),
    });
    this.ready = this.broker.listen();
    this.broker.on("subscribe", (subscriptions, client) => this.sendCurrentState(client, subscriptions));
    this.broker.on("unsubscribe", (topics, client) => {
      for (const topic of topics) this.index.remove(client, topic);
    });
    this.broker.on("clientError", (client, error) =>
      this.logger.debug("MQTT client dropped", { client: client.id, reason: error.message }),
    );
    // The broker's own failures (its in-memory persistence has none in practice); unheard, an 'error' would throw.
    (this.broker as EventEmitter).on("error", (error: Error) =>
      this.logger.error("MQTT broker error", { error: error.message }),
    );
    this.publisher = new EventPublisher(deps, this.index, (topic, payload) => this.publish(topic, payload));
    this.detachEvents = this.publisher.attach(deps.events);
  }

  async listenTcp(host: string, port: number): Promise<{ host: string; port: number }> {
    if (this.closing !== null) throw new Error("the event API is closed");
    if (this.tcp !== null) throw new Error("the event API listens on TCP already");
    await this.ready;
    const server = createTcpServer(
      { noDelay: true, keepAlive: true, keepAliveInitialDelay: TCP_KEEPALIVE_DELAY_MS },
      (socket: Socket) => this.accept(socket),
    );
    this.tcp = server;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          resolve();
        });
      });
    } catch (e) {
      this.tcp = null;
      throw e;
    }
    server.on("error", (e) => this.logger.warn("MQTT TCP listener error", { error: errorText(e) }));
    const address = server.address();
    const bound = { host, port: typeof address === "object" && address !== null ? address.port : port };
    this.logger.info("Event API listening", { transport: "tcp", host, port: bound.port });
    return bound;
  }

  attachWebSocket(server: HttpServer, path: string = DEFAULT_WEBSOCKET_PATH): void {
    if (this.closing !== null) throw new Error("the event API is closed");
    this.webSockets ??= new WebSocketServer({
      noServer: true,
      clientTracking: false,
      maxPayload: this.options.maxPacketBytes + MAX_FIXED_HEADER_BYTES,
    });
    const webSockets = this.webSockets;
    const listener: UpgradeListener = (request, socket, head) => {
      if ((request.url ?? "").split("?", 1)[0] !== path) {
        // Another upgrade listener (a dashboard feed) may own this path; with none, nobody else would answer.
        if (server.listenerCount("upgrade") === 1) refuseUpgrade(socket, 404);
        return;
      }
      if (this.closing !== null || this.connections.size >= this.options.maxClients) {
        this.counters.refusedConnections++;
        refuseUpgrade(socket, 503);
        return;
      }
      (socket as Socket).setKeepAlive?.(true, TCP_KEEPALIVE_DELAY_MS);
      webSockets.handleUpgrade(request, socket, head, (ws) => this.accept(createWebSocketStream(ws)));
    };
    server.on("upgrade", listener);
    this.upgradeListeners.push({ server, listener });
    this.logger.info("Event API listening", { transport: "websocket", path });
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  stats(): EventApiStats {
    return {
      connections: this.connections.size,
      clients: this.broker.connectedClients ?? 0,
      subscriptions: this.index.subscriptions,
      topics: this.index.keys,
      ...this.counters,
    };
  }

  /** Hands a new connection to the broker, or closes it when the API is full or closing. */
  private accept(conn: Duplex): void {
    if (this.closing !== null || this.connections.size >= this.options.maxClients) {
      this.counters.refusedConnections++;
      conn.destroy();
      return;
    }
    this.connections.add(conn);
    const client = this.broker.handle(conn);
    conn.once("close", () => {
      this.connections.delete(conn);
      this.index.removeClient(client);
    });
    // aedes reads on 'readable'; a 'data' listener added after it sees each chunk as aedes reads it and does not
    // change the flow (Node's stream docs: 'readable' takes precedence).
    const guard = new PacketSizeGuard(this.options.maxPacketBytes);
    conn.on("data", (chunk: Buffer) => {
      if (guard.push(chunk)) return;
      this.counters.droppedOversizedPackets++;
      this.logger.debug("MQTT client sent an oversized packet", { client: client.id ?? null });
      conn.destroy();
    });
  }

  /** The subscription as granted, or null to refuse it (SUBACK 0x80). */
  private authorizeSubscribe(client: Client, subscription: Subscription): Subscription | null {
    const topic = parseTopic(subscription.topic, this.deps.bech32Hrp);
    // A client closing while its SUBSCRIBE is handled would never be removed from the index again.
    const refusal =
      topic === null
        ? "not a topic of the event API"
        : client.closed
          ? "the client is closing"
          : this.index.add(client, subscription.topic, topic) === "limit"
            ? "too many subscriptions"
            : null;
    if (refusal === null) return subscription;
    this.counters.refusedSubscriptions++;
    this.logger.debug("Refused a subscription", {
      client: client.id,
      reason: refusal,
      topicLength: subscription.topic.length,
    });
    return null;
  }

  /** Current state on subscribe (chrysalis.md §10.5), to the new subscriber only. */
  private sendCurrentState(client: Client, subscriptions: Subscription[]): void {
    for (const { topic, qos } of subscriptions) {
      if (qos === (SUBACK_FAILURE as number)) continue;
      const parsed = this.index.parsedOf(client, topic);
      if (parsed === undefined) continue;
      let payload: Buffer | null;
      try {
        payload = this.publisher.currentState(parsed);
      } catch (e) {
        this.logger.error("Reading the current state of a topic failed", { kind: parsed.kind, error: errorText(e) });
        continue;
      }
      if (payload !== null) client.publish(this.packet(topic, payload), noop);
    }
  }

  /** Drops the delivery, and the client, when the client does not read what it was sent. */
  private forward<P>(client: Client, packet: P): P | null {
    if (client.conn.writableLength <= this.options.maxClientBufferBytes) return packet;
    if (!client.conn.destroyed) {
      this.counters.droppedSlowClients++;
      this.logger.debug("MQTT client dropped for not reading", { client: client.id });
      client.conn.destroy();
    }
    return null;
  }

  private packet(topic: string, payload: Buffer): PublishPacket {
    return { cmd: "publish", topic, payload, qos: 0, retain: false, dup: false };
  }

  private publish(topic: string, payload: Buffer): void {
    this.counters.published++;
    this.broker.publish(this.packet(topic, payload), noop);
  }

  private async shutdown(): Promise<void> {
    this.detachEvents();
    for (const { server, listener } of this.upgradeListeners) server.off("upgrade", listener);
    const tcp = this.tcp;
    const tcpClosed = tcp === null ? Promise.resolve() : new Promise<void>((resolve) => tcp.close(() => resolve()));
    const connectionsClosed = Promise.all(
      [...this.connections].map((conn) => new Promise<void>((resolve) => conn.once("close", () => resolve()))),
    );
    await this.ready.catch(noop);
    await new Promise<void>((resolve) => this.broker.close(() => resolve()));
    for (const conn of this.connections) conn.destroy();
    await connectionsClosed;
    this.webSockets?.close();
    await tcpClosed;
  }
}

export function createEventApi(deps: EventApiDependencies, options: Partial<EventApiOptions> = {}): EventApi {
  return new MqttEventApi(deps, Object.freeze({ ...DEFAULT_EVENT_API_OPTIONS, ...options }));
}
