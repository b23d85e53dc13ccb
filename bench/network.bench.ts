/**
 * A local network under load (issue 7, "Numbers"): `weaver network up --nodes 4` as a user runs it (the built CLI;
 * four node processes on loopback, node-0 the coordinator with its 1 s milestone interval, gossip between processes).
 * The configs `up` writes are edited in this bench's temporary directory between runs (the source is not touched):
 *
 *  1. First run, the configs as `up` writes them (minimum PoW score 1000, no spammer):
 *     - `network.n4.included_latency_ms.data.median` / `.p99` and `network.n4.included_latency_ms.value.median` /
 *       `.p99`: the time from `POST /api/v1/messages` at a random node (complete message bytes: parents from that
 *       node's `/tips`, nonce mined by this bench before the clock starts, so PoW is not in the number) until that
 *       node publishes the message's metadata on MQTT `messages/referenced` with its `ledgerInclusionState`
 *       (`noTransaction` for data, `included` for value transactions; anything else fails the bench). Data
 *       (indexation, ~150 bytes) and value (one input, one output: each sample spends a 1 Mi output of its own
 *       address of the network wallet's seed, funded by one split at the start; built and signed here without
 *       iota.js) alternate, one every 150–550 ms (uniform, so submissions fall at every phase of the
 *       milestone interval), on an otherwise idle network. p99 is the nearest rank over the samples (with 25 samples:
 *       the largest). A message not included within 15 s counts with those 15 s (a lower bound).
 *  2. Second run, with `spammer.enabled` and an `api.jwtSecret` added (score still 1000, as `network up` ships):
 *     `network.n4.sustained_msgs_per_s`, the ladder below, the spammers mining their own messages (one PoW thread a
 *     node; four nodes share this machine's cores, so PoW is the limit here).
 *  3. Third run, the same with `network.minPowScore` 0 in every config: `network.n4.pow0.sustained_msgs_per_s`,
 *     what the network itself (ingestion, gossip, tip selection, white flag) sustains without PoW.
 *
 * A ladder step starts every node's spammer (`POST /api/plugins/spammer/v1/start`, indexation messages, a quarter of
 * the offered rate each), offers for 6 s, stops them and waits until every spammed message is referenced (at most
 * 8 s). An observer on node-3 (MQTT `messages/indexation/{spammer index}`, `messages/referenced`,
 * `milestones/latest`) notes each spammed message's arrival with node-3's latest milestone index then, and the
 * milestone that referenced it. A step passes when
 *   - every node's confirmed milestone index stays within 2 of the coordinator's latest (polled every 250 ms through
 *     the step and its drain),
 *   - every message the spammers sent reached the observer and was referenced within 5 milestones of its arrival,
 *   - the coordinator kept its interval (at least 80 % of the expected milestones during the offered 6 s).
 * The ladder starts at 8 msg/s (score 1000) or 100 msg/s (score 0) offered over the network; while steps pass it
 * doubles (up to 64 or 1,600), stopping early once the spammers deliver < 90 % of what is offered (they are the
 * limit, not the network); if the first step fails it halves until one passes. The row is the rate the spammers
 * actually delivered (sent / offered time) in the best passing step; 0 if none passes.
 *
 * Every process is stopped at the end, on failure too (the suite's own `finally`, and a SIGKILL of every node pid at
 * process exit or on SIGTERM/SIGHUP if it gets that far). Run on its own with `node dist/bench/run.js network`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { jwtKey, signApiToken } from "../src/api/jwt.js";
import { SeedWallet } from "../src/api/plugins/seedWallet.js";
import { buildSignedTransaction } from "../src/api/plugins/signedTransaction.js";
import { SPAMMER_INDEX, type SpammerStatus } from "../src/api/plugins/spammer/spammer.js";
import { LOCAL_NETWORK_NAME, type NetworkNodeLine, PIDS_FILE } from "../src/cli/networkCommand.js";
import {
  encodeMessage,
  type MessagePayload,
  messageId,
  outputId,
  type TransactionPayload,
  transactionId,
} from "../src/codec/index.js";
import { networkIdFromName } from "../src/crypto/networkId.js";
import { DUST_ALLOWANCE_MINIMUM } from "../src/params/protocol.js";
import { PowPool } from "../src/pow/powPool.js";
import { compareBytes, utf8ToBytes } from "../src/primitives/bytes.js";
import { bytesToHex, hexToBytes } from "../src/primitives/hex.js";
import { onLines, processAlive } from "../test/utils/polling.js";
import { seededRandom } from "../test/utils/seededRandom.js";
import { WEAVER_CLI } from "../test/utils/weaverProcess.js";
import type { BenchContext, Suite } from "./harness.js";

const NODES = 4;
const OBSERVER = NODES - 1;
const START_TIMEOUT_MS = 90_000;
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;
const POLL_MS = 250;

const LATENCY_SAMPLES = 25;
const GAP_MIN_MS = 150;
const GAP_MAX_MS = 550;
const INCLUSION_TIMEOUT_MS = 15_000;
const LATENCY_INDEX = "weaver-network-bench";

const STEP_MS = 6_000;
const DRAIN_MS = 8_000;
const MAX_CMI_LAG = 2;
const MAX_REFERENCE_DELAY = 5;
const MILESTONE_INTERVAL_MS = 1_000;
const MIN_MILESTONE_SHARE = 0.8;
const SATURATED_SHARE = 0.9;

interface Ladder {
  start: number;
  up: readonly number[];
  down: readonly number[];
}

const DEV_LADDER: Ladder = { start: 8, up: [16, 32, 64], down: [4, 2, 1] };
const POW0_LADDER: Ladder = { start: 100, up: [200, 400, 800, 1_600], down: [50, 25, 12] };

const ID = {
  dataMedian: "network.n4.included_latency_ms.data.median",
  dataP99: "network.n4.included_latency_ms.data.p99",
  valueMedian: "network.n4.included_latency_ms.value.median",
  valueP99: "network.n4.included_latency_ms.value.p99",
  sustained: "network.n4.sustained_msgs_per_s",
  sustainedPow0: "network.n4.pow0.sustained_msgs_per_s",
} as const;

interface NodeInfo {
  isHealthy: boolean;
  latestMilestoneIndex: number;
  confirmedMilestoneIndex: number;
  minPoWScore: number;
}

/** What `messages/referenced` carries (the REST metadata object). */
interface ReferencedJson {
  messageId: string;
  referencedByMilestoneIndex?: number;
  ledgerInclusionState?: string;
  conflictReason?: number;
}

