/**
 * TIP-8 milestone validation (chrysalis.md §5.2–§5.3) against the real testnet7 milestone 16241 (§15.2), whose two
 * signatures verify. The codec side of this vector (layout, ids, JSON) is in tip-0006-0008.test.ts.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeMessage } from "../../src/codec/message.js";
import type { Message, MilestonePayload } from "../../src/codec/types.js";
import { type MilestoneKeyRange, parseKeyRanges } from "../../src/milestones/keyRanges.js";
import {
  type MilestoneInvalidReason,
  MilestoneValidator,
  type MilestoneVerdict,
} from "../../src/milestones/milestoneValidator.js";
import {
  MILESTONE_KEY_RANGES_DEVNET,
  MILESTONE_KEY_RANGES_MAINNET,
  MILESTONE_PUBLIC_KEY_COUNT_DEVNET,
  MILESTONE_PUBLIC_KEY_COUNT_MAINNET,
} from "../../src/params/milestoneKeys.js";
import { bytesToHex, hexToBytes } from "../../src/primitives/hex.js";
import { type MilestoneFixture, readMessageFixture } from "../utils/codecFixtures.js";

const FX = readMessageFixture<MilestoneFixture>("testnet7-milestone-16241.json");
const BYTES = hexToBytes(FX.messageHex);
const KEY_A = "7205c145525cee64f1c9363696811d239919d830ad964b4e29359e6475848f5a";
const KEY_B = "e468e82df33d10dea3bd0eadcd7867946a674d207c39f5af4cc44365d268a7e6";
/** Offset of the first signature in the message: after it come the second signature (64) and the nonce (8). */
const SIG0_OFFSET = BYTES.length - 8 - 64 - 64;

function ranges(a: [number, number], b: [number, number]): MilestoneKeyRange[] {
  return parseKeyRanges([
    { key: KEY_A, start: a[0], end: a[1] },
    { key: KEY_B, start: b[0], end: b[1] },
  ]);
}

function check(keyRanges: MilestoneKeyRange[], threshold: number, bytes = BYTES): MilestoneVerdict {
  return new MilestoneValidator({ keyRanges, threshold }).validate(decodeMessage(bytes, "untrusted"), bytes);
}

function reasonOf(v: MilestoneVerdict): MilestoneInvalidReason | "VALID" {
  return v.valid ? "VALID" : v.reason;
}

const OPEN: [number, number] = [0, 0];

