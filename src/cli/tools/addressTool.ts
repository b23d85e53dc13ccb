/**
 * `weaver tool address --public-key <hex> | --seed <hex> [--path <bip32>] [--hrp <hrp>]`: the Ed25519 address
 * (TIP-7: BLAKE2b-256 of the public key) and its bech32 form (TIP-11) of a public key, or of the key a wallet seed
 * derives with SLIP-10 at a BIP-44 path, the way iota.js `Ed25519Seed.generateSeedFromPath` does.
 */
import type { Command } from "commander";
import { BECH32_HRP_TESTNET, ED25519_ADDRESS_TYPE, encodeBech32Address } from "../../crypto/bech32.js";
import { CryptoError } from "../../crypto/cryptoError.js";
import { ED25519_PUBLIC_KEY_LENGTH, ed25519AddressFromPublicKey, ed25519PublicKey } from "../../crypto/ed25519.js";
import { deriveSeedFromPath, iotaBip44Path } from "../../crypto/slip10.js";
import { bytesToHex, hexToBytes, isHex } from "../../primitives/hex.js";
import { runTool } from "../runTool.js";
import { ToolError } from "../toolError.js";

/** The first address of the first account, where iota.js wallets start. */
export const DEFAULT_ADDRESS_PATH = iotaBip44Path(0, 0, 0);
/** BIP-32: a seed is 16..64 bytes. */
const SEED_MIN_BYTES = 16;
const SEED_MAX_BYTES = 64;

export interface AddressReport {
  publicKey: string;
  ed25519Address: string;
  bech32Address: string;
  path?: string;
}

export interface AddressToolOptions {
  publicKey?: string;
  seed?: string;
  path?: string;
  hrp: string;
}

/** Hex as the user gives it (a `0x` prefix is ignored) of `min..max` bytes; INVALID_OPTION naming the option. */
export function parseHexOption(option: string, text: string, min: number, max = min): Uint8Array {
  const clean = text.trim().replace(/^0x/i, "");
  const size = min === max ? `${min} bytes` : `${min}..${max} bytes`;
  if (!isHex(clean) || clean.length < 2 * min || clean.length > 2 * max) {
    throw new ToolError("TOOL_ERROR_INVALID_OPTION", `--${option} must be ${size} of hex, got ${JSON.stringify(text)}`);
  }
  return hexToBytes(clean);
}

/** A crypto-layer refusal of what the user typed (HRP, path, seed) is a bad option of the tool. */
export function asOptionError<T>(option: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof CryptoError) throw new ToolError("TOOL_ERROR_INVALID_OPTION", `--${option}: ${e.message}`);
    throw e;
  }
}

/** TIP-11 bech32 form of a 32-byte Ed25519 address. */
export function bech32Ed25519Address(hrp: string, ed25519Address: Uint8Array): string {
  const serialized = new Uint8Array(1 + ed25519Address.length);
  serialized[0] = ED25519_ADDRESS_TYPE;
  serialized.set(ed25519Address, 1);
  return asOptionError("hrp", () => encodeBech32Address(hrp, serialized));
}

export function addressFromPublicKey(publicKey: Uint8Array, hrp: string): AddressReport {
  const address = ed25519AddressFromPublicKey(publicKey);
  return {
    publicKey: bytesToHex(publicKey),
    ed25519Address: bytesToHex(address),
    bech32Address: bech32Ed25519Address(hrp, address),
  };
}

/** SLIP-10 derivation of `path` from a wallet seed, then the address of the derived key. */
export function addressFromSeed(seed: Uint8Array, path: string, hrp: string): AddressReport {
  const key = asOptionError("path", () => deriveSeedFromPath(seed, path));
  return { ...addressFromPublicKey(ed25519PublicKey(key.privateKey), hrp), path };
}

/** Pure core of the tool: the options as typed, the report out. */
export function describeAddress(opts: AddressToolOptions): AddressReport {
  if ((opts.publicKey === undefined) === (opts.seed === undefined)) {
    throw new ToolError("TOOL_ERROR_INVALID_OPTION", "give exactly one of --public-key and --seed");
  }
  if (opts.publicKey !== undefined) {
    if (opts.path !== undefined) {
      throw new ToolError("TOOL_ERROR_INVALID_OPTION", "--path applies to --seed only, not to --public-key");
    }
    return addressFromPublicKey(parseHexOption("public-key", opts.publicKey, ED25519_PUBLIC_KEY_LENGTH), opts.hrp);
  }
  const seed = parseHexOption("seed", opts.seed ?? "", SEED_MIN_BYTES, SEED_MAX_BYTES);
  return addressFromSeed(seed, opts.path ?? DEFAULT_ADDRESS_PATH, opts.hrp);
}

export function registerAddressTool(tool: Command): void {
  tool
    .command("address")
    .description("the Ed25519 and bech32 address of a public key, or of a seed at a BIP-44 path")
    .option("--public-key <hex>", "a 32-byte Ed25519 public key")
    .option("--seed <hex>", `a wallet seed (${SEED_MIN_BYTES}..${SEED_MAX_BYTES} bytes), derived with SLIP-10`)
    .option("--path <bip32>", `derivation path for --seed (default ${DEFAULT_ADDRESS_PATH})`)
    .option("--hrp <hrp>", "bech32 human-readable part: iota (mainnet) or atoi (test networks)", BECH32_HRP_TESTNET)
    .action((opts: AddressToolOptions) =>
      runTool(() => {
        process.stdout.write(`${JSON.stringify(describeAddress(opts), null, 2)}\n`);
      }),
    );
}
