/**
 * The composition root (ARCHITECTURE.md §2.1 principle 2): the only place that opens the database, `new`s the stages
 * and connects their events. WeaverNode.start brings a node up in dependency order and close() takes it down in the
 * reverse one:
 *
 *   data dir → LMDB (dataDir/db) → tangle → ledger → [undo an interrupted snapshot import] → [bootstrap an empty
 *   database from a snapshot or the genesis] → network check (dataDir/network.json) → [finish an interrupted ledger
 *   prune] → tip selector → ingestion pipeline → pruner and maintenance → gossip service → milestone tracking and
 *   confirmation → pending messages reloaded → REST API built → gossip started → REST API listening
 *
 * The pipeline needs a Requester before the gossip service exists, and the gossip service needs the pipeline's
 * ingress: a forwarding requester breaks the cycle. The gossip service is built before the consensus wiring, whose
 * confirmer may ask for a milestone as soon as it is attached, and before the solidifier reloads its pending set, so
 * no request is ever made while the forwarder has nowhere to send it.
 *
 * The REST API closes first: requests on connections that are still open are answered while it closes, and they read
 * the tangle and the ledger, which must still be there. A running prune or snapshot is told to stop before that (a
 * control request waits for it) and is waited for before the database closes.
 */
import { mkdirSync } from "node:fs";
import { open, readFile, rename } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { FastifyInstance } from "fastify";
import type { FaucetOptions } from "../api/apiContext.js";
import { jwtKey } from "../api/jwt.js";
import { parseWalletSeed } from "../api/plugins/seedWallet.js";
import { createApiServer } from "../api/server.js";
import { BECH32_HRP_MAINNET, BECH32_HRP_TESTNET, ED25519_ADDRESS_TYPE, encodeBech32Address } from "../crypto/bech32.js";
import { networkIdFromName } from "../crypto/networkId.js";
import { GossipService } from "../gossip/gossipService.js";
import { sepHash } from "../gossip/handshake.js";
import { loadOrCreateIdentity } from "../gossip/identity.js";
import { SignaturePool } from "../ledger/signaturePool.js";
import { writeGenesisSnapshot } from "../ledger/snapshot/genesisSnapshot.js";
import { discardInterruptedSnapshotImport, importSnapshots } from "../ledger/snapshot/snapshotImport.js";
import { UtxoLedger } from "../ledger/utxoLedger.js";
import { type Logger, silentLogger } from "../logger/logger.js";
import { createMetrics, type Metrics } from "../metrics/metrics.js";
import { MilestoneValidator } from "../milestones/milestoneValidator.js";
import { createEventApi, type EventApi } from "../mqtt/eventApi.js";
import type { MilestoneRequester } from "../pipeline/confirmer.js";
import { attachConsensus, type Consensus } from "../pipeline/consensus.js";
import type { NodeHaltedEvent } from "../pipeline/events.js";
import { createMessagePipeline, type MessagePipeline } from "../pipeline/messagePipeline.js";
import { collectNodeMetrics, meterPow } from "../pipeline/nodeMetrics.js";
import { PowPool } from "../pow/powPool.js";
import { concatBytes } from "../primitives/bytes.js";
import { bytesToHex, hexToBytes, isHex } from "../primitives/hex.js";
import { LmdbKvStore } from "../storage/backends/lmdb.js";
import { Pruner } from "../tangle/pruner.js";
import type { Requester, RequestHint } from "../tangle/solidifier.js";
import { checkParentsForSubmission } from "../tangle/submissionCheck.js";
import { Tangle } from "../tangle/tangle.js";
import { TipSelector } from "../tangle/tipSelector.js";
import { type RunningCoordinator, startNodeCoordinator } from "./nodeCoordinator.js";
import { WeaverNodeError } from "./nodeError.js";
import { NodeMaintenance, pruneLedgerTo } from "./nodeMaintenance.js";
import { DEVELOPMENT_GENESIS_SEED_TEXT, type NodeOptions } from "./nodeOptions.js";

