/**
 * SLIP-10 key derivation for Ed25519 (https://github.com/satoshilabs/slips/blob/master/slip-0010.md), as IOTA
 * wallets use it on the BIP-44 path `m/44'/4218'/account'/change'/index'`. Ed25519 has only hardened children.
 *
 *   master:  I = HMAC-SHA512(key = "ed25519 seed", seed);               key = I[0..32), chainCode = I[32..64)
 *   child i: I = HMAC-SHA512(key = chainCode, 0x00 ‖ key ‖ ser32(i))   with i ≥ 2^31
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { utf8ToBytes } from "../primitives/bytes.js";
import { CryptoError, CryptoErrorCode } from "./cryptoError.js";

export const HARDENED_OFFSET = 0x80000000;
/** The IOTA coin type of BIP-44 (SLIP-44). */
export const IOTA_COIN_TYPE = 4218;
/** BIP-32: a seed is 128..512 bits. */
const SEED_MIN_LENGTH = 16;
const SEED_MAX_LENGTH = 64;
const MASTER_KEY = utf8ToBytes("ed25519 seed");

export interface Slip10Key {
  /** The 32-byte Ed25519 private seed. */
  privateKey: Uint8Array;
  chainCode: Uint8Array;
}

/** The BIP-44 path of an IOTA address: `m/44'/4218'/account'/change'/index'`. */
export function iotaBip44Path(account: number, change: number, index: number): string {
  return `m/44'/${IOTA_COIN_TYPE}'/${account}'/${change}'/${index}'`;
}

/**
 * Parses `m/a'/b'/…` into child indices (hardened offset included). Only `'` marks a hardened step; a step
 * without it throws NON_HARDENED_DERIVATION, anything else malformed INVALID_DERIVATION_PATH.
 */
export function parseDerivationPath(path: string): number[] {
  const parts = path.split("/");
  if (parts[0] !== "m") {
    throw new CryptoError({ code: CryptoErrorCode.INVALID_DERIVATION_PATH }, `path ${path} must start with "m"`);
  }
  const indices: number[] = [];
  for (const part of parts.slice(1)) {
    const match = /^(0|[1-9][0-9]{0,9})('?)$/.exec(part);
    const value = match === null ? Number.NaN : Number(match[1]);
    if (match === null || value >= HARDENED_OFFSET) {
      throw new CryptoError(
        { code: CryptoErrorCode.INVALID_DERIVATION_PATH },
        `path ${path}: step ${JSON.stringify(part)} is not an index below 2^31`,
      );
    }
    if (match[2] !== "'") {
      throw new CryptoError(
        { code: CryptoErrorCode.NON_HARDENED_DERIVATION },
        `path ${path}: step ${part} is not hardened; SLIP-10 Ed25519 derives hardened keys only`,
      );
    }
    indices.push(value + HARDENED_OFFSET);
  }
  return indices;
}

function split(i: Uint8Array): Slip10Key {
  return { privateKey: i.slice(0, 32), chainCode: i.slice(32, 64) };
}

/** SLIP-10 master key of a seed (16..64 bytes). */
export function slip10MasterKey(seed: Uint8Array): Slip10Key {
  if (seed.length < SEED_MIN_LENGTH || seed.length > SEED_MAX_LENGTH) {
    throw new CryptoError(
      { code: CryptoErrorCode.INVALID_SEED },
      `seed must be ${SEED_MIN_LENGTH}..${SEED_MAX_LENGTH} bytes, got ${seed.length}`,
    );
  }
  return split(hmac(sha512, MASTER_KEY, seed));
}

/** SLIP-10 hardened child `index` (hardened offset included) of a parent key. */
export function slip10Child(parent: Slip10Key, index: number): Slip10Key {
  if (!Number.isInteger(index) || index < HARDENED_OFFSET || index > 0xffffffff) {
    throw new CryptoError(
      { code: CryptoErrorCode.NON_HARDENED_DERIVATION },
      `child index ${index} is not hardened; SLIP-10 Ed25519 derives hardened keys only`,
    );
  }
  const data = new Uint8Array(37);
  data.set(parent.privateKey, 1);
  new DataView(data.buffer).setUint32(33, index, false);
  return split(hmac(sha512, parent.chainCode, data));
}

/** Derives the key at `path` (e.g. `m/44'/4218'/0'/0'/0'`) from a seed. */
export function deriveSeedFromPath(seed: Uint8Array, path: string): Slip10Key {
  let key = slip10MasterKey(seed);
  for (const index of parseDerivationPath(path)) key = slip10Child(key, index);
  return key;
}
