/**
 * Semantic checks of a milestone's receipt when the milestone is confirmed (TIP-17, chrysalis.md §9): iota.go
 * `ValidateReceipt` against the current treasury, plus TIP-17's ordering rules against the last confirmed receipt.
 * The coordinator is the only issuer of receipts, so a receipt that fails means our ledger disagrees with the
 * network: every failure is the fatal LEDGER_ERROR_RECEIPT_INVALID, never a conflict.
 */
import type { ReceiptPayload } from "../codec/index.js";
import { MIGRATED_FUNDS_MINIMUM_DEPOSIT, TOKEN_SUPPLY } from "../params/protocol.js";
import { equalBytes } from "../primitives/bytes.js";
import { bytesToHex } from "../primitives/hex.js";
import { LedgerError } from "./ledgerError.js";
import type { LedgerView, TreasuryOutputState } from "./types.js";

function invalid(message: string): never {
  throw new LedgerError("LEDGER_ERROR_RECEIPT_INVALID", `receipt: ${message}`);
}

/**
 * Throws LEDGER_ERROR_RECEIPT_INVALID unless `receipt` may be booked on `ledger`; returns the treasury output it
 * spends.
 */
export function validateReceipt(
  receipt: ReceiptPayload,
  ledger: Pick<LedgerView, "treasury" | "lastReceipt">,
): TreasuryOutputState {
  const last = ledger.lastReceipt();
  if (last !== undefined) {
    // TIP-17: migratedAt never goes down from one receipt to the next.
    if (receipt.migratedAt < last.migratedAt) {
      invalid(`migratedAt ${receipt.migratedAt} is below the previous receipt's ${last.migratedAt}`);
    }
    // TIP-17: a final receipt closes its legacy milestone; no more receipts with the same migratedAt.
    if (last.final && receipt.migratedAt === last.migratedAt) {
      invalid(`the previous receipt for migratedAt ${receipt.migratedAt} was final`);
    }
  }

  const treasury = ledger.treasury();
  if (treasury === undefined) invalid("the ledger holds no treasury output to spend");
  const input = receipt.transaction.input.milestoneId;
  if (!equalBytes(input, treasury.milestoneId)) {
    invalid(
      `the treasury input names milestone ${bytesToHex(input)}, but the treasury output is ${bytesToHex(treasury.milestoneId)}`,
    );
  }

  // iota.go ValidateReceipt: unique tail hashes, each deposit in [1 Mi, supply], running sum within the supply.
  const tails = new Set<string>();
  let sum = 0;
  for (const [i, entry] of receipt.funds.entries()) {
    const tail = bytesToHex(entry.tailTransactionHash);
    if (tails.has(tail)) invalid(`funds[${i}] repeats tail transaction hash ${tail}`);
    tails.add(tail);
    if (entry.deposit < MIGRATED_FUNDS_MINIMUM_DEPOSIT) {
      invalid(`funds[${i}] deposits ${entry.deposit}, below the minimum ${MIGRATED_FUNDS_MINIMUM_DEPOSIT}`);
    }
    if (entry.deposit > TOKEN_SUPPLY) invalid(`funds[${i}] deposits ${entry.deposit}, more than the supply`);
    sum += entry.deposit;
    if (sum > TOKEN_SUPPLY) invalid(`the deposits up to funds[${i}] sum to ${sum}, more than the supply`);
  }

  const remaining = receipt.transaction.output.amount;
  if (treasury.amount - sum !== remaining) {
    invalid(
      `the treasury holds ${treasury.amount} and the receipt migrates ${sum}, so the new treasury must be ${treasury.amount - sum}, not ${remaining}`,
    );
  }
  return treasury;
}
