/**
 * Validators for untrusted JSON values. Each throws CodecError CODEC_ERROR_INVALID_JSON naming the path
 * (e.g. `payload.essence.outputs[1].amount`), so a bad request never surfaces as a TypeError.
 */
import { hexToBytes, isHex } from "../primitives/hex.js";
import { CodecError } from "./codecError.js";

const MAX_U64 = 0xffff_ffff_ffff_ffffn;

export function jsonError(path: string, message: string): never {
  throw new CodecError("CODEC_ERROR_INVALID_JSON", path, message);
}

export type JsonObject = Record<string, unknown>;

export function asObject(v: unknown, path: string): JsonObject {
  if (typeof v !== "object" || v === null || Array.isArray(v)) jsonError(path, "expected an object");
  return v as JsonObject;
}

export function asArray(v: unknown, maxLength: number, path: string): unknown[] {
  if (!Array.isArray(v)) jsonError(path, "expected an array");
  if (v.length > maxLength) jsonError(path, `expected at most ${maxLength} elements, got ${v.length}`);
  return v;
}

export function asUint(v: unknown, max: number, path: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max) {
    jsonError(path, `expected an integer number in 0..${max}`);
  }
  return v;
}

/** Checks the `type` discriminator of an object and returns it. */
export function asType<T extends number>(o: JsonObject, allowed: readonly T[], path: string): T {
  const t = o.type;
  if (typeof t !== "number" || !allowed.includes(t as T))
    jsonError(`${path}.type`, `expected one of ${allowed.join(", ")}`);
  return t as T;
}

export function asBool(v: unknown, path: string): boolean {
  if (typeof v !== "boolean") jsonError(path, "expected a boolean");
  return v;
}

/** A u64 as a decimal string (networkId, nonce: JSON numbers cannot hold them exactly). */
export function asDecimalU64(v: unknown, path: string): bigint {
  if (typeof v !== "string" || v.length === 0 || v.length > 20 || !/^[0-9]+$/.test(v)) {
    jsonError(path, "expected a decimal string of a u64");
  }
  const n = BigInt(v);
  if (n > MAX_U64) jsonError(path, "value exceeds 2^64 - 1");
  return n;
}

/** Hex (no 0x, either case) of exactly `length` bytes. */
export function asHexFixed(v: unknown, length: number, path: string): Uint8Array {
  if (typeof v !== "string" || v.length !== length * 2 || !isHex(v)) {
    jsonError(path, `expected ${length * 2} hex characters without 0x`);
  }
  return hexToBytes(v);
}

/** Hex (no 0x, either case) of at most `maxLength` bytes. */
export function asHex(v: unknown, maxLength: number, path: string): Uint8Array {
  if (typeof v !== "string" || !isHex(v)) jsonError(path, "expected an even-length hex string without 0x");
  if (v.length / 2 > maxLength) jsonError(path, `expected at most ${maxLength} bytes`);
  return hexToBytes(v);
}

/** True for a missing or null optional field. */
export function isAbsent(v: unknown): boolean {
  return v === undefined || v === null;
}