async function api<T>(base: string, path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${init.method ?? "GET"} ${base}${path}: ${response.status} ${text.slice(0, 300)}`);
  }
  return (JSON.parse(text) as { data: T }).data;
}

const info = (node: NetworkNodeLine): Promise<NodeInfo> => api<NodeInfo>(node.api, "/api/v1/info");

async function connectedPeers(node: NetworkNodeLine): Promise<number> {
  const text = await (await fetch(`${node.api}/metrics`)).text();
  return Number(/^weaver_peers_connected (\d+)$/m.exec(text)?.[1] ?? -1);
}

function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? 0;
}

/** The part of mqtt@4 (installed with @iota/mqtt.js) this bench uses. */
interface MqttClient {
  on(event: "connect", listener: () => void): void;
  on(event: "message", listener: (topic: string, payload: Buffer) => void): void;
  on(event: "error", listener: (error: Error) => void): void;
  subscribe(topics: string[], options: { qos: 0 }, callback: (error: Error | null) => void): void;
  end(force: boolean, options: object, callback: () => void): void;
}

/** A variable, so that TypeScript does not look for typings mqtt@4 does not export. */
const MQTT_MODULE = "mqtt";

async function mqttSubscribe(
  url: string,
  topics: string[],
  onMessage: (topic: string, payload: Buffer) => void,
): Promise<MqttClient> {
  const mqtt = (await import(MQTT_MODULE)) as { default: { connect(url: string, options: object): MqttClient } };
  const client = mqtt.default.connect(url, { reconnectPeriod: 0, connectTimeout: 5_000 });
  await new Promise<void>((resolve, reject) => {
    client.on("connect", resolve);
    client.on("error", reject);
  });
  await new Promise<void>((resolve, reject) =>
    client.subscribe(topics, { qos: 0 }, (error) => (error === null ? resolve() : reject(error))),
  );
  client.on("message", onMessage);
  return client;
}

const endMqtt = (client: MqttClient): Promise<void> => new Promise((resolve) => client.end(true, {}, resolve));

function killPid(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Gone already.
  }
}

/** One `weaver network up` child and the nodes it announced. */
class LocalNetwork {
  readonly nodes: NetworkNodeLine[] = [];
  private stderr = "";
  private readonly exited: Promise<number | null>;

  private constructor(
    private readonly dir: string,
    private readonly up: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => up.once("exit", (code) => resolve(code)));
    up.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr += chunk;
    });
  }

  /** Runs `weaver network up` in `dir` and resolves once all nodes are announced. */
  static async start(dir: string): Promise<LocalNetwork> {
    const up = spawn(process.execPath, [WEAVER_CLI, "network", "up", "--nodes", String(NODES), "--dir", dir], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const net = new LocalNetwork(dir, up);
    LIVE.add(net);
    onLines(up.stdout!, (line) => {
      if (line.trim() !== "") net.nodes.push(JSON.parse(line) as NetworkNodeLine);
    });
    const deadline = performance.now() + START_TIMEOUT_MS;
    while (net.nodes.length < NODES) {
      if (up.exitCode !== null || up.signalCode !== null || performance.now() > deadline) {
        await net.stop();
        throw new Error(`weaver network up announced ${net.nodes.length} of ${NODES} nodes:\n${net.stderr}`);
      }
      await sleep(50);
    }
    return net;
  }

  /** Waits for the full mesh (discovery) and every node synced to the coordinator. */
  async ready(): Promise<void> {
    const deadline = performance.now() + READY_TIMEOUT_MS;
    for (;;) {
      const states = await Promise.all(
        this.nodes.map(async (n) => {
          try {
            const [i, peers] = await Promise.all([info(n), connectedPeers(n)]);
            return i.confirmedMilestoneIndex >= 1 && i.latestMilestoneIndex - i.confirmedMilestoneIndex <= 1
              ? peers === NODES - 1
              : false;
          } catch {
            return false;
          }
        }),
      );
      if (states.every(Boolean)) return;
      if (performance.now() > deadline) throw new Error(`the network was not ready within ${READY_TIMEOUT_MS} ms`);
      await sleep(POLL_MS);
    }
  }

  /** SIGTERM to `up` (which stops its nodes in order); SIGKILL to everything if that takes too long. */
  async stop(): Promise<void> {
    if (this.up.exitCode === null && this.up.signalCode === null) this.up.kill("SIGTERM");
    const timedOut = await Promise.race([this.exited.then(() => false), sleep(STOP_TIMEOUT_MS).then(() => true)]);
    if (timedOut) {
      console.log(`  [network up did not stop within ${STOP_TIMEOUT_MS} ms; killing its nodes]`);
      this.kill();
      await this.exited;
    }
    for (const pid of this.nodePids()) {
      const deadline = performance.now() + STOP_TIMEOUT_MS;
      while (processAlive(pid) && performance.now() < deadline) await sleep(50);
      if (processAlive(pid)) killPid(pid);
    }
    LIVE.delete(this);
  }

  /** Synchronous last resort (process exit, signals): SIGKILL to `up` and every node it started. */
  kill(): void {
    for (const pid of this.nodePids()) killPid(pid);
    if (this.up.pid !== undefined) killPid(this.up.pid);
  }

  /** The announced nodes and the ones `up` spawned but had not announced yet (its pids file). */
  private nodePids(): number[] {
    const pids = new Set(this.nodes.map((n) => n.pid));
    try {
      const record = JSON.parse(readFileSync(join(this.dir, PIDS_FILE), "utf8")) as { nodes?: Array<{ pid: number }> };
      for (const n of record.nodes ?? []) if (n.pid > 0) pids.add(n.pid);
    } catch {
      // No pids file (not written yet, or removed by a clean stop).
    }
    return [...pids];
  }
}

const LIVE = new Set<LocalNetwork>();
const killLive = (): void => {
  for (const net of LIVE) net.kill();
};

/** Rewrites every node's config file in `dir` with `edit`. */
function editConfigs(dir: string, edit: (config: Record<string, Record<string, unknown>>) => void): void {
  for (let i = 0; i < NODES; i++) {
    const file = join(dir, `node-${i}.json`);
    const config = JSON.parse(readFileSync(file, "utf8")) as Record<string, Record<string, unknown>>;
    edit(config);
    writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Inclusion latency

/** Each node's `messages/referenced` events: when this process received them and the inclusion state. */
class ReferenceWatch {
  readonly seen: Array<Map<string, { at: number; state: string }>>;
  private clients: MqttClient[] = [];

  private constructor(readonly nodes: readonly NetworkNodeLine[]) {
    this.seen = nodes.map(() => new Map());
  }

  static async open(nodes: readonly NetworkNodeLine[]): Promise<ReferenceWatch> {
    const watch = new ReferenceWatch(nodes);
    watch.clients = await Promise.all(
      nodes.map((node, i) =>
        mqttSubscribe(node.mqtt, ["messages/referenced"], (_topic, payload) => {
          const at = performance.now();
          const m = JSON.parse(payload.toString("utf8")) as ReferencedJson;
          const seen = watch.seen[i]!;
          const state = `${m.ledgerInclusionState}${m.conflictReason === undefined ? "" : ` (reason ${m.conflictReason})`}`;
          if (!seen.has(m.messageId)) seen.set(m.messageId, { at, state });
        }),
      ),
    );
    return watch;
  }

  async until(node: number, id: string, timeoutMs: number): Promise<{ at: number; state: string }> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const event = this.seen[node]!.get(id);
      if (event !== undefined) return event;
      if (performance.now() > deadline) throw new Error(`node-${node} did not reference ${id} within ${timeoutMs} ms`);
      await sleep(20);
    }
  }

  close(): Promise<unknown> {
    return Promise.all(this.clients.map(endMqtt));
  }
}

/** Builds a complete message at `node` (its tips, PoW done here) and posts it; the clock starts at the POST. */
class Issuer {
  private readonly networkId = networkIdFromName(LOCAL_NETWORK_NAME);

  constructor(
    private readonly pow: PowPool,
    private readonly minPowScore: number,
  ) {}

  async issue(node: NetworkNodeLine, payload: MessagePayload): Promise<{ id: string; submittedAt: number }> {
    const { tipMessageIds } = await api<{ tipMessageIds: string[] }>(node.api, "/api/v1/tips");
    const parents = tipMessageIds.map(hexToBytes).sort(compareBytes);
    const message = { networkId: this.networkId, parents, payload };
    let bytes = encodeMessage({ ...message, nonce: 0n });
    if (this.minPowScore > 0) {
      const { nonce } = await this.pow.mine(bytes, this.minPowScore);
      bytes = encodeMessage({ ...message, nonce });
    }
    const id = bytesToHex(messageId(bytes));
    const submittedAt = performance.now();
    await api(node.api, "/api/v1/messages", {
      method: "POST",
      headers: { "content-type": "application/octet-stream" },
      body: bytes,
    });
    return { id, submittedAt };
  }
}

/** Addresses of the wallet seed the value samples use (TIP-7: an address appears once among a transaction's outputs). */
const SAMPLE_ADDRESS_INDEX = 100;

/**
 * Splits the wallet's output (the whole supply) into one DUST_ALLOWANCE_MINIMUM output for each of `samplers` and
 * the rest back to `wallet`; returns each sampler's output id once every node has included the split.
 */
async function fundSamples(
  nodes: readonly NetworkNodeLine[],
  issuer: Issuer,
  watch: ReferenceWatch,
  wallet: SeedWallet,
  samplers: readonly SeedWallet[],
): Promise<Uint8Array[]> {
  const seed = nodes[0]!;
  const { outputIds } = await api<{ outputIds: string[] }>(
    seed.api,
    `/api/v1/addresses/ed25519/${wallet.addressHex}/outputs`,
  );
  const input = outputIds[0];
  if (input === undefined) throw new Error("the network wallet has no output");
  const { output } = await api<{ output: { amount: number } }>(seed.api, `/api/v1/outputs/${input}`);
  const split: TransactionPayload = buildSignedTransaction(
    [hexToBytes(input)],
    [
      ...samplers.map((s) => ({ address: s.address, amount: DUST_ALLOWANCE_MINIMUM })),
      { address: wallet.address, amount: output.amount - samplers.length * DUST_ALLOWANCE_MINIMUM },
    ],
    wallet,
  );
  const { id } = await issuer.issue(seed, split);
  for (let i = 0; i < nodes.length; i++) {
    const { state } = await watch.until(i, id, INCLUSION_TIMEOUT_MS * 2);
    if (state !== "included") throw new Error(`the funding transaction is ${state} on node-${i}`);
  }
  const txId = transactionId(split);
  const indexOf = new Map(split.essence.outputs.map((o, index) => [bytesToHex(o.address.address), index]));
  return samplers.map((s) => {
    const index = indexOf.get(s.addressHex);
    if (index === undefined) throw new Error(`the split has no output to ${s.addressHex}`);
    return outputId(txId, index);
  });
}

interface LatencySample {
  kind: "data" | "value";
  node: number;
  id: string;
  submittedAt: number;
}

async function measureLatency(ctx: BenchContext, net: LocalNetwork, dir: string): Promise<void> {
  const { nodes } = net;
  const { minPoWScore } = await info(nodes[0]!);
  const walletFile = JSON.parse(readFileSync(join(dir, "dev-wallet.json"), "utf8")) as { seedHex: string };
  const seed = hexToBytes(walletFile.seedHex);
  const wallet = SeedWallet.fromSeed(seed, 0);
  const samplers = Array.from({ length: LATENCY_SAMPLES }, (_, k) =>
    SeedWallet.fromSeed(seed, SAMPLE_ADDRESS_INDEX + k),
  );
  const pow = new PowPool({ threads: 1 });
  const watch = await ReferenceWatch.open(nodes);
  try {
    const issuer = new Issuer(pow, minPoWScore);
    const inputs = await fundSamples(nodes, issuer, watch, wallet, samplers);
    const random = seededRandom(7);
    const samples: LatencySample[] = [];
    for (let s = 0; s < 2 * LATENCY_SAMPLES; s++) {
      const kind = s % 2 === 0 ? "data" : "value";
      const k = s >> 1;
      const node = Math.floor(random() * nodes.length);
      const payload: MessagePayload =
        kind === "data"
          ? { type: 2, index: utf8ToBytes(LATENCY_INDEX), data: utf8ToBytes(`latency sample ${k} at ${Date.now()}`) }
          : buildSignedTransaction(
              [inputs[k]!],
              [{ address: samplers[k]!.address, amount: DUST_ALLOWANCE_MINIMUM }],
              samplers[k]!,
            );
      const { id, submittedAt } = await issuer.issue(nodes[node]!, payload);
      samples.push({ kind, node, id, submittedAt });
      await sleep(GAP_MIN_MS + random() * (GAP_MAX_MS - GAP_MIN_MS));
    }
    const byKind: Record<LatencySample["kind"], number[]> = { data: [], value: [] };
    let missing = 0;
    for (const sample of samples) {
      const watched = INCLUSION_TIMEOUT_MS - (performance.now() - sample.submittedAt);
      let latency = INCLUSION_TIMEOUT_MS;
      try {
        const { at, state } = await watch.until(sample.node, sample.id, Math.max(0, watched));
        const expected = sample.kind === "data" ? "noTransaction" : "included";
        if (state !== expected) throw new Error(`${sample.kind} message ${sample.id} is ${state}, not ${expected}`);
        latency = at - sample.submittedAt;
      } catch (e) {
        if (!(e instanceof Error) || !e.message.includes("did not reference")) throw e;
        missing++;
      }
      byKind[sample.kind].push(latency);
    }
    if (missing > 0) console.log(`  [${missing} latency samples not included within ${INCLUSION_TIMEOUT_MS} ms]`);
    for (const kind of ["data", "value"] as const) {
      const values = byKind[kind];
      let i = 0;
      await ctx.sampled(ID[`${kind}Median`], "ms", () => values[i++]!, values.length);
      await ctx.sampled(ID[`${kind}P99`], "ms", () => percentile(values, 0.99), 1);
    }
  } finally {
    await watch.close();
    await pow.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Sustained rate

/** The observer on one node: spammed messages' arrival (with the milestone index then) and referencing milestone. */
class SpamObserver {
  private lmi = 0;
  private readonly arrivals = new Map<string, number>();
  private readonly references = new Map<string, number>();

  private constructor(private client: MqttClient | null) {}

  static async open(node: NetworkNodeLine): Promise<SpamObserver> {
    const observer = new SpamObserver(null);
    observer.lmi = (await info(node)).latestMilestoneIndex;
    const indexTopic = `messages/indexation/${bytesToHex(utf8ToBytes(SPAMMER_INDEX))}`;
    observer.client = await mqttSubscribe(
      node.mqtt,
      [indexTopic, "messages/referenced", "milestones/latest"],
      (topic, payload) => {
        if (topic === indexTopic) {
          observer.arrivals.set(bytesToHex(messageId(payload)), observer.lmi);
        } else if (topic === "milestones/latest") {
          observer.lmi = Math.max(observer.lmi, (JSON.parse(payload.toString("utf8")) as { index: number }).index);
        } else {
          const m = JSON.parse(payload.toString("utf8")) as ReferencedJson;
          if (m.referencedByMilestoneIndex !== undefined && observer.arrivals.has(m.messageId)) {
            observer.references.set(m.messageId, m.referencedByMilestoneIndex);
          }
        }
      },
    );
    return observer;
  }

  reset(): void {
    this.arrivals.clear();
    this.references.clear();
  }

  get observed(): number {
    return this.arrivals.size;
  }

  get unreferenced(): number {
    return this.arrivals.size - this.references.size;
  }

  /** Messages referenced more than `MAX_REFERENCE_DELAY` milestones after they arrived. */
  late(): number {
    let late = 0;
    for (const [id, ref] of this.references) if (ref - (this.arrivals.get(id) ?? ref) > MAX_REFERENCE_DELAY) late++;
    return late;
  }

  close(): Promise<void> {
    return this.client === null ? Promise.resolve() : endMqtt(this.client);
  }
}

interface StepResult {
  offered: number;
  achieved: number;
  pass: boolean;
}

/** Polls every node's CMI against the coordinator's LMI until `stop()`; returns the largest lag seen. */
function watchLag(nodes: readonly NetworkNodeLine[]): { stop(): Promise<number> } {
  let running = true;
  let maxLag = 0;
  const loop = (async () => {
    while (running) {
      const infos = await Promise.all(nodes.map(info));
      const coordinatorLmi = infos[0]!.latestMilestoneIndex;
      for (const i of infos) maxLag = Math.max(maxLag, coordinatorLmi - i.confirmedMilestoneIndex);
      await sleep(POLL_MS);
    }
  })();
  // Rethrown by stop(); until then a failed poll must not count as an unhandled rejection.
  loop.catch(() => {});
  return {
    async stop() {
      running = false;
      await loop;
      return maxLag;
    },
  };
}

async function spamStep(
  nodes: readonly NetworkNodeLine[],
  token: string,
  observer: SpamObserver,
  rate: number,
  label: string,
): Promise<StepResult> {
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const spammer = (node: NetworkNodeLine, action: string, body?: object): Promise<SpammerStatus> =>
    api<SpammerStatus>(node.api, `/api/plugins/spammer/v1/${action}`, {
      method: "POST",
      headers,
      body: JSON.stringify(body ?? {}),
    });
  observer.reset();
  const startLmi = (await info(nodes[0]!)).latestMilestoneIndex;
  const lag = watchLag(nodes);
  const started = performance.now();
  await Promise.all(nodes.map((n) => spammer(n, "start", { mps: rate / nodes.length, valueTransactions: false })));
  await sleep(STEP_MS - (performance.now() - started));
  const endLmi = (await info(nodes[0]!)).latestMilestoneIndex;
  const statuses = await Promise.all(nodes.map((n) => spammer(n, "stop")));
  const offeredSeconds = (performance.now() - started) / 1000;
  const sent = statuses.reduce((sum, s) => sum + s.sent, 0);
  const failed = statuses.reduce((sum, s) => sum + s.failed, 0);
  const drainUntil = performance.now() + DRAIN_MS;
  while ((observer.observed < sent || observer.unreferenced > 0) && performance.now() < drainUntil) await sleep(50);
  const maxLag = await lag.stop();
  const milestones = endLmi - startLmi;
  const expectedMilestones = (STEP_MS / MILESTONE_INTERVAL_MS) * MIN_MILESTONE_SHARE;
  const late = observer.late();
  const achieved = sent / offeredSeconds;
  const pass =
    maxLag <= MAX_CMI_LAG &&
    observer.observed >= sent &&
    observer.unreferenced === 0 &&
    late === 0 &&
    milestones >= expectedMilestones;
  console.log(
    `  [${label} offered ${rate}/s: delivered ${achieved.toFixed(1)}/s (${sent} sent, ${failed} failed), observed ${observer.observed}, unreferenced ${observer.unreferenced}, late ${late}, max CMI lag ${maxLag}, ${milestones} milestones: ${pass ? "pass" : "FAIL"}]`,
  );
  return { offered: rate, achieved, pass };
}

/** The ladder of the header: the best delivered rate among passing steps (0 if none passes). */
async function sustainedRate(net: LocalNetwork, token: string, ladder: Ladder, label: string): Promise<number> {
  const observer = await SpamObserver.open(net.nodes[OBSERVER]!);
  try {
    const step = (rate: number): Promise<StepResult> => spamStep(net.nodes, token, observer, rate, label);
    let last = await step(ladder.start);
    if (last.pass) {
      let best = last.achieved;
      for (const rate of ladder.up) {
        if (last.achieved < SATURATED_SHARE * last.offered) break;
        last = await step(rate);
        if (!last.pass) break;
        best = Math.max(best, last.achieved);
      }
      return best;
    }
    for (const rate of ladder.down) {
      last = await step(rate);
      if (last.pass) return last.achieved;
    }
    return 0;
  } finally {
    await observer.close();
  }
}

async function withNetwork(dir: string, body: (net: LocalNetwork) => Promise<void>): Promise<void> {
  const started = performance.now();
  const net = await LocalNetwork.start(dir);
  try {
    await net.ready();
    console.log(`  [network up and synced in ${((performance.now() - started) / 1000).toFixed(1)} s]`);
    await body(net);
  } finally {
    await net.stop();
  }
}

export const networkSuite: Suite = {
  name: "local network (weaver network up: 4 node processes on loopback, 1 s milestones)",
  async run(ctx) {
    const latencyIds = [ID.dataMedian, ID.dataP99, ID.valueMedian, ID.valueP99];
    const wantLatency = latencyIds.some((id) => ctx.wants(id));
    const wantDev = ctx.wants(ID.sustained);
    const wantPow0 = ctx.wants(ID.sustainedPow0);
    if (!wantLatency && !wantDev && !wantPow0) return;

    const root = mkdtempSync(join(tmpdir(), "weaver-network-bench-"));
    const dir = join(root, "net");
    const onSignal = (): void => {
      killLive();
      rmSync(root, { recursive: true, force: true });
      process.exit(1);
    };
    process.on("exit", killLive);
    process.once("SIGTERM", onSignal);
    process.once("SIGHUP", onSignal);
    try {
      // The first run writes the configs; the latency rows use it as it is.
      await withNetwork(dir, async (net) => {
        if (wantLatency) await measureLatency(ctx, net, dir);
      });
      if (!wantDev && !wantPow0) return;

      const secret = randomBytes(32).toString("hex");
      const key = jwtKey(secret);
      if (key === null) throw new Error("the API secret is too short");
      const token = await signApiToken(key, { subject: "network-bench", expiresInSeconds: 3_600 }, Date.now());
      editConfigs(dir, (c) => {
        c.api = { ...c.api, jwtSecret: secret };
        c.spammer = { enabled: true };
      });
      if (wantDev) {
        await withNetwork(dir, async (net) => {
          const rate = await sustainedRate(net, token, DEV_LADDER, "score 1000");
          await ctx.sampled(ID.sustained, "msg/s", () => rate, 1);
        });
      }
      if (wantPow0) {
        editConfigs(dir, (c) => {
          c.network = { ...c.network, minPowScore: 0 };
        });
        await withNetwork(dir, async (net) => {
          const rate = await sustainedRate(net, token, POW0_LADDER, "score 0");
          await ctx.sampled(ID.sustainedPow0, "msg/s (PoW 0)", () => rate, 1);
        });
      }
    } finally {
      process.off("exit", killLive);
      process.off("SIGTERM", onSignal);
      process.off("SIGHUP", onSignal);
      killLive();
      rmSync(root, { recursive: true, force: true });
    }
  },
};
