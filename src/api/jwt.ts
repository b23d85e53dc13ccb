/**
 * API tokens for the protected routes (chrysalis.md §10.2: JWT bearer tokens; TIP-13 leaves the policy to the
 * node): HS256 with a shared secret of at least 32 bytes, issuer "weaver", an optional expiry. `jose` does the JWT
 * work (algorithm pinning, expiry and not-before checks, constant-time signature comparison).
 */
import { errors, jwtVerify, SignJWT } from "jose";

export const API_TOKEN_ISSUER = "weaver";
/** HS256 keys shorter than the hash output weaken it (RFC 7518 §3.2). */
export const JWT_SECRET_MIN_BYTES = 32;

const encoder = new TextEncoder();

/** The HS256 key of a secret, or null when the secret is too short. */
export function jwtKey(secret: string): Uint8Array | null {
  const key = encoder.encode(secret);
  return key.length >= JWT_SECRET_MIN_BYTES ? key : null;
}

export interface ApiTokenClaims {
  /** Who the token is for (shown in logs). */
  subject: string;
  /** Lifetime in seconds; absent = no expiry. */
  expiresInSeconds?: number;
}

/** Signs a token; the caller has checked the key with jwtKey(). `now` in ms. */
export function signApiToken(key: Uint8Array, claims: ApiTokenClaims, now: number): Promise<string> {
  const issuedAt = Math.floor(now / 1000);
  let jwt = new SignJWT({})
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(API_TOKEN_ISSUER)
    .setSubject(claims.subject)
    .setIssuedAt(issuedAt);
  if (claims.expiresInSeconds !== undefined) jwt = jwt.setExpirationTime(issuedAt + claims.expiresInSeconds);
  return jwt.sign(key);
}

export type ApiTokenVerdict =
  | { valid: true; subject: string }
  | { valid: false; reason: "malformed" | "signature" | "expired" | "claims" };

/** Checks a bearer token: HS256 only, our issuer, signature, expiry and not-before (with `now` in ms). */
export async function verifyApiToken(token: string, key: Uint8Array, now: number): Promise<ApiTokenVerdict> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: ["HS256"],
      issuer: API_TOKEN_ISSUER,
      currentDate: new Date(now),
    });
    return { valid: true, subject: typeof payload.sub === "string" ? payload.sub : "" };
  } catch (e) {
    if (e instanceof errors.JWTExpired) return { valid: false, reason: "expired" };
    if (e instanceof errors.JWTClaimValidationFailed) return { valid: false, reason: "claims" };
    if (e instanceof errors.JWSSignatureVerificationFailed) return { valid: false, reason: "signature" };
    return { valid: false, reason: "malformed" };
  }
}
