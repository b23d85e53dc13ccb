/**
 * One milestone's change to the UTXO ledger in the form both sources share: a confirmation (white flag's
 * mutations) and a milestone diff of a snapshot file (chrysalis.md §11.2). The ledger applies and rolls back only
 * this form, so a snapshot diff and a live confirmation take the same path.
 */
import { type MilestonePayload, milestoneIdFromBytes, type ReceiptPayload } from "../codec/index.js";
import { DUST_ALLOWANCE_MINIMUM } from "../params/protocol.js";
import { LedgerError } from "./ledgerError.js";
import type { LedgerOutput, SpentOutput, TreasuryOutputState, WhiteFlagMutations } from "./types.js";

/** What a receipt does to the treasury (TIP-17): the old treasury output is spent, a new one created. */
export interface TreasuryMutation {
  receipt: ReceiptPayload;
  spent: TreasuryOutputState;
  created: TreasuryOutputState;
}

export interface LedgerDiff {
  milestoneIndex: number;
  /** Outputs the milestone created (transactions' and the receipt's migrated funds). */
  created: LedgerOutput[];
  /** Outputs it consumed, each with milestoneIndexSpent = milestoneIndex. May include outputs of `created`. */
  consumed: SpentOutput[];
  treasury: TreasuryMutation | null;
  /** The milestone payload (TIP-8 bytes), kept for snapshot writing; null when not known. */
  milestonePayloadBytes: Uint8Array | null;
}

/** The change of an address's totals over its unspent outputs. */
export interface BalanceDelta {
  address: Uint8Array;
  balance: number;
  dustAllowanceSum: number;
  dustOutputCount: number;
}

/** TIP-15: a SigLockedSingleOutput below 1 Mi is dust; a dust allowance output never is. */
export function isDustOutput(o: LedgerOutput): boolean {
  return o.output.type === 0 && o.output.amount < DUST_ALLOWANCE_MINIMUM;
}

/**
 * A Map key for an id: one UTF-16 unit per byte. Cheaper than hex for the sets a confirmation builds per output
 * (no table lookups, half the length), and distinct ids give distinct keys.
 */
export function idKey(id: Uint8Array): string {
  return String.fromCharCode.apply(null, id as unknown as number[]);
}

function addTo(deltas: Map<string, BalanceDelta>, o: LedgerOutput, sign: 1 | -1): void {
  const address = o.output.address.address;
  const key = idKey(address);
  let d = deltas.get(key);
  if (d === undefined) {
    d = { address, balance: 0, dustAllowanceSum: 0, dustOutputCount: 0 };
    deltas.set(key, d);
  }
  d.balance += sign * o.output.amount;
  if (o.output.type === 1) d.dustAllowanceSum += sign * o.output.amount;
  else if (isDustOutput(o)) d.dustOutputCount += sign;
}

/**
 * Net change per address, in first-seen order, when `added` become unspent and `removed` stop being unspent. An
 * output in both lists cancels out.
 */
export function balanceDeltas(added: readonly LedgerOutput[], removed: readonly LedgerOutput[]): BalanceDelta[] {
  const deltas = new Map<string, BalanceDelta>();
  for (const o of added) addTo(deltas, o, 1);
  for (const o of removed) addTo(deltas, o, -1);
  return [...deltas.values()];
}

/** The ledger part of white flag's mutations. `addressDiffs` is not needed: balances follow from the outputs. */
export function diffOfMutations(m: WhiteFlagMutations, milestonePayloadBytes: Uint8Array | null): LedgerDiff {
  const r = m.receipt;
  return {
    milestoneIndex: m.milestoneIndex,
    created: m.createdOutputs,
    consumed: m.consumedOutputs,
    treasury: r === null ? null : { receipt: r.receipt, spent: r.spentTreasury, created: r.newTreasury },
    milestonePayloadBytes,
  };
}

/** A milestone diff as a snapshot file holds it (chrysalis.md §11.2; snapshot/snapshotFormat.ts decodes one). */
export interface SnapshotMilestoneDiffFields {
  milestoneIndex: number;
  milestonePayloadBytes: Uint8Array;
  milestone: MilestonePayload;
  /** The treasury output the milestone's receipt spent; null without a receipt. */
  spentTreasury: TreasuryOutputState | null;
  created: LedgerOutput[];
  consumed: SpentOutput[];
}

/**
 * The ledger form of a snapshot's milestone diff. The file names only the spent treasury output; the new one is
 * the receipt's treasury output, named by the milestone's id (TIP-17). A receipt without a spent treasury, or the
 * reverse, is LEDGER_ERROR_RECEIPT_INVALID.
 */
export function diffOfSnapshotMilestone(d: SnapshotMilestoneDiffFields): LedgerDiff {
  const receipt = d.milestone.receipt;
  if ((receipt === null) !== (d.spentTreasury === null)) {
    throw new LedgerError(
      "LEDGER_ERROR_RECEIPT_INVALID",
      `snapshot diff of milestone ${d.milestoneIndex}: ${receipt === null ? "a spent treasury without a receipt" : "a receipt without a spent treasury"}`,
    );
  }
  return {
    milestoneIndex: d.milestoneIndex,
    created: d.created,
    consumed: d.consumed,
    treasury:
      receipt === null || d.spentTreasury === null
        ? null
        : {
            receipt,
            spent: d.spentTreasury,
            created: {
              milestoneId: milestoneIdFromBytes(d.milestonePayloadBytes),
              amount: receipt.transaction.output.amount,
            },
          },
    milestonePayloadBytes: d.milestonePayloadBytes,
  };
}
