/**
 * What the REST API reads from the node, as narrow views of the real objects (ARCHITECTURE.md §2.3: the API never
 * writes to storage and never sees the composition root), and its options. The composition root passes the node's
 * Tangle, pipeline, TipSelector, GossipService and UtxoLedger; tests pass the ones a ConsensusBuilder made.
 */
import type { GossipService } from "../gossip/gossipService.js";
import type { UtxoLedger } from "../ledger/utxoLedger.js";
import type { Logger } from "../logger/logger.js";
import type { Metrics } from "../metrics/metrics.js";
import type { Ingress } from "../pipeline/ingress.js";
import type { MessagePipeline } from "../pipeline/messagePipeline.js";
import type { Tangle } from "../tangle/tangle.js";
import type { TipSelector } from "../tangle/tipSelector.js";
import type { ConfirmationRates } from "./confirmationRates.js";
import type { MessageMetadataView } from "./mappers/messageMetadata.js";

/** Who this node is, for `GET /api/v1/info`. */
export interface ApiNodeInfo {
  /** Software name (Hornet says "HORNET"). */
  name: string;
  version: string;
  /** The network name; `info.networkId` is this string, which clients hash into the numeric id (client-compat.md §1). */
  networkName: string;
  /** The numeric network id messages carry (BLAKE2b of the name for our networks; chrysalis.md §1.4). */
  networkId: bigint;
  bech32Hrp: string;
  minPowScore: number;
}

export type ApiTangleView = MessageMetadataView &
  Pick<
    Tangle,
    "getMessageBytes" | "childrenOf" | "messageIdsByIndex" | "getMilestone" | "latestMilestoneIndex" | "pruningIndex"
  >;

/** Finds a nonce that gives `message` at least `targetScore` (TIP-12); src/pow/powPool.ts is the node's. */
export interface PowEngine {
  /** `signal` stops the search (the client went away); the promise then rejects. */
  mine(message: Uint8Array, targetScore: number, options?: { signal?: AbortSignal }): Promise<{ nonce: bigint }>;
}

/** What to prune to (`POST /api/v1/control/database/prune`): exactly one of Hornet's three request fields. */
export type PruneRequest =
  /** Up to this milestone index. */
  | { by: "index"; index: number }
  /** Up to this many milestones below the confirmed milestone index. */
  | { by: "depth"; depth: number }
  /** Far enough to bring the database under this many bytes (Hornet's size rule, tangle/pruner.ts sizeTargetIndex). */
  | { by: "size"; targetBytes: number };

/** What to write (`POST /api/v1/control/snapshots/create`). */
export interface SnapshotRequest {
  /** The full snapshot's SEP index (the milestone it is taken at); absent = the node's default. */
  fullIndex?: number | undefined;
  /** Also write a delta snapshot from fullIndex up to this index. */
  deltaIndex?: number | undefined;
}

export interface CreatedSnapshots {
  fullIndex: number;
  fullFilePath: string;
  /** Present when a delta snapshot was written. */
  delta?: { index: number; filePath: string };
}

/**
 * The node's maintenance operations behind the control routes (protected routes, auth.ts). Refusals the routes
 * answer with their message: ApiError (API_ERROR_CONTROL_BUSY while a prune or a snapshot runs,
 * API_ERROR_CONTROL_UNAVAILABLE while the node closes, API_ERROR_INVALID_PARAMETER for a request the node's state rules
 * out), TangleError TANGLE_ERROR_PRUNING_TARGET (400), SnapshotError SNAPSHOT_ERROR_DIFF_UNAVAILABLE (400),
 * SNAPSHOT_ERROR_LEDGER_CHANGED and SNAPSHOT_ERROR_ABORTED (503). Anything else is a failure of the node (500).
 */
export interface NodeControl {
  /** Prunes messages, milestones and the ledger's diffs; resolves with the pruning index after the run. */
  prune(request: PruneRequest): Promise<{ index: number }>;
  /** Writes a full snapshot, and a delta when asked, into the node's snapshot directory. */
  createSnapshot(request: SnapshotRequest): Promise<CreatedSnapshots>;
}

