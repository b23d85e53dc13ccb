/**
 * Bootstrapping a database from snapshot files (chrysalis.md §11.3, §11.4): the Hornet genesis and test vectors,
 * every refusal leaving the store byte for byte as it was, the undo of an import that fails halfway, and the crash
 * marker.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { milestoneIdFromBytes } from "../../../../src/codec/index.js";
import { SnapshotError } from "../../../../src/ledger/snapshot/snapshotError.js";
import type { SnapshotHeaderFields } from "../../../../src/ledger/snapshot/snapshotFormat.js";
import {
  discardInterruptedSnapshotImport,
  type ImportSnapshotsOptions,
  importSnapshots,
  snapshotImportInterrupted,
} from "../../../../src/ledger/snapshot/snapshotImport.js";
import { parseSnapshotBytes, type WholeSnapshot } from "../../../../src/ledger/snapshot/snapshotReader.js";
import { writeSnapshot } from "../../../../src/ledger/snapshot/snapshotWriter.js";
import type { LedgerOutput } from "../../../../src/ledger/types.js";
import { UtxoLedger } from "../../../../src/ledger/utxoLedger.js";
import { TOKEN_SUPPLY } from "../../../../src/params/protocol.js";
import { bytesToHex } from "../../../../src/primitives/hex.js";
import { MemoryKvStore } from "../../../../src/storage/backends/memory.js";
import type { KvOp, KvRange, KvStore } from "../../../../src/storage/kv.js";
import { HEALTH_FIELD_SNAPSHOT_IMPORT_IN_PROGRESS, healthKey } from "../../../../src/storage/prefixes.js";
import type { StagedStoreOptions } from "../../../../src/storage/stagedStore.js";
import { Tangle } from "../../../../src/tangle/tangle.js";
import { checkLedgerConsistency } from "../../../utils/ledgerConsistency.js";
import { checkTangleConsistency } from "../../../utils/tangleConsistency.js";
import { readVectorBytes } from "../../../utils/vectors.js";
import { patched, snapshotErrorOf } from "./snapshotTestUtils.js";

/** The network id of every Hornet test asset (alphanet1). */
const NETWORK_ID = 6530425480034647824n;
const MINT_ADDRESS = "6920b176f613ec7be59e68fc68f597eb3393af80f74c7c3db78198147d5f1f92";
const ZERO_ID = "00".repeat(32);
const MARKER = healthKey(HEALTH_FIELD_SNAPSHOT_IMPORT_IN_PROGRESS);

const dir = mkdtempSync(join(tmpdir(), "weaver-snapshot-import-"));
after(() => rmSync(dir, { recursive: true, force: true }));
let fileCounter = 0;

function fileOf(bytes: Uint8Array): string {
  const path = join(dir, `snapshot-${++fileCounter}.bin`);
  writeFileSync(path, bytes);
  return path;
}

function vectorFile(name: string): string {
  return fileOf(readVectorBytes(name));
}

async function fileOfContent(s: {
  header: SnapshotHeaderFields;
  solidEntryPoints: Uint8Array[];
  outputs?: LedgerOutput[];
  milestoneDiffs?: WholeSnapshot["milestoneDiffs"];
}): Promise<string> {
  const path = join(dir, `snapshot-${++fileCounter}.bin`);
  await writeSnapshot(path, s.header, {
    solidEntryPoints: s.solidEntryPoints,
    outputs: s.outputs ?? [],
    milestoneDiffs: s.milestoneDiffs ?? [],
  });
  return path;
}

async function vector(name: string): Promise<WholeSnapshot> {
  return parseSnapshotBytes(readVectorBytes(name));
}

interface Db {
  kv: KvStore;
  tangle: Tangle;
  ledger: UtxoLedger;
}

async function openDb(kv: KvStore = new MemoryKvStore(), options: StagedStoreOptions = {}): Promise<Db> {
  const { tangle } = await Tangle.open(kv, options);
  return { kv, tangle, ledger: new UtxoLedger(tangle.store) };
}

