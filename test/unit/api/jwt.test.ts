/**
 * API tokens: what `weaver tool jwt` mints verifies, and every kind of bad token is refused with its reason. The
 * signature is also checked independently with node:crypto's HMAC (RFC 7515 HS256), not only by the library.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { join } from "node:path";
import { describe, it } from "node:test";
import { API_TOKEN_ISSUER, jwtKey, signApiToken, verifyApiToken } from "../../../src/api/jwt.js";
import { ToolError } from "../../../src/cli/toolError.js";
import { mintToken } from "../../../src/cli/tools/jwtTool.js";
import { REPO_ROOT } from "../../utils/vectors.js";

const SECRET = "weaver-test-secret-that-is-long-enough";
const KEY = jwtKey(SECRET)!;
const NOW = 1_800_000_000_000;

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString("base64url");
}

/** An HS256 token made by hand, for claims the minting code would never produce. */
function handMade(claims: Record<string, unknown>, secret = SECRET, alg = "HS256"): string {
  const head = b64url(JSON.stringify({ alg, typ: "JWT" }));
  const body = b64url(JSON.stringify(claims));
  const sig = createHmac("sha256", secret).update(`${head}.${body}`).digest("base64url");
  return `${head}.${body}.${sig}`;
}

describe("API tokens (HS256)", () => {
  it("refuses secrets under 32 bytes", () => {
    assert.equal(jwtKey("short"), null);
    assert.equal(jwtKey("x".repeat(31)), null);
    assert.ok(jwtKey("x".repeat(32)));
  });

  it("a minted token has our issuer and subject, and its HMAC checks out independently", async () => {
    const token = await signApiToken(KEY, { subject: "ops", expiresInSeconds: 60 }, NOW);
    const [head, body, sig] = token.split(".");
    const expected = createHmac("sha256", SECRET).update(`${head}.${body}`).digest("base64url");
    assert.equal(sig, expected);
    const claims = JSON.parse(Buffer.from(body!, "base64url").toString()) as Record<string, unknown>;
    assert.equal(claims.iss, API_TOKEN_ISSUER);
    assert.equal(claims.sub, "ops");
    assert.equal(claims.exp, NOW / 1000 + 60);
    assert.deepEqual(await verifyApiToken(token, KEY, NOW), { valid: true, subject: "ops" });
  });

  it("refuses expired, wrongly signed, foreign-issuer, alg=none and malformed tokens", async () => {
    const token = await signApiToken(KEY, { subject: "ops", expiresInSeconds: 60 }, NOW);
    assert.deepEqual(await verifyApiToken(token, KEY, NOW + 61_000), { valid: false, reason: "expired" });
    const other = jwtKey("another-secret-that-is-also-long-enough")!;
    assert.deepEqual(await verifyApiToken(token, other, NOW), { valid: false, reason: "signature" });
    const foreign = handMade({ iss: "hornet", sub: "x", iat: NOW / 1000 });
    assert.deepEqual(await verifyApiToken(foreign, KEY, NOW), { valid: false, reason: "claims" });
    const none = `${b64url(JSON.stringify({ alg: "none" }))}.${b64url(JSON.stringify({ iss: "weaver" }))}.`;
    assert.equal((await verifyApiToken(none, KEY, NOW)).valid, false);
    const hs512 = handMade({ iss: "weaver", sub: "x" }, SECRET, "HS512");
    assert.equal((await verifyApiToken(hs512, KEY, NOW)).valid, false);
    for (const bad of ["", "abc", "a.b.c", `${token}x`, token.replace(/\.[^.]+$/, ".AAAA")]) {
      assert.equal((await verifyApiToken(bad, KEY, NOW)).valid, false, bad);
    }
    const handOk = handMade({ iss: "weaver", sub: "hand", iat: NOW / 1000 });
    assert.deepEqual(await verifyApiToken(handOk, KEY, NOW), { valid: true, subject: "hand" });
  });

  it("the tool checks its options and mints verifiable tokens", async () => {
    const token = await mintToken({ subject: "ci", expires: "3600" }, { WEAVER_API_JWT_SECRET: SECRET }, NOW);
    assert.deepEqual(await verifyApiToken(token, KEY, NOW), { valid: true, subject: "ci" });
    const bad: Array<[Parameters<typeof mintToken>[0], Record<string, string>]> = [
      [{ subject: "ci" }, {}],
      [{ subject: "ci", secret: "short" }, {}],
      [{ subject: "ci", secret: SECRET, expires: "0" }, {}],
      [{ subject: "ci", secret: SECRET, expires: "-5" }, {}],
      [{ subject: "ci", secret: SECRET, expires: "1e9" }, {}],
      [{ subject: "has space", secret: SECRET }, {}],
    ];
    for (const [flags, env] of bad) {
      await assert.rejects(mintToken(flags, env, NOW), (e: unknown) => e instanceof ToolError, JSON.stringify(flags));
    }
  });

  it("weaver tool jwt prints only the token; a missing secret is one error line and exit 1", () => {
    const cli = join(REPO_ROOT, "bin", "weaver.js");
    const ok = spawnSync(process.execPath, [cli, "tool", "jwt", "--secret", SECRET], { encoding: "utf8" });
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const env = { ...process.env };
    delete env.WEAVER_API_JWT_SECRET;
    const missing = spawnSync(process.execPath, [cli, "tool", "jwt"], { encoding: "utf8", env });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^TOOL_ERROR_INVALID_OPTION: give the API secret/);
  });
});
