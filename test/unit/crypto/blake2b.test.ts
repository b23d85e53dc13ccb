import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { blake2b as nobleBlake2b } from "@noble/hashes/blake2.js";
import fc from "fast-check";
import { blake2b256, blake2b256Parts } from "../../../src/crypto/blake2b.js";
import { networkIdFromName } from "../../../src/crypto/networkId.js";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { readVectorJson } from "../../utils/vectors.js";

interface Blake2bVectors {
  blake2b: {
    sum256_empty_computed: string;
    sum256_abc_computed: string;
    sum256_fox_computed: string;
    combined_first: { data: string; blake256: { expected: string } };
  };
  networkIds: { testnet4: { expected: string }; computed: Record<string, string> };
}
const V = readVectorJson<Blake2bVectors>("iotajs-1.8.6-test-vectors.json");
const utf8 = (s: string) => new TextEncoder().encode(s);

describe("blake2b256", () => {
  it("matches the iota.js 1.8.6 BLAKE2b-256 vectors", () => {
    assert.equal(bytesToHex(blake2b256(new Uint8Array(0))), V.blake2b.sum256_empty_computed);
    assert.equal(bytesToHex(blake2b256(utf8("abc"))), V.blake2b.sum256_abc_computed);
    assert.equal(
      bytesToHex(blake2b256(utf8("The quick brown fox jumps over the lazy dog"))),
      V.blake2b.sum256_fox_computed,
    );
    const c = V.blake2b.combined_first;
    assert.equal(bytesToHex(blake2b256(Buffer.from(c.data, "hex"))), c.blake256.expected);
  });

  it("agrees with @noble/hashes on random inputs, whole and in parts", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(600), (data, cut) => {
        const expected = bytesToHex(nobleBlake2b(data, { dkLen: 32 }));
        assert.equal(bytesToHex(blake2b256(data)), expected);
        const k = Math.min(cut, data.length);
        assert.equal(bytesToHex(blake2b256Parts(data.subarray(0, k), data.subarray(k))), expected);
      }),
    );
  });
});

describe("networkIdFromName", () => {
  it("matches Hornet's testnet4 id and the ids computed with iota.js", () => {
    assert.equal(networkIdFromName("testnet4").toString(), V.networkIds.testnet4.expected);
    for (const [name, id] of Object.entries(V.networkIds.computed)) {
      assert.equal(networkIdFromName(name).toString(), id, name);
    }
  });
});
