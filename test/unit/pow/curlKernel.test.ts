import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { curlP81Reference } from "../../../src/crypto/curlP81.js";
import { powTrailingZeros } from "../../../src/crypto/powScore.js";
import { createCurlKernel } from "../../../src/pow/createCurlKernel.js";
import type { CurlKernel } from "../../../src/pow/curlKernel.js";
import { TsCurlKernel } from "../../../src/pow/tsCurlKernel.js";
import { WasmCurlKernel, wasmSimdSupported } from "../../../src/pow/wasmCurlKernel.js";
import { tritsToTrytes, trytesToTrits } from "../../../src/primitives/ternary.js";
import { readVectorJson } from "../../utils/vectors.js";

interface CurlVector {
  in: string;
  hash: string;
}
const VECTORS = readVectorJson<CurlVector[]>("curlp81.json");

const kernels: [string, () => CurlKernel][] = [
  ["wasm-simd", () => new WasmCurlKernel()],
  ["ts", () => new TsCurlKernel()],
];

/**
 * Full Curl-P-81 sponges of up to `lanes` inputs at once on a kernel: absorb every 243-trit block, then squeeze
 * `hashTrits`, each lane in the lane given by `laneOf`.
 */
function spongeBatch(k: CurlKernel, inputs: Int8Array[], hashTrits: number[], laneOf: (i: number) => number) {
  const states = inputs.map(() => new Int8Array(729));
  const outs = hashTrits.map((n) => new Int8Array(n));
  const steps = inputs.map((x, i) => x.length / 243 + hashTrits[i]! / 243 - 1);
  for (let step = 0; step < Math.max(...steps); step++) {
    k.clearInputs();
    inputs.forEach((x, i) => {
      if (step < x.length / 243) states[i]!.set(x.subarray(step * 243, step * 243 + 243));
      k.setInput(laneOf(i), states[i]!);
    });
    k.transform();
    inputs.forEach((x, i) => {
      if (step >= steps[i]!) return;
      for (let t = 0; t < 729; t++) states[i]![t] = k.outputTrit(laneOf(i), t);
      const squeezed = step + 1 - x.length / 243;
      if (squeezed >= 0) outs[i]!.set(states[i]!.subarray(0, 243), squeezed * 243);
    });
  }
  return outs;
}

describe("bitsliced Curl-P-81 kernels", () => {
  it("WebAssembly SIMD is available on this runtime (else the WASM tests below would be meaningless)", () => {
    assert.equal(wasmSimdSupported(), true);
    assert.equal(createCurlKernel("auto").kind, "wasm-simd");
    assert.equal(createCurlKernel("ts").kind, "ts");
  });

  for (const [name, make] of kernels) {
    it(`${name}: all 300 iota.go curlp81.json vectors, each in a different lane`, () => {
      const k = make();
      let matched = 0;
      for (let base = 0; base < VECTORS.length; base += k.lanes) {
        const batch = VECTORS.slice(base, base + k.lanes);
        // Reverse and rotate so vector i is not always in lane i.
        const laneOf = (i: number) => (k.lanes - 1 - i + base) % k.lanes;
        const inputs = batch.map((v) => trytesToTrits(v.in));
        const outs = spongeBatch(
          k,
          inputs,
          batch.map((v) => v.hash.length * 3),
          laneOf,
        );
        outs.forEach((h, i) => {
          assert.equal(tritsToTrytes(h), batch[i]!.hash, `vector ${base + i}`);
          matched++;
        });
      }
      assert.equal(matched, 300);
    });

    it(`${name}: agrees with the scalar reference on random single blocks and reports trailing zeros`, () => {
      const k = make();
      fc.assert(
        fc.property(fc.array(fc.integer({ min: -1, max: 1 }), { minLength: 243, maxLength: 243 }), fc.nat(), (t, l) => {
          const lane = l % k.lanes;
          const input = Int8Array.from(t);
          k.clearInputs();
          k.setInput(lane, input);
          k.transform();
          const expected = curlP81Reference(input);
          const got = Int8Array.from({ length: 243 }, (_, i) => k.outputTrit(lane, i));
          assert.deepEqual(got, expected);
          let z = 0;
          while (z < 243 && expected[242 - z] === 0) z++;
          assert.equal(k.trailingZeros(lane), z);
        }),
        { numRuns: 40 },
      );
    });

    it(`${name}: mine() returns a nonce whose hash has the required trailing zeros`, () => {
      const k = make();
      fc.assert(
        fc.property(
          fc.uint8Array({ minLength: 32, maxLength: 32 }),
          fc.integer({ min: 0, max: 7 }),
          (digest, zeros) => {
            k.setMiningDigest(digest);
            const r = k.mine(0n, 1 << 20, zeros);
            assert.notEqual(r.nonce, null);
            assert.ok(powTrailingZeros(digest, r.nonce!) >= zeros);
            // The nonce's low byte is its lane and its batch is the last one run.
            assert.equal(r.nonce! >> 8n, BigInt(r.batches - 1));
            assert.ok(Number(r.nonce! & 0xffn) < k.lanes);
          },
        ),
        { numRuns: 15 },
      );
    });

    it(`${name}: mine() with an unreachable target runs every batch and finds nothing`, () => {
      const k = make();
      k.setMiningDigest(new Uint8Array(32).fill(1));
      assert.deepEqual(k.mine(5n, 3, 243), { nonce: null, batches: 3 });
    });
  }

  it("the WASM and TS kernels search the same nonces in the same order", () => {
    const wasm = new WasmCurlKernel();
    const ts = new TsCurlKernel();
    let sameLane = 0;
    for (let s = 0; s < 12; s++) {
      const digest = new Uint8Array(32).map((_, i) => i * 11 + s);
      wasm.setMiningDigest(digest);
      ts.setMiningDigest(digest);
      // Both return the smallest winning nonce they search; the TS kernel searches lanes 0..31 of each batch, a
      // subset of the WASM kernel's 0..127, so it can only find a later nonce, or the same one.
      const w = wasm.mine(0n, 1000, 5).nonce!;
      const t = ts.mine(0n, 4000, 5).nonce!;
      assert.ok(t >= w);
      if ((w & 0xffn) < 32n) {
        assert.equal(t, w);
        sameLane++;
      }
    }
    assert.ok(sameLane > 0);
  });
});
