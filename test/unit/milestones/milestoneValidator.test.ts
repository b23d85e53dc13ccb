import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { milestoneEssenceHash, milestoneId } from "../../../src/codec/ids.js";
import { encodeMessage } from "../../../src/codec/message.js";
import type { Message, MilestonePayload } from "../../../src/codec/types.js";
import type { MilestoneKeyRange } from "../../../src/milestones/keyRanges.js";
import { buildMilestonePayload, type MilestoneSigner } from "../../../src/milestones/milestoneBuilder.js";
import {
  type MilestoneInvalidReason,
  MilestoneValidator,
  type MilestoneVerdict,
} from "../../../src/milestones/milestoneValidator.js";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { errorCodeOf } from "../../utils/errorCode.js";
import { baseFields, id, messageOf, openRanges, SEEDS, SIGNERS, signWith } from "./milestoneKit.js";

const [S0, S1, S2, S3] = SIGNERS as [MilestoneSigner, MilestoneSigner, MilestoneSigner, MilestoneSigner];

function reasonOf(v: MilestoneVerdict): MilestoneInvalidReason | "VALID" {
  return v.valid ? "VALID" : v.reason;
}

function validator(ranges: MilestoneKeyRange[], threshold: number): MilestoneValidator {
  return new MilestoneValidator({ keyRanges: ranges, threshold });
}

function built(signers: MilestoneSigner[], index = 1000): MilestonePayload {
  return buildMilestonePayload(baseFields({ index }), signers);
}

/** A payload with raw keys (any order, duplicates allowed) signed by `seeds` in the same order. */
function rawPayload(keyIdx: number[], seedIdx = keyIdx): MilestonePayload {
  const p = built([S0, S1]);
  return signWith(
    { ...p, publicKeys: keyIdx.map((i) => SIGNERS[i]!.publicKey) },
    seedIdx.map((i) => SEEDS[i]!),
  );
}

describe("MilestoneValidator configuration", () => {
  it("refuses a threshold that is not an integer in 1..255", () => {
    for (const t of [0, -1, 1.5, 256, Number.NaN]) {
      assert.equal(
        errorCodeOf(() => validator(openRanges([S0]), t)),
        "MILESTONE_ERROR_INVALID_THRESHOLD",
        String(t),
      );
    }
    assert.equal(validator(openRanges([S0]), 255).threshold, 255);
  });

  it("refuses invalid key ranges with the key-range codes", () => {
    assert.equal(
      errorCodeOf(() => validator([], 1)),
      "MILESTONE_ERROR_KEY_RANGES_FORMAT",
    );
    assert.equal(
      errorCodeOf(() => validator([{ publicKey: S0.publicKey, startIndex: 9, endIndex: 3 }], 1)),
      "MILESTONE_ERROR_KEY_RANGE_ORDER",
    );
  });

  it("keeps its own copy of the ranges", () => {
    const ranges = openRanges([S0, S1]);
    const v = validator(ranges, 2);
    const payload = built([S0, S1]);
    ranges[0]!.startIndex = 5000;
    ranges[1]!.publicKey.fill(0);
    assert.equal(reasonOf(v.validate(messageOf(payload))), "VALID");
  });
});