describe("testnet7 milestone 16241 (chrysalis.md §15.2)", () => {
  it("is valid with both keys open-ended from 0 and threshold 2, with the documented essence hash and id", () => {
    const verdict = check(ranges(OPEN, OPEN), 2);
    assert.ok(verdict.valid);
    assert.equal(verdict.index, 16241);
    assert.equal(verdict.timestamp, 1617959712);
    assert.equal(bytesToHex(verdict.essenceHash), FX.milestoneEssenceHash);
    assert.equal(bytesToHex(verdict.milestoneId), FX.milestoneId);
    assert.equal(FX.milestoneEssenceHash, "870b7d75497fca8f8370702747d337a439b7984d5b1c5fd8ac26b8fb72ba2130");
    assert.equal(FX.milestoneId, "ba14f48368d132e59a889a3cdffc9b58fb4b21ad3b85658fe54ab9d5ec371596");
  });

  it("gives the same verdict from the decoded object alone (re-encoded essence)", () => {
    const verdict = new MilestoneValidator({ keyRanges: ranges(OPEN, OPEN), threshold: 2 }).validate(
      decodeMessage(BYTES, "untrusted"),
    );
    assert.ok(verdict.valid);
    assert.equal(bytesToHex(verdict.essenceHash), FX.milestoneEssenceHash);
    assert.equal(bytesToHex(verdict.milestoneId), FX.milestoneId);
  });

  it("is valid with threshold 1 too", () => {
    assert.equal(reasonOf(check(ranges(OPEN, OPEN), 1)), "VALID");
  });

  it("is invalid with threshold 3 (BELOW_THRESHOLD: 2 signatures)", () => {
    assert.equal(reasonOf(check(ranges(OPEN, OPEN), 3)), "BELOW_THRESHOLD");
  });

  it("key ranges are inclusive: a key ending at 16241 or starting at 16241 still applies", () => {
    assert.equal(reasonOf(check(ranges([0, 16241], OPEN), 2)), "VALID");
    assert.equal(reasonOf(check(ranges(OPEN, [16241, 0]), 2)), "VALID");
    assert.equal(reasonOf(check(ranges([16241, 16241], [16241, 16241]), 2)), "VALID");
  });

  it("is invalid when one key's range ends at 16240", () => {
    // Threshold 2: only one key applies at 16241.
    assert.equal(reasonOf(check(ranges([0, 16240], OPEN), 2)), "TOO_FEW_APPLICABLE_KEYS");
    // Threshold 1: enough keys apply, but the milestone is signed by a key that does not.
    assert.equal(reasonOf(check(ranges([0, 16240], OPEN), 1)), "KEY_NOT_APPLICABLE");
    assert.equal(reasonOf(check(ranges(OPEN, [0, 16240]), 1)), "KEY_NOT_APPLICABLE");
  });

  it("is invalid when a key range starts at 16242", () => {
    assert.equal(reasonOf(check(ranges(OPEN, [16242, 0]), 2)), "TOO_FEW_APPLICABLE_KEYS");
    const verdict = check(ranges(OPEN, [16242, 0]), 1);
    assert.equal(reasonOf(verdict), "KEY_NOT_APPLICABLE");
    assert.match((verdict as { detail: string }).detail, new RegExp(`public key 1 \\(${KEY_B}\\)`));
  });

  it("is invalid with a flipped signature byte, in either signature", () => {
    for (const offset of [SIG0_OFFSET, SIG0_OFFSET + 10, SIG0_OFFSET + 64, SIG0_OFFSET + 127]) {
      const bytes = BYTES.slice();
      bytes[offset]! ^= 0x01;
      const verdict = check(ranges(OPEN, OPEN), 2, bytes);
      assert.equal(reasonOf(verdict), "INVALID_SIGNATURE", `offset ${offset}`);
      assert.match(
        (verdict as { detail: string }).detail,
        new RegExp(`^signature ${offset < SIG0_OFFSET + 64 ? 0 : 1} `),
      );
    }
  });

  it("is invalid with a changed essence byte (the timestamp)", () => {
    const bytes = BYTES.slice();
    const decoded = decodeMessage(BYTES, "untrusted");
    // The milestone payload starts after network id (8), parents (1 + 6·32) and the payload length (4); the
    // timestamp follows the u32 type and the u32 index.
    const timestampOffset = 8 + 1 + decoded.parents.length * 32 + 4 + 4 + 4;
    bytes[timestampOffset]! ^= 0x01;
    assert.equal((decodeMessage(bytes, "untrusted").payload as MilestonePayload).timestamp, 1617959712 ^ 1);
    assert.equal(reasonOf(check(ranges(OPEN, OPEN), 2, bytes)), "INVALID_SIGNATURE");
  });

  it("is not a milestone when the message parents differ from the payload's (chrysalis.md §5.3)", () => {
    // Flip the last byte of the message's first parent: still sorted, so the message itself stays valid.
    const bytes = BYTES.slice();
    bytes[9 + 31]! ^= 0x01;
    const msg = decodeMessage(bytes, "untrusted");
    assert.equal(reasonOf(check(ranges(OPEN, OPEN), 2, bytes)), "PARENTS_MISMATCH");
    // The same with an object whose message parents are a subset of the milestone's.
    const original = decodeMessage(BYTES, "untrusted");
    const fewer: Message = { ...original, parents: original.parents.slice(0, 5) };
    const v = new MilestoneValidator({ keyRanges: ranges(OPEN, OPEN), threshold: 2 });
    assert.equal(reasonOf(v.validate(fewer)), "PARENTS_MISMATCH");
    assert.notEqual(bytesToHex(msg.parents[0]!), bytesToHex(original.parents[0]!));
  });

  it("is not a mainnet or devnet milestone (other coordinator keys)", () => {
    const mainnet = check(parseKeyRanges(MILESTONE_KEY_RANGES_MAINNET), MILESTONE_PUBLIC_KEY_COUNT_MAINNET);
    assert.equal(reasonOf(mainnet), "KEY_NOT_APPLICABLE");
    const devnet = check(parseKeyRanges(MILESTONE_KEY_RANGES_DEVNET), MILESTONE_PUBLIC_KEY_COUNT_DEVNET);
    assert.equal(reasonOf(devnet), "KEY_NOT_APPLICABLE");
  });
});