export interface ApiDependencies {
  tangle: ApiTangleView;
  /** The event bus (info's message rates). */
  pipeline: Pick<MessagePipeline, "events">;
  tipSelector: Pick<TipSelector, "selectTips" | "selectSpammerTips" | "options">;
  /**
   * Health reads `syncStatus().connectedPeers` (sync state comes from the tangle's milestone indexes); the peers
   * routes read and change the peers.
   */
  gossip: Pick<GossipService, "syncStatus" | "peers" | "endpoints" | "addPeer" | "removePeer">;
  /** Read-only ledger queries: utxo-changes, outputs, addresses, receipts, treasury, included transactions. */
  ledger: Pick<
    UtxoLedger,
    | "ledgerIndex"
    | "milestoneDiff"
    | "getOutput"
    | "getOutputWithSpent"
    | "balance"
    | "outputIdsOfAddress"
    | "txHistory"
    | "receipts"
    | "treasury"
  >;
  /** Where POST /messages hands its bytes, as peers' messages go (ARCHITECTURE.md §2.5 step 13). */
  ingress: Pick<Ingress, "submit">;
  /** The node's PoW engine for remote PoW (feature "PoW"); absent or null when node PoW is off. */
  pow?: PowEngine | null;
  /**
   * The PoW engine of the faucet and the spammer (src/api/plugins), which need one whenever the network's minimum
   * score is above 0, even when remote PoW is off; absent = `pow`.
   */
  pluginPow?: PowEngine | null;
  /** GET /metrics and per-request counts; absent or null = neither. */
  metrics?: Metrics | null;
  /** The control routes (prune, snapshots); absent or null = they answer 503. */
  control?: NodeControl | null;
  /** Milliseconds since the epoch (the health rule's milestone age). */
  now(): number;
  node: ApiNodeInfo;
  /** Default: logs nothing. Only failures of the node (5xx) are logged, at error level. */
  logger?: Logger;
}

export interface ApiOptions {
  /** Cap of every result list (Hornet `restAPI.limits.maxResults`, chrysalis.md §10.1). */
  maxResults: number;
  /** Largest request body in bytes (Hornet: 1 MB). */
  bodyLimit: number;
  /**
   * How long an idle keep-alive connection stays open, in ms. Node's 5 s default breaks iota.js clients that do PoW
   * locally between two requests of one operation (client-compat.md §8.2; Hornet has no idle timeout), and that PoW
   * can take minutes at mainnet scores.
   */
  keepAliveTimeoutMs: number;
  /**
   * Whether `/health` needs a connected peer (chrysalis.md §10.2). A node run without peers on purpose (a single-node
   * private network) sets this to false, so it is not unhealthy for lacking what it was never given.
   */
  healthNeedsPeers: boolean;
  /** Remote-PoW jobs queued or running at most (the engine mines one at a time). */
  powJobsMax: number;
  /** Remote-PoW requests per client address per minute. */
  powRequestsPerMinute: number;
  /** The latest milestone must be at most this old for `/health` (Hornet: 5 minutes). */
  healthMaxMilestoneAgeMs: number;
  /**
   * HS256 key of the API tokens (jwtKey() of the node's secret) that open the protected routes (chrysalis.md §10.2);
   * null = no secret is configured and those routes answer 403.
   */
  jwtKey: Uint8Array | null;
  /** Answer browsers from any origin (CORS headers and preflight), as Hornet does. */
  cors: boolean;
  /** The faucet plugin (`/api/plugins/faucet/v1`); null = off, its routes are not served. */
  faucet: FaucetOptions | null;
  /** The spammer plugin (`/api/plugins/spammer/v1`, protected routes); null = off, its routes are not served. */
  spammer: SpammerOptions | null;
}

/** Hornet's faucet plugin: a wallet that sends a fixed amount to each address that asks. */
export interface FaucetOptions {
  /** The wallet seed (16..64 bytes); the faucet spends from its key at m/44'/4218'/0'/0'/0' (SLIP-10, as iota.js). */
  seed: Uint8Array;
  /** Iotas each request receives; at least 1 Mi, as smaller outputs are dust (TIP-15). */
  amount: number;
  /** An address may ask again this many milliseconds after its previous request. */
  perAddressIntervalMs: number;
  /** How long the faucet collects requests before it sends them in one transaction (ms); default 250. */
  batchDelayMs?: number;
}

/** The spammer plugin (Hornet's spammer, for benchmarks). */
export interface SpammerOptions {
  /** Messages being built, mined and ingested at once; default 8. */
  maxInFlight?: number;
}

export const DEFAULT_API_OPTIONS: Readonly<ApiOptions> = Object.freeze({
  maxResults: 1000,
  bodyLimit: 1024 * 1024,
  keepAliveTimeoutMs: 10 * 60_000,
  healthNeedsPeers: true,
  healthMaxMilestoneAgeMs: 5 * 60_000,
  // A 300-byte message at score 4000 takes the engine ~0.1–0.5 s (README PoW rows): 16 queued jobs are a few
  // seconds of work; 60 per client per minute lets a wallet work and stops one client from taking the engine.
  powJobsMax: 16,
  powRequestsPerMinute: 60,
  jwtKey: null,
  cors: true,
  faucet: null,
  spammer: null,
});

/** What every route plugin gets. */
export interface ApiContext {
  deps: ApiDependencies;
  options: Readonly<ApiOptions>;
  rates: ConfirmationRates;
}

/** Options of each route plugin (fastify adds `prefix`). */
export interface RoutePluginOptions {
  ctx: ApiContext;
}