describe("MilestoneValidator verdicts", () => {
  const v2 = validator(openRanges([S0, S1, S2]), 2);

  it("accepts a built milestone and reports index, timestamp, essence hash and milestone id", () => {
    const payload = built([S2, S0]);
    const verdict = v2.validate(messageOf(payload));
    assert.ok(verdict.valid);
    assert.equal(verdict.index, 1000);
    assert.equal(verdict.timestamp, 1_700_000_000);
    assert.equal(bytesToHex(verdict.essenceHash), bytesToHex(milestoneEssenceHash(payload)));
    assert.equal(bytesToHex(verdict.milestoneId), bytesToHex(milestoneId(payload)));
    assert.equal(verdict.payload, payload);
  });

  it("NOT_A_MILESTONE: no payload, or another payload", () => {
    const plain: Message = { networkId: 1n, parents: [id(1)], payload: null, nonce: 0n };
    assert.equal(reasonOf(v2.validate(plain)), "NOT_A_MILESTONE");
    const indexation: Message = { ...plain, payload: { type: 2, index: new Uint8Array([1]), data: new Uint8Array() } };
    assert.equal(reasonOf(v2.validate(indexation)), "NOT_A_MILESTONE");
  });

  it("PARENTS_MISMATCH: fewer, other or reordered message parents", () => {
    const payload = built([S0, S1]);
    const msg = messageOf(payload);
    assert.equal(reasonOf(v2.validate({ ...msg, parents: payload.parents.slice(1) })), "PARENTS_MISMATCH");
    assert.equal(reasonOf(v2.validate({ ...msg, parents: [id(7), ...payload.parents.slice(1)] })), "PARENTS_MISMATCH");
    assert.equal(reasonOf(v2.validate({ ...msg, parents: [...payload.parents].reverse() })), "PARENTS_MISMATCH");
  });

  it("NO_SIGNATURES and SIGNATURE_COUNT_MISMATCH", () => {
    const payload = built([S0, S1]);
    assert.equal(reasonOf(v2.validate(messageOf({ ...payload, signatures: [] }))), "NO_SIGNATURES");
    assert.equal(
      reasonOf(v2.validate(messageOf({ ...payload, signatures: payload.signatures.slice(1) }))),
      "SIGNATURE_COUNT_MISMATCH",
    );
    assert.equal(
      reasonOf(v2.validate(messageOf({ ...payload, publicKeys: [], signatures: payload.signatures }))),
      "SIGNATURE_COUNT_MISMATCH",
    );
  });

  it("BELOW_THRESHOLD: fewer signatures than the threshold", () => {
    const verdict = v2.validate(messageOf(built([S1])));
    assert.equal(reasonOf(verdict), "BELOW_THRESHOLD");
    assert.match((verdict as { detail: string }).detail, /1 signatures, the threshold is 2/);
  });

  it("TOO_FEW_APPLICABLE_KEYS: fewer configured keys at this index than the threshold", () => {
    const v = validator(
      [
        { publicKey: S0.publicKey, startIndex: 0, endIndex: 999 },
        { publicKey: S1.publicKey, startIndex: 0, endIndex: 0 },
      ],
      2,
    );
    assert.equal(reasonOf(v.validate(messageOf(built([S0, S1], 999)))), "VALID");
    assert.equal(reasonOf(v.validate(messageOf(built([S0, S1], 1000)))), "TOO_FEW_APPLICABLE_KEYS");
  });

  it("DUPLICATE_KEY: the same key twice, even with valid signatures", () => {
    assert.equal(reasonOf(v2.validate(messageOf(rawPayload([0, 0])))), "DUPLICATE_KEY");
  });

  it("KEY_NOT_APPLICABLE: a key outside the configured ranges", () => {
    const verdict = v2.validate(messageOf(built([S0, S3])));
    assert.equal(reasonOf(verdict), "KEY_NOT_APPLICABLE");
    assert.match((verdict as { detail: string }).detail, new RegExp(bytesToHex(S3.publicKey)));
  });

  it("INVALID_SIGNATURE: a signature by another key, or a changed signature", () => {
    assert.equal(reasonOf(v2.validate(messageOf(rawPayload([0, 1], [0, 2])))), "INVALID_SIGNATURE");
    const payload = built([S0, S1]);
    const tampered = payload.signatures.map((s) => s.slice());
    tampered[1]![63]! ^= 0x01;
    const verdict = v2.validate(messageOf({ ...payload, signatures: tampered }));
    assert.equal(reasonOf(verdict), "INVALID_SIGNATURE");
    assert.match((verdict as { detail: string }).detail, /^signature 1 /);
  });

  it("runs the checks in Hornet's order: the first failing rule is reported", () => {
    const payload = rawPayload([0, 0], [0, 2]); // duplicate key, and the second signature is wrong
    // Parents before signatures.
    assert.equal(reasonOf(v2.validate({ ...messageOf(payload), parents: [id(5)] })), "PARENTS_MISMATCH");
    // Count checks before key checks.
    assert.equal(reasonOf(v2.validate(messageOf({ ...payload, signatures: [] }))), "NO_SIGNATURES");
    // Threshold before applicable keys: threshold 3 with only 2 keys applicable reports BELOW_THRESHOLD first.
    const v3 = validator(openRanges([S0, S1]), 3);
    assert.equal(reasonOf(v3.validate(messageOf(built([S0, S1])))), "BELOW_THRESHOLD");
    assert.equal(reasonOf(v3.validate(messageOf(built([S0, S1, S2])))), "TOO_FEW_APPLICABLE_KEYS");
    // Per key, in key order: key 0 (not applicable) is reported before key 1 (bad signature).
    assert.equal(reasonOf(v2.validate(messageOf(rawPayload([3, 1], [3, 2])))), "KEY_NOT_APPLICABLE");
    // Key 0 with a bad signature is reported before key 1 that is not applicable.
    assert.equal(reasonOf(v2.validate(messageOf(rawPayload([0, 3], [2, 3])))), "INVALID_SIGNATURE");
    // The duplicate is found at key 1 only after key 0 passed.
    assert.equal(reasonOf(v2.validate(messageOf(payload))), "DUPLICATE_KEY");
  });
});

