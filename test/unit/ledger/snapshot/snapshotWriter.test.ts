import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { encodeMilestonePayload } from "../../../../src/codec/index.js";
import type { SnapshotHeaderFields } from "../../../../src/ledger/snapshot/snapshotFormat.js";
import { parseSnapshotBytes, readWholeSnapshot } from "../../../../src/ledger/snapshot/snapshotReader.js";
import { type SnapshotSources, writeSnapshot } from "../../../../src/ledger/snapshot/snapshotWriter.js";
import type { LedgerOutput } from "../../../../src/ledger/types.js";
import { TOKEN_SUPPLY } from "../../../../src/params/protocol.js";
import { arbMilestonePayload } from "../../../utils/arbitraries.js";
import { arbSnapshotContent, snapshotErrorOf, syntheticOutput } from "./snapshotTestUtils.js";

const dir = mkdtempSync(join(tmpdir(), "weaver-snapshot-writer-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const HEADER: SnapshotHeaderFields = {
  type: "full",
  timestamp: 1_700_000_000,
  networkId: 42n,
  sepIndex: 10,
  ledgerIndex: 10,
  treasury: { milestoneId: new Uint8Array(32), amount: 0 },
};
/** 20,000 outputs: 2.16 MB, so the 1 MiB buffer is flushed twice before the end. */
const MANY = 20_000;

async function* slowly<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const item of items) yield item;
}

function* outputsThenThrow(n: number): Generator<LedgerOutput> {
  for (let i = 0; i < n; i++) yield syntheticOutput(i);
  throw new Error("the database went away");
}

/** The directory holds exactly these names (no `.tmp` left behind). */
function assertDirHolds(names: string[]): void {
  assert.deepEqual(readdirSync(dir).sort(), [...names].sort());
}

