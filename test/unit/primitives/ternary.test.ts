import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { hexToBytes } from "../../../src/primitives/hex.js";
import { b1t6Decode, b1t6Encode, tritsToTrytes, trytesToTrits } from "../../../src/primitives/ternary.js";

describe("b1t6 (TIP-5)", () => {
  // TIP-5 vectors, verified in chrysalis.md §2.2.
  const VECTORS: [string, string][] = [
    ["00", "99"],
    ["0001027e7f8081fdfeff", "99A9B9RESEGVHVX9Y9Z9"],
    [
      "9ba06c78552776a596dfe360cc2b5bf644c0f9d343a10e2e71debecd30730d03",
      "GWLW9DLDDCLAJDQXBWUZYZODBYPBJCQ9NCQYT9IYMBMWNASBEDTZOYCYUBGDM9C9",
    ],
  ];

  it("encodes and decodes the TIP-5 vectors", () => {
    for (const [hex, trytes] of VECTORS) {
      assert.equal(tritsToTrytes(b1t6Encode(hexToBytes(hex))), trytes);
      assert.deepEqual(b1t6Decode(trytesToTrits(trytes)), hexToBytes(hex));
    }
  });

  it("rejects a group outside -128..127 instead of wrapping it", () => {
    assert.throws(() => b1t6Decode(trytesToTrits("LI")), /outside -128\.\.127/);
  });

  it("round-trips any bytes", () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => assert.deepEqual(b1t6Decode(b1t6Encode(b)), b)));
  });

  it("rejects characters outside the tryte alphabet", () => {
    assert.throws(() => trytesToTrits("9a"), RangeError);
  });
});
