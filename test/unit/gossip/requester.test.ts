/**
 * The missing-data requester (protocol/network.md §5, chrysalis.md §12 "Requests") against fake peers that record
 * the frames queued on them and a fake clock: who is asked when, give-ups and blame, the bounds, and warp sync.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { PacketType } from "../../../src/gossip/packets.js";
import type { GossipPeer, Heartbeat, PeerDirectory, SendClass } from "../../../src/gossip/peerTypes.js";
import { type ChainState, GossipRequester, type RequesterOptions } from "../../../src/gossip/requester.js";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { seededRandom } from "../../utils/seededRandom.js";

interface Frame {
  type: PacketType;
  body: Uint8Array;
  sendClass: SendClass;
}

class FakePeer implements GossipPeer {
  readonly frames: Frame[] = [];
  accept = true;

  constructor(
    readonly nodeIdHex: string,
    public heartbeat: Heartbeat | null = null,
  ) {}

  send(type: PacketType, body: Uint8Array, sendClass: SendClass): boolean {
    if (!this.accept) return false;
    this.frames.push({ type, body: body.slice(), sendClass });
    return true;
  }

  /** Hex ids of the MessageRequests it received, then forgets them. */
  takeMessageRequests(): string[] {
    const ids = this.frames.filter((f) => f.type === PacketType.MESSAGE_REQUEST).map((f) => bytesToHex(f.body));
    this.frames.length = 0;
    return ids;
  }

  /** Indexes of the MilestoneRequests it received, then forgets them. */
  takeMilestoneRequests(): number[] {
    const out = this.frames
      .filter((f) => f.type === PacketType.MILESTONE_REQUEST)
      .map((f) => new DataView(f.body.buffer, f.body.byteOffset, 4).getUint32(0, true));
    this.frames.length = 0;
    return out;
  }
}

class FakeDirectory implements PeerDirectory {
  readonly peers = new Map<string, FakePeer>();

  connected(): readonly GossipPeer[] {
    return [...this.peers.values()];
  }

  get(nodeIdHex: string): GossipPeer | undefined {
    return this.peers.get(nodeIdHex);
  }
}

function hb(confirmedIndex: number, latestIndex: number, prunedIndex = 0): Heartbeat {
  return { confirmedIndex, prunedIndex, latestIndex, connectedPeers: 4, syncedPeers: 4 };
}

function messageId(n: number): Uint8Array {
  const id = new Uint8Array(32);
  new DataView(id.buffer).setUint32(0, n);
  id[31] = 0xee;
  return id;
}

class Harness {
  time = 1_000_000;
  readonly dir = new FakeDirectory();
  readonly chainState: ChainState = { confirmedIndex: 100, latestIndex: 100, prunedIndex: 0 };
  readonly stored = new Set<string>();
  readonly milestones = new Set<number>();
  readonly givenUp: { idHex: string; blame?: string }[] = [];
  readonly requester: GossipRequester;

  constructor(options: Partial<RequesterOptions> = {}, seed = 1) {
    this.requester = new GossipRequester(options, {
      peers: this.dir,
      now: () => this.time,
      random: seededRandom(seed),
      hasMessage: (id) => this.stored.has(bytesToHex(id)),
      hasMilestone: (index) => this.milestones.has(index),
      chain: () => ({ ...this.chainState }),
      onGiveUp: (info) => this.givenUp.push(info),
    });
  }

  peer(name: string, heartbeat: Heartbeat | null = null): FakePeer {
    const p = new FakePeer(name, heartbeat);
    this.dir.peers.set(name, p);
    return p;
  }

  /** Advances the clock by `ms` and ticks. */
  advance(ms: number): void {
    this.time += ms;
    this.requester.tick();
  }

  /** Frames of every peer, cleared. */
  drain(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const p of this.dir.peers.values()) {
      const ids = p.takeMessageRequests();
      if (ids.length > 0) out.set(p.nodeIdHex, ids);
    }
    return out;
  }
}

