import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PowHelper } from "@iota/iota.js";
import { powDigest, powTrailingZeros } from "../../../src/crypto/powScore.js";
import { PowBatchValidator } from "../../../src/pow/powBatchValidator.js";
import type { PowError } from "../../../src/pow/powError.js";
import { hexToBytes } from "../../../src/primitives/hex.js";

/** chrysalis.md §2.1: the TIP-12 example and the iota.go / Bee unit-test messages with their scores. */
const SPEC_SCORES: [string, number][] = [
  ["48656c6c6f2c20576f726c64215ee6aaaaaaaaaaaa", 937.2857142857143],
  ["0000000000000000", 0.375],
  ["cb7c020000000000", 7381.125],
  ["41eb775555555555", 597871.125],
];

/** Messages with a spread of scores: some nonces mined to reach a few trailing zeros. */
function messages(count: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const m = new Uint8Array(40 + (i % 300)).map((_, k) => (k * 13 + i * 101) & 0xff);
    const view = new DataView(m.buffer);
    if (i % 3 === 0) {
      const digest = powDigest(m);
      let nonce = BigInt(i) << 20n;
      while (powTrailingZeros(digest, nonce) < 3 + (i % 4)) nonce++;
      view.setBigUint64(m.length - 8, nonce, true);
    }
    out.push(m);
  }
  return out;
}

describe("PowBatchValidator", () => {
  for (const kernel of ["wasm", "ts"] as const) {
    it(`${kernel}: scores the TIP-12 example and the spec vectors exactly`, () => {
      const v = new PowBatchValidator(kernel);
      const scores = v.scores(SPEC_SCORES.map(([hex]) => hexToBytes(hex)));
      assert.deepEqual(
        [...scores],
        SPEC_SCORES.map(([, s]) => s),
      );
      const zeros = new Uint8Array(10000);
      assert.equal(v.scores([zeros])[0], 0.0001);
    });

    it(`${kernel}: agrees with iota.js PowHelper.score over several full and partial batches`, () => {
      const v = new PowBatchValidator(kernel);
      const msgs = messages(2 * v.lanes + 17);
      const scores = v.scores(msgs);
      assert.equal(scores.length, msgs.length);
      for (const [i, m] of msgs.entries()) assert.equal(scores[i], PowHelper.score(m), `message ${i}`);
      assert.ok(scores.some((s, i) => s >= 27 / msgs[i]!.length));
    });
  }

  it("rejects a message without a nonce field", () => {
    const v = new PowBatchValidator();
    assert.throws(
      () => v.scores([new Uint8Array(20), new Uint8Array(3)]),
      (e: PowError) => e.code === "POW_ERROR_MESSAGE_TOO_SHORT",
    );
  });
});
