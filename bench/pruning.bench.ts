/**
 * Pruning on lmdb (the benchmark is "pruning of 1,000,000 messages"). A durable LmdbKvStore in a fresh
 * temporary directory holds PRUNED_MILESTONES + 20 milestones of 1,000 real TIP-6 messages each (about 330 bytes with
 * an indexation payload, each approving two of the 32 most recent messages; 1 in 100 is a tip no milestone
 * references), and Pruner.pruneTo removes the first PRUNED_MILESTONES of them: 99% of the messages through REFERENCED,
 * 1% through ARRIVALS. The 20 milestones on top are the least the pruner keeps (BMD + 5).
 *
 * The whole 1,000,000 messages (PRUNED_MILESTONES = 1000) are built and pruned: the suite takes several minutes,
 * which is fine for `npm run bench` (never part of CI). Where the time goes: LMDB rewrites about one 4 KiB page per
 * deleted key, spread at random over the tables (message, metadata, children, indexation); the StagedStore's 33-byte
 * prefix index keeps each deleteMessage's children scan to that message's own staged keys.
 *
 *  - `pruning.lmdb.1M`: messages deleted per second, from pruneTo's call to its durable end.
 *  - `pruning.lmdb.1M.maxBlock`: the longest the event loop was blocked while pruning (monitorEventLoopDelay at
 *    1 ms resolution), what ingestion beside the pruner would wait at worst. It includes garbage collection, commits
 *    and the time other processes on the machine hold the cores.
 *  - `pruning.lmdb.1M.longestChunk`: the pruner's own longest synchronous stretch (PruneReport.longestStretchMs):
 *    chunkBudgetMs plus one message, plus whatever garbage collection or the OS took inside that chunk (wall clock).
 *
 * The database is built directly through Tangle (storeMessage, markSolid, markReferenced) in group commits of 20
 * milestones, without the pipeline, since only pruning is measured.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay, PerformanceObserver, performance } from "node:perf_hooks";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { encodeMessage, type Message, messageId } from "../src/codec/index.js";
import { compareBytes, utf8ToBytes } from "../src/primitives/bytes.js";
import { LmdbKvStore } from "../src/storage/backends/lmdb.js";
import { LEDGER_INCLUSION_NO_TRANSACTION } from "../src/storage/prefixes.js";
import { Pruner } from "../src/tangle/pruner.js";
import { Tangle } from "../src/tangle/tangle.js";
import { seededRandom as prng } from "../test/utils/seededRandom.js";
import { atMost, type Suite } from "./harness.js";

const NETWORK_ID = 7_777_777n;
const GENESIS_ID = new Uint8Array(32);
const INDEX = utf8ToBytes("pruning-bench");
const PER_MILESTONE = 1000;
/** 1,000,000 messages pruned (issue 3's number). */
const PRUNED_MILESTONES = 1000;
/** Milestones above the target: the least pruneTo allows (BMD 15 + 5). */
const KEPT_MILESTONES = 20;
/** One message in this many is a tip that no milestone references (it goes through ARRIVALS). */
const UNREFERENCED_EVERY = 100;
const RECENT_WINDOW = 32;
/** Milestones staged per group commit while building. */
const BUILD_COMMIT_EVERY = 20;

/** Two distinct parents among the recent messages (TIP-6: sorted, unique), the genesis entry point at the start. */
function pickParents(recent: readonly Uint8Array[], random: () => number): Uint8Array[] {
  if (recent.length < 2) return [GENESIS_ID];
  const i = Math.floor(random() * recent.length);
  let j = Math.floor(random() * (recent.length - 1));
  if (j >= i) j++;
  return [recent[i]!, recent[j]!].sort(compareBytes);
}

