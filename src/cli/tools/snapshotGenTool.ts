/**
 * `weaver tool snapshot-gen --network-name <name> --mint-address <bech32|hex> [--treasury <n>] --out <file>
 * [--timestamp <unix s>]`: writes the genesis snapshot of a new network, as Hornet's `tool snap-gen` does
 * (chrysalis.md §11.4): the whole supply minus the treasury on the mint address. An existing file is never replaced.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { decodeBech32Address } from "../../crypto/bech32.js";
import { networkIdFromName } from "../../crypto/networkId.js";
import { writeGenesisSnapshot } from "../../ledger/snapshot/genesisSnapshot.js";
import { TOKEN_SUPPLY } from "../../params/protocol.js";
import { bytesToHex } from "../../primitives/hex.js";
import { runTool } from "../runTool.js";
import { ToolError } from "../toolError.js";
import { asOptionError, parseHexOption } from "./addressTool.js";

export interface SnapshotGenOptions {
  networkName: string;
  mintAddress: string;
  treasury?: string;
  out: string;
  timestamp?: string;
}

export interface SnapshotGenReport {
  file: string;
  networkName: string;
  networkId: string;
  timestamp: number;
  /** The 32-byte Ed25519 address, hex. */
  mintAddress: string;
  /** What the mint address receives: the supply minus the treasury. */
  mintAmount: number;
  supply: number;
  treasury: number;
}

/** A bech32 address (any HRP) or the 32-byte Ed25519 address in hex. */
export function parseMintAddress(text: string): Uint8Array {
  if (/^(0x)?[0-9a-f]+$/i.test(text.trim())) return parseHexOption("mint-address", text, 32);
  return asOptionError("mint-address", () => decodeBech32Address(text.trim()).address.slice(1));
}

function parseWholeNumber(option: string, text: string, max: number): number {
  const n = Number(text);
  if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(n) || n > max) {
    throw new ToolError(
      "TOOL_ERROR_INVALID_OPTION",
      `--${option} must be a whole number from 0 to ${max}, got ${text}`,
    );
  }
  return n;
}

/** Pure core of the tool (apart from writing the file): `now` in Unix seconds is the default timestamp. */
export async function generateSnapshot(opts: SnapshotGenOptions, now: number): Promise<SnapshotGenReport> {
  if (opts.networkName.length === 0) throw new ToolError("TOOL_ERROR_INVALID_OPTION", "--network-name is empty");
  const mintAddress = parseMintAddress(opts.mintAddress);
  // The mint output may not be empty: at least 1 token stays outside the treasury.
  const treasury = opts.treasury === undefined ? 0 : parseWholeNumber("treasury", opts.treasury, TOKEN_SUPPLY - 1);
  const timestamp =
    opts.timestamp === undefined ? now : parseWholeNumber("timestamp", opts.timestamp, Number.MAX_SAFE_INTEGER);
  const file = resolve(opts.out);
  if (existsSync(file)) {
    throw new ToolError("TOOL_ERROR_INVALID_OPTION", `--out ${file} already exists; it is not overwritten`);
  }
  const networkId = networkIdFromName(opts.networkName);
  await writeGenesisSnapshot(file, { networkId, mintAddress, treasury, timestamp });
  return {
    file,
    networkName: opts.networkName,
    networkId: networkId.toString(),
    timestamp,
    mintAddress: bytesToHex(mintAddress),
    mintAmount: TOKEN_SUPPLY - treasury,
    supply: TOKEN_SUPPLY,
    treasury,
  };
}

export function registerSnapshotGenTool(tool: Command): void {
  tool
    .command("snapshot-gen")
    .description("write the genesis snapshot of a new network (like Hornet's snap-gen)")
    .requiredOption("--network-name <name>", "the network name; its id goes into the header")
    .requiredOption("--mint-address <address>", "bech32 or hex Ed25519 address that receives the supply")
    .option("--treasury <n>", "tokens kept in the treasury for migration (TIP-17)", "0")
    .requiredOption("--out <file>", "the snapshot file to create (must not exist)")
    .option("--timestamp <unix s>", "header timestamp (default: now)")
    .action((opts: SnapshotGenOptions) =>
      runTool(async () => {
        const report = await generateSnapshot(opts, Math.floor(Date.now() / 1000));
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      }),
    );
}
