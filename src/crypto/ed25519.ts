/**
 * Ed25519 with the validation rules of TIP-14 (ZIP-215, chrysalis.md §3.6): non-canonical encodings of A and R are
 * accepted when they decode to curve points, S ≥ L is rejected, the equation is the cofactored one and the
 * challenge hashes the bytes as given.
 *
 * Verification runs OpenSSL (`node:crypto`, about 10× faster than noble here) first. OpenSSL is stricter than
 * ZIP-215 (canonical encodings, cofactorless equation, S < L), so whatever it accepts ZIP-215 accepts too; only
 * when it says no (or cannot even import the key) do we re-check with @noble/curves in ZIP-215 mode. The TIP-14
 * vectors 4, 5 and 9 are the cases where the two disagree.
 */
import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { ed25519 } from "@noble/curves/ed25519.js";
import { blake2b256 } from "./blake2b.js";

export const ED25519_PUBLIC_KEY_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;
/** The 32-byte private seed of RFC 8032 (what SLIP-10 derives and what iota.js calls the secret key seed). */
export const ED25519_SEED_LENGTH = 32;

/**
 * Cached OpenSSL keys per public key (base64url). Milestone keys and busy addresses repeat, and importing a key
 * costs about 5 µs (JWK; an SPKI DER import measured about 75 µs) against about 100 µs per verification. `null`
 * marks a key OpenSSL refuses to import, which goes straight to noble. Bounded so that a stream of fresh keys
 * cannot grow memory; on a hit the entry moves to the back (least recently used goes first).
 */
const KEY_CACHE_MAX = 1024;
const keyCache = new Map<string, KeyObject | null>();

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** Unpadded base64url (RFC 4648 §5), the JWK encoding of `x`. */
function base64url(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += BASE64URL[n >>> 18]! + BASE64URL[(n >>> 12) & 63]! + BASE64URL[(n >>> 6) & 63]! + BASE64URL[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += BASE64URL[n >>> 18]! + BASE64URL[(n >>> 12) & 63]!;
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += BASE64URL[n >>> 18]! + BASE64URL[(n >>> 12) & 63]! + BASE64URL[(n >>> 6) & 63]!;
  }
  return out;
}

function openSslKey(publicKey: Uint8Array): KeyObject | null {
  const x = base64url(publicKey);
  const cached = keyCache.get(x);
  if (cached !== undefined) {
    keyCache.delete(x);
    keyCache.set(x, cached);
    return cached;
  }
  let key: KeyObject | null;
  try {
    key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
  } catch {
    key = null;
  }
  if (keyCache.size >= KEY_CACHE_MAX) {
    const oldest = keyCache.keys().next();
    if (oldest.done !== true) keyCache.delete(oldest.value);
  }
  keyCache.set(x, key);
  return key;
}

/** ZIP-215 verification by noble alone (the fallback, and the oracle in tests and benchmarks). */
export function ed25519VerifyZip215(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== ED25519_PUBLIC_KEY_LENGTH || signature.length !== ED25519_SIGNATURE_LENGTH) return false;
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: true });
  } catch {
    return false;
  }
}

/**
 * TIP-14 signature check. Never throws on bytes from the network: wrong lengths or undecodable points give false.
 */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== ED25519_PUBLIC_KEY_LENGTH || signature.length !== ED25519_SIGNATURE_LENGTH) return false;
  const key = openSslKey(publicKey);
  if (key !== null) {
    try {
      if (verify(null, message, key, signature)) return true;
    } catch {
      // OpenSSL refusing an input is not a verdict under ZIP-215: fall through to noble.
    }
  }
  return ed25519VerifyZip215(publicKey, message, signature);
}

/** TIP-7 / TIP-14: an Ed25519 address is BLAKE2b-256 of the 32 public key bytes exactly as given. */
export function ed25519AddressFromPublicKey(publicKey: Uint8Array): Uint8Array {
  if (publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) {
    throw new RangeError(`Ed25519: a public key is ${ED25519_PUBLIC_KEY_LENGTH} bytes, got ${publicKey.length}`);
  }
  return blake2b256(publicKey);
}

function checkSeed(seed: Uint8Array): void {
  if (seed.length !== ED25519_SEED_LENGTH) {
    throw new RangeError(`Ed25519: a private seed is ${ED25519_SEED_LENGTH} bytes, got ${seed.length}`);
  }
}

/** Public key of a 32-byte private seed (RFC 8032 §5.1.5). */
export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  checkSeed(seed);
  return ed25519.getPublicKey(seed);
}

/** Deterministic RFC 8032 signature of `message` with a 32-byte private seed. */
export function ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  checkSeed(seed);
  return ed25519.sign(message, seed);
}
