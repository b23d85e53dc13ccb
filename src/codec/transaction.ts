/** Transaction payload, type 0, and its regular essence (TIP-7, chrysalis.md §3.1–§3.3). */
import {
  DUST_ALLOWANCE_MINIMUM,
  MAX_INPUTS,
  MAX_OUTPUT_INDEX,
  MAX_OUTPUTS,
  PAYLOAD_TYPE_INDEXATION,
  PAYLOAD_TYPE_TRANSACTION,
  TOKEN_SUPPLY,
} from "../params/protocol.js";
import { CodecError } from "./codecError.js";
import { readIndexationPayload, sizeOfIndexationPayload, writeIndexationPayload } from "./indexation.js";
import {
  ADDRESS_TYPE_ED25519,
  ED25519_ADDRESS_LENGTH,
  ESSENCE_TYPE_REGULAR,
  INPUT_TYPE_UTXO,
  OUTPUT_LENGTH,
  OUTPUT_TYPE_SIG_LOCKED_DUST_ALLOWANCE,
  OUTPUT_TYPE_SIG_LOCKED_SINGLE,
  PUBLIC_KEY_LENGTH,
  REFERENCE_UNLOCK_BLOCK_LENGTH,
  SIGNATURE_LENGTH,
  SIGNATURE_TYPE_ED25519,
  SIGNATURE_UNLOCK_BLOCK_LENGTH,
  UNLOCK_BLOCK_TYPE_REFERENCE,
  UNLOCK_BLOCK_TYPE_SIGNATURE,
  UTXO_INPUT_LENGTH,
} from "./limits.js";
import { enterPayload, exitPayload, expectPayloadType } from "./payloadFrame.js";
import { type ByteReader, compareAt } from "./reader.js";
import { decodeWhole, encodeWhole } from "./standalone.js";
import type {
  DecodeMode,
  IndexationPayload,
  Output,
  TransactionEssence,
  TransactionPayload,
  UnlockBlock,
  UtxoInput,
} from "./types.js";
import type { ByteWriter } from "./writer.js";

const ESSENCE_PAYLOADS = [PAYLOAD_TYPE_INDEXATION] as const;
/** Type byte, address type byte and address: the part of an output that must be unique per output type. */
const OUTPUT_ADDRESS_PREFIX = 2 + 32;

