/**
 * Payload routing (ARCHITECTURE.md §2.5 step 8): after a message is stored, its payload goes to the component that
 * owns that payload type. Indexation entries are written by the tangle with the message itself; milestone payloads
 * go to the milestone validator registered by the composition root; transactions need nothing until white flag.
 * Handlers run synchronously inside the ingestion step, so whatever they stage joins the message's batch.
 */
import type { Message, MessagePayload } from "../codec/index.js";

export interface RoutedMessage<P extends MessagePayload = MessagePayload> {
  messageId: Uint8Array;
  messageIdHex: string;
  message: Message;
  payload: P;
  bytes: Uint8Array;
}

type PayloadOfType<T extends MessagePayload["type"]> = Extract<MessagePayload, { type: T }>;

export class PayloadRouter {
  private readonly handlers = new Map<number, Array<(m: RoutedMessage) => void>>();

  /** Registers `handler` for payloads of `type`; the returned function unregisters it. */
  on<T extends MessagePayload["type"]>(type: T, handler: (m: RoutedMessage<PayloadOfType<T>>) => void): () => void {
    const list = this.handlers.get(type) ?? [];
    const h = handler as (m: RoutedMessage) => void;
    list.push(h);
    this.handlers.set(type, list);
    return () => {
      const i = list.indexOf(h);
      if (i >= 0) list.splice(i, 1);
    };
  }

  route(messageId: Uint8Array, messageIdHex: string, message: Message, bytes: Uint8Array): void {
    const payload = message.payload;
    if (payload === null) return;
    const list = this.handlers.get(payload.type);
    if (list === undefined) return;
    for (const h of list) h({ messageId, messageIdHex, message, payload, bytes });
  }
}
