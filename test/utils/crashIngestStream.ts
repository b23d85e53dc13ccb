/**
 * A deterministic message stream for crash tests: a seeded DAG of real TIP-6 messages (each approving 1–8 earlier
 * ones), delivered the way gossip delivers them: about a fifth late (so children arrive before their parents), some
 * twice, with invalid bytes mixed in. The child process of test/e2e/crashIngestion.test.ts ingests it, and the test
 * regenerates it to know what the database may hold.
 */
import { encodeMessage, type Message, type MessagePayload, messageId } from "../../src/codec/index.js";
import type { MessagePipeline } from "../../src/pipeline/messagePipeline.js";
import { compareBytes, utf8ToBytes } from "../../src/primitives/bytes.js";
import { bytesToHex } from "../../src/primitives/hex.js";
import type { Tangle } from "../../src/tangle/tangle.js";
import { seededRandom } from "./seededRandom.js";
import { GENESIS_ID } from "./tangleBuilder.js";

export const CRASH_NETWORK_ID = 1_234_567_890_123n;

export interface StreamMessage {
  id: Uint8Array;
  idHex: string;
  bytes: Uint8Array;
}

export type DeliveryItem =
  | { kind: "message" | "duplicate"; message: number; bytes: Uint8Array }
  | { kind: "invalid"; bytes: Uint8Array };

export interface IngestStream {
  /** The valid messages in creation order (parents before children). */
  messages: StreamMessage[];
  /** What is handed to the pipeline, in order. The first "message" item of each message comes before any duplicate. */
  delivery: DeliveryItem[];
}

function randomBytes(rnd: () => number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = Math.floor(rnd() * 256);
  return out;
}

const int = (rnd: () => number, n: number): number => Math.floor(rnd() * n);

function payloadFor(rnd: () => number, i: number): MessagePayload | null {
  const r = rnd();
  const index = utf8ToBytes(`crash-${int(rnd, 6)}`);
  if (r < 0.4) return { type: 2, index, data: utf8ToBytes(`message ${i}`) };
  if (r < 0.55) {
    // Syntactically valid transaction (signatures are not checked by the codec); half carry an indexation payload.
    return {
      type: 0,
      essence: {
        type: 0,
        inputs: [{ type: 0, transactionId: randomBytes(rnd, 32), transactionOutputIndex: int(rnd, 4) }],
        outputs: [{ type: 0, address: { type: 0, address: randomBytes(rnd, 32) }, amount: 1_000_000 + i }],
        payload: rnd() < 0.5 ? { type: 2, index, data: new Uint8Array(0) } : null,
      },
      unlockBlocks: [
        { type: 0, signature: { type: 0, publicKey: randomBytes(rnd, 32), signature: randomBytes(rnd, 64) } },
      ],
    };
  }
  return null;
}

/** A message's parents: 1–8 distinct earlier messages, mostly recent ones (like tip selection), or the genesis. */
function parentsFor(rnd: () => number, i: number, messages: StreamMessage[]): Uint8Array[] {
  if (i === 0) return [GENESIS_ID];
  const wanted = 1 + int(rnd, 8);
  const picked = new Map<string, Uint8Array>();
  for (let tries = 0; picked.size < wanted && tries < 4 * wanted; tries++) {
    const back = 1 + int(rnd, Math.min(i, 24));
    const m = messages[i - back]!;
    picked.set(m.idHex, m.id);
  }
  if (i < 8 && rnd() < 0.3) picked.set(bytesToHex(GENESIS_ID), GENESIS_ID);
  return [...picked.values()].sort(compareBytes);
}

export function buildIngestStream(seed: number, messageCount: number): IngestStream {
  const rnd = seededRandom(seed);
  const messages: StreamMessage[] = [];
  for (let i = 0; i < messageCount; i++) {
    const message: Message = {
      networkId: CRASH_NETWORK_ID,
      parents: parentsFor(rnd, i, messages),
      payload: payloadFor(rnd, i),
      nonce: BigInt(i),
    };
    const bytes = encodeMessage(message);
    const id = messageId(bytes);
    messages.push({ id, idHex: bytesToHex(id), bytes });
  }

  // Each item gets a position key; a stable sort by key gives the delivery order. Late messages move 1–40 places
  // back, so the children that follow them in creation order are delivered first.
  const keyed: Array<{ key: number; item: DeliveryItem }> = [];
  messages.forEach((m, i) => {
    const late = rnd() < 0.2 ? 1 + int(rnd, 40) : 0;
    keyed.push({ key: i + late, item: { kind: "message", message: i, bytes: m.bytes } });
    if (rnd() < 0.05) {
      keyed.push({ key: i + late + 0.5 + int(rnd, 60), item: { kind: "duplicate", message: i, bytes: m.bytes } });
    }
    if (rnd() < 0.04) keyed.push({ key: i + rnd(), item: { kind: "invalid", bytes: invalidBytes(rnd, m.bytes) } });
  });
  keyed.sort((a, b) => a.key - b.key);
  return { messages, delivery: keyed.map((k) => k.item) };
}

/** Garbage, a truncated message, a message with a trailing byte, or a message of another network. */
function invalidBytes(rnd: () => number, valid: Uint8Array): Uint8Array {
  const r = rnd();
  if (r < 0.25) return randomBytes(rnd, 60 + int(rnd, 200));
  if (r < 0.5) return valid.slice(0, valid.length - 1 - int(rnd, 8));
  if (r < 0.75) {
    const out = new Uint8Array(valid.length + 1);
    out.set(valid);
    return out;
  }
  const foreign = valid.slice();
  // The network id is the first 8 bytes (u64 little-endian, TIP-6).
  foreign[0] = (foreign[0]! + 1) & 0xff;
  return foreign;
}

/**
 * Feeds `delivery` to the pipeline in chunks of 1–64 items, alternating between the synchronous process() with one
 * durable() per chunk and concurrent submit() calls, and reports after each chunk how many items are durable.
 */
export async function ingestDelivery(
  pipeline: MessagePipeline,
  tangle: Tangle,
  delivery: readonly DeliveryItem[],
  rnd: () => number,
  onDurable: (itemsDone: number) => void,
): Promise<void> {
  for (let pos = 0; pos < delivery.length; ) {
    const end = Math.min(delivery.length, pos + 1 + int(rnd, 64));
    const chunk = delivery.slice(pos, end);
    if (rnd() < 0.5) {
      for (const item of chunk) pipeline.ingress.process(item.bytes, { source: "peer" });
      await tangle.durable();
    } else {
      await Promise.all(chunk.map((item) => pipeline.ingress.submit(item.bytes, { source: "peer" })));
    }
    pos = end;
    onDurable(pos);
  }
}