function readTransactionEssence(r: ByteReader, mode: DecodeMode, path: string): TransactionEssence {
  const untrusted = mode === "untrusted";
  const bytes = r.bytes;
  const typeOffset = r.pos;
  const essenceType = r.u8(path);
  if (essenceType !== ESSENCE_TYPE_REGULAR) {
    throw new CodecError(
      "CODEC_ERROR_INVALID_ESSENCE_TYPE",
      `${path}.type`,
      `unknown transaction essence type ${essenceType}, only 0 (regular) exists`,
      typeOffset,
    );
  }

  const inputsCount = r.u16(path);
  if (untrusted && (inputsCount < 1 || inputsCount > MAX_INPUTS)) {
    throw new CodecError(
      "CODEC_ERROR_INPUTS_COUNT",
      `${path}.inputs`,
      `${inputsCount} inputs, must be 1..${MAX_INPUTS} (TIP-7)`,
      r.pos - 2,
    );
  }
  r.need(inputsCount * UTXO_INPUT_LENGTH, `${path}.inputs`);
  const inputs = new Array<UtxoInput>(inputsCount);
  for (let i = 0; i < inputsCount; i++) {
    const off = r.pos;
    if (bytes[off] !== INPUT_TYPE_UTXO) {
      throw new CodecError(
        "CODEC_ERROR_INVALID_INPUT_TYPE",
        `${path}.inputs[${i}].type`,
        `input type ${bytes[off]} is not allowed in a transaction essence (only 0, UTXO input)`,
        off,
      );
    }
    const index = bytes[off + 33]! | (bytes[off + 34]! << 8);
    if (untrusted) {
      if (index > MAX_OUTPUT_INDEX) {
        throw new CodecError(
          "CODEC_ERROR_OUTPUT_INDEX_TOO_LARGE",
          `${path}.inputs[${i}].transactionOutputIndex`,
          `output index ${index} exceeds ${MAX_OUTPUT_INDEX} (TIP-7)`,
          off + 33,
        );
      }
      if (i > 0) {
        // MUST (TIP-7): inputs lexicographically sorted by serialized bytes, and no (txId, index) twice.
        const c = compareAt(bytes, off - UTXO_INPUT_LENGTH, off, UTXO_INPUT_LENGTH);
        if (c > 0) {
          throw new CodecError(
            "CODEC_ERROR_INPUTS_NOT_SORTED",
            `${path}.inputs[${i}]`,
            `input ${i} sorts before input ${i - 1} (inputs must be in lexicographic order of their bytes, TIP-7)`,
            off,
          );
        }
        if (c === 0) {
          throw new CodecError(
            "CODEC_ERROR_DUPLICATE_INPUT",
            `${path}.inputs[${i}]`,
            `input ${i} spends the same output as input ${i - 1} (inputs must be unique, TIP-7)`,
            off,
          );
        }
      }
    }
    inputs[i] = {
      type: INPUT_TYPE_UTXO,
      transactionId: bytes.subarray(off + 1, off + 33),
      transactionOutputIndex: index,
    };
    r.pos = off + UTXO_INPUT_LENGTH;
  }

  const outputsCount = r.u16(path);
  if (untrusted && (outputsCount < 1 || outputsCount > MAX_OUTPUTS)) {
    throw new CodecError(
      "CODEC_ERROR_OUTPUTS_COUNT",
      `${path}.outputs`,
      `${outputsCount} outputs, must be 1..${MAX_OUTPUTS} (TIP-7)`,
      r.pos - 2,
    );
  }
  r.need(outputsCount * OUTPUT_LENGTH, `${path}.outputs`);
  const outputs = new Array<Output>(outputsCount);
  let sum = 0;
  for (let i = 0; i < outputsCount; i++) {
    const off = r.pos;
    const type = bytes[off]!;
    if (type !== OUTPUT_TYPE_SIG_LOCKED_SINGLE && type !== OUTPUT_TYPE_SIG_LOCKED_DUST_ALLOWANCE) {
      throw new CodecError(
        "CODEC_ERROR_INVALID_OUTPUT_TYPE",
        `${path}.outputs[${i}].type`,
        `output type ${type} is not allowed in a transaction essence (only 0 SigLockedSingle, 1 SigLockedDustAllowance)`,
        off,
      );
    }
    if (bytes[off + 1] !== ADDRESS_TYPE_ED25519) {
      throw new CodecError(
        "CODEC_ERROR_INVALID_ADDRESS_TYPE",
        `${path}.outputs[${i}].address.type`,
        `address type ${bytes[off + 1]} is unknown (only 0, Ed25519)`,
        off + 1,
      );
    }
    r.pos = off + 2 + 32;
    const amount = r.u64Number(path);
    if (untrusted) {
      checkOutputAmount(amount, type, sum, `${path}.outputs[${i}].amount`, off + 34);
      sum += amount;
      if (i > 0) {
        const prev = off - OUTPUT_LENGTH;
        if (compareAt(bytes, prev, off, OUTPUT_LENGTH) > 0) {
          throw new CodecError(
            "CODEC_ERROR_OUTPUTS_NOT_SORTED",
            `${path}.outputs[${i}]`,
            `output ${i} sorts before output ${i - 1} (outputs must be in lexicographic order of their bytes, TIP-7)`,
            off,
          );
        }
        // Sorted by type then address, so equal (type, address) pairs are neighbours.
        if (compareAt(bytes, prev, off, OUTPUT_ADDRESS_PREFIX) === 0) {
          throw new CodecError(
            "CODEC_ERROR_DUPLICATE_OUTPUT_ADDRESS",
            `${path}.outputs[${i}].address`,
            `outputs ${i - 1} and ${i} have the same type and address (an address may appear once per output type, TIP-7)`,
            off,
          );
        }
      }
    }
    outputs[i] = {
      type,
      address: { type: ADDRESS_TYPE_ED25519, address: bytes.subarray(off + 2, off + 34) },
      amount,
    } as Output;
  }

  let payload: IndexationPayload | null = null;
  const payloadLength = r.u32(`${path}.payload`);
  if (payloadLength !== 0) {
    const frame = enterPayload(r, payloadLength, ESSENCE_PAYLOADS, "a transaction essence", `${path}.payload`);
    payload = readIndexationPayload(r, mode, `${path}.payload`);
    exitPayload(r, frame, `${path}.payload`);
  }
  return { type: ESSENCE_TYPE_REGULAR, inputs, outputs, payload };
}