describe("message requests", () => {
  it("sends the first request to the hinted peer only, at once, as a request-class frame with the id as body", () => {
    const h = new Harness();
    const child = h.peer("child-sender", hb(100, 100));
    h.peer("other-1", hb(100, 100));
    h.peer("other-2");
    const id = messageId(1);
    h.requester.request(id, { milestoneIndex: 100, peerId: "child-sender" });
    assert.equal(child.frames.length, 1);
    assert.deepEqual(child.frames[0], { type: PacketType.MESSAGE_REQUEST, body: id, sendClass: "request" });
    assert.deepEqual([...h.drain().keys()], ["child-sender"]);
    assert.equal(h.requester.stats().sent, 1);
    assert.equal(h.requester.isPending(bytesToHex(id)), true);
  });

  it("asks peers chosen by heartbeat at once when the hinted peer is absent or there is no hint", () => {
    const h = new Harness();
    h.peer("a", hb(100, 100));
    h.peer("b", hb(100, 100));
    h.requester.request(messageId(1), { milestoneIndex: 100, peerId: "gone" });
    h.requester.request(messageId(2), { milestoneIndex: 100 });
    const sent = h.drain();
    assert.deepEqual(sent.get("a")?.sort(), [bytesToHex(messageId(1)), bytesToHex(messageId(2))].sort());
    assert.deepEqual(sent.get("b")?.sort(), [bytesToHex(messageId(1)), bytesToHex(messageId(2))].sort());
  });

  it("retries after 5 s: hinted peer plus has-data peers, preferred over could-have; pruned peers never", () => {
    const h = new Harness({ otherPeers: 4 });
    h.chainState.latestIndex = 120; // catching up: no give-up in this test
    h.peer("hint", hb(100, 100));
    h.peer("has-data", hb(50, 60, 10));
    h.peer("could-have", hb(30, 60, 10));
    h.peer("no-heartbeat");
    h.peer("pruned", hb(200, 200, 45));
    const id = messageId(7);
    h.requester.request(id, { milestoneIndex: 40, peerId: "hint" });
    assert.deepEqual([...h.drain().keys()], ["hint"]);

    h.advance(4_999);
    assert.equal(h.drain().size, 0, "nothing before the retry interval");
    h.advance(1);
    assert.deepEqual([...h.drain().keys()].sort(), ["has-data", "hint"]);

    // Without a has-data peer, could-have peers (a peer without heartbeat counts as one) are asked.
    h.dir.peers.delete("has-data");
    h.requester.onPeerGone("has-data");
    h.advance(5_000);
    assert.deepEqual([...h.drain().keys()].sort(), ["could-have", "hint", "no-heartbeat"]);
  });

  it("falls back to any connected peer that has not pruned the index when nobody has or could have it", () => {
    const h = new Harness();
    h.peer("x", hb(100, 100));
    h.peer("y", hb(90, 100));
    h.peer("pruned", hb(300, 300, 250));
    h.requester.request(messageId(8), { milestoneIndex: 350 });
    assert.deepEqual([...h.drain().keys()].sort(), ["pruned", "x", "y"]);
    h.requester.request(messageId(9), { milestoneIndex: 200 });
    assert.deepEqual([...h.drain().keys()].sort(), ["x", "y"]);
  });

  it("asks at most otherPeers others besides the hinted peer, at random", () => {
    const chosen = new Set<string>();
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const h = new Harness({ otherPeers: 3 }, seed);
      h.peer("hint");
      for (let i = 0; i < 10; i++) h.peer(`p${i}`, hb(100, 100));
      h.requester.request(messageId(1), { milestoneIndex: 90, peerId: "hint" });
      h.drain();
      h.advance(5_000);
      const sent = h.drain();
      assert.equal(sent.size, 4);
      assert.equal(sent.has("hint"), true);
      for (const name of sent.keys()) chosen.add(name);
    }
    assert.ok(chosen.size > 5, `random choice spreads over peers (${chosen.size})`);
  });

  it("gives up after 15 s while synced, blaming the peer that sent the child", () => {
    const h = new Harness();
    h.peer("hint");
    h.peer("other", hb(100, 100));
    const id = messageId(3);
    h.requester.request(id, { milestoneIndex: 100, peerId: "hint" });
    h.drain();
    h.advance(5_000);
    h.advance(5_000);
    assert.equal(h.drain().get("hint")?.length, 2, "retries at 5 s and 10 s");
    h.advance(4_999);
    assert.equal(h.requester.isPending(bytesToHex(id)), true);
    h.advance(1);
    assert.equal(h.drain().size, 0, "no frame at the give-up");
    assert.equal(h.requester.isPending(bytesToHex(id)), false);
    assert.deepEqual(h.givenUp, [{ idHex: bytesToHex(id), blame: "hint" }]);
    assert.equal(h.requester.stats().givenUp, 1);
    assert.equal(h.requester.takeRequest(bytesToHex(id)), undefined);
  });

  it("gives up without blame when nobody was hinted", () => {
    const h = new Harness();
    h.requester.request(messageId(3), { milestoneIndex: 100 });
    h.advance(15_000);
    assert.deepEqual(h.givenUp, [{ idHex: bytesToHex(messageId(3)) }]);
  });

  it("keeps and retries requests while catching up (CMI < LMI), gives them up once synced", () => {
    const h = new Harness();
    h.chainState.latestIndex = 105;
    const p = h.peer("p", hb(110, 110));
    h.requester.request(messageId(4), { milestoneIndex: 103, peerId: "p" });
    for (let i = 0; i < 12; i++) h.advance(5_000);
    assert.equal(p.takeMessageRequests().length, 13, "first request plus a retry every 5 s for a minute");
    assert.equal(h.requester.isPending(bytesToHex(messageId(4))), true);
    assert.equal(h.givenUp.length, 0);
    h.chainState.confirmedIndex = 105;
    h.advance(1_000);
    assert.equal(h.requester.isPending(bytesToHex(messageId(4))), false);
    assert.equal(h.givenUp.length, 1);
  });

  it("drops a request whose message got stored by another path, without sending", () => {
    const h = new Harness();
    const p = h.peer("p");
    h.requester.request(messageId(5), { milestoneIndex: 100, peerId: "p" });
    p.takeMessageRequests();
    h.stored.add(bytesToHex(messageId(5)));
    h.advance(5_000);
    assert.equal(p.frames.length, 0);
    assert.equal(h.requester.isPending(bytesToHex(messageId(5))), false);
    assert.equal(h.givenUp.length, 0);
  });

  it("does not give up (or blame) a message that got stored without takeRequest", () => {
    const h = new Harness();
    h.requester.expect(messageId(5), "announcer");
    h.advance(10_000);
    h.stored.add(bytesToHex(messageId(5)));
    h.advance(5_000);
    assert.equal(h.requester.isPending(bytesToHex(messageId(5))), false);
    assert.deepEqual([h.givenUp.length, h.requester.stats().givenUp], [0, 0]);
  });

  it("dedupes by id and merges hints: lower milestone index wins, a new hinted peer is asked at once", () => {
    const h = new Harness();
    h.peer("a");
    h.peer("b");
    const id = messageId(6);
    h.requester.request(id, { milestoneIndex: 100, peerId: "a" });
    h.requester.request(id, { milestoneIndex: 100, peerId: "a" });
    assert.deepEqual(Object.fromEntries(h.drain()), { a: [bytesToHex(id)] });
    h.requester.request(id, { milestoneIndex: 120 });
    h.requester.request(id, { milestoneIndex: 95, peerId: "b" });
    assert.deepEqual(Object.fromEntries(h.drain()), { b: [bytesToHex(id)] });
    h.requester.request(id, { milestoneIndex: 99 });
    assert.equal(h.requester.stats().pendingMessages, 1);
    assert.deepEqual(h.requester.takeRequest(bytesToHex(id)), { milestoneIndex: 95 });
  });

  it("does not copy-alias the caller's id: a view into a bigger buffer is copied", () => {
    const h = new Harness();
    const p = h.peer("p");
    const buffer = new Uint8Array(1000).fill(9);
    const view = buffer.subarray(100, 132);
    h.requester.request(view, { milestoneIndex: 100, peerId: "p" });
    buffer.fill(0);
    p.takeMessageRequests();
    h.advance(5_000);
    assert.deepEqual(p.takeMessageRequests(), [bytesToHex(new Uint8Array(32).fill(9))]);
  });

  it("refuses new entries beyond maxPending and counts them", () => {
    const h = new Harness({ maxPending: 3 });
    const p = h.peer("p");
    for (let i = 0; i < 3; i++) h.requester.request(messageId(i), { milestoneIndex: 100, peerId: "p" });
    h.requester.expect(messageId(10), "p");
    h.requester.request(messageId(11), { milestoneIndex: 100, peerId: "p" });
    assert.equal(p.takeMessageRequests().length, 3);
    assert.deepEqual(
      { pending: h.requester.stats().pendingMessages, refused: h.requester.stats().refused },
      { pending: 3, refused: 2 },
    );
    assert.equal(h.requester.isPending(bytesToHex(messageId(11))), false);
    // A merge into a pending entry is not a new entry.
    h.requester.request(messageId(0), { milestoneIndex: 90 });
    assert.equal(h.requester.stats().refused, 2);
    h.requester.takeRequest(bytesToHex(messageId(0)));
    h.requester.request(messageId(11), { milestoneIndex: 100, peerId: "p" });
    assert.equal(h.requester.isPending(bytesToHex(messageId(11))), true);
  });

  it("onPeerGone forgets the peer as a target but keeps the other candidates and the blame", () => {
    const h = new Harness({ otherPeers: 0 });
    const a = h.peer("a");
    const b = h.peer("b");
    const id = messageId(12);
    h.requester.request(id, { milestoneIndex: 100, peerId: "a" });
    h.requester.request(id, { milestoneIndex: 100, peerId: "b" });
    h.drain();
    h.requester.onPeerGone("a");
    h.dir.peers.delete("a");
    h.advance(5_000);
    assert.equal(b.takeMessageRequests().length, 1);
    // "a" reconnects: it is no longer asked first (and with otherPeers 0 not at all).
    h.dir.peers.set("a", a);
    h.advance(5_000);
    assert.equal(a.frames.length, 0);
    assert.equal(b.takeMessageRequests().length, 1);
    h.advance(5_000);
    assert.deepEqual(h.givenUp, [{ idHex: bytesToHex(id), blame: "a" }]);
  });

  it("a request the peer's queue refused is not counted as sent and is retried", () => {
    const h = new Harness();
    const p = h.peer("p");
    p.accept = false;
    h.requester.request(messageId(13), { milestoneIndex: 100, peerId: "p" });
    assert.equal(h.requester.stats().sent, 0);
    p.accept = true;
    h.advance(5_000);
    assert.equal(p.takeMessageRequests().length, 1);
    assert.equal(h.requester.stats().sent, 1);
  });
});

