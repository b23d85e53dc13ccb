/** `GET /api/v1/outputs/{outputId}` (chrysalis.md §10.2): an output of the ledger, spent or not. */
import type { FastifyPluginCallback } from "fastify";
import { OUTPUT_ID_LENGTH } from "../../params/protocol.js";
import { bytesToHex, hexToBytes } from "../../primitives/hex.js";
import type { RoutePluginOptions } from "../apiContext.js";
import { ApiError } from "../apiError.js";
import { outputResponseToJson } from "../mappers/output.js";
import type { RawParams } from "./params.js";

const OUTPUT_ID = "outputId";
const OUTPUT_ID_DIGITS = 2 * OUTPUT_ID_LENGTH;

const NON_HEX = /[^0-9a-fA-F]/;

function invalid(message: string): ApiError {
  return new ApiError("API_ERROR_INVALID_PARAMETER", message);
}

/**
 * An output id: 68 hex digits, transaction id ‖ u16 LE index (TIP-7), in either case as Hornet accepts ids. The
 * message says what is wrong without repeating the input.
 */
export function parseOutputIdParam(params: RawParams, name: string): Uint8Array {
  const value = params[name];
  if (typeof value !== "string" || value === "") throw invalid(`path parameter ${name} is missing`);
  const what = `${name} must be ${OUTPUT_ID_DIGITS} hexadecimal digits (transaction id, then output index)`;
  if (value.length !== OUTPUT_ID_DIGITS) throw invalid(`${what}; got ${value.length} characters`);
  const bad = NON_HEX.exec(value);
  if (bad !== null) throw invalid(`${what}; character ${bad.index + 1} is not one`);
  return hexToBytes(value);
}

export const outputsRoutes: FastifyPluginCallback<RoutePluginOptions> = (app, { ctx }, done) => {
  const { ledger } = ctx.deps;

  app.get(`/outputs/:${OUTPUT_ID}`, async (request) => {
    const id = parseOutputIdParam(request.params as RawParams, OUTPUT_ID);
    // One synchronous read of index and record: a confirmation cannot land in between.
    const ledgerIndex = ledger.ledgerIndex;
    const record = ledger.getOutputWithSpent(id);
    if (record === undefined) {
      // Never created, created by a transaction that is not confirmed yet, or spent and pruned.
      throw new ApiError("API_ERROR_NOT_FOUND", `output ${bytesToHex(id)} is not in the ledger`);
    }
    return { data: outputResponseToJson(record, ledgerIndex) };
  });

  done();
};
