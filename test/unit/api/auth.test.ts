/**
 * Access control (chrysalis.md §10.2): Hornet 1.2.8's public routes are open, every other route under /api/v1 and
 * /api/plugins answers 403 without a valid bearer token (no secret configured, no header, another scheme, a
 * malformed, foreign or expired token), and CORS allows any origin, preflight included.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { LightMyRequestResponse } from "fastify";
import type { ApiDependencies } from "../../../src/api/apiContext.js";
import { bearerToken, isProtectedRoute } from "../../../src/api/auth.js";
import { jwtKey, signApiToken } from "../../../src/api/jwt.js";
import { type ApiHarness, apiHarness, assertErrorEnvelope, dataOf } from "./apiHarness.js";

const SECRET = "a test secret that is long enough for HS256 keys";
const KEY = jwtKey(SECRET)!;
const OTHER_KEY = jwtKey("another secret, also long enough for HS256 keys")!;
const ID = "ab".repeat(32);

/** A gossip service with no peers, so that the protected peers routes answer when let through. */
const NO_PEERS: ApiDependencies["gossip"] = {
  syncStatus: () => ({
    confirmedIndex: 0,
    latestIndex: 0,
    synced: false,
    almostSynced: false,
    connectedPeers: 0,
    syncedPeers: 0,
  }),
  peers: () => [],
  endpoints: () => [],
  addPeer: () => undefined,
  removePeer: () => false,
};

/** A harness whose every registered route (method, URL pattern) is recorded once the server is ready. */
async function harnessWithRoutes(
  api: Parameters<typeof apiHarness>[0] = {},
): Promise<{ h: ApiHarness; routes: Array<{ method: string; url: string }> }> {
  const h = await apiHarness(api);
  const routes: Array<{ method: string; url: string }> = [];
  // Route plugins load at ready(), so this hook sees all of them.
  h.app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  await h.app.ready();
  return { h, routes };
}

/** A request to a route pattern, its parameters filled with something of the right shape. */
function requestFor(route: { method: string; url: string }) {
  const url = route.url.replace(/:[A-Za-z]+/g, (param) => (param === ":index" ? "1" : ID));
  const method = route.method as "GET" | "HEAD" | "POST" | "DELETE";
  return method === "POST" ? { method, url, payload: {} } : { method, url };
}

function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

