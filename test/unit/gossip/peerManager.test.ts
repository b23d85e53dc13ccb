/**
 * Connections between peer managers over real TLS on 127.0.0.1 (protocol/network.md §2): one-way pairing with
 * dial-back, every handshake outcome, NodeId pinning, loopback, the bidirectional timeout, blocks and discovery.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { Blocklist } from "../../../src/gossip/blocklist.js";
import type { Frame } from "../../../src/gossip/framing.js";
import type { GossipError } from "../../../src/gossip/gossipError.js";
import { encodeHandshake, PROTOCOL_VERSION } from "../../../src/gossip/handshake.js";
import { createIdentity, type NodeIdentity } from "../../../src/gossip/identity.js";
import { PacketType } from "../../../src/gossip/packets.js";
import { type Peer, PeerManager, type PeerManagerOptions } from "../../../src/gossip/peerManager.js";
import type { Endpoint } from "../../../src/gossip/peerTypes.js";
import { dialTls } from "../../../src/gossip/tlsTransport.js";

const RULES = new Uint8Array(32).fill(7);

interface Recorder {
  connected: string[];
  disconnected: Array<{ id: string; code: string | null }>;
  frames: Array<{ from: string; frame: Frame }>;
}

interface Started {
  manager: PeerManager;
  identity: NodeIdentity;
  blocklist: Blocklist;
  events: Recorder;
  endpoint(): Required<Endpoint>;
}

const managers: PeerManager[] = [];
after(async () => {
  await Promise.all(managers.map((m) => m.close()));
});

async function startManager(
  options: Partial<PeerManagerOptions> = {},
  hooks: { onConnected?: (peer: Peer) => void } = {},
): Promise<Started> {
  const identity = await createIdentity();
  const blocklist = new Blocklist({}, Date.now);
  const events: Recorder = { connected: [], disconnected: [], frames: [] };
  const manager = new PeerManager(
    {
      networkName: "pm-test",
      networkId: 99n,
      rulesHash: RULES,
      bind: { host: "127.0.0.1", port: 0 },
      reconnectBaseMs: 100,
      discoveryFirstMs: 100,
      discoveryIntervalMs: 300,
      ...options,
    },
    {
      identity,
      blocklist,
      now: Date.now,
      random: Math.random,
      listener: {
        onPeerConnected: (peer) => {
          events.connected.push(peer.nodeIdHex);
          hooks.onConnected?.(peer);
        },
        onPeerDisconnected: (peer, error: GossipError | null) =>
          events.disconnected.push({ id: peer.nodeIdHex, code: error?.code ?? null }),
        onFrame: (peer, frame) => events.frames.push({ from: peer.nodeIdHex, frame }),
      },
    },
  );
  await manager.start();
  managers.push(manager);
  return {
    manager,
    identity,
    blocklist,
    events,
    endpoint: () => ({ ...manager.listenEndpoint(), nodeIdHex: identity.nodeIdHex }),
  };
}

async function waitFor(predicate: () => boolean, what: string, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("PeerManager: one-way connections", () => {
  it("pairs two nodes when only one knows the other: the listener dials back, both send only on their own connection", async () => {
    const b = await startManager();
    const a = await startManager({ peers: [{ host: "127.0.0.1", port: b.endpoint().port }] });
    await waitFor(() => a.manager.connected().length === 1 && b.manager.connected().length === 1, "pairing");
    const pa = a.manager.get(b.identity.nodeIdHex)!;
    const pb = b.manager.get(a.identity.nodeIdHex)!;
    assert.equal(pa.outbound?.direction, "outbound");
    assert.equal(pa.inbound?.direction, "inbound");
    assert.equal(pb.outbound?.direction, "outbound");
    // A frame sent by a arrives at b as a frame from a, over the connection a dialed.
    pa.send(PacketType.HEARTBEAT, new Uint8Array(14), "request");
    await waitFor(() => b.events.frames.length === 1, "frame delivery");
    assert.equal(b.events.frames[0]!.from, a.identity.nodeIdHex);
    assert.equal(b.events.frames[0]!.frame.type, PacketType.HEARTBEAT);
    assert.equal(a.events.connected[0], b.identity.nodeIdHex, "a learned b's NodeId at the TLS handshake");
    const info = a.manager.peerInfo()[0]!;
    assert.equal(info.connected, true);
    assert.equal(info.origin, "configured");
  });

  it("closing one direction drops the peer on both sides, and the configured side reconnects", async () => {
    const b = await startManager();
    const a = await startManager({ peers: [b.endpoint()] });
    await waitFor(() => a.manager.connected().length === 1 && b.manager.connected().length === 1, "pairing");
    b.manager.disconnect(a.identity.nodeIdHex, null);
    await waitFor(() => a.events.disconnected.length === 1, "a notices");
    await waitFor(
      () => a.manager.connected().length === 1 && b.manager.connected().length === 1 && a.events.connected.length === 2,
      "reconnect",
    );
  });

  it("a peer that dials but cannot be dialed back is dropped after the bidirectional timeout", async () => {
    const b = await startManager({ bidirectionalTimeoutMs: 400 });
    const stranger = await createIdentity();
    const auth = await dialTls(stranger, b.endpoint());
    const closed = new Promise<void>((resolve) => auth.socket.on("close", () => resolve()));
    // Announces a port where nobody listens: the dial-back fails, so both directions never come up.
    const body = encodeHandshake({
      protocolVersion: PROTOCOL_VERSION,
      networkName: "pm-test",
      networkId: 99n,
      rulesHash: RULES,
      endpoint: { host: "127.0.0.1", port: 1 },
    });
    auth.socket.write(Buffer.from([PacketType.HANDSHAKE, body.length & 0xff, body.length >> 8, ...body]));
    const started = Date.now();
    await closed;
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 300 && elapsed < 3_000, `dropped after ${elapsed} ms`);
    assert.equal(b.manager.connected().length, 0);
    assert.equal(b.blocklist.size, 0, "a timeout is transient: no block");
  });
});

describe("PeerManager: handshake outcomes", () => {
  async function rawHandshake(
    target: Started,
    fields: Partial<{ version: number; name: string; networkId: bigint; rules: Uint8Array }>,
  ): Promise<{ identity: NodeIdentity; elapsed: number }> {
    const identity = await createIdentity();
    const auth = await dialTls(identity, target.endpoint());
    const closed = new Promise<void>((resolve) => auth.socket.on("close", () => resolve()));
    const body = encodeHandshake({
      protocolVersion: fields.version ?? PROTOCOL_VERSION,
      networkName: fields.name ?? "pm-test",
      networkId: fields.networkId ?? 99n,
      rulesHash: fields.rules ?? RULES,
      endpoint: { host: "127.0.0.1", port: 1 },
    });
    const started = Date.now();
    auth.socket.write(Buffer.from([PacketType.HANDSHAKE, body.length & 0xff, body.length >> 8, ...body]));
    await closed;
    return { identity, elapsed: Date.now() - started };
  }

  it("wrong network name or id: closed at once and blocked", async () => {
    const b = await startManager();
    const wrongName = await rawHandshake(b, { name: "other-net" });
    assert.ok(wrongName.elapsed < 2_000);
    assert.equal(b.blocklist.check({ nodeIdHex: wrongName.identity.nodeIdHex })?.reason, "wrong-network");
    const wrongId = await rawHandshake(b, { networkId: 100n });
    assert.equal(b.blocklist.check({ nodeIdHex: wrongId.identity.nodeIdHex })?.reason, "wrong-network");
  });

  it("wrong rules hash: closed and blocked", async () => {
    const b = await startManager();
    const r = await rawHandshake(b, { rules: new Uint8Array(32).fill(8) });
    assert.equal(b.blocklist.check({ nodeIdHex: r.identity.nodeIdHex })?.reason, "wrong-rules");
  });

  it("another protocol version: closed but not blocked", async () => {
    const b = await startManager();
    const r = await rawHandshake(b, { version: PROTOCOL_VERSION + 1 });
    assert.equal(b.blocklist.check({ nodeIdHex: r.identity.nodeIdHex }), undefined);
    assert.equal(b.manager.connected().length, 0);
  });

  it("a first frame that is not a handshake, or a malformed one, blocks the dialer", async () => {
    const b = await startManager();
    const identity = await createIdentity();
    const auth = await dialTls(identity, b.endpoint());
    const closed = new Promise<void>((resolve) => auth.socket.on("close", () => resolve()));
    auth.socket.write(Buffer.from([PacketType.HEARTBEAT, 14, 0, ...new Uint8Array(14)]));
    await closed;
    assert.equal(b.blocklist.check({ nodeIdHex: identity.nodeIdHex })?.reason, "malformed-frame");

    const other = await createIdentity();
    const auth2 = await dialTls(other, b.endpoint());
    const closed2 = new Promise<void>((resolve) => auth2.socket.on("close", () => resolve()));
    // Version 1, then a truncated body.
    auth2.socket.write(Buffer.from([PacketType.HANDSHAKE, 3, 0, 1, 0, 3]));
    await closed2;
    assert.equal(b.blocklist.check({ nodeIdHex: other.nodeIdHex })?.reason, "malformed-frame");
  });

  it("no handshake within the timeout: closed, not blocked", async () => {
    const b = await startManager({ handshakeTimeoutMs: 300 });
    const identity = await createIdentity();
    const auth = await dialTls(identity, b.endpoint());
    const started = Date.now();
    await new Promise<void>((resolve) => auth.socket.on("close", () => resolve()));
    assert.ok(Date.now() - started >= 250);
    assert.equal(b.blocklist.check({ nodeIdHex: identity.nodeIdHex }), undefined);
  });

  it("a configured NodeId that does not match the listener: never connected, the error is recorded", async () => {
    const b = await startManager();
    const wrongId = "ab".repeat(32);
    const a = await startManager({ peers: [{ host: "127.0.0.1", port: b.endpoint().port, nodeIdHex: wrongId }] });
    await waitFor(() => a.manager.endpointInfo()[0]?.lastError !== null, "dial error recorded");
    assert.match(a.manager.endpointInfo()[0]!.lastError!, /answered as node/);
    await sleep(200);
    assert.equal(a.manager.connected().length, 0);
    assert.equal(b.manager.connected().length, 0);
  });

  it("an endpoint that leads to ourselves is marked loopback and not dialed again", async () => {
    const holder: { port: number } = { port: 0 };
    const a = await startManager();
    holder.port = a.endpoint().port;
    a.manager.addPeer({ host: "127.0.0.1", port: holder.port });
    await waitFor(() => a.manager.endpointInfo().some((e) => e.loopback), "loopback detected");
    assert.equal(a.manager.connected().length, 0);
  });

  it("a blocked peer cannot connect until it is unblocked", async () => {
    const b = await startManager();
    const a = await startManager({ peers: [b.endpoint()] });
    await waitFor(() => a.manager.connected().length === 1, "pairing");
    b.manager.block(a.identity.nodeIdHex, "manual", "test");
    await waitFor(() => a.manager.connected().length === 0 && b.manager.connected().length === 0, "drop");
    await sleep(600);
    assert.equal(b.manager.connected().length, 0, "a keeps redialing but b refuses it");
    b.blocklist.unblock(a.identity.nodeIdHex);
    await waitFor(() => b.manager.connected().length === 1, "reconnect after unblock", 10_000);
  });

  it("maxPeers: a node at its bound refuses an unconfigured newcomer", async () => {
    const hub = await startManager({ maxPeers: 1 });
    const first = await startManager({ peers: [hub.endpoint()] });
    await waitFor(() => hub.manager.connected().length === 1, "first peer");
    const second = await startManager({ peers: [hub.endpoint()] });
    await sleep(800);
    assert.equal(hub.manager.connected().length, 1);
    assert.equal(second.manager.connected().length, 0);
    assert.equal(first.manager.connected().length, 1);
  });
});

describe("PeerManager: discovery", () => {
  it("five nodes that know only a seed find each other (full mesh)", async () => {
    const seed = await startManager();
    const others: Started[] = [];
    for (let i = 0; i < 4; i++) others.push(await startManager({ peers: [{ ...seed.endpoint() }] }));
    await waitFor(
      () => [seed, ...others].every((s) => s.manager.connected().length === 4),
      "every node connected to the 4 others",
      10_000,
    );
  });
});
