/**
 * Shared layout of the bitsliced Curl-P-81 kernels (the WASM SIMD kernel and the pure-TS fallback): which trits a
 * miner varies, how nonces map to lanes, and the WASM memory map.
 *
 * Bitslicing (PERFORMANCE.md §1): a word holds the same trit of many independent Curl states, one per lane, as two
 * bit planes. The TS kernel stores (l, h); the WASM kernel stores its input as (l, H = NOT h), i.e. 1→(0,0),
 * −1→(1,1), 0→(1,0), because inverted planes let it skip every NOT (see wasm/curlKernelWat.ts).
 */
import { CURL_STATE_TRITS } from "../crypto/curlP81.js";
import { CURL_HASH_TRITS } from "../params/protocol.js";

export { CURL_HASH_TRITS, CURL_STATE_TRITS };

/** TIP-12: 192 digest trits, then the 48 nonce trits, then 3 zero trits. */
export const DIGEST_TRITS = 192;
export const NONCE_TRITS = 48;
/** Trits of the nonce's lowest byte, which holds the lane number and so is constant per lane. */
export const LANE_BYTE_TRITS = 6;
/** Index of the first nonce trit that is the same in every lane of a batch (nonce bytes 1..7). */
export const COUNTER_TRIT_OFFSET = DIGEST_TRITS + LANE_BYTE_TRITS;

/** Nonce of lane `lane` in batch `counter`: the lowest nonce byte is the lane, the 7 bytes above it the counter. */
export function nonceOf(counter: bigint, lane: number): bigint {
  return (counter << 8n) | BigInt(lane);
}

/** Largest counter value: 7 bytes. */
export const COUNTER_MAX = (1n << 56n) - 1n;

/** WASM memory map (byte offsets). One trit of 128 lanes is 32 bytes: the l plane, then the H plane. */
export const WASM_LANES = 128;
export const WASM_TRIT_BYTES = 32;
/** i64 batch counter (read and advanced by `mine`). */
export const WASM_COUNTER = 0;
/** 256 bytes × 6 trits × (l mask, H mask) as 0x00/0xff bytes: b1t6 of each counter byte, for splatting. */
export const WASM_B1T6 = 64;
/** The initial 729-trit state (input trits then zeros); the first double round reads it directly. */
export const WASM_TEMPLATE = 4096;
export const WASM_STATE0 = WASM_TEMPLATE + CURL_STATE_TRITS * WASM_TRIT_BYTES;
export const WASM_STATE1 = WASM_STATE0 + CURL_STATE_TRITS * WASM_TRIT_BYTES;
export const WASM_PAGES = Math.ceil((WASM_STATE1 + CURL_STATE_TRITS * WASM_TRIT_BYTES) / 65536);
