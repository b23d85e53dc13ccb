/**
 * The key of a wallet seed at one address of the IOTA BIP-44 path `m/44'/4218'/0'/0'/index'`, derived with SLIP-10
 * as iota.js 1.8.6 derives it (`Ed25519Seed.generateSeedFromPath`), so the faucet spends from the address a wallet
 * with the same seed shows. Index 0 is the faucet's own address; the spammer's value transfers use indexes 1 and 2.
 */
import { ED25519_ADDRESS_TYPE, encodeBech32Address } from "../../crypto/bech32.js";
import { ed25519AddressFromPublicKey, ed25519PublicKey, ed25519Sign } from "../../crypto/ed25519.js";
import { deriveSeedFromPath, iotaBip44Path } from "../../crypto/slip10.js";
import { bytesToHex, hexToBytes, isHex } from "../../primitives/hex.js";
import type { Ed25519Signer } from "./signedTransaction.js";

/** BIP-32: a seed is 16..64 bytes. */
export const WALLET_SEED_MIN_BYTES = 16;
export const WALLET_SEED_MAX_BYTES = 64;

export class SeedWallet implements Ed25519Signer {
  readonly publicKey: Uint8Array;
  /** BLAKE2b-256 of the public key: the Ed25519 address (TIP-7). */
  readonly address: Uint8Array;
  readonly addressHex: string;

  private constructor(private readonly privateKey: Uint8Array) {
    this.publicKey = ed25519PublicKey(privateKey);
    this.address = ed25519AddressFromPublicKey(this.publicKey);
    this.addressHex = bytesToHex(this.address);
  }

  /** The key at `m/44'/4218'/0'/0'/addressIndex'` of a 16..64-byte seed (throws CryptoError on another length). */
  static fromSeed(seed: Uint8Array, addressIndex = 0): SeedWallet {
    return new SeedWallet(deriveSeedFromPath(seed, iotaBip44Path(0, 0, addressIndex)).privateKey);
  }

  sign(message: Uint8Array): Uint8Array {
    return ed25519Sign(this.privateKey, message);
  }

  /** TIP-11 form of the address. */
  bech32(hrp: string): string {
    const serialized = new Uint8Array(1 + this.address.length);
    serialized[0] = ED25519_ADDRESS_TYPE;
    serialized.set(this.address, 1);
    return encodeBech32Address(hrp, serialized);
  }
}

function seedFromHex(text: string): Uint8Array | null {
  const clean = text.trim().replace(/^0x/i, "");
  const ok = isHex(clean) && clean.length >= 2 * WALLET_SEED_MIN_BYTES && clean.length <= 2 * WALLET_SEED_MAX_BYTES;
  return ok ? hexToBytes(clean) : null;
}

/**
 * A wallet seed from the text of a seed file: the seed in hex (a `0x` prefix is ignored), or a JSON object whose
 * `seedHex` holds it (the dev wallet `weaver dev` writes); null when it is neither.
 */
export function parseWalletSeed(text: string): Uint8Array | null {
  const trimmed = text.trim();
  if (!trimmed.startsWith("{")) return seedFromHex(trimmed);
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return null;
  }
  const seedHex = typeof parsed === "object" && parsed !== null ? (parsed as { seedHex?: unknown }).seedHex : undefined;
  return typeof seedHex === "string" ? seedFromHex(seedHex) : null;
}
