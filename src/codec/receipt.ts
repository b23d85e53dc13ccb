/** Receipt payload, type 3, only inside a milestone (TIP-17, chrysalis.md §9). */
import {
  LEGACY_TAIL_HASH_LENGTH,
  MAX_MIGRATED_FUNDS_ENTRIES,
  MIGRATED_FUNDS_MINIMUM_DEPOSIT,
  PAYLOAD_TYPE_RECEIPT,
  PAYLOAD_TYPE_TREASURY_TRANSACTION,
  TOKEN_SUPPLY,
} from "../params/protocol.js";
import { CodecError } from "./codecError.js";
import {
  ADDRESS_TYPE_ED25519,
  ED25519_ADDRESS_LENGTH,
  MIGRATED_FUNDS_ENTRY_LENGTH,
  TREASURY_TRANSACTION_LENGTH,
} from "./limits.js";
import { enterPayload, exitPayload, expectPayloadType } from "./payloadFrame.js";
import { type ByteReader, compareAt } from "./reader.js";
import { decodeWhole, encodeWhole } from "./standalone.js";
import { readTreasuryTransactionPayload, writeTreasuryTransactionPayload } from "./treasuryTransaction.js";
import type { DecodeMode, MigratedFundsEntry, ReceiptPayload } from "./types.js";
import type { ByteWriter } from "./writer.js";

const RECEIPT_PAYLOADS = [PAYLOAD_TYPE_TREASURY_TRANSACTION] as const;
const ADDRESS_OFFSET = LEGACY_TAIL_HASH_LENGTH;
const DEPOSIT_OFFSET = LEGACY_TAIL_HASH_LENGTH + ED25519_ADDRESS_LENGTH;

export function readReceiptPayload(r: ByteReader, mode: DecodeMode, path: string): ReceiptPayload {
  const untrusted = mode === "untrusted";
  expectPayloadType(r, PAYLOAD_TYPE_RECEIPT, path);
  const migratedAt = r.u32(path);
  const final = r.bool(`${path}.final`);
  const fundsPath = `${path}.funds`;
  const count = r.u16(fundsPath);
  if (untrusted && (count < 1 || count > MAX_MIGRATED_FUNDS_ENTRIES)) {
    throw new CodecError(
      "CODEC_ERROR_MIGRATED_FUNDS_COUNT",
      fundsPath,
      `${count} migrated funds entries, must be 1..${MAX_MIGRATED_FUNDS_ENTRIES} (TIP-17)`,
      r.pos - 2,
    );
  }
  r.need(count * MIGRATED_FUNDS_ENTRY_LENGTH, fundsPath);
  const bytes = r.bytes;
  const funds = new Array<MigratedFundsEntry>(count);
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const off = r.pos;
    if (bytes[off + ADDRESS_OFFSET] !== ADDRESS_TYPE_ED25519) {
      throw new CodecError(
        "CODEC_ERROR_INVALID_ADDRESS_TYPE",
        `${fundsPath}[${i}].address.type`,
        `address type ${bytes[off + ADDRESS_OFFSET]} is unknown (only 0, Ed25519)`,
        off + ADDRESS_OFFSET,
      );
    }
    r.pos = off + DEPOSIT_OFFSET;
    const deposit = r.u64Number(fundsPath);
    if (untrusted) {
      checkEntry(bytes, off, i, deposit, sum, fundsPath);
      sum += deposit;
    }
    funds[i] = {
      tailTransactionHash: bytes.subarray(off, off + LEGACY_TAIL_HASH_LENGTH),
      address: { type: ADDRESS_TYPE_ED25519, address: bytes.subarray(off + ADDRESS_OFFSET + 1, off + DEPOSIT_OFFSET) },
      deposit,
    };
  }

  const transactionPath = `${path}.transaction`;
  const payloadLength = r.u32(transactionPath);
  if (payloadLength === 0) {
    throw new CodecError(
      "CODEC_ERROR_RECEIPT_WITHOUT_TRANSACTION",
      transactionPath,
      "a receipt must carry a treasury transaction (payload length is 0, TIP-17)",
      r.pos - 4,
    );
  }
  const frame = enterPayload(r, payloadLength, RECEIPT_PAYLOADS, "a receipt", transactionPath);
  const transaction = readTreasuryTransactionPayload(r, mode, transactionPath);
  exitPayload(r, frame, transactionPath);
  return { type: PAYLOAD_TYPE_RECEIPT, migratedAt, final, funds, transaction };
}

