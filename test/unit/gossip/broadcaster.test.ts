/**
 * Dissemination of protocol/network.md §4 with fake peers that record frames, a fake clock and a seeded random:
 * flood reaches every peer but the senders; infect announces to three peers, sends the Message only to those that
 * lack it, replaces holders, timeouts and departed peers with untried peers up to the attempt limit, and keeps its
 * memory bounded. An in-memory network of 25 Broadcasters shows both modes reach every node and infect costs fewer
 * bytes.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { blake2b256 } from "../../../src/crypto/blake2b.js";
import {
  attemptLimitFor,
  Broadcaster,
  type BroadcasterOptions,
  DEFAULT_BROADCASTER_OPTIONS,
  type GossipMode,
  REMEMBERED_IDS_MAX,
} from "../../../src/gossip/broadcaster.js";
import { FRAME_HEADER_LENGTH, PacketType } from "../../../src/gossip/packets.js";
import type { GossipPeer, PeerDirectory, SendClass } from "../../../src/gossip/peerTypes.js";
import { concatBytes } from "../../../src/primitives/bytes.js";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { seededRandom } from "../../utils/seededRandom.js";

interface SentFrame {
  to: string;
  type: PacketType;
  body: Uint8Array;
  sendClass: SendClass;
}

function peerHex(i: number): string {
  return i.toString(16).padStart(64, "0");
}

/** A directory of fake peers that record every frame; peers in `refusing` report a full queue. */
class FakePeers implements PeerDirectory {
  readonly frames: SentFrame[] = [];
  readonly refusing = new Set<string>();
  private readonly peers = new Map<string, GossipPeer>();

  constructor(count: number) {
    for (let i = 0; i < count; i++) this.add(peerHex(i));
  }

  add(nodeIdHex: string): void {
    this.peers.set(nodeIdHex, {
      nodeIdHex,
      heartbeat: null,
      send: (type, body, sendClass) => {
        if (this.refusing.has(nodeIdHex)) return false;
        this.frames.push({ to: nodeIdHex, type, body, sendClass });
        return true;
      },
    });
  }

  remove(nodeIdHex: string): void {
    this.peers.delete(nodeIdHex);
  }

  connected(): readonly GossipPeer[] {
    return [...this.peers.values()];
  }

  get(nodeIdHex: string): GossipPeer | undefined {
    return this.peers.get(nodeIdHex);
  }

  /** Frames of one type, in order, and forgets all frames. */
  take(type: PacketType): SentFrame[] {
    const out = this.frames.filter((f) => f.type === type);
    this.frames.length = 0;
    return out;
  }
}

interface Setup {
  b: Broadcaster;
  peers: FakePeers;
  clock: { t: number };
}

function setup(peerCount: number, options: Partial<BroadcasterOptions> = {}, seed = 1): Setup {
  const peers = new FakePeers(peerCount);
  const clock = { t: 1_000_000 };
  const b = new Broadcaster(options, { peers, now: () => clock.t, random: seededRandom(seed) });
  return { b, peers, clock };
}

function idOf(k: number): { id: Uint8Array; idHex: string } {
  const id = new Uint8Array(32);
  new DataView(id.buffer).setUint32(0, k);
  id[31] = 0xaa;
  return { id, idHex: bytesToHex(id) };
}

const BYTES = new Uint8Array(300).fill(0x5c);
const NONE: ReadonlySet<string> = new Set();

function broadcast(s: Setup, k: number, exclude: ReadonlySet<string> = NONE): string {
  const { id, idHex } = idOf(k);
  s.b.broadcast(id, idHex, BYTES, exclude);
  return idHex;
}

function recipients(frames: SentFrame[]): string[] {
  return frames.map((f) => f.to);
}

