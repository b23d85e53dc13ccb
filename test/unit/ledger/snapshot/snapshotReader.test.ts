import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { SnapshotError } from "../../../../src/ledger/snapshot/snapshotError.js";
import {
  FULL_HEADER_LENGTH,
  MILESTONE_DIFF_LENGTH_MIN,
  OUTPUT_RECORD_LENGTH,
  SEP_LENGTH,
} from "../../../../src/ledger/snapshot/snapshotFormat.js";
import {
  openSnapshot,
  openSnapshotBytes,
  parseSnapshotBytes,
  readSnapshotHeader,
  readWholeSnapshot,
} from "../../../../src/ledger/snapshot/snapshotReader.js";
import { TOKEN_SUPPLY } from "../../../../src/params/protocol.js";
import { readVectorBytes } from "../../../utils/vectors.js";
import { patched, snapshotErrorOf, u64le } from "./snapshotTestUtils.js";

const FULL = readVectorBytes("hornet-test_full_snapshot.bin");
const DELTA = readVectorBytes("hornet-test_delta_snapshot.bin");
const NETWORK_ID = 6530425480034647824n;

/** Layout of hornet-test_full_snapshot.bin: 90-byte header, 10 SEPs, 2 outputs, then two diffs of a 319-byte
 * milestone, 2 created and 2 consumed records each. */
const FIRST_OUTPUT = FULL_HEADER_LENGTH + 10 * SEP_LENGTH;
const FIRST_DIFF = FIRST_OUTPUT + 2 * OUTPUT_RECORD_LENGTH;
const FIRST_CREATED_COUNT = FIRST_DIFF + 4 + 319;
const FIRST_CONSUMED_COUNT = FIRST_CREATED_COUNT + 8 + 2 * OUTPUT_RECORD_LENGTH;
const SECOND_DIFF = FIRST_CONSUMED_COUNT + 8 + 2 * 140;
/** The header's counts need at least this many bytes of file. */
const LEAST_FULL_SIZE = FIRST_DIFF + 2 * MILESTONE_DIFF_LENGTH_MIN;

