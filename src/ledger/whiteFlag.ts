/**
 * White-flag confirmation (TIP-2, chrysalis.md §6), as a pure function: the cone of a milestone, already in TIP-2
 * order (tangle/traversal.ts), is applied message by message to the confirmed ledger plus the changes of the
 * messages before it. Valid transactions are included, invalid ones are conflicting with the reason Hornet 1.2.8
 * records (§10.4), everything else references no transaction. The result is the milestone's complete ledger diff,
 * the verdicts and the TIP-4 Merkle root over the included messages.
 *
 * The order of the semantic checks decides the conflict reason, so it follows Hornet's
 * `whiteflag.ComputeWhiteFlagMutations` around iota.go `Transaction.SemanticallyValidate` exactly (§3.4):
 *   1. per input: spent earlier in this milestone → 2; created earlier in this milestone → use it; not in the
 *      ledger → 3; spent in the ledger → 1 (the first failing input decides);
 *   2. per input, the unlock block bookkeeping of iota.go `SemanticallyValidateInputs` → 255;
 *   3. input sum ≠ output sum → 4;
 *   4. the dust rule (TIP-15) on every affected address → 6;
 *   5. per distinct input address, the signature unlock (unlockSignature.ts) → 5.
 * Signatures go last because they are by far the most expensive check (iota.go does the same).
 */
import {
  type Ed25519Signature,
  encodeTransactionPayload,
  essenceHashOfTransactionBytes,
  type Output,
  outputId,
  type TransactionPayload,
} from "../codec/index.js";
import {
  OUTPUT_TYPE_SIG_LOCKED_DUST_ALLOWANCE,
  OUTPUT_TYPE_SIG_LOCKED_SINGLE,
  UNLOCK_BLOCK_TYPE_REFERENCE,
  UNLOCK_BLOCK_TYPE_SIGNATURE,
} from "../codec/limits.js";
import { blake2b256 } from "../crypto/blake2b.js";
import { merkleRoot } from "../crypto/merkle.js";
import {
  DUST_ALLOWANCE_MINIMUM,
  ID_LENGTH,
  PAYLOAD_TYPE_INDEXATION,
  PAYLOAD_TYPE_MILESTONE,
  PAYLOAD_TYPE_TRANSACTION,
} from "../params/protocol.js";
import { bytesToHex } from "../primitives/hex.js";
import { ConflictReason } from "./conflictReason.js";
import { allowedDustOutputs } from "./dust.js";
import { LedgerError } from "./ledgerError.js";
import { validateReceipt } from "./receiptValidation.js";
import type {
  AddressBalanceChange,
  AddressDiff,
  ConeMessage,
  LedgerOutput,
  LedgerView,
  ReceiptMutation,
  ReferencedMessage,
  SignatureVerifier,
  SpentOutput,
  WhiteFlagInput,
  WhiteFlagMutations,
} from "./types.js";
import { verifySignatureUnlock } from "./unlockSignature.js";

const HEX_BYTE = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

/** Hex of the u16 LE output index, so an output id key is `hex(txId) + indexHex(i)` without building the bytes. */
function indexHex(index: number): string {
  return HEX_BYTE[index & 0xff]! + HEX_BYTE[index >>> 8]!;
}

/** A distinct input address and the signature unlock block that must unlock it. */
interface Signer {
  address: Uint8Array;
  addressHex: string;
  blockIndex: number;
  signature: Ed25519Signature;
}

/** A transaction's inputs as far as validation resolved them (all of them when it passes). */
interface ResolvedInputs {
  outputs: LedgerOutput[];
  /** Output id hex per input, the key of this milestone's spent set. */
  keys: string[];
  /** Address hex per input. */
  addressHexes: string[];
}

/** What one transaction changes on one address, for the dust rule. */
interface DustDelta {
  address: Uint8Array;
  allowance: number;
  count: number;
}

function corrupt(message: string): never {
  throw new LedgerError("LEDGER_ERROR_CORRUPT", `white flag: ${message}`);
}

/**
 * Computes everything milestone `input.milestoneIndex` changes on top of `ledger` (which must stand at the
 * milestone before it). Conflicts are verdicts in the result; a thrown LedgerError means the inputs break an
 * invariant (wrong ledger index, a cone entry that is not a decoded message) or the receipt is invalid (TIP-17).
 */
