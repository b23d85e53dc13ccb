/**
 * `weaver tool ed25519-key [--hrp <hrp>]`: a fresh Ed25519 key pair (e.g. for a coordinator or a genesis mint
 * address) with its Ed25519 and bech32 addresses. The private key is the 32-byte RFC 8032 seed.
 */
import { randomBytes } from "node:crypto";
import type { Command } from "commander";
import { BECH32_HRP_TESTNET } from "../../crypto/bech32.js";
import { ED25519_SEED_LENGTH, ed25519PublicKey } from "../../crypto/ed25519.js";
import { bytesToHex } from "../../primitives/hex.js";
import { runTool } from "../runTool.js";
import { addressFromPublicKey } from "./addressTool.js";

export interface Ed25519KeyReport {
  privateKey: string;
  publicKey: string;
  ed25519Address: string;
  bech32Address: string;
}

/** Pure core of the tool: the report of a given private seed. */
export function ed25519KeyReport(privateKey: Uint8Array, hrp: string): Ed25519KeyReport {
  const { publicKey, ed25519Address, bech32Address } = addressFromPublicKey(ed25519PublicKey(privateKey), hrp);
  return { privateKey: bytesToHex(privateKey), publicKey, ed25519Address, bech32Address };
}

export function newEd25519Key(hrp: string): Ed25519KeyReport {
  return ed25519KeyReport(new Uint8Array(randomBytes(ED25519_SEED_LENGTH)), hrp);
}

export function registerEd25519KeyTool(tool: Command): void {
  tool
    .command("ed25519-key")
    .description("generate an Ed25519 key pair and print it with its addresses")
    .option("--hrp <hrp>", "bech32 human-readable part: iota (mainnet) or atoi (test networks)", BECH32_HRP_TESTNET)
    .action((opts: { hrp: string }) =>
      runTool(() => {
        process.stdout.write(`${JSON.stringify(newEd25519Key(opts.hrp), null, 2)}\n`);
      }),
    );
}