describe("MilestoneValidator key-range configurations", () => {
  it("2-of-3: any two of the three keys, or all three", () => {
    const v = validator(openRanges([S0, S1, S2]), 2);
    for (const pair of [
      [S0, S1],
      [S0, S2],
      [S1, S2],
      [S0, S1, S2],
    ]) {
      assert.equal(reasonOf(v.validate(messageOf(built(pair)))), "VALID");
    }
    assert.equal(reasonOf(v.validate(messageOf(built([S2])))), "BELOW_THRESHOLD");
  });

  it("1-of-N: each key alone, and any subset", () => {
    const v = validator(openRanges([S0, S1, S2, S3]), 1);
    for (const s of [S0, S1, S2, S3]) assert.equal(reasonOf(v.validate(messageOf(built([s])))), "VALID");
    assert.equal(reasonOf(v.validate(messageOf(built([S3, S1])))), "VALID");
  });

  it("key rotation: a key leaves after its end index and a new one joins at its start index", () => {
    const v = validator(
      [
        { publicKey: S0.publicKey, startIndex: 0, endIndex: 100 },
        { publicKey: S1.publicKey, startIndex: 0, endIndex: 0 },
        { publicKey: S2.publicKey, startIndex: 101, endIndex: 0 },
      ],
      2,
    );
    assert.equal(reasonOf(v.validate(messageOf(built([S0, S1], 100)))), "VALID");
    assert.equal(reasonOf(v.validate(messageOf(built([S0, S1], 101)))), "KEY_NOT_APPLICABLE");
    assert.equal(reasonOf(v.validate(messageOf(built([S1, S2], 100)))), "KEY_NOT_APPLICABLE");
    assert.equal(reasonOf(v.validate(messageOf(built([S1, S2], 101)))), "VALID");
    assert.deepEqual([...v.applicableKeys(100)].sort(), [S0, S1].map((s) => bytesToHex(s.publicKey)).sort());
  });
});

describe("MilestoneValidator with message bytes", () => {
  const v = validator(openRanges([S0, S1]), 2);

  it("hashes the received bytes, not a re-encoding of the object", () => {
    const payload = built([S0, S1]);
    const msg = messageOf(payload);
    const bytes = encodeMessage(msg);
    // The object says another timestamp: re-encoding would change the essence, the bytes do not.
    const lying: Message = { ...msg, payload: { ...payload, timestamp: payload.timestamp + 1 } };
    assert.equal(reasonOf(v.validate(lying)), "INVALID_SIGNATURE");
    const verdict = v.validate(lying, bytes);
    assert.ok(verdict.valid);
    assert.equal(bytesToHex(verdict.milestoneId), bytesToHex(milestoneId(payload)));
    assert.equal(bytesToHex(verdict.essenceHash), bytesToHex(milestoneEssenceHash(payload)));
  });

  it("refuses bytes without a payload for a message with a milestone", () => {
    const payload = built([S0, S1]);
    const empty = encodeMessage({ networkId: 1n, parents: payload.parents, payload: null, nonce: 0n });
    assert.equal(
      errorCodeOf(() => v.validate(messageOf(payload), empty)),
      "MILESTONE_ERROR_INVALID_PAYLOAD",
    );
  });
});
