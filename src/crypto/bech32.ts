/**
 * Human-readable addresses (TIP-11, chrysalis.md §8): original BIP-173 bech32 (checksum constant 1, not bech32m)
 * over the 33-byte serialized address `type ‖ hash`. The `bech32` package does the checksum and the 8↔5-bit
 * conversion; the syntax checks are repeated here first so that each failure gets its own error code.
 */
import { bech32 } from "bech32";
import { CryptoError, CryptoErrorCode } from "./cryptoError.js";

/** TIP-11 human-readable parts: mainnet, and every test or private network. */
export const BECH32_HRP_MAINNET = "iota";
export const BECH32_HRP_TESTNET = "atoi";
/** TIP-7 / TIP-11: the only address type of Chrysalis; its 32 bytes are BLAKE2b-256 of the public key. */
export const ED25519_ADDRESS_TYPE = 0;
export const SERIALIZED_ADDRESS_LENGTH = 33;
/** BIP-173: a bech32 string is at most 90 characters. */
const BECH32_MAX_LENGTH = 90;
/** Separator (1) plus the 6 checksum characters. */
const BECH32_OVERHEAD = 7;
const BECH32_ALPHABET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

export interface Bech32Address {
  /** The human-readable part, lower case. */
  hrp: string;
  /** The 33-byte serialized address (type byte first). */
  address: Uint8Array;
}

export interface DecodeBech32Options {
  /** When set, any other human-readable part is rejected (Hornet's REST rejects a foreign HRP). */
  expectedHrp?: string;
}

function fail(code: CryptoErrorCode, message: string): never {
  throw new CryptoError({ code }, message);
}

/** BIP-173: an HRP is 1..83 characters in ASCII 33..126; we only produce lower case. */
function checkHrp(hrp: string): void {
  if (hrp.length < 1 || hrp.length > BECH32_MAX_LENGTH - BECH32_OVERHEAD - 1) {
    fail(CryptoErrorCode.INVALID_BECH32, "bech32: human-readable part must be 1..83 characters");
  }
  for (let i = 0; i < hrp.length; i++) {
    const c = hrp.charCodeAt(i);
    if (c < 33 || c > 126 || (c >= 65 && c <= 90)) {
      fail(CryptoErrorCode.INVALID_BECH32, `bech32: invalid character in human-readable part ${JSON.stringify(hrp)}`);
    }
  }
}

function checkAddress(address: Uint8Array): void {
  if (address.length !== SERIALIZED_ADDRESS_LENGTH) {
    fail(
      CryptoErrorCode.INVALID_ADDRESS_LENGTH,
      `address must be ${SERIALIZED_ADDRESS_LENGTH} bytes (type + hash), got ${address.length}`,
    );
  }
  // TIP-11: only Ed25519 addresses (type 0) exist.
  if (address[0] !== ED25519_ADDRESS_TYPE) {
    fail(CryptoErrorCode.UNKNOWN_ADDRESS_TYPE, `unknown address type ${address[0]}`);
  }
}

/** Bech32 form of a 33-byte serialized Ed25519 address, e.g. `iota1q…` (64 characters). */
export function encodeBech32Address(hrp: string, address: Uint8Array): string {
  checkHrp(hrp);
  checkAddress(address);
  return bech32.encode(hrp, bech32.toWords(address), BECH32_MAX_LENGTH);
}

/**
 * Parses a bech32 address. Throws {@link CryptoError} with INVALID_BECH32 (length, mixed case, separator,
 * characters, padding), BECH32_CHECKSUM, BECH32_HRP_MISMATCH, INVALID_ADDRESS_LENGTH or UNKNOWN_ADDRESS_TYPE.
 * An all-upper-case string is valid (BIP-173); the result is lower case.
 */
export function decodeBech32Address(text: string, options: DecodeBech32Options = {}): Bech32Address {
  if (text.length < BECH32_OVERHEAD + 1 || text.length > BECH32_MAX_LENGTH) {
    fail(CryptoErrorCode.INVALID_BECH32, `bech32: length ${text.length} is outside 8..${BECH32_MAX_LENGTH}`);
  }
  const lower = text.toLowerCase();
  // BIP-173: mixed case is invalid.
  if (text !== lower && text !== text.toUpperCase()) fail(CryptoErrorCode.INVALID_BECH32, "bech32: mixed case");
  const separator = lower.lastIndexOf("1");
  if (separator < 1) fail(CryptoErrorCode.INVALID_BECH32, "bech32: missing separator or human-readable part");
  if (lower.length - separator - 1 < 6) fail(CryptoErrorCode.INVALID_BECH32, "bech32: data part too short");
  const hrp = lower.slice(0, separator);
  checkHrp(hrp);
  for (let i = separator + 1; i < lower.length; i++) {
    if (!BECH32_ALPHABET.includes(lower[i]!)) {
      fail(CryptoErrorCode.INVALID_BECH32, `bech32: invalid data character ${JSON.stringify(text[i])}`);
    }
  }
  // Every syntax rule holds at this point, so the library can only refuse the checksum.
  const decoded = bech32.decodeUnsafe(lower, BECH32_MAX_LENGTH);
  if (decoded === undefined) fail(CryptoErrorCode.BECH32_CHECKSUM, "bech32: invalid checksum");
  if (options.expectedHrp !== undefined && hrp !== options.expectedHrp) {
    fail(CryptoErrorCode.BECH32_HRP_MISMATCH, `bech32: expected HRP ${options.expectedHrp}, got ${hrp}`);
  }
  // TIP-11: converting back to bytes rejects non-zero padding and a leftover group of 5 or more bits.
  const bytes = bech32.fromWordsUnsafe(decoded.words);
  if (bytes === undefined) fail(CryptoErrorCode.INVALID_BECH32, "bech32: invalid padding");
  const address = Uint8Array.from(bytes);
  checkAddress(address);
  return { hrp, address };
}
