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
  /** A packet body (handshake, heartbeat, endpoints, …) does not decode to a valid value. */
  "GOSSIP_ERROR_PACKET_MALFORMED",
  /** The first frame on a connection was not a handshake. */
  "GOSSIP_ERROR_HANDSHAKE_EXPECTED",
  /** No handshake arrived within the handshake timeout (10 s). */
  "GOSSIP_ERROR_HANDSHAKE_TIMEOUT",
  /** The peer belongs to another network (name or id differ). */
  "GOSSIP_ERROR_HANDSHAKE_WRONG_NETWORK",
  /** Same network, different rules (min PoW score, milestone keys or genesis differ). */
  "GOSSIP_ERROR_HANDSHAKE_WRONG_RULES",
  /** The peer speaks another protocol version. */
  "GOSSIP_ERROR_HANDSHAKE_VERSION",
  /** The peer's certificate is missing, not self-signed, or not for an Ed25519 key. */
  "GOSSIP_ERROR_PEER_CERTIFICATE",
  /** The listener we dialed is not the node we expected (NodeId differs). */
  "GOSSIP_ERROR_NODE_ID_MISMATCH",
  /** The connection reached ourselves. */
  "GOSSIP_ERROR_LOOPBACK",
  /** The peer (NodeId or address) is blocked. */
  "GOSSIP_ERROR_BLOCKED",
  /** Both directions of a peer were not up within the bidirectional timeout. */
  "GOSSIP_ERROR_BIDIRECTIONAL_TIMEOUT",
  /** We already have `p2p.maxPeers` peers. */
  "GOSSIP_ERROR_MAX_PEERS",
  /** A configured or announced endpoint is not a valid `host:port` (with an optional NodeId). */
  "GOSSIP_ERROR_ENDPOINT_INVALID",
  /** The identity file cannot be read, written or parsed. */
  "GOSSIP_ERROR_IDENTITY_FILE",
  /** The TLS connection failed (refused, reset, handshake alert) or timed out before it was up. */
  "GOSSIP_ERROR_CONNECT_FAILED",
] as const;

export type GossipErrorCode = (typeof GOSSIP_ERROR_CODES)[number];

export class GossipError extends NodeError<{ code: GossipErrorCode }> {
  constructor(code: GossipErrorCode, message: string) {
    super({ code }, message);
  }
}
