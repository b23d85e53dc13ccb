/** Output ids, byte spans and decoder memory safety. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  CodecError,
  decodeMessage,
  encodeMessage,
  encodeMilestoneEssence,
  encodeTransactionEssence,
  type Message,
  messagePayloadBytes,
  milestoneEssenceBytes,
  milestoneParentsMatch,
  outputId,
  outputIdHex,
  parseOutputId,
  transactionEssenceBytes,
} from "../../../src/codec/index.js";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { arbMessage } from "../../utils/arbitraries.js";

describe("output ids (TIP-7)", () => {
  it("are txId ‖ u16 LE index, 34 bytes / 68 hex, and parse back", () => {
    const tx = new Uint8Array(32).fill(0xab);
    assert.equal(outputIdHex(tx, 1), `${"ab".repeat(32)}0100`);
    assert.equal(outputIdHex(tx, 0x0201), `${"ab".repeat(32)}0102`);
    const parsed = parseOutputId(`${"AB".repeat(32)}0100`);
    assert.equal(bytesToHex(parsed.transactionId), "ab".repeat(32));
    assert.equal(parsed.outputIndex, 1);
    assert.deepEqual(parseOutputId(outputId(tx, 126)), { transactionId: tx, outputIndex: 126 });
  });

  it("reject wrong lengths and non-hex", () => {
    for (const bad of ["ab".repeat(33), `0x${"ab".repeat(33)}`, "zz".repeat(34)]) {
      assert.throws(() => parseOutputId(bad), CodecError);
    }
    assert.throws(() => outputId(new Uint8Array(31), 0), CodecError);
    assert.throws(() => outputId(new Uint8Array(32), 65536), CodecError);
  });
});

describe("byte spans", () => {
  it("cut the payload, essence and milestone essence exactly where the encoder puts them", () => {
    fc.assert(
      fc.property(arbMessage(), (msg) => {
        const bytes = encodeMessage(msg);
        const payload = messagePayloadBytes(bytes);
        const p = msg.payload;
        if (p === null) {
          assert.equal(payload, null);
          return;
        }
        assert.ok(payload);
        if (p.type === 0) {
          assert.equal(bytesToHex(transactionEssenceBytes(payload)), bytesToHex(encodeTransactionEssence(p.essence)));
        } else if (p.type === 1) {
          assert.equal(bytesToHex(milestoneEssenceBytes(payload)), bytesToHex(encodeMilestoneEssence(p)));
        } else {
          assert.throws(() => transactionEssenceBytes(payload), CodecError);
          assert.throws(() => milestoneEssenceBytes(payload), CodecError);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("throw CodecError on truncated input", () => {
    assert.throws(() => messagePayloadBytes(new Uint8Array(10)), CodecError);
    assert.throws(
      () => messagePayloadBytes(Uint8Array.from([...new Uint8Array(8), 1, ...new Uint8Array(20)])),
      CodecError,
    );
    assert.throws(() => transactionEssenceBytes(Uint8Array.from([0, 0, 0, 0, 0, 5, 0])), CodecError);
  });
});

describe("milestoneParentsMatch (TIP-8 rule kept out of the codec, chrysalis.md §5.3)", () => {
  const p = (b: number) => new Uint8Array(32).fill(b);
  const ms = (parents: Uint8Array[]): Message => ({
    networkId: 0n,
    parents: [p(1), p(2)],
    nonce: 0n,
    payload: {
      type: 1,
      index: 1,
      timestamp: 0,
      parents,
      inclusionMerkleProof: p(0),
      nextPoWScore: 0,
      nextPoWScoreMilestoneIndex: 0,
      publicKeys: [p(3)],
      receipt: null,
      signatures: [new Uint8Array(64)],
    },
  });

  it("is true only when message and milestone parents are equal; the codec accepts both", () => {
    assert.equal(milestoneParentsMatch(ms([p(1), p(2)])), true);
    const mismatch = ms([p(1), p(3)]);
    assert.equal(milestoneParentsMatch(mismatch), false);
    assert.equal(milestoneParentsMatch(ms([p(1)])), false);
    assert.doesNotThrow(() => decodeMessage(encodeMessage(mismatch), "untrusted"));
    assert.equal(milestoneParentsMatch({ ...mismatch, payload: null }), false);
  });
});

describe("memory safety", () => {
  it("huge counts with little input fail before allocating, even in trusted mode", () => {
    // network id, 1 parent, payload length 7, transaction type 0, essence type 0, inputs count 65535, nothing else.
    const b = new Uint8Array(8 + 1 + 32 + 4 + 7 + 8);
    b[8] = 1;
    b[41] = 7;
    b.set([0, 0, 0, 0, 0, 0xff, 0xff], 45);
    for (const mode of ["trusted", "untrusted"] as const) {
      assert.throws(
        () => decodeMessage(b, mode),
        (e: unknown) => e instanceof CodecError && /needs|inputs/.test(e.message),
      );
    }
  });

  it("decoded byte fields are plain Uint8Array views even when the input is a Buffer", () => {
    const msg = decodeMessage(
      Buffer.from(encodeMessage({ networkId: 1n, parents: [new Uint8Array(32)], payload: null, nonce: 2n })),
      "untrusted",
    );
    assert.equal(Object.getPrototypeOf(msg.parents[0]), Uint8Array.prototype);
  });
});