function checkOutputAmount(amount: number, type: number, sumBefore: number, path: string, offset: number): void {
  if (amount === 0) {
    throw new CodecError("CODEC_ERROR_AMOUNT_ZERO", path, "amount is 0, must be > 0 (TIP-7)", offset);
  }
  if (amount > TOKEN_SUPPLY) {
    throw new CodecError(
      "CODEC_ERROR_AMOUNT_EXCEEDS_SUPPLY",
      path,
      `amount ${amount} exceeds the total supply ${TOKEN_SUPPLY} (TIP-7)`,
      offset,
    );
  }
  if (sumBefore + amount > TOKEN_SUPPLY) {
    throw new CodecError(
      "CODEC_ERROR_OUTPUTS_SUM_EXCEEDS_SUPPLY",
      path,
      `the outputs up to here sum to ${sumBefore + amount}, more than the total supply ${TOKEN_SUPPLY} (TIP-7)`,
      offset,
    );
  }
  if (type === OUTPUT_TYPE_SIG_LOCKED_DUST_ALLOWANCE && amount < DUST_ALLOWANCE_MINIMUM) {
    throw new CodecError(
      "CODEC_ERROR_DUST_ALLOWANCE_TOO_SMALL",
      path,
      `dust allowance deposit ${amount} is below ${DUST_ALLOWANCE_MINIMUM} (TIP-15)`,
      offset,
    );
  }
}