function importInto(
  db: Db,
  fullPath: string,
  deltaPath?: string,
  more: Partial<ImportSnapshotsOptions> = {},
): ReturnType<typeof importSnapshots> {
  return importSnapshots({
    fullPath,
    deltaPath,
    networkId: NETWORK_ID,
    ledger: db.ledger,
    target: db.tangle,
    store: db.tangle.store,
    ...more,
  });
}

/** Every key and value of the store under the tangle, once everything staged is committed. */
async function dump(db: Db): Promise<string[]> {
  await db.tangle.store.flush();
  return [...db.kv.iterate()].map(([k, v]) => `${bytesToHex(k)}=${bytesToHex(v)}`);
}

function unspent(ledger: UtxoLedger): string[] {
  return [...ledger.unspentOutputs()].map(
    (o) => `${bytesToHex(o.outputId)}:${o.output.amount}:${bytesToHex(o.output.address.address)}`,
  );
}

function seps(tangle: Tangle): string[] {
  return [...tangle.solidEntryPoints()].map(([id, index]) => `${bytesToHex(id)}@${index}`).sort();
}

function assertConsistent(db: Db): void {
  assert.deepEqual(checkLedgerConsistency(db.tangle.store), []);
  assert.deepEqual(checkTangleConsistency(db.tangle.store), []);
}

/** Refused with `code` and the store byte for byte as before; the in-memory state untouched too. */
async function assertRefused(db: Db, code: string, run: () => Promise<unknown>): Promise<SnapshotError> {
  const before = await dump(db);
  const error = await snapshotErrorOf(run);
  assert.equal(error.code, code, error.message);
  assert.deepEqual(await dump(db), before);
  assert.equal(db.tangle.solidEntryPointCount, 0);
  assert.equal(db.tangle.confirmedMilestoneIndex, 0);
  assert.equal(db.ledger.ledgerIndex, 0);
  return error;
}

/** A full snapshot of `count` distinct outputs holding the whole supply, the last one `duplicateLast` of the first. */
function manyOutputs(count: number, duplicateLast: boolean): LedgerOutput[] {
  const outputs: LedgerOutput[] = [];
  for (let n = 0; n < count; n++) {
    const outputId = new Uint8Array(34);
    new DataView(outputId.buffer).setUint32(0, duplicateLast && n === count - 1 ? 1 : n + 1);
    const address = new Uint8Array(32);
    address[0] = n % 7;
    const amount = n === count - 1 ? TOKEN_SUPPLY - (count - 1) * 1_000_000 : 1_000_000;
    outputs.push({
      outputId,
      messageId: new Uint8Array(32),
      output: { type: 0, address: { type: 0, address }, amount },
    });
  }
  return outputs;
}

const MANY_HEADER: SnapshotHeaderFields = {
  type: "full",
  timestamp: 1_700_000_000,
  networkId: NETWORK_ID,
  sepIndex: 7,
  ledgerIndex: 7,
  treasury: { milestoneId: new Uint8Array(32), amount: 0 },
};

