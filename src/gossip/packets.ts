/**
 * The packet table of protocol/network.md §3: every frame is `type u8 · length u16 LE · body[length]`, and each type
 * has either a fixed body size or a maximum. The table is what the frame decoder checks a header against before it
 * buffers a single body byte, so a peer cannot make us hold more than one bounded frame.
 */
import { ID_LENGTH, MESSAGE_LENGTH_MAX } from "../params/protocol.js";

export const PacketType = {
  /** u32 milestone index; 0 asks for the latest (Chrysalis). */
  MILESTONE_REQUEST: 1,
  /** Raw message bytes (Chrysalis, TIP-6: at most 32768). */
  MESSAGE: 2,
  /** A 32-byte message id (Chrysalis). */
  MESSAGE_REQUEST: 3,
  /** u32 confirmed index · u32 pruned index · u32 latest index · u8 connected peers · u8 synced peers (Chrysalis). */
  HEARTBEAT: 4,
  /** The first frame on every connection (network.md §2). */
  HANDSHAKE: 5,
  /** A 32-byte message id: "I have this". */
  GOSSIP: 6,
  /** A 32-byte message id · u8 alreadyHeld. */
  GOSSIP_RESPONSE: 7,
  /** Known endpoints for discovery. */
  ENDPOINTS: 8,
} as const;

export type PacketType = (typeof PacketType)[keyof typeof PacketType];

/** Bytes of a frame header: type u8 · length u16 LE. */
export const FRAME_HEADER_LENGTH = 3;
/** The u16 length field bounds every body. */
export const FRAME_BODY_LENGTH_MAX = 0xffff;

export const HEARTBEAT_LENGTH = 4 + 4 + 4 + 1 + 1;
/**
 * Handshake bodies carry a network name, ids, a version, an endpoint and a rules hash: a few hundred bytes. 1 KiB
 * leaves room and keeps an unauthenticated peer's first frame small.
 */
export const HANDSHAKE_LENGTH_MAX = 1024;

export interface PacketSize {
  /** Exact body length for fixed-size types. */
  fixed?: number;
  /** Largest body length for variable-size types. */
  max: number;
}

export const PACKET_SIZES: Readonly<Record<PacketType, PacketSize>> = {
  [PacketType.MILESTONE_REQUEST]: { fixed: 4, max: 4 },
  [PacketType.MESSAGE]: { max: MESSAGE_LENGTH_MAX },
  [PacketType.MESSAGE_REQUEST]: { fixed: ID_LENGTH, max: ID_LENGTH },
  [PacketType.HEARTBEAT]: { fixed: HEARTBEAT_LENGTH, max: HEARTBEAT_LENGTH },
  [PacketType.HANDSHAKE]: { max: HANDSHAKE_LENGTH_MAX },
  [PacketType.GOSSIP]: { fixed: ID_LENGTH, max: ID_LENGTH },
  [PacketType.GOSSIP_RESPONSE]: { fixed: ID_LENGTH + 1, max: ID_LENGTH + 1 },
  // Bounded by the u16 length field itself; the endpoint decoder bounds the count and each entry.
  [PacketType.ENDPOINTS]: { max: FRAME_BODY_LENGTH_MAX },
};

export function isPacketType(n: number): n is PacketType {
  return Object.hasOwn(PACKET_SIZES, n);
}

export const PACKET_NAMES: Readonly<Record<PacketType, string>> = {
  [PacketType.MILESTONE_REQUEST]: "MilestoneRequest",
  [PacketType.MESSAGE]: "Message",
  [PacketType.MESSAGE_REQUEST]: "MessageRequest",
  [PacketType.HEARTBEAT]: "Heartbeat",
  [PacketType.HANDSHAKE]: "Handshake",
  [PacketType.GOSSIP]: "Gossip",
  [PacketType.GOSSIP_RESPONSE]: "GossipResponse",
  [PacketType.ENDPOINTS]: "Endpoints",
};
