/**
 * Codec properties (ARCHITECTURE.md test/property): decode ∘ encode is the identity for every payload kind, JSON
 * round-trips, and arbitrary, mutated or truncated bytes either decode to something that re-encodes to the same
 * bytes or throw CodecError: never another error, never a hang.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  CodecError,
  type DecodeMode,
  decodeIndexationPayload,
  decodeMessage,
  decodeMilestonePayload,
  decodeReceiptPayload,
  decodeTransactionEssence,
  decodeTransactionPayload,
  decodeTreasuryTransactionPayload,
  encodeIndexationPayload,
  encodeMessage,
  encodeMilestonePayload,
  encodeReceiptPayload,
  encodeTransactionEssence,
  encodeTransactionPayload,
  encodeTreasuryTransactionPayload,
  messageFromJson,
  messageToJson,
  payloadFromJson,
  payloadToJson,
  sizeOfMessage,
} from "../../src/codec/index.js";
import { bytesToHex } from "../../src/primitives/hex.js";
import {
  arbIndexationPayload,
  arbMessage,
  arbMilestonePayload,
  arbReceiptPayload,
  arbTransactionEssence,
  arbTransactionPayload,
  arbTreasuryTransactionPayload,
} from "../utils/arbitraries.js";

const MODES: DecodeMode[] = ["untrusted", "trusted"];

function roundTrip<T>(
  name: string,
  arb: fc.Arbitrary<T>,
  encode: (v: T) => Uint8Array,
  decode: (b: Uint8Array, m: DecodeMode) => T,
  numRuns = 150,
): void {
  it(`${name}: decode(encode(x)) deep-equals x in both modes`, () => {
    fc.assert(
      fc.property(arb, (v) => {
        const bytes = encode(v);
        for (const mode of MODES) assert.deepStrictEqual(decode(bytes, mode), v);
      }),
      { numRuns },
    );
  });
}

/** Decoding `bytes` either succeeds and re-encodes to exactly `bytes`, or throws CodecError. */
function decodesCleanlyOrCodecError(bytes: Uint8Array, mode: DecodeMode): boolean {
  try {
    const msg = decodeMessage(bytes, mode);
    assert.equal(bytesToHex(encodeMessage(msg)), bytesToHex(bytes));
    return true;
  } catch (e) {
    if (!(e instanceof CodecError)) throw e;
    return false;
  }
}

describe("codec round trips", () => {
  roundTrip("message", arbMessage(), encodeMessage, decodeMessage, 300);
  roundTrip("indexation", arbIndexationPayload(), encodeIndexationPayload, decodeIndexationPayload);
  roundTrip("essence", arbTransactionEssence(), encodeTransactionEssence, decodeTransactionEssence);
  roundTrip("transaction", arbTransactionPayload(), encodeTransactionPayload, decodeTransactionPayload);
  roundTrip("milestone", arbMilestonePayload(), encodeMilestonePayload, decodeMilestonePayload);
  roundTrip("receipt", arbReceiptPayload(), encodeReceiptPayload, decodeReceiptPayload);
  roundTrip("treasury transaction", arbTreasuryTransactionPayload(), encodeTreasuryTransactionPayload, (b, m) =>
    decodeTreasuryTransactionPayload(b, m),
  );

  it("messages: sizeOfMessage is the encoded length, JSON round-trips through text", () => {
    fc.assert(
      fc.property(arbMessage(), (msg) => {
        const bytes = encodeMessage(msg);
        assert.equal(sizeOfMessage(msg), bytes.length);
        assert.deepStrictEqual(messageFromJson(JSON.parse(JSON.stringify(messageToJson(msg)))), msg);
      }),
      { numRuns: 200 },
    );
  });

  it("payloads of every kind round-trip through JSON", () => {
    const arb = fc.oneof(
      arbTransactionPayload(),
      arbMilestonePayload(),
      arbIndexationPayload(),
      arbReceiptPayload(),
      arbTreasuryTransactionPayload(),
    );
    fc.assert(
      fc.property(arb, (p) => {
        assert.deepStrictEqual(payloadFromJson(JSON.parse(JSON.stringify(payloadToJson(p)))), p);
      }),
      { numRuns: 200 },
    );
  });
});

describe("hostile bytes", () => {
  it("random bytes: clean decode or CodecError, in both modes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        for (const mode of MODES) decodesCleanlyOrCodecError(bytes, mode);
      }),
      { numRuns: 2000 },
    );
  });

  it("random bytes behind a plausible header (network id, 1–8 parents, payload length, type 0/1/2)", () => {
    const arb = fc
      .tuple(
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 0, max: 2 }),
        fc.uint8Array({ maxLength: 800 }),
        fc.integer({ min: -3, max: 3 }),
      )
      .map(([parents, type, body, skew]) => {
        const b = new Uint8Array(9 + 32 * parents + 4 + 4 + body.length);
        b[8] = parents;
        const dv = new DataView(b.buffer);
        dv.setUint32(9 + 32 * parents, Math.max(0, body.length + 4 - 8 + skew), true);
        dv.setUint32(13 + 32 * parents, type, true);
        b.set(body, 17 + 32 * parents);
        return b;
      });
    fc.assert(
      fc.property(arb, (bytes) => {
        for (const mode of MODES) decodesCleanlyOrCodecError(bytes, mode);
      }),
      { numRuns: 2000 },
    );
  });

  it("mutated valid messages (byte changes, insertions, deletions): clean decode or CodecError", () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
      fc.record({ kind: fc.constant("delete" as const), at: fc.nat(), value: fc.constant(0) }),
    );
    fc.assert(
      fc.property(arbMessage(), fc.array(mutation, { minLength: 1, maxLength: 4 }), (msg, mutations) => {
        let bytes = Array.from(encodeMessage(msg));
        for (const m of mutations) {
          const at = m.at % (bytes.length + 1);
          if (m.kind === "set") bytes[at % bytes.length] = m.value;
          else if (m.kind === "insert") bytes.splice(at, 0, m.value);
          else bytes.splice(at % bytes.length, 1);
        }
        for (const mode of MODES) decodesCleanlyOrCodecError(Uint8Array.from(bytes), mode);
        bytes = [];
      }),
      { numRuns: 1000 },
    );
  });

  it("every truncation of a valid message throws CodecError in both modes", () => {
    fc.assert(
      fc.property(arbMessage(), fc.array(fc.nat(), { minLength: 20, maxLength: 20 }), (msg, cuts) => {
        const bytes = encodeMessage(msg);
        // All cuts for small messages, 20 random ones plus the edges for large ones.
        const lengths =
          bytes.length <= 400
            ? Array.from({ length: bytes.length }, (_, i) => i)
            : [0, 1, bytes.length - 1, ...cuts.map((c) => c % bytes.length)];
        for (const len of lengths) {
          for (const mode of MODES) {
            assert.throws(() => decodeMessage(bytes.subarray(0, len), mode), CodecError);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
