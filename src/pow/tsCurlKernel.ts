/**
 * Pure-TypeScript bitsliced Curl-P-81 with 32 lanes (one Int32Array word per trit and plane), for runtimes without
 * WebAssembly SIMD. Same technique as the WASM kernel (wasm/curlKernelWat.ts): two rounds per pass with
 * u_j = 547·j mod 729, X_j = S(A[u_j], A[u_{j−2}]), out[j] = S(X_j, X_{j+1}). Planes are plain (l, h):
 * 1 → (0, 1), −1 → (1, 0), 0 → (1, 1); in JS `~` is one instruction, so the WASM kernel's inverted polarities
 * would not save anything here.
 */
import { B1T6_TABLE } from "../primitives/ternary.js";
import type { CurlKernel, MineChunkResult } from "./curlKernel.js";
import {
  COUNTER_TRIT_OFFSET,
  CURL_HASH_TRITS,
  CURL_STATE_TRITS,
  DIGEST_TRITS,
  LANE_BYTE_TRITS,
  NONCE_TRITS,
  nonceOf,
} from "./curlLayout.js";

export const TS_LANES = 32;
const PASSES = 40;
const WORDS = 2 * CURL_STATE_TRITS;

/** U2[j] = 2·(547·j mod 729): word offset of the l plane of A[u_j]. */
const U2 = new Int32Array(CURL_STATE_TRITS);
for (let j = 0; j < CURL_STATE_TRITS; j++) U2[j] = 2 * ((547 * j) % CURL_STATE_TRITS);

/** Two Curl rounds from `src` to `dst` (natural trit order, l at 2i, h at 2i + 1). */
function doubleRound(src: Int32Array, dst: Int32Array): void {
  // A[u_{j−2}] and A[u_{j−1}] for j = 0: A[u_727] and A[u_728].
  let bl = src[U2[727]!]!;
  let bh = src[U2[727]! + 1]!;
  let cl = src[U2[728]!]!;
  let ch = src[U2[728]! + 1]!;
  // X_0 = S(A[0], A[u_727]).
  let al = src[0]!;
  let ah = src[1]!;
  let t = (bl ^ ah) & al;
  const x0l = ~t;
  const x0h = (bh ^ al) | t;
  let pl = x0l;
  let ph = x0h;
  bl = cl;
  bh = ch;
  cl = al;
  ch = ah;
  for (let j = 1, o = 0; j < CURL_STATE_TRITS; j++, o += 2) {
    const k = U2[j]!;
    al = src[k]!;
    ah = src[k + 1]!;
    t = (bl ^ ah) & al;
    const xl = ~t;
    const xh = (bh ^ al) | t;
    bl = cl;
    bh = ch;
    cl = al;
    ch = ah;
    t = (xl ^ ph) & pl;
    dst[o] = ~t;
    dst[o + 1] = (xh ^ pl) | t;
    pl = xl;
    ph = xh;
  }
  t = (x0l ^ ph) & pl;
  dst[WORDS - 2] = ~t;
  dst[WORDS - 1] = (x0h ^ pl) | t;
}

export class TsCurlKernel implements CurlKernel {
  readonly kind = "ts";
  readonly lanes = TS_LANES;
  /** Input state; the first double round reads it directly, so mining rewrites only the counter trits. */
  private readonly template = new Int32Array(WORDS).fill(-1);
  private readonly s0 = new Int32Array(WORDS);
  private readonly s1 = new Int32Array(WORDS);
  private readonly out = new Int32Array(WORDS);

  clearInputs(): void {
    this.template.fill(-1);
  }

  setInput(lane: number, trits: Int8Array): void {
    const bit = 1 << lane;
    const tpl = this.template;
    const n = Math.min(trits.length, CURL_STATE_TRITS);
    for (let i = 0; i < n; i++) {
      const v = trits[i]!;
      tpl[2 * i] = v !== 1 ? tpl[2 * i]! | bit : tpl[2 * i]! & ~bit;
      tpl[2 * i + 1] = v !== -1 ? tpl[2 * i + 1]! | bit : tpl[2 * i + 1]! & ~bit;
    }
  }