describe("snapshot writer", () => {
  it("what is written reads back the same, and writing what was read gives the same bytes (random content)", async () => {
    const path = join(dir, "random.bin");
    const again = join(dir, "random-again.bin");
    await fc.assert(
      fc.asyncProperty(arbSnapshotContent(), async (content) => {
        const result = await writeSnapshot(path, content.header, content);
        const bytes = new Uint8Array(readFileSync(path));
        assert.equal(result.bytes, bytes.length);
        assert.deepEqual(
          [result.sepCount, result.outputCount, result.milestoneDiffCount],
          [content.solidEntryPoints.length, content.outputs.length, content.milestoneDiffs.length],
        );
        const read = await readWholeSnapshot(path);
        const { treasury, ...rest } = content.header;
        assert.deepEqual(read.header, {
          version: 1,
          ...rest,
          treasury,
          sepCount: content.solidEntryPoints.length,
          outputCount: content.outputs.length,
          milestoneDiffCount: content.milestoneDiffs.length,
        });
        assert.deepEqual(read.solidEntryPoints, content.solidEntryPoints);
        assert.deepEqual(read.outputs, content.outputs);
        assert.deepEqual(read.milestoneDiffs, content.milestoneDiffs);
        await writeSnapshot(again, read.header, read);
        assert.deepEqual(new Uint8Array(readFileSync(again)), bytes);
      }),
      { numRuns: 40 },
    );
    rmSync(path);
    rmSync(again);
    assertDirHolds([]);
  });

  it("async sources give the same bytes as arrays, across buffer flushes", async () => {
    const outputs = Array.from({ length: MANY }, (_, i) => syntheticOutput(i));
    const seps = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)];
    const a = join(dir, "arrays.bin");
    const b = join(dir, "async.bin");
    await writeSnapshot(a, HEADER, { solidEntryPoints: seps, outputs, milestoneDiffs: [] });
    await writeSnapshot(b, HEADER, {
      solidEntryPoints: slowly(seps),
      outputs: slowly(outputs),
      milestoneDiffs: slowly([]),
    });
    const bytes = new Uint8Array(readFileSync(a));
    assert.equal(bytes.length, 90 + 2 * 32 + MANY * 108);
    assert.deepEqual(new Uint8Array(readFileSync(b)), bytes);
    const read = await parseSnapshotBytes(bytes);
    assert.equal(read.outputs.length, MANY);
    assert.deepEqual(read.outputs[MANY - 1], outputs[MANY - 1]);
    rmSync(a);
    rmSync(b);
  });

  it("a source that fails half way leaves no file under the final name, and an existing file unchanged", async () => {
    const path = join(dir, "fail.bin");
    await assert.rejects(
      writeSnapshot(path, HEADER, { solidEntryPoints: [], outputs: outputsThenThrow(MANY) }),
      /the database went away/,
    );
    assertDirHolds([]);

    writeFileSync(path, "the previous snapshot");
    await assert.rejects(
      writeSnapshot(path, HEADER, { solidEntryPoints: [], outputs: outputsThenThrow(MANY) }),
      /the database went away/,
    );
    assert.equal(readFileSync(path, "utf8"), "the previous snapshot");
    assertDirHolds(["fail.bin"]);
    rmSync(path);
  });

  it("an aborted write is SNAPSHOT_ERROR_ABORTED and leaves the existing file unchanged", async () => {
    const path = join(dir, "abort.bin");
    writeFileSync(path, "the previous snapshot");
    const controller = new AbortController();
    async function* outputs(): AsyncGenerator<LedgerOutput> {
      for (let i = 0; i < MANY; i++) {
        if (i === MANY / 2) controller.abort(new Error("shutting down"));
        yield syntheticOutput(i);
      }
    }
    const e = await snapshotErrorOf(() =>
      writeSnapshot(path, HEADER, { solidEntryPoints: [], outputs: outputs() }, { signal: controller.signal }),
    );
    assert.equal(e.code, "SNAPSHOT_ERROR_ABORTED");
    assert.equal(readFileSync(path, "utf8"), "the previous snapshot");
    assertDirHolds(["abort.bin"]);

    const already = await snapshotErrorOf(() =>
      writeSnapshot(join(dir, "never.bin"), HEADER, { solidEntryPoints: [] }, { signal: AbortSignal.abort() }),
    );
    assert.equal(already.code, "SNAPSHOT_ERROR_ABORTED");
    assertDirHolds(["abort.bin"]);
    rmSync(path);
  });

  it("a bad record stops the write with INVALID_RECORD naming it, and leaves the existing file unchanged", async () => {
    const path = join(dir, "bad.bin");
    writeFileSync(path, "the previous snapshot");
    const bad = (i: number): LedgerOutput => {
      const o = syntheticOutput(i);
      return i === MANY - 1 ? { ...o, output: { ...o.output, amount: 0 } } : o;
    };
    const cases: [SnapshotHeaderFields, SnapshotSources, string, RegExp][] = [
      [HEADER, { solidEntryPoints: [new Uint8Array(31)] }, "SNAPSHOT_ERROR_INVALID_RECORD", /solid entry point 0/],
      [
        HEADER,
        { solidEntryPoints: [], outputs: Array.from({ length: MANY }, (_, i) => bad(i)) },
        "SNAPSHOT_ERROR_INVALID_RECORD",
        /output\[19999\]: amount 0/,
      ],
      [
        { ...HEADER, treasury: { milestoneId: new Uint8Array(32), amount: TOKEN_SUPPLY - 1 } },
        { solidEntryPoints: [], outputs: [syntheticOutput(0)] },
        "SNAPSHOT_ERROR_INVALID_RECORD",
        /more than the total supply/,
      ],
      [
        { ...HEADER, type: "delta", treasury: null },
        { solidEntryPoints: [], outputs: [syntheticOutput(0)] },
        "SNAPSHOT_ERROR_INVALID_RECORD",
        /a delta snapshot has no outputs/,
      ],
      [{ ...HEADER, ledgerIndex: -1 }, { solidEntryPoints: [] }, "SNAPSHOT_ERROR_INVALID_HEADER", /ledger index -1/],
    ];
    for (const [header, sources, code, message] of cases) {
      const e = await snapshotErrorOf(() => writeSnapshot(path, header, sources));
      assert.equal(e.code, code);
      assert.match(e.message, message);
      assert.equal(readFileSync(path, "utf8"), "the previous snapshot");
      assertDirHolds(["bad.bin"]);
    }
    rmSync(path);
  });

  it("a diff's spent treasury must be given exactly when its milestone has a receipt", async () => {
    const samples = fc.sample(arbMilestonePayload(), { numRuns: 200, seed: 9 });
    const withReceipt = samples.find((m) => m.receipt !== null);
    const withoutReceipt = samples.find((m) => m.receipt === null);
    assert.ok(withReceipt !== undefined && withoutReceipt !== undefined);
    const treasury = { milestoneId: new Uint8Array(32), amount: 5 };
    const path = join(dir, "treasury.bin");
    for (const [milestone, spentTreasury] of [
      [withReceipt, null],
      [withoutReceipt, treasury],
    ] as const) {
      const e = await snapshotErrorOf(() =>
        writeSnapshot(path, HEADER, {
          solidEntryPoints: [],
          milestoneDiffs: [
            { milestonePayloadBytes: encodeMilestonePayload(milestone), spentTreasury, created: [], consumed: [] },
          ],
        }),
      );
      assert.equal(e.code, "SNAPSHOT_ERROR_INVALID_MILESTONE");
    }
    const garbage = await snapshotErrorOf(() =>
      writeSnapshot(path, HEADER, {
        solidEntryPoints: [],
        milestoneDiffs: [{ milestonePayloadBytes: new Uint8Array(10), spentTreasury: null, created: [], consumed: [] }],
      }),
    );
    assert.equal(garbage.code, "SNAPSHOT_ERROR_INVALID_MILESTONE");
    assertDirHolds([]);
  });

  it("a directory that does not exist is SNAPSHOT_ERROR_IO", async () => {
    const e = await snapshotErrorOf(() =>
      writeSnapshot(join(dir, "no", "such", "dir.bin"), HEADER, { solidEntryPoints: [] }),
    );
    assert.equal(e.code, "SNAPSHOT_ERROR_IO");
    assert.ok(!existsSync(join(dir, "no")));
  });
});
