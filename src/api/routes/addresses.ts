/**
 * The address routes of chrysalis.md §10.2, each under two paths: `/addresses/{bech32}` (TIP-11; the HRP must be the
 * node's, as Hornet demands) and `/addresses/ed25519/{hex}`.
 * - `…` the balance and whether dust is allowed;
 * - `…/outputs?include-spent=&type=` output ids, unspent first;
 * - `…/tx-history` (Hornet 1.2 extra) the transactions that touched the address, newest first.
 * Balance and outputs answer 503 while the node is not almost synced, as Hornet does; the tx-history does not, and
 * is a protected route (auth.ts), as in Hornet.
 */
import type { FastifyPluginCallback } from "fastify";
import { decodeBech32Address } from "../../crypto/bech32.js";
import { CryptoError } from "../../crypto/cryptoError.js";
import type { OutputType } from "../../ledger/ledgerRecords.js";
import type { ApiContext, RoutePluginOptions } from "../apiContext.js";
import { ApiError } from "../apiError.js";
import { addressBalanceToJson, addressOutputsToJson, txHistoryToJson } from "../mappers/address.js";
import { assertAlmostSynced } from "./messages.js";
import { parseIdParam, type RawParams } from "./params.js";

const ADDRESS = "address";
const INCLUDE_SPENT = "include-spent";
const TYPE = "type";

/** Go's strconv.ParseBool spellings after Hornet lowercases the value; empty counts as absent (false). */
const TRUE_VALUES: ReadonlySet<string> = new Set(["true", "t", "1"]);
const FALSE_VALUES: ReadonlySet<string> = new Set(["", "false", "f", "0"]);

function invalid(message: string): ApiError {
  return new ApiError("API_ERROR_INVALID_PARAMETER", message);
}

/** The 32-byte Ed25519 address of a bech32 path parameter; 400 on bad syntax, checksum, type or a foreign HRP. */
export function parseBech32AddressParam(params: RawParams, name: string, hrp: string): Uint8Array {
  const value = params[name];
  if (typeof value !== "string" || value === "") throw invalid(`path parameter ${name} is missing`);
  try {
    // TIP-11: type byte 0 then the 32-byte hash; decodeBech32Address has checked both.
    return decodeBech32Address(value, { expectedHrp: hrp }).address.slice(1);
  } catch (e) {
    if (e instanceof CryptoError) throw invalid(`${name} is not a bech32 address of this network: ${e.message}`);
    throw e;
  }
}

function singleQuery(query: RawParams, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw invalid(`query parameter ${name} must be given once`);
  return value;
}

/** `include-spent`: true/false (also t/f/1/0, any case); absent or empty is false. Anything else is a 400. */
export function parseIncludeSpentQuery(query: RawParams): boolean {
  const value = singleQuery(query, INCLUDE_SPENT)?.toLowerCase();
  if (value === undefined || FALSE_VALUES.has(value)) return false;
  if (TRUE_VALUES.has(value)) return true;
  throw invalid(`query parameter ${INCLUDE_SPENT} must be true or false`);
}

/** `type`: 0 (SigLockedSingleOutput) or 1 (SigLockedDustAllowanceOutput); absent or empty means both. */
export function parseOutputTypeQuery(query: RawParams): OutputType | undefined {
  const value = singleQuery(query, TYPE);
  if (value === undefined || value === "") return undefined;
  if (value === "0") return 0;
  if (value === "1") return 1;
  throw invalid(`query parameter ${TYPE} must be 0 (SigLockedSingleOutput) or 1 (SigLockedDustAllowanceOutput)`);
}

/** The two spellings of an address in a path: where the parameter sits, and how it becomes the 32-byte hash. */
interface AddressForm {
  path: string;
  parse(params: RawParams, ctx: ApiContext): Uint8Array;
}

const ADDRESS_FORMS: readonly AddressForm[] = [
  {
    path: `/addresses/:${ADDRESS}`,
    parse: (params, ctx) => parseBech32AddressParam(params, ADDRESS, ctx.deps.node.bech32Hrp),
  },
  // TIP-7: an Ed25519 address is 32 bytes, the length of an id.
  { path: `/addresses/ed25519/:${ADDRESS}`, parse: (params) => parseIdParam(params, ADDRESS) },
];

export const addressesRoutes: FastifyPluginCallback<RoutePluginOptions> = (app, { ctx }, done) => {
  const { ledger } = ctx.deps;
  const { maxResults } = ctx.options;

  for (const form of ADDRESS_FORMS) {
    app.get(form.path, async (request) => {
      const address = form.parse(request.params as RawParams, ctx);
      assertAlmostSynced(ctx);
      return { data: addressBalanceToJson(address, ledger.balance(address), ledger.ledgerIndex) };
    });

    app.get(`${form.path}/outputs`, async (request) => {
      const address = form.parse(request.params as RawParams, ctx);
      const query = request.query as RawParams;
      const includeSpent = parseIncludeSpentQuery(query);
      const type = parseOutputTypeQuery(query);
      assertAlmostSynced(ctx);
      const ids = ledger.outputIdsOfAddress(address, { includeSpent, type, limit: maxResults });
      return { data: addressOutputsToJson(address, ids, maxResults, ledger.ledgerIndex) };
    });

    app.get(`${form.path}/tx-history`, async (request) => {
      const address = form.parse(request.params as RawParams, ctx);
      return { data: txHistoryToJson(address, ledger.txHistory(address, maxResults), maxResults, ledger.ledgerIndex) };
    });
  }

  done();
};