export function computeWhiteFlagMutations(
  input: WhiteFlagInput,
  ledger: LedgerView,
  verify: SignatureVerifier,
): WhiteFlagMutations {
  if (input.milestoneIndex !== ledger.ledgerIndex + 1) {
    throw new LedgerError(
      "LEDGER_ERROR_INDEX_MISMATCH",
      `white flag: milestone ${input.milestoneIndex} does not follow the ledger index ${ledger.ledgerIndex}`,
    );
  }
  // The receipt does not depend on the cone: refuse a bad one before doing any work.
  const spentTreasury = input.receipt === null ? null : validateReceipt(input.receipt.receipt, ledger);

  const booking = new MilestoneBooking(input.milestoneIndex, ledger, verify);
  const referenced = new Array<ReferencedMessage>(input.cone.length);
  for (let i = 0; i < input.cone.length; i++) referenced[i] = booking.apply(input.cone[i], i);

  let receipt: ReceiptMutation | null = null;
  if (input.receipt !== null && spentTreasury !== null) {
    receipt = booking.bookReceipt(input.receipt, input.milestoneIndex, spentTreasury);
  }

  return {
    milestoneIndex: input.milestoneIndex,
    referenced,
    includedMessageIds: booking.includedMessageIds,
    // TIP-4: the Merkle tree hash over the included messages in white-flag order.
    merkleRoot: merkleRoot(booking.includedMessageIds),
    createdOutputs: booking.createdOutputs,
    consumedOutputs: booking.consumedOutputs,
    addressDiffs: booking.netAddressDiffs(),
    receipt,
  };
}

/** The running state of one milestone: what earlier messages of the cone created, spent and changed. */
class MilestoneBooking {
  readonly includedMessageIds: Uint8Array[] = [];
  readonly createdOutputs: LedgerOutput[] = [];
  readonly consumedOutputs: SpentOutput[] = [];
  /** Outputs created earlier in this milestone, by output id hex (kept after they are spent, as Hornet does). */
  private readonly newOutputs = new Map<string, LedgerOutput>();
  /** Output id hexes spent earlier in this milestone. */
  private readonly newSpents = new Set<string>();
  private readonly addressDiffs = new Map<string, AddressDiff>();

  constructor(
    private readonly milestoneIndex: number,
    private readonly ledger: LedgerView,
    private readonly verify: SignatureVerifier,
  ) {}

  apply(entry: ConeMessage | undefined, position: number): ReferencedMessage {
    if (
      entry === undefined ||
      !(entry.messageId instanceof Uint8Array) ||
      entry.messageId.length !== ID_LENGTH ||
      typeof entry.message !== "object" ||
      entry.message === null
    ) {
      corrupt(`cone entry ${position} is not a decoded message with a 32-byte id`);
    }
    const payload = entry.message.payload;
    // TIP-2: messages without a transaction (no payload, indexation, milestones) are referenced, nothing more.
    if (payload === null || payload.type === PAYLOAD_TYPE_MILESTONE || payload.type === PAYLOAD_TYPE_INDEXATION) {
      return { messageId: entry.messageId, inclusion: 0, conflictReason: ConflictReason.NONE, transaction: null };
    }
    if (payload.type !== PAYLOAD_TYPE_TRANSACTION) {
      corrupt(
        `message ${bytesToHex(entry.messageId)} carries payload type ${String((payload as { type: unknown }).type)}`,
      );
    }
    return this.applyTransaction(entry.messageId, payload, entry.payloadBytes);
  }

