/**
 * PacketSizeGuard against packets framed here by MQTT 3.1.1 §2.2 (fixed header byte, remaining length in 1..4 bytes
 * of 7 bits): streams of allowed packets pass however they are cut into chunks; the first packet announcing more than
 * the limit, or a 5-byte length, is caught as soon as its length is read, before its body.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { PacketSizeGuard } from "../../../src/mqtt/packetSizeGuard.js";
import { concatBytes } from "../../../src/primitives/bytes.js";

/** MQTT 3.1.1 §2.2.3 remaining length encoding. */
function remainingLength(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

function packet(type: number, bodyLength: number): Uint8Array {
  return concatBytes(Uint8Array.of(type, ...remainingLength(bodyLength)), new Uint8Array(bodyLength).fill(0x5a));
}

/** `bytes` cut at the given fractions. */
function cut(bytes: Uint8Array, at: number[]): Uint8Array[] {
  const points = [...new Set(at.map((f) => Math.floor(f * bytes.length)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    if (p > from) out.push(bytes.subarray(from, p));
    from = Math.max(from, p);
  }
  return out;
}

const LIMIT = 20_000;

describe("PacketSizeGuard", () => {
  it("passes every stream of packets within the limit, however it is cut", () => {
    const lengths = fc.array(fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: LIMIT })), {
      minLength: 1,
      maxLength: 8,
    });
    fc.assert(
      fc.property(lengths, fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }), (ls, at) => {
        const guard = new PacketSizeGuard(LIMIT);
        const stream = concatBytes(...ls.map((l, i) => packet(0x82 + (i % 2) * 0x20, l)));
        for (const chunk of cut(stream, at)) assert.equal(guard.push(chunk), true);
      }),
      { numRuns: 300 },
    );
  });

  it("catches a packet over the limit at its length, before the body, after any allowed packets", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 300 }), { maxLength: 4 }),
        fc.integer({ min: LIMIT + 1, max: 268_435_455 }),
        fc.integer({ min: 1, max: 5 }),
        (before, tooLong, step) => {
          const guard = new PacketSizeGuard(LIMIT);
          const allowed = concatBytes(...before.map((l) => packet(0x30, l)));
          const header = Uint8Array.of(0x30, ...remainingLength(tooLong));
          const stream = concatBytes(allowed, header);
          let ok = true;
          for (let i = 0; i < stream.length; i += step) ok = guard.push(stream.subarray(i, i + step)) && ok;
          assert.equal(ok, false);
          assert.equal(guard.push(new Uint8Array(10)), false, "stays failed");
        },
      ),
      { numRuns: 300 },
    );
  });

  it("takes a packet of exactly the limit, and refuses a remaining length of 5 bytes", () => {
    const guard = new PacketSizeGuard(LIMIT);
    assert.equal(guard.push(packet(0x82, LIMIT)), true);
    assert.equal(guard.push(packet(0xc0, 0)), true);
    const malformed = new PacketSizeGuard(Number.MAX_SAFE_INTEGER);
    assert.equal(malformed.push(Uint8Array.of(0x82, 0xff, 0xff, 0xff)), true, "4 bytes so far");
    assert.equal(malformed.push(Uint8Array.of(0xff)), false, "a 4th byte with the continuation bit");
  });
});
