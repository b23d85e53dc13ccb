/**
 * Frames of protocol/network.md §3: every malformed header is refused as soon as its three bytes are in (before any
 * body byte is buffered), with a typed code; well-formed frames come out whole however the stream is split.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { checkFrameHeader, encodeFrame, type Frame, FrameDecoder } from "../../../src/gossip/framing.js";
import { GossipError } from "../../../src/gossip/gossipError.js";
import { FRAME_BODY_LENGTH_MAX, PACKET_SIZES, PacketType } from "../../../src/gossip/packets.js";

const TYPES = Object.values(PacketType);

function header(type: number, length: number): Uint8Array {
  return Uint8Array.of(type, length & 0xff, length >>> 8);
}

function refusedWith(code: string): (e: unknown) => boolean {
  return (e) => e instanceof GossipError && e.code === code;
}

/** A valid body for `type` (fixed types at their size, variable ones at `length` clamped to the maximum). */
function bodyFor(type: PacketType, length: number, fill = 7): Uint8Array {
  const size = PACKET_SIZES[type];
  return new Uint8Array(size.fixed ?? Math.min(length, size.max)).fill(fill);
}

describe("frame decoder", () => {
  it("refuses unknown packet types as soon as the header is complete", () => {
    for (const type of [0, 9, 42, 255]) {
      const d = new FrameDecoder();
      assert.throws(() => d.push(header(type, 4)), refusedWith("GOSSIP_ERROR_FRAME_UNKNOWN_TYPE"));
      assert.equal(d.failed?.code, "GOSSIP_ERROR_FRAME_UNKNOWN_TYPE");
    }
  });

  it("refuses a fixed-size type with any other length, before buffering its body", () => {
    for (const type of TYPES) {
      const fixed = PACKET_SIZES[type].fixed;
      if (fixed === undefined) continue;
      for (const length of [0, fixed - 1, fixed + 1, FRAME_BODY_LENGTH_MAX]) {
        const d = new FrameDecoder();
        assert.throws(
          () => d.push(header(type, length)),
          refusedWith("GOSSIP_ERROR_FRAME_WRONG_SIZE"),
          `type ${type} length ${length}`,
        );
        assert.equal(d.bufferedBytes, 3, "only the header was held");
      }
    }
  });

  it("refuses a variable-size type above its maximum, before buffering its body", () => {
    for (const type of TYPES) {
      const { fixed, max } = PACKET_SIZES[type];
      if (fixed !== undefined || max >= FRAME_BODY_LENGTH_MAX) continue;
      const d = new FrameDecoder();
      assert.throws(() => d.push(header(type, max + 1)), refusedWith("GOSSIP_ERROR_FRAME_TOO_LONG"));
      // Exactly the maximum is fine.
      const ok = new FrameDecoder();
      assert.deepEqual(ok.push(header(type, max)), []);
      assert.equal(ok.bufferedBytes, 3);
    }
    // A message frame one byte over TIP-6's 32768.
    assert.throws(
      () => new FrameDecoder().push(header(PacketType.MESSAGE, 32769)),
      refusedWith("GOSSIP_ERROR_FRAME_TOO_LONG"),
    );
  });

  it("stays failed: later bytes are refused too, so a caller cannot resynchronise on garbage", () => {
    const d = new FrameDecoder();
    assert.throws(() => d.push(header(0, 0)));
    assert.throws(
      () => d.push(encodeFrame(PacketType.GOSSIP, new Uint8Array(32))),
      refusedWith("GOSSIP_ERROR_DECODER_FAILED"),
    );
  });

  it("a bad header after good frames in the same chunk still fails the decoder", () => {
    const d = new FrameDecoder();
    const chunk = new Uint8Array([...encodeFrame(PacketType.MESSAGE_REQUEST, new Uint8Array(32)), ...header(77, 1)]);
    assert.throws(() => d.push(chunk), refusedWith("GOSSIP_ERROR_FRAME_UNKNOWN_TYPE"));
  });

  it("decodes every packet type, including empty variable-size bodies, split at every byte", () => {
    const frames: Frame[] = TYPES.map((type, i) => ({ type, body: bodyFor(type, 3 * i, i + 1) }));
    frames.push({ type: PacketType.MESSAGE, body: new Uint8Array(0) });
    const stream = new Uint8Array(frames.flatMap((f) => [...encodeFrame(f.type, f.body)]));
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new FrameDecoder();
      const out = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
      assert.deepEqual(out, frames, `cut at ${cut}`);
      assert.equal(d.bufferedBytes, 0);
    }
  });

  it("property: any chunking of a valid frame stream gives the same frames; memory stays within one frame", () => {
    const frameArb = fc
      .constantFrom(...TYPES)
      .chain((type) =>
        fc
          .uint8Array({ minLength: 0, maxLength: Math.min(PACKET_SIZES[type].max, 300) })
          .map((b) => ({ type, body: PACKET_SIZES[type].fixed === undefined ? b : bodyFor(type, 0, b[0] ?? 1) })),
      );
    fc.assert(
      fc.property(
        fc.array(frameArb, { maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1 }),
        (frames, sizes) => {
          const stream = new Uint8Array(frames.flatMap((f) => [...encodeFrame(f.type, f.body)]));
          const d = new FrameDecoder();
          const out: Frame[] = [];
          let pos = 0;
          let i = 0;
          while (pos < stream.length) {
            const n = sizes[i++ % sizes.length]!;
            out.push(...d.push(stream.subarray(pos, pos + n)));
            pos += n;
            assert.ok(d.bufferedBytes <= 3 + 300);
          }
          assert.deepEqual(out, frames);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("returns copies: reusing the input buffer does not change delivered bodies", () => {
    const d = new FrameDecoder();
    const bytes = encodeFrame(PacketType.GOSSIP, new Uint8Array(32).fill(5));
    const [frame] = d.push(bytes);
    bytes.fill(0);
    assert.deepEqual(frame?.body, new Uint8Array(32).fill(5));
  });

  it("encodeFrame refuses what the decoder would refuse", () => {
    assert.throws(
      () => encodeFrame(PacketType.HEARTBEAT, new Uint8Array(13)),
      refusedWith("GOSSIP_ERROR_FRAME_WRONG_SIZE"),
    );
    assert.throws(
      () => encodeFrame(PacketType.HANDSHAKE, new Uint8Array(1025)),
      refusedWith("GOSSIP_ERROR_FRAME_TOO_LONG"),
    );
    assert.equal(checkFrameHeader(PacketType.HEARTBEAT, 14), PacketType.HEARTBEAT);
    assert.deepEqual([...encodeFrame(PacketType.MILESTONE_REQUEST, Uint8Array.of(1, 0, 0, 0))], [1, 4, 0, 1, 0, 0, 0]);
  });
});