describe("auth: which routes are public", () => {
  it("lists Hornet 1.2.8's public routes and protects the rest of /api/v1 and /api/plugins", () => {
    for (const url of [
      "/health",
      "/mqtt",
      "/api/routes",
      "/api/v1/info",
      "/api/v1/tips",
      "/api/v1/messages",
      "/api/v1/messages/:messageId/metadata",
      "/api/v1/transactions/:transactionId/included-message",
      "/api/v1/milestones/:index/utxo-changes",
      "/api/v1/outputs/:outputId",
      "/api/v1/addresses/:address",
      "/api/v1/addresses/:address/outputs",
      "/api/v1/addresses/ed25519/:address",
      "/api/v1/addresses/ed25519/:address/outputs",
      "/api/v1/treasury",
      "/api/v1/receipts",
      "/api/v1/receipts/:migratedAt",
      "*",
    ]) {
      assert.equal(isProtectedRoute(url), false, url);
    }
    for (const url of [
      "/api/v1/peers",
      "/api/v1/peers/:peerId",
      "/api/v1/control/database/prune",
      "/api/v1/control/snapshots/create",
      "/api/v1/addresses/:address/tx-history",
      "/api/v1/addresses/ed25519/:address/tx-history",
      "/api/v1/tipsy",
      "/api/v1/info/extra",
      "/api/plugins/faucet/info",
    ]) {
      assert.equal(isProtectedRoute(url), true, url);
    }
  });

  it("reads the token of an Authorization: Bearer header and nothing else", () => {
    assert.equal(bearerToken("Bearer abc.def.ghi"), "abc.def.ghi");
    assert.equal(bearerToken("bearer  abc "), "abc");
    for (const header of [undefined, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer a b", "abc", "Token abc"]) {
      assert.equal(bearerToken(header), null, String(header));
    }
  });
});

describe("auth: the server", () => {
  it("answers every registered route: public ones without a token, protected ones 403 without one", async () => {
    const { h, routes } = await harnessWithRoutes({ api: { jwtKey: KEY } });
    const urls = new Set(routes.map((r) => r.url));
    for (const url of ["/api/v1/peers", "/api/v1/peers/:peerId", "/api/v1/info", "/health"]) {
      assert.ok(urls.has(url), `${url} is registered`);
    }
    let publicCount = 0;
    let protectedCount = 0;
    for (const route of routes) {
      if (route.method === "OPTIONS") continue;
      const res = await h.app.inject(requestFor(route));
      const shown = `${route.method} ${route.url} → ${res.statusCode} ${res.body.slice(0, 200)}`;
      if (isProtectedRoute(route.url)) {
        protectedCount++;
        assert.equal(res.statusCode, 403, shown);
        if (route.method !== "HEAD") assert.match(assertErrorEnvelope(res, 403), /Authorization: Bearer/, shown);
      } else {
        publicCount++;
        assert.notEqual(res.statusCode, 403, shown);
      }
    }
    assert.ok(publicCount >= 10 && protectedCount >= 4, `${publicCount} public, ${protectedCount} protected`);
  });

  it("without a secret closes the protected routes and says why", async () => {
    const h = await apiHarness();
    const message = assertErrorEnvelope(await h.get("/api/v1/peers"), 403);
    assert.match(message, /no API secret configured/);
    assert.match(message, /api\.jwtSecret/);
    const token = await signApiToken(KEY, { subject: "t" }, h.cb.tb.now);
    assertErrorEnvelope(await h.app.inject({ method: "GET", url: "/api/v1/peers", headers: bearer(token) }), 403);
    assert.equal((await h.get("/api/v1/info")).statusCode, 200, "public routes stay open");
  });

  it("refuses a missing header, another scheme, and malformed, foreign and expired tokens; takes a valid one", async () => {
    const h = await apiHarness({ api: { jwtKey: KEY }, deps: { gossip: NO_PEERS } });
    const now = h.cb.tb.now;
    const get = (headers: Record<string, string>): Promise<LightMyRequestResponse> =>
      h.app.inject({ method: "GET", url: "/api/v1/peers", headers });
    assert.match(assertErrorEnvelope(await get({}), 403), /Authorization: Bearer <token>/);
    assert.match(assertErrorEnvelope(await get({ authorization: "Basic dXNlcjpwYXNz" }), 403), /Bearer/);
    assert.match(assertErrorEnvelope(await get(bearer("not-a-jwt")), 403), /not a JWT/);
    const foreign = await signApiToken(OTHER_KEY, { subject: "t" }, now);
    assert.match(assertErrorEnvelope(await get(bearer(foreign)), 403), /not signed with this node's API secret/);
    const expired = await signApiToken(KEY, { subject: "t", expiresInSeconds: 60 }, now - 3_600_000);
    assert.match(assertErrorEnvelope(await get(bearer(expired)), 403), /expired/);
    // A token with its signature cut off, and one re-signed with "none".
    const valid = await signApiToken(KEY, { subject: "operator", expiresInSeconds: 600 }, now);
    assertErrorEnvelope(await get(bearer(valid.slice(0, valid.lastIndexOf(".") + 1))), 403);
    const [, payload] = valid.split(".");
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${payload}.`;
    assertErrorEnvelope(await get(bearer(none)), 403);

    assert.deepEqual(dataOf(await get(bearer(valid))), []);
    assert.equal((await get({ authorization: `bearer ${valid}` })).statusCode, 200, "the scheme is case-insensitive");
    // The token's expiry is checked against the node's clock.
    h.cb.tb.advanceTime(601_000);
    assert.match(assertErrorEnvelope(await get(bearer(valid)), 403), /expired/);
  });

  it("no spelling of a protected path gets through, and unknown paths are 404, not 403", async () => {
    const h = await apiHarness({ api: { jwtKey: KEY } });
    for (const url of [
      "/api/v1/%70eers",
      "/api/v1/peers?x=1",
      "/api/v1//peers",
      "/api/v1/messages/../peers",
      "/api/v1/messages/%2e%2e/peers",
      "/api/v1/peers/",
      "/API/v1/peers",
      `/api/v1/peers/${ID}`,
      `/api/v1/peers/${ID.toUpperCase()}`,
    ]) {
      const res = await h.get(url);
      assert.ok(
        res.statusCode === 403 || res.statusCode === 404 || res.statusCode === 400,
        `${url} → ${res.statusCode}`,
      );
      assertErrorEnvelope(res, res.statusCode);
    }
    assert.equal((await h.get("/api/v1/peers?x=1")).statusCode, 403);
    assert.equal((await h.get("/api/v1/%70eers")).statusCode, 403, "the router decodes it, so the check must too");
    assert.equal((await h.get("/api/v1/nothing-here")).statusCode, 404);
    assert.equal((await h.app.inject({ method: "DELETE", url: "/api/v1/peers" })).statusCode, 404);
  });
});

describe("auth: CORS", () => {
  it("allows any origin on answers, errors and 403s, and answers a preflight before the token check", async () => {
    const h = await apiHarness({ api: { jwtKey: KEY } });
    const origin = { origin: "https://wallet.example" };
    const info = await h.app.inject({ method: "GET", url: "/api/v1/info", headers: origin });
    assert.equal(info.headers["access-control-allow-origin"], "*");
    const forbidden = await h.app.inject({ method: "GET", url: "/api/v1/peers", headers: origin });
    assert.equal(forbidden.statusCode, 403);
    assert.equal(forbidden.headers["access-control-allow-origin"], "*");
    const missing = await h.app.inject({ method: "GET", url: "/nope", headers: origin });
    assert.equal(missing.headers["access-control-allow-origin"], "*");

    const preflight = await h.app.inject({
      method: "OPTIONS",
      url: "/api/v1/peers",
      headers: {
        ...origin,
        "access-control-request-method": "DELETE",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    assert.equal(preflight.statusCode, 204, preflight.body);
    assert.equal(preflight.headers["access-control-allow-origin"], "*");
    assert.match(String(preflight.headers["access-control-allow-methods"]), /DELETE/);
    assert.match(String(preflight.headers["access-control-allow-headers"]), /Authorization/);
    // A bare OPTIONS (no preflight headers) gets no plain-text 400 either.
    const bare = await h.app.inject({ method: "OPTIONS", url: "/api/v1/info" });
    assert.ok(bare.statusCode < 300, `${bare.statusCode} ${bare.body}`);
  });

  it("sends no CORS headers when turned off, and OPTIONS is then an unknown route", async () => {
    const h = await apiHarness({ api: { cors: false } });
    const info = await h.app.inject({ method: "GET", url: "/api/v1/info", headers: { origin: "https://x.example" } });
    assert.equal(info.statusCode, 200);
    assert.equal(info.headers["access-control-allow-origin"], undefined);
    const preflight = await h.app.inject({
      method: "OPTIONS",
      url: "/api/v1/info",
      headers: { origin: "https://x.example", "access-control-request-method": "GET" },
    });
    assertErrorEnvelope(preflight, 404);
  });
});
