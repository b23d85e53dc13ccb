import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { CodecError } from "../../../../src/codec/index.js";
import { SNAPSHOT_ERROR_CODES, SnapshotError } from "../../../../src/ledger/snapshot/snapshotError.js";
import {
  COUNTS_OFFSET,
  DELTA_HEADER_LENGTH,
  decodeDiffMilestone,
  decodeOutputRecords,
  decodeSnapshotHeader,
  decodeSpentRecords,
  encodeOutputRecord,
  encodeSnapshotCounts,
  encodeSnapshotHeader,
  encodeSpentRecord,
  FULL_HEADER_LENGTH,
  OUTPUT_RECORD_LENGTH,
  type SnapshotHeaderFields,
  SPENT_RECORD_LENGTH,
} from "../../../../src/ledger/snapshot/snapshotFormat.js";
import type { LedgerOutput } from "../../../../src/ledger/types.js";
import { TOKEN_SUPPLY } from "../../../../src/params/protocol.js";
import { bytesToHex } from "../../../../src/primitives/hex.js";
import { arbBytes } from "../../../utils/arbitraries.js";
import { patched, u64le } from "./snapshotTestUtils.js";

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof SnapshotError) return e.code;
    throw e;
  }
  return "no error";
}

const FULL: SnapshotHeaderFields = {
  type: "full",
  timestamp: 1617695174,
  networkId: 0xfedc_ba98_7654_3210n,
  sepIndex: 0x0102_0304,
  ledgerIndex: 0xffff_ffff,
  treasury: { milestoneId: new Uint8Array(32).fill(7), amount: TOKEN_SUPPLY },
};
const DELTA: SnapshotHeaderFields = { ...FULL, type: "delta", treasury: null };
const COUNTS = { sepCount: 3, outputCount: 1_000_000, milestoneDiffCount: 2 ** 40 };

const OUTPUT: LedgerOutput = {
  outputId: new Uint8Array(34).fill(0x34),
  messageId: new Uint8Array(32).fill(0x32),
  output: { type: 1, address: { type: 0, address: new Uint8Array(32).fill(0xad) }, amount: 0x0102_0304_0506 },
};

const tally = () => ({ total: 0, what: "the outputs" });

function decodeOne(buf: Uint8Array, pos: number, offset: number): LedgerOutput {
  const [o] = decodeOutputRecords(buf, pos, 1, offset, tally());
  assert.ok(o !== undefined);
  return o;
}

function encodedOutput(o: LedgerOutput = OUTPUT): Uint8Array {
  const buf = new Uint8Array(OUTPUT_RECORD_LENGTH);
  encodeOutputRecord(o, buf, 0, "output", 0);
  return buf;
}