describe("broadcaster options", () => {
  it("defaults to infect with target 3, saturation 80 % → 15 attempts, 2 s timeout, 60 s memory, 10 000 rounds", () => {
    assert.deepEqual(DEFAULT_BROADCASTER_OPTIONS, {
      mode: "infect",
      infectionTarget: 3,
      saturationPercent: 80,
      responseTimeoutMs: 2000,
      rememberMs: 60_000,
      maxRounds: 10_000,
    });
    const { b } = setup(0);
    assert.equal(b.mode, "infect");
    assert.equal(b.attemptLimit, 15);
    assert.equal(attemptLimitFor(3, 0), 3);
    assert.equal(attemptLimitFor(3, 50), 6);
    assert.equal(attemptLimitFor(4, 70), 14, "ceil(400/30)");
  });

  it("refuses a saturation outside [0, 100) and other nonsense", () => {
    for (const bad of [
      { saturationPercent: 100 },
      { saturationPercent: -1 },
      { saturationPercent: Number.NaN },
      { infectionTarget: 0 },
      { infectionTarget: 2.5 },
      { responseTimeoutMs: 0 },
      { rememberMs: -1 },
      { maxRounds: 0 },
      { mode: "shout" as GossipMode },
    ]) {
      assert.throws(() => setup(0, bad), RangeError, JSON.stringify(bad));
    }
    assert.equal(setup(0, { saturationPercent: 99.9 }).b.attemptLimit, 3000);
  });
});

describe("broadcaster: flood", () => {
  it("sends the full Message to every connected peer except the excluded ones, and no Gossip", () => {
    const s = setup(8, { mode: "flood" });
    broadcast(s, 1, new Set([peerHex(2), peerHex(5), peerHex(99)]));
    const sent = s.peers.frames;
    assert.ok(sent.every((f) => f.type === PacketType.MESSAGE && f.body === BYTES && f.sendClass === "gossip"));
    assert.deepEqual(recipients(sent).sort(), [0, 1, 3, 4, 6, 7].map(peerHex));
    const st = s.b.stats();
    assert.equal(st.messagesSent, 6);
    assert.equal(st.gossipSent, 0);
    assert.equal(st.broadcasts, 1);
    assert.equal(st.roundsInFlight, 0);
  });

  it("counts only the Messages a peer queue accepted", () => {
    const s = setup(4, { mode: "flood" });
    s.peers.refusing.add(peerHex(1));
    broadcast(s, 1);
    assert.equal(s.peers.frames.length, 3);
    assert.equal(s.b.stats().messagesSent, 3);
  });

  it("ignores a second broadcast of an id within rememberMs and allows it afterwards", () => {
    const s = setup(3, { mode: "flood" });
    broadcast(s, 7);
    s.clock.t += 59_999;
    s.b.tick();
    broadcast(s, 7);
    assert.equal(s.peers.frames.length, 3);
    s.clock.t += 1;
    s.b.tick();
    broadcast(s, 7);
    assert.equal(s.peers.frames.length, 6);
    assert.equal(s.b.stats().broadcasts, 2);
  });

  it("answers to Gossip are never expected in flood mode", () => {
    const s = setup(3, { mode: "flood" });
    const idHex = broadcast(s, 1);
    assert.equal(s.b.onGossipResponse(peerHex(0), idHex, false), false);
    assert.equal(s.peers.take(PacketType.MESSAGE).length, 3);
    assert.equal(s.peers.frames.length, 0);
  });
});

