/**
 * Curl-P-81 (chrysalis.md §2.3), the ternary sponge TIP-12 uses for message PoW: a plain reference transform that
 * follows the spec text line by line (the oracle in tests) and a fast bitsliced transform for validating one
 * message at a time.
 *
 * How the fast form works. The reference round computes `new[i] = S(s[idx[i]], s[idx[i+1]])` with
 * `idx[i] = 364·i mod 729`. If the state is instead stored permuted, `A_r[j] = state_r[c_r·j]` with
 * `c_r = 364^-r mod 729`, the round becomes elementwise: `A_{r+1}[j] = S(A_r[j], A_r[j + k_r])` with
 * `k_r = 364^(r+1) mod 729`, a rotation of the whole state. After 81 rounds logical trit t sits at position
 * `364^81·t mod 729 = 244·t mod 729`, so only the hash trits we read are un-permuted.
 *
 * Each trit is two bits in two planes (PERFORMANCE.md §1): 1 → (l=0, h=1), −1 → (1, 0), 0 → (1, 1). One S-box over
 * 32 trits is five word operations. Each plane is held twice in a row (bits 729..1457 repeat bits 0..728), so the
 * rotated operand is a plain unaligned bit read with no wrap-around; after a round the copy is rebuilt from the
 * first half with shifts. About 7 µs per transform here, against about 200 µs for the reference.
 *
 * Rejected: a scalar lookup-table transform (the reference: 81 × 729 lookups); batching several messages into
 * lanes (faster per message, but validation wants the latency of one message, PERFORMANCE.md §2); fusing the
 * mirror into the round with two alternating buffers (measured about 1.5× slower: the per-word branches cost more
 * than the separate mirror pass).
 */
import { CURL_HASH_TRITS } from "../params/protocol.js";
import { B1T6_TABLE } from "../primitives/ternary.js";

export const CURL_STATE_TRITS = 729;
export const CURL_ROUNDS = 81;

/** S-box of §2.3, indexed by a + 4·b + 5; the two `2` entries are never hit by trits. */
const TRUTH_TABLE = Int8Array.of(1, 0, -1, 2, 1, -1, 0, 2, -1, 1, 0);

/**
 * Reference Curl-P-81 sponge exactly as chrysalis.md §2.3: a zero state; for each 243-trit block, replace
 * state[0..243) and run 81 rounds of table lookups; then squeeze `hashTrits` (a multiple of 243), transforming
 * before each further block. Slow; the test oracle for {@link curlP81}.
 */
export function curlP81Reference(trits: Int8Array, hashTrits: number = CURL_HASH_TRITS): Int8Array {
  checkLengths(trits.length, hashTrits);
  const state = new Int8Array(CURL_STATE_TRITS);
  const copy = new Int8Array(CURL_STATE_TRITS);
  const referenceTransform = (): void => {
    for (let round = 0; round < CURL_ROUNDS; round++) {
      copy.set(state);
      let p = 0;
      for (let i = 0; i < CURL_STATE_TRITS; i++) {
        const q = p < 365 ? p + 364 : p - 365;
        state[i] = TRUTH_TABLE[copy[p]! + 4 * copy[q]! + 5]!;
        p = q;
      }
    }
  };
  for (let off = 0; off < trits.length; off += CURL_HASH_TRITS) {
    state.set(trits.subarray(off, off + CURL_HASH_TRITS), 0);
    referenceTransform();
  }
  const out = new Int8Array(hashTrits);
  for (let off = 0; off < hashTrits; off += CURL_HASH_TRITS) {
    if (off > 0) referenceTransform();
    out.set(state.subarray(0, CURL_HASH_TRITS), off);
  }
  return out;
}

function checkLengths(inputTrits: number, hashTrits: number): void {
  if (inputTrits === 0 || inputTrits % CURL_HASH_TRITS !== 0) {
    throw new RangeError(`Curl-P-81: input of ${inputTrits} trits is not a positive multiple of ${CURL_HASH_TRITS}`);
  }
  if (!Number.isInteger(hashTrits) || hashTrits <= 0 || hashTrits % CURL_HASH_TRITS !== 0) {
    throw new RangeError(`Curl-P-81: hash length ${hashTrits} is not a positive multiple of ${CURL_HASH_TRITS}`);
  }
}

