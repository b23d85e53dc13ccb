/**
 * REST API throughput (issue 6, "Numbers"): autocannon against the real fastify server listening on 127.0.0.1, wired
 * as src/node/node.ts wires it (request metrics, metered remote PoW, CORS on, no JWT), over a durable lmdb tangle of
 * 5,000 indexation messages of 300 bytes (each approving 2 of the 16 before it) with a milestone every 500 messages;
 * the 500 messages after the last milestone stay unreferenced, so their metadata needs the cone walk of the
 * promote/reattach hints. Setup (building the tangle) is not timed.
 *
 * The load generator runs in a separate Node process (forked from this file, talking over IPC), so client and
 * server each get one of the two cores, as a wallet or explorer would be on another machine. Every GET case gets 1 s
 * of warm-up, then three measured runs of 5 s taken round-robin over the cases (a neighbour's load on the shared
 * machine then hits every case alike; the median counts), with 64 connections and no pipelining (Hornet's clients send
 * one request at a time per connection). The same load from inside this process (client and server on one event loop)
 * runs once per case afterwards, recorded as `.inProcess` for comparison. GETs rotate over the ids of all stored
 * messages (milestones included).
 *
 *  - `api.get.anchor.fastify.rps`: bare fastify answering info's JSON as a constant, same client: what this machine
 *    and client allow at all (the loopback send syscall is the largest single cost on these VMs).
 *  - `api.get.message.rps`: GET /api/v1/messages/{id}, 200s per second; `.p99_ms`: 99th percentile latency (median of
 *    the runs); `.vsAnchor`: the rate as a share of the anchor's.
 *  - `api.get.metadata.rps`: GET /api/v1/messages/{id}/metadata; `.p99_ms`, `.vsAnchor` likewise.
 *  - `api.get.info.rps`: GET /api/v1/info; `.p99_ms`, `.vsAnchor` likewise.
 *  - `api.post.message.pow4000.msgs_per_s`: POST /api/v1/messages with a payload only (iota.js without local PoW):
 *    the node takes parents from tip selection and mines a nonce for score 4000 on a PowPool with one thread per core,
 *    then ingests the message (the ingress checks the 4000 too); 4 connections for 10 s, counting only 201s. The
 *    messages are 300 bytes with 4 parents, fewer when the tip pool holds fewer tips. The bench is one client address
 *    standing in for many wallets, so the per-client PoW rate limit is lifted; the queue bound (16 jobs) stays.
 *    Score 4000 on 300 bytes needs 13 trailing zero trits, 3^13 ≈ 1.6M hashes per message on average, so the count
 *    of a 10 s run is noisy; `.pool_hashes_per_s` (hashes of the searches finished during the run, per second)
 *    divided by 1.6M is the steadier expectation.
 *
 * Run on its own with `node dist/bench/run.js api`.
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import Fastify, { type FastifyInstance } from "fastify";
import type { PowEngine } from "../src/api/apiContext.js";
import { createApiServer } from "../src/api/server.js";
import { powScore } from "../src/crypto/powScore.js";
import { createMetrics } from "../src/metrics/metrics.js";
import { meterPow } from "../src/pipeline/nodeMetrics.js";
import { PowPool } from "../src/pow/powPool.js";
import { bytesToHex, hexToBytes } from "../src/primitives/hex.js";
import { LmdbKvStore } from "../src/storage/backends/lmdb.js";
import { ConsensusBuilder } from "../test/utils/consensusBuilder.js";
import { peerlessGossip } from "../test/utils/peerlessGossip.js";
import { seededRandom } from "../test/utils/seededRandom.js";
import { atLeast, type BenchContext, type Suite, type Target } from "./harness.js";

const MESSAGES = 5_000;
const MILESTONE_EVERY = 500;
/** Messages after the last milestone (unreferenced, solid: their metadata carries the promote/reattach hints). */
const UNREFERENCED_TAIL = 500;
/** Each message approves 2 distinct messages among the RECENT_WINDOW before it: a tangle a few tips wide. */
const RECENT_WINDOW = 16;
const INDEX = "weaver-bench";
/** 8 + 1 + 2·32 + 4 + (4 + 2 + 12 + 4 + 193) + 8 = 300 bytes with 2 parents. */
const DATA_BYTES = 193;
/** 300 bytes with the 4 parents of a tip selection (TIP-3): 8 + 1 + 4·32 + 4 + (4 + 2 + 12 + 4 + 129) + 8. */
const POST_DATA_BYTES = 129;
const MIN_POW_SCORE = 4000;

