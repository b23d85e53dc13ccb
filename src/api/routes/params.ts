/**
 * Parsing of path and query parameters. Every parameter is checked before anything is looked up, and a bad one is a
 * 400 whose message says in plain words what is wrong (without echoing the input, which may be huge or binary).
 *
 * Hex ids are accepted in either case and answered in lowercase: Hornet 1.2.8 lowercases every id parameter before
 * decoding it (`ParseMessageIDParam`), and iota.js always sends lowercase.
 */
import { ID_LENGTH, INDEXATION_INDEX_LENGTH_MAX } from "../../params/protocol.js";
import { hexToBytes, isHex } from "../../primitives/hex.js";
import { ApiError } from "../apiError.js";

const U32_MAX = 0xffff_ffff;
const DECIMAL = /^[0-9]{1,10}$/;

/** Fastify hands params and query values over as strings, or arrays for a repeated query key. */
export type RawParams = Record<string, unknown>;

function invalid(message: string): ApiError {
  return new ApiError("API_ERROR_INVALID_PARAMETER", message);
}

const NON_HEX = /[^0-9a-fA-F]/;

function characters(n: number): string {
  return n === 1 ? "1 character" : `${n} characters`;
}

function whyNotHex(s: string): string {
  const bad = NON_HEX.exec(s);
  if (bad !== null) return `character ${bad.index + 1} is not a hexadecimal digit`;
  return `it has an odd number (${s.length}) of hexadecimal digits`;
}

function singleString(params: RawParams, name: string, where: "path" | "query"): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw invalid(`${where} parameter ${name} is given ${value.length} times; give it once`);
  if (typeof value !== "string") throw invalid(`${where} parameter ${name} must be a string`);
  return value;
}

function requiredPath(params: RawParams, name: string): string {
  const value = singleString(params, name, "path");
  if (value === undefined || value === "") throw invalid(`path parameter ${name} is missing`);
  return value;
}

/** A 32-byte id given as 64 hex digits (a message id, TIP-6). */
export function parseIdParam(params: RawParams, name: string): Uint8Array {
  const value = requiredPath(params, name);
  const digits = 2 * ID_LENGTH;
  if (value.length !== digits) {
    throw invalid(`${name} must be ${digits} hexadecimal digits; got ${characters(value.length)}`);
  }
  if (!isHex(value)) throw invalid(`${name} must be ${digits} hexadecimal digits; ${whyNotHex(value)}`);
  return hexToBytes(value);
}

/** A milestone index: a decimal u32 (TIP-8), without sign, exponent, fraction or spaces. */
export function parseMilestoneIndexParam(params: RawParams, name: string): number {
  const value = requiredPath(params, name);
  const n = DECIMAL.test(value) ? Number(value) : Number.NaN;
  if (!(n <= U32_MAX)) throw invalid(`${name} must be a decimal number from 0 to ${U32_MAX}`);
  return n;
}

export interface HexQuery {
  /** The parameter as given (the index route echoes it). */
  text: string;
  bytes: Uint8Array;
}

/** The indexation index of `GET /messages?index=`: 1 to 64 bytes as hex (chrysalis.md §10.2, Hornet's limits). */
export function parseIndexQuery(query: RawParams, name: string): HexQuery {
  const value = singleString(query, name, "query");
  if (value === undefined) throw invalid(`query parameter ${name} is required: the indexation index as hex`);
  if (value === "") throw invalid(`query parameter ${name} is empty`);
  const maxDigits = 2 * INDEXATION_INDEX_LENGTH_MAX;
  if (value.length > maxDigits) {
    throw invalid(
      `query parameter ${name} has ${characters(value.length)}; an index is at most ${INDEXATION_INDEX_LENGTH_MAX} bytes (${maxDigits} hexadecimal digits)`,
    );
  }
  if (!isHex(value)) throw invalid(`query parameter ${name} must be hex; ${whyNotHex(value)}`);
  return { text: value, bytes: hexToBytes(value) };
}

/** A flag that counts as set when the key is present, whatever its value (Hornet's `?spammerTips`). */
export function hasQueryFlag(query: RawParams, name: string): boolean {
  const lower = name.toLowerCase();
  return Object.keys(query).some((key) => key.toLowerCase() === lower);
}