const dir = mkdtempSync(join(tmpdir(), "weaver-snapshot-reader-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function fileOf(bytes: Uint8Array, name = "snapshot.bin"): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

async function codeOfBytes(bytes: Uint8Array): Promise<string> {
  return (await snapshotErrorOf(() => parseSnapshotBytes(bytes))).code;
}

describe("snapshot reader: damaged files", () => {
  it("the layout constants match the test file (first created count = 2 outputs, at the record boundary)", async () => {
    assert.equal(FULL[FIRST_CREATED_COUNT], 2);
    assert.equal(FULL[FIRST_CONSUMED_COUNT], 2);
    assert.equal(FULL.length, FIRST_DIFF + 2 * (SECOND_DIFF - FIRST_DIFF));
  });

  it("refuses the test full snapshot cut at every byte: TRUNCATED in the header and the records, COUNT where a count no longer fits", async () => {
    for (let n = 0; n < FULL.length; n++) {
      const e = await snapshotErrorOf(() => parseSnapshotBytes(FULL.subarray(0, n)));
      if (n < FULL_HEADER_LENGTH) assert.equal(e.code, "SNAPSHOT_ERROR_TRUNCATED", `cut at ${n}`);
      else if (n < LEAST_FULL_SIZE) assert.equal(e.code, "SNAPSHOT_ERROR_COUNT", `cut at ${n}`);
      else assert.ok(e.code === "SNAPSHOT_ERROR_TRUNCATED" || e.code === "SNAPSHOT_ERROR_COUNT", `cut at ${n}`);
      assert.ok((e.type.offset ?? -1) <= n, `cut at ${n}: offset ${e.type.offset} past the end`);
    }
    // Records are covered by their count's check; a cut inside a milestone payload is plain truncation.
    assert.equal(await codeOfBytes(FULL.subarray(0, SECOND_DIFF + 100)), "SNAPSHOT_ERROR_TRUNCATED");
    assert.equal(await codeOfBytes(FULL.subarray(0, FULL.length - 1)), "SNAPSHOT_ERROR_COUNT");
  });

  it("reading from a file gives the same verdict as from memory at every cut (small read window)", async () => {
    const path = join(dir, "cut.bin");
    for (let n = 0; n < FULL.length; n++) {
      const expected = await snapshotErrorOf(() => parseSnapshotBytes(FULL.subarray(0, n)));
      writeFileSync(path, FULL.subarray(0, n));
      const e = await snapshotErrorOf(() => readWholeSnapshot(path, { chunkSize: 200 }));
      assert.equal(e.code, expected.code, `cut at ${n}`);
      assert.equal(e.type.offset, expected.type.offset, `cut at ${n}`);
    }
  });

  it("refuses the test delta snapshot cut at every byte", async () => {
    for (let n = 0; n < DELTA.length; n++) {
      const code = await codeOfBytes(DELTA.subarray(0, n));
      assert.ok(code === "SNAPSHOT_ERROR_TRUNCATED" || code === "SNAPSHOT_ERROR_COUNT", `cut at ${n}: ${code}`);
    }
  });

  it("refuses another version or type byte", async () => {
    for (const v of [0, 2, 0xff])
      assert.equal(await codeOfBytes(patched(FULL, 0, [v])), "SNAPSHOT_ERROR_UNSUPPORTED_VERSION");
    for (const t of [2, 0x80, 0xff])
      assert.equal(await codeOfBytes(patched(FULL, 1, [t])), "SNAPSHOT_ERROR_INVALID_TYPE");
    // Full read as delta: the expectation catches it; without one, the misread body is still refused.
    const asDelta = patched(FULL, 1, [1]);
    const e = await snapshotErrorOf(() => parseSnapshotBytes(asDelta, { expectedType: "full" }));
    assert.equal(e.code, "SNAPSHOT_ERROR_INVALID_TYPE");
    assert.match(e.message, /delta snapshot, a full snapshot was expected/);
    await snapshotErrorOf(() => parseSnapshotBytes(asDelta));
    await snapshotErrorOf(() => parseSnapshotBytes(patched(DELTA, 1, [0])));
  });

  it("refuses trailing bytes after the last diff, at the offset where they start", async () => {
    for (const extra of [1, 107, 5000]) {
      const bytes = new Uint8Array(FULL.length + extra);
      bytes.set(FULL);
      const e = await snapshotErrorOf(() => parseSnapshotBytes(bytes));
      assert.equal(e.code, "SNAPSHOT_ERROR_TRAILING_BYTES");
      assert.equal(e.type.offset, FULL.length);
      assert.match(e.message, new RegExp(`${extra} bytes follow the last of the 2 milestone diffs`));
    }
    const genesis = readVectorBytes("hornet-full_snapshot.bin");
    assert.equal(await codeOfBytes(Uint8Array.from([...genesis, 0])), "SNAPSHOT_ERROR_TRAILING_BYTES");
  });

  it("refuses huge counts before allocating anything for them", async () => {
    const huge = [2n ** 64n - 1n, 2n ** 53n, 2n ** 40n, 100_000n];
    for (const c of huge) {
      for (const at of [26, 34, 42]) {
        const e = await snapshotErrorOf(() => parseSnapshotBytes(patched(FULL, at, u64le(c))));
        assert.equal(e.code, "SNAPSHOT_ERROR_COUNT", `count ${c} at ${at}`);
        assert.equal(e.type.offset, 26);
      }
      for (const at of [FIRST_CREATED_COUNT, FIRST_CONSUMED_COUNT]) {
        const e = await snapshotErrorOf(() => parseSnapshotBytes(patched(FULL, at, u64le(c))));
        assert.equal(e.code, "SNAPSHOT_ERROR_COUNT", `count ${c} at ${at}`);
        assert.equal(e.type.offset, at);
      }
      assert.equal(await codeOfBytes(patched(DELTA, 34, u64le(c))), "SNAPSHOT_ERROR_COUNT");
    }
  });

  it("refuses a bad output type, address type or amount, and outputs summing above the supply", async () => {
    const cases: [number, ArrayLike<number>][] = [
      [FIRST_OUTPUT + 66, [2]],
      [FIRST_OUTPUT + OUTPUT_RECORD_LENGTH + 66, [0xff]],
      [FIRST_OUTPUT + 67, [1]],
      [FIRST_OUTPUT + 100, u64le(0n)],
      [FIRST_CREATED_COUNT + 8 + 66, [7]],
      [FIRST_CONSUMED_COUNT + 8 + 67, [3]],
    ];
    for (const [at, values] of cases) {
      const e = await snapshotErrorOf(() => parseSnapshotBytes(patched(FULL, at, values)));
      assert.equal(e.code, "SNAPSHOT_ERROR_INVALID_RECORD", `patch at ${at}`);
      assert.ok(e.type.offset !== undefined && e.type.offset >= at - 100 && e.type.offset <= at, `offset at ${at}`);
    }
    // Treasury 2779530253277761 + 10 Mi + 20 Mi is exactly the supply: one more iota is too many.
    const e = await snapshotErrorOf(() =>
      parseSnapshotBytes(patched(FULL, FIRST_OUTPUT + OUTPUT_RECORD_LENGTH + 100, u64le(20_000_001n))),
    );
    assert.equal(e.code, "SNAPSHOT_ERROR_INVALID_RECORD");
    assert.match(e.message, new RegExp(`sum to ${TOKEN_SUPPLY + 1}`));
  });

  it("refuses an empty, oversized or undecodable milestone payload", async () => {
    for (const [at, values] of [
      [FIRST_DIFF, [0, 0, 0, 0]],
      [FIRST_DIFF, [1, 0x80, 0, 0]],
      [FIRST_DIFF + 4, [2]],
      [FIRST_DIFF, [0x3e, 1, 0, 0]],
    ] as const) {
      assert.equal(await codeOfBytes(patched(FULL, at, values)), "SNAPSHOT_ERROR_INVALID_MILESTONE", `patch at ${at}`);
    }
  });

  it("never crashes or hangs on random damage: every result is a parse or a SnapshotError", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ at: fc.nat(DELTA.length - 1), value: fc.integer({ min: 0, max: 255 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        async (flips) => {
          const bytes = DELTA.slice();
          for (const { at, value } of flips) bytes[at] = value;
          try {
            await parseSnapshotBytes(bytes);
          } catch (e) {
            assert.ok(e instanceof SnapshotError, String(e));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("snapshot reader: header checks and API", () => {
  it("checks the network id and the type when the caller asks", async () => {
    const path = fileOf(FULL);
    const e = await snapshotErrorOf(() => openSnapshot(path, { expectedNetworkId: 1n }));
    assert.equal(e.code, "SNAPSHOT_ERROR_NETWORK_ID_MISMATCH");
    assert.equal(e.type.offset, 10);
    assert.equal(
      (await snapshotErrorOf(() => openSnapshot(path, { expectedType: "delta" }))).code,
      "SNAPSHOT_ERROR_INVALID_TYPE",
    );
    const reader = await openSnapshot(path, { expectedNetworkId: NETWORK_ID, expectedType: "full" });
    assert.equal(reader.header.ledgerIndex, 3);
    await reader.close();
  });

  it("a missing file is SNAPSHOT_ERROR_IO naming the path", async () => {
    const path = join(dir, "missing.bin");
    const e = await snapshotErrorOf(() => readSnapshotHeader(path));
    assert.equal(e.code, "SNAPSHOT_ERROR_IO");
    assert.ok(e.message.includes(path));
    assert.ok(e.cause instanceof Error);
  });

  it("readSnapshotHeader reads the header only (a file damaged after it still gives its header)", async () => {
    const damaged = patched(FULL, FIRST_OUTPUT + 66, [9]);
    const header = await readSnapshotHeader(fileOf(damaged));
    assert.equal(header.sepCount, 10);
    assert.equal(header.outputCount, 2);
  });

  it("milestoneDiffs() alone skips (and checks) the earlier sections", async () => {
    const whole = await parseSnapshotBytes(FULL);
    const reader = await openSnapshot(fileOf(FULL));
    const diffs = [];
    for await (const d of reader.milestoneDiffs()) diffs.push(d);
    await reader.close();
    assert.deepEqual(diffs, whole.milestoneDiffs);

    const bad = await openSnapshotBytes(patched(FULL, FIRST_OUTPUT + 66, [9]));
    const e = await snapshotErrorOf(async () => {
      for await (const _ of bad.milestoneDiffs()) assert.fail("yielded a diff");
    });
    assert.equal(e.code, "SNAPSHOT_ERROR_INVALID_RECORD");
  });

  it("outputs() yields the outputs one by one, as outputBatches() does in batches", async () => {
    const whole = await parseSnapshotBytes(FULL);
    const reader = await openSnapshotBytes(FULL);
    const outputs = [];
    for await (const o of reader.outputs()) outputs.push(o);
    assert.deepEqual(outputs, whole.outputs);
    await reader.close();
  });

  it("sections are read once each, in file order, and not after close()", async () => {
    const reader = await openSnapshotBytes(FULL);
    for await (const _ of reader.outputBatches());
    assert.equal((await snapshotErrorOf(async () => reader.solidEntryPoints())).code, "SNAPSHOT_ERROR_READ_ORDER");
    assert.equal((await snapshotErrorOf(async () => reader.outputBatches())).code, "SNAPSHOT_ERROR_READ_ORDER");
    await reader.close();
    assert.equal((await snapshotErrorOf(async () => reader.milestoneDiffs())).code, "SNAPSHOT_ERROR_READ_ORDER");

    // A suspended SEP iterator that resumes after outputs were read has nothing valid left to give.
    const second = await openSnapshotBytes(FULL);
    const seps = second.solidEntryPoints();
    assert.equal((await seps.next()).done, false);
    for await (const _ of second.outputBatches());
    const e = await snapshotErrorOf(async () => {
      for (;;) if ((await seps.next()).done) break;
    });
    assert.equal(e.code, "SNAPSHOT_ERROR_READ_ORDER");
    await second.close();
  });

  it("any read window size gives the same result as the whole file in memory", async () => {
    for (const bytes of [FULL, DELTA]) {
      const whole = await parseSnapshotBytes(bytes);
      const path = fileOf(bytes, "window.bin");
      for (const chunkSize of [1, 100, 107, 108, 109, 200, 1000, 4096]) {
        assert.deepEqual(await readWholeSnapshot(path, { chunkSize }), whole, `chunk ${chunkSize}`);
      }
    }
  });
});
