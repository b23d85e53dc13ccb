import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deserializeMessage } from "@iota/iota.js";
import { ReadStream } from "@iota/util.js";
import fc from "fast-check";
import { milestoneEssenceHash, milestoneId } from "../../../src/codec/ids.js";
import { messageToJson } from "../../../src/codec/json.js";
import { decodeMessage, encodeMessage } from "../../../src/codec/message.js";
import { sizeOfMilestonePayload } from "../../../src/codec/milestone.js";
import { messagePayloadBytes } from "../../../src/codec/spans.js";
import type { MigratedFundsEntry, MilestonePayload, ReceiptPayload } from "../../../src/codec/types.js";
import { ed25519Verify } from "../../../src/crypto/ed25519.js";
import {
  buildMilestoneMessage,
  buildMilestonePayload,
  MIN_CLIENT_MILESTONE_PAYLOAD_LENGTH,
  type MilestoneFields,
  type MilestoneSigner,
  seedSigner,
} from "../../../src/milestones/milestoneBuilder.js";
import { MilestoneValidator } from "../../../src/milestones/milestoneValidator.js";
import { compareBytes } from "../../../src/primitives/bytes.js";
import { bytesToHex, hexToBytes } from "../../../src/primitives/hex.js";
import { arbBytes, arbReceiptPayload } from "../../utils/arbitraries.js";
import { errorCodeOf } from "../../utils/errorCode.js";
import { baseFields, id, openRanges, SEEDS, SIGNERS, signWith } from "./milestoneKit.js";

const [S0, S1, S2] = SIGNERS as [MilestoneSigner, MilestoneSigner, MilestoneSigner];

/** iota.js uses `undefined` where our JSON has null (receipt): compare without either. */
function withoutNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutNulls);
  if (typeof v === "object" && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = withoutNulls(x);
    return out;
  }
  return v;
}

function isStrictlyAscending(xs: readonly Uint8Array[]): boolean {
  return xs.every((x, i) => i === 0 || compareBytes(xs[i - 1]!, x) < 0);
}

/** A signer that must never be asked (size checks come before signing). */
function fakeSigner(n: number): MilestoneSigner {
  return {
    publicKey: id(10_000 + n),
    sign: () => {
      throw new Error("signer called");
    },
  };
}

function fund(i: number): MigratedFundsEntry {
  const tailTransactionHash = new Uint8Array(49);
  tailTransactionHash[0] = i;
  return { tailTransactionHash, address: { type: 0, address: id(500 + i) }, deposit: 1_000_000 };
}

function receipt(funds: number): ReceiptPayload {
  return {
    type: 3,
    migratedAt: 7,
    final: false,
    funds: Array.from({ length: funds }, (_, i) => fund(i)),
    transaction: { type: 4, input: { type: 1, milestoneId: id(77) }, output: { type: 2, amount: 5_000_000 } },
  };
}