const GET_CONNECTIONS = 64;
const GET_WARMUP_S = 1;
const GET_DURATION_S = 5;
/** Measured runs per GET case with the separate-process client (the machine is shared and noisy: the median counts). */
const GET_SAMPLES = 3;
const POST_CONNECTIONS = 4;
const POST_WARMUP_S = 2;
const POST_DURATION_S = 10;
/** Bodies per POST run: far more than ~4 messages/s for 10 s can use, so every request is a different message. */
const POST_BODIES = 2_000;

/** Marks the forked load-generator process (argv[2]). */
const CLIENT_FLAG = "--weaver-api-bench-client";

interface LoadRequest {
  path: string;
  body?: string;
}

/** One autocannon run; serialisable, so the forked client gets it over IPC. */
interface LoadSpec {
  origin: string;
  method: "GET" | "POST";
  requests: LoadRequest[];
  headers: Record<string, string>;
  connections: number;
  durationS: number;
}

interface LoadSummary {
  /** Responses by HTTP status. */
  statuses: Record<string, number>;
  /** Seconds autocannon ran. */
  durationS: number;
  errors: number;
  timeouts: number;
  p50Ms: number;
  p99Ms: number;
}

/** Runs `spec` with autocannon in this process; the requests rotate in order across all connections. */
async function runLoad(spec: LoadSpec): Promise<LoadSummary> {
  let next = 0;
  const result = await autocannon({
    url: spec.origin,
    connections: spec.connections,
    pipelining: 1,
    duration: spec.durationS,
    method: spec.method,
    headers: spec.headers,
    requests: [
      {
        setupRequest: (request) => {
          const r = spec.requests[next++ % spec.requests.length]!;
          return r.body === undefined ? { ...request, path: r.path } : { ...request, path: r.path, body: r.body };
        },
      },
    ],
  });
  const statuses: Record<string, number> = {};
  for (const [status, stats] of Object.entries(result.statusCodeStats ?? {})) statuses[status] = stats.count ?? 0;
  return {
    statuses,
    durationS: result.duration,
    errors: result.errors,
    timeouts: result.timeouts,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
  };
}

/** Runs `spec` in a forked Node process (this file in client mode) and returns its summary. */
function runLoadInChild(spec: LoadSpec): Promise<LoadSummary> {
  return new Promise((resolve, reject) => {
    // No inherited flags: a --cpu-prof of the bench profiles the server, not the client.
    const child: ChildProcess = fork(fileURLToPath(import.meta.url), [CLIENT_FLAG], { execArgv: [] });
    let summary: LoadSummary | null = null;
    child.once("message", (m) => {
      summary = m as LoadSummary;
    });
    child.once("error", reject);
    child.once("exit", (code) => {
      if (summary !== null) resolve(summary);
      else reject(new Error(`the load generator exited with code ${code} without a result`));
    });
    child.send(spec);
  });
}