describe("importSnapshots: genesis (chrysalis.md §11.4)", () => {
  it("hornet-full_snapshot.bin bootstraps an empty database: the whole supply at the mint address", async () => {
    const db = await openDb();
    const report = await importInto(db, vectorFile("hornet-full_snapshot.bin"));
    assert.equal(report.sepIndex, 0);
    assert.equal(report.ledgerIndex, 0);
    assert.equal(report.solidEntryPoints, 1);
    assert.equal(report.outputs, 1);
    assert.equal(report.diffsApplied, 0);
    assert.equal(report.diffsRolledBack, 0);
    assert.ok(report.durationMs >= 0);

    const outputs = [...db.ledger.unspentOutputs()];
    assert.equal(outputs.length, 1);
    const [o] = outputs;
    assert.equal(bytesToHex(o!.outputId), "00".repeat(34));
    assert.equal(bytesToHex(o!.messageId), ZERO_ID);
    assert.equal(bytesToHex(o!.output.address.address), MINT_ADDRESS);
    assert.equal(o!.output.amount, TOKEN_SUPPLY);
    assert.equal(db.ledger.balance(o!.output.address.address).balance, TOKEN_SUPPLY);
    assert.deepEqual(db.ledger.treasury(), { milestoneId: new Uint8Array(32), amount: 0 });
    assert.equal(db.ledger.totalSupplyCheck(), TOKEN_SUPPLY);

    assert.deepEqual(seps(db.tangle), [`${ZERO_ID}@0`]);
    assert.equal(db.tangle.confirmedMilestoneIndex, 0);
    assert.equal(db.tangle.latestMilestoneIndex, 0);
    assert.equal(db.tangle.pruningIndex, 0);
    assert.equal(db.ledger.ledgerIndex, 0);
    assert.deepEqual(db.ledger.snapshotInfo(), {
      networkId: NETWORK_ID,
      snapshotIndex: 0,
      entryPointIndex: 0,
      timestamp: 1614081104,
    });
    assert.equal(snapshotImportInterrupted(db.kv), false);
    assertConsistent(db);

    // What was imported is on disk: a ledger and a tangle opened afresh on the same store see it.
    await db.tangle.store.flush();
    const again = new UtxoLedger(db.tangle.store);
    assert.equal(again.totalSupplyCheck(), TOKEN_SUPPLY);
  });

  it("the migration genesis keeps its treasury", async () => {
    const db = await openDb();
    await importInto(db, vectorFile("hornet-migration_full_snapshot.bin"));
    assert.equal(db.ledger.treasury()?.amount, 10_000_000_000);
    assert.equal([...db.ledger.unspentOutputs()][0]?.output.amount, TOKEN_SUPPLY - 10_000_000_000);
    assert.equal(db.ledger.totalSupplyCheck(), TOKEN_SUPPLY);
    assertConsistent(db);
  });

  it("a second import into the same database is refused and changes nothing", async () => {
    const db = await openDb();
    const path = vectorFile("hornet-full_snapshot.bin");
    await importInto(db, path);
    const before = await dump(db);
    const error = await snapshotErrorOf(() => importInto(db, path));
    assert.equal(error.code, "SNAPSHOT_ERROR_DATABASE_NOT_EMPTY");
    assert.match(error.message, /empty database/);
    assert.deepEqual(await dump(db), before);
  });
});

