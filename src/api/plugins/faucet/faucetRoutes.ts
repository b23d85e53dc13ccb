/**
 * `/api/plugins/faucet/v1` (Hornet's faucet plugin; public routes, auth.ts): `GET /info` and
 * `POST /enqueue {"address": "<bech32>"}`, answered 202 `{address, waitingRequests}` once the request is queued.
 */
import type { FastifyPluginCallback } from "fastify";
import { ApiError } from "../../apiError.js";
import type { Faucet } from "./faucet.js";

export interface FaucetRouteOptions {
  faucet: Faucet;
}

export const faucetRoutes: FastifyPluginCallback<FaucetRouteOptions> = (app, { faucet }, done) => {
  app.get("/info", async () => ({ data: faucet.info() }));

  app.post("/enqueue", async (request, reply) => {
    const body = request.body;
    // As in Hornet, fields other than address are ignored.
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new ApiError("API_ERROR_INVALID_BODY", 'the body must be a JSON object {"address": "<bech32 address>"}');
    }
    return reply.code(202).send({ data: faucet.enqueue((body as { address?: unknown }).address) });
  });

  done();
};