export interface WeaverNodeModules {
  /** Default: logs nothing. */
  logger?: Logger;
  /** Milliseconds since the epoch; default Date.now. */
  now?: () => number;
  /** The software version `GET /api/v1/info` reports; the CLI passes its own. Default "unknown". */
  version?: string;
}

export interface NodeStatus {
  nodeId: string;
  networkName: string;
  /** Where the peer-to-peer listener is bound. */
  listen: { host: string; port: number };
  /** Where the REST API listens (the real port when api.bind asked for port 0). */
  api: { host: string; port: number };
  /** Where the MQTT broker listens over TCP (the real port when mqtt.bind asked for port 0). */
  mqtt: { host: string; port: number };
  confirmedMilestoneIndex: number;
  latestMilestoneIndex: number;
  ledgerIndex: number;
  /** Milestones up to this index are pruned (0: nothing pruned, or the snapshot the node started from). */
  pruningIndex: number;
  synced: boolean;
  almostSynced: boolean;
  connectedPeers: number;
  syncedPeers: number;
  /** Why the node halted (a confirmation it could not make), or null. */
  halted: NodeHaltedEvent | null;
}

/** How a node ended: closed on request, or halted by the core (node.halted) and closed by itself. */
export interface NodeStopped {
  halted: NodeHaltedEvent | null;
}

/** Inside the data directory. */
export const DATABASE_DIR = "db";
export const GENESIS_FILE = "genesis.bin";
export const NETWORK_FILE = "network.json";
/** Where the control route writes snapshot files. */
export const SNAPSHOTS_DIR = "snapshots";
/** The `name` of `GET /api/v1/info` (Hornet says "HORNET"). */
export const NODE_SOFTWARE_NAME = "weaver";
/** The status line's period (an operator watching the log sees the node move). */
export const STATUS_LOG_INTERVAL_MS = 10_000;
/** TipSelector.cleanup (Hornet's `Tipselection[Cleanup]` worker) and the solidifier's age eviction. */
const HOUSEKEEPING_INTERVAL_MS = 1_000;
/** A part of the node still closing after this long is named in a warning. */
const SLOW_CLOSE_WARNING_MS = 3_000;
/**
 * chrysalis.md §11.4: every node of a new network must make the byte-identical genesis file, so its timestamp is
 * fixed rather than the time the node happens to start.
 */
const GENESIS_TIMESTAMP = 0;

