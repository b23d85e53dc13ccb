/**
 * One authenticated TLS connection to a peer, in one direction (protocol/network.md §2): frames out through a bounded
 * queue, frames in through the frame decoder. A node sends only on connections it dialed, so an inbound connection's
 * queue stays empty and an outbound connection's reader only ever sees the peer close it.
 *
 * Sending: frames are queued and written together once per event-loop turn (one TLS record for many small frames
 * instead of one each). While the socket is not drained, frames wait here; the queue is bounded in bytes (network.md
 * §7): gossip frames are dropped oldest first, requests and answers to requests are never dropped for gossip's sake,
 * and a peer that lets even those pile up past the hard limit is disconnected (slow, not faulty: no block).
 */
import type { TLSSocket } from "node:tls";
import { encodeFrame, type Frame, FrameDecoder } from "./framing.js";
import { GossipError } from "./gossipError.js";
import type { PacketType } from "./packets.js";
import type { SendClass } from "./peerTypes.js";
import type { AuthenticatedSocket } from "./tlsTransport.js";

export type ConnectionDirection = "outbound" | "inbound";

export interface ConnectionLimits {
  /** Queued gossip beyond this many bytes is dropped, oldest first. */
  maxQueuedBytes: number;
  /** Queued bytes of every class beyond which the peer is too slow and the connection is closed. */
  hardQueuedBytes: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  // ~13k 300-byte messages: a few seconds of heavy gossip for one peer.
  maxQueuedBytes: 4 * 1024 * 1024,
  hardQueuedBytes: 16 * 1024 * 1024,
};

export interface ConnectionHandlers {
  onFrame(connection: Connection, frame: Frame): void;
  /** Called once; `error` is null for an orderly close by either side. */
  onClose(connection: Connection, error: GossipError | null): void;
}

export interface ConnectionStats {
  framesSent: number;
  framesReceived: number;
  bytesSent: number;
  bytesReceived: number;
  gossipDropped: number;
  queuedBytes: number;
}

export class Connection {
  readonly remoteNodeIdHex: string;
  readonly remoteAddress: string;
  private readonly socket: TLSSocket;
  private readonly decoder = new FrameDecoder();
  private priority: Uint8Array[] = [];
  private gossip: Uint8Array[] = [];
  private gossipHead = 0;
  private gossipBytes = 0;
  private priorityBytes = 0;
  private flushScheduled = false;
  private handlers: ConnectionHandlers | null = null;
  private closed = false;
  private readonly counters = { framesSent: 0, framesReceived: 0, bytesSent: 0, bytesReceived: 0, gossipDropped: 0 };

  constructor(
    auth: AuthenticatedSocket,
    readonly direction: ConnectionDirection,
    private readonly limits: ConnectionLimits = DEFAULT_CONNECTION_LIMITS,
  ) {
    this.socket = auth.socket;
    this.remoteNodeIdHex = auth.remoteNodeIdHex;
    this.remoteAddress = auth.remoteAddress;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Starts reading; frames and the close are reported to `handlers` from now on. */
  attach(handlers: ConnectionHandlers): void {
    this.handlers = handlers;
    this.socket.on("data", (chunk: Buffer) => this.onData(chunk));
    this.socket.on("error", (err: Error) =>
      this.finish(new GossipError("GOSSIP_ERROR_CONNECT_FAILED", `connection error: ${err.message}`)),
    );
    this.socket.on("close", () => this.finish(null));
    this.socket.on("end", () => this.finish(null));
    this.socket.on("drain", () => this.flush());
    if (this.socket.destroyed) this.finish(null);
  }

  /** Queues one frame; false when it was not queued (closed, or gossip over the queue limit). */
  send(type: PacketType, body: Uint8Array, sendClass: SendClass): boolean {
    if (this.closed) return false;
    const frame = encodeFrame(type, body);
    if (sendClass === "gossip") {
      this.gossip.push(frame);
      this.gossipBytes += frame.length;
      this.dropGossipOverLimit();
    } else {
      this.priority.push(frame);
      this.priorityBytes += frame.length;
      if (this.priorityBytes + this.gossipBytes > this.limits.hardQueuedBytes) {
        this.close(
          new GossipError(
            "GOSSIP_ERROR_CONNECT_FAILED",
            `peer reads too slowly: more than ${this.limits.hardQueuedBytes} bytes of requests and answers queued`,
          ),
        );
        return false;
      }
    }
    this.scheduleFlush();
    return true;
  }

  /** Stops reading from the socket (backpressure while the node digests what this peer sent). */
  pause(): void {
    if (!this.closed) this.socket.pause();
  }

  resume(): void {
    if (!this.closed) this.socket.resume();
  }

  /** Closes the connection and reports `error` (null = orderly) to the handlers once. */
  close(error: GossipError | null = null): void {
    if (this.closed) return;
    this.finish(error);
  }

  stats(): ConnectionStats {
    return { ...this.counters, queuedBytes: this.gossipBytes + this.priorityBytes };
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.counters.bytesReceived += chunk.length;
    let frames: Frame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (e) {
      this.finish(
        e instanceof GossipError ? e : new GossipError("GOSSIP_ERROR_DECODER_FAILED", `frame decoder failed: ${e}`),
      );
      return;
    }
    for (const frame of frames) {
      if (this.closed) return;
      this.counters.framesReceived++;
      this.handlers?.onFrame(this, frame);
    }
  }

  private dropGossipOverLimit(): void {
    while (this.gossipBytes + this.priorityBytes > this.limits.maxQueuedBytes && this.gossipHead < this.gossip.length) {
      const dropped = this.gossip[this.gossipHead]!;
      this.gossip[this.gossipHead] = EMPTY;
      this.gossipHead++;
      this.gossipBytes -= dropped.length;
      this.counters.gossipDropped++;
    }
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** Writes everything queued as one buffer, unless the socket still holds unsent data (then 'drain' calls again). */
  private flush(): void {
    if (this.closed || this.socket.writableNeedDrain) return;
    const gossip = this.gossipHead === 0 ? this.gossip : this.gossip.slice(this.gossipHead);
    const frames = this.priority.length === 0 ? gossip : this.priority.concat(gossip);
    if (frames.length === 0) return;
    const total = this.priorityBytes + this.gossipBytes;
    this.priority = [];
    this.gossip = [];
    this.gossipHead = 0;
    this.priorityBytes = 0;
    this.gossipBytes = 0;
    this.counters.framesSent += frames.length;
    this.counters.bytesSent += total;
    this.socket.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames, total));
  }

  private finish(error: GossipError | null): void {
    if (this.closed) return;
    this.closed = true;
    this.priority = [];
    this.gossip = [];
    this.gossipHead = 0;
    this.priorityBytes = 0;
    this.gossipBytes = 0;
    // Nothing is owed to a peer we stop talking to, and a peer that never reads must not keep the socket open.
    this.socket.destroy();
    this.handlers?.onClose(this, error);
  }
}

const EMPTY = new Uint8Array(0);
