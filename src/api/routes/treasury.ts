/** `GET /api/v1/treasury` (chrysalis.md §10.2, TIP-17): the one unspent treasury output. */
import type { FastifyPluginCallback } from "fastify";
import type { RoutePluginOptions } from "../apiContext.js";
import { ApiError } from "../apiError.js";
import { treasuryToJson } from "../mappers/receipt.js";

export const treasuryRoutes: FastifyPluginCallback<RoutePluginOptions> = (app, { ctx }, done) => {
  app.get("/treasury", async () => {
    const treasury = ctx.deps.ledger.treasury();
    // Only a ledger that was never loaded from a snapshot lacks it.
    if (treasury === undefined) throw new ApiError("API_ERROR_NOT_FOUND", "the ledger holds no treasury output yet");
    return { data: treasuryToJson(treasury) };
  });
  done();
};