/** What dataDir/network.json records: the network the database belongs to and the rules' SEP hash it started with. */
interface NetworkRecord {
  networkName: string;
  networkId: bigint;
  /** sepHash of the solid entry points the database was bootstrapped with (protocol/network.md §2). */
  sepHash: Uint8Array;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Writes `text` to `file` so that a crash leaves the old content or the new one, never a mix. */
async function writeFileAtomically(file: string, text: string): Promise<void> {
  const tmp = `${file}.tmp`;
  const handle = await open(tmp, "w");
  try {
    await handle.writeFile(text, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(tmp, file);
}

async function readNetworkRecord(file: string): Promise<NetworkRecord | null> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new WeaverNodeError("NODE_ERROR_DATA_DIR", `cannot read ${file}: ${messageOf(e)}`, { cause: e });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new WeaverNodeError("NODE_ERROR_DATA_DIR", `${file} is not JSON: ${messageOf(e)}`, { cause: e });
  }
  const r = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Record<string, unknown>;
  if (
    typeof r.networkName !== "string" ||
    typeof r.networkId !== "string" ||
    !/^\d{1,20}$/.test(r.networkId) ||
    typeof r.sepHash !== "string" ||
    r.sepHash.length !== 64 ||
    !isHex(r.sepHash)
  ) {
    throw new WeaverNodeError(
      "NODE_ERROR_DATA_DIR",
      `${file} must hold {"networkName": string, "networkId": decimal string, "sepHash": 64 hex digits}; delete it to have it written again from the database`,
    );
  }
  return { networkName: r.networkName, networkId: BigInt(r.networkId), sepHash: hexToBytes(r.sepHash) };
}

async function writeNetworkRecord(file: string, record: NetworkRecord): Promise<void> {
  const text = `${JSON.stringify(
    { networkName: record.networkName, networkId: record.networkId.toString(), sepHash: bytesToHex(record.sepHash) },
    null,
    2,
  )}\n`;
  try {
    await writeFileAtomically(file, text);
  } catch (e) {
    throw new WeaverNodeError("NODE_ERROR_DATA_DIR", `cannot write ${file}: ${messageOf(e)}`, { cause: e });
  }
}

function currentSepHash(tangle: Tangle): Uint8Array {
  return sepHash([...tangle.solidEntryPoints()].map(([id]) => id));
}

/** Loads the configured snapshot, or the genesis the node writes itself, into the empty database. */
async function bootstrap(
  options: NodeOptions,
  dataDir: string,
  networkId: bigint,
  db: { tangle: Tangle; ledger: UtxoLedger },
  logger: Logger,
): Promise<void> {
  const { bootstrap } = options;
  if (bootstrap.kind === "none") {
    throw new WeaverNodeError(
      "NODE_ERROR_BOOTSTRAP_MISSING",
      `the database in ${join(dataDir, DATABASE_DIR)} is empty: give a snapshot file (bootstrap.snapshot) or the genesis address of a new network (bootstrap.genesisAddress)`,
    );
  }
  let fullPath: string;
  if (bootstrap.kind === "snapshot") {
    fullPath = resolve(bootstrap.path);
  } else {
    fullPath = join(dataDir, GENESIS_FILE);
    const address = encodeBech32Address(
      BECH32_HRP_TESTNET,
      concatBytes(Uint8Array.of(ED25519_ADDRESS_TYPE), bootstrap.address),
    );
    await writeGenesisSnapshot(fullPath, { networkId, mintAddress: bootstrap.address, timestamp: GENESIS_TIMESTAMP });
    if (bootstrap.development) {
      logger.warn(
        "The database is empty and no snapshot or genesis address was given: using the development genesis, whose key anyone can derive (for local networks only)",
        { address, addressHex: bytesToHex(bootstrap.address), seedText: DEVELOPMENT_GENESIS_SEED_TEXT },
      );
    } else {
      logger.info("Genesis snapshot written", { file: fullPath, address });
    }
  }
  const report = await importSnapshots({
    fullPath,
    networkId,
    ledger: db.ledger,
    target: db.tangle,
    store: db.tangle.store,
  });
  logger.info("Snapshot loaded into the empty database", {
    file: fullPath,
    sepIndex: report.sepIndex,
    outputs: report.outputs,
    solidEntryPoints: report.solidEntryPoints,
    durationMs: Math.round(report.durationMs),
  });
}

/**
 * Makes sure the database belongs to the configured network, bootstrapping it first when it is empty, and returns
 * the network's record (written to network.json at the first start).
 */
async function settleNetwork(
  options: NodeOptions,
  dataDir: string,
  db: { tangle: Tangle; ledger: UtxoLedger },
  logger: Logger,
): Promise<NetworkRecord> {
  const name = options.network.name;
  const networkId = networkIdFromName(name);
  const file = join(dataDir, NETWORK_FILE);
  const info = db.ledger.snapshotInfo();
  if (info === undefined) {
    await bootstrap(options, dataDir, networkId, db, logger);
    const record = { networkName: name, networkId, sepHash: currentSepHash(db.tangle) };
    await writeNetworkRecord(file, record);
    return record;
  }
  if (options.bootstrap.kind !== "none") {
    logger.debug("The database holds a ledger already; the bootstrap options are not used", {
      bootstrap: options.bootstrap.kind,
    });
  }
  const stored = await readNetworkRecord(file);
  if (info.networkId !== networkId || (stored !== null && stored.networkName !== name)) {
    const theirs = stored !== null && stored.networkId === info.networkId ? `"${stored.networkName}"` : "another one";
    throw new WeaverNodeError(
      "NODE_ERROR_NETWORK_MISMATCH",
      `the database in ${join(dataDir, DATABASE_DIR)} belongs to network ${theirs} (id ${info.networkId}), not to "${name}" (id ${networkId}); use another data directory for another network`,
    );
  }
  if (stored !== null) return stored;
  // A database bootstrapped before network.json existed, or whose file was deleted. Its solid entry points are the
  // ones it started with as long as nothing was pruned since.
  const record = { networkName: name, networkId, sepHash: currentSepHash(db.tangle) };
  await writeNetworkRecord(file, record);
  logger.warn("network.json was missing and was written again from the database", { file });
  return record;
}

/**
 * Opens LMDB in dataDir/db, the tangle and the ledger on it, and undoes a snapshot import that a crash interrupted
 * (the next step then sees an empty database and imports again).
 */
async function openDatabase(dataDir: string, logger: Logger): Promise<{ tangle: Tangle; ledger: UtxoLedger }> {
  const kv = LmdbKvStore.open({ path: join(dataDir, DATABASE_DIR) });
  let opened: { tangle: Tangle; wasDirty: boolean };
  try {
    opened = await Tangle.open(kv);
  } catch (e) {
    await kv.close();
    throw e;
  }
  const { tangle, wasDirty } = opened;
  if (wasDirty) logger.warn("The previous run did not close the database cleanly; it is consistent anyway");
  const ledger = new UtxoLedger(tangle.store);
  try {
    if (await discardInterruptedSnapshotImport({ ledger, target: tangle, store: tangle.store })) {
      logger.warn("Removed the remains of a snapshot import that did not finish");
    }
  } catch (e) {
    await tangle.close();
    throw e;
  }
  return { tangle, ledger };
}

/** The faucet's API options with its wallet seed read from faucet.seedFile; null when the faucet is off. */
async function faucetOptions(faucet: NodeOptions["faucet"]): Promise<FaucetOptions | null> {
  if (!faucet.enabled || faucet.seedFile === null) return null;
  const option = "faucet.seedFile";
  let text: string;
  try {
    text = await readFile(faucet.seedFile, "utf8");
  } catch (e) {
    const problem = `${option}: cannot read ${faucet.seedFile}: ${messageOf(e)}`;
    throw new WeaverNodeError("NODE_ERROR_CONFIG_INVALID", problem, { option });
  }
  const seed = parseWalletSeed(text);
  if (seed === null) {
    throw new WeaverNodeError(
      "NODE_ERROR_CONFIG_INVALID",
      `${option}: ${faucet.seedFile} must hold a wallet seed of 16..64 bytes in hex, or a weaver dev wallet (JSON with seedHex)`,
      { option },
    );
  }
  return { seed, amount: faucet.amount, perAddressIntervalMs: faucet.perAddressIntervalMs };
}

/** `http://host:port`, IPv6 hosts in brackets. */
function httpUrl(endpoint: { host: string; port: number }): string {
  const host = endpoint.host.includes(":") ? `[${endpoint.host}]` : endpoint.host;
  return `http://${host}:${endpoint.port}`;
}

/** Listens on `bind` and returns the endpoint with the port actually bound. */
const LISTEN_FAILURES: Readonly<Record<string, string>> = {
  EADDRINUSE: "the port is in use by another program",
  EACCES: "permission denied (ports below 1024 need privileges)",
  EADDRNOTAVAIL: "the address is not one of this machine's",
};

function listenErrno(e: unknown): string | undefined {
  for (let cause = e; cause instanceof Error; cause = cause.cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code !== undefined && code in LISTEN_FAILURES) return code;
  }
  return undefined;
}

