import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { blake2b } from "@noble/hashes/blake2.js";
import fc from "fast-check";
import { merkleRoot } from "../../../src/crypto/merkle.js";

const h = (...parts: number[][]) => blake2b(Uint8Array.from(parts.flat()), { dkLen: 32 });

/** TIP-4 transcribed literally (slices, noble BLAKE2b): the oracle. */
function naiveRoot(ids: Uint8Array[]): Uint8Array {
  if (ids.length === 0) return h([]);
  if (ids.length === 1) return h([0], [...ids[0]!]);
  let k = 1;
  while (k * 2 < ids.length) k *= 2;
  return h([1], [...naiveRoot(ids.slice(0, k))], [...naiveRoot(ids.slice(k))]);
}

const id = fc.uint8Array({ minLength: 32, maxLength: 32 });

describe("merkleRoot", () => {
  it("agrees with a literal transcription of TIP-4 for 0..70 ids", () => {
    fc.assert(
      fc.property(fc.array(id, { maxLength: 70 }), (ids) => {
        assert.deepEqual(merkleRoot(ids), naiveRoot(ids));
      }),
      { numRuns: 60 },
    );
  });

  it("splits at the largest power of two strictly below n (n = 2, 4, 5 by hand)", () => {
    const d = [1, 2, 3, 4, 5].map((v) => new Uint8Array(32).fill(v));
    const leaf = (x: Uint8Array) => h([0], [...x]);
    const node = (l: Uint8Array, r: Uint8Array) => h([1], [...l], [...r]);
    assert.deepEqual(merkleRoot(d.slice(0, 2)), node(leaf(d[0]!), leaf(d[1]!)));
    const four = node(node(leaf(d[0]!), leaf(d[1]!)), node(leaf(d[2]!), leaf(d[3]!)));
    assert.deepEqual(merkleRoot(d.slice(0, 4)), four);
    assert.deepEqual(merkleRoot(d), node(four, leaf(d[4]!)));
  });

  it("handles a large milestone in linear time and rejects ids that are not 32 bytes", () => {
    const many = Array.from({ length: 10000 }, (_, i) => new Uint8Array(32).fill(i & 0xff));
    assert.equal(merkleRoot(many).length, 32);
    assert.throws(() => merkleRoot([new Uint8Array(31)]), RangeError);
  });
});
