/**
 * Feeds the node's metrics (src/metrics/metrics.ts, docs/metrics.md) from the stages, without touching their hot
 * paths: at each scrape a collector reads the counters and queue lengths the stages keep anyway (ingress, confirmer,
 * solidifier, gossip) through narrow views; a confirmation adds its referenced messages and its duration once per
 * milestone; a PoW search adds its hashes once per job (meterPow).
 *
 * Counters copied from a stage's running totals advance by the difference since the previous scrape, as prom-client
 * counters cannot be set. The gossip totals are per connection and vanish with a peer, so what a peer sent or
 * received between the last scrape and its disconnection is not counted.
 *
 * The only effects of running this are the metric updates and the event subscriptions, removed by the returned
 * function.
 */
import type { Metrics } from "../metrics/metrics.js";
import type { Solidifier } from "../tangle/solidifier.js";
import type { Tangle } from "../tangle/tangle.js";
import type { Confirmer } from "./confirmer.js";
import type { NodeEventBus } from "./events.js";
import type { Ingress } from "./ingress.js";

/** A peer as GossipService.peers() reports it; counters are those of its current connections. */
export interface PeerMetricsView {
  nodeIdHex: string;
  connected: boolean;
  framesSent: number;
  framesReceived: number;
  bytesSent: number;
  bytesReceived: number;
  /** Bytes queued on its outbound connection, when the gossip layer reports it. */
  queuedBytes?: number;
}

/** What the metrics read of the gossip service (GossipService satisfies it). */
export interface GossipMetricsView {
  peers(): readonly PeerMetricsView[];
  endpoints(): readonly unknown[];
  blocked(): readonly unknown[];
  syncStatus(): { synced: boolean; syncedPeers: number };
  stats(): { requester: { pendingMessages: number; pendingMilestones: number } };
}

export interface NodeMetricsSources {
  events: Pick<NodeEventBus, "on">;
  ingress: Pick<Ingress, "stats">;
  solidifier: Pick<Solidifier, "pendingCount">;
  tangle: Pick<Tangle, "latestMilestoneIndex" | "confirmedMilestoneIndex">;
  confirmer: Pick<Confirmer, "stats">;
  gossip: GossipMetricsView;
  /** The events waiting for durability (DurableEventQueue), when it reports its length. */
  durableEvents?: { readonly length: number };
}

/** TIP-13 ledgerInclusionState names, the label values of weaver_messages_referenced_total. */
export const INCLUSION_LABELS = ["included", "conflicting", "noTransaction"] as const;

type TrafficField = "bytesSent" | "bytesReceived" | "framesSent" | "framesReceived";
const TRAFFIC_FIELDS: readonly TrafficField[] = ["bytesSent", "bytesReceived", "framesSent", "framesReceived"];

/** Running totals seen at the previous scrape, so counters advance by the difference. */
class TotalsTracker {
  private readonly seen = new Map<string, number>();

  /** How much `total` grew since last time; a smaller total means the source started over, so all of it is new. */
  delta(key: string, total: number): number {
    const before = this.seen.get(key) ?? 0;
    this.seen.set(key, total);
    return total >= before ? total - before : total;
  }

  /** Forgets every key starting with `prefix` except the ones kept. */
  retain(prefix: string, keep: ReadonlySet<string>): void {
    for (const key of this.seen.keys()) if (key.startsWith(prefix) && !keep.has(key)) this.seen.delete(key);
  }
}

/**
 * Starts feeding `metrics` from `sources`: a scrape-time collector plus a `milestone.confirmed` subscription.
 * Returns the function that stops both.
 */
