/**
 * Failures of the peer-to-peer layer (protocol/network.md). A peer whose bytes fail with one of these is closed;
 * docs/errors.md lists the codes and test/unit/docs/errorsDoc.test.ts keeps it in step.
 */
import { NodeError } from "../util/nodeError.js";

export const GOSSIP_ERROR_CODES = [
  /** A frame header names a packet type that is not in the packet table (network.md §3). */
  "GOSSIP_ERROR_FRAME_UNKNOWN_TYPE",
  /** A frame's length is above its packet type's maximum. */
  "GOSSIP_ERROR_FRAME_TOO_LONG",
  /** A fixed-size packet type arrived with another length. */
  "GOSSIP_ERROR_FRAME_WRONG_SIZE",
  /** Bytes were pushed into a frame decoder after it had failed (the connection must be closed). */
  "GOSSIP_ERROR_DECODER_FAILED",
] as const;

export type GossipErrorCode = (typeof GOSSIP_ERROR_CODES)[number];

export class GossipError extends NodeError<{ code: GossipErrorCode }> {
  constructor(code: GossipErrorCode, message: string) {
    super({ code }, message);
  }
}