describe("broadcaster: infect, first picks", () => {
  it("sends Gossip(id) to exactly 3 distinct random peers and keeps the round open", () => {
    const s = setup(10);
    const idHex = broadcast(s, 1);
    const gossip = s.peers.take(PacketType.GOSSIP);
    assert.equal(gossip.length, 3);
    assert.equal(new Set(recipients(gossip)).size, 3);
    for (const f of gossip) {
      assert.equal(bytesToHex(f.body), idHex);
      assert.equal(f.sendClass, "gossip");
    }
    assert.equal(s.peers.frames.length, 0, "no Message before an answer");
    assert.deepEqual(s.b.stats(), {
      broadcasts: 1,
      gossipSent: 3,
      messagesSent: 0,
      infected: 0,
      holders: 0,
      timeouts: 0,
      roundsInFlight: 1,
    });
  });

  it("different seeds pick different peers (the choice is random, not the first three)", () => {
    const picks = new Set<string>();
    for (let seed = 1; seed <= 20; seed++) {
      const s = setup(10, {}, seed);
      broadcast(s, 1);
      picks.add(recipients(s.peers.take(PacketType.GOSSIP)).sort().join());
    }
    assert.ok(picks.size > 5, `only ${picks.size} distinct choices`);
  });

  it("asks every peer when fewer than 3 exist, and finishes at once with none", () => {
    const s = setup(2);
    broadcast(s, 1);
    assert.deepEqual(recipients(s.peers.take(PacketType.GOSSIP)).sort(), [peerHex(0), peerHex(1)]);
    const empty = setup(0);
    broadcast(empty, 1);
    assert.equal(empty.b.stats().roundsInFlight, 0);
    assert.equal(empty.b.stats().broadcasts, 1);
  });

  it("never contacts excluded peers; connected excluded peers use up attempts (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 30 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 20 }),
        fc.integer(),
        (count, excludedIdx, seed) => {
          const s = setup(count, {}, seed);
          const exclude = new Set(excludedIdx.map(peerHex));
          broadcast(s, 1, exclude);
          const excludedConnected = excludedIdx.filter((i, k) => i < count && excludedIdx.indexOf(i) === k).length;
          // Every asked peer holds it: the round walks on until the attempt limit or the peers run out.
          for (let step = 0; step < 40; step++) {
            const asked = s.peers.take(PacketType.GOSSIP);
            for (const f of asked) {
              assert.ok(!exclude.has(f.to), "excluded peer contacted");
              assert.equal(s.b.onGossipResponse(f.to, bytesToHex(f.body), true), true);
            }
            if (asked.length === 0) break;
          }
          const st = s.b.stats();
          assert.equal(st.gossipSent, Math.max(0, Math.min(15 - excludedConnected, count - excludedConnected)));
          assert.equal(st.roundsInFlight, 0);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe("broadcaster: infect, answers", () => {
  it("'not held' → the Message goes to that peer and it counts as infected", () => {
    const s = setup(10);
    const idHex = broadcast(s, 1);
    const [first] = s.peers.take(PacketType.GOSSIP);
    assert.ok(first);
    assert.equal(s.b.onGossipResponse(first.to, idHex, false), true);
    const sent = s.peers.frames.splice(0);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.type, PacketType.MESSAGE);
    assert.equal(sent[0]!.to, first.to);
    assert.equal(sent[0]!.body, BYTES);
    assert.equal(sent[0]!.sendClass, "gossip");
    const st = s.b.stats();
    assert.equal(st.infected, 1);
    assert.equal(st.messagesSent, 1);
    assert.equal(st.roundsInFlight, 1);
  });

  it("'held' → exactly one more, untried peer is asked", () => {
    const s = setup(10);
    const idHex = broadcast(s, 1);
    const first = recipients(s.peers.take(PacketType.GOSSIP));
    assert.equal(s.b.onGossipResponse(first[1]!, idHex, true), true);
    const next = s.peers.take(PacketType.GOSSIP);
    assert.equal(next.length, 1);
    assert.ok(!first.includes(next[0]!.to), "asked a tried peer again");
    assert.equal(s.b.stats().holders, 1);
    assert.equal(s.b.stats().messagesSent, 0);
  });

  it("stops after 3 infected: no further Gossip, the round is finished and later answers are ignored", () => {
    const s = setup(10);
    const idHex = broadcast(s, 1);
    const first = recipients(s.peers.take(PacketType.GOSSIP));
    // One holder, then the replacement and the two others lack it.
    s.b.onGossipResponse(first[0]!, idHex, true);
    const [replacement] = recipients(s.peers.take(PacketType.GOSSIP));
    for (const p of [first[1]!, first[2]!, replacement!]) assert.equal(s.b.onGossipResponse(p, idHex, false), true);
    assert.equal(s.peers.take(PacketType.GOSSIP).length, 0);
    const st = s.b.stats();
    assert.equal(st.infected, 3);
    assert.equal(st.messagesSent, 3);
    assert.equal(st.gossipSent, 4);
    assert.equal(st.roundsInFlight, 0);
    assert.equal(s.b.onGossipResponse(first[0]!, idHex, false), false);
    s.clock.t += 10_000;
    s.b.tick();
    assert.equal(s.b.stats().timeouts, 0, "a finished round leaves no deadline behind");
  });

  it("tries at most attemptLimit = 15 peers when all of them hold the message", () => {
    const s = setup(30);
    const idHex = broadcast(s, 1);
    const asked = new Set<string>();
    for (;;) {
      const frames = s.peers.take(PacketType.GOSSIP);
      if (frames.length === 0) break;
      for (const f of frames) {
        assert.ok(!asked.has(f.to), "a peer was asked twice");
        asked.add(f.to);
        s.b.onGossipResponse(f.to, idHex, true);
      }
    }
    assert.equal(asked.size, 15);
    const st = s.b.stats();
    assert.equal(st.holders, 15);
    assert.equal(st.infected, 0);
    assert.equal(st.roundsInFlight, 0);
  });

  it("keeps no more than infectionTarget peers awaited or infected when the attempt limit is near", () => {
    const s = setup(30, { infectionTarget: 2, saturationPercent: 50 });
    assert.equal(s.b.attemptLimit, 4);
    const idHex = broadcast(s, 1);
    const [a, b] = recipients(s.peers.take(PacketType.GOSSIP));
    s.b.onGossipResponse(a!, idHex, true);
    s.b.onGossipResponse(b!, idHex, false);
    const [c] = recipients(s.peers.take(PacketType.GOSSIP));
    s.b.onGossipResponse(c!, idHex, true);
    const [d] = recipients(s.peers.take(PacketType.GOSSIP));
    assert.ok(d);
    s.b.onGossipResponse(d, idHex, true);
    assert.equal(s.peers.take(PacketType.GOSSIP).length, 0, "4 attempts used");
    assert.equal(s.b.stats().roundsInFlight, 0);
    assert.equal(s.b.stats().infected, 1);
  });

  it("finishes when no untried peer is left, even below the attempt limit", () => {
    const s = setup(5);
    const idHex = broadcast(s, 1);
    let asked = 0;
    for (;;) {
      const frames = s.peers.take(PacketType.GOSSIP);
      if (frames.length === 0) break;
      asked += frames.length;
      for (const f of frames) s.b.onGossipResponse(f.to, idHex, true);
    }
    assert.equal(asked, 5);
    assert.equal(s.b.stats().roundsInFlight, 0);
  });

  it("ignores answers for unknown ids, from peers it did not ask, and second answers", () => {
    const s = setup(10);
    const idHex = broadcast(s, 1);
    const asked = recipients(s.peers.take(PacketType.GOSSIP));
    const unasked = [...Array(10).keys()].map(peerHex).find((p) => !asked.includes(p))!;
    const before = s.b.stats();
    assert.equal(s.b.onGossipResponse(asked[0]!, idOf(2).idHex, false), false, "unknown id");
    assert.equal(s.b.onGossipResponse(unasked, idHex, false), false, "unasked peer");
    assert.equal(s.b.onGossipResponse(peerHex(77), idHex, true), false, "unknown peer");
    assert.deepEqual(s.b.stats(), before);
    assert.equal(s.peers.frames.length, 0);
    assert.equal(s.b.onGossipResponse(asked[0]!, idHex, false), true);
    assert.equal(s.b.onGossipResponse(asked[0]!, idHex, false), false, "second answer");
    assert.equal(s.peers.take(PacketType.MESSAGE).length, 1);
  });

  it("a peer whose queue refuses the Gossip counts as a holder and another is asked", () => {
    const s = setup(4);
    s.peers.refusing.add(peerHex(0));
    s.peers.refusing.add(peerHex(1));
    broadcast(s, 1);
    assert.deepEqual(recipients(s.peers.take(PacketType.GOSSIP)).sort(), [peerHex(2), peerHex(3)]);
    const st = s.b.stats();
    assert.equal(st.gossipSent, 2);
    assert.equal(st.holders, 2);
  });

  it("a 'not held' peer whose queue refuses the Message is not infected; another peer is asked", () => {
    const s = setup(10);
    const idHex = broadcast(s, 1);
    const [first] = recipients(s.peers.take(PacketType.GOSSIP));
    s.peers.refusing.add(first!);
    assert.equal(s.b.onGossipResponse(first!, idHex, false), true);
    assert.equal(s.peers.take(PacketType.GOSSIP).length, 1);
    assert.equal(s.b.stats().infected, 0);
    assert.equal(s.b.stats().holders, 1);
  });
});

describe("broadcaster: infect, time and departures", () => {
  it("an answer missing for responseTimeoutMs counts as a holder and the next peer is asked", () => {
    const s = setup(10);
    const idHex = broadcast(s, 1);
    const first = recipients(s.peers.take(PacketType.GOSSIP));
    s.b.onGossipResponse(first[0]!, idHex, false);
    s.peers.frames.length = 0;
    s.clock.t += 1999;
    s.b.tick();
    assert.equal(s.peers.frames.length, 0, "not yet overdue");
    s.clock.t += 1;
    s.b.tick();
    const next = recipients(s.peers.take(PacketType.GOSSIP));
    assert.equal(next.length, 2, "one replacement per silent peer");
    assert.ok(next.every((p) => !first.includes(p)));
    const st = s.b.stats();
    assert.equal(st.timeouts, 2);
    assert.equal(st.holders, 2);
    assert.equal(s.b.onGossipResponse(first[1]!, idHex, false), false, "a late answer is ignored");
    // The replacements get their own full timeout.
    s.clock.t += 1999;
    s.b.tick();
    assert.equal(s.b.stats().timeouts, 2);
    s.clock.t += 1;
    s.b.tick();
    assert.equal(s.b.stats().timeouts, 4);
  });

  it("a round of silent peers ends after the attempt limit", () => {
    const s = setup(30);
    broadcast(s, 1);
    let asked = s.peers.take(PacketType.GOSSIP).length;
    for (let i = 0; i < 20 && s.b.stats().roundsInFlight > 0; i++) {
      s.clock.t += 2000;
      s.b.tick();
      asked += s.peers.take(PacketType.GOSSIP).length;
    }
    assert.equal(asked, 15);
    assert.equal(s.b.stats().timeouts, 15);
    assert.equal(s.b.stats().roundsInFlight, 0);
  });

  it("onPeerGone: the departed peer's outstanding answers count as holders in every round, and it is not asked again", () => {
    const s = setup(6);
    const rounds = [1, 2, 3, 4].map((k) => broadcast(s, k));
    const first = s.peers.take(PacketType.GOSSIP);
    const gone = first[0]!.to;
    const roundsAskingGone = first.filter((f) => f.to === gone).length;
    s.peers.remove(gone);
    s.b.onPeerGone(gone);
    const next = s.peers.take(PacketType.GOSSIP);
    assert.equal(next.length, roundsAskingGone);
    assert.ok(next.every((f) => f.to !== gone));
    assert.equal(s.b.stats().holders, roundsAskingGone);
    assert.equal(s.b.stats().timeouts, 0);
    for (const idHex of rounds) assert.equal(s.b.onGossipResponse(gone, idHex, false), false);
    s.b.onPeerGone(gone);
    assert.equal(s.b.stats().holders, roundsAskingGone, "a second notice changes nothing");
  });

  it("ignores a second broadcast while the round runs and for rememberMs after it finished; allows it afterwards", () => {
    const s = setup(10);
    const idHex = broadcast(s, 1);
    const first = recipients(s.peers.take(PacketType.GOSSIP));
    broadcast(s, 1);
    assert.equal(s.peers.frames.length, 0, "in flight");
    for (const p of first) s.b.onGossipResponse(p, idHex, false);
    s.peers.frames.length = 0;
    s.clock.t += 59_999;
    s.b.tick();
    broadcast(s, 1);
    assert.equal(s.peers.frames.length, 0, "remembered");
    s.clock.t += 1;
    s.b.tick();
    broadcast(s, 1);
    assert.equal(s.peers.take(PacketType.GOSSIP).length, 3);
    assert.equal(s.b.stats().broadcasts, 2);
  });

  it("a remembered id that expired is allowed even before tick() ran", () => {
    const s = setup(3, { mode: "flood", rememberMs: 100 });
    broadcast(s, 1);
    s.clock.t += 100;
    broadcast(s, 1);
    assert.equal(s.b.stats().messagesSent, 6);
  });
});

describe("broadcaster: bounded memory", () => {
  it("keeps at most maxRounds rounds in flight, finishing (and remembering) the oldest early", () => {
    const s = setup(10, { maxRounds: 5 });
    const ids = [1, 2, 3, 4, 5, 6, 7].map((k) => broadcast(s, k));
    assert.equal(s.b.stats().roundsInFlight, 5);
    assert.equal(s.b.stats().broadcasts, 7);
    const byId = new Map<string, string[]>();
    for (const f of s.peers.take(PacketType.GOSSIP)) {
      const list = byId.get(bytesToHex(f.body)) ?? [];
      list.push(f.to);
      byId.set(bytesToHex(f.body), list);
    }
    for (const [i, idHex] of ids.entries()) {
      const accepted = s.b.onGossipResponse(byId.get(idHex)![0]!, idHex, true);
      assert.equal(accepted, i >= 2, `round ${i}`);
    }
    broadcast(s, 1);
    assert.equal(s.b.stats().broadcasts, 7, "the evicted id is remembered");
    s.peers.frames.length = 0;
    s.clock.t += 2000;
    s.b.tick();
    assert.equal(s.b.stats().timeouts, 15, "only the 5 live rounds time out, 3 outstanding answers each");
  });

  it("remembers at most REMEMBERED_IDS_MAX ids, forgetting the oldest first", () => {
    const s = setup(0, { mode: "flood" });
    for (let k = 0; k <= REMEMBERED_IDS_MAX; k++) broadcast(s, k);
    assert.equal(s.b.stats().broadcasts, REMEMBERED_IDS_MAX + 1);
    broadcast(s, 1);
    assert.equal(s.b.stats().broadcasts, REMEMBERED_IDS_MAX + 1, "id 1 is still remembered");
    broadcast(s, 0);
    assert.equal(s.b.stats().broadcasts, REMEMBERED_IDS_MAX + 2, "id 0 was dropped");
  });

  it("10 000 rounds of silent peers all time out and leave nothing in flight", () => {
    const s = setup(4, { maxRounds: 10_000 });
    for (let k = 0; k < 10_000; k++) broadcast(s, k);
    assert.equal(s.b.stats().roundsInFlight, 10_000);
    for (let i = 0; i < 3; i++) {
      s.clock.t += 2000;
      s.b.tick();
    }
    assert.equal(s.b.stats().roundsInFlight, 0);
    assert.equal(s.b.stats().timeouts, 40_000);
  });
});

interface SimResult {
  reached: number;
  bytes: number;
  messageFrames: number;
  duplicates: number;
  roundsLeft: number;
}

interface SimFrame {
  from: string;
  to: string;
  type: PacketType;
  body: Uint8Array;
}

/**
 * N nodes, each peered with all others, each running a Broadcaster the way the gossip service will: answer Gossip
 * with "held?", hand answers to onGossipResponse, and broadcast a new Message onward excluding its sender. Frames go
 * through a FIFO queue, or straight into the receiver when `sync` (answers then arrive from inside send()).
 */
function simulate(mode: GossipMode, n: number, seed: number, sync = false): SimResult {
  const random = seededRandom(seed);
  const clock = { t: 0 };
  const queue: SimFrame[] = [];
  let bytes = 0;
  let messageFrames = 0;
  let duplicates = 0;
  interface SimNode {
    hex: string;
    held: Map<string, Uint8Array>;
    b: Broadcaster;
  }
  const nodes = new Map<string, SimNode>();
  const hexes = [...Array(n).keys()].map((i) => peerHex(i + 1));

  const deliver = (f: SimFrame): void => {
    const node = nodes.get(f.to)!;
    if (f.type === PacketType.GOSSIP) {
      const held = node.held.has(bytesToHex(f.body));
      send(node.hex, f.from, PacketType.GOSSIP_RESPONSE, concatBytes(f.body, Uint8Array.of(held ? 1 : 0)));
    } else if (f.type === PacketType.GOSSIP_RESPONSE) {
      assert.equal(node.b.onGossipResponse(f.from, bytesToHex(f.body.subarray(0, 32)), f.body[32] === 1), true);
    } else if (f.type === PacketType.MESSAGE) {
      const id = blake2b256(f.body);
      const idHex = bytesToHex(id);
      if (node.held.has(idHex)) {
        duplicates++;
        return;
      }
      node.held.set(idHex, f.body);
      node.b.broadcast(id, idHex, f.body, new Set([f.from]));
    }
  };

  const send = (from: string, to: string, type: PacketType, body: Uint8Array): boolean => {
    bytes += FRAME_HEADER_LENGTH + body.length;
    if (type === PacketType.MESSAGE) messageFrames++;
    const frame = { from, to, type, body };
    if (sync) deliver(frame);
    else queue.push(frame);
    return true;
  };

  for (const hex of hexes) {
    const others: GossipPeer[] = hexes
      .filter((h) => h !== hex)
      .map((to) => ({ nodeIdHex: to, heartbeat: null, send: (type, body) => send(hex, to, type, body) }));
    const byHex = new Map(others.map((p) => [p.nodeIdHex, p]));
    const peers: PeerDirectory = { connected: () => others, get: (h) => byHex.get(h) };
    nodes.set(hex, { hex, held: new Map(), b: new Broadcaster({ mode }, { peers, now: () => clock.t, random }) });
  }

  const message = new Uint8Array(300);
  for (let i = 0; i < message.length; i++) message[i] = Math.floor(random() * 256);
  const id = blake2b256(message);
  const origin = nodes.get(hexes[0]!)!;
  origin.held.set(bytesToHex(id), message);
  origin.b.broadcast(id, bytesToHex(id), message, new Set());
  for (let head = 0; head < queue.length; head++) deliver(queue[head]!);

  let reached = 0;
  let roundsLeft = 0;
  for (const node of nodes.values()) {
    if (node.held.size === 1) reached++;
    roundsLeft += node.b.stats().roundsInFlight;
  }
  return { reached, bytes, messageFrames, duplicates, roundsLeft };
}

describe("broadcaster: 25-node in-memory network", () => {
  it("flood reaches all 25 nodes", () => {
    const r = simulate("flood", 25, 1);
    assert.equal(r.reached, 25);
    assert.equal(r.messageFrames, 1 * 24 + 24 * 23, "every node sends to every peer but its sender");
  });

  it("infect reaches all 25 nodes for many seeds, with fewer bytes than flood for a 300-byte message", () => {
    const flood = simulate("flood", 25, 1);
    for (let seed = 1; seed <= 30; seed++) {
      const r = simulate("infect", 25, seed);
      assert.equal(r.reached, 25, `seed ${seed}`);
      assert.equal(r.roundsLeft, 0, `seed ${seed}: every round finished`);
      assert.ok(r.bytes < flood.bytes, `seed ${seed}: infect ${r.bytes} B, flood ${flood.bytes} B`);
      assert.ok(r.messageFrames < flood.messageFrames / 3, `seed ${seed}: ${r.messageFrames} Message frames`);
    }
  });

  it("works when answers are delivered synchronously from inside send()", () => {
    for (let seed = 1; seed <= 10; seed++) {
      const r = simulate("infect", 25, seed, true);
      assert.equal(r.reached, 25, `seed ${seed}`);
      assert.equal(r.roundsLeft, 0, `seed ${seed}`);
    }
    assert.equal(simulate("flood", 25, 1, true).reached, 25);
  });
});