describe("importSnapshots: Hornet's test full and delta files (chrysalis.md §11.3)", () => {
  it("the full file: outputs at ledger index 3, diffs 3 and 2 rolled back to SEP index 1", async () => {
    const db = await openDb();
    const full = await vector("hornet-test_full_snapshot.bin");
    const report = await importInto(db, vectorFile("hornet-test_full_snapshot.bin"));
    assert.deepEqual(report, { ...report, sepIndex: 1, ledgerIndex: 1, solidEntryPoints: 10, outputs: 2 });
    assert.equal(report.diffsRolledBack, 2);
    assert.equal(report.diffsApplied, 0);
    // Rolling back 3 and 2 brings back what milestone 2 consumed: outputs 01… and 02….
    assert.deepEqual(
      [...db.ledger.unspentOutputs()].map((o) => [bytesToHex(o.outputId).slice(0, 4), o.output.amount]),
      [
        ["0101", 20_000_000],
        ["0202", 10_000_000],
      ],
    );
    assert.equal(db.ledger.milestoneDiff(2), undefined);
    assert.equal(db.ledger.milestoneDiff(3), undefined);
    assert.deepEqual(seps(db.tangle), full.solidEntryPoints.map((id) => `${bytesToHex(id)}@1`).sort());
    assert.equal(db.tangle.confirmedMilestoneIndex, 1);
    assert.equal(db.tangle.latestMilestoneIndex, 1);
    assert.equal(db.tangle.pruningIndex, 1);
    assert.equal(db.ledger.ledgerIndex, 1);
    assert.equal(db.ledger.totalSupplyCheck(), TOKEN_SUPPLY);
    assertConsistent(db);
  });

  it("full + delta: diffs 2..5 applied, ms 5's receipt moves the treasury, the delta's SEPs replace the full's", async () => {
    const db = await openDb();
    const delta = await vector("hornet-test_delta_snapshot.bin");
    const report = await importInto(
      db,
      vectorFile("hornet-test_full_snapshot.bin"),
      vectorFile("hornet-test_delta_snapshot.bin"),
    );
    assert.deepEqual(report, {
      sepIndex: 5,
      ledgerIndex: 5,
      solidEntryPoints: 10,
      outputs: 2,
      diffsApplied: 4,
      diffsRolledBack: 2,
      durationMs: report.durationMs,
    });
    assert.deepEqual(unspent(db.ledger), [`${"09".repeat(34)}:40000000:${"09".repeat(32)}`]);
    const ms5 = delta.milestoneDiffs[3]!;
    assert.deepEqual(db.ledger.treasury(), {
      milestoneId: milestoneIdFromBytes(ms5.milestonePayloadBytes),
      amount: 2779530243277761,
    });
    assert.deepEqual(
      db.ledger.receipts().map((r) => [r.milestoneIndex, r.receipt.migratedAt]),
      [[5, 9001]],
    );
    for (const i of [2, 3, 4, 5]) {
      assert.deepEqual(
        db.ledger.milestoneDiff(i)?.milestonePayloadBytes,
        delta.milestoneDiffs[i - 2]!.milestonePayloadBytes,
      );
    }
    assert.deepEqual(seps(db.tangle), delta.solidEntryPoints.map((id) => `${bytesToHex(id)}@5`).sort());
    assert.equal(db.tangle.confirmedMilestoneIndex, 5);
    assert.equal(db.tangle.latestMilestoneIndex, 5);
    assert.equal(db.tangle.pruningIndex, 5);
    assert.deepEqual(db.ledger.snapshotInfo(), {
      networkId: NETWORK_ID,
      snapshotIndex: 5,
      entryPointIndex: 5,
      timestamp: 1617695174,
    });
    assert.equal(db.ledger.totalSupplyCheck(), TOKEN_SUPPLY);
    assert.equal(snapshotImportInterrupted(db.kv), false);
    assertConsistent(db);
  });
});

