/**
 * TIP-14 (Ed25519 validation, ZIP-215): iotaledger/tips @ f95ce04680d53fef0ade905c03109ce6fd600af7 :
 * tips/TIP-0014/test.json (same 12 entries as iota.go @ d9965e47 : testdata/TestEd25519Signature_Valid.json).
 * `valid` is the verdict on the whole signature unlock: the address check (BLAKE2b-256 of the key bytes as given)
 * and the signature. Expected T,T,T,T,T,T,F,F,F,T,F,T (chrysalis.md §3.6).
 */
import assert from "node:assert/strict";
import { createPublicKey, verify } from "node:crypto";
import { describe, it } from "node:test";
import { ED25519_ADDRESS_TYPE } from "../../src/crypto/bech32.js";
import { ed25519AddressFromPublicKey, ed25519Verify, ed25519VerifyZip215 } from "../../src/crypto/ed25519.js";
import { bytesToHex, hexToBytes } from "../../src/primitives/hex.js";
import { readVectorJson } from "../utils/vectors.js";

interface Tip14Vector {
  address: string;
  message: string;
  pub_key: string;
  signature: string;
  valid: boolean;
}
const VECTORS = readVectorJson<Tip14Vector[]>("tip14-ed25519-zip215.json");

function addressMatches(v: Tip14Vector): boolean {
  const serialized = new Uint8Array(33);
  serialized[0] = ED25519_ADDRESS_TYPE;
  serialized.set(ed25519AddressFromPublicKey(hexToBytes(v.pub_key)), 1);
  return bytesToHex(serialized) === v.address;
}

/** OpenSSL alone, as a plain node:crypto user would verify. */
function openSslVerify(v: Tip14Vector): boolean {
  try {
    const x = Buffer.from(v.pub_key, "hex").toString("base64url");
    const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
    return verify(null, hexToBytes(v.message), key, hexToBytes(v.signature));
  } catch {
    return false;
  }
}

describe("TIP-14 ZIP-215 vectors", () => {
  it("has the 12 entries with the documented verdicts", () => {
    assert.deepEqual(
      VECTORS.map((v) => v.valid),
      [true, true, true, true, true, true, false, false, false, true, false, true],
    );
  });

  for (const [i, v] of VECTORS.entries()) {
    it(`entry ${i}: address check and signature give valid=${v.valid}`, () => {
      const signatureOk = ed25519Verify(hexToBytes(v.pub_key), hexToBytes(v.message), hexToBytes(v.signature));
      assert.equal(addressMatches(v) && signatureOk, v.valid);
      // The fast path must give the same verdict as noble's ZIP-215 mode on its own.
      assert.equal(
        signatureOk,
        ed25519VerifyZip215(hexToBytes(v.pub_key), hexToBytes(v.message), hexToBytes(v.signature)),
      );
    });
  }

  it("entry 10 fails only on the address: its address hashes the reduced key, the signature itself verifies", () => {
    const v = VECTORS[10]!;
    assert.equal(addressMatches(v), false);
    assert.equal(ed25519Verify(hexToBytes(v.pub_key), hexToBytes(v.message), hexToBytes(v.signature)), true);
    for (const [i, w] of VECTORS.entries()) if (i !== 10) assert.equal(addressMatches(w), true, `entry ${i}`);
  });

  it("OpenSSL alone rejects entries 4, 5 and 9, which ZIP-215 accepts (why the noble fallback exists)", () => {
    const rejected = VECTORS.flatMap((v, i) => (v.valid && !openSslVerify(v) ? [i] : []));
    assert.deepEqual(rejected, [4, 5, 9]);
    // And OpenSSL never accepts what ZIP-215 rejects.
    for (const [i, v] of VECTORS.entries()) {
      if (openSslVerify(v))
        assert.equal(
          ed25519VerifyZip215(hexToBytes(v.pub_key), hexToBytes(v.message), hexToBytes(v.signature)),
          true,
          `entry ${i}`,
        );
    }
  });
});
