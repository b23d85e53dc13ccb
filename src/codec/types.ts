/**
 * The Chrysalis objects (TIP-6, TIP-7, TIP-8, TIP-17) as plain data. Byte strings are Uint8Array (decoded values are
 * views into the decoded input: don't mutate the input afterwards), u64 network id and nonce are bigint, amounts
 * and timestamps are numbers (always ≤ 2^53 - 1; amounts ≤ the supply, which is below 2^53).
 */

export type DecodeMode =
  /** Bytes from a peer or a client: apply every syntactic rule. */
  | "untrusted"
  /** Bytes we stored ourselves after validating them: skip the rule checks, stay memory-safe. */
  | "trusted";

export interface Ed25519Address {
  type: 0;
  /** BLAKE2b-256 of the public key, 32 bytes. */
  address: Uint8Array;
}

export interface UtxoInput {
  type: 0;
  transactionId: Uint8Array;
  transactionOutputIndex: number;
}

export interface SigLockedSingleOutput {
  type: 0;
  address: Ed25519Address;
  amount: number;
}

export interface SigLockedDustAllowanceOutput {
  type: 1;
  address: Ed25519Address;
  amount: number;
}

export type Output = SigLockedSingleOutput | SigLockedDustAllowanceOutput;

export interface Ed25519Signature {
  type: 0;
  publicKey: Uint8Array;
  signature: Uint8Array;
}

export interface SignatureUnlockBlock {
  type: 0;
  signature: Ed25519Signature;
}

export interface ReferenceUnlockBlock {
  type: 1;
  reference: number;
}

export type UnlockBlock = SignatureUnlockBlock | ReferenceUnlockBlock;

export interface IndexationPayload {
  type: 2;
  /** 1..64 bytes. */
  index: Uint8Array;
  data: Uint8Array;
}

export interface TransactionEssence {
  type: 0;
  inputs: UtxoInput[];
  outputs: Output[];
  payload: IndexationPayload | null;
}

export interface TransactionPayload {
  type: 0;
  essence: TransactionEssence;
  unlockBlocks: UnlockBlock[];
}

export interface TreasuryInput {
  type: 1;
  milestoneId: Uint8Array;
}

export interface TreasuryOutput {
  type: 2;
  amount: number;
}

export interface TreasuryTransactionPayload {
  type: 4;
  input: TreasuryInput;
  output: TreasuryOutput;
}

export interface MigratedFundsEntry {
  /** Legacy 243-trit tail transaction hash, t5b1-packed into 49 bytes. */
  tailTransactionHash: Uint8Array;
  address: Ed25519Address;
  deposit: number;
}

export interface ReceiptPayload {
  type: 3;
  migratedAt: number;
  final: boolean;
  funds: MigratedFundsEntry[];
  transaction: TreasuryTransactionPayload;
}

export interface MilestonePayload {
  type: 1;
  index: number;
  /** Unix seconds. */
  timestamp: number;
  parents: Uint8Array[];
  inclusionMerkleProof: Uint8Array;
  nextPoWScore: number;
  nextPoWScoreMilestoneIndex: number;
  publicKeys: Uint8Array[];
  receipt: ReceiptPayload | null;
  signatures: Uint8Array[];
}

/** Payloads allowed directly in a message (TIP-6). */
export type MessagePayload = TransactionPayload | MilestonePayload | IndexationPayload;

export type Payload = MessagePayload | ReceiptPayload | TreasuryTransactionPayload;

export interface Message {
  networkId: bigint;
  parents: Uint8Array[];
  payload: MessagePayload | null;
  nonce: bigint;
}
