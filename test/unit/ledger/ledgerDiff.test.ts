/** Per-address totals of a diff (TIP-15 dust counters) and the ledger form of a snapshot's milestone diff. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  encodeMilestonePayload,
  type MilestonePayload,
  milestoneIdFromBytes,
  type ReceiptPayload,
} from "../../../src/codec/index.js";
import { balanceDeltas, diffOfSnapshotMilestone, isDustOutput } from "../../../src/ledger/ledgerDiff.js";
import type { LedgerOutput } from "../../../src/ledger/types.js";
import { errorCodeOf } from "../../utils/errorCode.js";

const address = (n: number) => new Uint8Array(32).fill(n);
const output = (n: number, a: number, amount: number, type: 0 | 1 = 0): LedgerOutput => ({
  outputId: new Uint8Array(34).fill(n),
  messageId: new Uint8Array(32),
  output: { type, address: { type: 0, address: address(a) }, amount },
});

const receipt: ReceiptPayload = {
  type: 3,
  migratedAt: 9,
  final: false,
  funds: [{ tailTransactionHash: new Uint8Array(49).fill(1), address: { type: 0, address: address(7) }, deposit: 1e6 }],
  transaction: { type: 4, input: { type: 1, milestoneId: new Uint8Array(32) }, output: { type: 2, amount: 4e6 } },
};

const milestone = (r: ReceiptPayload | null): MilestonePayload => ({
  type: 1,
  index: 5,
  timestamp: 1_700_000_000,
  parents: [new Uint8Array(32).fill(9)],
  inclusionMerkleProof: new Uint8Array(32),
  nextPoWScore: 0,
  nextPoWScoreMilestoneIndex: 0,
  publicKeys: [new Uint8Array(32).fill(3)],
  receipt: r,
  signatures: [new Uint8Array(64).fill(4)],
});

describe("ledger diffs", () => {
  it("counts dust and allowance per address; an output in both lists cancels out", () => {
    assert.ok(isDustOutput(output(1, 1, 999_999)));
    assert.ok(!isDustOutput(output(1, 1, 1_000_000)));
    assert.ok(!isDustOutput(output(1, 1, 1_000_000, 1)));
    const both = output(4, 3, 10);
    const deltas = balanceDeltas([output(1, 1, 500), output(2, 1, 2_000_000, 1), both], [output(3, 2, 700), both]);
    assert.deepEqual(deltas, [
      { address: address(1), balance: 2_000_500, dustAllowanceSum: 2_000_000, dustOutputCount: 1 },
      { address: address(3), balance: 0, dustAllowanceSum: 0, dustOutputCount: 0 },
      { address: address(2), balance: -700, dustAllowanceSum: 0, dustOutputCount: -1 },
    ]);
  });

  it("names the new treasury output of a snapshot diff by the milestone id (TIP-17)", () => {
    const bytes = encodeMilestonePayload(milestone(receipt));
    const spentTreasury = { milestoneId: new Uint8Array(32), amount: 5e6 };
    const created = [output(1, 7, 1e6)];
    const d = diffOfSnapshotMilestone({
      milestoneIndex: 5,
      milestonePayloadBytes: bytes,
      milestone: milestone(receipt),
      spentTreasury,
      created,
      consumed: [],
    });
    assert.deepEqual(d.treasury, {
      receipt,
      spent: spentTreasury,
      created: { milestoneId: milestoneIdFromBytes(bytes), amount: 4e6 },
    });
    assert.equal(d.created, created);
    assert.equal(d.milestonePayloadBytes, bytes);

    const plain = encodeMilestonePayload(milestone(null));
    const none = { milestoneIndex: 5, milestonePayloadBytes: plain, created: [], consumed: [] };
    assert.equal(diffOfSnapshotMilestone({ ...none, milestone: milestone(null), spentTreasury: null }).treasury, null);
    assert.equal(
      errorCodeOf(() => diffOfSnapshotMilestone({ ...none, milestone: milestone(null), spentTreasury })),
      "LEDGER_ERROR_RECEIPT_INVALID",
    );
    assert.equal(
      errorCodeOf(() => diffOfSnapshotMilestone({ ...none, milestone: milestone(receipt), spentTreasury: null })),
      "LEDGER_ERROR_RECEIPT_INVALID",
    );
  });
});