/** Runs `listen`; a bind failure becomes NODE_ERROR_LISTEN naming the option to change (and so its flag). */
async function listening<T>(
  option: "p2p.bind" | "api.bind" | "mqtt.bind",
  what: string,
  bind: { host: string; port: number },
  listen: () => Promise<T>,
): Promise<T> {
  try {
    return await listen();
  } catch (e) {
    const errno = listenErrno(e);
    if (errno === undefined) throw e;
    const where = bind.host.includes(":") ? `[${bind.host}]:${bind.port}` : `${bind.host}:${bind.port}`;
    throw new WeaverNodeError(
      "NODE_ERROR_LISTEN",
      `${option}: the ${what} cannot listen on ${where}: ${LISTEN_FAILURES[errno]} (${errno})`,
      { option, cause: e },
    );
  }
}

async function listenApi(
  api: FastifyInstance,
  bind: { host: string; port: number },
): Promise<{ host: string; port: number }> {
  await api.listen({ host: bind.host, port: bind.port });
  const address = api.server.address();
  return { host: bind.host, port: typeof address === "object" && address !== null ? address.port : bind.port };
}

/** Forwards the pipeline's requests to the gossip service, which is built after the pipeline. */
class ForwardingRequester implements Requester, MilestoneRequester {
  target: (Requester & MilestoneRequester) | null = null;