describe("buildMilestonePayload", () => {
  it("round-trips: build → message → encode → decode → valid, with matching essence hash and id", () => {
    const payload = buildMilestonePayload(baseFields(), [S0, S1]);
    const { message, bytes } = buildMilestoneMessage({ networkId: 42n, payload });
    assert.equal(bytesToHex(encodeMessage(message)), bytesToHex(bytes));
    const decoded = decodeMessage(bytes, "untrusted");
    assert.deepEqual(decoded.parents, payload.parents);
    assert.equal(decoded.nonce, 0n);
    const verdict = new MilestoneValidator({ keyRanges: openRanges([S0, S1]), threshold: 2 }).validate(decoded, bytes);
    assert.ok(verdict.valid);
    assert.equal(bytesToHex(verdict.essenceHash), bytesToHex(milestoneEssenceHash(payload)));
    assert.equal(bytesToHex(verdict.milestoneId), bytesToHex(milestoneId(payload)));
  });

  it("sorts and deduplicates parents, sorts keys, and keeps each signature with its key", () => {
    const [p1, p2, p3] = [id(1), id(2), id(3)].sort(compareBytes) as [Uint8Array, Uint8Array, Uint8Array];
    const signers = [S2, S0, S1].sort((a, b) => -compareBytes(a.publicKey, b.publicKey));
    const payload = buildMilestonePayload(baseFields({ parents: [p3, p1, p3.slice(), p2, p1] }), signers);
    assert.deepEqual(payload.parents.map(bytesToHex), [p1, p2, p3].map(bytesToHex));
    assert.ok(isStrictlyAscending(payload.publicKeys));
    assert.equal(payload.publicKeys.length, 3);
    const hash = milestoneEssenceHash(payload);
    payload.publicKeys.forEach((k, i) => {
      assert.ok(ed25519Verify(k, hash, payload.signatures[i]!), `signature ${i}`);
    });
    assert.equal(bytesToHex(payload.publicKeys[0]!), bytesToHex(signers[2]!.publicKey));
  });

  it("fills defaults and copies every input buffer", () => {
    const fields = baseFields();
    const payload = buildMilestonePayload(fields, [S0, S1]);
    assert.equal(payload.nextPoWScore, 0);
    assert.equal(payload.nextPoWScoreMilestoneIndex, 0);
    assert.equal(payload.receipt, null);
    const before = bytesToHex(encodeMessage(buildMilestoneMessage({ networkId: 1n, payload }).message));
    for (const p of fields.parents) p.fill(0xff);
    fields.inclusionMerkleProof.fill(0xff);
    assert.equal(bytesToHex(encodeMessage(buildMilestoneMessage({ networkId: 1n, payload }).message)), before);
  });

  it("accepts a next PoW score that starts after this milestone (TIP-8)", () => {
    const payload = buildMilestonePayload(
      baseFields({ index: 10, nextPoWScore: 5000, nextPoWScoreMilestoneIndex: 11 }),
      [S0, S1],
    );
    assert.equal(payload.nextPoWScore, 5000);
    assert.equal(payload.nextPoWScoreMilestoneIndex, 11);
  });

  it("refuses out-of-range fields with MILESTONE_ERROR_INVALID_FIELD", () => {
    const bad: Partial<MilestoneFields>[] = [
      { index: 0 },
      { index: 1.5 },
      { index: 2 ** 32 },
      { timestamp: -1 },
      { timestamp: 2 ** 53 },
      { timestamp: 0.5 },
      { inclusionMerkleProof: new Uint8Array(31) },
      { parents: [id(1), new Uint8Array(33)] },
      { nextPoWScore: 0, nextPoWScoreMilestoneIndex: 5 },
      { index: 10, nextPoWScore: 1, nextPoWScoreMilestoneIndex: 10 },
      { index: 10, nextPoWScore: 1 },
      { nextPoWScore: 2 ** 32, nextPoWScoreMilestoneIndex: 2000 },
      { nextPoWScore: -1 },
    ];
    for (const o of bad) {
      assert.equal(
        errorCodeOf(() => buildMilestonePayload(baseFields(o), [S0, S1])),
        "MILESTONE_ERROR_INVALID_FIELD",
        JSON.stringify(o),
      );
    }
    assert.equal(
      errorCodeOf(() => buildMilestonePayload(baseFields(), [{ publicKey: new Uint8Array(31), sign: S0.sign }])),
      "MILESTONE_ERROR_INVALID_FIELD",
    );
  });

  it("needs 1..8 distinct parents (duplicates do not count)", () => {
    const nine = Array.from({ length: 9 }, (_, i) => id(i));
    assert.equal(
      errorCodeOf(() => buildMilestonePayload(baseFields({ parents: [] }), [S0, S1])),
      "MILESTONE_ERROR_PARENTS_COUNT",
    );
    assert.equal(
      errorCodeOf(() => buildMilestonePayload(baseFields({ parents: nine }), [S0, S1])),
      "MILESTONE_ERROR_PARENTS_COUNT",
    );
    const eightPlusDuplicate = [...nine.slice(0, 8), nine[3]!.slice()];
    assert.equal(buildMilestonePayload(baseFields({ parents: eightPlusDuplicate }), [S0, S1]).parents.length, 8);
  });

  it("needs 1..255 signers with distinct keys", () => {
    assert.equal(
      errorCodeOf(() => buildMilestonePayload(baseFields(), [])),
      "MILESTONE_ERROR_SIGNERS_COUNT",
    );
    const many = Array.from({ length: 256 }, (_, i) => fakeSigner(i));
    assert.equal(
      errorCodeOf(() => buildMilestonePayload(baseFields(), many)),
      "MILESTONE_ERROR_SIGNERS_COUNT",
    );
    const twin: MilestoneSigner = { publicKey: S0.publicKey.slice(), sign: S0.sign };
    assert.equal(
      errorCodeOf(() => buildMilestonePayload(baseFields(), [S0, S1, twin])),
      "MILESTONE_ERROR_DUPLICATE_SIGNER",
    );
  });

  it("refuses a milestone under 218 bytes (1 parent, 1 signer) before signing: iota.js 1.8.6 cannot read it", () => {
    let asked = 0;
    const counting: MilestoneSigner = {
      publicKey: S0.publicKey,
      sign: (h) => {
        asked++;
        return S0.sign(h);
      },
    };
    assert.equal(
      errorCodeOf(() => buildMilestonePayload(baseFields({ parents: [id(1)] }), [counting])),
      "MILESTONE_ERROR_TOO_SHORT_FOR_CLIENTS",
    );
    assert.equal(asked, 0);
    // Duplicated parents collapse to one: still too short.
    assert.equal(
      errorCodeOf(() => buildMilestonePayload(baseFields({ parents: [id(1), id(1)] }), [S0])),
      "MILESTONE_ERROR_TOO_SHORT_FOR_CLIENTS",
    );
    // 2 parents or 2 signers are enough; so is a receipt.
    const sizes = [
      buildMilestonePayload(baseFields({ parents: [id(1), id(2)] }), [S0]),
      buildMilestonePayload(baseFields({ parents: [id(1)] }), [S0, S1]),
      buildMilestonePayload(baseFields({ parents: [id(1)], receipt: receipt(1) }), [S0]),
    ].map(sizeOfMilestonePayload);
    assert.deepEqual(sizes, [223, 287, 342]);
    assert.ok(sizes.every((s) => s >= MIN_CLIENT_MILESTONE_PAYLOAD_LENGTH));
  });

  it("refuses a milestone whose message would exceed 32 KiB, before signing", () => {
    const signers = Array.from({ length: 255 }, (_, i) => fakeSigner(i));
    const parents = Array.from({ length: 8 }, (_, i) => id(i));
    assert.equal(
      errorCodeOf(() => buildMilestonePayload(baseFields({ parents, receipt: receipt(127) }), signers)),
      "MILESTONE_ERROR_MESSAGE_TOO_LARGE",
    );
    // Without the receipt it fits, so the signers are asked (and this one's error passes through unchanged).
    assert.throws(() => buildMilestonePayload(baseFields({ parents }), signers), /signer called/);
  });

  it("carries a valid receipt and refuses an invalid one", () => {
    const payload = buildMilestonePayload(baseFields({ receipt: receipt(3) }), [S0, S1]);
    assert.equal(payload.receipt?.funds.length, 3);
    const { bytes } = buildMilestoneMessage({ networkId: 1n, payload });
    const v = new MilestoneValidator({ keyRanges: openRanges([S0, S1]), threshold: 2 });
    assert.ok(v.validate(decodeMessage(bytes, "untrusted"), bytes).valid);

    const unsorted = { ...receipt(2), funds: [fund(1), fund(0)] };
    assert.equal(
      errorCodeOf(() => buildMilestonePayload(baseFields({ receipt: unsorted }), [S0, S1])),
      "MILESTONE_ERROR_INVALID_RECEIPT",
    );
    const notReceipt = { ...receipt(1), type: 4 } as unknown as ReceiptPayload;
    assert.equal(
      errorCodeOf(() => buildMilestonePayload(baseFields({ receipt: notReceipt }), [S0, S1])),
      "MILESTONE_ERROR_INVALID_RECEIPT",
    );
    const lowDeposit = { ...receipt(1), funds: [{ ...fund(0), deposit: 999_999 }] };
    assert.equal(
      errorCodeOf(() => buildMilestonePayload(baseFields({ receipt: lowDeposit }), [S0, S1])),
      "MILESTONE_ERROR_INVALID_RECEIPT",
    );
  });

  it("verifies what every signer returns (MILESTONE_ERROR_SIGNER_FAILED)", () => {
    const liars: MilestoneSigner[] = [
      { publicKey: S0.publicKey, sign: (h) => S1.sign(h) },
      { publicKey: S0.publicKey, sign: () => new Uint8Array(64) },
      { publicKey: S0.publicKey, sign: (h) => S0.sign(h).subarray(0, 63) },
      { publicKey: S0.publicKey, sign: (h) => S0.sign(h.map((b) => b ^ 1)) },
      { publicKey: S0.publicKey, sign: () => "signature" as unknown as Uint8Array },
    ];
    for (const liar of liars) {
      assert.equal(
        errorCodeOf(() => buildMilestonePayload(baseFields(), [S1, liar])),
        "MILESTONE_ERROR_SIGNER_FAILED",
      );
    }
  });

  it("does not keep a signer's buffer (a signer reusing its output buffer cannot change the milestone)", () => {
    const scratch = new Uint8Array(64);
    const reusing: MilestoneSigner = {
      publicKey: S0.publicKey,
      sign: (h) => {
        scratch.set(S0.sign(h));
        return scratch;
      },
    };
    const payload = buildMilestonePayload(baseFields(), [reusing, S1]);
    scratch.fill(0);
    const v = new MilestoneValidator({ keyRanges: openRanges([S0, S1]), threshold: 2 });
    assert.ok(v.validate({ networkId: 1n, parents: payload.parents, payload, nonce: 0n }).valid);
  });
});

