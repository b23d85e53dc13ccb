/**
 * Frames on a peer connection (protocol/network.md §3): `type u8 · length u16 LE · body[length]`. The decoder
 * checks each header against the packet table as soon as its three bytes are in, before it buffers any body byte,
 * and fails for good on an unknown type or a bad length (the caller closes the connection). It holds at most one
 * frame's body (≤ 65535 bytes) at a time, however the bytes are split into chunks.
 */
import { GossipError } from "./gossipError.js";
import { FRAME_HEADER_LENGTH, isPacketType, PACKET_NAMES, PACKET_SIZES, type PacketType } from "./packets.js";

export interface Frame {
  type: PacketType;
  body: Uint8Array;
}

/** Checks a header against the packet table; throws GossipError for an unknown type or a bad length. */
export function checkFrameHeader(type: number, length: number): PacketType {
  if (!isPacketType(type)) {
    throw new GossipError("GOSSIP_ERROR_FRAME_UNKNOWN_TYPE", `frame type ${type} is not a known packet type`);
  }
  const size = PACKET_SIZES[type];
  if (size.fixed !== undefined && length !== size.fixed) {
    throw new GossipError(
      "GOSSIP_ERROR_FRAME_WRONG_SIZE",
      `a ${PACKET_NAMES[type]} frame is ${size.fixed} bytes, this one says ${length}`,
    );
  }
  if (length > size.max) {
    throw new GossipError(
      "GOSSIP_ERROR_FRAME_TOO_LONG",
      `a ${PACKET_NAMES[type]} frame is at most ${size.max} bytes, this one says ${length}`,
    );
  }
  return type;
}

/** One frame's bytes; checks the same limits the decoder enforces. */
export function encodeFrame(type: PacketType, body: Uint8Array): Uint8Array {
  checkFrameHeader(type, body.length);
  const out = new Uint8Array(FRAME_HEADER_LENGTH + body.length);
  out[0] = type;
  out[1] = body.length & 0xff;
  out[2] = body.length >>> 8;
  out.set(body, FRAME_HEADER_LENGTH);
  return out;
}

export class FrameDecoder {
  private readonly header = new Uint8Array(FRAME_HEADER_LENGTH);
  private headerFill = 0;
  private type: PacketType | null = null;
  private body: Uint8Array | null = null;
  private bodyFill = 0;
  private failure: GossipError | null = null;

  /** The error that stopped this decoder, if any. */
  get failed(): GossipError | null {
    return this.failure;
  }

  /**
   * Consumes `chunk` and returns the frames it completed, in order. Bodies are fresh copies (the caller may reuse
   * `chunk`). Throws on the first bad header; frames completed earlier in the same chunk are lost with it, which
   * does not matter since the connection is closed.
   */
  push(chunk: Uint8Array): Frame[] {
    if (this.failure !== null) {
      throw new GossipError("GOSSIP_ERROR_DECODER_FAILED", `the decoder stopped earlier: ${this.failure.message}`);
    }
    const frames: Frame[] = [];
    let pos = 0;
    while (pos < chunk.length) {
      if (this.type === null) {
        const take = Math.min(FRAME_HEADER_LENGTH - this.headerFill, chunk.length - pos);
        this.header.set(chunk.subarray(pos, pos + take), this.headerFill);
        this.headerFill += take;
        pos += take;
        if (this.headerFill < FRAME_HEADER_LENGTH) break;
        const length = this.header[1]! | (this.header[2]! << 8);
        try {
          this.type = checkFrameHeader(this.header[0]!, length);
        } catch (e) {
          this.failure = e as GossipError;
          throw e;
        }
        this.body = new Uint8Array(length);
        this.bodyFill = 0;
      }
      const body = this.body!;
      const take = Math.min(body.length - this.bodyFill, chunk.length - pos);
      body.set(chunk.subarray(pos, pos + take), this.bodyFill);
      this.bodyFill += take;
      pos += take;
      if (this.bodyFill === body.length) {
        frames.push({ type: this.type, body });
        this.type = null;
        this.body = null;
        this.headerFill = 0;
      }
    }
    return frames;
  }

  /** Bytes held for an incomplete frame (header and body so far): never more than one frame. */
  get bufferedBytes(): number {
    return this.headerFill + (this.body === null ? 0 : this.bodyFill);
  }
}
