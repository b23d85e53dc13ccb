/**
 * collectNodeMetrics over the real pipeline and confirmer (ConsensusBuilder): what ingress, solidifier and confirmer
 * count shows up at the next scrape; the gossip view is a stand-in whose peers the test moves. meterPow over a real
 * PoW pool.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeMessage } from "../../../src/codec/index.js";
import { powScore } from "../../../src/crypto/powScore.js";
import { createMetrics, type Metrics } from "../../../src/metrics/metrics.js";
import { TOKEN_SUPPLY } from "../../../src/params/protocol.js";
import { MESSAGE_ERROR_CODES } from "../../../src/pipeline/messageError.js";
import {
  collectNodeMetrics,
  type GossipMetricsView,
  meterPow,
  type NodeMetricsSources,
  type PeerMetricsView,
} from "../../../src/pipeline/nodeMetrics.js";
import { PowPool } from "../../../src/pow/powPool.js";
import { ConsensusBuilder } from "../../utils/consensusBuilder.js";
import { Wallet } from "../../utils/ledgerFixtures.js";
import { type PromFamily, parsePrometheusText, sampleValue } from "./promText.js";

const alice = Wallet.named("alice");
const bob = Wallet.named("bob");

class FakeGossip implements GossipMetricsView {
  list: PeerMetricsView[] = [];
  known = 0;
  blockedCount = 0;
  synced = false;
  syncedPeers = 0;
  pendingMessages = 0;
  pendingMilestones = 0;
  peers(): readonly PeerMetricsView[] {
    return this.list.map((p) => ({ ...p }));
  }
  endpoints(): readonly unknown[] {
    return new Array(this.known).fill({});
  }
  blocked(): readonly unknown[] {
    return new Array(this.blockedCount).fill({});
  }
  syncStatus(): { synced: boolean; syncedPeers: number } {
    return { synced: this.synced, syncedPeers: this.syncedPeers };
  }
  stats(): { requester: { pendingMessages: number; pendingMilestones: number } } {
    return { requester: { pendingMessages: this.pendingMessages, pendingMilestones: this.pendingMilestones } };
  }
}

function peer(nodeIdHex: string, n: number, queuedBytes?: number): PeerMetricsView {
  return {
    nodeIdHex,
    connected: true,
    framesSent: n,
    framesReceived: 2 * n,
    bytesSent: 100 * n,
    bytesReceived: 200 * n,
    ...(queuedBytes === undefined ? {} : { queuedBytes }),
  };
}

interface Setup {
  cb: ConsensusBuilder;
  metrics: Metrics;
  gossip: FakeGossip;
  stop: () => void;
  scrape(): Promise<Map<string, PromFamily>>;
}

async function setup(extra: Partial<NodeMetricsSources> = {}): Promise<Setup> {
  const cb = await ConsensusBuilder.create();
  const metrics = createMetrics({ processMetrics: false });
  const gossip = new FakeGossip();
  const { pipeline, tangle } = cb.tb;
  const stop = collectNodeMetrics(metrics, {
    events: pipeline.events,
    ingress: pipeline.ingress,
    solidifier: pipeline.solidifier,
    tangle,
    confirmer: cb.consensus.confirmer,
    gossip,
    ...extra,
  });
  return {
    cb,
    metrics,
    gossip,
    stop,
    scrape: async () => parsePrometheusText(await metrics.registry.metrics()),
  };
}

describe("collectNodeMetrics", () => {
  it("counts received, new, known and rejected-by-reason messages from the ingress, every reason from zero", async () => {
    const { cb, scrape } = await setup();
    let f = await scrape();
    for (const reason of MESSAGE_ERROR_CODES)
      assert.equal(sampleValue(f, "weaver_messages_rejected_total", { reason }), 0);
    assert.equal(sampleValue(f, "weaver_messages_received_total"), 0);

    await cb.tb.message("A").store();
    await cb.tb.message("B").parents("A").store();
    await cb.tb.pipeline.ingress.submit(cb.tb.bytes("A"), { source: "peer" });
    await cb.tb.message("W").withNetworkId(1n).store();
    await cb.tb.pipeline.ingress.submit(new Uint8Array(0), { source: "peer" });
    await cb.tb.pipeline.ingress.submit(new Uint8Array(40).fill(7), { source: "api" });

    f = await scrape();
    assert.equal(sampleValue(f, "weaver_messages_received_total"), 6);
    assert.equal(sampleValue(f, "weaver_messages_new_total"), 2);
    assert.equal(sampleValue(f, "weaver_messages_known_total"), 1);
    assert.equal(sampleValue(f, "weaver_messages_solid_total"), 2);
    const rejected = (reason: string) => sampleValue(f, "weaver_messages_rejected_total", { reason });
    assert.equal(rejected("MESSAGE_ERROR_INVALID_NETWORK_ID"), 1);
    assert.equal(rejected("MESSAGE_ERROR_INVALID_LENGTH"), 1);
    assert.equal(rejected("MESSAGE_ERROR_INVALID_SYNTAX"), 1);
    assert.equal(rejected("MESSAGE_ERROR_INSUFFICIENT_POW"), 0);

    // A scrape with nothing new changes nothing (counters advance by the difference, not by the total again).
    f = await scrape();
    assert.equal(sampleValue(f, "weaver_messages_received_total"), 6);
    assert.equal(rejected("MESSAGE_ERROR_INVALID_NETWORK_ID"), 1);
  });

  it("shows the solidifier's pending messages, going back to zero when the missing parent arrives", async () => {
    const { cb, scrape } = await setup();
    const parent = cb.tb.message("P").build();
    await cb.tb.message("C").parents(parent.id).store();
    let f = await scrape();
    assert.equal(sampleValue(f, "weaver_solidifier_pending_messages"), 1);
    assert.equal(sampleValue(f, "weaver_messages_solid_total"), 0);
    await cb.tb.pipeline.ingress.submit(parent.bytes, { source: "peer", requested: true });
    f = await scrape();
    assert.equal(sampleValue(f, "weaver_solidifier_pending_messages"), 0);
    assert.equal(sampleValue(f, "weaver_messages_solid_total"), 2);
  });

  it("counts confirmations: indexes, referenced messages by inclusion state, durations", async () => {
    const { cb, scrape } = await setup();
    let f = await scrape();
    for (const inclusion of ["included", "conflicting", "noTransaction"]) {
      assert.equal(sampleValue(f, "weaver_messages_referenced_total", { inclusion }), 0);
    }
    const toAlice = cb.genesisWallet.transfer([cb.genesisOutput], [{ address: alice, amount: TOKEN_SUPPLY }]);
    const toBob = cb.genesisWallet.transfer([cb.genesisOutput], [{ address: bob, amount: TOKEN_SUPPLY }]);
    await cb.tb.message("A").withPayload(toAlice).store();
    await cb.tb.message("B").withPayload(toBob).store();
    await cb.tb.message("C").parents("A", "B").store();
    await cb.milestone(["C"]);

    f = await scrape();
    assert.equal(sampleValue(f, "weaver_milestone_latest_index"), 1);
    assert.equal(sampleValue(f, "weaver_milestone_confirmed_index"), 1);
    assert.equal(sampleValue(f, "weaver_milestones_confirmed_total"), 1);
    // A and B spend the same output: one is included, the other conflicts; C and the milestone carry no transaction.
    assert.equal(sampleValue(f, "weaver_messages_referenced_total", { inclusion: "included" }), 1);
    assert.equal(sampleValue(f, "weaver_messages_referenced_total", { inclusion: "conflicting" }), 1);
    assert.equal(sampleValue(f, "weaver_messages_referenced_total", { inclusion: "noTransaction" }), 2);
    assert.equal(sampleValue(f, "weaver_milestone_confirmation_duration_seconds_count"), 1);
    assert.ok(sampleValue(f, "weaver_milestone_confirmation_duration_seconds_sum") >= 0);
    assert.equal(sampleValue(f, "weaver_confirmer_halted"), 0);

    await cb.tb.message("D").parents("C").store();
    await cb.milestone(["D"]);
    f = await scrape();
    assert.equal(sampleValue(f, "weaver_milestone_confirmed_index"), 2);
    assert.equal(sampleValue(f, "weaver_milestones_confirmed_total"), 2);
    assert.equal(sampleValue(f, "weaver_messages_referenced_total", { inclusion: "noTransaction" }), 4);
    assert.equal(sampleValue(f, "weaver_milestone_confirmation_duration_seconds_count"), 2);
  });

  it("shows a halted confirmer", async () => {
    const { cb, scrape } = await setup();
    await cb.tb.message("A").store();
    await cb.milestone(["A"], { merkleRoot: new Uint8Array(32).fill(1) });
    const f = await scrape();
    assert.equal(sampleValue(f, "weaver_confirmer_halted"), 1);
    assert.equal(sampleValue(f, "weaver_milestone_latest_index"), 1);
    assert.equal(sampleValue(f, "weaver_milestone_confirmed_index"), 0);
  });

  it("reads peers, sync state and requester queues from the gossip view", async () => {
    const { gossip, scrape } = await setup();
    gossip.list = [peer("aa", 1, 500), { ...peer("bb", 1, 250), connected: false }];
    gossip.known = 5;
    gossip.blockedCount = 2;
    gossip.synced = true;
    gossip.syncedPeers = 1;
    gossip.pendingMessages = 7;
    gossip.pendingMilestones = 3;
    const f = await scrape();
    assert.equal(sampleValue(f, "weaver_peers_connected"), 1);
    assert.equal(sampleValue(f, "weaver_peers_synced"), 1);
    assert.equal(sampleValue(f, "weaver_peers_known"), 5);
    assert.equal(sampleValue(f, "weaver_peers_blocked"), 2);
    assert.equal(sampleValue(f, "weaver_node_synced"), 1);
    assert.equal(sampleValue(f, "weaver_requester_pending_messages"), 7);
    assert.equal(sampleValue(f, "weaver_requester_pending_milestones"), 3);
    assert.equal(sampleValue(f, "weaver_gossip_send_queue_bytes"), 750);
  });

  it("turns per-connection traffic into counters that never go down across reconnects and departures", async () => {
    const { gossip, scrape } = await setup();
    const sent = (f: Map<string, PromFamily>) => sampleValue(f, "weaver_gossip_sent_bytes_total");
    gossip.list = [peer("aa", 1), peer("bb", 2)];
    let f = await scrape();
    assert.equal(sent(f), 300);
    assert.equal(sampleValue(f, "weaver_gossip_received_bytes_total"), 600);
    assert.equal(sampleValue(f, "weaver_gossip_sent_frames_total"), 3);
    assert.equal(sampleValue(f, "weaver_gossip_received_frames_total"), 6);

    gossip.list = [peer("aa", 4), peer("bb", 2)];
    assert.equal(sent(await scrape()), 600);
    // bb leaves; aa reconnects, its new connection has sent 1 frame so far.
    gossip.list = [peer("aa", 1)];
    assert.equal(sent(await scrape()), 700);
    // bb comes back with a new connection: all it reports is new.
    gossip.list = [peer("aa", 1), peer("bb", 1)];
    f = await scrape();
    assert.equal(sent(f), 800);
    assert.equal(sampleValue(f, "weaver_gossip_sent_frames_total"), 8);
  });

  it("reads the durable event queue's length when given one", async () => {
    const queue = { length: 0 };
    const { scrape } = await setup({ durableEvents: queue });
    queue.length = 12;
    assert.equal(sampleValue(await scrape(), "weaver_durable_events_pending"), 12);
  });

  it("stops reading and listening once stopped", async () => {
    const { cb, stop, scrape } = await setup();
    const listeners = cb.tb.pipeline.events.listenerCount("milestone.confirmed");
    await cb.tb.message("A").store();
    assert.equal(sampleValue(await scrape(), "weaver_messages_new_total"), 1);
    stop();
    assert.equal(cb.tb.pipeline.events.listenerCount("milestone.confirmed"), listeners - 1);
    await cb.tb.message("B").store();
    await cb.milestone(["B"]);
    const f = await scrape();
    assert.equal(sampleValue(f, "weaver_messages_new_total"), 1);
    assert.equal(sampleValue(f, "weaver_milestone_confirmation_duration_seconds_count"), 0);
  });
});

describe("meterPow", () => {
  it("adds each finished search's hashes and time; failed searches add nothing", async () => {
    const metrics = createMetrics({ processMetrics: false });
    const pool = new PowPool({ threads: 1, kernel: "ts" });
    try {
      const pow = meterPow(pool, metrics);
      const message = encodeMessage({ networkId: 1n, parents: [new Uint8Array(32)], payload: null, nonce: 0n });
      const result = await pow.mine(message, 100);
      const mined = message.slice();
      new DataView(mined.buffer).setBigUint64(mined.length - 8, result.nonce, true);
      assert.ok(powScore(mined) >= 100);
      let f = parsePrometheusText(await metrics.registry.metrics());
      assert.ok(result.hashes > 0);
      assert.equal(sampleValue(f, "weaver_pow_hashes_total"), result.hashes);
      assert.equal(sampleValue(f, "weaver_pow_search_seconds_total"), result.seconds);

      const failing = meterPow({ mine: () => Promise.reject(new Error("closed")) }, metrics);
      await assert.rejects(failing.mine(message, 100), /closed/);
      f = parsePrometheusText(await metrics.registry.metrics());
      assert.equal(sampleValue(f, "weaver_pow_hashes_total"), result.hashes);
    } finally {
      await pool.close();
    }
  });
});