describe("announcements (expect)", () => {
  it("sends nothing at once, asks the announcer after 5 s, then others, and gives up with blame", () => {
    const h = new Harness();
    h.chainState.latestIndex = 200; // catching up: expectations are given up all the same
    const announcer = h.peer("announcer", hb(100, 100));
    h.peer("other", hb(300, 300));
    const id = messageId(20);
    const idHex = bytesToHex(id);
    h.requester.expect(id, "announcer");
    assert.equal(h.requester.isPending(idHex), true);
    assert.equal(h.drain().size, 0);
    h.advance(4_999);
    assert.equal(h.drain().size, 0);
    h.advance(1);
    assert.deepEqual(Object.fromEntries(h.drain()), { announcer: [idHex] });
    h.advance(5_000);
    assert.deepEqual([...h.drain().keys()].sort(), ["announcer", "other"]);
    h.advance(5_000);
    assert.equal(announcer.frames.length, 0);
    assert.deepEqual(h.givenUp, [{ idHex, blame: "announcer" }]);
    assert.equal(h.requester.isPending(idHex), false);
  });

  it("asks others at the first round when the announcer is gone", () => {
    const h = new Harness();
    h.peer("other");
    h.requester.expect(messageId(21), "announcer");
    h.requester.onPeerGone("announcer");
    h.advance(5_000);
    assert.deepEqual([...h.drain().keys()], ["other"]);
  });

  it("takeRequest: an expectation not yet requested is cleared but the message counts as unrequested", () => {
    const h = new Harness();
    h.peer("announcer");
    const idHex = bytesToHex(messageId(22));
    h.requester.expect(messageId(22), "announcer");
    assert.equal(h.requester.takeRequest(idHex), undefined);
    assert.equal(h.requester.isPending(idHex), false);
    assert.equal(h.requester.stats().answered, 0);
    h.advance(5_000);
    assert.equal(h.drain().size, 0, "nothing is requested once it arrived");
  });

  it("takeRequest: an expectation that was requested returns the LMI it was expected under", () => {
    const h = new Harness();
    h.chainState.latestIndex = 104;
    h.peer("announcer");
    const idHex = bytesToHex(messageId(23));
    h.requester.expect(messageId(23), "announcer");
    h.advance(5_000);
    assert.equal(h.drain().size, 1);
    assert.deepEqual(h.requester.takeRequest(idHex), { milestoneIndex: 104 });
    assert.equal(h.requester.stats().answered, 1);
  });

  it("an expectation the solidifier then asks for becomes a request: requested, kept while catching up", () => {
    const h = new Harness();
    h.chainState.latestIndex = 120;
    h.peer("announcer");
    h.peer("child-sender");
    const id = messageId(24);
    h.requester.expect(id, "announcer");
    h.requester.request(id, { milestoneIndex: 101, peerId: "child-sender" });
    assert.deepEqual(Object.fromEntries(h.drain()), { "child-sender": [bytesToHex(id)] });
    h.advance(20_000);
    assert.equal(h.requester.isPending(bytesToHex(id)), true, "needed while catching up");
    h.chainState.confirmedIndex = 120;
    h.advance(1_000);
    assert.deepEqual(h.givenUp, [{ idHex: bytesToHex(id), blame: "announcer" }]);
  });

  it("a request merged into an expectation without a hint is requested at once for takeRequest", () => {
    const h = new Harness();
    const id = messageId(25);
    h.requester.expect(id, "announcer");
    h.requester.request(id, { milestoneIndex: 99 });
    assert.deepEqual(h.requester.takeRequest(bytesToHex(id)), { milestoneIndex: 99 });
  });

  it("takeRequest of an unknown id returns undefined and a second take finds nothing", () => {
    const h = new Harness();
    h.peer("p");
    const idHex = bytesToHex(messageId(26));
    assert.equal(h.requester.takeRequest(idHex), undefined);
    h.requester.request(messageId(26), { milestoneIndex: 100, peerId: "p" });
    assert.deepEqual(h.requester.takeRequest(idHex), { milestoneIndex: 100 });
    assert.equal(h.requester.takeRequest(idHex), undefined);
    assert.equal(h.requester.stats().answered, 1);
  });
});

