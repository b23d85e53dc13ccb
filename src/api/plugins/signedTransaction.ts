/**
 * Signed value transactions (TIP-7) spending outputs that one Ed25519 key owns: inputs and outputs in the
 * lexicographic order of their serialized bytes, one signature over the essence hash in the first unlock block and
 * references to it for every other input (a second identical signature block is invalid, TIP-7).
 */
import {
  essenceHash,
  type IndexationPayload,
  type Output,
  parseOutputId,
  type TransactionPayload,
  type UnlockBlock,
  type UtxoInput,
} from "../../codec/index.js";
import { MAX_INPUTS, MAX_OUTPUTS } from "../../params/protocol.js";
import { compareBytes } from "../../primitives/bytes.js";

/** Who signs the transaction: the owner of every input. */
export interface Ed25519Signer {
  readonly publicKey: Uint8Array;
  /** The Ed25519 signature (RFC 8032) of `message`. */
  sign(message: Uint8Array): Uint8Array;
}

/** A SigLockedSingleOutput to an Ed25519 address (32 bytes). */
export interface TransferOutput {
  address: Uint8Array;
  amount: number;
}

/** TIP-7 serialized UTXO input: type ‖ transaction id ‖ u16 LE output index. */
function serializedInput(input: UtxoInput): Uint8Array {
  const bytes = new Uint8Array(35);
  bytes.set(input.transactionId, 1);
  new DataView(bytes.buffer).setUint16(33, input.transactionOutputIndex, true);
  return bytes;
}

/** TIP-7 serialized output: type ‖ address type ‖ address ‖ u64 LE amount. */
function serializedOutput(output: Output): Uint8Array {
  const bytes = new Uint8Array(42);
  bytes[0] = output.type;
  bytes[1] = output.address.type;
  bytes.set(output.address.address, 2);
  new DataView(bytes.buffer).setBigUint64(34, BigInt(output.amount), true);
  return bytes;
}

function sortedBySerialization<T>(items: readonly T[], serialize: (item: T) => Uint8Array): T[] {
  return items
    .map((item) => ({ item, bytes: serialize(item) }))
    .sort((a, b) => compareBytes(a.bytes, b.bytes))
    .map((x) => x.item);
}

/**
 * The transaction spending `inputIds` (34-byte output ids, all owned by `signer`) into `outputs`, with an optional
 * indexation payload in the essence. Counts outside 1..127 are a caller's mistake and throw a RangeError; amounts,
 * balance and dust are checked by the ledger when the transaction is confirmed, not here.
 */
export function buildSignedTransaction(
  inputIds: readonly Uint8Array[],
  outputs: readonly TransferOutput[],
  signer: Ed25519Signer,
  payload: IndexationPayload | null = null,
): TransactionPayload {
  if (inputIds.length < 1 || inputIds.length > MAX_INPUTS || outputs.length < 1 || outputs.length > MAX_OUTPUTS) {
    throw new RangeError(
      `a transaction has 1..${MAX_INPUTS} inputs and 1..${MAX_OUTPUTS} outputs, got ${inputIds.length} and ${outputs.length}`,
    );
  }
  const inputs = sortedBySerialization(
    inputIds.map((id): UtxoInput => {
      const { transactionId, outputIndex } = parseOutputId(id);
      return { type: 0, transactionId, transactionOutputIndex: outputIndex };
    }),
    serializedInput,
  );
  const essence = {
    type: 0 as const,
    inputs,
    outputs: sortedBySerialization(
      outputs.map((o): Output => ({ type: 0, address: { type: 0, address: o.address }, amount: o.amount })),
      serializedOutput,
    ),
    payload,
  };
  const signature = signer.sign(essenceHash(essence));
  const unlockBlocks: UnlockBlock[] = inputs.map((_, i) =>
    i === 0 ? { type: 0, signature: { type: 0, publicKey: signer.publicKey, signature } } : { type: 1, reference: 0 },
  );
  return { type: 0, essence, unlockBlocks };
}
