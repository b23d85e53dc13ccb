/**
 * Ten Weaver nodes in one process, real TLS on 127.0.0.1 (protocol/network.md §8): discovery from one seed peer,
 * messages submitted at random nodes reaching every node, milestones confirming everywhere with the same ledger,
 * late and restarted nodes catching up through requests, and faulty peers handled.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Blocklist } from "../../src/gossip/blocklist.js";
import { rulesHash } from "../../src/gossip/handshake.js";
import { createIdentity } from "../../src/gossip/identity.js";
import { PacketType } from "../../src/gossip/packets.js";
import { type PeerListener, PeerManager } from "../../src/gossip/peerManager.js";
import { bytesToHex } from "../../src/primitives/hex.js";
import { type BuiltMessage, HarnessNetwork, type HarnessNode } from "../utils/gossipHarness.js";
import { seededRandom } from "../utils/seededRandom.js";
import { GENESIS_ID } from "../utils/tangleBuilder.js";

const networks: HarnessNetwork[] = [];
const extraManagers: PeerManager[] = [];
const dirs: string[] = [];
after(async () => {
  await Promise.all(extraManagers.map((m) => m.close()));
  for (const net of networks) await net.stopAll();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function newNetwork(): HarnessNetwork {
  const net = HarnessNetwork.create();
  networks.push(net);
  return net;
}

/** The same ledger and milestones on every node: CMI, ledger index and the confirmed message set's metadata. */
function assertSameState(nodes: HarnessNode[], messages: BuiltMessage[]): void {
  const [first, ...rest] = nodes;
  for (const node of rest) {
    assert.equal(node.cmi, first!.cmi, `${node.name} CMI`);
    assert.equal(node.ledger.ledgerIndex, first!.ledger.ledgerIndex, `${node.name} ledger index`);
    for (const m of messages) {
      const a = first!.tangle.getMetadata(m.id);
      const b = node.tangle.getMetadata(m.id);
      assert.equal(b?.referencedByMilestoneIndex, a?.referencedByMilestoneIndex, `${node.name} ${m.idHex}`);
    }
  }
}

/** A bare PeerManager of the network, peered with `target`, that does what `listener` says (closed after the tests). */
async function startRogue(net: HarnessNetwork, target: HarnessNode, listener: PeerListener) {
  const rogueIdentity = await createIdentity();
  const rogue = new PeerManager(
    {
      networkName: net.networkName,
      networkId: net.rules.networkId,
      rulesHash: rulesHash(net.rules),
      bind: { host: "127.0.0.1", port: 0 },
      peers: [target.endpoint()],
    },
    { identity: rogueIdentity, blocklist: new Blocklist({}, Date.now), now: Date.now, random: Math.random, listener },
  );
  extraManagers.push(rogue);
  await rogue.start();
  return { rogue, rogueIdentity };
}

describe("gossip network: 10 nodes from one seed peer", () => {
  it("discover each other, spread messages submitted anywhere, confirm the same milestones, and catch up late and restarted nodes", async () => {
    const net = newNetwork();
    const seed = await net.startNode({ name: "seed" });
    const nodes: HarnessNode[] = [seed];
    const victimDir = mkdtempSync(join(tmpdir(), "weaver-gossip-"));
    dirs.push(victimDir);
    for (let i = 1; i < 9; i++) {
      // n5 keeps its database in LMDB: it is stopped and restarted below.
      const dataDir = i === 5 ? { dataDir: victimDir } : {};
      nodes.push(await net.startNode({ name: `n${i}`, peers: [seed.endpoint()], ...dataDir }));
    }
    await net.waitFor(() => nodes.every((n) => n.connectedPeers() === nodes.length - 1), "full mesh of 9");

    // Messages at random nodes on recent parents; every node must end up with all of them.
    const random = seededRandom(5);
    const messages: BuiltMessage[] = [];
    let tips: Uint8Array[] = [GENESIS_ID];
    for (let i = 0; i < 60; i++) {
      const m = net.message(tips.slice(-3), `m${i}`);
      const at = nodes[Math.floor(random() * nodes.length)]!;
      const result = await at.submit(m.bytes);
      assert.equal(result.status, "new");
      messages.push(m);
      tips = [...tips, m.id].slice(-6);
    }
    await net.waitFor(() => nodes.every((n) => messages.every((m) => n.has(m.id))), "every node holds all 60");

    // Milestones issued at one node confirm everywhere.
    await net.issueMilestone(nodes[3]!, tips.slice(-2));
    await net.waitFor(() => nodes.every((n) => n.cmi === 1), "milestone 1 confirmed everywhere");
    const more: BuiltMessage[] = [];
    for (let i = 0; i < 20; i++) {
      const m = net.message([messages[59]!.id, ...(more.length > 0 ? [more[more.length - 1]!.id] : [])], `late${i}`);
      await nodes[i % nodes.length]!.submit(m.bytes);
      more.push(m);
    }
    await net.waitFor(() => nodes.every((n) => more.every((m) => n.has(m.id))), "second batch everywhere");
    await net.issueMilestone(nodes[7]!, [more[19]!.id]);
    await net.waitFor(() => nodes.every((n) => n.cmi === 2), "milestone 2 confirmed everywhere");
    assertSameState(nodes, [...messages, ...more]);

    // A tenth node started late catches up by itself: heartbeats reveal milestone 2, milestone requests and the
    // message requests of their cones do the rest.
    const late = await net.startNode({ name: "late", peers: [seed.endpoint()] });
    nodes.push(late);
    await net.waitFor(() => late.cmi === 2, "late node confirms milestone 2");
    assertSameState(nodes, [...messages, ...more]);
    await net.waitFor(() => nodes.every((n) => n.connectedPeers() === nodes.length - 1), "full mesh of 10");

    // A node stops, misses a milestone, and catches up after a restart on the same database and identity.
    const victim = nodes[5]!;
    const port = victim.port;
    await victim.stop();
    const missed = net.message([more[19]!.id], "missed");
    await nodes[1]!.submit(missed.bytes);
    await net.waitFor(() => nodes.filter((n) => n !== victim).every((n) => n.has(missed.id)), "missed message spread");
    await net.issueMilestone(nodes[1]!, [missed.id]);
    await net.waitFor(() => nodes.filter((n) => n !== victim).every((n) => n.cmi === 3), "milestone 3 (victim down)");
    const back = await net.startNode({ name: "n5-again", dataDir: victimDir, identity: victim.identity, port });
    nodes[5] = back;
    await net.waitFor(() => back.cmi === 3 && back.has(missed.id), "restarted node catches up");
    assertSameState(nodes, [...messages, ...more, missed]);
    const status = back.gossip.syncStatus();
    assert.equal(status.synced, true);
    assert.ok(status.connectedPeers >= 1, "peers reconnect to it");
  });
});

