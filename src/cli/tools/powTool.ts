/**
 * `weaver tool pow --score <n> [--size <bytes>] [--threads <n>] [--json]`: mines a random indexation message of the
 * given size at the target PoW score (TIP-12) on the worker pool and reports the work done. The achieved score is
 * recomputed from the finished bytes with the validation path, independently of the miner.
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { encodeMessage } from "../../codec/message.js";
import type { Message } from "../../codec/types.js";
import { networkIdFromName } from "../../crypto/networkId.js";
import { powScore } from "../../crypto/powScore.js";
import { MESSAGE_LENGTH_MAX } from "../../params/protocol.js";
import { PowPool } from "../../pow/powPool.js";
import { utf8ToBytes } from "../../primitives/bytes.js";
import { bytesToHex } from "../../primitives/hex.js";
import { runTool } from "../runTool.js";
import { ToolError } from "../toolError.js";

/** network id (8) + parents count (1) + one parent (32) + payload length (4) + nonce (8). */
const MESSAGE_FRAME = 53;
/** Indexation payload without index and data: u32 type, u16 index length, u32 data length. */
const INDEXATION_FRAME = 10;
const MIN_SIZE = MESSAGE_FRAME + INDEXATION_FRAME + 1;
const INDEX = utf8ToBytes("weaver.pow");

/** A random indexation message of exactly `size` bytes with one random parent and nonce 0. */
export function randomIndexationMessage(size: number, networkId: bigint): Uint8Array {
  const indexLength = Math.min(INDEX.length, size - MESSAGE_FRAME - INDEXATION_FRAME);
  const message: Message = {
    networkId,
    parents: [new Uint8Array(randomBytes(32))],
    payload: {
      type: 2,
      index: INDEX.subarray(0, indexLength),
      data: new Uint8Array(randomBytes(size - MESSAGE_FRAME - INDEXATION_FRAME - indexLength)),
    },
    nonce: 0n,
  };
  return encodeMessage(message);
}

function parseIntegerOption(name: string, text: string, min: number, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new ToolError(
      "TOOL_ERROR_INVALID_OPTION",
      `--${name} must be a whole number from ${min} to ${max}, got ${text}`,
    );
  }
  return n;
}

interface PowToolOptions {
  score: string;
  size: string;
  threads?: string;
  network: string;
  json?: boolean;
  out?: string;
}

async function runPowTool(opts: PowToolOptions): Promise<void> {
  const score = Number(opts.score);
  if (!Number.isFinite(score) || score <= 0) {
    throw new ToolError("TOOL_ERROR_INVALID_OPTION", `--score must be a positive number, got ${opts.score}`);
  }
  const size = parseIntegerOption("size", opts.size, MIN_SIZE, MESSAGE_LENGTH_MAX);
  const threads = opts.threads === undefined ? undefined : parseIntegerOption("threads", opts.threads, 1, 256);
  const message = randomIndexationMessage(size, networkIdFromName(opts.network));

  const pool = new PowPool(threads === undefined ? {} : { threads });
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once("SIGINT", onSigint);
  try {
    const result = await pool.mine(message, score, { signal: abort.signal });
    new DataView(message.buffer, message.byteOffset + message.length - 8, 8).setBigUint64(0, result.nonce, true);
    const achieved = powScore(message);
    if (opts.out !== undefined) writeFileSync(opts.out, `${bytesToHex(message)}\n`);
    const report = {
      hashes: result.hashes,
      seconds: result.seconds,
      hashesPerSecond: result.seconds > 0 ? Math.round(result.hashes / result.seconds) : 0,
      nonce: result.nonce.toString(),
      score: achieved,
    };
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(report)}\n`);
    } else {
      process.stdout.write(
        [
          `mined a ${size}-byte indexation message at target score ${score} on ${pool.threads} thread(s)`,
          `  hashes tried      ${report.hashes}`,
          `  seconds           ${report.seconds.toFixed(3)}`,
          `  hashes per second ${report.hashesPerSecond}`,
          `  nonce             ${report.nonce}`,
          `  achieved score    ${report.score}`,
          "",
        ].join("\n"),
      );
    }
  } finally {
    process.off("SIGINT", onSigint);
    await pool.close();
  }
}

export function registerPowTool(tool: Command): void {
  tool
    .command("pow")
    .description("mine a random indexation message at a target PoW score and report the hash rate")
    .requiredOption("--score <n>", "target PoW score (TIP-12), e.g. 4000 for mainnet")
    .option("--size <bytes>", `message size in bytes (${MIN_SIZE}..${MESSAGE_LENGTH_MAX})`, "300")
    .option("--threads <n>", "worker threads (default: all cores)")
    .option("--network <name>", "network name whose id the message carries", "chrysalis-mainnet")
    .option("--json", "print one JSON line {hashes, seconds, hashesPerSecond, nonce, score}")
    .option("--out <file>", "also write the mined message (hex) to this file")
    .action((opts: PowToolOptions) => runTool(() => runPowTool(opts)));
}