describe("milestone requests", () => {
  it("sends MilestoneRequest(u32 LE) only to peers whose heartbeat has the index, re-sends until recorded", () => {
    const h = new Harness();
    const ahead = h.peer("ahead", hb(100, 101));
    const behind = h.peer("behind", hb(100, 100));
    const pruned = h.peer("pruned", hb(101, 101, 101));
    const noHb = h.peer("no-heartbeat");
    h.requester.requestMilestone(101);
    assert.equal(ahead.frames[0]?.sendClass, "request");
    assert.deepEqual(ahead.frames[0]?.body, Uint8Array.of(101, 0, 0, 0));
    assert.deepEqual(ahead.takeMilestoneRequests(), [101]);
    for (const p of [behind, pruned, noHb]) assert.equal(p.frames.length, 0, p.nodeIdHex);
    h.requester.requestMilestone(101);
    assert.equal(ahead.frames.length, 0, "deduped");
    h.advance(5_000);
    assert.deepEqual(ahead.takeMilestoneRequests(), [101]);
    h.milestones.add(101);
    h.advance(5_000);
    assert.equal(ahead.frames.length, 0);
    assert.equal(h.requester.stats().pendingMilestones, 0);
  });

  it("goes to every connected peer while none has sent a heartbeat", () => {
    const h = new Harness();
    const a = h.peer("a");
    const b = h.peer("b");
    h.requester.requestMilestone(101);
    assert.deepEqual([a.takeMilestoneRequests(), b.takeMilestoneRequests()], [[101], [101]]);
  });

  it("ignores indexes at or below the CMI and drops entries once the CMI passes them", () => {
    const h = new Harness();
    const a = h.peer("a");
    h.requester.requestMilestone(100);
    h.requester.requestMilestone(50);
    assert.equal(a.frames.length, 0);
    h.requester.requestMilestone(101);
    a.takeMilestoneRequests();
    h.chainState.confirmedIndex = 101;
    h.advance(5_000);
    assert.equal(a.frames.length, 0);
    assert.equal(h.requester.stats().pendingMilestones, 0);
  });

  it("warp sync: a heartbeat opens the window CMI+1 .. min(latest seen, CMI+window), skipping recorded ones", () => {
    const h = new Harness({ milestoneWindow: 150 });
    const p = h.peer("p", hb(400, 400));
    h.milestones.add(105);
    h.requester.onHeartbeat(p);
    const asked = p.takeMilestoneRequests();
    const expected = Array.from({ length: 150 }, (_, i) => 101 + i).filter((i) => i !== 105);
    assert.deepEqual(asked, expected);
    assert.equal(h.requester.stats().pendingMilestones, 149);

    // The window moves with the CMI on every tick.
    h.chainState.confirmedIndex = 150;
    h.advance(1_000);
    assert.deepEqual(
      p.takeMilestoneRequests(),
      Array.from({ length: 50 }, (_, i) => 251 + i),
    );
    assert.equal(h.requester.stats().pendingMilestones, 150);
  });

  it("warp sync stops at the latest index peers report and asks nothing when nobody is ahead", () => {
    const h = new Harness();
    const p = h.peer("p", hb(100, 103));
    h.requester.onHeartbeat(p);
    assert.deepEqual(p.takeMilestoneRequests(), [101, 102, 103]);
    const q = new Harness();
    const level = q.peer("level", hb(100, 100));
    q.requester.onHeartbeat(level);
    assert.equal(level.frames.length, 0);
    assert.equal(q.requester.stats().pendingMilestones, 0);
  });

  it("refuses an index beyond the window", () => {
    const h = new Harness({ milestoneWindow: 10 });
    const p = h.peer("p");
    h.requester.requestMilestone(111);
    assert.equal(p.frames.length, 0);
    assert.equal(h.requester.stats().refused, 1);
    h.requester.requestMilestone(110);
    assert.deepEqual(p.takeMilestoneRequests(), [110]);
  });
});

