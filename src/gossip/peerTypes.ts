/**
 * The small vocabulary the parts of the peer-to-peer layer share (protocol/network.md): endpoints, heartbeats, and the
 * view of connected peers that the requester, the broadcaster and the responder work against. Keeping them behind
 * these interfaces lets each part be tested with plain objects instead of sockets.
 */
import type { PacketType } from "./packets.js";

/** Where a node listens (network.md §1); a configured bootstrap peer may leave out the NodeId. */
export interface Endpoint {
  host: string;
  port: number;
  /** 64 hex digits, lower case; learned at the handshake when absent. */
  nodeIdHex?: string;
}

/** Chrysalis heartbeat (chrysalis.md §12): what a peer says about its milestones and peers. */
export interface Heartbeat {
  /** Solid (= confirmed) milestone index. */
  confirmedIndex: number;
  prunedIndex: number;
  latestIndex: number;
  connectedPeers: number;
  syncedPeers: number;
}

/**
 * How a queued frame may be treated when a peer's send queue is full (network.md §7): gossip is dropped oldest
 * first; requests and answers to requests are never dropped for gossip's sake.
 */
export type SendClass = "gossip" | "request" | "response";

/** A peer whose two one-way connections are both up: the only kind the gossip parts ever talk to. */
export interface GossipPeer {
  /** SHA-256 of the peer certificate's SubjectPublicKeyInfo, 64 hex digits. */
  readonly nodeIdHex: string;
  /** The last heartbeat it sent, null until the first arrives. */
  readonly heartbeat: Heartbeat | null;
  /** Queues one frame on the connection we dialed to it; false when the frame was not queued (full, closing). */
  send(type: PacketType, body: Uint8Array, sendClass: SendClass): boolean;
}

export interface PeerDirectory {
  /** Connected peers (both directions up). */
  connected(): readonly GossipPeer[];
  get(nodeIdHex: string): GossipPeer | undefined;
}

/** Why a peer was blocked (network.md §7: provable faults only). */
export type BlockReason =
  | "malformed-frame"
  | "invalid-message"
  | "wrong-network"
  | "wrong-rules"
  | "low-pow"
  | "unsupplied-announcement"
  | "manual";