async function build(tangle: Tangle, milestones: number): Promise<number> {
  const random = prng(42);
  const recent: Uint8Array[] = [];
  const data = new Uint8Array(200);
  let n = 0;
  for (let m = 1; m <= milestones; m++) {
    for (let j = 0; j < PER_MILESTONE; j++, n++) {
      new DataView(data.buffer).setUint32(0, n);
      const message: Message = {
        networkId: NETWORK_ID,
        parents: pickParents(recent, random),
        payload: { type: 2, index: INDEX, data: data.slice() },
        nonce: BigInt(n),
      };
      const bytes = encodeMessage(message);
      const id = messageId(bytes);
      tangle.storeMessage({ id, bytes, message, arrivedAt: n });
      tangle.markSolid(id);
      if (n % UNREFERENCED_EVERY === UNREFERENCED_EVERY - 1) continue;
      tangle.markReferenced(id, m, LEDGER_INCLUSION_NO_TRANSACTION);
      recent.push(id);
      if (recent.length > RECENT_WINDOW) recent.shift();
    }
    tangle.putMilestone(m, { messageId: recent[recent.length - 1]!, milestoneId: recent[0]!, timestamp: BigInt(m) });
    tangle.setLatestMilestoneIndex(m);
    tangle.setConfirmedMilestoneIndex(m);
    if (m % BUILD_COMMIT_EVERY === 0) await tangle.durable();
  }
  await tangle.store.flush();
  return n;
}

/**
 * A full collection before the clock starts, so that the pauses measured are those of pruning's own garbage and not
 * of the build's (a node that prunes has no such backlog). --expose-gc set at run time reaches new contexts only.
 */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  const gc: unknown = runInNewContext("gc");
  if (typeof gc === "function") gc();
}

interface PruneRun {
  messagesPerSecond: number;
  maxBlockMs: number;
  longestStretchMs: number;
}

async function measure(): Promise<PruneRun> {
  const dir = mkdtempSync(join(tmpdir(), "weaver-prune-"));
  try {
    const { tangle } = await Tangle.open(LmdbKvStore.open({ path: dir }));
    const built = performance.now();
    const stored = await build(tangle, PRUNED_MILESTONES + KEPT_MILESTONES);
    const buildSeconds = (performance.now() - built) / 1000;
    const pruner = new Pruner({}, { tangle, now: () => Date.now() });
    collectGarbage();
    const heapMb = process.memoryUsage().heapUsed / 1e6;
    let longestGcMs = 0;
    const gc = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) longestGcMs = Math.max(longestGcMs, e.duration);
    });
    gc.observe({ entryTypes: ["gc"] });
    const delay = monitorEventLoopDelay({ resolution: 1 });
    delay.enable();
    const started = performance.now();
    const report = await pruner.pruneTo(PRUNED_MILESTONES);
    const seconds = (performance.now() - started) / 1000;
    delay.disable();
    gc.disconnect();
    if (!report.completed || report.messagesDeleted < PRUNED_MILESTONES * PER_MILESTONE) {
      throw new Error(`pruning deleted only ${report.messagesDeleted} messages`);
    }
    console.log(
      `    built ${stored} messages in ${buildSeconds.toFixed(1)} s; pruned ${report.messagesDeleted} ` +
        `(${report.referencedMessagesDeleted} referenced) in ${seconds.toFixed(1)} s, ${report.chunks} chunks, ` +
        `${report.solidEntryPointCount} entry points; loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, ` +
        `longest GC pause ${longestGcMs.toFixed(1)} ms (heap ${heapMb.toFixed(0)} MB at the start)`,
    );
    await tangle.close();
    return {
      messagesPerSecond: report.messagesDeleted / seconds,
      maxBlockMs: delay.max / 1e6,
      longestStretchMs: report.longestStretchMs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const IDS = ["pruning.lmdb.1M", "pruning.lmdb.1M.maxBlock", "pruning.lmdb.1M.longestChunk"] as const;

export const pruningSuite: Suite = {
  name: "pruning",
  async run(ctx) {
    if (!IDS.some((id) => ctx.wants(id))) return;
    const run = await measure();
    await ctx.sampled(IDS[0], "messages/s", () => run.messagesPerSecond, 1);
    await ctx.sampled(IDS[1], "ms", () => run.maxBlockMs, 1, atMost(50));
    await ctx.sampled(IDS[2], "ms", () => run.longestStretchMs, 1, atMost(50));
  },
};