/** 729 bits take 23 words; the last one holds 25 state bits. */
const WORDS = 23;
const LAST_WORD_BITS = CURL_STATE_TRITS - 32 * (WORDS - 1);
const LAST_WORD_MASK = (1 << LAST_WORD_BITS) - 1;
/** The doubled plane: 1458 bits. */
const PLANE_WORDS = 46;

/**
 * 364 has order 243 modulo 729, so the permutation returns to the identity after three transforms. A sponge that
 * absorbs or squeezes several blocks therefore runs in three phases; `phase` = transforms done, mod 3.
 */
const PHASES = 3;
const CYCLE_ROUNDS = PHASES * CURL_ROUNDS;
/** Per global round R (mod 243), the rotation k_R = 364^(R+1) mod 729 as a word offset and a bit shift. */
const ROTATION_WORD = new Uint8Array(CYCLE_ROUNDS);
const ROTATION_SHIFT = new Uint8Array(CYCLE_ROUNDS);
/** POSITION[phase·243 + t]: where logical trit t (t < 243) sits after `phase` transforms: 364^(81·phase)·t mod 729. */
const POSITION = new Uint16Array(PHASES * CURL_HASH_TRITS);
{
  let k = 1;
  for (let r = 0; r < CYCLE_ROUNDS; r++) {
    if (r % CURL_ROUNDS === 0) {
      const phase = r / CURL_ROUNDS;
      for (let t = 0; t < CURL_HASH_TRITS; t++) POSITION[phase * CURL_HASH_TRITS + t] = (k * t) % CURL_STATE_TRITS;
    }
    k = (k * 364) % CURL_STATE_TRITS;
    ROTATION_WORD[r] = k >>> 5;
    ROTATION_SHIFT[r] = k & 31;
  }
}

/** The rotation amount of each of the 243 rounds of a cycle, exposed for tests of the derivation above. */
export function curlP81RotationAmounts(): number[] {
  return Array.from(ROTATION_WORD, (w, r) => w * 32 + ROTATION_SHIFT[r]!);
}

/** Where logical hash trit t sits after `phase` transforms, exposed for tests (phase 1: 244·t mod 729). */
export function curlP81TritPosition(phase: number, t: number): number {
  return POSITION[(phase % PHASES) * CURL_HASH_TRITS + t]!;
}

/**
 * Shared scratch planes. Every exported function below fills them, transforms and reads them back synchronously,
 * so they are not reentrant but need no locking (one JS thread per isolate).
 */
const lo = new Int32Array(PLANE_WORDS);
const hi = new Int32Array(PLANE_WORDS);

/** Rebuilds bits 729..1457 of a plane from bits 0..728 (729 = 22·32 + 25). */
function mirror(p: Int32Array): void {
  const top = (p[22]! & LAST_WORD_MASK) | (p[0]! << LAST_WORD_BITS);
  p[22] = top;
  for (let m = 0; m < 22; m++) p[23 + m] = (p[m]! >>> 7) | (p[m + 1]! << 25);
  p[45] = top >>> 7;
}

/** 81 rounds on the planes, starting at `phase`; the planes must be mirrored on entry and are on exit. */
function transform(phase: number): void {
  const l = lo;
  const h = hi;
  const first = phase * CURL_ROUNDS;
  for (let r = first; r < first + CURL_ROUNDS; r++) {
    const q = ROTATION_WORD[r]!;
    const s = ROTATION_SHIFT[r]!;
    // The high part shifts left by 32 − s in two steps: for s = 0 (k_R = 64, 160, … in phases 1 and 2) that gives
    // 0, where a single `<< 32` would be `<< 0` in JS (shift counts are taken mod 32). It measured no slower.
    const u = 31 - s;
    // In place: word w reads words w, q+w and q+w+1 (all ≥ w), so no word is read after it was overwritten.
    for (let w = 0; w < WORDS; w++) {
      const al = l[w]!;
      const ah = h[w]!;
      const bl = (l[q + w]! >>> s) | ((l[q + w + 1]! << u) << 1);
      const bh = (h[q + w]! >>> s) | ((h[q + w + 1]! << u) << 1);
      // S-box (§2.3) on 32 trits: a = al/ah, b = bl/bh; checked against the table for all 9 pairs in the tests.
      const t = (bl ^ ah) & al;
      l[w] = ~t;
      h[w] = (bh ^ al) | t;
    }
    mirror(l);
    mirror(h);
  }
}