describe("send budget", () => {
  it("bounds the frames of one tick and serves the backlog round-robin", () => {
    const h = new Harness({ maxSendsPerTick: 10, otherPeers: 0 });
    const p = h.peer("p");
    for (let i = 0; i < 25; i++) h.requester.request(messageId(i), { milestoneIndex: 100, peerId: "p" });
    assert.equal(p.takeMessageRequests().length, 25, "one hinted frame per request is not held back");
    h.time += 5_000;
    const seen = new Set<string>();
    for (let t = 0; t < 3; t++) {
      h.advance(0);
      const ids = p.takeMessageRequests();
      assert.ok(ids.length <= 10, `tick ${t} sent ${ids.length}`);
      for (const id of ids) seen.add(id);
    }
    assert.equal(seen.size, 25, "every entry was retried within three ticks");
    h.advance(1_000);
    assert.equal(p.frames.length, 0, "nothing is due again before the interval");
  });

  it("fan-outs of new unhinted requests draw on the budget and wait for the next tick when it is spent", () => {
    const h = new Harness({ maxSendsPerTick: 3 });
    const p = h.peer("p");
    for (let i = 0; i < 5; i++) h.requester.request(messageId(i), { milestoneIndex: 100 });
    assert.equal(p.takeMessageRequests().length, 3);
    h.advance(0);
    assert.equal(p.takeMessageRequests().length, 2);
  });

  it("milestone requests share the budget", () => {
    const h = new Harness({ maxSendsPerTick: 40 });
    const p = h.peer("p", hb(400, 400));
    h.requester.onHeartbeat(p);
    assert.equal(p.takeMilestoneRequests().length, 40);
    h.advance(0);
    assert.equal(p.takeMilestoneRequests().length, 40);
    assert.equal(h.requester.stats().pendingMilestones, 150);
  });
});