  request(id: Uint8Array, hint: RequestHint): void {
    this.target?.request(id, hint);
  }

  requestMilestone(index: number): void {
    this.target?.requestMilestone(index);
  }
}

interface Parts {
  dataDir: string;
  tangle: Tangle;
  ledger: UtxoLedger;
  tipSelector: TipSelector;
  pipeline: MessagePipeline;
  gossip: GossipService;
  consensus: Consensus;
  signaturePool: SignaturePool;
  pow: PowPool | null;
  metrics: Metrics;
  api: FastifyInstance;
  mqtt: EventApi;
  pruner: Pruner;
  maintenance: NodeMaintenance;
}

export class WeaverNode {
  readonly dataDir: string;
  readonly tangle: Tangle;
  readonly ledger: UtxoLedger;
  readonly tipSelector: TipSelector;
  readonly pipeline: MessagePipeline;
  readonly gossip: GossipService;
  readonly consensus: Consensus;
  /** The coordinator, when this node issues the network's milestones. */
  coordinator: RunningCoordinator | null = null;
  readonly pruner: Pruner;
  /** Pruning after each milestone, and the prunes and snapshots of the control routes. */
  readonly maintenance: NodeMaintenance;
  /** Resolves once the node has closed, on request or after a halt. */
  readonly stopped: Promise<NodeStopped>;
  private readonly signaturePool: SignaturePool;
  private readonly pow: PowPool | null;
  private readonly metrics: Metrics;
  private readonly api: FastifyInstance;
  private apiEndpoint: { host: string; port: number };
  private mqttEndpoint: { host: string; port: number };
  private readonly mqtt: EventApi;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly unsubscribe: Array<() => void> = [];
  private halted: NodeHaltedEvent | null = null;
  private closing: Promise<void> | null = null;
  private resolveStopped!: (stopped: NodeStopped) => void;

  private constructor(
    parts: Parts,
    private readonly options: NodeOptions,
    private readonly logger: Logger,
  ) {
    this.dataDir = parts.dataDir;
    this.tangle = parts.tangle;
    this.ledger = parts.ledger;
    this.tipSelector = parts.tipSelector;
    this.pipeline = parts.pipeline;
    this.gossip = parts.gossip;
    this.consensus = parts.consensus;
    this.pruner = parts.pruner;
    this.maintenance = parts.maintenance;
    this.signaturePool = parts.signaturePool;
    this.pow = parts.pow;
    this.metrics = parts.metrics;
    this.api = parts.api;
    this.apiEndpoint = options.api.bind;
    this.mqttEndpoint = options.mqtt.bind;
    this.mqtt = parts.mqtt;
    this.stopped = new Promise((res) => {
      this.resolveStopped = res;
    });
  }