describe("gossip network: faulty peers", () => {
  it("a peer that sends an invalid message is blocked and the others keep working", async () => {
    const net = newNetwork();
    const a = await net.startNode({ name: "a" });
    const b = await net.startNode({ name: "b", peers: [a.endpoint()] });
    await net.waitFor(() => a.connectedPeers() === 1 && b.connectedPeers() === 1, "a–b connected");

    // A rogue node speaks the protocol correctly, then sends a message of another network.
    const { rogue, rogueIdentity } = await startRogue(net, a, {
      onPeerConnected: (peer) => {
        peer.send(PacketType.MESSAGE, net.message([GENESIS_ID], "wrong network", 1n).bytes, "gossip");
      },
      onPeerDisconnected: () => undefined,
      onFrame: () => undefined,
    });
    await net.waitFor(() => a.gossip.blocked().some((e) => e.nodeIdHex === rogueIdentity.nodeIdHex), "rogue blocked");
    const entry = a.gossip.blocked().find((e) => e.nodeIdHex === rogueIdentity.nodeIdHex)!;
    assert.equal(entry.reason, "invalid-message");
    assert.match(entry.detail, /MESSAGE_ERROR_INVALID_NETWORK_ID/);
    await net.waitFor(() => rogue.connected().length === 0, "rogue disconnected");

    const m = net.message([GENESIS_ID], "still works");
    await b.submit(m.bytes);
    await net.waitFor(() => a.has(m.id), "a still receives from b");
    assert.equal(a.connectedPeers(), 1);
  });

  it("a peer that announces a message and never supplies it is blocked after the retries", async () => {
    const net = newNetwork();
    const a = await net.startNode({
      name: "a",
      gossip: { requester: { retryIntervalMs: 150, giveUpMs: 600 } },
    });
    const fakeId = new Uint8Array(32).fill(0xee);
    let requestsSeen = 0;
    const { rogueIdentity } = await startRogue(net, a, {
      onPeerConnected: (peer) => {
        peer.send(PacketType.HEARTBEAT, new Uint8Array(14), "request");
        peer.send(PacketType.GOSSIP, fakeId, "gossip");
      },
      onPeerDisconnected: () => undefined,
      onFrame: (_peer, frame) => {
        if (frame.type === PacketType.MESSAGE_REQUEST && bytesToHex(frame.body) === bytesToHex(fakeId)) {
          requestsSeen++;
        }
      },
    });
    await net.waitFor(
      () => a.gossip.blocked().some((e) => e.nodeIdHex === rogueIdentity.nodeIdHex),
      "announcer blocked",
      8_000,
    );
    const entry = a.gossip.blocked().find((e) => e.nodeIdHex === rogueIdentity.nodeIdHex)!;
    assert.equal(entry.reason, "unsupplied-announcement");
    assert.ok(requestsSeen >= 1, "the announcer was asked for the message before it was blocked");
  });
});
