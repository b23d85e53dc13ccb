/**
 * Crash safety of tangle storage and ingestion (ARCHITECTURE.md habit 7): a child process ingests a message stream
 * into LMDB through the real pipeline and is SIGKILLed at arbitrary moments, many times. After every kill the
 * database must be consistent as it is (no revalidation step), hold every message the child had reported durable,
 * and hold exactly a prefix of the stream: group commit writes whole batches in order. A last uninterrupted run must
 * end in the same database as a run that never crashed, and close cleanly.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { createMessagePipeline } from "../../src/pipeline/messagePipeline.js";
import { bytesToHex, hexToBytes } from "../../src/primitives/hex.js";
import { LmdbKvStore } from "../../src/storage/backends/lmdb.js";
import { MemoryKvStore } from "../../src/storage/backends/memory.js";
import type { KvStore } from "../../src/storage/kv.js";
import { HEALTH_FIELD_DIRTY, healthKey, messageKey, STORE_PREFIXES, tablePrefix } from "../../src/storage/prefixes.js";
import { Tangle } from "../../src/tangle/tangle.js";
import { buildIngestStream, CRASH_NETWORK_ID, type IngestStream, ingestDelivery } from "../utils/crashIngestStream.js";
import { type ChildExit, runKillableChild } from "../utils/killableChild.js";
import { seededRandom } from "../utils/seededRandom.js";
import { GENESIS_ID, RecordingRequester } from "../utils/tangleBuilder.js";
import { checkTangleConsistency } from "../utils/tangleConsistency.js";
import { REPO_ROOT } from "../utils/vectors.js";

const CHILD = join(REPO_ROOT, "dist", "test", "utils", "crashIngestChild.js");
const MESSAGE_COUNT = 3000;
const SEED = 20_240_601;
const KILLS = 20;

const tempDirs: string[] = [];
after(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

interface ChildRun extends ChildExit {
  /** wasDirty as the child saw it when it opened the tangle. */
  openedDirty: boolean;
  openedWithMessages: number;
  /** Highest "durable n" the child printed: delivery items [0, n) were durable. */
  durable: number;
  done: boolean;
}

type KillPlan = { after: "open"; delayMs: number } | { after: "durable"; atLeast: number; delayMs: number } | null;

/** Runs the child until it exits; with a plan, SIGKILLs it `delayMs` after the trigger line. */
async function runChild(dir: string, plan: KillPlan): Promise<ChildRun> {
  const progress = { openedDirty: false, openedWithMessages: -1, durable: 0, done: false };
  const exit = await runKillableChild(CHILD, [dir, String(MESSAGE_COUNT), String(SEED)], ([word, a, b], killAfter) => {
    if (word === "open") {
      progress.openedDirty = a === "1";
      progress.openedWithMessages = Number(b);
      if (plan?.after === "open") killAfter(plan.delayMs);
    } else if (word === "durable") {
      progress.durable = Math.max(progress.durable, Number(a));
      if (plan?.after === "durable" && progress.durable >= plan.atLeast) killAfter(plan.delayMs);
    } else if (word === "DONE") progress.done = true;
  });
  return { ...progress, ...exit };
}

/**
 * The stored messages must be exactly the valid messages first delivered in items [0, k) for some k, and k must
 * cover everything the child reported durable. Returns k.
 */
function assertStoredPrefix(kv: KvStore, stream: IngestStream, reportedDurable: number): number {
  const firstPosition = new Map<string, number>();
  stream.delivery.forEach((item, pos) => {
    if (item.kind === "message") firstPosition.set(stream.messages[item.message]!.idHex, pos);
  });
  let k = 0;
  for (const [key] of kv.iterate({ prefix: tablePrefix("MESSAGES") })) {
    const pos = firstPosition.get(bytesToHex(key.subarray(1)));
    assert.ok(pos !== undefined, `stored message ${bytesToHex(key.subarray(1))} is not in the stream`);
    k = Math.max(k, pos + 1);
  }
  const horizon = Math.max(k, reportedDurable);
  const holes: number[] = [];
  for (const [hex, pos] of firstPosition) {
    if (pos < horizon && !kv.has(messageKey(hexToBytes(hex)))) holes.push(pos);
  }
  assert.deepEqual(
    holes.sort((x, y) => x - y),
    [],
    `messages delivered before item ${horizon} (child reported ${reportedDurable} durable) are missing`,
  );
  return k;
}

/** Every entry outside HEALTH, as hex pairs (HEALTH holds run-specific flags). */
function tangleEntries(kv: KvStore): string[] {
  const out: string[] = [];
  for (const [key, value] of kv.iterate()) {
    if (key[0] !== STORE_PREFIXES.HEALTH) out.push(`${bytesToHex(key)}=${bytesToHex(value)}`);
  }
  return out;
}