describe("importSnapshots: refusals change nothing", () => {
  it("a file of another network", async () => {
    const db = await openDb();
    await assertRefused(db, "SNAPSHOT_ERROR_NETWORK_ID_MISMATCH", () =>
      importInto(db, vectorFile("hornet-full_snapshot.bin"), undefined, { networkId: 1n }),
    );
  });

  it("a delta given as the full file, and a full file given as the delta", async () => {
    const db = await openDb();
    const full = vectorFile("hornet-test_full_snapshot.bin");
    const delta = vectorFile("hornet-test_delta_snapshot.bin");
    await assertRefused(db, "SNAPSHOT_ERROR_INVALID_TYPE", () => importInto(db, delta));
    await assertRefused(db, "SNAPSHOT_ERROR_INVALID_TYPE", () => importInto(db, full, full));
  });

  it("a delta whose ledger index is not the full file's SEP index", async () => {
    const db = await openDb();
    // The genesis ends at 0, the delta starts at 1.
    const error = await assertRefused(db, "SNAPSHOT_ERROR_INDEX_MISMATCH", () =>
      importInto(db, vectorFile("hornet-full_snapshot.bin"), vectorFile("hornet-test_delta_snapshot.bin")),
    );
    assert.match(error.message, /ledger index is 1, but the full snapshot ends at its SEP index 0/);
  });

  it("diffs out of order, a ledger that does not end at the SEP index, a delta that rolls back", async () => {
    const db = await openDb();
    const full = await vector("hornet-test_full_snapshot.bin");
    const [d3, d2] = full.milestoneDiffs;
    const swapped = await fileOfContent({ ...full, milestoneDiffs: [d2!, d3!] });
    await assertRefused(db, "SNAPSHOT_ERROR_INDEX_MISMATCH", () => importInto(db, swapped));
    const short = await fileOfContent({ ...full, milestoneDiffs: [d3!] });
    const error = await assertRefused(db, "SNAPSHOT_ERROR_INDEX_MISMATCH", () => importInto(db, short));
    assert.match(error.message, /leave the ledger at milestone 2, not at its SEP index 1/);

    const delta = await vector("hornet-test_delta_snapshot.bin");
    const backwards = await fileOfContent({
      ...delta,
      header: { ...delta.header, ledgerIndex: 2 },
      milestoneDiffs: [d2!],
    });
    const fullAt2 = await fileOfContent({ ...full, header: { ...full.header, sepIndex: 2 }, milestoneDiffs: [d3!] });
    await assertRefused(db, "SNAPSHOT_ERROR_INDEX_MISMATCH", () => importInto(db, fullAt2, backwards));
  });

  it("outputs and treasury that are not the whole supply, and a diff that makes tokens", async () => {
    const db = await openDb();
    const genesis = await vector("hornet-full_snapshot.bin");
    const [mint] = genesis.outputs;
    const short = await fileOfContent({
      ...genesis,
      outputs: [{ ...mint!, output: { ...mint!.output, amount: TOKEN_SUPPLY - 1 } }],
    });
    const error = await assertRefused(db, "SNAPSHOT_ERROR_SUPPLY_MISMATCH", () => importInto(db, short));
    assert.match(error.message, /add up to 2779530283277760, not the total supply/);

    const full = await vector("hornet-test_full_snapshot.bin");
    const [d3, d2] = full.milestoneDiffs;
    const created = d3!.created.map((o, i) => (i === 0 ? { ...o, output: { ...o.output, amount: 10_000_001 } } : o));
    const minting = await fileOfContent({ ...full, milestoneDiffs: [{ ...d3!, created }, d2!] });
    const mintError = await assertRefused(db, "SNAPSHOT_ERROR_SUPPLY_MISMATCH", () => importInto(db, minting));
    assert.match(mintError.message, /milestone 3 changes the outputs by 1 but the treasury by 0/);
  });

  it("a receipt that spends another treasury than the ledger's, in the delta", async () => {
    const db = await openDb();
    const delta = await vector("hornet-test_delta_snapshot.bin");
    const diffs = delta.milestoneDiffs.map((d, i) =>
      i === 3
        ? { ...d, spentTreasury: { milestoneId: new Uint8Array(32).fill(1), amount: d.spentTreasury!.amount } }
        : d,
    );
    const path = await fileOfContent({ ...delta, milestoneDiffs: diffs });
    const error = await assertRefused(db, "SNAPSHOT_ERROR_LEDGER_MISMATCH", () =>
      importInto(db, vectorFile("hornet-test_full_snapshot.bin"), path),
    );
    assert.match(error.message, /milestone 5: its receipt spends treasury 0101/);
  });

  it("truncated, padded and miscounted files, the full one or only the delta", async () => {
    const db = await openDb();
    const full = readVectorBytes("hornet-test_full_snapshot.bin");
    const delta = readVectorBytes("hornet-test_delta_snapshot.bin");
    const fullPath = fileOf(full);
    await assertRefused(db, "SNAPSHOT_ERROR_TRUNCATED", () => importInto(db, fileOf(full.subarray(0, 60))));
    // The reader checks each count against the bytes left before it reads the records.
    await assertRefused(db, "SNAPSHOT_ERROR_COUNT", () => importInto(db, fileOf(full.subarray(0, full.length - 1))));
    const padded = new Uint8Array(full.length + 3);
    padded.set(full);
    await assertRefused(db, "SNAPSHOT_ERROR_TRAILING_BYTES", () => importInto(db, fileOf(padded)));
    const miscounted = full.slice();
    miscounted[26] = 200;
    await assertRefused(db, "SNAPSHOT_ERROR_COUNT", () => importInto(db, fileOf(miscounted)));
    // The full file is sound: the delta's damage is found before anything is written.
    await assertRefused(db, "SNAPSHOT_ERROR_COUNT", () =>
      importInto(db, fullPath, fileOf(delta.subarray(0, delta.length - 5))),
    );
    // The first diff's milestone payload (after the 42-byte header, 10 SEPs and its length) loses its type byte.
    await assertRefused(db, "SNAPSHOT_ERROR_INVALID_MILESTONE", () =>
      importInto(db, fullPath, fileOf(patched(delta, 42 + 320 + 4, [7]))),
    );
    await assertRefused(db, "SNAPSHOT_ERROR_IO", () => importInto(db, join(dir, "missing.bin")));
  });

  it("random byte flips in full and delta: either a SnapshotError with nothing changed, or a consistent ledger", async () => {
    const full = readVectorBytes("hornet-test_full_snapshot.bin");
    const delta = readVectorBytes("hornet-test_delta_snapshot.bin");
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.nat(), fc.integer({ min: 1, max: 255 }), async (inDelta, at, xor) => {
        const bytes = (inDelta ? delta : full).slice();
        const i = at % bytes.length;
        bytes[i] = bytes[i]! ^ xor;
        const db = await openDb();
        const before = await dump(db);
        try {
          await importInto(db, inDelta ? fileOf(full) : fileOf(bytes), inDelta ? fileOf(bytes) : fileOf(delta));
        } catch (e) {
          assert.ok(e instanceof SnapshotError, `not a SnapshotError: ${String(e)}`);
          assert.deepEqual(await dump(db), before);
          assert.equal(db.tangle.solidEntryPointCount, 0);
          refused++;
          return;
        }
        // A flip in a place no rule covers (an id, a timestamp, a SEP) loads as a different but sound ledger.
        assert.equal(db.ledger.totalSupplyCheck(), TOKEN_SUPPLY);
        assertConsistent(db);
      }),
      { numRuns: 60, seed: 9 },
    );
    assert.ok(refused > 0);
  });
});

