/**
 * Whole-pipeline ingestion (PERFORMANCE.md §5: "≥ 10,000 messages/s ingested from gossip and made solid" on 2 cores,
 * one process). Every measurement runs the real composition (createMessagePipeline over a Tangle over a durable
 * LmdbKvStore in a fresh temporary directory) and stops the clock only when every message is both solid and durable:
 * solidification stages its writes into the same group-commit batches as the messages, so the last `durable()`
 * after the last message covers both.
 *
 * Messages are 300-byte indexation messages forming a realistic DAG: each approves 2–8 distinct messages among the
 * 32 most recent ones (sorted, as TIP-6 requires), the first approves the genesis solid entry point.
 *
 *  - `pipeline.ingest.lmdb.300B`: gossip order (parents first), unrequested, so every message goes through dedupe,
 *    untrusted decode, network id and a real PoW check (minimum score 1, mined in setup). Fed the way a peer
 *    connection feeds the ingress: a socket read's worth of messages per event-loop turn through `process`, waiting
 *    on `drain()` when the store is behind. `.submitWindow` feeds the same messages through `submit` with a sliding
 *    window of promises in flight instead (a connection that acknowledges each message once durable).
 *  - `pipeline.solidify.reverse100k`: a 100k backlog in exact reverse order (every child before its parents), as
 *    requested messages during sync (no PoW check, Hornet's rule); all but the last wait in the solidifier until the
 *    last one, which approves the entry point, solidifies the whole backlog in one walk.
 *  - `pipeline.memory.per100k`: growth of the process' memory from storing 100k messages (gossip order, all solid
 *    and durable), measured after full collections in a fresh child process. The headline is anonymous RSS (JS heap,
 *    malloc arenas including the dirty pages LMDB keeps for reuse): memory the kernel cannot take back, which is what
 *    runs a 2 GB host out of memory. `.heap` is the JS heap alone (the per-message state the node itself keeps, i.e.
 *    the dedupe cache); `.rss` adds file-backed pages, mostly LMDB's map of the database file: page cache the kernel
 *    may drop, counted once per mapping (lmdb-js remaps as the file grows).
 */
import { fork } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setImmediate as nextTurn } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { encodeMessage, type Message, messageId } from "../src/codec/index.js";
import type { IngressResult, SubmitOptions } from "../src/pipeline/ingress.js";
import { createMessagePipeline, type MessagePipeline } from "../src/pipeline/messagePipeline.js";
import { mineOnThisThread } from "../src/pow/mineOnThisThread.js";
import { withNonce } from "../src/pow/powJob.js";
import { compareBytes, utf8ToBytes } from "../src/primitives/bytes.js";
import { LmdbKvStore } from "../src/storage/backends/lmdb.js";
import type { Requester } from "../src/tangle/solidifier.js";
import { Tangle } from "../src/tangle/tangle.js";
import { seededRandom as prng } from "../test/utils/seededRandom.js";
import { atLeast, atMost, type BenchContext, type Suite } from "./harness.js";

const NETWORK_ID = 7_777_777n;
const MESSAGE_LENGTH = 300;
/** The all-zero id: the genesis solid entry point of a new network (chrysalis.md §11.4). */
const GENESIS_ID = new Uint8Array(32);
const INDEX = utf8ToBytes("bench");
/** Parents are drawn from this many most recent messages (a tip pool of a busy network is about this deep). */
const RECENT_WINDOW = 32;

/**
 * TIP-12 minimum score of the ingestion bench. Validation costs the same at any score (one BLAKE2b-256 and one Curl
 * transform, then a comparison), so score 1 (6 trailing zero trits for 300 bytes, ~730 hashes per message) checks
 * PoW for real at a mining cost of ~0.3 ms per message; mining 10k messages at mainnet's 4000 (~1.6M hashes each,
 * PERFORMANCE.md §1) would take ~40 min on this machine.
 */
