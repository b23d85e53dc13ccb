/**
 * JSON forms of the Chrysalis objects exactly as Hornet emits them and iota.js 1.8.6 reads them (chrysalis.md §10.3,
 * client-compat.md §4): networkId and nonce are decimal strings, bytes are lowercase hex without 0x, amounts are
 * numbers, absent payloads and receipts are null. fromJson validates the untrusted shape (types, hex, wire ranges)
 * and throws only CodecError; the protocol rules are the decoder's, so check a message built from JSON with
 * decodeMessage(encodeMessage(m), "untrusted").
 */
import {
  ID_LENGTH,
  LEGACY_TAIL_HASH_LENGTH,
  PAYLOAD_TYPE_INDEXATION,
  PAYLOAD_TYPE_MILESTONE,
  PAYLOAD_TYPE_RECEIPT,
  PAYLOAD_TYPE_TRANSACTION,
  PAYLOAD_TYPE_TREASURY_TRANSACTION,
} from "../params/protocol.js";
import { bytesToHex } from "../primitives/hex.js";
import {
  asArray,
  asBool,
  asDecimalU64,
  asHex,
  asHexFixed,
  asObject,
  asType,
  asUint,
  isAbsent,
  type JsonObject,
  jsonError,
} from "./jsonFields.js";
import { MERKLE_PROOF_LENGTH, PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from "./limits.js";
import type {
  Ed25519Address,
  IndexationPayload,
  Message,
  MessagePayload,
  MigratedFundsEntry,
  MilestonePayload,
  Output,
  Payload,
  ReceiptPayload,
  TransactionEssence,
  TransactionPayload,
  TreasuryTransactionPayload,
  UnlockBlock,
} from "./types.js";

export interface Ed25519AddressJson {
  type: 0;
  address: string;
}
export interface IndexationPayloadJson {
  type: 2;
  index: string;
  data: string;
}
export interface UtxoInputJson {
  type: 0;
  transactionId: string;
  transactionOutputIndex: number;
}
export interface OutputJson {
  type: 0 | 1;
  address: Ed25519AddressJson;
  amount: number;
}
export interface TransactionEssenceJson {
  type: 0;
  inputs: UtxoInputJson[];
  outputs: OutputJson[];
  payload: IndexationPayloadJson | null;
}
export type UnlockBlockJson =
  | { type: 0; signature: { type: 0; publicKey: string; signature: string } }
  | { type: 1; reference: number };
export interface TransactionPayloadJson {
  type: 0;
  essence: TransactionEssenceJson;
  unlockBlocks: UnlockBlockJson[];
}
export interface TreasuryTransactionPayloadJson {
  type: 4;
  input: { type: 1; milestoneId: string };
  output: { type: 2; amount: number };
}
export interface MigratedFundsEntryJson {
  tailTransactionHash: string;
  address: Ed25519AddressJson;
  deposit: number;
}
export interface ReceiptPayloadJson {
  type: 3;
  migratedAt: number;
  final: boolean;
  funds: MigratedFundsEntryJson[];
  transaction: TreasuryTransactionPayloadJson;
}
export interface MilestonePayloadJson {
  type: 1;
  index: number;
  timestamp: number;
  parentMessageIds: string[];
  inclusionMerkleProof: string;
  nextPoWScore: number;
  nextPoWScoreMilestoneIndex: number;
  publicKeys: string[];
  receipt: ReceiptPayloadJson | null;
  signatures: string[];
}
export type MessagePayloadJson = TransactionPayloadJson | MilestonePayloadJson | IndexationPayloadJson;
export type PayloadJson = MessagePayloadJson | ReceiptPayloadJson | TreasuryTransactionPayloadJson;
export interface MessageJson {
  networkId: string;
  parentMessageIds: string[];
  payload: MessagePayloadJson | null;
  nonce: string;
}

// ---------------------------------------------------------------------------------------------- to JSON

const addressToJson = (a: Ed25519Address): Ed25519AddressJson => ({ type: 0, address: bytesToHex(a.address) });

function indexationToJson(p: IndexationPayload): IndexationPayloadJson {
  return { type: PAYLOAD_TYPE_INDEXATION, index: bytesToHex(p.index), data: bytesToHex(p.data) };
}

export function essenceToJson(e: TransactionEssence): TransactionEssenceJson {
  return {
    type: 0,
    inputs: e.inputs.map((i) => ({
      type: 0,
      transactionId: bytesToHex(i.transactionId),
      transactionOutputIndex: i.transactionOutputIndex,
    })),
    outputs: e.outputs.map((o) => ({ type: o.type, address: addressToJson(o.address), amount: o.amount })),
    payload: e.payload === null ? null : indexationToJson(e.payload),
  };
}

function transactionToJson(p: TransactionPayload): TransactionPayloadJson {
  return {
    type: PAYLOAD_TYPE_TRANSACTION,
    essence: essenceToJson(p.essence),
    unlockBlocks: p.unlockBlocks.map(
      (b): UnlockBlockJson =>
        b.type === 0
          ? {
              type: 0,
              signature: {
                type: 0,
                publicKey: bytesToHex(b.signature.publicKey),
                signature: bytesToHex(b.signature.signature),
              },
            }
          : { type: 1, reference: b.reference },
    ),
  };
}

function treasuryTransactionToJson(p: TreasuryTransactionPayload): TreasuryTransactionPayloadJson {
  return {
    type: PAYLOAD_TYPE_TREASURY_TRANSACTION,
    input: { type: 1, milestoneId: bytesToHex(p.input.milestoneId) },
    output: { type: 2, amount: p.output.amount },
  };
}

function receiptToJson(p: ReceiptPayload): ReceiptPayloadJson {
  return {
    type: PAYLOAD_TYPE_RECEIPT,
    migratedAt: p.migratedAt,
    final: p.final,
    funds: p.funds.map((f) => ({
      tailTransactionHash: bytesToHex(f.tailTransactionHash),
      address: addressToJson(f.address),
      deposit: f.deposit,
    })),
    transaction: treasuryTransactionToJson(p.transaction),
  };
}

function milestoneToJson(p: MilestonePayload): MilestonePayloadJson {
  return {
    type: PAYLOAD_TYPE_MILESTONE,
    index: p.index,
    timestamp: p.timestamp,
    parentMessageIds: p.parents.map(bytesToHex),
    inclusionMerkleProof: bytesToHex(p.inclusionMerkleProof),
    nextPoWScore: p.nextPoWScore,
    nextPoWScoreMilestoneIndex: p.nextPoWScoreMilestoneIndex,
    publicKeys: p.publicKeys.map(bytesToHex),
    receipt: p.receipt === null ? null : receiptToJson(p.receipt),
    signatures: p.signatures.map(bytesToHex),
  };
}

export function payloadToJson(p: MessagePayload): MessagePayloadJson;
export function payloadToJson(p: Payload): PayloadJson;
export function payloadToJson(p: Payload): PayloadJson {
  switch (p.type) {
    case PAYLOAD_TYPE_TRANSACTION:
      return transactionToJson(p);
    case PAYLOAD_TYPE_MILESTONE:
      return milestoneToJson(p);
    case PAYLOAD_TYPE_INDEXATION:
      return indexationToJson(p);
    case PAYLOAD_TYPE_RECEIPT:
      return receiptToJson(p);
    case PAYLOAD_TYPE_TREASURY_TRANSACTION:
      return treasuryTransactionToJson(p);
  }
}

export function messageToJson(msg: Message): MessageJson {
  return {
    networkId: msg.networkId.toString(10),
    parentMessageIds: msg.parents.map(bytesToHex),
    payload: msg.payload === null ? null : payloadToJson(msg.payload),
    nonce: msg.nonce.toString(10),
  };
}

// -------------------------------------------------------------------------------------------- from JSON

const U8 = 0xff;
const U16 = 0xffff;
const U32 = 0xffff_ffff;
const SAFE = Number.MAX_SAFE_INTEGER;

function addressFromJson(v: unknown, path: string): Ed25519Address {
  const o = asObject(v, path);
  asType(o, [0], path);
  return { type: 0, address: asHexFixed(o.address, ID_LENGTH, `${path}.address`) };
}

function idList(v: unknown, max: number, length: number, path: string): Uint8Array[] {
  return asArray(v, max, path).map((x, i) => asHexFixed(x, length, `${path}[${i}]`));
}

function indexationFromJson(o: JsonObject, path: string): IndexationPayload {
  return {
    type: PAYLOAD_TYPE_INDEXATION,
    index: asHex(o.index, U16, `${path}.index`),
    data: asHex(o.data, U32, `${path}.data`),
  };
}

function essenceFromJson(v: unknown, path: string): TransactionEssence {
  const o = asObject(v, path);
  asType(o, [0], path);
  const inputs = asArray(o.inputs, U16, `${path}.inputs`).map((x, i) => {
    const at = `${path}.inputs[${i}]`;
    const input = asObject(x, at);
    asType(input, [0], at);
    return {
      type: 0 as const,
      transactionId: asHexFixed(input.transactionId, ID_LENGTH, `${at}.transactionId`),
      transactionOutputIndex: asUint(input.transactionOutputIndex, U16, `${at}.transactionOutputIndex`),
    };
  });
  const outputs = asArray(o.outputs, U16, `${path}.outputs`).map((x, i): Output => {
    const at = `${path}.outputs[${i}]`;
    const out = asObject(x, at);
    return {
      type: asType(out, [0, 1], at),
      address: addressFromJson(out.address, `${at}.address`),
      amount: asUint(out.amount, SAFE, `${at}.amount`),
    };
  });
  let payload: IndexationPayload | null = null;
  if (!isAbsent(o.payload)) {
    const p = asObject(o.payload, `${path}.payload`);
    asType(p, [PAYLOAD_TYPE_INDEXATION], `${path}.payload`);
    payload = indexationFromJson(p, `${path}.payload`);
  }
  return { type: 0, inputs, outputs, payload };
}

function transactionFromJson(o: JsonObject, path: string): TransactionPayload {
  const essence = essenceFromJson(o.essence, `${path}.essence`);
  const unlockBlocks = asArray(o.unlockBlocks, U16, `${path}.unlockBlocks`).map((x, i): UnlockBlock => {
    const at = `${path}.unlockBlocks[${i}]`;
    const b = asObject(x, at);
    if (asType(b, [0, 1], at) === 1) return { type: 1, reference: asUint(b.reference, U16, `${at}.reference`) };
    const s = asObject(b.signature, `${at}.signature`);
    asType(s, [0], `${at}.signature`);
    return {
      type: 0,
      signature: {
        type: 0,
        publicKey: asHexFixed(s.publicKey, PUBLIC_KEY_LENGTH, `${at}.signature.publicKey`),
        signature: asHexFixed(s.signature, SIGNATURE_LENGTH, `${at}.signature.signature`),
      },
    };
  });
  return { type: PAYLOAD_TYPE_TRANSACTION, essence, unlockBlocks };
}

function treasuryTransactionFromJson(v: unknown, path: string): TreasuryTransactionPayload {
  const o = asObject(v, path);
  asType(o, [PAYLOAD_TYPE_TREASURY_TRANSACTION], path);
  const input = asObject(o.input, `${path}.input`);
  asType(input, [1], `${path}.input`);
  const output = asObject(o.output, `${path}.output`);
  asType(output, [2], `${path}.output`);
  return {
    type: PAYLOAD_TYPE_TREASURY_TRANSACTION,
    input: { type: 1, milestoneId: asHexFixed(input.milestoneId, ID_LENGTH, `${path}.input.milestoneId`) },
    output: { type: 2, amount: asUint(output.amount, SAFE, `${path}.output.amount`) },
  };
}

function receiptFromJson(o: JsonObject, path: string): ReceiptPayload {
  const funds = asArray(o.funds, U16, `${path}.funds`).map((x, i): MigratedFundsEntry => {
    const at = `${path}.funds[${i}]`;
    const f = asObject(x, at);
    return {
      tailTransactionHash: asHexFixed(f.tailTransactionHash, LEGACY_TAIL_HASH_LENGTH, `${at}.tailTransactionHash`),
      address: addressFromJson(f.address, `${at}.address`),
      deposit: asUint(f.deposit, SAFE, `${at}.deposit`),
    };
  });
  return {
    type: PAYLOAD_TYPE_RECEIPT,
    migratedAt: asUint(o.migratedAt, U32, `${path}.migratedAt`),
    final: asBool(o.final, `${path}.final`),
    funds,
    transaction: treasuryTransactionFromJson(o.transaction, `${path}.transaction`),
  };
}

function milestoneFromJson(o: JsonObject, path: string): MilestonePayload {
  let receipt: ReceiptPayload | null = null;
  if (!isAbsent(o.receipt)) {
    const r = asObject(o.receipt, `${path}.receipt`);
    asType(r, [PAYLOAD_TYPE_RECEIPT], `${path}.receipt`);
    receipt = receiptFromJson(r, `${path}.receipt`);
  }
  return {
    type: PAYLOAD_TYPE_MILESTONE,
    index: asUint(o.index, U32, `${path}.index`),
    timestamp: asUint(o.timestamp, SAFE, `${path}.timestamp`),
    parents: idList(o.parentMessageIds, U8, ID_LENGTH, `${path}.parentMessageIds`),
    inclusionMerkleProof: asHexFixed(o.inclusionMerkleProof, MERKLE_PROOF_LENGTH, `${path}.inclusionMerkleProof`),
    nextPoWScore: asUint(o.nextPoWScore, U32, `${path}.nextPoWScore`),
    nextPoWScoreMilestoneIndex: asUint(o.nextPoWScoreMilestoneIndex, U32, `${path}.nextPoWScoreMilestoneIndex`),
    publicKeys: idList(o.publicKeys, U8, PUBLIC_KEY_LENGTH, `${path}.publicKeys`),
    receipt,
    signatures: idList(o.signatures, U8, SIGNATURE_LENGTH, `${path}.signatures`),
  };
}

const MESSAGE_PAYLOAD_TYPES = [PAYLOAD_TYPE_TRANSACTION, PAYLOAD_TYPE_MILESTONE, PAYLOAD_TYPE_INDEXATION] as const;
const ALL_PAYLOAD_TYPES = [...MESSAGE_PAYLOAD_TYPES, PAYLOAD_TYPE_RECEIPT, PAYLOAD_TYPE_TREASURY_TRANSACTION] as const;

/** Parses any payload JSON (receipts and treasury transactions included). */
export function payloadFromJson(json: unknown, path = "payload"): Payload {
  const o = asObject(json, path);
  switch (asType(o, ALL_PAYLOAD_TYPES, path)) {
    case PAYLOAD_TYPE_TRANSACTION:
      return transactionFromJson(o, path);
    case PAYLOAD_TYPE_MILESTONE:
      return milestoneFromJson(o, path);
    case PAYLOAD_TYPE_INDEXATION:
      return indexationFromJson(o, path);
    case PAYLOAD_TYPE_RECEIPT:
      return receiptFromJson(o, path);
    case PAYLOAD_TYPE_TREASURY_TRANSACTION:
      return treasuryTransactionFromJson(o, path);
  }
}

function messagePayloadFromJson(v: unknown): MessagePayload | null {
  if (isAbsent(v)) return null;
  const o = asObject(v, "payload");
  asType(o, MESSAGE_PAYLOAD_TYPES, "payload");
  return payloadFromJson(o) as MessagePayload;
}

/** A message whose networkId, parents and nonce may still be missing (REST submit: the node fills them in). */
export interface PartialMessage {
  networkId?: bigint;
  parents?: Uint8Array[];
  payload: MessagePayload | null;
  nonce?: bigint;
}

/** Parses a possibly incomplete message (TIP-13 POST /messages): absent or null networkId, parents, nonce stay unset. */
export function messageFromJsonPartial(json: unknown): PartialMessage {
  const o = asObject(json, "message");
  const msg: PartialMessage = { payload: messagePayloadFromJson(o.payload) };
  if (!isAbsent(o.networkId)) msg.networkId = asDecimalU64(o.networkId, "networkId");
  if (!isAbsent(o.parentMessageIds)) msg.parents = idList(o.parentMessageIds, U8, ID_LENGTH, "parentMessageIds");
  if (!isAbsent(o.nonce)) msg.nonce = asDecimalU64(o.nonce, "nonce");
  return msg;
}

/** Parses a complete message; networkId, parentMessageIds and nonce are required. */
export function messageFromJson(json: unknown): Message {
  const m = messageFromJsonPartial(json);
  if (m.networkId === undefined) jsonError("networkId", "missing");
  if (m.parents === undefined) jsonError("parentMessageIds", "missing");
  if (m.nonce === undefined) jsonError("nonce", "missing");
  return { networkId: m.networkId, parents: m.parents, payload: m.payload, nonce: m.nonce };
}