describe("importSnapshots: a failure halfway is undone", () => {
  it("a diff that does not fit the outputs: the rollback fails and the database is empty again", async () => {
    const db = await openDb();
    const full = await vector("hornet-test_full_snapshot.bin");
    const [d3, d2] = full.milestoneDiffs;
    // Same amounts, so every check before writing passes; but milestone 3 did not create this output.
    const created = d3!.created.map((o, i) => (i === 0 ? { ...o, outputId: new Uint8Array(34).fill(0xee) } : o));
    const path = await fileOfContent({ ...full, milestoneDiffs: [{ ...d3!, created }, d2!] });
    const error = await assertRefused(db, "SNAPSHOT_ERROR_LEDGER_MISMATCH", () => importInto(db, path));
    assert.match(error.message, /the diff of milestone 3 does not fit the ledger: output eeee.* the import was undone/);
    assert.equal(error.cause instanceof Error, true);
    assert.equal(snapshotImportInterrupted(db.kv), false);
    // And the database takes a sound snapshot afterwards.
    await importInto(db, vectorFile("hornet-test_full_snapshot.bin"));
    assertConsistent(db);
  });

  it("an output id twice, far into a file loaded in many committed batches", async () => {
    const path = await fileOfContent({
      header: MANY_HEADER,
      solidEntryPoints: [new Uint8Array(32)],
      outputs: manyOutputs(400, true),
    });
    const batches: number[] = [];
    const inner = new MemoryKvStore();
    const counting: KvStore = {
      get: (k) => inner.get(k),
      has: (k) => inner.has(k),
      iterate: (r?: KvRange) => inner.iterate(r),
      count: (p) => inner.count(p),
      sizeBytes: () => inner.sizeBytes(),
      close: () => inner.close(),
      batch: (ops) => {
        batches.push(ops.length);
        return inner.batch(ops);
      },
    };
    const counted = await openDb(counting, { maxStagedOps: 50 });
    const error = await assertRefused(counted, "SNAPSHOT_ERROR_LEDGER_MISMATCH", () =>
      importInto(counted, path, undefined, { readChunkSize: 4096 }),
    );
    assert.match(error.message, /the outputs from number \d+ on does not fit the ledger: snapshot output 0{7}1/);
    // Outputs went to the store in several batches before the duplicate was met, and all of them were deleted.
    assert.ok(batches.length > 10, `${batches.length} batches`);
    assert.equal(snapshotImportInterrupted(inner), false);
  });
});

