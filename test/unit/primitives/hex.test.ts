import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { bytesToHex, hexToBytes, isHex } from "../../../src/primitives/hex.js";

describe("hex", () => {
  it("bytesToHex equals Node's lowercase hex for every length, including whole 32 KiB messages", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        assert.equal(bytesToHex(b), Buffer.from(b).toString("hex"));
        assert.deepEqual(hexToBytes(bytesToHex(b)), b);
      }),
    );
    for (const n of [64, 65, 4096, 4097, 8193, 32768]) {
      const b = new Uint8Array(n).map((_, i) => (i * 151 + 7) & 0xff);
      assert.equal(bytesToHex(b), Buffer.from(b).toString("hex"), `length ${n}`);
    }
  });

  it("hexToBytes accepts either case and rejects odd lengths and non-hex characters", () => {
    assert.deepEqual(hexToBytes("0aFf"), Uint8Array.of(0x0a, 0xff));
    assert.throws(() => hexToBytes("abc"), RangeError);
    assert.throws(() => hexToBytes("zz"), RangeError);
    assert.equal(isHex("0aFf"), true);
    assert.equal(isHex("0x00"), false);
  });
});