describe("seedSigner", () => {
  it("derives the RFC 8032 public key and signs like ed25519Sign", () => {
    const seed = hexToBytes("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
    const signer = seedSigner(seed);
    assert.equal(bytesToHex(signer.publicKey), "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
    // RFC 8032 test 1 signs the empty message.
    assert.equal(
      bytesToHex(signer.sign(new Uint8Array(0))),
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    );
  });

  it("refuses a seed that is not 32 bytes and keeps its own copy", () => {
    assert.equal(
      errorCodeOf(() => seedSigner(new Uint8Array(31))),
      "MILESTONE_ERROR_INVALID_SEED",
    );
    const seed = SEEDS[0]!.slice();
    const signer = seedSigner(seed);
    seed.fill(0);
    const hash = id(1);
    assert.ok(ed25519Verify(signer.publicKey, hash, signer.sign(hash)));
  });
});

describe("buildMilestoneMessage", () => {
  const payload = buildMilestonePayload(baseFields(), [S0, S1]);

  it("uses the milestone parents and the given nonce", () => {
    const { message, bytes } = buildMilestoneMessage({ networkId: 2n ** 64n - 1n, payload, nonce: 12345n });
    assert.equal(message.parents, payload.parents);
    const decoded = decodeMessage(bytes, "untrusted");
    assert.equal(decoded.nonce, 12345n);
    assert.equal(decoded.networkId, 2n ** 64n - 1n);
  });

  it("refuses bad network ids, nonces and payloads", () => {
    assert.equal(
      errorCodeOf(() => buildMilestoneMessage({ networkId: -1n, payload })),
      "MILESTONE_ERROR_INVALID_FIELD",
    );
    assert.equal(
      errorCodeOf(() => buildMilestoneMessage({ networkId: 1n, payload, nonce: 2n ** 64n })),
      "MILESTONE_ERROR_INVALID_FIELD",
    );
    const notMilestone = { type: 2, index: new Uint8Array([1]), data: new Uint8Array() } as unknown as MilestonePayload;
    assert.equal(
      errorCodeOf(() => buildMilestoneMessage({ networkId: 1n, payload: notMilestone })),
      "MILESTONE_ERROR_INVALID_PAYLOAD",
    );
    const unsortedKeys = { ...payload, publicKeys: [...payload.publicKeys].reverse() };
    assert.equal(
      errorCodeOf(() => buildMilestoneMessage({ networkId: 1n, payload: unsortedKeys })),
      "MILESTONE_ERROR_INVALID_PAYLOAD",
    );
    const badProof = { ...payload, inclusionMerkleProof: new Uint8Array(3) };
    assert.equal(
      errorCodeOf(() => buildMilestoneMessage({ networkId: 1n, payload: badProof })),
      "MILESTONE_ERROR_INVALID_PAYLOAD",
    );
  });

  it("refuses a hand-made milestone under 218 bytes", () => {
    const short = signWith({ ...payload, parents: [id(1)], publicKeys: [S0.publicKey] }, [SEEDS[0]!]);
    assert.equal(sizeOfMilestonePayload(short), 191);
    assert.equal(
      errorCodeOf(() => buildMilestoneMessage({ networkId: 1n, payload: short })),
      "MILESTONE_ERROR_TOO_SHORT_FOR_CLIENTS",
    );
  });
});

describe("builder output and iota.js 1.8.6 (client-compat.md §8)", () => {
  it("iota.js really refuses a 191-byte milestone, which is why the builder refuses it", () => {
    const payload = buildMilestonePayload(baseFields(), [S0]);
    const short = signWith({ ...payload, parents: [id(1)] }, [SEEDS[0]!]);
    const bytes = encodeMessage({ networkId: 1n, parents: short.parents, payload: short, nonce: 0n });
    assert.throws(() => deserializeMessage(new ReadStream(bytes)), /minimimum size required of 218/);
  });

  it("iota.js deserializes the smallest milestones the builder makes to our JSON", () => {
    for (const payload of [
      buildMilestonePayload(baseFields({ parents: [id(1), id(2)] }), [S0]),
      buildMilestonePayload(baseFields({ parents: [id(1)] }), [S0, S1]),
    ]) {
      const { message, bytes } = buildMilestoneMessage({ networkId: 9n, payload, nonce: 3n });
      assert.deepEqual(withoutNulls(deserializeMessage(new ReadStream(bytes))), withoutNulls(messageToJson(message)));
    }
  });
});

describe("builder property (fast-check)", () => {
  const arbParentsWithDuplicates = fc
    .tuple(
      fc.uniqueArray(arbBytes(32), { minLength: 1, maxLength: 8, selector: bytesToHex }),
      fc.array(fc.nat(), { minLength: 1, maxLength: 12 }),
    )
    .map(([pool, picks]) => picks.map((i) => pool[i % pool.length]!));

  const arbCase = fc.record({
    // iota.js reads u32 fields as signed 32-bit integers, so stay below 2^31 to compare with it.
    index: fc.integer({ min: 1, max: 0x7fff_0000 }),
    timestamp: fc.maxSafeNat(),
    parents: arbParentsWithDuplicates,
    inclusionMerkleProof: arbBytes(32),
    pow: fc.option(
      fc.record({ score: fc.integer({ min: 1, max: 0x7fff_ffff }), ahead: fc.integer({ min: 1, max: 1000 }) }),
      {
        nil: null,
      },
    ),
    receipt: fc.option(
      arbReceiptPayload().map((r) => ({ ...r, migratedAt: r.migratedAt & 0x7fff_ffff })),
      { nil: null, freq: 5 },
    ),
    signers: fc.shuffledSubarray([...SIGNERS], { minLength: 1, maxLength: 5 }),
    thresholdSeed: fc.nat(),
    networkId: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    nonce: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  });

  it("random valid inputs build milestones ≥ 218 bytes that validate and that iota.js reads identically", () => {
    let built = 0;
    fc.assert(
      fc.property(arbCase, (c) => {
        const fields: MilestoneFields = {
          index: c.index,
          timestamp: c.timestamp,
          parents: c.parents,
          inclusionMerkleProof: c.inclusionMerkleProof,
          receipt: c.receipt,
          ...(c.pow === null ? {} : { nextPoWScore: c.pow.score, nextPoWScoreMilestoneIndex: c.index + c.pow.ahead }),
        };
        const distinctParents = new Set(c.parents.map(bytesToHex)).size;
        if (distinctParents === 1 && c.signers.length === 1 && c.receipt === null) {
          assert.equal(
            errorCodeOf(() => buildMilestonePayload(fields, c.signers)),
            "MILESTONE_ERROR_TOO_SHORT_FOR_CLIENTS",
          );
          return;
        }
        const payload = buildMilestonePayload(fields, c.signers);
        built++;
        assert.equal(payload.parents.length, distinctParents);
        assert.ok(isStrictlyAscending(payload.parents));
        assert.ok(isStrictlyAscending(payload.publicKeys));
        assert.ok(sizeOfMilestonePayload(payload) >= MIN_CLIENT_MILESTONE_PAYLOAD_LENGTH);

        const { bytes } = buildMilestoneMessage({ networkId: c.networkId, payload, nonce: c.nonce });
        assert.ok(messagePayloadBytes(bytes)!.length >= MIN_CLIENT_MILESTONE_PAYLOAD_LENGTH);
        const decoded = decodeMessage(bytes, "untrusted");
        const threshold = 1 + (c.thresholdSeed % c.signers.length);
        const verdict = new MilestoneValidator({ keyRanges: openRanges(c.signers), threshold }).validate(
          decoded,
          bytes,
        );
        assert.ok(verdict.valid, verdict.valid ? "" : verdict.detail);
        assert.equal(verdict.index, c.index);
        assert.equal(bytesToHex(verdict.milestoneId), bytesToHex(milestoneId(payload)));

        assert.deepEqual(withoutNulls(deserializeMessage(new ReadStream(bytes))), withoutNulls(messageToJson(decoded)));
      }),
      { numRuns: 300 },
    );
    assert.ok(built > 100, `only ${built} milestones built`);
  });
});