function readUnlockBlocks(r: ByteReader, mode: DecodeMode, inputsCount: number, path: string): UnlockBlock[] {
  const untrusted = mode === "untrusted";
  const bytes = r.bytes;
  const count = r.u16(path);
  if (untrusted && count !== inputsCount) {
    throw new CodecError(
      "CODEC_ERROR_UNLOCK_BLOCKS_COUNT",
      path,
      `${count} unlock blocks for ${inputsCount} inputs (there must be one per input, TIP-7)`,
      r.pos - 2,
    );
  }
  r.need(count * REFERENCE_UNLOCK_BLOCK_LENGTH, path);
  const blocks = new Array<UnlockBlock>(count);
  /** Offsets of the signature blocks seen so far, for the uniqueness rule. */
  const signatureOffsets: number[] = [];
  for (let i = 0; i < count; i++) {
    const off = r.pos;
    const type = r.u8(path);
    if (type === UNLOCK_BLOCK_TYPE_SIGNATURE) {
      r.need(SIGNATURE_UNLOCK_BLOCK_LENGTH - 1, path);
      if (bytes[off + 1] !== SIGNATURE_TYPE_ED25519) {
        throw new CodecError(
          "CODEC_ERROR_INVALID_SIGNATURE_TYPE",
          `${path}[${i}].signature.type`,
          `signature type ${bytes[off + 1]} is unknown (only 0, Ed25519)`,
          off + 1,
        );
      }
      if (untrusted) {
        // MUST (TIP-7): signature unlock blocks are pairwise different.
        for (const other of signatureOffsets) {
          if (compareAt(bytes, other, off, SIGNATURE_UNLOCK_BLOCK_LENGTH) === 0) {
            throw new CodecError(
              "CODEC_ERROR_DUPLICATE_SIGNATURE_UNLOCK_BLOCK",
              `${path}[${i}]`,
              `signature unlock block ${i} repeats an earlier one (use a reference unlock block instead, TIP-7)`,
              off,
            );
          }
        }
        signatureOffsets.push(off);
      }
      const keyStart = off + 2;
      blocks[i] = {
        type: UNLOCK_BLOCK_TYPE_SIGNATURE,
        signature: {
          type: SIGNATURE_TYPE_ED25519,
          publicKey: bytes.subarray(keyStart, keyStart + PUBLIC_KEY_LENGTH),
          signature: bytes.subarray(keyStart + PUBLIC_KEY_LENGTH, keyStart + PUBLIC_KEY_LENGTH + SIGNATURE_LENGTH),
        },
      };
      r.pos = off + SIGNATURE_UNLOCK_BLOCK_LENGTH;
    } else if (type === UNLOCK_BLOCK_TYPE_REFERENCE) {
      const reference = r.u16(path);
      if (untrusted) {
        // MUST (TIP-7): a reference points to a lower index that holds a signature unlock block.
        if (reference >= i) {
          throw new CodecError(
            "CODEC_ERROR_REFERENCE_NOT_LOWER",
            `${path}[${i}].reference`,
            `unlock block ${i} references block ${reference} (a reference must point to a lower index, TIP-7)`,
            off + 1,
          );
        }
        if (blocks[reference]!.type !== UNLOCK_BLOCK_TYPE_SIGNATURE) {
          throw new CodecError(
            "CODEC_ERROR_REFERENCE_TO_NON_SIGNATURE",
            `${path}[${i}].reference`,
            `unlock block ${i} references block ${reference}, which is not a signature unlock block (TIP-7)`,
            off + 1,
          );
        }
      }
      blocks[i] = { type: UNLOCK_BLOCK_TYPE_REFERENCE, reference };
    } else {
      throw new CodecError(
        "CODEC_ERROR_INVALID_UNLOCK_BLOCK_TYPE",
        `${path}[${i}].type`,
        `unlock block type ${type} is unknown (0 signature, 1 reference)`,
        off,
      );
    }
  }
  return blocks;
}

export function readTransactionPayload(r: ByteReader, mode: DecodeMode, path: string): TransactionPayload {
  expectPayloadType(r, PAYLOAD_TYPE_TRANSACTION, path);
  const essence = readTransactionEssence(r, mode, `${path}.essence`);
  const unlockBlocks = readUnlockBlocks(r, mode, essence.inputs.length, `${path}.unlockBlocks`);
  return { type: PAYLOAD_TYPE_TRANSACTION, essence, unlockBlocks };
}

export function sizeOfTransactionEssence(e: TransactionEssence): number {
  return (
    1 +
    2 +
    e.inputs.length * UTXO_INPUT_LENGTH +
    2 +
    e.outputs.length * OUTPUT_LENGTH +
    4 +
    (e.payload === null ? 0 : sizeOfIndexationPayload(e.payload))
  );
}

export function sizeOfTransactionPayload(p: TransactionPayload): number {
  let size = 4 + sizeOfTransactionEssence(p.essence) + 2;
  for (const b of p.unlockBlocks) {
    size += b.type === UNLOCK_BLOCK_TYPE_SIGNATURE ? SIGNATURE_UNLOCK_BLOCK_LENGTH : REFERENCE_UNLOCK_BLOCK_LENGTH;
  }
  return size;
}

