/** Shared helpers of the snapshot tests: error capture, byte patching and random snapshot content. */
import assert from "node:assert/strict";
import fc from "fast-check";
import { encodeMilestonePayload } from "../../../../src/codec/index.js";
import { SnapshotError } from "../../../../src/ledger/snapshot/snapshotError.js";
import type {
  SnapshotHeaderFields,
  SnapshotMilestoneDiff,
  SnapshotType,
} from "../../../../src/ledger/snapshot/snapshotFormat.js";
import type { LedgerOutput, SpentOutput } from "../../../../src/ledger/types.js";
import { TOKEN_SUPPLY } from "../../../../src/params/protocol.js";
import { arbBytes, arbMilestonePayload } from "../../../utils/arbitraries.js";

/** The SnapshotError `fn` rejects with; fails the test on success or on any other error. */
export async function snapshotErrorOf(fn: () => Promise<unknown>): Promise<SnapshotError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof SnapshotError) return e;
    throw e;
  }
  assert.fail("expected a SnapshotError, but nothing was thrown");
}

/** A copy of `bytes` with `values` written from `offset`. */
export function patched(bytes: Uint8Array, offset: number, values: ArrayLike<number>): Uint8Array {
  const out = bytes.slice();
  out.set(values, offset);
  return out;
}

export function u64le(v: bigint): Uint8Array {
  const out = new Uint8Array(8);
  for (let i = 0; i < 8; i++) out[i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

/** Random content of a snapshot file, as the reader returns it. */
export interface SnapshotContent {
  header: SnapshotHeaderFields;
  solidEntryPoints: Uint8Array[];
  outputs: LedgerOutput[];
  milestoneDiffs: SnapshotMilestoneDiff[];
}

/** Amounts small enough that any 40 of them stay below the supply with a treasury of up to half of it. */
const arbAmount = fc.integer({ min: 1, max: Math.floor(TOKEN_SUPPLY / 100) });

const arbOutput = (): fc.Arbitrary<LedgerOutput> =>
  fc
    .record({
      outputId: arbBytes(34),
      messageId: arbBytes(32),
      type: fc.constantFrom(0 as const, 1 as const),
      address: arbBytes(32),
      amount: arbAmount,
    })
    .map(({ outputId, messageId, type, address, amount }) => ({
      outputId,
      messageId,
      output: { type, address: { type: 0 as const, address }, amount },
    }));

const arbTreasury = fc
  .record({ milestoneId: arbBytes(32), amount: fc.integer({ min: 0, max: Math.floor(TOKEN_SUPPLY / 2) }) })
  .map(({ milestoneId, amount }) => ({ milestoneId, amount }));

const arbDiff = (): fc.Arbitrary<SnapshotMilestoneDiff> =>
  fc
    .record({
      milestone: arbMilestonePayload(),
      treasury: arbTreasury,
      created: fc.array(arbOutput(), { maxLength: 4 }),
      consumed: fc.array(fc.record({ o: arbOutput(), target: arbBytes(32) }), { maxLength: 4 }),
    })
    .map(({ milestone, treasury, created, consumed }) => ({
      milestoneIndex: milestone.index,
      milestonePayloadBytes: encodeMilestonePayload(milestone),
      milestone,
      spentTreasury: milestone.receipt === null ? null : treasury,
      created,
      consumed: consumed.map(
        ({ o, target }): SpentOutput => ({
          ...o,
          targetTransactionId: target,
          milestoneIndexSpent: milestone.index,
        }),
      ),
    }));

export const arbSnapshotContent = (): fc.Arbitrary<SnapshotContent> =>
  fc
    .record({
      type: fc.constantFrom<SnapshotType>("full", "delta"),
      timestamp: fc.maxSafeNat(),
      networkId: fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }),
      sepIndex: fc.integer({ min: 0, max: 0xffff_ffff }),
      ledgerIndex: fc.integer({ min: 0, max: 0xffff_ffff }),
      treasury: arbTreasury,
      solidEntryPoints: fc.array(arbBytes(32), { maxLength: 6 }),
      outputs: fc.array(arbOutput(), { maxLength: 8 }),
      milestoneDiffs: fc.array(arbDiff(), { maxLength: 3 }),
    })
    .map(
      ({ type, timestamp, networkId, sepIndex, ledgerIndex, treasury, solidEntryPoints, outputs, milestoneDiffs }) => ({
        header: { type, timestamp, networkId, sepIndex, ledgerIndex, treasury: type === "full" ? treasury : null },
        solidEntryPoints,
        outputs: type === "full" ? outputs : [],
        milestoneDiffs,
      }),
    );

/** A deterministic output whose ids and address come from n (for large files). */
export function syntheticOutput(n: number): LedgerOutput {
  const outputId = new Uint8Array(34);
  const messageId = new Uint8Array(32);
  const address = new Uint8Array(32);
  for (let i = 0; i < 4; i++) {
    outputId[i] = (n >>> (8 * i)) & 0xff;
    messageId[31 - i] = (n >>> (8 * i)) & 0xff;
    address[i] = ((n * 7) >>> (8 * i)) & 0xff;
  }
  return { outputId, messageId, output: { type: 0, address: { type: 0, address }, amount: 1_000_000 + (n % 1000) } };
}