/** The same stream ingested in memory without any crash. */
async function referenceEntries(stream: IngestStream): Promise<string[]> {
  const kv = new MemoryKvStore();
  const { tangle } = await Tangle.open(kv);
  tangle.addSolidEntryPoint(GENESIS_ID, 0);
  const pipeline = createMessagePipeline(
    { networkId: CRASH_NETWORK_ID, minPowScore: 0 },
    { tangle, requester: new RecordingRequester(), now: Date.now },
  );
  await ingestDelivery(pipeline, tangle, stream.delivery, seededRandom(1), () => undefined);
  await tangle.store.flush();
  const entries = tangleEntries(kv);
  await tangle.close();
  return entries;
}

describe("crash safety: SIGKILL during ingestion", () => {
  it(`survives ${KILLS} kills at arbitrary moments, consistent after each, and finishes as if never killed`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), "weaver-crash-"));
    tempDirs.push(dir);
    const stream = buildIngestStream(SEED, MESSAGE_COUNT);
    const kinds = new Set(stream.delivery.map((d) => d.kind));
    assert.deepEqual([...kinds].sort(), ["duplicate", "invalid", "message"], "the stream has every kind of item");
    const rnd = seededRandom(SEED + 1);
    let reportedDurable = 0;
    let storedPrefix = 0;
    let expectChildDirty = false;
    let storedMessages = 0;
    /** Per kill: the stored prefix k and what the child had reported durable (k may end below it on invalid items). */
    const killPoints: string[] = [];

    for (let i = 0; i < KILLS; i++) {
      // Most kills come after the child made progress (so they land mid-ingestion, often mid-commit); every fourth
      // comes right after open, while it replays what is stored or loads its unsolid set.
      const target = Math.floor((stream.delivery.length * 0.8 * (i + 1)) / KILLS);
      const plan: KillPlan =
        i % 4 === 3
          ? { after: "open", delayMs: Math.floor(rnd() * 30) }
          : { after: "durable", atLeast: Math.max(target, reportedDurable + 1), delayMs: Math.floor(rnd() * 15) };
      const run = await runChild(dir, plan);
      assert.equal(run.signal, "SIGKILL", `run ${i} ended on its own (code ${run.code}): ${run.stderr}`);
      assert.equal(run.timedOut, false, `run ${i} hung`);
      assert.equal(run.done, false);
      assert.equal(run.openedDirty, expectChildDirty, `run ${i}: the child saw the wrong dirty flag`);
      assert.equal(run.openedWithMessages, storedMessages, `run ${i}: the child saw another database`);
      reportedDurable = Math.max(reportedDurable, run.durable);

      const kv = LmdbKvStore.open({ path: dir });
      const { tangle, wasDirty } = await Tangle.open(kv);
      assert.equal(wasDirty, true, `run ${i}: a killed run must leave the dirty flag set`);
      assert.deepEqual(checkTangleConsistency(kv), [], `run ${i}: inconsistent after SIGKILL`);
      const k = assertStoredPrefix(kv, stream, reportedDurable);
      assert.ok(k >= storedPrefix, `run ${i}: the stored prefix shrank from ${storedPrefix} to ${k}`);
      storedPrefix = k;
      killPoints.push(`${k}/${reportedDurable}`);
      storedMessages = kv.count(tablePrefix("MESSAGES"));
      // Alternate between a clean close (the next child sees a clean database) and none (it sees a dirty one).
      expectChildDirty = i % 2 === 0;
      if (expectChildDirty) await kv.close();
      else await tangle.close();
    }
    assert.ok(storedPrefix > stream.delivery.length / 2, `kills came too early: prefix ${storedPrefix}`);
    assert.ok(storedPrefix < stream.delivery.length, "the stream must not be finished before the last run");

    t.diagnostic(
      `stored prefix/reported durable after each kill, of ${stream.delivery.length} items: ${killPoints.join(" ")}`,
    );

    const last = await runChild(dir, null);
    assert.equal(last.code, 0, last.stderr);
    assert.equal(last.done, true);
    assert.equal(last.durable, stream.delivery.length);

    const kv = LmdbKvStore.open({ path: dir });
    assert.deepEqual(kv.get(healthKey(HEALTH_FIELD_DIRTY)), Uint8Array.of(0), "a clean close clears the dirty flag");
    const { tangle, wasDirty } = await Tangle.open(kv);
    assert.equal(wasDirty, false);
    assert.deepEqual(checkTangleConsistency(kv), []);
    assert.equal(kv.count(tablePrefix("MESSAGES")), MESSAGE_COUNT);
    assert.equal(kv.count(tablePrefix("UNSOLID")), 0);
    for (const m of stream.messages) assert.equal(tangle.getMetadata(m.id)?.solid, true, `${m.idHex} is not solid`);
    assert.deepEqual(tangleEntries(kv), await referenceEntries(stream), "crashes changed the final database");
    await tangle.close();
  });
});
