/**
 * Payloads of the event API's topics (chrysalis.md §10.5) as Hornet 1.2.8 sends them (plugins/mqtt/types.go):
 * JSON for milestones, metadata, outputs and receipts; the stored message bytes for the message topics. Metadata
 * and outputs share the REST mappers (src/api/mappers), so a topic and its REST route never disagree.
 */
import { outputToJson } from "../api/mappers/output.js";
import { type OutputJson, parseOutputId } from "../codec/index.js";
import type { LedgerOutput } from "../ledger/types.js";
import { bytesToHex } from "../primitives/hex.js";

/** `milestones/latest` and `milestones/confirmed`. */
export interface MilestoneTopicJson {
  index: number;
  /** Unix seconds (TIP-8). */
  timestamp: number;
}

/**
 * `outputs/{outputId}` and the address topics: Hornet's `outputPayload`, in its field order. TIP-16 lacks
 * `ledgerIndex`; Hornet adds it. Unlike the REST answer it never carries the spend's milestone and transaction.
 */
export interface OutputTopicJson {
  messageId: string;
  /** The first 32 bytes of the output id (the milestone id for migrated funds, TIP-17). */
  transactionId: string;
  outputIndex: number;
  isSpent: boolean;
  /** The confirmed milestone the state belongs to. */
  ledgerIndex: number;
  output: OutputJson;
}

export function outputTopicJson(
  record: Readonly<LedgerOutput>,
  isSpent: boolean,
  ledgerIndex: number,
): OutputTopicJson {
  const { transactionId, outputIndex } = parseOutputId(record.outputId);
  return {
    messageId: bytesToHex(record.messageId),
    transactionId: bytesToHex(transactionId),
    outputIndex,
    isSpent,
    ledgerIndex,
    output: outputToJson(record.output),
  };
}

/** A JSON payload: the UTF-8 bytes of `JSON.stringify(value)`. */
export function jsonPayload(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), "utf8");
}

/** A binary payload: a Buffer over the same memory (MQTT packets are written from Buffers). */
export function binaryPayload(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
