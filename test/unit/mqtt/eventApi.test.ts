/**
 * The broker's policies over real sockets (TCP and WebSocket on loopback): clients may not publish, only topics of
 * the table are granted (SUBACK 0x80 otherwise) and a bad one harms nobody, the per-client subscription limit, the
 * connection limit on both transports, oversized packets, readers too slow to keep up, clean sessions only, upgrades
 * on other paths, and a close() that leaves no handle behind.
 */
import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { WebSocket } from "ws";
import { encodeMessage, type Message, messageId } from "../../../src/codec/index.js";
import { createEventApi } from "../../../src/mqtt/eventApi.js";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { runKillableChild } from "../../utils/killableChild.js";
import { TEST_NETWORK_ID } from "../../utils/tangleBuilder.js";
import {
  connectPacket,
  endRawClient,
  eventually,
  HRP,
  Inbox,
  mqttHarness,
  rawMqttClient,
  subscribePacket,
  subscribeRaw,
} from "./mqttHarness.js";

const CLOSE_CHILD = join(dirname(fileURLToPath(import.meta.url)), "closeChild.js");

/** A raw TCP connection that records what it receives and when it closes. */
interface RawSocket {
  socket: Socket;
  received: () => Buffer;
  closed: Promise<void>;
}

async function rawSocket(port: number): Promise<RawSocket> {
  const socket = connect(port, "127.0.0.1");
  const chunks: Buffer[] = [];
  socket.on("data", (c: Buffer) => chunks.push(c));
  socket.on("error", () => undefined);
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("error", reject);
  });
  return { socket, received: () => Buffer.concat(chunks), closed };
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

/** Resolves with the HTTP status a WebSocket upgrade to `url` is answered with (101 when it opens). */
function upgradeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, "mqtt");
    ws.on("open", () => {
      ws.terminate();
      resolve(101);
    });
    ws.on("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on("error", (e) => reject(e));
  });
}

function bigMessage(nonce: number): { bytes: Uint8Array; message: Message; id: Uint8Array } {
  const message: Message = {
    networkId: TEST_NETWORK_ID,
    parents: [new Uint8Array(32)],
    payload: { type: 2, index: Uint8Array.of(1), data: new Uint8Array(30_000).fill(nonce & 0xff) },
    nonce: BigInt(nonce),
  };
  const bytes = encodeMessage(message);
  return { bytes, message, id: messageId(bytes) };
}

