/**
 * `weaver tool jwt`: mints a bearer token for the node's protected API routes (peers, control, tx-history), signed
 * with the node's API secret (`--secret` or WEAVER_API_JWT_SECRET, at least 32 bytes). Prints the token alone, so
 * `TOKEN=$(weaver tool jwt …)` works.
 */
import type { Command } from "commander";
import { JWT_SECRET_MIN_BYTES, jwtKey, signApiToken } from "../../api/jwt.js";
import { runTool } from "../runTool.js";
import { ToolError } from "../toolError.js";

export const JWT_SECRET_ENV = "WEAVER_API_JWT_SECRET";

interface JwtFlags {
  secret?: string;
  subject: string;
  expires?: string;
}

export async function mintToken(flags: JwtFlags, env: Readonly<Record<string, string | undefined>>, now: number) {
  const secret = flags.secret ?? env[JWT_SECRET_ENV];
  if (secret === undefined || secret === "") {
    throw new ToolError("TOOL_ERROR_INVALID_OPTION", `give the API secret with --secret or ${JWT_SECRET_ENV}`);
  }
  const key = jwtKey(secret);
  if (key === null) {
    throw new ToolError("TOOL_ERROR_INVALID_OPTION", `the API secret must be at least ${JWT_SECRET_MIN_BYTES} bytes`);
  }
  let expiresInSeconds: number | undefined;
  if (flags.expires !== undefined) {
    if (!/^\d{1,10}$/.test(flags.expires) || Number(flags.expires) === 0) {
      throw new ToolError("TOOL_ERROR_INVALID_OPTION", `--expires must be a positive number of seconds`);
    }
    expiresInSeconds = Number(flags.expires);
  }
  if (!/^[\x21-\x7e]{1,64}$/.test(flags.subject)) {
    throw new ToolError("TOOL_ERROR_INVALID_OPTION", "--subject must be 1..64 printable ASCII characters");
  }
  return signApiToken(
    key,
    { subject: flags.subject, ...(expiresInSeconds === undefined ? {} : { expiresInSeconds }) },
    now,
  );
}

export function registerJwtTool(tool: Command): void {
  tool
    .command("jwt")
    .description("mint a JWT (HS256) for the node's protected API routes")
    .option(
      "--secret <secret>",
      `the node's API secret, at least ${JWT_SECRET_MIN_BYTES} bytes [env ${JWT_SECRET_ENV}]`,
    )
    .option("--subject <name>", "who the token is for", "weaver-operator")
    .option("--expires <seconds>", "lifetime in seconds (default: no expiry)")
    .action((flags: JwtFlags) =>
      runTool(async () => {
        process.stdout.write(`${await mintToken(flags, process.env, Date.now())}\n`);
      }),
    );
}
