import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PowHelper } from "@iota/iota.js";
import fc from "fast-check";
import {
  powDigest,
  powScore,
  powScoreOfDigest,
  powTrailingZeros,
  targetTrailingZeros,
  trailingZeroTrits,
} from "../../../src/crypto/powScore.js";

describe("powScore against iota.js 1.8.6 PowHelper.score", () => {
  it("agrees on random messages of 8..1000 bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 8, maxLength: 1000 }), (message) => {
        assert.equal(powScore(message), PowHelper.score(message));
      }),
      { numRuns: 40 },
    );
  });

  it("agrees on messages whose nonce was chosen to give trailing zeros", () => {
    const message = new Uint8Array(120).map((_, i) => i);
    const view = new DataView(message.buffer);
    let found = 0;
    for (let nonce = 0n; found < 3 && nonce < 2000n; nonce++) {
      view.setBigUint64(112, nonce, true);
      const score = powScore(message);
      if (score >= 9 / 120) {
        found++;
        assert.equal(score, PowHelper.score(message));
      }
    }
    assert.equal(found, 3);
  });
});

describe("powScoreOfDigest / powTrailingZeros", () => {
  it("take the nonce as 8 LE bytes or as a u64, and reject anything else", () => {
    const digest = new Uint8Array(32).fill(9);
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }), (n) => {
        const bytes = new Uint8Array(8);
        new DataView(bytes.buffer).setBigUint64(0, n, true);
        assert.equal(powTrailingZeros(digest, n), powTrailingZeros(digest, bytes));
        assert.equal(powScoreOfDigest(digest, n, 100), 3 ** powTrailingZeros(digest, bytes) / 100);
      }),
      { numRuns: 30 },
    );
    assert.throws(() => powTrailingZeros(digest, -1n), RangeError);
    assert.throws(() => powTrailingZeros(digest, 1n << 64n), RangeError);
    assert.throws(() => powTrailingZeros(digest, new Uint8Array(7)), RangeError);
    assert.throws(() => powTrailingZeros(new Uint8Array(31), 0n), RangeError);
  });
});

describe("short inputs", () => {
  it("a message without room for a nonce scores 0; powDigest refuses it", () => {
    assert.equal(powScore(new Uint8Array(7)), 0);
    assert.equal(powScore(new Uint8Array(0)), 0);
    assert.throws(() => powDigest(new Uint8Array(7)), RangeError);
    assert.equal(powDigest(new Uint8Array(8)).length, 32);
  });
});

describe("trailingZeroTrits", () => {
  it("counts zeros from the end", () => {
    assert.equal(trailingZeroTrits(Int8Array.of(1, 0, 0)), 2);
    assert.equal(trailingZeroTrits(Int8Array.of(0, 0, -1)), 0);
    assert.equal(trailingZeroTrits(new Int8Array(243)), 243);
    assert.equal(trailingZeroTrits(new Int8Array(0)), 0);
  });
});

describe("targetTrailingZeros", () => {
  it("matches iota.js PowHelper.calculateTargetZeros and chrysalis.md §2.1 at 4000", () => {
    for (const length of [8, 21, 53, 100, 110, 111, 300, 660, 1000, 4096, 32768]) {
      for (const target of [1, 100, 1500, 2000, 4000, 10000]) {
        assert.equal(
          targetTrailingZeros(length, target),
          PowHelper.calculateTargetZeros(new Uint8Array(length), target),
          `${length} bytes at ${target}`,
        );
      }
    }
    assert.equal(targetTrailingZeros(53, 4000), 12);
    assert.equal(targetTrailingZeros(110, 4000), 12);
    assert.equal(targetTrailingZeros(300, 4000), 13);
    assert.equal(targetTrailingZeros(660, 4000), 14);
    assert.equal(targetTrailingZeros(32768, 4000), 18);
  });

  it("uses a correctly rounded ln 3, so exact powers of three need exactly that many zeros", () => {
    // 3^k / length ≥ target with length · target = 3^k needs k zeros, not k + 1.
    for (let k = 1; k <= 20; k++) assert.equal(targetTrailingZeros(3 ** k, 1), k, `3^${k}`);
  });
});