describe("importSnapshots: crash safety", () => {
  it("the marker is durable alone before the first write and cleared in the last batch", async () => {
    const inner = new MemoryKvStore();
    const batches: KvOp[][] = [];
    const recording: KvStore = {
      get: (k) => inner.get(k),
      has: (k) => inner.has(k),
      iterate: (r?: KvRange) => inner.iterate(r),
      count: (p) => inner.count(p),
      sizeBytes: () => inner.sizeBytes(),
      close: () => inner.close(),
      batch: (ops) => {
        batches.push([...ops]);
        return inner.batch(ops);
      },
    };
    const db = await openDb(recording);
    const opened = batches.length;
    await importInto(db, vectorFile("hornet-test_full_snapshot.bin"), vectorFile("hornet-test_delta_snapshot.bin"));
    const written = batches.slice(opened);
    const isMarker = (op: KvOp) => bytesToHex(op.key) === bytesToHex(MARKER);
    assert.deepEqual(
      written[0]!.map((op) => [op.type, bytesToHex(op.key)]),
      [["put", bytesToHex(MARKER)]],
    );
    const last = written[written.length - 1]!;
    assert.ok(last.some((op) => isMarker(op) && op.type === "del"));
    // The milestone indexes land in the same batch as the marker's deletion.
    assert.ok(last.some((op) => op.type === "put" && bytesToHex(op.key) === "0103"));
    for (const batch of written.slice(1, -1)) assert.ok(!batch.some(isMarker));
    assert.equal(snapshotImportInterrupted(inner), false);
  });

  it("a crash halfway leaves the marker; the import is then refused until the remains are discarded", async () => {
    const inner = new MemoryKvStore();
    let batchesLeft = Number.POSITIVE_INFINITY;
    const crashing: KvStore = {
      get: (k) => inner.get(k),
      has: (k) => inner.has(k),
      iterate: (r?: KvRange) => inner.iterate(r),
      count: (p) => inner.count(p),
      sizeBytes: () => inner.sizeBytes(),
      close: () => inner.close(),
      batch: (ops) => {
        // The process "dies": this batch and every later one never reach the disk.
        if (batchesLeft-- <= 0) return Promise.reject(new Error("power cut"));
        return inner.batch(ops);
      },
    };
    const path = await fileOfContent({
      header: MANY_HEADER,
      solidEntryPoints: [new Uint8Array(32)],
      outputs: manyOutputs(400, false),
    });
    const first = await openDb(crashing, { maxStagedOps: 50 });
    const fresh = await dump(first);
    batchesLeft = 6;
    await assert.rejects(importInto(first, path, undefined, { readChunkSize: 4096 }), /power cut|batch/);
    assert.equal(snapshotImportInterrupted(inner), true);
    assert.ok(inner.count() > fresh.length + 10, "part of the outputs reached the store");

    // Restart on what reached the disk.
    batchesLeft = Number.POSITIVE_INFINITY;
    const db = await openDb(crashing);
    const error = await snapshotErrorOf(() => importInto(db, path));
    assert.equal(error.code, "SNAPSHOT_ERROR_DATABASE_NOT_EMPTY");
    assert.match(error.message, /interrupted snapshot import/);
    assert.equal(
      await discardInterruptedSnapshotImport({ ledger: db.ledger, target: db.tangle, store: db.tangle.store }),
      true,
    );
    assert.deepEqual(await dump(db), fresh);
    assert.equal(snapshotImportInterrupted(inner), false);
    assert.equal(
      await discardInterruptedSnapshotImport({ ledger: db.ledger, target: db.tangle, store: db.tangle.store }),
      false,
    );
    const report = await importInto(db, path);
    assert.equal(report.outputs, 400);
    assert.deepEqual(seps(db.tangle), [`${ZERO_ID}@7`]);
    assert.equal(db.ledger.totalSupplyCheck(), TOKEN_SUPPLY);
    assertConsistent(db);
  });

  it("the files are read, not modified", async () => {
    const path = vectorFile("hornet-test_full_snapshot.bin");
    await importInto(await openDb(), path);
    assert.deepEqual(new Uint8Array(readFileSync(path)), readVectorBytes("hornet-test_full_snapshot.bin"));
  });
});
