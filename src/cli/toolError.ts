import { NodeError } from "../util/nodeError.js";

export const TOOL_ERROR_CODES = ["TOOL_ERROR_INVALID_INPUT", "TOOL_ERROR_INVALID_OPTION"] as const;
export type ToolErrorCode = (typeof TOOL_ERROR_CODES)[number];

/** A mistake in what the user gave a `weaver tool` command: printed as `CODE: message`, exit status 1. */
export class ToolError extends NodeError<{ code: ToolErrorCode }> {
  constructor(code: ToolErrorCode, message: string) {
    super({ code }, message);
  }
}
