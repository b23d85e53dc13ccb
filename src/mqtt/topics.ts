/**
 * The topic table of the event API (chrysalis.md §10.5, TIP-16, and the `receipts` topic Hornet 1.2.8 adds) and the
 * parser that turns a client's topic filter into the event it asks for.
 *
 * Only the exact topics of the table can be subscribed to. Wildcard filters (`+`, `#`) and anything else are refused
 * (SUBACK 0x80): Hornet's broker accepts them but publishes only to topics that someone subscribed to by their exact
 * name (plugins/mqtt `HasSubscribers`), so a wildcard subscriber there gets an arbitrary subset of events, or none.
 * iota.js 1.8.6 only ever subscribes to exact topics (client-compat.md §7).
 *
 * Ids may be written in either case, as Hornet's hex decoding accepts them; events are published on the topic exactly
 * as each client wrote it, so a client always receives what it subscribed to.
 */
import { decodeBech32Address } from "../crypto/bech32.js";
import { CryptoError } from "../crypto/cryptoError.js";
import { ID_LENGTH, INDEXATION_INDEX_LENGTH_MAX, OUTPUT_ID_LENGTH } from "../params/protocol.js";
import { bytesToHex, isHex } from "../primitives/hex.js";

export const TOPIC_MILESTONES_LATEST = "milestones/latest";
export const TOPIC_MILESTONES_CONFIRMED = "milestones/confirmed";
export const TOPIC_MESSAGES = "messages";
export const TOPIC_MESSAGES_REFERENCED = "messages/referenced";
export const TOPIC_RECEIPTS = "receipts";

/**
 * The longest topic of the table: `messages/indexation/{index}` with a 64-byte index (TIP-6) in hex. A bech32 address
 * has at most 90 characters (BIP-173), so its topic at most 108. Longer filters are refused before they are looked at.
 */
export const MAX_TOPIC_LENGTH = 148;

/** What a topic asks for. */
export type TopicKind =
  | "milestonesLatest"
  | "milestonesConfirmed"
  | "messages"
  | "messagesReferenced"
  | "indexation"
  | "messageMetadata"
  | "output"
  | "includedMessage"
  | "addressOutputs"
  | "receipts";

export interface ParsedTopic {
  kind: TopicKind;
  /**
   * Lowercase hex of what the topic names: the message id, output id, transaction id, indexation index or Ed25519
   * address; "" for the topics that name nothing.
   */
  id: string;
  /** The subscription index's key: the same for every spelling of one topic (both address forms share it). */
  key: string;
}

/** The index key of a topic kind and the lowercase hex it names. */
export function topicKey(kind: TopicKind, id = ""): string {
  return id === "" ? kind : `${kind}/${id}`;
}

function parsed(kind: TopicKind, id = ""): ParsedTopic {
  return { kind, id, key: topicKey(kind, id) };
}

/** Lowercase hex of a `bytes`-byte value, or null if `text` is not exactly that. */
function hexOfLength(text: string, bytes: number): string | null {
  return text.length === 2 * bytes && isHex(text) ? text.toLowerCase() : null;
}

/** The 32-byte Ed25519 address of a bech32 address of this network (TIP-11), as lowercase hex; null otherwise. */
function bech32AddressHex(text: string, hrp: string): string | null {
  try {
    // TIP-11: type byte 0, then the 32-byte hash (decodeBech32Address checked both).
    return bytesToHex(decodeBech32Address(text, { expectedHrp: hrp }).address.subarray(1));
  } catch (e) {
    if (e instanceof CryptoError) return null;
    throw e;
  }
}

function withId(kind: TopicKind, id: string | null): ParsedTopic | null {
  return id === null ? null : parsed(kind, id);
}

/**
 * The topic of the table that `topic` names, or null for anything else: unknown topics, wildcard filters, ids of the
 * wrong length or with non-hex characters, indexation indexes that are empty, longer than 64 bytes (TIP-6) or of odd
 * length, bech32 addresses that are invalid or of another network than `hrp`.
 */
export function parseTopic(topic: string, hrp: string): ParsedTopic | null {
  if (topic.length > MAX_TOPIC_LENGTH) return null;
  switch (topic) {
    case TOPIC_MILESTONES_LATEST:
      return parsed("milestonesLatest");
    case TOPIC_MILESTONES_CONFIRMED:
      return parsed("milestonesConfirmed");
    case TOPIC_MESSAGES:
      return parsed("messages");
    case TOPIC_MESSAGES_REFERENCED:
      return parsed("messagesReferenced");
    case TOPIC_RECEIPTS:
      return parsed("receipts");
  }
  const parts = topic.split("/");
  const [first, second, third, fourth] = parts;
  if (first === "messages" && parts.length === 3) {
    if (second === "indexation") {
      const index = third ?? "";
      // TIP-6: an index has 1..64 bytes; the topic carries it hex-encoded.
      return index.length > 0 && index.length <= 2 * INDEXATION_INDEX_LENGTH_MAX && isHex(index)
        ? parsed("indexation", index.toLowerCase())
        : null;
    }
    if (third === "metadata") return withId("messageMetadata", hexOfLength(second ?? "", ID_LENGTH));
    return null;
  }
  if (first === "outputs" && parts.length === 2) return withId("output", hexOfLength(second ?? "", OUTPUT_ID_LENGTH));
  if (first === "transactions" && parts.length === 3 && third === "included-message") {
    return withId("includedMessage", hexOfLength(second ?? "", ID_LENGTH));
  }
  if (first === "addresses") {
    if (parts.length === 4 && second === "ed25519" && fourth === "outputs") {
      // TIP-7: an Ed25519 address is 32 bytes.
      return withId("addressOutputs", hexOfLength(third ?? "", ID_LENGTH));
    }
    if (parts.length === 3 && third === "outputs") return withId("addressOutputs", bech32AddressHex(second ?? "", hrp));
  }
  return null;
}
