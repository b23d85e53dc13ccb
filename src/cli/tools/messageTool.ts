/**
 * `weaver tool message --hex <hex|->`: decodes a serialized message with every syntactic rule (untrusted mode),
 * prints it as the JSON a node's REST API serves plus its message id, PoW score and, for a transaction, its
 * transaction id (and, for a milestone, its milestone id). Invalid input prints the error code and message and exits 1.
 */
import type { Command } from "commander";
import { messageId, milestoneIdFromBytes, transactionIdFromBytes } from "../../codec/ids.js";
import { messageToJson } from "../../codec/json.js";
import { decodeMessage } from "../../codec/message.js";
import { messagePayloadBytes } from "../../codec/spans.js";
import { powScore } from "../../crypto/powScore.js";
import { bytesToHex, hexToBytes, isHex } from "../../primitives/hex.js";
import { readStdin } from "../readStdin.js";
import { runTool } from "../runTool.js";
import { ToolError } from "../toolError.js";

/** Input hex longer than this cannot be a message (32768 bytes); refuse it before parsing. */
const MAX_HEX_CHARS = 2 * 32768 + 2;

export interface MessageReport {
  messageId: string;
  powScore: number;
  transactionId?: string;
  milestoneId?: string;
  message: ReturnType<typeof messageToJson>;
}

/** Hex text as the user gives it: surrounding white space and a `0x` prefix are ignored. */
function parseHexInput(text: string): Uint8Array {
  const clean = text.trim().replace(/^0x/i, "");
  if (clean.length === 0) throw new ToolError("TOOL_ERROR_INVALID_INPUT", "no message bytes given");
  if (clean.length > MAX_HEX_CHARS)
    throw new ToolError(
      "TOOL_ERROR_INVALID_INPUT",
      `input is ${clean.length / 2} bytes, more than the longest message may have`,
    );
  if (!isHex(clean)) throw new ToolError("TOOL_ERROR_INVALID_INPUT", "input is not an even-length hex string");
  return hexToBytes(clean);
}

/**
 * Stdin may hold the message as hex text or as raw bytes. Raw message bytes are never all hex digits (the parents
 * count would be ≥ 48), so text that parses as hex is taken as hex.
 */
function parseStdinInput(input: Buffer): Uint8Array {
  const text = input.toString("latin1").trim().replace(/^0x/i, "");
  if (text.length > 0 && isHex(text)) return parseHexInput(text);
  if (input.length === 0) throw new ToolError("TOOL_ERROR_INVALID_INPUT", "no message bytes given on stdin");
  return new Uint8Array(input);
}

/** Pure core of the tool: message bytes in, report out (fields in print order). Throws CodecError. */
export function describeMessage(bytes: Uint8Array): MessageReport {
  const message = decodeMessage(bytes, "untrusted");
  const payload = messagePayloadBytes(bytes);
  return {
    messageId: bytesToHex(messageId(bytes)),
    ...(payload !== null && message.payload?.type === 0
      ? { transactionId: bytesToHex(transactionIdFromBytes(payload)) }
      : {}),
    ...(payload !== null && message.payload?.type === 1
      ? { milestoneId: bytesToHex(milestoneIdFromBytes(payload)) }
      : {}),
    powScore: powScore(bytes),
    message: messageToJson(message),
  };
}

export function registerMessageTool(tool: Command): void {
  tool
    .command("message")
    .description("decode and validate a serialized message; prints its JSON, message id and PoW score")
    .requiredOption("--hex <hex>", "the message bytes as hex, or - to read them from stdin (as hex text or raw bytes)")
    .action((opts: { hex: string }) =>
      runTool(async () => {
        const bytes = opts.hex === "-" ? parseStdinInput(await readStdin(MAX_HEX_CHARS + 64)) : parseHexInput(opts.hex);
        process.stdout.write(`${JSON.stringify(describeMessage(bytes), null, 2)}\n`);
      }),
    );
}