const MIN_POW_SCORE = 1;
/** Messages per sample of the ingestion bench: about a second of work at the target rate. */
const INGEST_COUNT = 10_000;
const INGEST_SAMPLES = 5;
/** A 64 KiB socket read carries about this many 300-byte messages (plus gossip framing). */
const MESSAGES_PER_TURN = 200;
/** submit() promises in flight in the `.submitWindow` variant. */
const SUBMIT_WINDOW = 1024;

const BACKLOG_COUNT = 100_000;
const BACKLOG_SAMPLES = 2;
/** A sync response delivers the backlog in chunks of this many messages per event-loop turn. */
const BACKLOG_PER_TURN = 1000;
/** argv marker of the child process that measures memory. */
const MEMORY_CHILD_FLAG = "--ingestion-memory-child";

/** TIP-6 parents: 2–8 distinct ids among the most recent ones, sorted; the genesis entry point at the start. */
function pickParents(recent: readonly Uint8Array[], random: () => number): Uint8Array[] {
  if (recent.length === 0) return [GENESIS_ID];
  const want = Math.min(recent.length, 2 + Math.floor(random() * 7));
  const chosen = new Set<number>();
  while (chosen.size < want) chosen.add(Math.floor(random() * recent.length));
  return [...chosen].map((i) => recent[i]!).sort(compareBytes);
}

/** A 300-byte indexation message: the data field takes whatever the parents leave. */
function indexationMessage(parents: Uint8Array[], serial: number, nonce: bigint): Uint8Array {
  // networkId 8 + parents 1 + 32·n + payload length 4 + (type 4 + index length 2 + index + data length 4 + data) + nonce 8
  const dataLength = MESSAGE_LENGTH - (8 + 1 + 32 * parents.length + 4 + 4 + 2 + INDEX.length + 4 + 8);
  const data = new Uint8Array(dataLength);
  new DataView(data.buffer).setUint32(0, serial);
  const message: Message = { networkId: NETWORK_ID, parents, payload: { type: 2, index: INDEX, data }, nonce };
  const bytes = encodeMessage(message);
  if (bytes.length !== MESSAGE_LENGTH) throw new Error(`built a ${bytes.length}-byte message`);
  return bytes;
}

/** `count` messages in gossip order (parents first); mined to `score` when given, else with a serial nonce. */
async function buildDag(count: number, seed: number, score?: number): Promise<Uint8Array[]> {
  const random = prng(seed);
  const out: Uint8Array[] = [];
  const recent: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const parents = pickParents(recent, random);
    let bytes = indexationMessage(parents, i, BigInt(i));
    if (score !== undefined) bytes = withNonce(bytes, (await mineOnThisThread(bytes, score)).nonce);
    out.push(bytes);
    recent.push(messageId(bytes));
    if (recent.length > RECENT_WINDOW) recent.shift();
  }
  return out;
}

const noRequests: Requester = { request: () => undefined };

interface Node {
  tangle: Tangle;
  pipeline: MessagePipeline;
  dir: string;
}

/** A fresh node: durable LMDB in a temporary directory, the genesis entry point committed, the clock real. */
async function openNode(minPowScore: number): Promise<Node> {
  const dir = mkdtempSync(join(tmpdir(), "weaver-bench-ingest-"));
  const { tangle } = await Tangle.open(LmdbKvStore.open({ path: dir }));
  tangle.addSolidEntryPoint(GENESIS_ID, 0);
  const pipeline = createMessagePipeline(
    // The default maxPending (200k) holds the whole reverse-order backlog; expectAllSolid checks nothing was evicted.
    { networkId: NETWORK_ID, minPowScore },
    { tangle, requester: noRequests, now: Date.now },
  );
  await tangle.durable();
  return { tangle, pipeline, dir };
}

async function closeNode(node: Node): Promise<void> {
  await node.tangle.close();
  rmSync(node.dir, { recursive: true, force: true });
}

function expectNew(r: IngressResult): void {
  if (r.status !== "new") throw new Error(`bench message not accepted: ${JSON.stringify(r)}`);
}

