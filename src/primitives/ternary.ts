/**
 * Balanced ternary helpers: trits (-1, 0, 1), trytes (3 little-endian trits, alphabet `9A..Z`) and the
 * binary-to-ternary encoding b1t6 (TIP-5). Trits live in Int8Array, one trit per element.
 */

/** Tryte alphabet indexed by value mod 27: `9`=0, `A`..`M`=1..13, `N`..`Z`=-13..-1 (chrysalis.md §2.2). */
export const TRYTE_ALPHABET = "9ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** For a tryte value v in -13..13, its three trits, little-endian. Indexed by v + 13. */
const TRYTE_TRITS: Int8Array[] = [];
for (let v = -13; v <= 13; v++) {
  let r = v;
  const t = new Int8Array(3);
  for (let i = 0; i < 3; i++) {
    let d = ((r % 3) + 3) % 3; // 0,1,2
    if (d === 2) d = -1;
    t[i] = d;
    r = (r - d) / 3;
  }
  TRYTE_TRITS.push(t);
}

function tryteValue(ch: string): number {
  const i = TRYTE_ALPHABET.indexOf(ch);
  if (i < 0 || ch.length !== 1) throw new RangeError(`invalid tryte character ${JSON.stringify(ch)}`);
  return i > 13 ? i - 27 : i;
}

export function trytesToTrits(trytes: string): Int8Array {
  const out = new Int8Array(trytes.length * 3);
  for (let i = 0; i < trytes.length; i++) out.set(TRYTE_TRITS[tryteValue(trytes[i]!) + 13]!, i * 3);
  return out;
}

export function tritsToTrytes(trits: Int8Array): string {
  if (trits.length % 3 !== 0) throw new RangeError(`trit count ${trits.length} is not a multiple of 3`);
  let out = "";
  for (let i = 0; i < trits.length; i += 3) {
    const v = trits[i]! + 3 * trits[i + 1]! + 9 * trits[i + 2]!;
    out += TRYTE_ALPHABET[(v + 27) % 27];
  }
  return out;
}

/** Number of trits b1t6 produces per byte. */
export const B1T6_TRITS_PER_BYTE = 6;

/**
 * The six balanced trits of each signed byte value, little-endian, indexed by (byte & 0xff).
 * TIP-5: read the byte as int8 and write it as 6 balanced trits.
 */
export const B1T6_TABLE: Int8Array = (() => {
  const table = new Int8Array(256 * 6);
  for (let b = 0; b < 256; b++) {
    let v = b < 128 ? b : b - 256;
    for (let i = 0; i < 6; i++) {
      let d = ((v % 3) + 3) % 3;
      if (d === 2) d = -1;
      table[b * 6 + i] = d;
      v = (v - d) / 3;
    }
  }
  return table;
})();

/** TIP-5 b1t6 encode of `bytes` into `out` at trit offset `offset` (6 trits per byte). */
export function b1t6EncodeInto(bytes: Uint8Array, out: Int8Array, offset: number): void {
  for (let i = 0; i < bytes.length; i++) {
    const src = bytes[i]! * 6;
    const dst = offset + i * 6;
    for (let k = 0; k < 6; k++) out[dst + k] = B1T6_TABLE[src + k]!;
  }
}

export function b1t6Encode(bytes: Uint8Array): Int8Array {
  const out = new Int8Array(bytes.length * 6);
  b1t6EncodeInto(bytes, out, 0);
  return out;
}

/**
 * TIP-5 b1t6 decode. Each group of 6 trits must encode a value in -128..127; anything else (for example the
 * trytes `LI` = 255) is rejected rather than wrapped.
 */
export function b1t6Decode(trits: Int8Array): Uint8Array {
  if (trits.length % 6 !== 0) throw new RangeError(`b1t6: trit count ${trits.length} is not a multiple of 6`);
  const out = new Uint8Array(trits.length / 6);
  for (let i = 0; i < out.length; i++) {
    let v = 0;
    for (let k = 5; k >= 0; k--) {
      const t = trits[i * 6 + k]!;
      if (t < -1 || t > 1) throw new RangeError(`b1t6: invalid trit ${t}`);
      v = v * 3 + t;
    }
    if (v < -128 || v > 127) throw new RangeError(`b1t6: group ${i} encodes ${v}, outside -128..127`);
    out[i] = v & 0xff;
  }
  return out;
}
