/**
 * Who is subscribed to what, so that an event is serialised only when some client will receive it (Hornet's
 * `topicManager`, chrysalis.md §10.5 "published only to topics that have subscribers"). Kept in step with the broker:
 * a subscription is added when it is authorised, removed on UNSUBSCRIBE, and all of a client's go when its connection
 * closes.
 *
 * Lookups are by key (topics.ts `topicKey`): one key gathers every spelling of a topic that clients used (hex in
 * either case, an address as bech32 or as Ed25519 hex), each of which is published to as written.
 */
import type { ParsedTopic, TopicKind } from "./topics.js";

export type AddResult = "added" | "present" | "limit";

export class SubscriptionIndex<C> {
  /** key → exact topic → number of clients subscribed to that topic. */
  private readonly byKey = new Map<string, Map<string, number>>();
  private readonly byClient = new Map<C, Map<string, ParsedTopic>>();
  private readonly byKind = new Map<TopicKind, number>();
  private count = 0;

  constructor(private readonly maxPerClient: number) {}

  /** Subscribes `client` to `topic`; "limit" (and nothing changes) when the client already has its maximum. */
  add(client: C, topic: string, parsed: ParsedTopic): AddResult {
    let topics = this.byClient.get(client);
    if (topics?.has(topic)) return "present";
    if ((topics?.size ?? 0) >= this.maxPerClient) return "limit";
    if (topics === undefined) {
      topics = new Map();
      this.byClient.set(client, topics);
    }
    topics.set(topic, parsed);
    let spellings = this.byKey.get(parsed.key);
    if (spellings === undefined) {
      spellings = new Map();
      this.byKey.set(parsed.key, spellings);
    }
    spellings.set(topic, (spellings.get(topic) ?? 0) + 1);
    this.byKind.set(parsed.kind, (this.byKind.get(parsed.kind) ?? 0) + 1);
    this.count++;
    return "added";
  }

  /** Unsubscribes `client` from `topic`; nothing happens if it was not subscribed. */
  remove(client: C, topic: string): void {
    const topics = this.byClient.get(client);
    const parsed = topics?.get(topic);
    if (topics === undefined || parsed === undefined) return;
    topics.delete(topic);
    if (topics.size === 0) this.byClient.delete(client);
    const spellings = this.byKey.get(parsed.key);
    const n = spellings?.get(topic) ?? 0;
    if (spellings !== undefined) {
      if (n <= 1) spellings.delete(topic);
      else spellings.set(topic, n - 1);
      if (spellings.size === 0) this.byKey.delete(parsed.key);
    }
    const k = this.byKind.get(parsed.kind) ?? 0;
    if (k <= 1) this.byKind.delete(parsed.kind);
    else this.byKind.set(parsed.kind, k - 1);
    this.count--;
  }

  /** Removes every subscription of `client`. */
  removeClient(client: C): void {
    const topics = this.byClient.get(client);
    if (topics === undefined) return;
    for (const topic of [...topics.keys()]) this.remove(client, topic);
  }

  /** The topics, as clients wrote them, that have subscribers under `key`; undefined when none has. */
  topicsFor(key: string): Iterable<string> | undefined {
    return this.byKey.get(key)?.keys();
  }

  /** Whether any client is subscribed to a topic of this kind. */
  hasKind(kind: TopicKind): boolean {
    return this.byKind.has(kind);
  }

  /** The parsed form of a topic `client` is subscribed to. */
  parsedOf(client: C, topic: string): ParsedTopic | undefined {
    return this.byClient.get(client)?.get(topic);
  }

  /** Number of subscriptions of `client`. */
  subscriptionsOf(client: C): number {
    return this.byClient.get(client)?.size ?? 0;
  }

  /** Subscriptions over all clients. */
  get subscriptions(): number {
    return this.count;
  }

  /** Distinct keys with at least one subscriber. */
  get keys(): number {
    return this.byKey.size;
  }

  /** Clients with at least one subscription. */
  get clients(): number {
    return this.byClient.size;
  }
}
