/**
 * The peers routes (chrysalis.md §10.2, iota.js IPeer): the address forms POST takes, the Peer shape in Hornet's key
 * order from a stand-in gossip service, and the whole cycle on two real gossip services over TLS on 127.0.0.1 (add
 * with a multiaddress and alias, connect, heartbeats and metrics, the other side's "unknown" relation, delete).
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { ApiDependencies } from "../../../src/api/apiContext.js";
import { ApiError } from "../../../src/api/apiError.js";
import { jwtKey, signApiToken } from "../../../src/api/jwt.js";
import { multiAddressOf, type PeerJson, parsePeerAddress } from "../../../src/api/routes/peers.js";
import type { EndpointInfo, PeerInfo, PeerMetrics } from "../../../src/gossip/peerManager.js";
import type { Endpoint } from "../../../src/gossip/peerTypes.js";
import { HarnessNetwork } from "../../utils/gossipHarness.js";
import { GENESIS_ID } from "../../utils/tangleBuilder.js";
import { type ApiHarness, apiHarness, assertErrorEnvelope, dataOf } from "./apiHarness.js";

const KEY = jwtKey("a test secret that is long enough for HS256 keys")!;
const ID_A = "aa".repeat(32);
const ID_B = "bb".repeat(32);
const ID_C = "cc".repeat(32);
const PEER_KEYS = ["id", "multiAddresses", "alias", "relation", "connected", "gossip"];
const METRIC_KEYS = [
  "newMessages",
  "knownMessages",
  "receivedMessages",
  "receivedMessageRequests",
  "receivedMilestoneRequests",
  "receivedHeartbeats",
  "sentMessages",
  "sentMessageRequests",
  "sentMilestoneRequests",
  "sentHeartbeats",
  "droppedPackets",
];

function metrics(base: number): PeerMetrics {
  return {
    newMessages: base + 1,
    knownMessages: base + 2,
    receivedMessages: base + 3,
    receivedMessageRequests: base + 4,
    receivedMilestoneRequests: base + 5,
    receivedHeartbeats: base + 6,
    sentMessages: base + 7,
    sentMessageRequests: base + 8,
    sentMilestoneRequests: base + 9,
    sentHeartbeats: base + 10,
  };
}

function peerInfo(more: Partial<PeerInfo> & Pick<PeerInfo, "nodeIdHex">): PeerInfo {
  return {
    endpoint: null,
    origin: null,
    connected: true,
    outbound: true,
    inbound: true,
    connectedSince: 1,
    heartbeat: null,
    framesSent: 0,
    framesReceived: 0,
    bytesSent: 0,
    bytesReceived: 0,
    gossipDropped: 0,
    queuedBytes: 0,
    metrics: metrics(0),
    ...more,
  };
}

function endpointInfo(endpoint: string, origin: EndpointInfo["origin"]): EndpointInfo {
  return { endpoint, origin, failures: 0, nextAttemptAt: 0, loopback: false, lastError: null };
}

/** A gossip service stand-in: fixed peers and endpoints; records adds and removes. */
class FakeGossip implements Pick<ApiDependencies["gossip"], "peers" | "endpoints" | "addPeer" | "removePeer"> {
  peerList: PeerInfo[] = [];
  endpointList: EndpointInfo[] = [];
  added: Endpoint[] = [];
  removed: string[] = [];

  syncStatus() {
    return {
      confirmedIndex: 0,
      latestIndex: 0,
      synced: false,
      almostSynced: false,
      connectedPeers: this.peerList.length,
      syncedPeers: 0,
    };
  }
  peers(): PeerInfo[] {
    return this.peerList;
  }
  endpoints(): EndpointInfo[] {
    return this.endpointList;
  }
  addPeer(endpoint: Endpoint): void {
    this.added.push(endpoint);
    const text = `${endpoint.nodeIdHex === undefined ? "" : `${endpoint.nodeIdHex}@`}${endpoint.host}:${endpoint.port}`;
    this.endpointList.push(endpointInfo(text, "configured"));
  }
  removePeer(nodeIdHex: string): boolean {
    this.removed.push(nodeIdHex);
    const before = this.peerList.length + this.endpointList.length;
    this.peerList = this.peerList.filter((p) => p.nodeIdHex !== nodeIdHex);
    this.endpointList = this.endpointList.filter((e) => !e.endpoint.startsWith(`${nodeIdHex}@`));
    return this.peerList.length + this.endpointList.length < before;
  }
}

type Response = ReturnType<ApiHarness["get"]>;

