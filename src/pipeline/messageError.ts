/**
 * Why the ingestion pipeline turned a message away, one stable code per cause (ARCHITECTURE.md habit 4), and what the
 * sender deserves for it (habit 5, Lodestar's GossipAction): REJECT punishes a peer (the message is provably bad),
 * IGNORE does not (the message may be fine for someone else, or the fault is ours). docs/errors.md lists the codes.
 */
import { NodeError } from "../util/nodeError.js";

export const MESSAGE_ERROR_CODES = [
  /** Empty or longer than 32768 bytes (TIP-6); checked before hashing or decoding. */
  "MESSAGE_ERROR_INVALID_LENGTH",
  /** Fails a syntactic rule of TIP-6/7/8/17; the detail names the CodecError code and where. */
  "MESSAGE_ERROR_INVALID_SYNTAX",
  /** Network ID is not ours (chrysalis.md §1.4). */
  "MESSAGE_ERROR_INVALID_NETWORK_ID",
  /** Unrequested message whose PoW score is below the minimum (TIP-12). */
  "MESSAGE_ERROR_INSUFFICIENT_POW",
  /** API submission with a parent that is neither solid nor a solid entry point (chrysalis.md §7). */
  "MESSAGE_ERROR_PARENT_NOT_SOLID",
  /** API submission with a parent below max depth (chrysalis.md §7). */
  "MESSAGE_ERROR_PARENT_BELOW_MAX_DEPTH",
  /** Stored but never became solid: evicted from the full pending set. */
  "MESSAGE_ERROR_EVICTED_CAPACITY",
  /** Stored but never became solid: evicted after waiting too long for its parents. */
  "MESSAGE_ERROR_EVICTED_AGE",
] as const;

export type MessageErrorCode = (typeof MESSAGE_ERROR_CODES)[number];

export type GossipAction = "REJECT" | "IGNORE";

/** What a peer that sent a message with this fault deserves (network.md §7 acts on REJECT). */
export const GOSSIP_ACTION: Record<MessageErrorCode, GossipAction> = {
  MESSAGE_ERROR_INVALID_LENGTH: "REJECT",
  MESSAGE_ERROR_INVALID_SYNTAX: "REJECT",
  MESSAGE_ERROR_INVALID_NETWORK_ID: "REJECT",
  MESSAGE_ERROR_INSUFFICIENT_POW: "REJECT",
  // Only API submissions are checked for these; a peer never gets them.
  MESSAGE_ERROR_PARENT_NOT_SOLID: "IGNORE",
  MESSAGE_ERROR_PARENT_BELOW_MAX_DEPTH: "IGNORE",
  // The parents may just be late or pruned here: not the sender's fault.
  MESSAGE_ERROR_EVICTED_CAPACITY: "IGNORE",
  MESSAGE_ERROR_EVICTED_AGE: "IGNORE",
};

export class MessageError extends NodeError<{ code: MessageErrorCode }> {
  constructor(code: MessageErrorCode, message: string) {
    super({ code }, message);
  }
}
