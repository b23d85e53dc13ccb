/**
 * The shapes shared by white flag (pure), the UTXO ledger (storage) and snapshots. Addresses are Ed25519 address
 * hashes (32 bytes; Chrysalis has no other address type); maps are keyed by their lowercase hex.
 */
import type { Message, Output, ReceiptPayload } from "../codec/index.js";
import type { ConflictReason } from "./conflictReason.js";

/** TIP-13 ledgerInclusionState as stored: 0 noTransaction, 1 conflicting, 2 included (storage/prefixes.ts). */
export type InclusionState = 0 | 1 | 2;

/** An output held by the ledger: created by a confirmed transaction, a receipt or a snapshot. */
export interface LedgerOutput {
  /** Transaction id (32) ‖ u16 LE output index: 34 bytes (TIP-7). For receipts the milestone id takes the place of
   * the transaction id (TIP-17); for the genesis output it is 34 zero bytes. */
  outputId: Uint8Array;
  /** The message that created it: the transaction's message, the milestone message for receipts, zeros for genesis. */
  messageId: Uint8Array;
  output: Output;
}

/** An output together with the spend that consumed it (the snapshot "Spent" record, chrysalis.md §11.2). */
export interface SpentOutput extends LedgerOutput {
  /** The transaction that consumed it. */
  targetTransactionId: Uint8Array;
  /** The milestone that confirmed the spend. */
  milestoneIndexSpent: number;
}

/** The single treasury output (TIP-17): the pool of not yet migrated funds, named by a milestone id. */
export interface TreasuryOutputState {
  milestoneId: Uint8Array;
  amount: number;
}

/** What white flag needs to know about one address to apply the dust rules (TIP-15). */
export interface AddressDustState {
  /** Sum of the amounts of the unspent SigLockedDustAllowanceOutputs on the address. */
  dustAllowanceSum: number;
  /** Number of unspent SigLockedSingleOutputs below 1 Mi on the address. */
  dustOutputCount: number;
}

/**
 * The confirmed ledger as white flag reads it: the state at `ledgerIndex`, before the milestone being confirmed.
 * Implemented by ledger/utxoLedger.ts over storage and by test doubles in memory.
 */
export interface LedgerView {
  readonly ledgerIndex: number;
  /** The output with this 34-byte id whether spent or not; undefined if the ledger never held it. */
  getOutput(outputId: Uint8Array): LedgerOutput | undefined;
  isSpent(outputId: Uint8Array): boolean;
  dustState(address: Uint8Array): AddressDustState;
  /** The unspent treasury output; undefined only for a ledger that was never bootstrapped. */
  treasury(): TreasuryOutputState | undefined;
  /** The receipt of the highest confirmed milestone that carried one (TIP-17 ordering rules), if any. */
  lastReceipt(): { migratedAt: number; final: boolean } | undefined;
}

/** Checks an Ed25519 signature (TIP-14). Injected so that the confirmer can hand in results computed in parallel. */
export type SignatureVerifier = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

/** A message of the milestone's cone, in white-flag order, as the confirmer hands it to white flag. */
export interface ConeMessage {
  messageId: Uint8Array;
  message: Message;
  /** The payload bytes as stored (from the u32 payload type on), when the caller has them: white flag hashes them
   * for the transaction id instead of encoding the decoded payload again. */
  payloadBytes?: Uint8Array;
}

/** Everything white flag needs besides the ledger: the milestone and its cone in white-flag order. */
export interface WhiteFlagInput {
  milestoneIndex: number;
  /** The unreferenced past cone of the milestone message's parents in TIP-2 order (tangle/traversal.ts), without
   * the milestone message itself (it never carries a transaction). */
  cone: ConeMessage[];
  /** The milestone's receipt (TIP-17), the milestone id that names its outputs and the milestone message id that
   * is recorded as their message, or null. */
  receipt: { receipt: ReceiptPayload; milestoneId: Uint8Array; milestoneMessageId: Uint8Array } | null;
}

/** The change of one address's balance caused by one transaction (for the tx-history index). */
export interface AddressBalanceChange {
  address: Uint8Array;
  /** Signed: outputs to the address minus inputs from it; 0 for a conflicting transaction. */
  change: number;
}

/** The transaction part of a referenced message's verdict. */
export interface ReferencedTransaction {
  transactionId: Uint8Array;
  inputsCount: number;
  outputsCount: number;
  /** Every address the transaction touches (its outputs' addresses and the addresses of its signature unlock
   * blocks' public keys), each once, in first-seen order. */
  balanceChanges: AddressBalanceChange[];
}

/** White flag's verdict on one message of the cone. */
export interface ReferencedMessage {
  messageId: Uint8Array;
  inclusion: InclusionState;
  conflictReason: ConflictReason;
  transaction: ReferencedTransaction | null;
}

/** The net change of one address over a whole milestone. */
export interface AddressDiff {
  address: Uint8Array;
  balance: number;
  dustAllowanceSum: number;
  dustOutputCount: number;
}

/** What a valid receipt does to the ledger (TIP-17, chrysalis.md §9). */
export interface ReceiptMutation {
  receipt: ReceiptPayload;
  /** The milestone that carries the receipt: its id names the new treasury output and the migrated outputs. */
  milestoneId: Uint8Array;
  milestoneIndex: number;
  spentTreasury: TreasuryOutputState;
  newTreasury: TreasuryOutputState;
  /** One SigLockedSingleOutput per migrated-funds entry (outputId = milestone id ‖ u16 entry index). */
  migratedOutputs: LedgerOutput[];
}

/** Everything one milestone changes, computed by white flag and applied by the UTXO ledger in one batch. */
export interface WhiteFlagMutations {
  milestoneIndex: number;
  /** Every message of the cone with its verdict, in white-flag order (the milestone message itself not included). */
  referenced: ReferencedMessage[];
  /** Included transaction messages in white-flag order: the input of the TIP-4 Merkle tree hash. */
  includedMessageIds: Uint8Array[];
  /** TIP-4 Merkle tree hash of includedMessageIds; must equal the milestone's inclusionMerkleProof. */
  merkleRoot: Uint8Array;
  /** Outputs created by included transactions (and by the receipt), in booking order. */
  createdOutputs: LedgerOutput[];
  /** Outputs consumed by included transactions, in booking order. */
  consumedOutputs: SpentOutput[];
  /** Net per-address change, keyed by the address's hex. */
  addressDiffs: Map<string, AddressDiff>;
  receipt: ReceiptMutation | null;
}
