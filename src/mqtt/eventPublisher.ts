/**
 * Turns the node's events (src/pipeline/events.ts) into the event API's publications (chrysalis.md §10.5), as Hornet
 * 1.2.8's MQTT plugin does:
 *
 * | event                 | topics                                                                                |
 * | --------------------- | ------------------------------------------------------------------------------------- |
 * | `message.received`    | `messages`; `messages/indexation/{index}` for a message whose own payload is an indexation |
 * | `message.solid`       | `messages/{messageId}/metadata`                                                        |
 * | `message.referenced`  | `messages/{messageId}/metadata`, `messages/referenced`                                 |
 * | `milestone.latest`    | `milestones/latest`                                                                    |
 * | `milestone.confirmed` | `milestones/confirmed`                                                                 |
 * | `output.created`      | `outputs/{outputId}`, `addresses/…/outputs`; `transactions/{id}/included-message` for output index 0 |
 * | `output.spent`        | `outputs/{outputId}`, `addresses/…/outputs`                                            |
 * | `receipt.applied`     | `receipts` (Hornet only)                                                               |
 *
 * A payload is read and serialised only when the subscription index has a subscriber for the topic, once for all of
 * them. Events arrive after their state is durable (events.ts), so what is read for them is what they announced.
 * `currentState` is what a new subscriber gets at once ("current state on subscribe").
 */

import { type MessageMetadataView, readMessageMetadata } from "../api/mappers/messageMetadata.js";
import { outputId, parseOutputId, payloadToJson } from "../codec/index.js";
import type { LedgerOutput } from "../ledger/types.js";
import type { UtxoLedger } from "../ledger/utxoLedger.js";
import { ID_LENGTH } from "../params/protocol.js";
import type {
  MessageReceivedEvent,
  MessageReferencedEvent,
  MessageSolidEvent,
  MilestoneEvent,
  NodeEventBus,
  OutputCreatedEvent,
  OutputSpentEvent,
  ReceiptAppliedEvent,
} from "../pipeline/events.js";
import { bytesToHex, hexToBytes } from "../primitives/hex.js";
import type { Tangle } from "../tangle/tangle.js";
import type { TipSelectionParams } from "../tangle/tipScore.js";
import { binaryPayload, jsonPayload, type MilestoneTopicJson, outputTopicJson } from "./payloads.js";
import type { SubscriptionIndex } from "./subscriptionIndex.js";
import { type ParsedTopic, topicKey } from "./topics.js";

/** What the publisher reads: the Tangle satisfies it. */
export type EventTangleView = MessageMetadataView &
  Pick<Tangle, "getMessageBytes" | "getMilestone" | "latestMilestoneIndex">;

export interface EventPublisherDependencies {
  tangle: EventTangleView;
  ledger: Pick<UtxoLedger, "ledgerIndex" | "getOutput" | "getOutputWithSpent">;
  /** The tip selector's parameters: the promote/reattach hints of metadata depend on them (chrysalis.md §7). */
  tipSelectionParams: Readonly<TipSelectionParams>;
}

/** Hands one publication to the broker. */
export type Publish = (topic: string, payload: Buffer) => void;

const MESSAGES = topicKey("messages");
const MESSAGES_REFERENCED = topicKey("messagesReferenced");
const MILESTONES_LATEST = topicKey("milestonesLatest");
const MILESTONES_CONFIRMED = topicKey("milestonesConfirmed");
const RECEIPTS = topicKey("receipts");

export class EventPublisher {
  constructor(
    private readonly deps: EventPublisherDependencies,
    private readonly index: SubscriptionIndex<unknown>,
    private readonly publish: Publish,
  ) {}

  /** Listens to the events; the returned function stops listening. */
  attach(events: Pick<NodeEventBus, "on">): () => void {
    const off = [
      events.on("message.received", (e) => this.messageReceived(e)),
      events.on("message.solid", (e) => this.messageSolid(e)),
      events.on("message.referenced", (e) => this.messageReferenced(e)),
      events.on("milestone.latest", (e) => this.milestone(MILESTONES_LATEST, e)),
      events.on("milestone.confirmed", (e) => this.milestone(MILESTONES_CONFIRMED, e)),
      events.on("output.created", (e) => this.outputCreated(e)),
      events.on("output.spent", (e) => this.outputSpent(e)),
      events.on("receipt.applied", (e) => this.receiptApplied(e)),
    ];
    return () => {
      for (const f of off) f();
    };
  }

