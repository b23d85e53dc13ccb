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
 * 5. A milestone's `milestone.latest` fires after the `message.received` of its message.
 * 6. A confirmation fires, in this order: `milestone.confirmed`, `message.referenced` for every message of the cone
 *    in white-flag order (the milestone message last), `ledger.updated`, `output.created` for each created output,
 *    `output.spent` for each consumed output, then `receipt.applied` if the milestone carried a receipt. Milestones
 *    confirm strictly in index order.
 */
import type { Message, ReceiptPayload } from "../codec/index.js";
import type { InclusionState, LedgerOutput, SpentOutput } from "../ledger/types.js";
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

/** A valid milestone (TIP-8) that became known, or was confirmed. */
export interface MilestoneEvent {
  index: number;
  messageId: Uint8Array;
  messageIdHex: string;
  milestoneId: Uint8Array;
  /** Unix seconds, from the milestone payload. */
  timestamp: number;
}

export interface MilestoneConfirmedEvent extends MilestoneEvent {
  /** Messages of the cone (the milestone message included) by verdict. */
  referenced: number;
  included: number;
  conflicting: number;
  noTransaction: number;
  /** Milliseconds from the start of white flag to the durable commit. */
  durationMs: number;
}

export interface MessageReferencedEvent {
  messageId: Uint8Array;
  messageIdHex: string;
  milestoneIndex: number;
  inclusion: InclusionState;
  conflictReason: number;
}

export interface LedgerUpdatedEvent {
  ledgerIndex: number;
  createdOutputs: number;
  consumedOutputs: number;
}

export interface OutputCreatedEvent {
  output: LedgerOutput;
  ledgerIndex: number;
}

export interface OutputSpentEvent {
  output: SpentOutput;
  ledgerIndex: number;
}

export interface ReceiptAppliedEvent {
  milestoneIndex: number;
  receipt: ReceiptPayload;
}

/** The node cannot go on (for example a milestone whose Merkle root disagrees with our ledger, TIP-4). */
export interface NodeHaltedEvent {
  code: string;
  message: string;
}

// A type alias, not an interface: only aliases are assignable to TypedEmitter's Record<string, unknown> bound.
export type NodeEvents = {
  "message.received": MessageReceivedEvent;
  "message.solid": MessageSolidEvent;
  "message.rejected": MessageRejectedEvent;
  "message.evicted": MessageEvictedEvent;
  "milestone.latest": MilestoneEvent;
  "milestone.confirmed": MilestoneConfirmedEvent;
  "message.referenced": MessageReferencedEvent;
  "ledger.updated": LedgerUpdatedEvent;
  "output.created": OutputCreatedEvent;
  "output.spent": OutputSpentEvent;
  "receipt.applied": ReceiptAppliedEvent;
  "node.halted": NodeHaltedEvent;
};

export class NodeEventBus extends TypedEmitter<NodeEvents> {}