describe("invariants under random operations", () => {
  it("entries and frames per tick stay bounded; bodies are well-formed; milestones stay within the window", () => {
    const op = fc.oneof(
      fc.record({
        k: fc.constant("request" as const),
        id: fc.nat(40),
        ms: fc.integer({ min: 90, max: 130 }),
        peer: fc.nat(5),
      }),
      fc.record({ k: fc.constant("expect" as const), id: fc.nat(40), peer: fc.nat(5) }),
      fc.record({ k: fc.constant("take" as const), id: fc.nat(40) }),
      fc.record({ k: fc.constant("milestone" as const), index: fc.integer({ min: 90, max: 140 }) }),
      fc.record({ k: fc.constant("heartbeat" as const), peer: fc.nat(3), latest: fc.integer({ min: 100, max: 160 }) }),
      fc.record({ k: fc.constant("gone" as const), peer: fc.nat(5) }),
      fc.record({ k: fc.constant("tick" as const), ms: fc.integer({ min: 0, max: 6_000 }), confirm: fc.nat(3) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), (ops) => {
        const window = 12;
        const h = new Harness({ maxPending: 15, milestoneWindow: window, maxSendsPerTick: 8 });
        const peers = Array.from({ length: 4 }, (_, i) => h.peer(`p${i}`, i === 0 ? null : hb(100, 100 + i)));
        h.chainState.latestIndex = 110;
        for (const o of ops) {
          switch (o.k) {
            case "request":
              h.requester.request(messageId(o.id), { milestoneIndex: o.ms, peerId: `p${o.peer}` });
              break;
            case "expect":
              h.requester.expect(messageId(o.id), `p${o.peer}`);
              break;
            case "take":
              h.requester.takeRequest(bytesToHex(messageId(o.id)));
              break;
            case "milestone":
              h.requester.requestMilestone(o.index);
              break;
            case "heartbeat": {
              const p = peers[o.peer]!;
              p.heartbeat = hb(h.chainState.confirmedIndex, o.latest);
              h.requester.onHeartbeat(p);
              break;
            }
            case "gone":
              h.requester.onPeerGone(`p${o.peer}`);
              break;
            case "tick": {
              for (const p of peers) p.frames.length = 0;
              h.chainState.confirmedIndex += o.confirm;
              h.chainState.latestIndex = Math.max(h.chainState.latestIndex, h.chainState.confirmedIndex);
              h.advance(o.ms);
              const frames = peers.flatMap((p) => p.frames);
              if (frames.length > 8) return false;
              break;
            }
          }
          const s = h.requester.stats();
          if (s.pendingMessages > 15 || s.pendingMilestones > window) return false;
          for (const f of peers.flatMap((p) => p.frames)) {
            if (f.type === PacketType.MESSAGE_REQUEST && f.body.length !== 32) return false;
            if (f.type === PacketType.MILESTONE_REQUEST) {
              const index = new DataView(f.body.buffer).getUint32(0, true);
              if (f.body.length !== 4 || index <= 90 || index > h.chainState.confirmedIndex + window) return false;
            }
          }
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });
});