export function collectNodeMetrics(metrics: Metrics, sources: NodeMetricsSources): () => void {
  const totals = new TotalsTracker();

  for (const inclusion of INCLUSION_LABELS) metrics.messagesReferenced.inc({ inclusion }, 0);
  const offConfirmed = sources.events.on("milestone.confirmed", (e) => {
    metrics.messagesReferenced.inc({ inclusion: "included" }, e.included);
    metrics.messagesReferenced.inc({ inclusion: "conflicting" }, e.conflicting);
    metrics.messagesReferenced.inc({ inclusion: "noTransaction" }, e.noTransaction);
    metrics.confirmationDuration.observe(e.durationMs / 1000);
  });

  const collectMessages = (): void => {
    const s = sources.ingress.stats();
    metrics.messagesReceived.inc(totals.delta("received", s.received));
    metrics.messagesNew.inc(totals.delta("new", s.new));
    metrics.messagesKnown.inc(totals.delta("known", s.known));
    metrics.messagesSolid.inc(totals.delta("solid", s.solid));
    for (const [reason, n] of Object.entries(s.rejected)) {
      metrics.messagesRejected.inc({ reason }, totals.delta(`rejected:${reason}`, n));
    }
  };

  const collectConsensus = (): void => {
    const { tangle } = sources;
    metrics.milestoneLatestIndex.set(tangle.latestMilestoneIndex);
    metrics.milestoneConfirmedIndex.set(tangle.confirmedMilestoneIndex);
    const c = sources.confirmer.stats();
    metrics.milestonesConfirmed.inc(totals.delta("confirmed", c.confirmed));
    metrics.confirmerHalted.set(c.halted === null ? 0 : 1);
    metrics.solidifierPending.set(sources.solidifier.pendingCount);
    if (sources.durableEvents !== undefined) metrics.durableEventsPending.set(sources.durableEvents.length);
  };

  const collectGossip = (): void => {
    const { gossip } = sources;
    const peers = gossip.peers();
    const sync = gossip.syncStatus();
    const { requester } = gossip.stats();
    metrics.nodeSynced.set(sync.synced ? 1 : 0);
    metrics.peersConnected.set(peers.filter((p) => p.connected).length);
    metrics.peersSynced.set(sync.syncedPeers);
    metrics.peersKnown.set(gossip.endpoints().length);
    metrics.peersBlocked.set(gossip.blocked().length);
    metrics.requesterPendingMessages.set(requester.pendingMessages);
    metrics.requesterPendingMilestones.set(requester.pendingMilestones);

    const traffic: Record<TrafficField, number> = { bytesSent: 0, bytesReceived: 0, framesSent: 0, framesReceived: 0 };
    const keys = new Set<string>();
    let queued = 0;
    for (const p of peers) {
      queued += p.queuedBytes ?? 0;
      for (const field of TRAFFIC_FIELDS) {
        const key = `peer:${p.nodeIdHex}:${field}`;
        keys.add(key);
        traffic[field] += totals.delta(key, p[field]);
      }
    }
    totals.retain("peer:", keys);
    metrics.gossipSendQueueBytes.set(queued);
    metrics.gossipSentBytes.inc(traffic.bytesSent);
    metrics.gossipReceivedBytes.inc(traffic.bytesReceived);
    metrics.gossipSentFrames.inc(traffic.framesSent);
    metrics.gossipReceivedFrames.inc(traffic.framesReceived);
  };

  const removeCollector = metrics.addCollector(() => {
    collectMessages();
    collectConsensus();
    collectGossip();
  });
  return () => {
    removeCollector();
    offConfirmed();
  };
}

/** A nonce search as PowPool offers it. */
export interface PowSearch<O> {
  mine(
    message: Uint8Array,
    targetScore: number,
    options?: O,
  ): Promise<{ nonce: bigint; hashes: number; seconds: number }>;
}

/**
 * `pow` with every finished search counted in weaver_pow_hashes_total and weaver_pow_search_seconds_total. Searches
 * that fail or are aborted report nothing (PowPool returns their work with no result), so they are not counted.
 */
export function meterPow<O>(pow: PowSearch<O>, metrics: Pick<Metrics, "powHashes" | "powSeconds">): PowSearch<O> {
  return {
    async mine(message, targetScore, options) {
      const result = await (options === undefined
        ? pow.mine(message, targetScore)
        : pow.mine(message, targetScore, options));
      metrics.powHashes.inc(result.hashes);
      metrics.powSeconds.inc(result.seconds);
      return result;
    },
  };
}