describe("snapshot header", () => {
  it("full: 90 bytes, fields little-endian at their offsets, and decodes back", () => {
    const bytes = encodeSnapshotHeader(FULL, COUNTS);
    assert.equal(bytes.length, FULL_HEADER_LENGTH);
    assert.equal(
      bytesToHex(bytes.subarray(0, 34)),
      `0100c6116c6000000000${"1032547698badcfe"}04030201ffffffff0300000000000000`,
    );
    assert.equal(bytesToHex(bytes.subarray(34, 50)), "40420f00000000000000000000010000");
    assert.equal(bytesToHex(bytes.subarray(50, 82)), "07".repeat(32));
    assert.equal(bytesToHex(bytes.subarray(82)), "c15d2dd3f7df0900");
    assert.deepEqual(decodeSnapshotHeader(bytes), { version: 1, ...FULL, ...COUNTS });
  });

  it("delta: 42 bytes, no outputs count and no treasury", () => {
    const bytes = encodeSnapshotHeader(DELTA, { ...COUNTS, outputCount: 0 });
    assert.equal(bytes.length, DELTA_HEADER_LENGTH);
    assert.equal(bytes[1], 1);
    assert.equal(bytesToHex(bytes.subarray(COUNTS_OFFSET)), "03000000000000000000000000010000");
    assert.deepEqual(decodeSnapshotHeader(bytes), { version: 1, ...DELTA, ...COUNTS, outputCount: 0 });
    assert.deepEqual(encodeSnapshotCounts("delta", COUNTS), bytes.subarray(COUNTS_OFFSET));
  });

  it("refuses an unknown version or type and a short header, with the offset", () => {
    const full = encodeSnapshotHeader(FULL, COUNTS);
    for (let v = 0; v < 256; v++) {
      if (v === 1) continue;
      assert.equal(
        codeOf(() => decodeSnapshotHeader(patched(full, 0, [v]))),
        "SNAPSHOT_ERROR_UNSUPPORTED_VERSION",
      );
    }
    for (let t = 2; t < 256; t++) {
      assert.equal(
        codeOf(() => decodeSnapshotHeader(patched(full, 1, [t]))),
        "SNAPSHOT_ERROR_INVALID_TYPE",
      );
    }
    for (let n = 0; n < FULL_HEADER_LENGTH; n++) {
      assert.equal(
        codeOf(() => decodeSnapshotHeader(full.subarray(0, n))),
        "SNAPSHOT_ERROR_TRUNCATED",
        `${n} bytes`,
      );
    }
    const e = (() => {
      try {
        decodeSnapshotHeader(patched(full, 1, [9]));
      } catch (err) {
        return err as SnapshotError;
      }
      return undefined;
    })();
    assert.equal(e?.type.offset, 1);
    assert.match(e?.message ?? "", /^byte 1: .*type byte is 9/);
  });

  it("refuses a treasury above the supply", () => {
    const bytes = patched(encodeSnapshotHeader(FULL, COUNTS), 82, u64le(BigInt(TOKEN_SUPPLY) + 1n));
    assert.equal(
      codeOf(() => decodeSnapshotHeader(bytes)),
      "SNAPSHOT_ERROR_INVALID_RECORD",
    );
  });

  it("the writer refuses header fields out of range", () => {
    const bad: SnapshotHeaderFields[] = [
      { ...FULL, treasury: null },
      { ...DELTA, treasury: FULL.treasury },
      { ...FULL, sepIndex: -1 },
      { ...FULL, ledgerIndex: 2 ** 32 },
      { ...FULL, timestamp: 1.5 },
      { ...FULL, networkId: 2n ** 64n },
      { ...FULL, networkId: -1n },
    ];
    for (const h of bad)
      assert.equal(
        codeOf(() => encodeSnapshotHeader(h, COUNTS)),
        "SNAPSHOT_ERROR_INVALID_HEADER",
      );
    assert.equal(
      codeOf(() => encodeSnapshotHeader(DELTA, COUNTS)),
      "SNAPSHOT_ERROR_INVALID_HEADER",
    );
    assert.equal(
      codeOf(() =>
        encodeSnapshotHeader({ ...FULL, treasury: { milestoneId: new Uint8Array(32), amount: -1 } }, COUNTS),
      ),
      "SNAPSHOT_ERROR_INVALID_RECORD",
    );
  });
});