interface Client {
  h: ApiHarness;
  get(url: string): Response;
  post(body: unknown): Response;
  del(url: string): Response;
}

async function client(gossip: ApiDependencies["gossip"]): Promise<Client> {
  const h = await apiHarness({ api: { jwtKey: KEY }, deps: { gossip } });
  const headers = { authorization: `Bearer ${await signApiToken(KEY, { subject: "test" }, h.cb.tb.now)}` };
  return {
    h,
    get: (url) => h.app.inject({ method: "GET", url, headers }),
    post: (body) =>
      h.app.inject({
        method: "POST",
        url: "/api/v1/peers",
        headers: { ...headers, "content-type": "application/json" },
        payload: JSON.stringify(body),
      }),
    del: (url) => h.app.inject({ method: "DELETE", url, headers }),
  };
}

function refusedAddress(text: string): string {
  try {
    parsePeerAddress(text);
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    assert.equal(e.code, "API_ERROR_INVALID_PARAMETER");
    assert.equal(e.status, 400);
    return e.message;
  }
  assert.fail(`accepted ${text}`);
}

describe("peers: addresses", () => {
  it("takes host:port, NodeId@host:port and /ip4, /ip6, /dns multiaddresses with an optional /p2p NodeId", () => {
    assert.deepEqual(parsePeerAddress("127.0.0.1:15600"), { host: "127.0.0.1", port: 15600 });
    assert.deepEqual(parsePeerAddress(`${ID_A}@node.example:15601`), {
      host: "node.example",
      port: 15601,
      nodeIdHex: ID_A,
    });
    assert.deepEqual(parsePeerAddress("/ip4/10.0.0.1/tcp/15600"), { host: "10.0.0.1", port: 15600 });
    assert.deepEqual(parsePeerAddress(`/ip4/10.0.0.1/tcp/15600/p2p/${ID_B.toUpperCase()}`), {
      host: "10.0.0.1",
      port: 15600,
      nodeIdHex: ID_B,
    });
    assert.deepEqual(parsePeerAddress("/ip6/::1/tcp/1"), { host: "::1", port: 1 });
    assert.deepEqual(parsePeerAddress("[::1]:2"), { host: "::1", port: 2 });
    for (const dns of ["dns", "dns4", "dns6"]) {
      assert.deepEqual(parsePeerAddress(`/${dns}/node.example/tcp/3`), { host: "node.example", port: 3 });
    }
  });

  it("refuses everything else with a 400 that names the accepted forms", () => {
    const message = refusedAddress("node.example");
    assert.match(message, /host:port/);
    for (const text of [
      "",
      "/ip4/10.0.0.1",
      "/ip4/10.0.0.1/udp/15600",
      "/ip4/node.example/tcp/1",
      "/ip6/10.0.0.1/tcp/1",
      "/dns/10.0.0.1/tcp/1",
      "/ip4/10.0.0.1/tcp/0",
      "/ip4/10.0.0.1/tcp/65536",
      "/ip4/10.0.0.1/tcp/1/p2p/12D3KooWLibp2pStyleId",
      `/ip4/10.0.0.1/tcp/1/p2p/${ID_A}/extra`,
      "/ip4/10.0.0.1/tcp/1/",
      "10.0.0.1:1/x",
      `zz@10.0.0.1:1`,
      "::1:15600",
      "a".repeat(10_000),
    ]) {
      refusedAddress(text);
    }
  });

  it("writes an endpoint as the multiaddress of its host kind", () => {
    assert.equal(multiAddressOf({ host: "10.0.0.1", port: 1 }), "/ip4/10.0.0.1/tcp/1");
    assert.equal(multiAddressOf({ host: "fe80::1", port: 2 }), "/ip6/fe80::1/tcp/2");
    assert.equal(multiAddressOf({ host: "node.example", port: 3 }), "/dns/node.example/tcp/3");
  });
});

