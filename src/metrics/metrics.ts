/**
 * Every Prometheus metric of the node, declared once (ARCHITECTURE.md habit 13): name, type, help text and label
 * names in METRIC_DEFINITIONS, one registry per node from createMetrics(). docs/metrics.md lists the same metrics and
 * test/unit/docs/metricsDoc.test.ts keeps the two in sync.
 *
 * A leaf module: it imports only prom-client and knows nothing of the domain. Values come from two places:
 * - pull: collectors added with `addCollector` run once per scrape and copy the stages' own counters and queue
 *   lengths into the metrics (src/pipeline/nodeMetrics.ts), so the hot paths pay nothing for metrics;
 * - push: the few things no stage keeps a total of (an API request, a confirmation's duration, a PoW job) are
 *   recorded where they happen, each at most once per request, milestone or job.
 *
 * Label values are drawn from fixed sets (error codes, route templates, status codes, inclusion states), never from
 * peer ids, message ids or raw URLs, so the number of series stays bounded whatever the traffic.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

export const METRIC_PREFIX = "weaver_";

interface BaseDefinition {
  help: string;
  labelNames: readonly string[];
}

/** Counters end in `_total` (Prometheus naming). */
export interface CounterDefinition extends BaseDefinition {
  type: "counter";
  name: `weaver_${string}_total`;
}

export interface GaugeDefinition extends BaseDefinition {
  type: "gauge";
  name: `weaver_${string}`;
}

/** Histograms measure time, in seconds (habit 13: seconds for time). */
export interface HistogramDefinition extends BaseDefinition {
  type: "histogram";
  name: `weaver_${string}_seconds`;
  buckets: readonly number[];
}

export type MetricDefinition = CounterDefinition | GaugeDefinition | HistogramDefinition;

/**
 * Confirmation (white flag, Merkle root, one durable batch) takes milliseconds for a small cone and seconds for a
 * cone of thousands of transactions while syncing.
 */
const CONFIRMATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

/** Most API answers take under a millisecond to a few; POST /messages with remote PoW can take a minute. */
const API_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;

export const METRIC_DEFINITIONS = {
  // --- messages (ingress stats, src/pipeline/ingress.ts) ---
  messagesReceived: {
    type: "counter",
    name: "weaver_messages_received_total",
    help: "Messages handed to the ingress by peers, the API and the coordinator, before any check.",
    labelNames: [],
  },
  messagesNew: {
    type: "counter",
    name: "weaver_messages_new_total",
    help: "Received messages that passed every check and were stored.",
    labelNames: [],
  },
  messagesKnown: {
    type: "counter",
    name: "weaver_messages_known_total",
    help: "Received messages that were already stored or being stored (duplicates).",
    labelNames: [],
  },
  messagesRejected: {
    type: "counter",
    name: "weaver_messages_rejected_total",
    help: "Messages turned away or evicted unsolid, by MESSAGE_ERROR code (docs/errors.md).",
    labelNames: ["reason"],
  },
  messagesSolid: {
    type: "counter",
    name: "weaver_messages_solid_total",
    help: "Messages that became solid.",
    labelNames: [],
  },
  messagesReferenced: {
    type: "counter",
    name: "weaver_messages_referenced_total",
    help: "Messages referenced by a confirmed milestone, by ledger inclusion state (included, conflicting, noTransaction).",
    labelNames: ["inclusion"],
  },

  // --- milestones and confirmation (tangle, src/pipeline/confirmer.ts) ---
  milestoneLatestIndex: {
    type: "gauge",
    name: "weaver_milestone_latest_index",
    help: "Latest milestone index (LMI): the highest valid milestone known.",
    labelNames: [],
  },
  milestoneConfirmedIndex: {
    type: "gauge",
    name: "weaver_milestone_confirmed_index",
    help: "Confirmed milestone index (CMI): the highest milestone whose cone is applied to the ledger.",
    labelNames: [],
  },
  milestonesConfirmed: {
    type: "counter",
    name: "weaver_milestones_confirmed_total",
    help: "Milestones confirmed since the node started.",
    labelNames: [],
  },
  confirmationDuration: {
    type: "histogram",
    name: "weaver_milestone_confirmation_duration_seconds",
    help: "Time from the start of white flag to the durable commit of a milestone's confirmation.",
    labelNames: [],
    buckets: CONFIRMATION_BUCKETS,
  },
  confirmerHalted: {
    type: "gauge",
    name: "weaver_confirmer_halted",
    help: "1 once the confirmer has halted (Merkle mismatch, broken invariant or failed write; the node stops), else 0.",
    labelNames: [],
  },
  nodeSynced: {
    type: "gauge",
    name: "weaver_node_synced",
    help: "1 when the node is synced (CMI = LMI and some milestone is known), else 0.",
    labelNames: [],
  },

  // --- queues ---
  solidifierPending: {
    type: "gauge",
    name: "weaver_solidifier_pending_messages",
    help: "Stored messages waiting for missing parents to become solid.",
    labelNames: [],
  },
  durableEventsPending: {
    type: "gauge",
    name: "weaver_durable_events_pending",
    help: "Events waiting for the batch that stages their state to become durable.",
    labelNames: [],
  },
  requesterPendingMessages: {
    type: "gauge",
    name: "weaver_requester_pending_messages",
    help: "Missing messages being requested from peers.",
    labelNames: [],
  },
  requesterPendingMilestones: {
    type: "gauge",
    name: "weaver_requester_pending_milestones",
    help: "Missing milestones being requested from peers by index.",
    labelNames: [],
  },
  gossipSendQueueBytes: {
    type: "gauge",
    name: "weaver_gossip_send_queue_bytes",
    help: "Bytes queued for sending on the connections of all peers.",
    labelNames: [],
  },

  // --- peers and gossip traffic (src/gossip/gossipService.ts) ---
  peersConnected: {
    type: "gauge",
    name: "weaver_peers_connected",
    help: "Peers connected in both directions.",
    labelNames: [],
  },
  peersSynced: {
    type: "gauge",
    name: "weaver_peers_synced",
    help: "Connected peers that are synced by their last heartbeat.",
    labelNames: [],
  },
  peersKnown: {
    type: "gauge",
    name: "weaver_peers_known",
    help: "Peer endpoints the node knows and dials (configured or discovered).",
    labelNames: [],
  },
  peersBlocked: {
    type: "gauge",
    name: "weaver_peers_blocked",
    help: "Peers and addresses blocked for a provable fault.",
    labelNames: [],
  },
  gossipSentBytes: {
    type: "counter",
    name: "weaver_gossip_sent_bytes_total",
    help: "Bytes written to peers.",
    labelNames: [],
  },
  gossipReceivedBytes: {
    type: "counter",
    name: "weaver_gossip_received_bytes_total",
    help: "Bytes read from peers.",
    labelNames: [],
  },
  gossipSentFrames: {
    type: "counter",
    name: "weaver_gossip_sent_frames_total",
    help: "Frames (packets) written to peers.",
    labelNames: [],
  },
  gossipReceivedFrames: {
    type: "counter",
    name: "weaver_gossip_received_frames_total",
    help: "Frames (packets) read from peers.",
    labelNames: [],
  },

  // --- REST API (src/api/requestMetrics.ts) ---
  apiRequests: {
    type: "counter",
    name: "weaver_api_requests_total",
    help: "API requests answered, by method, route template (unmatched for no route) and status code.",
    labelNames: ["method", "route", "status"],
  },
  apiRequestDuration: {
    type: "histogram",
    name: "weaver_api_request_duration_seconds",
    help: "Time from receiving an API request to sending its answer, by method and route template.",
    labelNames: ["method", "route"],
    buckets: API_BUCKETS,
  },

  // --- proof of work (src/pow/powPool.ts) ---
  powHashes: {
    type: "counter",
    name: "weaver_pow_hashes_total",
    help: "Nonces tried by finished PoW searches (remote PoW of the API, the coordinator).",
    labelNames: [],
  },
  powSeconds: {
    type: "counter",
    name: "weaver_pow_search_seconds_total",
    help: "Wall time spent by finished PoW searches; hashes_total / search_seconds_total is the hash rate.",
    labelNames: [],
  },
} as const satisfies Record<string, MetricDefinition>;

