/**
 * Bounds what one client can make the broker buffer. Every MQTT packet announces its length in its fixed header (up to
 * 268,435,455 bytes, MQTT 3.1.1 §2.2.3), and the parser (mqtt-packet, under aedes) keeps the bytes until the whole
 * packet is there, with no limit of its own. The guard reads the fixed headers as the bytes go by and reports the
 * first packet whose announced length is over the limit, or whose length field is malformed, so that the connection
 * can be closed before the body arrives.
 */

/** MQTT 3.1.1 §2.2.3: the remaining length takes at most 4 bytes of 7 bits each. */
const MAX_LENGTH_BYTES = 4;

/** Where in a packet the next byte falls. */
enum Part {
  /** The first byte of the fixed header (type and flags). */
  TYPE,
  /** The variable-length "remaining length". */
  LENGTH,
  /** Variable header and payload: skipped. */
  BODY,
}

export class PacketSizeGuard {
  private part = Part.TYPE;
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private remaining = 0;
  private failed = false;

  /** `maxRemainingLength`: the largest variable header plus payload a packet may announce. */
  constructor(private readonly maxRemainingLength: number) {}

  /** Reads the next bytes of the stream; false from the first packet that is too long or malformed on. */
  push(chunk: Uint8Array): boolean {
    if (this.failed) return false;
    let i = 0;
    while (i < chunk.length) {
      if (this.part === Part.BODY) {
        const n = Math.min(this.remaining, chunk.length - i);
        i += n;
        this.remaining -= n;
        if (this.remaining === 0) this.part = Part.TYPE;
        continue;
      }
      const byte = chunk[i++]!;
      if (this.part === Part.TYPE) {
        this.part = Part.LENGTH;
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
        continue;
      }
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes++;
      if (this.length > this.maxRemainingLength || (byte & 0x80 && this.lengthBytes === MAX_LENGTH_BYTES)) {
        this.failed = true;
        return false;
      }
      if (byte & 0x80) continue;
      this.remaining = this.length;
      this.part = this.remaining === 0 ? Part.TYPE : Part.BODY;
    }
    return true;
  }
}