describe("peers: routes over a stand-in gossip service", () => {
  it("lists connected peers and configured endpoints in Hornet's shape, each id once", async () => {
    const gossip = new FakeGossip();
    gossip.peerList = [
      peerInfo({
        nodeIdHex: ID_A,
        endpoint: "10.0.0.1:15600",
        origin: "configured",
        heartbeat: { confirmedIndex: 7, prunedIndex: 2, latestIndex: 9, connectedPeers: 4, syncedPeers: 3 },
        gossipDropped: 5,
        metrics: metrics(100),
      }),
      peerInfo({ nodeIdHex: ID_B, endpoint: "node.example:15600", origin: "inbound", connected: false }),
    ];
    gossip.endpointList = [
      endpointInfo(`${ID_A}@10.0.0.1:15600`, "configured"),
      // The operator configured B under an address B does not announce: B becomes known, with both addresses.
      endpointInfo(`${ID_B}@10.0.0.2:15600`, "configured"),
      endpointInfo(`${ID_C}@10.0.0.3:15600`, "configured"),
      endpointInfo("10.0.0.4:15600", "configured"),
      endpointInfo(`${"dd".repeat(32)}@10.0.0.5:15600`, "discovered"),
    ];
    const c = await client(gossip);
    const list = dataOf(await c.get("/api/v1/peers")) as PeerJson[];
    assert.deepEqual(list, [
      {
        id: ID_A,
        multiAddresses: ["/ip4/10.0.0.1/tcp/15600"],
        relation: "known",
        connected: true,
        gossip: {
          heartbeat: {
            solidMilestoneIndex: 7,
            prunedMilestoneIndex: 2,
            latestMilestoneIndex: 9,
            connectedNeighbors: 4,
            syncedNeighbors: 3,
          },
          metrics: { ...metrics(100), droppedPackets: 5 },
        },
      },
      {
        id: ID_B,
        multiAddresses: ["/dns/node.example/tcp/15600", "/ip4/10.0.0.2/tcp/15600"],
        relation: "known",
        connected: false,
        gossip: { heartbeat: null, metrics: { ...metrics(0), droppedPackets: 0 } },
      },
      { id: ID_C, multiAddresses: ["/ip4/10.0.0.3/tcp/15600"], relation: "known", connected: false },
      { id: "", multiAddresses: ["/ip4/10.0.0.4/tcp/15600"], relation: "known", connected: false },
    ]);
    assert.deepEqual(Object.keys(list[0]!.gossip!.metrics), METRIC_KEYS, "Hornet's metric names, in its order");

    const one = dataOf(await c.get(`/api/v1/peers/${ID_A.toUpperCase()}`)) as PeerJson;
    assert.deepEqual(one, list[0]);
    assert.match(assertErrorEnvelope(await c.get(`/api/v1/peers/${"ee".repeat(32)}`), 404), /not known/);
    assert.match(assertErrorEnvelope(await c.get("/api/v1/peers/abc"), 400), /peerId must be 64 hexadecimal/);
  });

  it("adds a peer with an alias, shows the alias in Hornet's key order, and deletes it (204, then 404)", async () => {
    const gossip = new FakeGossip();
    const c = await client(gossip);
    const added = dataOf(await c.post({ multiAddress: `/ip4/10.0.0.9/tcp/15600/p2p/${ID_C}`, alias: "c" })) as PeerJson;
    assert.deepEqual(gossip.added, [{ host: "10.0.0.9", port: 15600, nodeIdHex: ID_C }]);
    assert.deepEqual(added, {
      id: ID_C,
      multiAddresses: ["/ip4/10.0.0.9/tcp/15600"],
      alias: "c",
      relation: "known",
      connected: false,
    });
    assert.deepEqual(
      Object.keys(added),
      PEER_KEYS.filter((k) => k !== "gossip"),
    );
    assert.equal((dataOf(await c.get(`/api/v1/peers/${ID_C}`)) as PeerJson).alias, "c");

    // Without a NodeId: listed with the id "" until the handshake tells it; the alias is kept by address.
    const anonymous = dataOf(await c.post({ multiAddress: "10.0.0.8:15600", alias: "eight" })) as PeerJson;
    assert.deepEqual(anonymous, {
      id: "",
      multiAddresses: ["/ip4/10.0.0.8/tcp/15600"],
      alias: "eight",
      relation: "known",
      connected: false,
    });
    assert.equal((dataOf(await c.get("/api/v1/peers")) as PeerJson[]).length, 2);

    const res = await c.del(`/api/v1/peers/${ID_C}`);
    assert.equal(res.statusCode, 204);
    assert.equal(res.body, "");
    assert.deepEqual(gossip.removed, [ID_C]);
    assertErrorEnvelope(await c.get(`/api/v1/peers/${ID_C}`), 404);
    assertErrorEnvelope(await c.del(`/api/v1/peers/${ID_C}`), 404);
    // Added again without an alias: the old one is gone with the peer.
    const again = dataOf(await c.post({ multiAddress: `${ID_C}@10.0.0.9:15600` })) as PeerJson;
    assert.equal(again.alias, undefined);
  });

  it("refuses bodies that are not {multiAddress, alias?} with 400 and adds nothing", async () => {
    const gossip = new FakeGossip();
    const c = await client(gossip);
    for (const body of [
      null,
      [],
      "10.0.0.1:1",
      {},
      { multiAddress: 5 },
      { multiAddress: "" },
      { multiAddress: "nonsense" },
      { multiAddress: "10.0.0.1:1", alias: 7 },
      { multiAddress: "10.0.0.1:1", alias: "x".repeat(257) },
    ]) {
      assertErrorEnvelope(await c.post(body), 400);
    }
    assert.deepEqual(gossip.added, []);
    const text = await c.h.app.inject({
      method: "POST",
      url: "/api/v1/peers",
      headers: { authorization: "Bearer x" },
      payload: { multiAddress: "10.0.0.1:1" },
    });
    assert.equal(text.statusCode, 403, "the token is checked before the body");
    assert.deepEqual(gossip.added, []);
  });
});

