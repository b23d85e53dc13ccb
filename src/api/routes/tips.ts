/** `GET /api/v1/tips` (chrysalis.md §10.2): up to 4 non-lazy tips, sorted; 503 while not synced or without tips. */
import type { FastifyPluginCallback } from "fastify";
import { bytesToHex } from "../../primitives/hex.js";
import { TangleError } from "../../tangle/tangleError.js";
import type { RoutePluginOptions } from "../apiContext.js";
import { ApiError } from "../apiError.js";
import { hasQueryFlag, type RawParams } from "./params.js";

export const tipsRoutes: FastifyPluginCallback<RoutePluginOptions> = (app, { ctx }, done) => {
  app.get("/tips", async (request) => {
    const { tipSelector } = ctx.deps;
    let tips: Uint8Array[];
    try {
      // Hornet's extra `?spammerTips` (any case, any value) asks for the spammer's pools.
      tips = hasQueryFlag(request.query as RawParams, "spammerTips")
        ? tipSelector.selectSpammerTips().tips
        : tipSelector.selectTips();
    } catch (e) {
      if (e instanceof TangleError && e.code === "TANGLE_ERROR_NOT_SYNCED") {
        throw new ApiError("API_ERROR_NOT_SYNCED", e.message);
      }
      if (e instanceof TangleError && e.code === "TANGLE_ERROR_NO_TIPS")
        throw new ApiError("API_ERROR_NO_TIPS", e.message);
      throw e;
    }
    return { data: { tipMessageIds: tips.map(bytesToHex) } };
  });
  done();
};