/** Feeds `messages` through `process`, `perTurn` per event-loop turn, waiting on drain() when the store is behind. */
async function feedPerTurn(node: Node, messages: readonly Uint8Array[], opts: SubmitOptions, perTurn: number) {
  const { ingress } = node.pipeline;
  const store = node.tangle.store;
  for (let i = 0; i < messages.length; i += perTurn) {
    if (store.needsDrain) await store.drain();
    const end = Math.min(i + perTurn, messages.length);
    for (let j = i; j < end; j++) expectNew(ingress.process(messages[j]!, opts));
    await nextTurn();
  }
  await node.tangle.durable();
}

/** Feeds `messages` through `submit`, keeping `window` promises in flight (each resolves once durable). */
function feedSubmitWindow(node: Node, messages: readonly Uint8Array[], opts: SubmitOptions, window: number) {
  const { ingress } = node.pipeline;
  return new Promise<void>((resolve, reject) => {
    let next = 0;
    let inFlight = 0;
    let done = 0;
    const launch = (): void => {
      while (inFlight < window && next < messages.length) {
        inFlight++;
        ingress
          .submit(messages[next++]!, opts)
          .then((r) => {
            inFlight--;
            done++;
            expectNew(r);
            if (done === messages.length) resolve();
            else launch();
          })
          .catch(reject);
      }
    };
    launch();
  });
}

/** Throws unless every message of `count` is stored, solid and nothing waits or was rejected. */
function expectAllSolid(node: Node, count: number): void {
  const s = node.pipeline.ingress.stats();
  const rejected = Object.values(s.rejected).reduce((a, b) => a + b, 0);
  if (s.new !== count || s.solid !== count || rejected !== 0 || node.pipeline.solidifier.pendingCount !== 0) {
    throw new Error(
      `bench run incomplete: ${JSON.stringify({ ...s, pending: node.pipeline.solidifier.pendingCount })}`,
    );
  }
  if (node.tangle.store.stagedOps !== 0) throw new Error("staged writes left after the last durable()");
}

/** One timed ingestion into a fresh node, in messages per second. */
async function timedIngest(
  messages: readonly Uint8Array[],
  minPowScore: number,
  feed: (node: Node) => Promise<void>,
): Promise<number> {
  const node = await openNode(minPowScore);
  try {
    const began = performance.now();
    await feed(node);
    const seconds = (performance.now() - began) / 1000;
    expectAllSolid(node, messages.length);
    return messages.length / seconds;
  } finally {
    await closeNode(node);
  }
}

/** Set in the memory child (node --expose-gc). */
const gc = (globalThis as { gc?: () => void }).gc;

/** Anonymous resident memory (JS heap, malloc, stacks) in bytes: RSS without file-backed pages such as LMDB's map. */
function rssAnon(): number {
  const line = readFileSync("/proc/self/status", "latin1")
    .split("\n")
    .find((l) => l.startsWith("RssAnon:"));
  return line === undefined ? Number.NaN : Number.parseInt(line.slice(8), 10) * 1024;
}

interface MemoryReading {
  heapMb: number;
  anonMb: number;
  rssMb: number;
}

function reading(): MemoryReading {
  gc?.();
  gc?.();
  return {
    heapMb: process.memoryUsage().heapUsed / 1e6,
    anonMb: rssAnon() / 1e6,
    rssMb: process.memoryUsage.rss() / 1e6,
  };
}

/**
 * Runs in a fresh child process, so earlier benchmarks' heap and malloc arenas do not hide growth: a warm-up node
 * first (code compiled, LMDB's native side loaded), then the growth from ingesting BACKLOG_COUNT messages in gossip
 * order into a fresh node, all solid and durable, measured after full collections.
 */
