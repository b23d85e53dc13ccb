import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ed25519 } from "@noble/curves/ed25519.js";
import { blake2b } from "@noble/hashes/blake2.js";
import fc from "fast-check";
import {
  ed25519AddressFromPublicKey,
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  ed25519VerifyZip215,
} from "../../../src/crypto/ed25519.js";

const seedArb = fc.uint8Array({ minLength: 32, maxLength: 32 });
const msgArb = fc.uint8Array({ maxLength: 200 });

describe("ed25519Sign / ed25519PublicKey", () => {
  it("produce what noble produces and verify", () => {
    fc.assert(
      fc.property(seedArb, msgArb, (seed, msg) => {
        const pk = ed25519PublicKey(seed);
        assert.deepEqual(pk, ed25519.getPublicKey(seed));
        const sig = ed25519Sign(seed, msg);
        assert.deepEqual(sig, ed25519.sign(msg, seed));
        assert.equal(ed25519Verify(pk, msg, sig), true);
      }),
      { numRuns: 30 },
    );
  });

  it("reject seeds that are not 32 bytes", () => {
    assert.throws(() => ed25519PublicKey(new Uint8Array(31)), RangeError);
    assert.throws(() => ed25519Sign(new Uint8Array(64), new Uint8Array(1)), RangeError);
  });
});

describe("ed25519Verify", () => {
  const seed = new Uint8Array(32).fill(7);
  const pk = ed25519PublicKey(seed);
  const msg = new Uint8Array([1, 2, 3]);
  const sig = ed25519Sign(seed, msg);

  it("returns false, never throws, on malformed lengths", () => {
    assert.equal(ed25519Verify(pk.subarray(0, 31), msg, sig), false);
    assert.equal(ed25519Verify(new Uint8Array(33), msg, sig), false);
    assert.equal(ed25519Verify(pk, msg, sig.subarray(0, 63)), false);
    assert.equal(ed25519Verify(pk, msg, new Uint8Array(65)), false);
    assert.equal(ed25519Verify(new Uint8Array(0), msg, new Uint8Array(0)), false);
  });

  it("returns false for a key that is not a curve point and for S ≥ L", () => {
    // y = 2 has no x on the curve; OpenSSL refuses the key and noble cannot decode it.
    const notAPoint = new Uint8Array(32);
    notAPoint[0] = 2;
    assert.equal(ed25519Verify(notAPoint, msg, sig), false);
    assert.equal(ed25519Verify(notAPoint, msg, sig), false, "cached refusal");
    // S + L is the same scalar mod L but must be rejected (TIP-14 rule 2).
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    let s = 0n;
    for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]!);
    let big = s + L;
    const malleated = sig.slice();
    for (let i = 32; i < 64; i++) {
      malleated[i] = Number(big & 0xffn);
      big >>= 8n;
    }
    assert.equal(ed25519Verify(pk, msg, malleated), false);
  });

  it("agrees with noble ZIP-215 on valid, tampered and foreign signatures", () => {
    fc.assert(
      fc.property(seedArb, seedArb, msgArb, fc.nat(63), fc.integer({ min: 1, max: 255 }), (s1, s2, m, pos, flip) => {
        const pk1 = ed25519PublicKey(s1);
        const good = ed25519Sign(s1, m);
        const tampered = good.slice();
        tampered[pos] = tampered[pos]! ^ flip;
        const foreign = ed25519Sign(s2, m);
        for (const sig of [good, tampered, foreign]) {
          assert.equal(ed25519Verify(pk1, m, sig), ed25519VerifyZip215(pk1, m, sig));
        }
        assert.equal(ed25519Verify(pk1, m, good), true);
      }),
      { numRuns: 20 },
    );
  });

  it("stays correct when more keys pass than the cache holds", () => {
    const msg2 = new Uint8Array([9]);
    const keys: { pk: Uint8Array; sig: Uint8Array }[] = [];
    for (let i = 0; i < 1100; i++) {
      const s = new Uint8Array(32);
      new DataView(s.buffer).setUint32(0, i + 1);
      keys.push({ pk: ed25519PublicKey(s), sig: ed25519Sign(s, msg2) });
    }
    for (const { pk: k, sig: g } of keys) assert.equal(ed25519Verify(k, msg2, g), true);
    // The first keys were evicted; verification re-imports them.
    assert.equal(ed25519Verify(keys[0]!.pk, msg2, keys[0]!.sig), true);
    assert.equal(ed25519Verify(keys[0]!.pk, msg2, keys[1]!.sig), false);
  });
});

describe("ed25519AddressFromPublicKey", () => {
  it("is BLAKE2b-256 of the key and rejects other lengths", () => {
    const pk = ed25519PublicKey(new Uint8Array(32).fill(3));
    assert.deepEqual(ed25519AddressFromPublicKey(pk), blake2b(pk, { dkLen: 32 }));
    assert.throws(() => ed25519AddressFromPublicKey(new Uint8Array(33)), RangeError);
  });
});
