/**
 * Snapshot files (chrysalis.md §11): write and read a full snapshot of 1,000,000 outputs (108 MB) plus a few solid
 * entry points in a temporary directory, the size of a large Chrysalis ledger. Writing includes the fsync and the
 * atomic rename; reading decodes and checks every record, in batches (what an import uses) and one by one
 * (outputs()). The file is removed afterwards.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SnapshotHeaderFields } from "../src/ledger/snapshot/snapshotFormat.js";
import { openSnapshot } from "../src/ledger/snapshot/snapshotReader.js";
import { writeSnapshot } from "../src/ledger/snapshot/snapshotWriter.js";
import type { LedgerOutput } from "../src/ledger/types.js";
import { atLeast, atMost, type Suite } from "./harness.js";

const OUTPUTS = 1_000_000;
const SEPS = 50;
const ROUNDS = 3;
/** Distinct outputs the stream cycles through: the writer copies bytes, so a pool stands in for a database cursor
 * without holding a million objects in memory. */
const POOL = 4096;

const IDS = {
  write: "snapshot.write.1M.outputs",
  writeMB: "snapshot.write.1M.MBps",
  read: "snapshot.read.1M.outputs",
  readItems: "snapshot.read.1M.outputs.oneByOne",
  readMB: "snapshot.read.1M.MBps",
  total: "snapshot.writeRead.1M.seconds",
};

function output(n: number): LedgerOutput {
  const outputId = new Uint8Array(34);
  const messageId = new Uint8Array(32);
  const address = new Uint8Array(32);
  let x = (n + 1) * 0x9e3779b1;
  for (let i = 0; i < 32; i++) {
    x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) >>> 0;
    messageId[i] = x & 0xff;
    outputId[i] = (x >>> 8) & 0xff;
    address[i] = (x >>> 16) & 0xff;
  }
  outputId[32] = n & 0x7f;
  return { outputId, messageId, output: { type: 0, address: { type: 0, address }, amount: 1_000_000 + n } };
}

function* outputStream(pool: LedgerOutput[]): Generator<LedgerOutput> {
  for (let i = 0; i < OUTPUTS; i++) yield pool[i & (POOL - 1)]!;
}

const HEADER: SnapshotHeaderFields = {
  type: "full",
  timestamp: 1_700_000_000,
  networkId: 14379272398717627559n,
  sepIndex: 1000,
  ledgerIndex: 1000,
  treasury: { milestoneId: new Uint8Array(32), amount: 0 },
};

async function timeRead(path: string, oneByOne: boolean): Promise<number> {
  const started = performance.now();
  const reader = await openSnapshot(path);
  let count = 0;
  try {
    for await (const _ of reader.solidEntryPoints()) count++;
    if (oneByOne) {
      for await (const _ of reader.outputs()) count++;
    } else {
      for await (const batch of reader.outputBatches()) count += batch.length;
    }
    for await (const _ of reader.milestoneDiffs()) count++;
  } finally {
    await reader.close();
  }
  if (count !== SEPS + OUTPUTS) throw new Error(`read ${count} records, wrote ${SEPS + OUTPUTS}`);
  return (performance.now() - started) / 1000;
}

/** The median-forming recorder: each id gets its ROUNDS values through ctx.sampled. */
async function record(
  ctx: Parameters<Suite["run"]>[0],
  id: string,
  unit: string,
  values: number[],
  target?: ReturnType<typeof atLeast>,
): Promise<void> {
  let i = 0;
  await ctx.sampled(id, unit, () => values[i++]!, values.length, target);
}

export const snapshotSuite: Suite = {
  name: "Snapshot files",
  async run(ctx) {
    if (!Object.values(IDS).some((id) => ctx.wants(id))) return;
    const dir = mkdtempSync(join(tmpdir(), "weaver-bench-snapshot-"));
    const path = join(dir, "full_snapshot.bin");
    const pool = Array.from({ length: POOL }, (_, n) => output(n));
    const seps = Array.from({ length: SEPS }, (_, n) => output(n).messageId);
    const writes: number[] = [];
    const reads: number[] = [];
    const readsOneByOne: number[] = [];
    let megabytes = 0;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        const started = performance.now();
        await writeSnapshot(path, HEADER, { solidEntryPoints: seps, outputs: outputStream(pool) });
        writes.push((performance.now() - started) / 1000);
        megabytes = statSync(path).size / 1e6;
        reads.push(await timeRead(path, false));
        readsOneByOne.push(await timeRead(path, true));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    await record(
      ctx,
      IDS.write,
      "outputs/s",
      writes.map((s) => OUTPUTS / s),
      atLeast(500_000),
    );
    await record(
      ctx,
      IDS.writeMB,
      "MB/s",
      writes.map((s) => megabytes / s),
    );
    await record(
      ctx,
      IDS.read,
      "outputs/s",
      reads.map((s) => OUTPUTS / s),
      atLeast(1_000_000),
    );
    await record(
      ctx,
      IDS.readItems,
      "outputs/s",
      readsOneByOne.map((s) => OUTPUTS / s),
      atLeast(500_000),
    );
    await record(
      ctx,
      IDS.readMB,
      "MB/s",
      reads.map((s) => megabytes / s),
    );
    await record(
      ctx,
      IDS.total,
      "s",
      writes.map((w, i) => w + reads[i]!),
      atMost(3),
    );
  },
};
