/**
 * The typed events of the node (ARCHITECTURE.md habit 8): the only way the edges (API, MQTT, gossip broadcast,
 * coordinator) learn what the core did. docs/events.md documents the order; test/unit/pipeline/ingress.test.ts
 * checks it.
 *
 * Order guarantees:
 * 1. Events fire only after the state they describe is durable (its batch committed), so nothing an event announced
 *    can be lost by a crash.
 * 2. For one message: `message.received` before `message.solid`.
 * 3. `message.solid` fires for parents before children (topological order).
 * 4. Across messages, events fire in the order the pipeline processed them.
 */
import type { Message } from "../codec/index.js";
import type { EvictionReason } from "../tangle/solidifier.js";
import { TypedEmitter } from "../util/typedEmitter.js";
import type { MessageErrorCode } from "./messageError.js";

/** Where a message entered the node. */
export type MessageSource = "peer" | "api" | "coordinator";

export interface MessageReceivedEvent {
  messageId: Uint8Array;
  messageIdHex: string;
  message: Message;
  bytes: Uint8Array;
  source: MessageSource;
  /** The sending peer, for source "peer". */
  peerId?: string;
  /** True if we had requested it (its PoW was not checked). */
  requested: boolean;
}

export interface MessageSolidEvent {
  messageId: Uint8Array;
  messageIdHex: string;
}

export interface MessageRejectedEvent {
  code: MessageErrorCode;
  /** What was wrong, for logs; never echoes payload text. */
  detail: string;
  source: MessageSource;
  peerId?: string;
  /** Known once the bytes were hashed (not for MESSAGE_ERROR_INVALID_LENGTH). */
  messageIdHex?: string;
}

export interface MessageEvictedEvent {
  messageId: Uint8Array;
  messageIdHex: string;
  reason: EvictionReason;
}

// A type alias, not an interface: only aliases are assignable to TypedEmitter's Record<string, unknown> bound.
export type NodeEvents = {
  "message.received": MessageReceivedEvent;
  "message.solid": MessageSolidEvent;
  "message.rejected": MessageRejectedEvent;
  "message.evicted": MessageEvictedEvent;
};

export class NodeEventBus extends TypedEmitter<NodeEvents> {}