  private applyTransaction(
    messageId: Uint8Array,
    tx: TransactionPayload,
    storedBytes: Uint8Array | undefined,
  ): ReferencedMessage {
    let txBytes: Uint8Array;
    try {
      txBytes = storedBytes ?? encodeTransactionPayload(tx);
    } catch (e) {
      corrupt(`the transaction of message ${bytesToHex(messageId)} cannot be encoded: ${(e as Error).message}`);
    }
    const transactionId = blake2b256(txBytes);
    const { inputs, outputs } = tx.essence;
    const resolved: ResolvedInputs = {
      outputs: new Array<LedgerOutput>(inputs.length),
      keys: new Array<string>(inputs.length),
      addressHexes: new Array<string>(inputs.length),
    };
    const reason = this.validate(tx, txBytes, resolved);

    if (reason !== ConflictReason.NONE) {
      return {
        messageId,
        inclusion: 1,
        conflictReason: reason,
        transaction: {
          transactionId,
          inputsCount: inputs.length,
          outputsCount: outputs.length,
          balanceChanges: conflictingTouched(tx),
        },
      };
    }

    const changes = new Map<string, AddressBalanceChange>();
    const txIdHex = bytesToHex(transactionId);
    for (let j = 0; j < outputs.length; j++) {
      const output = outputs[j]!;
      const created: LedgerOutput = { outputId: outputId(transactionId, j), messageId, output };
      this.createdOutputs.push(created);
      this.newOutputs.set(txIdHex + indexHex(j), created);
      const addressHex = bytesToHex(output.address.address);
      this.book(addressHex, output, 1);
      addChange(changes, addressHex, output.address.address, output.amount);
    }
    for (let i = 0; i < resolved.outputs.length; i++) {
      const spent = resolved.outputs[i]!;
      this.consumedOutputs.push({
        outputId: spent.outputId,
        messageId: spent.messageId,
        output: spent.output,
        targetTransactionId: transactionId,
        milestoneIndexSpent: this.milestoneIndex,
      });
      this.newSpents.add(resolved.keys[i]!);
      const addressHex = resolved.addressHexes[i]!;
      this.book(addressHex, spent.output, -1);
      addChange(changes, addressHex, spent.output.address.address, -spent.output.amount);
    }
    this.includedMessageIds.push(messageId);
    return {
      messageId,
      inclusion: 2,
      conflictReason: ConflictReason.NONE,
      transaction: {
        transactionId,
        inputsCount: inputs.length,
        outputsCount: outputs.length,
        balanceChanges: [...changes.values()],
      },
    };
  }