  /**
   * Opens the database in `options.dataDir` (bootstrapping it when empty), wires the node, starts the gossip service
   * and then the REST API. Refuses with WeaverNodeError (NODE_ERROR_*) when the data directory, the bootstrap or the
   * network do not fit, and with NODE_ERROR_LISTEN when the gossip, API or MQTT address cannot be bound;
   * everything opened so far is closed again before it throws.
   */
  static async start(options: NodeOptions, modules: WeaverNodeModules = {}): Promise<WeaverNode> {
    const logger = modules.logger ?? silentLogger;
    const nodeLogger = logger.child({ component: "node" });
    const now = modules.now ?? Date.now;
    const dataDir = resolve(options.dataDir);
    try {
      mkdirSync(dataDir, { recursive: true });
    } catch (e) {
      throw new WeaverNodeError("NODE_ERROR_DATA_DIR", `cannot create the data directory ${dataDir}: ${messageOf(e)}`, {
        cause: e,
      });
    }
    const dbLogger = logger.child({ component: "database" });
    const { tangle, ledger } = await openDatabase(dataDir, dbLogger);
    // Everything below is undone by closing the tangle (which closes the store) if a step fails.
    const cleanup: Array<() => Promise<void>> = [() => tangle.close()];
    let node: WeaverNode | null = null;
    try {
      const record = await settleNetwork(options, dataDir, { tangle, ledger }, dbLogger);
      const { network } = options;
      // A crash between a prune's tangle part and its ledger part leaves diffs at or below the pruning index.
      await pruneLedgerTo(ledger, tangle, tangle.pruningIndex);

      const tipSelector = new TipSelector({}, { view: tangle, now, random: Math.random });
      const forwarder = new ForwardingRequester();
      const pipeline = createMessagePipeline(
        { networkId: record.networkId, minPowScore: network.minPowScore },
        {
          tangle,
          requester: forwarder,
          now,
          tipPool: tipSelector,
          checkSubmission: (parents) => checkParentsForSubmission(tangle, parents),
        },
      );

      const pruner = new Pruner(
        {
          milestonesToKeep: options.pruning.milestonesToKeep,
          sizeTargetBytes: options.pruning.targetDatabaseSizeBytes,
          belowMaxDepth: tipSelector.options.params.belowMaxDepth,
        },
        { tangle, isPending: (idHex) => pipeline.solidifier.isPending(idHex), now },
      );
      const maintenance = new NodeMaintenance({
        tangle,
        ledger,
        pruner,
        networkId: record.networkId,
        snapshotDir: join(dataDir, SNAPSHOTS_DIR),
        logger: logger.child({ component: "maintenance" }),
      });
      cleanup.unshift(() => maintenance.close());

      const identity = await loadOrCreateIdentity(options.p2p.identityFile ?? undefined, now());
      const { p2p } = options;
      const gossip = new GossipService(
        {
          networkName: network.name,
          rules: {
            networkId: record.networkId,
            minPowScore: network.minPowScore,
            keyRanges: network.milestones.keyRanges,
            threshold: network.milestones.threshold,
            sepHash: record.sepHash,
          },
          bind: p2p.bind,
          ...(p2p.announce === null ? {} : { announce: p2p.announce }),
          peers: [...p2p.peers],
          maxPeers: p2p.maxPeers,
          mode: options.gossip.mode,
          infectionTarget: options.gossip.infectionTarget,
        },
        { identity, tangle, ingress: pipeline.ingress, events: pipeline.events, now, logger },
      );
      forwarder.target = gossip;
      cleanup.unshift(() => gossip.close());

      const signaturePool = new SignaturePool();
      cleanup.unshift(() => signaturePool.close());
      const validator = new MilestoneValidator({
        keyRanges: network.milestones.keyRanges,
        threshold: network.milestones.threshold,
      });
      const consensus = attachConsensus(pipeline, {
        tangle,
        ledger,
        validator,
        now,
        signaturePool,
        milestoneRequester: forwarder,
      });
      cleanup.unshift(async () => {
        consensus.close();
        await consensus.confirmer.idle();
      });
      pipeline.solidifier.load({ milestoneIndex: tangle.latestMilestoneIndex });

      const faucet = await faucetOptions(options.faucet);
      // Remote PoW (chrysalis.md §10.2 POST /messages): the Curl-P-81 worker pool of the foundation. The faucet and
      // the spammer mine their own messages with it, so they get one even when remote PoW is off.
      const pluginsMine = (options.faucet.enabled || options.spammer.enabled) && network.minPowScore > 0;
      const pow =
        options.api.powWorkers > 0 || pluginsMine
          ? new PowPool({ threads: Math.max(1, options.api.powWorkers) })
          : null;
      if (pow !== null) cleanup.unshift(() => pow.close());
      const metrics = createMetrics();
      const meteredPow = pow === null ? null : meterPow(pow, metrics);
      const api = createApiServer(
        {
          tangle,
          pipeline,
          tipSelector,
          gossip,
          ledger,
          ingress: pipeline.ingress,
          pow: options.api.powWorkers > 0 ? meteredPow : null,
          pluginPow: meteredPow,
          metrics,
          control: maintenance,
          now,
          node: {
            name: NODE_SOFTWARE_NAME,
            version: modules.version ?? "unknown",
            networkName: network.name,
            networkId: networkIdFromName(network.name),
            bech32Hrp: network.milestones.preset === "mainnet" ? BECH32_HRP_MAINNET : BECH32_HRP_TESTNET,
            minPowScore: network.minPowScore,
          },
          logger,
        },
        {
          maxResults: options.api.maxResults,
          // A node given no peers runs alone on purpose (a one-node private network): healthy without any.
          healthNeedsPeers: options.p2p.peers.length > 0,
          jwtKey: options.api.jwtSecret === null ? null : jwtKey(options.api.jwtSecret),
          cors: options.api.cors,
          faucet,
          spammer: options.spammer.enabled ? {} : null,
        },
      );
      // TIP-16 event API: one broker, over TCP (mqtt.bind) and as a WebSocket at /mqtt on the API's HTTP server.
      const mqtt = createEventApi({
        events: pipeline.events,
        tangle,
        ledger,
        tipSelectionParams: tipSelector.options.params,
        bech32Hrp: network.milestones.preset === "mainnet" ? BECH32_HRP_MAINNET : BECH32_HRP_TESTNET,
        logger,
      });
      mqtt.attachWebSocket(api.server);
      cleanup.unshift(() => mqtt.close());
      node = new WeaverNode(
        {
          dataDir,
          tangle,
          ledger,
          tipSelector,
          pipeline,
          gossip,
          consensus,
          signaturePool,
          pow,
          metrics,
          api,
          mqtt,
          pruner,
          maintenance,
        },
        options,
        nodeLogger,
      );
      node.wire();
      await listening("p2p.bind", "gossip listener", options.p2p.bind, () => gossip.start());
      node.apiEndpoint = await listening("api.bind", "REST API", options.api.bind, () =>
        listenApi(api, options.api.bind),
      );
      const mqttBind = options.mqtt.bind;
      node.mqttEndpoint = await listening("mqtt.bind", "MQTT broker", mqttBind, () =>
        mqtt.listenTcp(mqttBind.host, mqttBind.port),
      );
      logger.child({ component: "mqtt" }).info("MQTT listening", {
        tcp: `mqtt://${node.mqttEndpoint.host}:${node.mqttEndpoint.port}`,
        websocket: `${httpUrl(node.apiEndpoint).replace(/^http/, "ws")}/mqtt`,
      });
      const apiUrl = httpUrl(node.apiEndpoint);
      logger.child({ component: "api" }).info("API listening", {
        url: apiUrl,
        cors: options.api.cors,
        protectedRoutes: options.api.jwtSecret === null ? "closed (no api.jwtSecret)" : "open with a token",
      });
      if (options.coordinator.enabled) {
        node.coordinator = await startNodeCoordinator(options, {
          dataDir,
          tangle,
          ledger,
          ingress: pipeline.ingress,
          events: pipeline.events,
          tipSelectionParams: tipSelector.options.params,
          networkId: networkIdFromName(network.name),
          logger: logger.child({ component: "coordinator" }),
        });
      }
      const listen = gossip.listenEndpoint();
      nodeLogger.info("Node started", {
        nodeId: gossip.nodeIdHex,
        listen: `${listen.host}:${listen.port}`,
        api: apiUrl,
        network: network.name,
        networkId: record.networkId,
        cmi: tangle.confirmedMilestoneIndex,
        lmi: tangle.latestMilestoneIndex,
        dataDir,
      });
      return node;
    } catch (e) {
      if (node !== null) {
        await node.close();
        throw e;
      }
      for (const step of cleanup) {
        await step().catch((closeError: unknown) =>
          logger.error("Closing after a failed start failed", { error: messageOf(closeError) }),
        );
      }
      throw e;
    }
  }