/** Client mode: one LoadSpec in over IPC, one LoadSummary back, then exit. */
function serveAsLoadGenerator(): void {
  process.once("message", (spec) => {
    runLoad(spec as LoadSpec).then(
      (summary) => process.send?.(summary, () => process.exit(0)),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  });
}

interface Fixture {
  cb: ConsensusBuilder;
  app: FastifyInstance;
  origin: string;
  ids: Uint8Array[];
  pow: PowPool | null;
  /** Hashes of the remote-PoW searches finished so far, and searches running or queued. */
  powWork: { hashes: number; inFlight: number };
  dir: string;
}

/** The tangle of the header on a fresh lmdb database, ingested as a peer's requested messages (no PoW on them). */
async function buildTangle(cb: ConsensusBuilder): Promise<Uint8Array[]> {
  const { tb } = cb;
  const random = seededRandom(6);
  const recent: string[] = [];
  const ids: Uint8Array[] = [];
  const lastMilestoneAt = MESSAGES - UNREFERENCED_TAIL;
  for (let i = 0; i < MESSAGES; i++) {
    const label = `m${i}`;
    const parents = new Set<string>();
    if (recent.length === 0) parents.add("genesis");
    while (parents.size < Math.min(2, recent.length)) parents.add(recent[Math.floor(random() * recent.length)]!);
    const data = `${i}:`.padEnd(DATA_BYTES, "w");
    const built = tb
      .message(label)
      .parents(...parents)
      .index(INDEX, data)
      .build();
    const result = tb.pipeline.ingress.process(built.bytes, { source: "peer", requested: true });
    if (result.status !== "new") throw new Error(`message ${label} was ${result.status}`);
    ids.push(built.id);
    recent.push(label);
    if (recent.length > RECENT_WINDOW) recent.shift();
    if ((i + 1) % MILESTONE_EVERY === 0 && i < lastMilestoneAt) {
      await tb.tangle.store.drain();
      const milestone = cb.prepareMilestone(recent.slice(-4));
      await tb.pipeline.ingress.submit(milestone.bytes, { source: "coordinator", requested: true });
      await cb.consensus.confirmer.idle();
      if (tb.tangle.confirmedMilestoneIndex !== milestone.index) {
        throw new Error(`milestone ${milestone.index} did not confirm`);
      }
      ids.push(milestone.messageId);
    }
  }
  await tb.tangle.durable();
  return ids;
}

async function startFixture(withPow: boolean): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), "weaver-api-bench-"));
  const cb = await ConsensusBuilder.create({ kv: LmdbKvStore.open({ path: dir }), minPowScore: MIN_POW_SCORE });
  const ids = await buildTangle(cb);
  const { tangle } = cb.tb;
  const pow = withPow ? new PowPool({ threads: availableParallelism() }) : null;
  const metrics = createMetrics();
  const powWork = { hashes: 0, inFlight: 0 };
  const metered = pow === null ? null : meterPow(pow, metrics);
  const countingPow: PowEngine | null =
    metered === null
      ? null
      : {
          async mine(message, targetScore) {
            powWork.inFlight++;
            try {
              const result = await metered.mine(message, targetScore);
              powWork.hashes += result.hashes;
              return result;
            } finally {
              powWork.inFlight--;
            }
          },
        };
  // The gossip service as a node without peers sees it (health does not need peers: healthNeedsPeers false).
  const gossip = peerlessGossip(tangle);
  const app = createApiServer(
    {
      tangle,
      pipeline: cb.tb.pipeline,
      tipSelector: cb.tb.tipSelector,
      gossip,
      ledger: cb.ledger,
      ingress: cb.tb.pipeline.ingress,
      pow: countingPow,
      metrics,
      now: () => cb.tb.now,
      node: {
        name: "weaver",
        version: "bench",
        networkName: "weaver-bench",
        networkId: cb.tb.networkId,
        bech32Hrp: "atoi",
        minPowScore: MIN_POW_SCORE,
      },
    },
    { healthNeedsPeers: false, powRequestsPerMinute: Number.MAX_SAFE_INTEGER },
  );
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { cb, app, origin: `http://127.0.0.1:${port}`, ids, pow, powWork, dir };
}

async function stopFixture(f: Fixture): Promise<void> {
  await f.app.close();
  await f.pow?.close();
  await f.cb.tb.tangle.close();
  rmSync(f.dir, { recursive: true, force: true });
}

/** One request through a real socket, checked before the load runs: a wrong answer must not be measured. */
async function expectStatus(origin: string, path: string, status: number, init: RequestInit = {}): Promise<unknown> {
  const res = await fetch(`${origin}${path}`, init);
  const text = await res.text();
  if (res.status !== status) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as unknown;
}

function count(summary: LoadSummary, status: number): number {
  return summary.statuses[String(status)] ?? 0;
}

function summarize(summary: LoadSummary): string {
  const statuses = Object.entries(summary.statuses)
    .map(([s, n]) => `${s}×${n}`)
    .join(" ");
  return `${statuses || "no answers"}, ${summary.errors} errors, p50 ${summary.p50Ms} ms, p99 ${summary.p99Ms} ms`;
}