  /** 40 double rounds; the result lands in s1. */
  private passes(): void {
    doubleRound(this.template, this.s0);
    for (let p = 1; p < PASSES; p++) {
      if (p % 2 === 1) doubleRound(this.s0, this.s1);
      else doubleRound(this.s1, this.s0);
    }
  }

  transform(): void {
    this.passes();
    const s = this.s1;
    const out = this.out;
    for (let i = 0; i < CURL_STATE_TRITS; i++) {
      const a = 2 * ((364 * i) % CURL_STATE_TRITS);
      const b = 2 * ((364 * (i + 1)) % CURL_STATE_TRITS);
      const t = (s[b]! ^ s[a + 1]!) & s[a]!;
      out[2 * i] = ~t;
      out[2 * i + 1] = (s[b + 1]! ^ s[a]!) | t;
    }
  }

  outputTrit(lane: number, index: number): number {
    const l = (this.out[2 * index]! >>> lane) & 1;
    const h = (this.out[2 * index + 1]! >>> lane) & 1;
    return h - l;
  }

  trailingZeros(lane: number): number {
    let z = 0;
    for (let i = CURL_HASH_TRITS - 1; i >= 0 && ((this.out[2 * i]! & this.out[2 * i + 1]!) >>> lane) & 1; i--) z++;
    return z;
  }

  setMiningDigest(digest: Uint8Array): void {
    const trits = new Int8Array(CURL_HASH_TRITS);
    for (let b = 0; b < digest.length; b++) trits.set(B1T6_TABLE.subarray(digest[b]! * 6, digest[b]! * 6 + 6), b * 6);
    this.clearInputs();
    // The lowest nonce byte is the lane number (nonceOf); the counter trits are written per batch by `mine`.
    for (let lane = 0; lane < TS_LANES; lane++) {
      trits.set(B1T6_TABLE.subarray(lane * 6, lane * 6 + 6), DIGEST_TRITS);
      this.setInput(lane, trits.subarray(0, DIGEST_TRITS + LANE_BYTE_TRITS));
    }
  }

  mine(counter: bigint, batches: number, zeros: number): MineChunkResult {
    const tpl = this.template;
    const s = this.s1;
    for (let n = 0; n < batches; n++) {
      const c = counter + BigInt(n);
      const lo = Number(c & 0xffffffffn);
      const hi = Number(c >> 32n);
      for (let byte = 0; byte < (NONCE_TRITS - LANE_BYTE_TRITS) / 6; byte++) {
        const v = byte < 4 ? (lo >>> (8 * byte)) & 0xff : (hi >>> (8 * (byte - 4))) & 0xff;
        for (let t = 0; t < 6; t++) {
          const trit = B1T6_TABLE[v * 6 + t]!;
          const w = 2 * (COUNTER_TRIT_OFFSET + 6 * byte + t);
          tpl[w] = trit !== 1 ? -1 : 0;
          tpl[w + 1] = trit !== -1 ? -1 : 0;
        }
      }
      this.passes();
      // TIP-12: trailing zeros from trit 242 down; only these trits of the last round are computed.
      let acc = -1;
      let a = (364 * (CURL_HASH_TRITS - 1)) % CURL_STATE_TRITS;
      let b = (364 * CURL_HASH_TRITS) % CURL_STATE_TRITS;
      for (let k = 0; k < zeros && acc !== 0; k++) {
        const t = (s[2 * b]! ^ s[2 * a + 1]!) & s[2 * a]!;
        acc &= ~t & ((s[2 * b + 1]! ^ s[2 * a]!) | t);
        b = a;
        a = a >= 364 ? a - 364 : a + 365;
      }
      if (acc !== 0) return { nonce: nonceOf(c, 31 - Math.clz32(acc & -acc)), batches: n + 1 };
    }
    return { nonce: null, batches };
  }
}