  /** Connects the node's own reactions to the core's events and starts its timers. */
  private wire(): void {
    const { events } = this.pipeline;
    this.unsubscribe.push(
      collectNodeMetrics(this.metrics, {
        events,
        ingress: this.pipeline.ingress,
        solidifier: this.pipeline.solidifier,
        tangle: this.tangle,
        confirmer: this.consensus.confirmer,
        gossip: this.gossip,
        durableEvents: this.pipeline.durableEvents,
      }),
    );
    this.unsubscribe.push(
      events.on("milestone.confirmed", (e) => {
        // chrysalis.md §7: tip scores are relative to the CMI, so they are recomputed after each confirmation.
        this.tipSelector.updateScores();
        this.logger.debug("Milestone confirmed", { index: e.index, ...this.statusContext() });
        this.maintenance.onMilestoneConfirmed();
      }),
      events.on("node.halted", (e) => {
        this.halted = e;
        this.logger.error("The node halted and is shutting down", { code: e.code, reason: e.message });
        void this.close();
      }),
    );
    const every = (ms: number, fn: () => void): void => {
      const timer = setInterval(fn, ms);
      // The gossip listener keeps the process alive; these timers alone must not.
      timer.unref();
      this.timers.push(timer);
    };
    every(STATUS_LOG_INTERVAL_MS, () => this.logger.info("Node status", this.statusContext()));
    every(HOUSEKEEPING_INTERVAL_MS, () => {
      this.tipSelector.cleanup();
      this.pipeline.solidifier.evictExpired();
    });
  }

