import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  CURL_B1T6_MAX_BYTES,
  curlP81,
  curlP81B1t6TrailingZeros,
  curlP81Reference,
  curlP81RotationAmounts,
  curlP81TritPosition,
} from "../../../src/crypto/curlP81.js";
import { b1t6Encode } from "../../../src/primitives/ternary.js";

const trits = (n: number) =>
  fc.array(fc.constantFrom(-1, 0, 1), { minLength: n, maxLength: n }).map((a) => Int8Array.from(a));

function referenceTrailingZeros(bytes: Uint8Array): number {
  const input = new Int8Array(243);
  input.set(b1t6Encode(bytes));
  const hash = curlP81Reference(input);
  let z = 0;
  for (let i = 242; i >= 0 && hash[i] === 0; i--) z++;
  return z;
}

describe("curlP81 permuted-state derivation", () => {
  it("rotates by 364^(R+1) mod 729 in round R and returns to the identity after 243 rounds", () => {
    const amounts = curlP81RotationAmounts();
    assert.equal(amounts.length, 243);
    let k = 1;
    for (let r = 0; r < 243; r++) {
      k = (k * 364) % 729;
      assert.equal(amounts[r], k, `round ${r}`);
    }
    assert.equal(k, 1);
    // Phase 0 (one block in, one out) never rotates by a multiple of 32.
    assert.ok(amounts.slice(0, 81).every((a) => a % 32 !== 0));
  });

  it("puts logical trit t at 244·t mod 729 after one transform and 487·t after two", () => {
    for (let t = 0; t < 243; t++) {
      assert.equal(curlP81TritPosition(0, t), t);
      assert.equal(curlP81TritPosition(1, t), (244 * t) % 729);
      assert.equal(curlP81TritPosition(2, t), (487 * t) % 729);
    }
  });
});

describe("curlP81 (fast) against the reference", () => {
  it("agrees on random single blocks, including all-zero and extreme inputs", () => {
    for (const fill of [-1, 0, 1]) {
      const input = new Int8Array(243).fill(fill);
      assert.deepEqual(curlP81(input), curlP81Reference(input));
    }
    fc.assert(
      fc.property(trits(243), (input) => {
        assert.deepEqual(curlP81(input), curlP81Reference(input));
      }),
      { numRuns: 60 },
    );
  });

  it("agrees on several blocks in and out (every phase and the aligned rotations)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        trits(972),
        (inBlocks, outBlocks, t) => {
          const input = t.subarray(0, inBlocks * 243);
          assert.deepEqual(curlP81(input, outBlocks * 243), curlP81Reference(input, outBlocks * 243));
        },
      ),
      { numRuns: 25 },
    );
  });

  it("does not depend on earlier calls (the scratch state is fully reset)", () => {
    const a = new Int8Array(243).fill(1);
    const first = curlP81(a);
    curlP81(new Int8Array(729).fill(-1), 729);
    assert.deepEqual(curlP81(a), first);
  });

  it("rejects lengths that are not whole blocks", () => {
    assert.throws(() => curlP81(new Int8Array(242)), RangeError);
    assert.throws(() => curlP81(new Int8Array(0)), RangeError);
    assert.throws(() => curlP81(new Int8Array(243), 100), RangeError);
    assert.throws(() => curlP81Reference(new Int8Array(244)), RangeError);
  });
});

describe("curlP81B1t6TrailingZeros", () => {
  it("equals the trailing zeros of the reference hash of b1t6(bytes) padded to 243 trits", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: CURL_B1T6_MAX_BYTES }), (bytes) => {
        assert.equal(curlP81B1t6TrailingZeros(bytes), referenceTrailingZeros(bytes));
      }),
      { numRuns: 80 },
    );
  });

  it("counts a long zero tail correctly (PoW nonce 4936 over digest 01×32 reaches 8)", () => {
    const bytes = new Uint8Array(40).fill(1);
    new DataView(bytes.buffer).setBigUint64(32, 4936n, true);
    assert.equal(curlP81B1t6TrailingZeros(bytes), referenceTrailingZeros(bytes));
    assert.ok(curlP81B1t6TrailingZeros(bytes) >= 8);
  });

  it("rejects more than 40 bytes", () => {
    assert.throws(() => curlP81B1t6TrailingZeros(new Uint8Array(41)), RangeError);
  });
});