  /** What a client that just subscribed to `topic` is sent at once, or null (chrysalis.md §10.5). */
  currentState(topic: ParsedTopic): Buffer | null {
    const { tangle, ledger } = this.deps;
    switch (topic.kind) {
      case "milestonesLatest":
        return this.milestoneState(tangle.latestMilestoneIndex);
      case "milestonesConfirmed":
        return this.milestoneState(tangle.confirmedMilestoneIndex);
      case "messageMetadata": {
        const metadata = readMessageMetadata(tangle, hexToBytes(topic.id), this.deps.tipSelectionParams);
        return metadata === undefined ? null : jsonPayload(metadata);
      }
      case "output": {
        // One synchronous read of index and record: a confirmation cannot land in between.
        const ledgerIndex = ledger.ledgerIndex;
        const record = ledger.getOutputWithSpent(hexToBytes(topic.id));
        return record === undefined
          ? null
          : jsonPayload(outputTopicJson(record.output, record.spent !== null, ledgerIndex));
      }
      case "includedMessage": {
        // As the REST route: the including message is found through output `transactionId ‖ 0` (TIP-7: every
        // transaction has an output 0, and only an included one is in the ledger).
        const output = ledger.getOutput(outputId(hexToBytes(topic.id), 0));
        const bytes = output === undefined ? undefined : tangle.getMessageBytes(output.messageId);
        return bytes === undefined ? null : binaryPayload(bytes);
      }
      default:
        return null;
    }
  }

  private send(key: string, payload: () => Buffer | null): void {
    const topics = this.index.topicsFor(key);
    if (topics === undefined) return;
    const bytes = payload();
    if (bytes === null) return;
    for (const topic of topics) this.publish(topic, bytes);
  }

  private messageReceived(e: MessageReceivedEvent): void {
    this.send(MESSAGES, () => binaryPayload(e.bytes));
    const payload = e.message.payload;
    // Hornet: only a message whose own payload is an indexation, not one inside a transaction.
    if (payload?.type === 2 && this.index.hasKind("indexation")) {
      this.send(topicKey("indexation", bytesToHex(payload.index)), () => binaryPayload(e.bytes));
    }
  }

  private messageSolid(e: MessageSolidEvent): void {
    this.metadata(e.messageId, e.messageIdHex, false);
  }

  private messageReferenced(e: MessageReferencedEvent): void {
    this.metadata(e.messageId, e.messageIdHex, true);
  }

  /** The metadata to `messages/{id}/metadata`, and to `messages/referenced` when the message was referenced. */
  private metadata(id: Uint8Array, idHex: string, referenced: boolean): void {
    const single = this.index.topicsFor(topicKey("messageMetadata", idHex));
    const all = referenced ? this.index.topicsFor(MESSAGES_REFERENCED) : undefined;
    if (single === undefined && all === undefined) return;
    const metadata = readMessageMetadata(this.deps.tangle, id, this.deps.tipSelectionParams);
    if (metadata === undefined) return;
    const bytes = jsonPayload(metadata);
    for (const topic of single ?? []) this.publish(topic, bytes);
    for (const topic of all ?? []) this.publish(topic, bytes);
  }

  private milestone(key: string, e: MilestoneEvent): void {
    this.send(key, () => jsonPayload({ index: e.index, timestamp: e.timestamp } satisfies MilestoneTopicJson));
  }

  private milestoneState(index: number): Buffer | null {
    const milestone = this.deps.tangle.getMilestone(index);
    // A u64 in storage, but TIP-8 timestamps are unix seconds, far below 2^53.
    return milestone === undefined
      ? null
      : jsonPayload({ index, timestamp: Number(milestone.timestamp) } satisfies MilestoneTopicJson);
  }

  private output(record: LedgerOutput, isSpent: boolean, ledgerIndex: number): void {
    const outputTopics = this.index.topicsFor(topicKey("output", bytesToHex(record.outputId)));
    const addressTopics = this.index.hasKind("addressOutputs")
      ? this.index.topicsFor(topicKey("addressOutputs", bytesToHex(record.output.address.address)))
      : undefined;
    if (outputTopics === undefined && addressTopics === undefined) return;
    const bytes = jsonPayload(outputTopicJson(record, isSpent, ledgerIndex));
    for (const topic of outputTopics ?? []) this.publish(topic, bytes);
    for (const topic of addressTopics ?? []) this.publish(topic, bytes);
  }

  private outputCreated(e: OutputCreatedEvent): void {
    this.output(e.output, false, e.ledgerIndex);
    // Hornet: output index 0 being created is what announces that its transaction was included.
    if (!this.index.hasKind("includedMessage") || parseOutputId(e.output.outputId).outputIndex !== 0) return;
    const transactionIdHex = bytesToHex(e.output.outputId.subarray(0, ID_LENGTH));
    this.send(topicKey("includedMessage", transactionIdHex), () => {
      const bytes = this.deps.tangle.getMessageBytes(e.output.messageId);
      return bytes === undefined ? null : binaryPayload(bytes);
    });
  }

  private outputSpent(e: OutputSpentEvent): void {
    this.output(e.output, true, e.ledgerIndex);
  }

  private receiptApplied(e: ReceiptAppliedEvent): void {
    this.send(RECEIPTS, () => jsonPayload(payloadToJson(e.receipt)));
  }
}
