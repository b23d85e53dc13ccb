/**
 * Snapshot files (chrysalis.md §11): write and read a full snapshot of 1,000,000 outputs (108 MB) plus a few solid
 * entry points in a temporary directory, the size of a large Chrysalis ledger. Writing includes the fsync and the
 * atomic rename; reading decodes and checks every record, in batches (what an import uses) and one by one
 * (outputs()). The file is removed afterwards.
 *
 * Import (snapshotImport.ts): a full snapshot of 1,000,000 distinct outputs on 250,000 addresses, holding the whole
 * supply, loaded into a fresh durable LmdbKvStore: both passes (the check of the whole file, then the load with its
 * group commits and the final supply scan). The database and the file are removed afterwards.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SnapshotHeaderFields } from "../src/ledger/snapshot/snapshotFormat.js";
import { importSnapshots } from "../src/ledger/snapshot/snapshotImport.js";
import { openSnapshot } from "../src/ledger/snapshot/snapshotReader.js";
import { writeSnapshot } from "../src/ledger/snapshot/snapshotWriter.js";
import type { LedgerOutput } from "../src/ledger/types.js";
import { UtxoLedger } from "../src/ledger/utxoLedger.js";
import { TOKEN_SUPPLY } from "../src/params/protocol.js";
import { LmdbKvStore } from "../src/storage/backends/lmdb.js";
import { Tangle } from "../src/tangle/tangle.js";
import { atLeast, atMost, type Suite } from "./harness.js";

const OUTPUTS = 1_000_000;
const SEPS = 50;
const ROUNDS = 3;
/** Distinct outputs the stream cycles through: the writer copies bytes, so a pool stands in for a database cursor
 * without holding a million objects in memory. */
const POOL = 4096;

/** Addresses the imported outputs spread over: four outputs each, so the balances are read back while loading. */
const IMPORT_ADDRESSES = 250_000;
/** One import of a million outputs into lmdb takes a while; the median of two is enough to follow it. */
const IMPORT_ROUNDS = 2;

const IMPORT_IDS = {
  rate: "snapshot.import.lmdb.1M",
  seconds: "snapshot.import.lmdb.1M.seconds",
};

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

/**
 * Output n of the import file: one of IMPORT_ADDRESSES addresses, together the whole supply, and ids in ascending
 * order, as Hornet and writeFullSnapshotFromLedger write them (both walk their UTXO table in key order). Random ids
 * cost the import 49 s instead of 30 s: lmdb then rewrites pages all over the OUTPUTS table at every commit.
 */
function importOutput(n: number, addresses: Uint8Array[]): LedgerOutput {
  const o = output(n);
  new DataView(o.outputId.buffer).setUint32(0, n);
  o.output.address.address = addresses[n % IMPORT_ADDRESSES]!;
  o.output.amount = n === OUTPUTS - 1 ? TOKEN_SUPPLY - (OUTPUTS - 1) * 1_000_000 : 1_000_000;
  return o;
}

function* importStream(addresses: Uint8Array[]): Generator<LedgerOutput> {
  for (let n = 0; n < OUTPUTS; n++) yield importOutput(n, addresses);
}

/** Seconds to import `path` into a fresh lmdb database under `dir`. */
async function timeImport(path: string, dir: string): Promise<number> {
  const started = performance.now();
  const { tangle } = await Tangle.open(LmdbKvStore.open({ path: dir }));
  try {
    const report = await importSnapshots({
      fullPath: path,
      networkId: HEADER.networkId,
      ledger: new UtxoLedger(tangle.store),
      target: tangle,
      store: tangle.store,
    });
    if (report.outputs !== OUTPUTS) throw new Error(`imported ${report.outputs} outputs, wrote ${OUTPUTS}`);
    return (performance.now() - started) / 1000;
  } finally {
    await tangle.close();
  }
}

async function runImport(ctx: Parameters<Suite["run"]>[0]): Promise<void> {
  if (!Object.values(IMPORT_IDS).some((id) => ctx.wants(id))) return;
  const dir = mkdtempSync(join(tmpdir(), "weaver-bench-snapshot-import-"));
  const path = join(dir, "full_snapshot.bin");
  const addresses = Array.from({ length: IMPORT_ADDRESSES }, (_, n) => output(n + OUTPUTS).output.address.address);
  const seconds: number[] = [];
  try {
    await writeSnapshot(path, HEADER, { solidEntryPoints: [new Uint8Array(32)], outputs: importStream(addresses) });
    for (let round = 0; round < IMPORT_ROUNDS; round++) {
      const db = join(dir, `db-${round}`);
      seconds.push(await timeImport(path, db));
      rmSync(db, { recursive: true, force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await record(
    ctx,
    IMPORT_IDS.rate,
    "outputs/s",
    seconds.map((s) => OUTPUTS / s),
  );
  await record(ctx, IMPORT_IDS.seconds, "s", seconds);
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

async function runWriteRead(ctx: Parameters<Suite["run"]>[0]): Promise<void> {
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
}

export const snapshotSuite: Suite = {
  name: "Snapshot files",
  async run(ctx) {
    await runWriteRead(ctx);
    await runImport(ctx);
  },
};