function checkEntry(bytes: Uint8Array, off: number, i: number, deposit: number, sumBefore: number, path: string): void {
  const at = `${path}[${i}]`;
  const depositOffset = off + DEPOSIT_OFFSET;
  if (deposit < MIGRATED_FUNDS_MINIMUM_DEPOSIT) {
    throw new CodecError(
      "CODEC_ERROR_DEPOSIT_TOO_SMALL",
      `${at}.deposit`,
      `deposit ${deposit} is below ${MIGRATED_FUNDS_MINIMUM_DEPOSIT} (TIP-17)`,
      depositOffset,
    );
  }
  if (deposit > TOKEN_SUPPLY) {
    throw new CodecError(
      "CODEC_ERROR_DEPOSIT_EXCEEDS_SUPPLY",
      `${at}.deposit`,
      `deposit ${deposit} exceeds the total supply ${TOKEN_SUPPLY} (TIP-17)`,
      depositOffset,
    );
  }
  if (sumBefore + deposit > TOKEN_SUPPLY) {
    throw new CodecError(
      "CODEC_ERROR_DEPOSITS_SUM_EXCEEDS_SUPPLY",
      `${at}.deposit`,
      `the deposits up to here sum to ${sumBefore + deposit}, more than the total supply ${TOKEN_SUPPLY} (TIP-17)`,
      depositOffset,
    );
  }
  if (i === 0) return;
  // MUST (TIP-17): entries strictly ascending by their serialized bytes.
  if (compareAt(bytes, off - MIGRATED_FUNDS_ENTRY_LENGTH, off, MIGRATED_FUNDS_ENTRY_LENGTH) >= 0) {
    throw new CodecError(
      "CODEC_ERROR_MIGRATED_FUNDS_NOT_SORTED",
      at,
      `migrated funds entry ${i} is not greater than entry ${i - 1} (entries must be strictly ascending, TIP-17)`,
      off,
    );
  }
  // MUST (iota.go ValidateReceipt): each legacy tail transaction is migrated once.
  for (let j = 0; j < i; j++) {
    if (compareAt(bytes, off - (i - j) * MIGRATED_FUNDS_ENTRY_LENGTH, off, LEGACY_TAIL_HASH_LENGTH) === 0) {
      throw new CodecError(
        "CODEC_ERROR_DUPLICATE_TAIL_TRANSACTION_HASH",
        `${at}.tailTransactionHash`,
        `entry ${i} repeats the tail transaction hash of entry ${j} (TIP-17)`,
        off,
      );
    }
  }
}

export function sizeOfReceiptPayload(p: ReceiptPayload): number {
  return 4 + 4 + 1 + 2 + p.funds.length * MIGRATED_FUNDS_ENTRY_LENGTH + 4 + TREASURY_TRANSACTION_LENGTH;
}

export function writeReceiptPayload(w: ByteWriter, p: ReceiptPayload, path: string): void {
  w.u32(PAYLOAD_TYPE_RECEIPT, path, -1, "type");
  w.u32(p.migratedAt, path, -1, "migratedAt");
  w.bool(p.final, path, -1, "final");
  const fundsPath = `${path}.funds`;
  w.u16(p.funds.length, fundsPath);
  for (let i = 0; i < p.funds.length; i++) {
    const f = p.funds[i]!;
    w.fixed(f.tailTransactionHash, LEGACY_TAIL_HASH_LENGTH, fundsPath, i, "tailTransactionHash");
    w.u8(ADDRESS_TYPE_ED25519, fundsPath, i, "address.type");
    w.fixed(f.address.address, ED25519_ADDRESS_LENGTH - 1, fundsPath, i, "address.address");
    w.u64Number(f.deposit, fundsPath, i, "deposit");
  }
  w.u32(TREASURY_TRANSACTION_LENGTH, path, -1, "transaction");
  writeTreasuryTransactionPayload(w, p.transaction, `${path}.transaction`);
}

/** Decodes a standalone receipt payload (starting at its u32 type); no bytes may follow. */
export function decodeReceiptPayload(bytes: Uint8Array, mode: DecodeMode): ReceiptPayload {
  return decodeWhole(bytes, mode, "receipt", readReceiptPayload);
}

export function encodeReceiptPayload(p: ReceiptPayload): Uint8Array {
  return encodeWhole(p, sizeOfReceiptPayload(p), "receipt", writeReceiptPayload);
}
