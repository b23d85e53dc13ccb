import { ToolError } from "./toolError.js";

/** Reads all of stdin as UTF-8, refusing more than `maxChars` so a mistaken pipe cannot exhaust memory. */
export async function readStdin(maxChars: number): Promise<string> {
  let text = "";
  for await (const chunk of process.stdin) {
    text += typeof chunk === "string" ? chunk : (chunk as Buffer).toString("utf8");
    if (text.length > maxChars)
      throw new ToolError("TOOL_ERROR_INVALID_INPUT", `stdin holds more than ${maxChars} characters`);
  }
  return text;
}