function writeTransactionEssence(w: ByteWriter, e: TransactionEssence, path: string): void {
  w.u8(ESSENCE_TYPE_REGULAR, path, -1, "type");
  const inputsPath = `${path}.inputs`;
  w.u16(e.inputs.length, inputsPath);
  for (let i = 0; i < e.inputs.length; i++) {
    const input = e.inputs[i]!;
    w.u8(INPUT_TYPE_UTXO, inputsPath, i, "type");
    w.fixed(input.transactionId, 32, inputsPath, i, "transactionId");
    w.u16(input.transactionOutputIndex, inputsPath, i, "transactionOutputIndex");
  }
  const outputsPath = `${path}.outputs`;
  w.u16(e.outputs.length, outputsPath);
  for (let i = 0; i < e.outputs.length; i++) {
    const o = e.outputs[i]!;
    if (o.type !== OUTPUT_TYPE_SIG_LOCKED_SINGLE && o.type !== OUTPUT_TYPE_SIG_LOCKED_DUST_ALLOWANCE) {
      throw new CodecError("CODEC_ERROR_INVALID_VALUE", `${outputsPath}[${i}].type`, "output type must be 0 or 1");
    }
    w.u8(o.type, outputsPath, i, "type");
    w.u8(ADDRESS_TYPE_ED25519, outputsPath, i, "address.type");
    w.fixed(o.address.address, ED25519_ADDRESS_LENGTH - 1, outputsPath, i, "address.address");
    w.u64Number(o.amount, outputsPath, i, "amount");
  }
  if (e.payload === null) {
    w.u32(0, path, -1, "payload");
  } else {
    if (e.payload.type !== PAYLOAD_TYPE_INDEXATION) {
      throw new CodecError("CODEC_ERROR_INVALID_VALUE", `${path}.payload`, "only an indexation payload fits here");
    }
    w.u32(sizeOfIndexationPayload(e.payload), path, -1, "payload");
    writeIndexationPayload(w, e.payload, `${path}.payload`);
  }
}

export function writeTransactionPayload(w: ByteWriter, p: TransactionPayload, path: string): void {
  w.u32(PAYLOAD_TYPE_TRANSACTION, path, -1, "type");
  writeTransactionEssence(w, p.essence, `${path}.essence`);
  const blocksPath = `${path}.unlockBlocks`;
  w.u16(p.unlockBlocks.length, blocksPath);
  for (let i = 0; i < p.unlockBlocks.length; i++) {
    const b = p.unlockBlocks[i]!;
    if (b.type === UNLOCK_BLOCK_TYPE_SIGNATURE) {
      w.u8(UNLOCK_BLOCK_TYPE_SIGNATURE, blocksPath, i, "type");
      w.u8(SIGNATURE_TYPE_ED25519, blocksPath, i, "signature.type");
      w.fixed(b.signature.publicKey, PUBLIC_KEY_LENGTH, blocksPath, i, "signature.publicKey");
      w.fixed(b.signature.signature, SIGNATURE_LENGTH, blocksPath, i, "signature.signature");
    } else if (b.type === UNLOCK_BLOCK_TYPE_REFERENCE) {
      w.u8(UNLOCK_BLOCK_TYPE_REFERENCE, blocksPath, i, "type");
      w.u16(b.reference, blocksPath, i, "reference");
    } else {
      throw new CodecError("CODEC_ERROR_INVALID_VALUE", `${blocksPath}[${i}].type`, "unlock block type must be 0 or 1");
    }
  }
}

export function decodeTransactionEssence(bytes: Uint8Array, mode: DecodeMode): TransactionEssence {
  return decodeWhole(bytes, mode, "essence", readTransactionEssence);
}

export function encodeTransactionEssence(e: TransactionEssence): Uint8Array {
  return encodeWhole(e, sizeOfTransactionEssence(e), "essence", writeTransactionEssence);
}

/** Decodes a standalone transaction payload (starting at its u32 type); no bytes may follow. */
export function decodeTransactionPayload(bytes: Uint8Array, mode: DecodeMode): TransactionPayload {
  return decodeWhole(bytes, mode, "transaction", readTransactionPayload);
}

export function encodeTransactionPayload(p: TransactionPayload): Uint8Array {
  return encodeWhole(p, sizeOfTransactionPayload(p), "transaction", writeTransactionPayload);
}
