/**
 * `GET /api/v1/transactions/{transactionId}/included-message` and its `/metadata`, `/raw` and `/children` (chrysalis.md
 * §10.2): the message routes' answers for the message whose transaction the ledger included. As Hornet does, that
 * message is found through output `transactionId ‖ 0`, which every included transaction creates (TIP-7: at least
 * one output). A conflicting transaction creates none, so it is a 404, as is one whose output 0 was spent and pruned.
 */
import type { FastifyPluginCallback } from "fastify";
import { outputId } from "../../codec/index.js";
import { bytesToHex } from "../../primitives/hex.js";
import type { ApiContext, RoutePluginOptions } from "../apiContext.js";
import { ApiError } from "../apiError.js";
import { childrenById, messageJsonById, messageMetadataById, sendMessageRaw } from "./messages.js";
import { parseIdParam, type RawParams } from "./params.js";

const TRANSACTION_ID = "transactionId";
const INCLUDED = `/transactions/:${TRANSACTION_ID}/included-message`;

/** The id of the message that included the transaction named by the path; 400 for a bad id, 404 if none. */
export function includedMessageId(ctx: ApiContext, params: RawParams): Uint8Array {
  const transactionId = parseIdParam(params, TRANSACTION_ID);
  const output = ctx.deps.ledger.getOutput(outputId(transactionId, 0));
  if (output === undefined) {
    throw new ApiError(
      "API_ERROR_NOT_FOUND",
      `no included transaction ${bytesToHex(transactionId)} is in the ledger (unknown, conflicting, or pruned)`,
    );
  }
  return output.messageId;
}

export const transactionsRoutes: FastifyPluginCallback<RoutePluginOptions> = (app, { ctx }, done) => {
  app.get(INCLUDED, async (request) => ({
    data: messageJsonById(ctx, includedMessageId(ctx, request.params as RawParams)),
  }));

  app.get(`${INCLUDED}/metadata`, async (request) => ({
    data: messageMetadataById(ctx, includedMessageId(ctx, request.params as RawParams)),
  }));

  app.get(`${INCLUDED}/raw`, async (request, reply) =>
    sendMessageRaw(ctx, includedMessageId(ctx, request.params as RawParams), reply),
  );

  app.get(`${INCLUDED}/children`, async (request) => ({
    data: childrenById(ctx, includedMessageId(ctx, request.params as RawParams)),
  }));

  done();
};