async function memoryChild(): Promise<MemoryReading> {
  if (gc === undefined) throw new Error("the memory child needs --expose-gc");
  const requested: SubmitOptions = { source: "peer", requested: true };
  const warmUp = await buildDag(5_000, 3);
  const warm = await openNode(0);
  await feedPerTurn(warm, warmUp, requested, MESSAGES_PER_TURN);
  await closeNode(warm);
  const dag = await buildDag(BACKLOG_COUNT, 2);
  const node = await openNode(0);
  try {
    const before = reading();
    await feedPerTurn(node, dag, requested, MESSAGES_PER_TURN);
    expectAllSolid(node, dag.length);
    const after = reading();
    const scale = 100_000 / dag.length;
    return {
      heapMb: (after.heapMb - before.heapMb) * scale,
      anonMb: (after.anonMb - before.anonMb) * scale,
      rssMb: (after.rssMb - before.rssMb) * scale,
    };
  } finally {
    await closeNode(node);
  }
}

function memoryGrowth(): Promise<MemoryReading> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), [MEMORY_CHILD_FLAG], { execArgv: ["--expose-gc"] });
    let result: MemoryReading | undefined;
    child.on("message", (m) => {
      result = m as MemoryReading;
    });
    child.on("error", reject);
    child.on("close", (code) =>
      result === undefined ? reject(new Error(`memory child exited with code ${code}`)) : resolve(result),
    );
  });
}

async function ingestionBenches(ctx: BenchContext): Promise<void> {
  const ids = ["pipeline.ingest.lmdb.300B", "pipeline.ingest.lmdb.300B.submitWindow"];
  if (!ids.some((id) => ctx.wants(id))) return;
  const messages = await buildDag(INGEST_COUNT, 1, MIN_POW_SCORE);
  const peer: SubmitOptions = { source: "peer", peerId: "bench-peer" };
  // Warm-up: code tiered up, LMDB's native side loaded.
  await timedIngest(messages, MIN_POW_SCORE, (n) => feedPerTurn(n, messages, peer, MESSAGES_PER_TURN));
  await ctx.sampled(
    ids[0]!,
    "messages/s",
    () => timedIngest(messages, MIN_POW_SCORE, (n) => feedPerTurn(n, messages, peer, MESSAGES_PER_TURN)),
    INGEST_SAMPLES,
    atLeast(10_000),
  );
  await ctx.sampled(
    ids[1]!,
    "messages/s",
    () => timedIngest(messages, MIN_POW_SCORE, (n) => feedSubmitWindow(n, messages, peer, SUBMIT_WINDOW)),
    INGEST_SAMPLES,
    atLeast(10_000),
  );
}

export const ingestionSuite: Suite = {
  name: "Ingestion pipeline (lmdb, durable)",
  async run(ctx) {
    await ingestionBenches(ctx);
    const memoryId = "pipeline.memory.per100k";
    if (ctx.wants(memoryId)) {
      const m = await memoryGrowth();
      await ctx.sampled(memoryId, "MB anonRSS", () => m.anonMb, 1, atMost(150));
      await ctx.sampled(`${memoryId}.heap`, "MB JS heap", () => m.heapMb, 1);
      await ctx.sampled(`${memoryId}.rss`, "MB RSS", () => m.rssMb, 1);
    }
    const reverseId = "pipeline.solidify.reverse100k";
    if (!ctx.wants(reverseId)) return;
    // Requested messages skip the PoW check, so this backlog needs no mining.
    const reversed = (await buildDag(BACKLOG_COUNT, 2)).reverse();
    const requested: SubmitOptions = { source: "peer", requested: true };
    await ctx.sampled(
      reverseId,
      "messages/s",
      () => timedIngest(reversed, MIN_POW_SCORE, (n) => feedPerTurn(n, reversed, requested, BACKLOG_PER_TURN)),
      BACKLOG_SAMPLES,
    );
  },
};

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv.includes(MEMORY_CHILD_FLAG)) {
  const result = await memoryChild();
  // Disconnecting closes the IPC channel, the last thing keeping the child alive.
  process.send?.(result, undefined, undefined, () => process.disconnect?.());
}
