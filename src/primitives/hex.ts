/** Lowercase hex without `0x`, the form every Chrysalis JSON and REST shape uses (chrysalis.md §0.3). */

/** Char codes of '0'..'9', 'a'..'f'. */
const HEX_CODES = Array.from("0123456789abcdef", (c) => c.charCodeAt(0));
/** Reused output buffer for ids and other short inputs; bytesToHex is synchronous and not reentrant. */
const SCRATCH = new Array<number>(128);

/** Value of a hex digit char code, or -1. */
function nibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  if (c >= 65 && c <= 70) return c - 55; // A-F
  return -1;
}

/**
 * Builds the string in one step from char codes: `+=` in a loop would leave a rope of ~32 fragments per 32-byte id
 * (about 1 KB each in V8), and these strings live long as Map keys (dedupe cache, solidifier, tip pools).
 */
export function bytesToHex(bytes: Uint8Array): string {
  const n = bytes.length * 2;
  const codes = n <= SCRATCH.length ? SCRATCH : new Array<number>(n);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    codes[2 * i] = HEX_CODES[b >> 4]!;
    codes[2 * i + 1] = HEX_CODES[b & 15]!;
  }
  // Chunks keep the argument count far below engine limits for long inputs (32 KiB messages).
  if (n <= 8192) return String.fromCharCode.apply(null, codes === SCRATCH ? codes.slice(0, n) : codes);
  let out = "";
  for (let i = 0; i < n; i += 8192) out += String.fromCharCode.apply(null, codes.slice(i, Math.min(n, i + 8192)));
  return out;
}

/** True when `s` is an even-length string of hex digits (either case); no `0x` prefix. */
export function isHex(s: string): boolean {
  if (s.length % 2 !== 0) return false;
  for (let i = 0; i < s.length; i++) if (nibble(s.charCodeAt(i)) < 0) return false;
  return true;
}

/** Parses hex (either case, no prefix). Throws RangeError on odd length or a non-hex character. */
export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0) throw new RangeError(`hex string has odd length ${hex.length}`);
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(hex.charCodeAt(2 * i));
    const lo = nibble(hex.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) throw new RangeError(`invalid hex character at position ${hi < 0 ? 2 * i : 2 * i + 1}`);
    out[i] = (hi << 4) | lo;
  }
  return out;
}
