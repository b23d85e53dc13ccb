/**
 * TIP-12 message PoW score. Sources (chrysalis.md §2.1, client-compat.md §9):
 * - unit cases of iotaledger/iota.go @ d9965e47 : pow/pow_test.go and iotaledger/bee @ 59ab9236 :
 *   bee-pow/tests/score.rs;
 * - the TIP-12 worked example ("Hello, World!" + nonce), including the Curl input and output trytes;
 * - iotajs-1.8.6-test-vectors.json `pow` (iota.js @ v1.8.6 localPowProvider.spec.ts, powHelper.spec.ts) and the
 *   `messages[*].powScore_computed` values;
 * - the real testnet6 transaction message of chrysalis.md §15.1 (TIP-13 example), which scores 3^14/352.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { curlP81 } from "../../src/crypto/curlP81.js";
import {
  powDigest,
  powScore,
  powScoreOfDigest,
  powTrailingZeros,
  targetTrailingZeros,
  trailingZeroTrits,
} from "../../src/crypto/powScore.js";
import { bytesToHex, hexToBytes } from "../../src/primitives/hex.js";
import { b1t6Encode, tritsToTrytes } from "../../src/primitives/ternary.js";
import { readVectorJson } from "../utils/vectors.js";

interface Expected<T = string> {
  expected: T;
}
interface Vectors {
  pow: {
    localPowProvider: {
      messageNoNonceHex: string;
      targetScore: number;
      nonce: Expected;
      targetZeros_computed: number;
      scoreWithNonce_computed: number;
    };
    performPow: { digest: string; zeros3_from0: Expected; zeros8_from4900: Expected };
    tip12: { messageHex: string; powDigest: Expected; score: Expected };
  };
  messages: { items: Record<string, { hex: string; length: number; powScore_computed: number }> };
}
const V = readVectorJson<Vectors>("iotajs-1.8.6-test-vectors.json");

const TESTNET6_TRANSACTION_MESSAGE =
  "a9cb2b2b76aa096b04174e3151f6ce2cfb7f00829ac4a96a35caa2078cc20eba99359867cd21aad0d65807bb4ad068e6cdadd103218e4e24ed55b62c985d4f64e97808d9f09180f89c7a09324557e9200f39bf493fc8fd6ac43e9ca750c6f6d884cc72386ddcb7d695de9e9d780ba7ebeebc38da16cb53b2a8991d38eee94bcdc3f3ef99aa8c345652cb0000000000000000010000af7579fb57746219561072c2cc0e4d0fbb8d493d075bd21bf25ae81a450c11ef000001000000a18996d96163405e3c0eb13fa3459a07f68a89e8cf7cc239c89e7192344daa5b40420f00000000000d000000020000000300454f590000000001000000ee26ac07834c603c22130fced361ca58552b0dbfc63e4b73ba24b3b59d9f40500492a353f96883c472e2686a640e77eda30be8fcc417aa9fc1c15eae854661e0253287be6ea68f649f19ca590de0a6c57fb88635ef0e013310e0be2b8360950350390000000000f0";

describe("TIP-12 unit cases (iota.go pow_test.go, Bee score.rs)", () => {
  const cases: [string, Uint8Array, number][] = [
    ["8 zero bytes", new Uint8Array(8), 3 ** 1 / 8],
    ["cb7c020000000000", hexToBytes("cb7c020000000000"), 3 ** 10 / 8],
    ["41eb775555555555", hexToBytes("41eb775555555555"), 3 ** 14 / 8],
    ["10000 zero bytes", new Uint8Array(10000), 3 ** 0 / 10000],
  ];
  for (const [name, message, score] of cases) {
    it(`${name} scores ${score}`, () => assert.equal(powScore(message), score));
  }
  it("the four values are the published ones", () => {
    assert.deepEqual(
      cases.map((c) => c[2]),
      [0.375, 7381.125, 597871.125, 0.0001],
    );
  });
});

describe("TIP-12 worked example", () => {
  const message = hexToBytes(V.pow.tip12.messageHex);

  it("digest, Curl input and output trytes, 9 trailing zeros, score 937.2857142857143", () => {
    assert.equal(bytesToHex(powDigest(message)), V.pow.tip12.powDigest.expected);
    assert.equal(bytesToHex(powDigest(message)), "511bc81dde11180838c562c82bb35f3223f46061ebde4a955c27b3f489cf1e03");
    const input = new Int8Array(243);
    input.set(b1t6Encode(powDigest(message)), 0);
    input.set(b1t6Encode(message.subarray(13)), 192);
    assert.equal(
      tritsToTrytes(input),
      "9C9AYYBATZQAXAH9BBVYQDYYPBDXNDWBHAO9ODPDFZTZTCAWKCLADXO9PWEYCAC9MCAZVXVXVXVXVXVX9",
    );
    const hash = curlP81(input);
    assert.equal(
      tritsToTrytes(hash),
      "DJCAGKILZPLXNXWFTNXFLCHRFVUHHMTPFIOFKQXMGIKITSEVWECMQOKCFXDIIHK9YVHGQICAIVEVDJ999",
    );
    assert.equal(trailingZeroTrits(hash), 9);
    assert.equal(powScore(message), Number(V.pow.tip12.score.expected));
    assert.equal(powScore(message), 937.2857142857143);
  });

  it("the nonce as bytes or as the u64 12297829382473049694 gives the same score", () => {
    const digest = powDigest(message);
    assert.equal(powScoreOfDigest(digest, message.subarray(13), 21), 937.2857142857143);
    assert.equal(powScoreOfDigest(digest, 12297829382473049694n, 21), 937.2857142857143);
  });
});

describe("iota.js 1.8.6 PoW vectors", () => {
  it("LocalPowProvider: nonce 6569 on the 'hello world' message scores 142.6304347826087 (target 100, 8 zeros)", () => {
    const p = V.pow.localPowProvider;
    const message = hexToBytes(p.messageNoNonceHex);
    new DataView(message.buffer).setBigUint64(message.length - 8, BigInt(p.nonce.expected), true);
    assert.equal(powScore(message), p.scoreWithNonce_computed);
    assert.equal(powScore(message), 142.6304347826087);
    assert.equal(targetTrailingZeros(message.length, p.targetScore), p.targetZeros_computed);
    assert.ok(powScore(message) >= p.targetScore);
  });

  it("performPow: over digest 01×32, 86 is the first nonce from 0 with 3 zeros, 4936 the first from 4900 with 8", () => {
    const digest = hexToBytes(V.pow.performPow.digest);
    const firstFrom = (start: bigint, zeros: number): bigint => {
      let n = start;
      while (powTrailingZeros(digest, n) < zeros) n++;
      return n;
    };
    assert.equal(firstFrom(0n, 3).toString(), V.pow.performPow.zeros3_from0.expected);
    assert.equal(firstFrom(4900n, 8).toString(), V.pow.performPow.zeros8_from4900.expected);
  });

  it("the serialized test messages score what iota.js computes", () => {
    const items = Object.entries(V.messages.items);
    assert.equal(items.length, 3);
    for (const [name, m] of items) {
      const bytes = hexToBytes(m.hex);
      assert.equal(bytes.length, m.length, name);
      assert.equal(powScore(bytes), m.powScore_computed, name);
    }
  });
});

describe("real network message (chrysalis.md §15.1)", () => {
  it("the testnet6 transaction message reaches 14 trailing zeros: 13587.980113636364", () => {
    const bytes = hexToBytes(TESTNET6_TRANSACTION_MESSAGE);
    assert.equal(bytes.length, 352);
    assert.equal(powScore(bytes), 3 ** 14 / 352);
    assert.equal(powScore(bytes), 13587.980113636364);
  });
});