  /** The §3.4 checks in Hornet's order; fills `resolved` as far as the inputs resolve. */
  private validate(tx: TransactionPayload, txBytes: Uint8Array, resolved: ResolvedInputs): ConflictReason {
    const { inputs, outputs } = tx.essence;

    // 1. Hornet's input loop: this milestone's spends, then its new outputs, then the confirmed ledger.
    for (let i = 0; i < inputs.length; i++) {
      const input = inputs[i]!;
      const key = bytesToHex(input.transactionId) + indexHex(input.transactionOutputIndex);
      if (this.newSpents.has(key)) return ConflictReason.INPUT_UTXO_ALREADY_SPENT_IN_THIS_MILESTONE;
      let found = this.newOutputs.get(key);
      if (found === undefined) {
        const id = outputId(input.transactionId, input.transactionOutputIndex);
        found = this.ledger.getOutput(id);
        if (found === undefined) return ConflictReason.INPUT_UTXO_NOT_FOUND;
        if (this.ledger.isSpent(id)) return ConflictReason.INPUT_UTXO_ALREADY_SPENT;
      }
      resolved.outputs[i] = found;
      resolved.keys[i] = key;
    }

    // 2. iota.go SemanticallyValidateInputs, which runs before the sum check: each input resolves to its signature
    //    unlock block (its own, or the one its reference points to), and all inputs of one address must resolve to
    //    the same block (ErrInputSignatureUnlockBlockInvalid → 255; TIP-7 §3.2). A block that is missing or a
    //    reference to anything but an earlier signature block is syntactically impossible after decodeMessage
    //    ("untrusted"); should one come through a trusted decode it is a semantic failure (255) as well, and so is
    //    an output spent twice by one transaction, which would otherwise be counted twice in the input sum.
    //    A signature block whose key belongs to another address is not caught here: iota.go checks it against the
    //    input's address in step 5, so it is conflict 5 (ErrEd25519PubKeyAndAddrMismatch).
    const blocks = tx.unlockBlocks;
    const signers: Signer[] = [];
    for (let i = 0; i < inputs.length; i++) {
      const block = blocks[i];
      if (block === undefined) return ConflictReason.SEMANTIC_VALIDATION_FAILED;
      for (let k = 0; k < i; k++) {
        if (resolved.keys[k] === resolved.keys[i]) return ConflictReason.SEMANTIC_VALIDATION_FAILED;
      }
      let blockIndex = i;
      let signatureBlock = block;
      if (block.type === UNLOCK_BLOCK_TYPE_REFERENCE) {
        blockIndex = block.reference;
        const target = blockIndex < i ? blocks[blockIndex] : undefined;
        if (target === undefined || target.type !== UNLOCK_BLOCK_TYPE_SIGNATURE) {
          return ConflictReason.SEMANTIC_VALIDATION_FAILED;
        }
        signatureBlock = target;
      }
      if (signatureBlock.type !== UNLOCK_BLOCK_TYPE_SIGNATURE) return ConflictReason.SEMANTIC_VALIDATION_FAILED;
      const address = resolved.outputs[i]!.output.address.address;
      const addressHex = bytesToHex(address);
      resolved.addressHexes[i] = addressHex;
      // Few distinct addresses per transaction: a scan beats allocating a Map.
      const seen = signers.find((s) => s.addressHex === addressHex);
      if (seen !== undefined) {
        if (seen.blockIndex !== blockIndex) return ConflictReason.SEMANTIC_VALIDATION_FAILED;
        continue;
      }
      signers.push({ address, addressHex, blockIndex, signature: signatureBlock.signature });
    }

    // 3. The inputs must be spent entirely (sums stay below 2^53: each side is bounded by the supply).
    let inputSum = 0;
    for (const spent of resolved.outputs) inputSum += spent.output.amount;
    let outputSum = 0;
    for (const output of outputs) outputSum += output.amount;
    if (inputSum !== outputSum) return ConflictReason.INPUT_OUTPUT_SUM_MISMATCH;

    // 4. TIP-15 on every affected address, against the ledger plus this milestone's running diff.
    if (!this.dustValid(tx, resolved.outputs)) return ConflictReason.INVALID_DUST_ALLOWANCE;

    // 5. The signatures, once per distinct input address, in input order.
    const essenceHash = essenceHashOfTransactionBytes(txBytes);
    for (const signer of signers) {
      if (!verifySignatureUnlock(signer.address, signer.signature, essenceHash, this.verify)) {
        return ConflictReason.INVALID_SIGNATURE;
      }
    }
    return ConflictReason.NONE;
  }

  /**
   * iota.go `NewDustSemanticValidation`: the addresses that receive an allowance or a dust output, or lose one,
   * must hold no more dust outputs than allowed once the transaction is booked (chrysalis.md §4).
   */
  private dustValid(tx: TransactionPayload, inputOutputs: LedgerOutput[]): boolean {
    if (!tx.essence.outputs.some(touchesDust) && !inputOutputs.some((o) => touchesDust(o.output))) return true;
    const deltas = new Map<string, DustDelta>();
    for (const output of tx.essence.outputs) {
      if (output.type === OUTPUT_TYPE_SIG_LOCKED_DUST_ALLOWANCE) dustDelta(deltas, output).allowance += output.amount;
      else if (output.amount < DUST_ALLOWANCE_MINIMUM) dustDelta(deltas, output).count += 1;
    }
    for (const spent of inputOutputs) {
      const output = spent.output;
      // As iota.go: any consumed output below 1 Mi is a dust output (an allowance output is never below 1 Mi).
      if (output.amount < DUST_ALLOWANCE_MINIMUM) {
        dustDelta(deltas, output).count -= 1;
      } else if (output.type === OUTPUT_TYPE_SIG_LOCKED_DUST_ALLOWANCE) {
        dustDelta(deltas, output).allowance -= output.amount;
      }
    }
    for (const [hex, d] of deltas) {
      const confirmed = this.ledger.dustState(d.address);
      const running = this.addressDiffs.get(hex);
      const allowance = confirmed.dustAllowanceSum + (running?.dustAllowanceSum ?? 0) + d.allowance;
      const count = confirmed.dustOutputCount + (running?.dustOutputCount ?? 0) + d.count;
      if (count > allowedDustOutputs(allowance)) return false;
    }
    return true;
  }

