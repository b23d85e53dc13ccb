/** `GET /api/v1/receipts[/{migratedAt}]` and `GET /api/v1/treasury` (chrysalis.md §9 and §10.2, Hornet 1.2.8). */
import { payloadToJson, type ReceiptPayloadJson } from "../../codec/index.js";
import type { TreasuryOutputState } from "../../ledger/types.js";
import type { StoredReceipt } from "../../ledger/utxoLedger.js";
import { bytesToHex } from "../../primitives/hex.js";

/** Hornet's `ReceiptTuple`: the receipt and the milestone that carried it. */
export interface ReceiptTupleJson {
  receipt: ReceiptPayloadJson;
  milestoneIndex: number;
}

export interface ReceiptsJson {
  receipts: ReceiptTupleJson[];
}

export interface TreasuryJson {
  /** The milestone whose receipt created the treasury output (TIP-17), or the snapshot's. */
  milestoneId: string;
  amount: number;
}

export function receiptsToJson(receipts: readonly StoredReceipt[]): ReceiptsJson {
  return {
    receipts: receipts.map((r) => ({
      // payloadToJson maps a type 3 payload to a receipt's JSON; its signature only knows the union.
      receipt: payloadToJson(r.receipt) as ReceiptPayloadJson,
      milestoneIndex: r.milestoneIndex,
    })),
  };
}

export function treasuryToJson(treasury: Readonly<TreasuryOutputState>): TreasuryJson {
  return { milestoneId: bytesToHex(treasury.milestoneId), amount: treasury.amount };
}