/** Sponge absorb: logical trits 0..242 := block; the rest of the state is kept. */
function absorbBlock(trits: Int8Array, offset: number, phase: number): void {
  const base = phase * CURL_HASH_TRITS;
  for (let i = 0; i < CURL_HASH_TRITS; i++) {
    const p = POSITION[base + i]!;
    const w = p >>> 5;
    const bit = 1 << (p & 31);
    const t = trits[offset + i]!;
    lo[w] = t === 1 ? lo[w]! & ~bit : lo[w]! | bit;
    hi[w] = t === -1 ? hi[w]! & ~bit : hi[w]! | bit;
  }
  mirror(lo);
  mirror(hi);
}

/** Hash trit t after `phase` transforms: h − l is 1, −1 or 0 for the three encodings. */
function hashTrit(base: number, t: number): number {
  const p = POSITION[base + t]!;
  const w = p >>> 5;
  const b = p & 31;
  return ((hi[w]! >>> b) & 1) - ((lo[w]! >>> b) & 1);
}

/**
 * Fast Curl-P-81 sponge: absorbs `trits` (a positive multiple of 243) and squeezes `hashTrits` (default 243, one
 * block). Same results as {@link curlP81Reference}; PoW uses exactly one block in and one out.
 */
export function curlP81(trits: Int8Array, hashTrits: number = CURL_HASH_TRITS): Int8Array {
  checkLengths(trits.length, hashTrits);
  lo.fill(-1);
  hi.fill(-1);
  let phase = 0;
  for (let off = 0; off < trits.length; off += CURL_HASH_TRITS) {
    absorbBlock(trits, off, phase);
    transform(phase);
    phase = (phase + 1) % PHASES;
  }
  const out = new Int8Array(hashTrits);
  for (let off = 0; off < hashTrits; off += CURL_HASH_TRITS) {
    if (off > 0) {
      transform(phase);
      phase = (phase + 1) % PHASES;
    }
    const base = phase * CURL_HASH_TRITS;
    for (let t = 0; t < CURL_HASH_TRITS; t++) out[off + t] = hashTrit(base, t);
  }
  return out;
}

/** Per byte value, the b1t6 trits equal to +1 (PLUS) and to −1 (MINUS) as 6-bit masks. */
const B1T6_PLUS = new Uint8Array(256);
const B1T6_MINUS = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  for (let k = 0; k < 6; k++) {
    const t = B1T6_TABLE[b * 6 + k]!;
    if (t === 1) B1T6_PLUS[b]! |= 1 << k;
    else if (t === -1) B1T6_MINUS[b]! |= 1 << k;
  }
}

/** At most 40 bytes (240 trits) fit in one 243-trit block. */
export const CURL_B1T6_MAX_BYTES = Math.floor(CURL_HASH_TRITS / 6);

/**
 * TIP-12 shape: Curl-P-81 of b1t6(bytes) zero-padded to 243 trits, reduced to the number of trailing zero trits
 * of the hash (counted from trit 242 down). The trits go straight from bytes into the bit planes.
 */
export function curlP81B1t6TrailingZeros(bytes: Uint8Array): number {
  if (bytes.length > CURL_B1T6_MAX_BYTES) throw new RangeError(`Curl-P-81: at most ${CURL_B1T6_MAX_BYTES} bytes`);
  lo.fill(-1, 0, WORDS);
  hi.fill(-1, 0, WORDS);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const plus = B1T6_PLUS[b]!;
    const minus = B1T6_MINUS[b]!;
    const bit = i * 6;
    const w = bit >>> 5;
    const s = bit & 31;
    lo[w]! &= ~(plus << s);
    hi[w]! &= ~(minus << s);
    if (s > 26) {
      lo[w + 1]! &= ~(plus >>> (32 - s));
      hi[w + 1]! &= ~(minus >>> (32 - s));
    }
  }
  mirror(lo);
  mirror(hi);
  transform(0);
  let zeros = 0;
  for (let t = CURL_HASH_TRITS - 1; t >= 0 && hashTrit(CURL_HASH_TRITS, t) === 0; t--) zeros++;
  return zeros;
}
