import { ToolError } from "./toolError.js";

/** Reads all of stdin, refusing more than `maxBytes` so a mistaken pipe cannot exhaust memory. */
export async function readStdin(maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of process.stdin) {
    const b = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : (chunk as Buffer);
    length += b.length;
    if (length > maxBytes) throw new ToolError("TOOL_ERROR_INVALID_INPUT", `stdin holds more than ${maxBytes} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}