interface GetCase {
  /** Ids are `api.get.<name>.rps`, `.p99_ms`, and with `.inProcess` for the same-process client. */
  name: string;
  origin: string;
  requests: LoadRequest[];
  target?: Target;
  /** Whether to measure with the client in this process too. */
  inProcess: boolean;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

function getSpec(c: GetCase, durationS: number): LoadSpec {
  return {
    origin: c.origin,
    method: "GET",
    requests: c.requests,
    headers: {},
    connections: GET_CONNECTIONS,
    durationS,
  };
}

/** One measured run; every answer must be a 200. */
async function measureGet(
  c: GetCase,
  load: (spec: LoadSpec) => Promise<LoadSummary>,
  where: string,
): Promise<LoadSummary & { rate: number }> {
  const s = await load(getSpec(c, GET_DURATION_S));
  console.log(`  [api.get.${c.name}, client in a ${where}: ${summarize(s)}]`);
  const ok = count(s, 200);
  const total = Object.values(s.statuses).reduce((a, b) => a + b, 0);
  if (ok !== total || s.errors > 0) throw new Error(`api.get.${c.name}: not every answer was a 200: ${summarize(s)}`);
  return { ...s, rate: ok / s.durationS };
}

async function record(ctx: BenchContext, id: string, runs: Array<{ rate: number; p99Ms: number }>, target?: Target) {
  let i = 0;
  await ctx.sampled(`${id}.rps`, "req/s", () => runs[i++]!.rate, runs.length, target);
  await ctx.sampled(`${id}.p99_ms`, "ms", () => median(runs.map((r) => r.p99Ms)), 1);
}

/**
 * The separate-process runs go round-robin over the cases (anchor included), GET_SAMPLES rounds, so a neighbour's
 * load on the shared machine hits every case alike and the ratios to the anchor stay meaningful; then each case once
 * with the client in this process.
 */
async function runGetCases(ctx: BenchContext, cases: GetCase[]): Promise<void> {
  const wanted = cases.filter((c) => ctx.wants(`api.get.${c.name}.rps`) || ctx.wants(`api.get.${c.name}.p99_ms`));
  for (const c of wanted) await runLoadInChild(getSpec(c, GET_WARMUP_S));
  const runs = new Map(wanted.map((c) => [c, [] as Array<{ rate: number; p99Ms: number }>]));
  for (let round = 0; round < GET_SAMPLES; round++) {
    for (const c of wanted) runs.get(c)!.push(await measureGet(c, runLoadInChild, "separate process"));
  }
  for (const c of wanted) {
    await record(ctx, `api.get.${c.name}`, runs.get(c)!, c.target);
    if (c.name !== "anchor.fastify") ctx.ratio(`api.get.${c.name}.vsAnchor`, `api.get.${c.name}.rps`, ANCHOR_RPS_ID);
  }
  for (const c of cases) {
    if (
      !c.inProcess ||
      !(ctx.wants(`api.get.${c.name}.rps.inProcess`) || ctx.wants(`api.get.${c.name}.p99_ms.inProcess`))
    )
      continue;
    await runLoad(getSpec(c, GET_WARMUP_S));
    const run = await measureGet(c, runLoad, "same process");
    await ctx.sampled(`api.get.${c.name}.rps.inProcess`, "req/s", () => run.rate, 1);
    await ctx.sampled(`api.get.${c.name}.p99_ms.inProcess`, "ms", () => run.p99Ms, 1);
  }
}

/** Bare fastify answering a constant object shaped like info's: the ceiling of this machine and client. */
async function startAnchor(body: unknown): Promise<{ app: FastifyInstance; origin: string }> {
  const app = Fastify({ logger: false });
  app.get("/api/v1/info", async () => body);
  await app.listen({ host: "127.0.0.1", port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, origin: `http://127.0.0.1:${port}` };
}

function postBody(tag: string, i: number): string {
  const data = `${tag}${i}:`.padEnd(POST_DATA_BYTES, "p");
  const payload = { type: 2, index: bytesToHex(new TextEncoder().encode(INDEX)), data: bytesToHex(Buffer.from(data)) };
  return JSON.stringify({ payload });
}

async function runPostCase(ctx: BenchContext, f: Fixture): Promise<void> {
  const pow = f.pow!;
  const headers = { "content-type": "application/json" };
  console.log(`  [PoW pool: ${pow.threads} threads, ${await pow.kernelKind()} kernel]`);
  // One message by hand: it warms the pool and shows what the load will post.
  const first = (await expectStatus(f.origin, "/api/v1/messages", 201, {
    method: "POST",
    headers,
    body: postBody("check", 0),
  })) as { data: { messageId: string } };
  const bytes = f.cb.tb.tangle.getMessageBytes(hexToBytes(first.data.messageId));
  if (bytes === undefined) throw new Error("the posted message is not stored");
  const score = powScore(bytes);
  if (score < MIN_POW_SCORE) throw new Error(`the posted message scores ${score}`);
  const parents = f.cb.tb.tangle.getParents(hexToBytes(first.data.messageId))?.length;
  console.log(`  [posted message: ${bytes.length} bytes, ${parents} parents, PoW score ${score.toFixed(0)}]`);

  const spec = (tag: string, durationS: number): LoadSpec => ({
    origin: f.origin,
    method: "POST",
    requests: Array.from({ length: POST_BODIES }, (_, i) => ({ path: "/api/v1/messages", body: postBody(tag, i) })),
    headers,
    connections: POST_CONNECTIONS,
    durationS,
  });
  await runLoadInChild(spec("warm", POST_WARMUP_S));
  // The node keeps mining for requests whose client has gone (the route does not abort PoW on a closed connection):
  // let the warm-up's leftovers finish so that they do not count against the measured run.
  while (f.powWork.inFlight > 0) await sleep(20);
  const hashesBefore = f.powWork.hashes;
  const s = await runLoadInChild(spec("load", POST_DURATION_S));
  const hashRate = (f.powWork.hashes - hashesBefore) / s.durationS;
  console.log(`  [${POST_ID}, client in a separate process: ${summarize(s)}]`);
  await ctx.sampled(POST_ID, "msg/s", () => count(s, 201) / s.durationS, 1);
  await ctx.sampled(POST_HASHES_ID, "hashes/s", () => hashRate, 1);
}

const GET_IDS = ["message", "metadata", "info"].flatMap((name) =>
  ["rps", "p99_ms"].flatMap((m) => [`api.get.${name}.${m}`, `api.get.${name}.${m}.inProcess`]),
);
const ANCHOR_RPS_ID = "api.get.anchor.fastify.rps";
const ANCHOR_IDS = [ANCHOR_RPS_ID, "api.get.anchor.fastify.p99_ms"];
const POST_ID = "api.post.message.pow4000.msgs_per_s";
const POST_HASHES_ID = "api.post.message.pow4000.pool_hashes_per_s";

export const apiSuite: Suite = {
  name: "REST API (autocannon on loopback, lmdb tangle)",
  async run(ctx) {
    const wantsPost = ctx.wants(POST_ID) || ctx.wants(POST_HASHES_ID);
    if (!wantsPost && ![...GET_IDS, ...ANCHOR_IDS].some((id) => ctx.wants(id))) return;
    const f = await startFixture(wantsPost);
    let anchor: { app: FastifyInstance; origin: string } | null = null;
    try {
      const messagePaths = f.ids.map((id) => ({ path: `/api/v1/messages/${bytesToHex(id)}` }));
      const metadataPaths = messagePaths.map((r) => ({ path: `${r.path}/metadata` }));
      const tail = f.ids[f.ids.length - 1]!;
      const hints = (await expectStatus(f.origin, `/api/v1/messages/${bytesToHex(tail)}/metadata`, 200)) as {
        data: Record<string, unknown>;
      };
      if (hints.data.shouldPromote === undefined) throw new Error("the tail's metadata has no promote/reattach hints");
      await expectStatus(f.origin, messagePaths[0]!.path, 200);
      const info = await expectStatus(f.origin, "/api/v1/info", 200);
      anchor = await startAnchor(info);
      console.log(
        `  [tangle: ${f.ids.length} messages on lmdb, CMI ${f.cb.tb.tangle.confirmedMilestoneIndex}, server ${f.origin}]`,
      );
      const cases: GetCase[] = [
        { name: "anchor.fastify", origin: anchor.origin, requests: [{ path: "/api/v1/info" }], inProcess: false },
        { name: "message", origin: f.origin, requests: messagePaths, target: atLeast(15_000), inProcess: true },
        { name: "metadata", origin: f.origin, requests: metadataPaths, target: atLeast(15_000), inProcess: true },
        {
          name: "info",
          origin: f.origin,
          requests: [{ path: "/api/v1/info" }],
          target: atLeast(20_000),
          inProcess: true,
        },
      ];
      await runGetCases(ctx, cases);
      if (wantsPost) await runPostCase(ctx, f);
    } finally {
      await anchor?.app.close();
      await stopFixture(f);
    }
  },
};

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === CLIENT_FLAG) serveAsLoadGenerator();