describe("event API broker", () => {
  it("closes the connection of a client that publishes, and goes on serving the others", async () => {
    const h = await mqttHarness();
    try {
      for (const url of [h.tcpUrl, h.wsUrl]) {
        const bystander = await rawMqttClient(url);
        const inbox = new Inbox<string>();
        bystander.on("message", (topic) => inbox.push(topic));
        assert.deepEqual(await subscribeRaw(bystander, ["messages/referenced", "messages"]), [0, 0]);
        const publisher = await rawMqttClient(url);
        const closed = new Promise<void>((resolve) => publisher.on("close", () => resolve()));
        publisher.publish("messages", Buffer.from("forged"), { qos: 0 });
        await closed;
        await h.cb.milestone([]);
        const topics = [await inbox.next(), await inbox.next()].sort();
        assert.deepEqual(topics, ["messages", "messages/referenced"], "the node's own publications only");
        await inbox.none();
        await endRawClient(publisher);
        await endRawClient(bystander);
      }
      assert.equal(h.api.stats().refusedPublishes, 2);
    } finally {
      await h.close();
    }
  });

  it("refuses wildcards, unknown, too long and malformed topics with SUBACK 0x80 and keeps the client", async () => {
    const h = await mqttHarness();
    try {
      const client = await rawMqttClient(h.tcpUrl);
      const inbox = new Inbox<string>();
      client.on("message", (topic, payload) => inbox.push(`${topic} ${payload.toString()}`));
      const refused = [
        "#",
        "messages/+/metadata",
        "$SYS/#",
        "milestones/latest/#",
        `messages/${"zz".repeat(32)}/metadata`,
        `outputs/${"00".repeat(33)}`,
        `messages/indexation/${"ab".repeat(65)}`,
        `addresses/iota1${"q".repeat(58)}/outputs`,
        "x".repeat(60_000),
        "a/".repeat(90),
      ];
      const granted = await subscribeRaw(client, [...refused, "milestones/confirmed"]);
      assert.deepEqual(granted, [...refused.map(() => 128), 0]);
      assert.equal(h.api.stats().refusedSubscriptions, refused.length);
      assert.equal(h.api.stats().subscriptions, 1);
      await h.cb.milestone([]);
      assert.match(await inbox.next(), /^milestones\/confirmed \{"index":1,"timestamp":\d+\}$/);
      await inbox.none();
      // Filters aedes itself cannot take (more than 100 levels, `#` not last) end that client's connection only.
      for (const bad of ["a/".repeat(150), "messages/#/metadata"]) {
        const other = await rawSocket(portOf(h.tcpUrl));
        other.socket.write(connectPacket("bad"));
        other.socket.write(subscribePacket(1, [bad]));
        await other.closed;
        assert.deepEqual([...other.received()], [0x20, 2, 0, 0], "CONNACK, then the connection closed");
      }
      await h.cb.milestone([]);
      assert.match(await inbox.next(), /^milestones\/confirmed \{"index":2,/);
      await endRawClient(client);
    } finally {
      await h.close();
    }
  });

  it("grants at most maxSubscriptionsPerClient subscriptions to one client", async () => {
    const h = await mqttHarness({ maxSubscriptionsPerClient: 2 });
    try {
      const a = await rawMqttClient(h.tcpUrl);
      assert.deepEqual(await subscribeRaw(a, ["messages", "receipts", "milestones/latest"]), [0, 0, 128]);
      assert.deepEqual(await subscribeRaw(a, ["messages"]), [0], "a repeated subscription is no new one");
      await new Promise<void>((resolve) => a.unsubscribe("receipts", () => resolve()));
      assert.deepEqual(await subscribeRaw(a, ["milestones/latest"]), [0], "room again after an unsubscribe");
      const b = await rawMqttClient(h.tcpUrl);
      assert.deepEqual(await subscribeRaw(b, ["receipts", "messages"]), [0, 0], "the limit is per client");
      assert.equal(h.api.stats().subscriptions, 4);
      await endRawClient(a);
      await eventually(() => h.api.stats().subscriptions === 2, "a's subscriptions are gone");
      await endRawClient(b);
      await eventually(() => h.api.stats().subscriptions === 0, "b's subscriptions are gone");
      assert.equal(h.api.stats().topics, 0);
    } finally {
      await h.close();
    }
  });

  it("accepts at most maxClients connections over both transports together", async () => {
    const h = await mqttHarness({ maxClients: 2 });
    try {
      const first = await rawMqttClient(h.tcpUrl);
      const second = await rawMqttClient(h.wsUrl);
      const refusedTcp = await rawSocket(portOf(h.tcpUrl));
      await refusedTcp.closed;
      assert.equal(await upgradeStatus(h.wsUrl), 503);
      assert.equal(h.api.stats().refusedConnections, 2);
      assert.equal(h.api.stats().clients, 2);
      await endRawClient(first);
      await eventually(() => h.api.stats().connections === 1, "the first connection is gone");
      const third = await rawMqttClient(h.wsUrl);
      assert.deepEqual(await subscribeRaw(third, ["messages"]), [0]);
      await endRawClient(second);
      await endRawClient(third);
    } finally {
      await h.close();
    }
  });

  it("closes a connection whose packet announces more than maxPacketBytes, before its body", async () => {
    const h = await mqttHarness({ maxPacketBytes: 1024 });
    try {
      const raw = await rawSocket(portOf(h.tcpUrl));
      raw.socket.write(connectPacket("big"));
      raw.socket.write(subscribePacket(1, [`messages/indexation/${"ab".repeat(60)}`]));
      await eventually(() => raw.received().length >= 9, "CONNACK and SUBACK");
      // A SUBSCRIBE announcing 1 MiB: only its first bytes are sent.
      raw.socket.write(Buffer.from([0x82, 0x80, 0x80, 0x40, 0, 2]));
      await raw.closed;
      const received = raw.received();
      assert.deepEqual([...received.subarray(0, 4)], [0x20, 2, 0, 0], "CONNACK accepted");
      assert.deepEqual([...received.subarray(4)], [0x90, 3, 0, 1, 0], "the small SUBSCRIBE was granted");
      assert.equal(h.api.stats().droppedOversizedPackets, 1);
      await eventually(() => h.api.stats().connections === 0, "the connection is gone");
      // iota.js subscribes to many topics in one packet: well within the default limit.
      const h2 = await mqttHarness();
      try {
        const client = await rawMqttClient(h2.wsUrl);
        const topics = Array.from({ length: 300 }, (_, i) => `messages/${bytesToHex(bigMessage(i).id)}/metadata`);
        assert.deepEqual(
          await subscribeRaw(client, topics),
          topics.map(() => 0),
        );
        await endRawClient(client);
      } finally {
        await h2.close();
      }
    } finally {
      await h.close();
    }
  });

  it("drops a client that stops reading once its unsent output passes maxClientBufferBytes", async () => {
    const h = await mqttHarness({ maxClientBufferBytes: 64 * 1024 });
    try {
      const reader = await rawMqttClient(h.tcpUrl);
      let delivered = 0;
      reader.on("message", () => delivered++);
      await subscribeRaw(reader, ["messages"]);
      const slow = await rawSocket(portOf(h.tcpUrl));
      slow.socket.write(connectPacket("slow"));
      slow.socket.write(subscribePacket(1, ["messages"]));
      await eventually(() => slow.received().length >= 9, "CONNACK and SUBACK");
      slow.socket.pause();
      const events = h.cb.tb.pipeline.events;
      let sent = 0;
      for (let round = 0; round < 400 && h.api.stats().droppedSlowClients === 0; round++) {
        for (let i = 0; i < 20; i++, sent++) {
          const m = bigMessage(sent);
          events.emit("message.received", {
            messageId: m.id,
            messageIdHex: bytesToHex(m.id),
            message: m.message,
            bytes: m.bytes,
            source: "api",
            requested: false,
          });
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      assert.equal(h.api.stats().droppedSlowClients, 1);
      slow.socket.resume();
      await slow.closed;
      await eventually(() => delivered === sent, "the reading client got every message", 10_000);
      await endRawClient(reader);
    } finally {
      await h.close();
    }
  });

  it("keeps no session and no will: a returning client starts afresh, a dropped one leaves nothing", async () => {
    const h = await mqttHarness();
    try {
      const bystander = await rawMqttClient(h.tcpUrl);
      const inbox = new Inbox<string>();
      bystander.on("message", (topic) => inbox.push(topic));
      await subscribeRaw(bystander, ["messages"]);
      for (let i = 0; i < 2; i++) {
        const client = await rawMqttClient(h.tcpUrl, {
          clientId: "persistent",
          clean: false,
          will: { topic: "messages", payload: "will", qos: 0, retain: false },
        });
        assert.equal(client.connack.sessionPresent, false);
        assert.equal(h.api.stats().subscriptions, 1, "only the bystander's");
        assert.deepEqual(await subscribeRaw(client, ["milestones/latest"]), [0]);
        // Dropped without DISCONNECT: a will would be published now.
        client.stream.destroy();
        await eventually(() => h.api.stats().connections === 1, "the connection is gone");
        await endRawClient(client);
      }
      await inbox.none();
      await endRawClient(bystander);
    } finally {
      await h.close();
    }
  });

  it("answers upgrades on other paths with 404 and leaves plain requests to the HTTP server", async () => {
    const h = await mqttHarness();
    try {
      const base = h.wsUrl.replace(/\/mqtt$/, "");
      assert.equal(await upgradeStatus(`${base}/other`), 404);
      assert.equal(await upgradeStatus(`${base}/mqtt/x`), 404);
      assert.equal(await upgradeStatus(`${base}/mqtt?x=1`), 101);
      const res = await fetch(`${base.replace("ws:", "http:")}/mqtt`);
      assert.equal(res.status, 404, "the HTTP server's own answer");
    } finally {
      await h.close();
    }
  });

  it("rejects a TCP port in use, and can listen on another afterwards", async () => {
    const h = await mqttHarness();
    const other = createEventApi({
      events: h.cb.tb.pipeline.events,
      tangle: h.cb.tb.tangle,
      ledger: h.cb.ledger,
      tipSelectionParams: h.cb.tb.tipSelector.options.params,
      bech32Hrp: HRP,
    });
    try {
      await assert.rejects(other.listenTcp("127.0.0.1", portOf(h.tcpUrl)), /EADDRINUSE/);
      const bound = await other.listenTcp("127.0.0.1", 0);
      const client = await rawMqttClient(`mqtt://127.0.0.1:${bound.port}`);
      assert.deepEqual(await subscribeRaw(client, ["messages"]), [0]);
      await endRawClient(client);
    } finally {
      await other.close();
      await h.close();
    }
  });

  it("close() disconnects every client and stops both listeners; close is idempotent", async () => {
    const h = await mqttHarness();
    const clients = [await rawMqttClient(h.tcpUrl), await rawMqttClient(h.wsUrl)];
    const pending = await rawSocket(portOf(h.tcpUrl));
    const closed = clients.map((c) => new Promise<void>((resolve) => c.on("close", () => resolve())));
    await Promise.all([h.api.close(), h.api.close()]);
    await Promise.all([...closed, pending.closed]);
    assert.equal(h.api.stats().connections, 0);
    await assert.rejects(h.api.listenTcp("127.0.0.1", 0), /closed/);
    assert.throws(() => h.api.attachWebSocket(h.http), /closed/);
    await assert.rejects(rawSocket(portOf(h.tcpUrl)), /ECONNREFUSED/);
    for (const c of clients) await endRawClient(c);
    await h.close();
  });

  it("leaves nothing behind that keeps a process alive once closed", async () => {
    const lines: string[][] = [];
    const exit = await runKillableChild(CLOSE_CHILD, [], (words) => lines.push(words), 15_000);
    assert.equal(exit.timedOut, false, "the child exited by itself");
    assert.equal(exit.code, 0, `child stderr: ${exit.stderr}; stdout: ${lines.map((l) => l.join(" ")).join(" | ")}`);
    const closed = lines.find((l) => l[0] === "closed");
    assert.ok(closed !== undefined);
    const stats = JSON.parse(closed.slice(1).join(" ")) as { connections: number; published: number };
    assert.equal(stats.connections, 0);
  });
});
