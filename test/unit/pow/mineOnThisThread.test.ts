import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PowHelper } from "@iota/iota.js";
import fc from "fast-check";
import { powScore } from "../../../src/crypto/powScore.js";
import { mineOnThisThread } from "../../../src/pow/mineOnThisThread.js";
import type { PowError } from "../../../src/pow/powError.js";
import { requiredZeros, withNonce } from "../../../src/pow/powJob.js";

describe("mineOnThisThread", () => {
  for (const kernel of ["wasm", "ts"] as const) {
    it(`${kernel}: mined nonces pass iota.js PowHelper.score and our powScore`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.uint8Array({ minLength: 8, maxLength: 400 }),
          fc.integer({ min: 1, max: 400 }),
          async (m, s) => {
            const r = await mineOnThisThread(m, s, { kernel });
            const mined = withNonce(m, r.nonce);
            assert.ok(PowHelper.score(mined) >= s);
            assert.equal(powScore(mined), PowHelper.score(mined));
          },
        ),
        { numRuns: kernel === "ts" ? 5 : 20 },
      );
    });
  }

  it("is deterministic and ignores the message's nonce field", async () => {
    const m = new Uint8Array(300).map((_, i) => i);
    const a = await mineOnThisThread(m, 1000);
    const b = await mineOnThisThread(withNonce(m, 123456789n), 1000);
    assert.equal(a.nonce, b.nonce);
    assert.ok(PowHelper.score(withNonce(m, a.nonce)) >= 1000);
  });

  it("honours an AbortSignal between slices", async () => {
    const started = performance.now();
    await assert.rejects(
      mineOnThisThread(new Uint8Array(300), 3 ** 25, { signal: AbortSignal.timeout(150) }),
      (e: PowError) => e.code === "POW_ERROR_ABORTED",
    );
    assert.ok(performance.now() - started < 1000);
  });

  it("rejects invalid arguments with typed errors", async () => {
    await assert.rejects(
      mineOnThisThread(new Uint8Array(7), 10),
      (e: PowError) => e.code === "POW_ERROR_MESSAGE_TOO_SHORT",
    );
    await assert.rejects(mineOnThisThread(new Uint8Array(8), 0), (e: PowError) => e.code === "POW_ERROR_INVALID_SCORE");
  });
});

describe("requiredZeros and withNonce", () => {
  it("gives the smallest z with 3^z / length >= score, computed as iota.js computes the score", () => {
    fc.assert(
      fc.property(fc.integer({ min: 8, max: 32768 }), fc.double({ min: 1e-6, max: 1e9, noNaN: true }), (len, s) => {
        const z = requiredZeros(len, s);
        assert.ok(3 ** z / len >= s);
        if (z > 0) assert.ok(3 ** (z - 1) / len < s);
      }),
    );
    // Exact powers of three: 3^13 / 300 is the score itself, so 13 zeros suffice.
    assert.equal(requiredZeros(300, 3 ** 13 / 300), 13);
    assert.equal(requiredZeros(300, 4000), 13);
    assert.equal(requiredZeros(53, 4000), 12);
    assert.equal(requiredZeros(100, 0.001), 0);
  });

  it("writes the nonce little-endian into the last 8 bytes of a copy", () => {
    const m = new Uint8Array(10);
    const out = withNonce(m, 0x0102030405060708n);
    assert.deepEqual([...out], [0, 0, 8, 7, 6, 5, 4, 3, 2, 1]);
    assert.deepEqual([...m], new Array(10).fill(0));
  });
});