describe("Output and Spent records", () => {
  it("Output: messageId · outputId · type · address type · address · amount LE, 108 bytes", () => {
    const rec = encodedOutput();
    assert.equal(bytesToHex(rec.subarray(0, 32)), "32".repeat(32));
    assert.equal(bytesToHex(rec.subarray(32, 66)), "34".repeat(34));
    assert.deepEqual([rec[66], rec[67]], [1, 0]);
    assert.equal(bytesToHex(rec.subarray(68, 100)), "ad".repeat(32));
    assert.equal(bytesToHex(rec.subarray(100)), "0605040302010000");
    assert.deepEqual(decodeOne(rec, 0, 0), OUTPUT);
  });

  it("round-trips any valid Output and Spent record", () => {
    fc.assert(
      fc.property(
        arbBytes(34),
        arbBytes(32),
        fc.constantFrom(0 as const, 1 as const),
        arbBytes(32),
        fc.integer({ min: 1, max: TOKEN_SUPPLY }),
        arbBytes(32),
        fc.integer({ min: 0, max: 0xffff_ffff }),
        (outputId, messageId, type, address, amount, target, index) => {
          const o: LedgerOutput = { outputId, messageId, output: { type, address: { type: 0, address }, amount } };
          const buf = new Uint8Array(3 + SPENT_RECORD_LENGTH);
          assert.equal(encodeOutputRecord(o, buf, 3, "output", 0), amount);
          assert.deepEqual(decodeOne(buf, 3, 1000), o);
          encodeSpentRecord({ ...o, targetTransactionId: target }, buf, 3, "spent", 0);
          assert.deepEqual(decodeSpentRecords(buf, 3, 1, 1000, tally(), index), [
            {
              ...o,
              targetTransactionId: target,
              milestoneIndexSpent: index,
            },
          ]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("a decoded record owns its bytes (the read buffer is reused)", () => {
    const buf = encodedOutput();
    const o = decodeOne(buf, 0, 0);
    buf.fill(0xee);
    assert.deepEqual(o, OUTPUT);
  });

  it("decodes many records across copy blocks; a bad record anywhere refuses the whole batch at its offset", () => {
    const n = 1500;
    const buf = new Uint8Array(n * OUTPUT_RECORD_LENGTH);
    const outputs = Array.from(
      { length: n },
      (_, i): LedgerOutput => ({
        ...OUTPUT,
        outputId: new Uint8Array(34).fill(i & 0xff),
        output: { ...OUTPUT.output, amount: i + 1 },
      }),
    );
    for (let i = 0; i < n; i++) encodeOutputRecord(outputs[i]!, buf, i * OUTPUT_RECORD_LENGTH, "output", i);
    const t = tally();
    assert.deepEqual(decodeOutputRecords(buf, 0, n, 0, t), outputs);
    assert.equal(t.total, (n * (n + 1)) / 2);

    const bad = patched(buf, 1234 * OUTPUT_RECORD_LENGTH + 66, [5]);
    try {
      decodeOutputRecords(bad, 0, n, 90, tally());
      assert.fail("accepted");
    } catch (e) {
      assert.ok(e instanceof SnapshotError);
      assert.equal(e.type.offset, 90 + 1234 * OUTPUT_RECORD_LENGTH + 66);
    }
    const over = { total: TOKEN_SUPPLY - 10, what: "the treasury and the outputs" };
    try {
      decodeOutputRecords(buf, 0, n, 0, over);
      assert.fail("accepted");
    } catch (e) {
      assert.ok(e instanceof SnapshotError);
      assert.equal(e.code, "SNAPSHOT_ERROR_INVALID_RECORD");
      assert.equal(e.type.offset, 4 * OUTPUT_RECORD_LENGTH + 100);
      assert.match(e.message, /the treasury and the outputs sum to/);
    }
  });

  it("refuses a bad output type, address type or amount, naming the file offset of the field", () => {
    const rec = encodedOutput();
    const cases: [number, ArrayLike<number>, number][] = [
      [66, [2], 66],
      [66, [0xff], 66],
      [67, [1], 67],
      [100, u64le(0n), 100],
      [100, u64le(BigInt(TOKEN_SUPPLY) + 1n), 100],
      [100, u64le(2n ** 64n - 1n), 100],
    ];
    for (const [at, values, field] of cases) {
      try {
        decodeOne(patched(rec, at, values), 0, 5000);
        assert.fail("accepted");
      } catch (e) {
        assert.ok(e instanceof SnapshotError);
        assert.equal(e.code, "SNAPSHOT_ERROR_INVALID_RECORD");
        assert.equal(e.type.offset, 5000 + field);
      }
    }
    assert.equal(
      codeOf(() => decodeOne(patched(rec, 100, u64le(BigInt(TOKEN_SUPPLY))), 0, 0)),
      "no error",
    );
  });

  it("the encoder refuses fields of the wrong length or range", () => {
    const buf = new Uint8Array(SPENT_RECORD_LENGTH);
    const bad: LedgerOutput[] = [
      { ...OUTPUT, outputId: new Uint8Array(32) },
      { ...OUTPUT, messageId: new Uint8Array(34) },
      { ...OUTPUT, output: { ...OUTPUT.output, amount: 0 } },
      { ...OUTPUT, output: { ...OUTPUT.output, amount: TOKEN_SUPPLY + 1 } },
      { ...OUTPUT, output: { ...OUTPUT.output, amount: 1.5 } },
      { ...OUTPUT, output: { ...OUTPUT.output, address: { type: 0, address: new Uint8Array(33) } } },
    ];
    for (const o of bad) {
      assert.equal(
        codeOf(() => encodeOutputRecord(o, buf, 0, "output", 7)),
        "SNAPSHOT_ERROR_INVALID_RECORD",
      );
    }
    try {
      encodeOutputRecord(bad[0]!, buf, 0, "output", 7);
    } catch (e) {
      assert.match((e as Error).message, /^output\[7\]: outputId must be 34 bytes/);
    }
    assert.equal(
      codeOf(() => encodeSpentRecord({ ...OUTPUT, targetTransactionId: new Uint8Array(31) }, buf, 0, "spent", 0)),
      "SNAPSHOT_ERROR_INVALID_RECORD",
    );
  });
});

describe("milestone payload of a diff", () => {
  it("a payload that does not decode is INVALID_MILESTONE, at its file offset, caused by the CodecError", () => {
    try {
      decodeDiffMilestone(Uint8Array.from([2, 0, 0, 0, 1]), 700);
      assert.fail("accepted");
    } catch (e) {
      assert.ok(e instanceof SnapshotError);
      assert.equal(e.code, "SNAPSHOT_ERROR_INVALID_MILESTONE");
      assert.equal(e.type.offset, 700);
      assert.ok(e.cause instanceof CodecError);
    }
  });
});

describe("SNAPSHOT_ERROR_CODES", () => {
  it("are unique and all SNAPSHOT_ERROR_*", () => {
    assert.equal(new Set(SNAPSHOT_ERROR_CODES).size, SNAPSHOT_ERROR_CODES.length);
    for (const c of SNAPSHOT_ERROR_CODES) assert.match(c, /^SNAPSHOT_ERROR_[A-Z_]+$/);
  });
});