  private statusContext(): { cmi: number; lmi: number; synced: boolean; peers: number } {
    const s = this.gossip.syncStatus();
    return { cmi: s.confirmedIndex, lmi: s.latestIndex, synced: s.synced, peers: s.connectedPeers };
  }

  status(): NodeStatus {
    const s = this.gossip.syncStatus();
    return {
      nodeId: this.gossip.nodeIdHex,
      networkName: this.options.network.name,
      listen: this.gossip.listenEndpoint(),
      api: { ...this.apiEndpoint },
      mqtt: { ...this.mqttEndpoint },
      confirmedMilestoneIndex: s.confirmedIndex,
      latestMilestoneIndex: s.latestIndex,
      ledgerIndex: this.ledger.ledgerIndex,
      pruningIndex: this.tangle.pruningIndex,
      synced: s.synced,
      almostSynced: s.almostSynced,
      connectedPeers: s.connectedPeers,
      syncedPeers: s.syncedPeers,
      halted: this.halted,
    };
  }

  /**
   * Closes the REST API (requests in progress are answered), stops the gossip service (no new input), lets a running
   * confirmation finish, commits everything staged and closes the database. Safe to call more than once and from an
   * event handler; every call waits for the same close.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    for (const off of this.unsubscribe) off();
    // Told to stop first: a control request waiting for its prune or snapshot holds the API's close.
    const maintenanceClosed = this.maintenance.close();
    const steps: Array<[string, () => Promise<void>]> = [
      // The broker first: fastify's close waits for the WebSocket connections it upgraded.
      // No new milestone once shutdown begins (the one being built finishes and is recorded first).
      ["coordinator", async () => this.coordinator?.close()],
      ["mqtt", () => this.mqtt.close()],
      ["api", () => this.api.close()],
      ["maintenance", () => maintenanceClosed],
      ["gossip", () => this.gossip.close()],
      [
        "consensus",
        async () => {
          this.consensus.close();
          await this.consensus.confirmer.idle();
        },
      ],
      ["signature pool", () => this.signaturePool.close()],
      ["pow", async () => this.pow?.close()],
      ["database", () => this.tangle.close()],
    ];
    for (const [what, step] of steps) {
      this.logger.debug("Closing", { part: what });
      // A part that takes this long is named, so that an operator sees what a slow shutdown waits for.
      const slow = setTimeout(() => this.logger.warn("Still closing", { part: what }), SLOW_CLOSE_WARNING_MS);
      try {
        await step();
      } catch (e) {
        this.logger.error("A part of the node failed to close", { part: what, error: messageOf(e) });
      } finally {
        clearTimeout(slow);
      }
    }
    this.logger.info("Node closed", { cmi: this.tangle.confirmedMilestoneIndex, halted: this.halted !== null });
    this.resolveStopped({ halted: this.halted });
  }
}
