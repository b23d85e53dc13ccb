/**
 * The event API over a real tangle, ledger and pipeline built with ConsensusBuilder, listening on loopback (TCP port 0
 * and an HTTP server's `/mqtt`), and the clients that talk to it: the unmodified iota.js 1.8.6 `MqttClient`, and
 * `mqtt@4.3.8` itself (the library iota.js drives) where a test needs SUBACK codes or a raw publish.
 *
 * @iota/mqtt.js's package.json `exports` names no typings, so its types are read from the files it ships (the
 * `import type` is erased) and the module is loaded by a specifier TypeScript does not resolve.
 */
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { MqttClient as IotaMqttClient } from "../../../node_modules/@iota/mqtt.js/typings/index.js";
import { createEventApi, type EventApi, type EventApiOptions } from "../../../src/mqtt/eventApi.js";
import { ConsensusBuilder } from "../../utils/consensusBuilder.js";

export type { IotaMqttClient };

const IOTA_MQTT = "@iota/mqtt.js";
const MQTT = "mqtt";

export const HRP = "atoi";

/** The part of mqtt@4's client the tests use. */
export interface RawMqttClient {
  connected: boolean;
  on(event: "connect", listener: (connack: { sessionPresent: boolean }) => void): void;
  on(event: "message", listener: (topic: string, payload: Buffer) => void): void;
  on(event: "close" | "offline", listener: () => void): void;
  on(event: "error", listener: (error: Error) => void): void;
  subscribe(
    topics: string | string[],
    options: { qos: 0 | 1 | 2 },
    callback: (error: Error | null, granted: Array<{ topic: string; qos: number }>) => void,
  ): void;
  unsubscribe(topic: string | string[], callback: (error?: Error) => void): void;
  publish(topic: string, payload: string | Buffer, options: { qos: 0 | 1 | 2 }, callback?: (e?: Error) => void): void;
  end(force: boolean, options: object, callback: () => void): void;
  /** The transport (a net.Socket over TCP). */
  stream: { destroy(): void };
}

interface MqttModule {
  connect(url: string, options: object): RawMqttClient;
}

export async function iotaMqttClient(url: string): Promise<IotaMqttClient> {
  const module = (await import(IOTA_MQTT)) as { MqttClient: typeof IotaMqttClient };
  return new module.MqttClient(url);
}

/**
 * Disconnects an iota.js MqttClient. It has no public way to (client-compat.md §7); its own watchdog uses the private
 * `mqttDisconnect`, which ends the mqtt.js connection and stops the watchdog's timer.
 */
export function closeIotaMqttClient(client: IotaMqttClient): void {
  (client as unknown as { mqttDisconnect(): void }).mqttDisconnect();
}

/**
 * Connects mqtt@4.3.8 (the one iota.js uses; installed with @iota/mqtt.js) without reconnecting, and waits for
 * CONNACK, whose session-present flag it returns too.
 */
export async function rawMqttClient(
  url: string,
  options: object = {},
): Promise<RawMqttClient & { connack: { sessionPresent: boolean } }> {
  const mqtt = (await import(MQTT)) as { default: MqttModule };
  const client = mqtt.default.connect(url, { keepalive: 0, reconnectPeriod: 0, connectTimeout: 5000, ...options });
  const connack = await new Promise<{ sessionPresent: boolean }>((resolve, reject) => {
    client.on("connect", resolve);
    client.on("error", reject);
  });
  return Object.assign(client, { connack });
}

export function endRawClient(client: RawMqttClient): Promise<void> {
  return new Promise((resolve) => client.end(true, {}, () => resolve()));
}

export function subscribeRaw(client: RawMqttClient, topics: string[]): Promise<number[]> {
  return new Promise((resolve, reject) =>
    client.subscribe(topics, { qos: 0 }, (error, granted) =>
      error === null ? resolve(granted.map((g) => g.qos)) : reject(error),
    ),
  );
}

/** MQTT 3.1.1 §2.2.3 remaining length. */
function remainingLength(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

function utf8Field(text: string): number[] {
  const bytes = [...Buffer.from(text, "utf8")];
  return [bytes.length >> 8, bytes.length & 0xff, ...bytes];
}

/** A CONNECT packet (MQTT 3.1.1 §3.1): protocol level 4, clean session, keep-alive 0. */
export function connectPacket(clientId: string): Buffer {
  const body = [...utf8Field("MQTT"), 4, 0x02, 0, 0, ...utf8Field(clientId)];
  return Buffer.from([0x10, ...remainingLength(body.length), ...body]);
}

/** A SUBSCRIBE packet (MQTT 3.1.1 §3.8) for `topics` at QoS 0. */
export function subscribePacket(packetId: number, topics: string[]): Buffer {
  const body = [packetId >> 8, packetId & 0xff, ...topics.flatMap((t) => [...utf8Field(t), 0])];
  return Buffer.from([0x82, ...remainingLength(body.length), ...body]);
}

/** Collects what a topic delivers; `next()` waits for the next one. */
export class Inbox<T> {
  private readonly items: T[] = [];
  private waiters: Array<(item: T) => void> = [];
  readonly received: T[] = [];

  push = (item: T): void => {
    this.received.push(item);
    const waiter = this.waiters.shift();
    if (waiter === undefined) this.items.push(item);
    else waiter(item);
  };

  next(timeoutMs = 5000, what = "an MQTT publication"): Promise<T> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      const waiter = (v: T): void => {
        clearTimeout(timer);
        resolve(v);
      };
      this.waiters.push(waiter);
    });
  }

  /** Waits `ms` and asserts nothing more arrived. */
  async none(ms = 200): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
    assert.deepEqual(this.items, [], "nothing more should have arrived");
  }
}

export interface MqttHarness {
  cb: ConsensusBuilder;
  api: EventApi;
  http: Server;
  tcpUrl: string;
  wsUrl: string;
  close(): Promise<void>;
}

export async function mqttHarness(options: Partial<EventApiOptions> = {}, cb?: ConsensusBuilder): Promise<MqttHarness> {
  const builder = cb ?? (await ConsensusBuilder.create());
  const api = createEventApi(
    {
      events: builder.tb.pipeline.events,
      tangle: builder.tb.tangle,
      ledger: builder.ledger,
      tipSelectionParams: builder.tb.tipSelector.options.params,
      bech32Hrp: HRP,
    },
    options,
  );
  const http = createServer((_req, res) => res.writeHead(404).end());
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", () => resolve()));
  api.attachWebSocket(http);
  const tcp = await api.listenTcp("127.0.0.1", 0);
  const httpPort = (http.address() as AddressInfo).port;
  return {
    cb: builder,
    api,
    http,
    tcpUrl: `mqtt://127.0.0.1:${tcp.port}`,
    wsUrl: `ws://127.0.0.1:${httpPort}/mqtt`,
    close: async () => {
      await api.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await builder.tb.close();
    },
  };
}

/** Waits until `check` holds, polling (for broker state that follows a client's action). */
export async function eventually(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
