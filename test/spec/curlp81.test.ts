/**
 * Curl-P-81 test vectors: iotaledger/iota.go @ 91f7fa5382d1a46a8d613e6a77021aa289ffc484 : curl/testdata/curlp81.json
 * (chrysalis.md §2.3). 300 pairs: 100 with one 243-trit block in and out, 100 absorbing three blocks, 100
 * squeezing three blocks. Both the reference and the fast transform must reproduce every one.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { curlP81, curlP81Reference } from "../../src/crypto/curlP81.js";
import { tritsToTrytes, trytesToTrits } from "../../src/primitives/ternary.js";
import { readVectorJson } from "../utils/vectors.js";

interface CurlVector {
  in: string;
  hash: string;
}
const VECTORS = readVectorJson<CurlVector[]>("curlp81.json");

describe("Curl-P-81 vectors (iota.go curlp81.json)", () => {
  it("has the 300 pairs in the three shapes", () => {
    assert.equal(VECTORS.length, 300);
    const shapes = new Map<string, number>();
    for (const v of VECTORS) {
      const key = `${v.in.length}->${v.hash.length}`;
      shapes.set(key, (shapes.get(key) ?? 0) + 1);
    }
    assert.deepEqual(Object.fromEntries(shapes), { "81->81": 100, "243->81": 100, "81->243": 100 });
  });

  it("the fast bitsliced sponge matches all 300", () => {
    for (const [i, v] of VECTORS.entries()) {
      assert.equal(tritsToTrytes(curlP81(trytesToTrits(v.in), v.hash.length * 3)), v.hash, `vector ${i}`);
    }
  });

  it("the reference sponge matches all 300", () => {
    for (const [i, v] of VECTORS.entries()) {
      assert.equal(tritsToTrytes(curlP81Reference(trytesToTrits(v.in), v.hash.length * 3)), v.hash, `vector ${i}`);
    }
  });

  it("chrysalis.md §2.3 first pair", () => {
    const hash = curlP81(
      trytesToTrits("QZELVPOZTGSBCMEIZWZBGFSRPQNSMBREV9QD9JINWPNHHVCIFFGMHUH99OLWPXUZ9AWKJVYEC9JDTKRZO"),
    );
    assert.equal(
      tritsToTrytes(hash),
      "9MMGDFTUNMXVFRWTMVYWHKIUMJRWZPYVYDYHNATZWSLWPUSULDZVSJJXQPKXENXJFLTSEEMBJIWZLLXBX",
    );
  });
});