  /** Adds (`sign` 1) or removes (`sign` −1) one output on its address's running diff. */
  private book(addressHex: string, output: Output, sign: 1 | -1): void {
    let diff = this.addressDiffs.get(addressHex);
    if (diff === undefined) {
      diff = { address: output.address.address, balance: 0, dustAllowanceSum: 0, dustOutputCount: 0 };
      this.addressDiffs.set(addressHex, diff);
    }
    diff.balance += sign * output.amount;
    if (output.type === OUTPUT_TYPE_SIG_LOCKED_DUST_ALLOWANCE) {
      diff.dustAllowanceSum += sign * output.amount;
    } else if (output.type === OUTPUT_TYPE_SIG_LOCKED_SINGLE && output.amount < DUST_ALLOWANCE_MINIMUM) {
      diff.dustOutputCount += sign;
    }
  }

  /** TIP-17 booking of a validated receipt: entry j becomes output milestoneId ‖ u16 j of the milestone message. */
  bookReceipt(
    input: NonNullable<WhiteFlagInput["receipt"]>,
    milestoneIndex: number,
    spentTreasury: ReceiptMutation["spentTreasury"],
  ): ReceiptMutation {
    const { receipt, milestoneId, milestoneMessageId } = input;
    const migratedOutputs = receipt.funds.map((entry, j): LedgerOutput => {
      const output: Output = { type: OUTPUT_TYPE_SIG_LOCKED_SINGLE, address: entry.address, amount: entry.deposit };
      this.book(bytesToHex(entry.address.address), output, 1);
      return { outputId: outputId(milestoneId, j), messageId: milestoneMessageId, output };
    });
    this.createdOutputs.push(...migratedOutputs);
    return {
      receipt,
      milestoneId,
      milestoneIndex,
      spentTreasury,
      newTreasury: { milestoneId, amount: receipt.transaction.output.amount },
      migratedOutputs,
    };
  }

  /** The per-address diffs without the addresses whose changes cancelled out within the milestone. */
  netAddressDiffs(): Map<string, AddressDiff> {
    for (const [hex, d] of this.addressDiffs) {
      if (d.balance === 0 && d.dustAllowanceSum === 0 && d.dustOutputCount === 0) this.addressDiffs.delete(hex);
    }
    return this.addressDiffs;
  }
}

/** Whether creating or consuming `output` changes its address's dust state: dust, or a dust allowance. */
function touchesDust(output: Output): boolean {
  return output.type === OUTPUT_TYPE_SIG_LOCKED_DUST_ALLOWANCE || output.amount < DUST_ALLOWANCE_MINIMUM;
}

function dustDelta(deltas: Map<string, DustDelta>, output: Output): DustDelta {
  const hex = bytesToHex(output.address.address);
  let d = deltas.get(hex);
  if (d === undefined) {
    d = { address: output.address.address, allowance: 0, count: 0 };
    deltas.set(hex, d);
  }
  return d;
}

function addChange(changes: Map<string, AddressBalanceChange>, hex: string, address: Uint8Array, amount: number): void {
  const c = changes.get(hex);
  if (c === undefined) changes.set(hex, { address, change: amount });
  else c.change += amount;
}

/**
 * The addresses a conflicting transaction touches, each with change 0: its outputs' addresses, then the addresses
 * of its signature unlock blocks' keys (its inputs may not even exist, so the keys are what names the sender).
 */
function conflictingTouched(tx: TransactionPayload): AddressBalanceChange[] {
  const touched = new Map<string, AddressBalanceChange>();
  for (const output of tx.essence.outputs) {
    const hex = bytesToHex(output.address.address);
    if (!touched.has(hex)) touched.set(hex, { address: output.address.address, change: 0 });
  }
  for (const block of tx.unlockBlocks) {
    if (block.type !== UNLOCK_BLOCK_TYPE_SIGNATURE) continue;
    const address = blake2b256(block.signature.publicKey);
    const hex = bytesToHex(address);
    if (!touched.has(hex)) touched.set(hex, { address, change: 0 });
  }
  return [...touched.values()];
}
