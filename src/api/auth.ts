/**
 * Access control of the REST API (chrysalis.md §10.2; TIP-13 leaves it to the node). The public routes are the ones
 * Hornet 1.2.8 serves without authentication; every other route under `/api/v1/` and `/api/plugins/` needs
 * `Authorization: Bearer <token>` with a token signed with the node's API secret (jwt.ts). Without a secret those
 * routes are closed.
 *
 * The decision is made on the route that matched (its pattern, e.g. `/api/v1/peers/:peerId`), not on the raw URL, so
 * no spelling of a path (percent-encoding, dot segments, case) can reach a protected handler through a public rule.
 * A request that matches no route is left to the 404 answer.
 *
 * CORS (on by default) allows any origin, as Hornet does: the API holds no cookies or other ambient credentials, and a
 * token a page sends is one its user gave it.
 */
import cors from "@fastify/cors";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { errorEnvelope } from "./apiError.js";
import { type ApiTokenVerdict, verifyApiToken } from "./jwt.js";

/** Hornet 1.2.8's default `restAPI.publicRoutes`, as patterns of our route URLs. */
export const PUBLIC_ROUTES: readonly RegExp[] = Object.freeze([
  /^\/health$/,
  /^\/mqtt$/,
  /^\/api\/routes$/,
  /^\/api\/v1\/info$/,
  /^\/api\/v1\/tips$/,
  /^\/api\/v1\/messages(\/.*)?$/,
  /^\/api\/v1\/transactions(\/.*)?$/,
  /^\/api\/v1\/milestones(\/.*)?$/,
  /^\/api\/v1\/outputs(\/.*)?$/,
  // Balances and outputs of an address are public; its tx-history is not.
  /^\/api\/v1\/addresses\/(ed25519\/)?[^/]+(\/outputs)?$/,
  /^\/api\/v1\/treasury$/,
  /^\/api\/v1\/receipts(\/.*)?$/,
  // Hornet's faucet plugin is public ("/api/plugins/faucet/*"); its spammer is not.
  /^\/api\/plugins\/faucet\/v1\/(info|enqueue)$/,
]);

const PROTECTED_PREFIX = /^\/api\/(v1|plugins)\//;

/** Whether the route with this URL pattern needs a token: under /api/v1/ or /api/plugins/ and not public. */
export function isProtectedRoute(routeUrl: string): boolean {
  return PROTECTED_PREFIX.test(routeUrl) && !PUBLIC_ROUTES.some((pattern) => pattern.test(routeUrl));
}

const BEARER = /^Bearer[ \t]+([^ \t]+)[ \t]*$/i;

/** The token of an `Authorization: Bearer <token>` header, or null when there is none. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  return BEARER.exec(header)?.[1] ?? null;
}

const REFUSED_TOKEN: Readonly<Record<Exclude<ApiTokenVerdict, { valid: true }>["reason"], string>> = Object.freeze({
  malformed: "the API token is not a JWT this node issues (HS256, issuer weaver)",
  signature: "the API token is not signed with this node's API secret",
  expired: "the API token has expired",
  claims: "the API token's claims are not valid (issuer, or not valid yet)",
});

export interface AuthOptions {
  /** HS256 key of the node's API secret; null closes the protected routes. */
  jwtKey: Uint8Array | null;
  /** Milliseconds since the epoch (token expiry). */
  now(): number;
}

/**
 * The onRequest hook: lets public routes and unmatched paths through, and answers a protected route 403 (in the
 * error envelope of chrysalis.md §10.1) unless the request carries a valid token.
 */
export function authHook(options: AuthOptions) {
  const forbid = (reply: FastifyReply, message: string): FastifyReply =>
    reply.code(403).type("application/json; charset=utf-8").send(errorEnvelope(403, message));

  // An async hook that answers returns the reply, so that fastify runs nothing after it.
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const route = request.routeOptions.url;
    if (route === undefined || !isProtectedRoute(route)) return undefined;
    if (options.jwtKey === null) {
      return forbid(
        reply,
        `${route} is a protected route, and this node has no API secret configured (api.jwtSecret), so it accepts no token`,
      );
    }
    const token = bearerToken(request.headers.authorization);
    if (token === null) {
      return forbid(
        reply,
        `${route} is a protected route: send "Authorization: Bearer <token>" with a token signed with the node's API secret (weaver tool jwt)`,
      );
    }
    const verdict = await verifyApiToken(token, options.jwtKey, options.now());
    return verdict.valid ? undefined : forbid(reply, REFUSED_TOKEN[verdict.reason]);
  };
}

/** Hornet's CORS settings: any origin, the methods the API serves, and the headers clients send. */
const CORS_OPTIONS = Object.freeze({
  origin: "*",
  methods: ["GET", "HEAD", "POST", "DELETE", "OPTIONS"],
  allowedHeaders: ["Origin", "Content-Length", "Content-Type", "Accept", "Authorization"],
  // A preflight without Origin or Access-Control-Request-Method is answered like any other, not with the plugin's
  // plain-text 400 (every failure of this API is a JSON envelope).
  strictPreflight: false,
});

/**
 * Registers CORS (when enabled) and then the token check. The order matters: a browser's preflight carries no
 * Authorization header, so it is answered before the check runs, and a 403 still carries the CORS headers a page
 * needs to read it.
 */
export function registerAccessControl(app: FastifyInstance, options: AuthOptions & { cors: boolean }): void {
  if (options.cors) app.register(cors, CORS_OPTIONS);
  app.addHook("onRequest", authHook(options));
}
