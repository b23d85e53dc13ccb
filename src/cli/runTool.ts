import { NodeError } from "../util/nodeError.js";

/**
 * Runs a tool's action. A typed error (any NodeError: bad input, an invalid message, a failed PoW job) is the
 * user's answer, printed as `CODE: message` on stderr with exit status 1; anything else is a bug and propagates.
 */
export async function runTool(action: () => Promise<void> | void): Promise<void> {
  try {
    await action();
  } catch (err) {
    if (!(err instanceof NodeError)) throw err;
    process.stderr.write(`${err.code}: ${err.message}\n`);
    process.exitCode = 1;
  }
}