describe("peers: routes over real gossip services", () => {
  const net = HarnessNetwork.create();
  after(() => net.stopAll());

  it("adds a peer by multiaddress, shows it connected with heartbeats and metrics, and removes it", async () => {
    const a = await net.startNode({ name: "a" });
    const b = await net.startNode({ name: "b" });
    const ca = await client(a.gossip);
    const cb = await client(b.gossip);
    const bId = b.identity.nodeIdHex;
    const aId = a.identity.nodeIdHex;

    const added = dataOf(await ca.post({ multiAddress: `/ip4/127.0.0.1/tcp/${b.port}/p2p/${bId}`, alias: "b" }));
    assert.equal((added as PeerJson).id, bId);
    assert.equal((added as PeerJson).alias, "b");
    assert.equal((added as PeerJson).relation, "known");

    // Each side sends a heartbeat and a milestone request as soon as the pair is up.
    const peerOf = async (c: Client, id: string): Promise<PeerJson | undefined> =>
      (dataOf(await c.get("/api/v1/peers")) as PeerJson[]).find((p) => p.id === id);
    let seenByA: PeerJson | undefined;
    let seenByB: PeerJson | undefined;
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      seenByA = await peerOf(ca, bId);
      seenByB = await peerOf(cb, aId);
      if (seenByA?.gossip?.heartbeat != null && seenByB?.gossip?.heartbeat != null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(seenByA?.gossip?.heartbeat, `a sees b's heartbeat: ${JSON.stringify(seenByA)}`);
    assert.ok(seenByB?.gossip?.heartbeat, `b sees a's heartbeat: ${JSON.stringify(seenByB)}`);
    assert.deepEqual(Object.keys(seenByA), PEER_KEYS);
    assert.equal(seenByA.connected, true);
    assert.equal(seenByA.relation, "known");
    assert.deepEqual(seenByA.multiAddresses, [`/ip4/127.0.0.1/tcp/${b.port}`]);
    assert.deepEqual(seenByA.gossip.heartbeat, {
      solidMilestoneIndex: 0,
      prunedMilestoneIndex: 0,
      latestMilestoneIndex: 0,
      connectedNeighbors: 1,
      syncedNeighbors: 0,
    });
    const m = seenByA.gossip.metrics;
    assert.ok(m.receivedHeartbeats >= 1 && m.sentHeartbeats >= 1, JSON.stringify(m));
    assert.ok(m.sentMilestoneRequests >= 1 && m.receivedMilestoneRequests >= 1, JSON.stringify(m));
    assert.equal(m.droppedPackets, 0);
    assert.equal(seenByB.relation, "unknown", "b did not ask for a: a dialed it");
    assert.equal(seenByB.alias, undefined);

    // A message from a reaches b: b counts it as new from a.
    const msg = net.message([GENESIS_ID], "peers-metrics");
    await a.submit(msg.bytes);
    await net.waitFor(() => b.has(msg.id), "b receives the message");
    await net.waitFor(() => {
      const info = b.gossip.peers().find((p) => p.nodeIdHex === aId);
      return info !== undefined && info.metrics.newMessages >= 1 && info.metrics.receivedMessages >= 1;
    }, "b counts a new message from a");
    const sent = a.gossip.peers().find((p) => p.nodeIdHex === bId)!.metrics;
    assert.ok(sent.sentMessages >= 1, JSON.stringify(sent));

    assert.equal((await ca.del(`/api/v1/peers/${bId}`)).statusCode, 204);
    assertErrorEnvelope(await ca.get(`/api/v1/peers/${bId}`), 404);
    await net.waitFor(() => a.connectedPeers() === 0 && b.connectedPeers() === 0, "the pair is dropped");
  });
});