export type MetricKey = keyof typeof METRIC_DEFINITIONS;

type LabelsOf<D> = D extends { labelNames: readonly (infer L extends string)[] } ? L : never;

type HandleOf<D> = D extends { type: "counter" }
  ? Counter<LabelsOf<D>>
  : D extends { type: "gauge" }
    ? Gauge<LabelsOf<D>>
    : Histogram<LabelsOf<D>>;

export type MetricHandles = { readonly [K in MetricKey]: HandleOf<(typeof METRIC_DEFINITIONS)[K]> };

/** One node's metrics: the typed handles, the registry to serve, and the scrape-time collectors. */
export interface Metrics extends MetricHandles {
  readonly registry: Registry;
  /**
   * Runs `collect` once per scrape, before the metrics are read; it copies state into gauges and counters and must
   * not throw. Returns the function that removes it.
   */
  addCollector(collect: () => void): () => void;
}

export interface CreateMetricsOptions {
  /** prom-client's process and Node.js metrics (CPU, memory, event loop lag, GC), prefixed `weaver_`. Default true. */
  processMetrics?: boolean;
}

export function createMetrics(options: CreateMetricsOptions = {}): Metrics {
  const registry = new Registry();
  const collectors = new Set<() => void>();
  let collected = false;
  // Every metric's collect() calls this; Registry.metrics() calls them all in one synchronous turn, so the flag,
  // cleared in the next microtask, makes the collectors run once per scrape rather than once per metric.
  const collect = (): void => {
    if (collected) return;
    collected = true;
    queueMicrotask(() => {
      collected = false;
    });
    for (const c of collectors) c();
  };

  const handles: Record<string, Counter<string> | Gauge<string> | Histogram<string>> = {};
  for (const [key, d] of Object.entries(METRIC_DEFINITIONS) as Array<[MetricKey, MetricDefinition]>) {
    const common = { name: d.name, help: d.help, labelNames: d.labelNames, registers: [registry], collect };
    handles[key] =
      d.type === "counter"
        ? new Counter(common)
        : d.type === "gauge"
          ? new Gauge(common)
          : new Histogram({ ...common, buckets: [...d.buckets] });
  }
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });

  return {
    // Built from METRIC_DEFINITIONS key by key above, each with the class its `type` names.
    ...(handles as unknown as MetricHandles),
    registry,
    addCollector(c: () => void): () => void {
      collectors.add(c);
      return () => {
        collectors.delete(c);
      };
    },
  };
}
