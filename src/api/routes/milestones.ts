/** `GET /api/v1/milestones/{index}` and `…/utxo-changes` (chrysalis.md §10.2). */
import type { FastifyPluginCallback } from "fastify";
import type { RoutePluginOptions } from "../apiContext.js";
import { ApiError } from "../apiError.js";
import { milestoneToJson, utxoChangesToJson } from "../mappers/milestone.js";
import { parseMilestoneIndexParam, type RawParams } from "./params.js";

const INDEX = "index";

export const milestonesRoutes: FastifyPluginCallback<RoutePluginOptions> = (app, { ctx }, done) => {
  const { tangle, ledger } = ctx.deps;

  app.get(`/milestones/:${INDEX}`, async (request) => {
    const index = parseMilestoneIndexParam(request.params as RawParams, INDEX);
    const milestone = tangle.getMilestone(index);
    if (milestone === undefined) throw new ApiError("API_ERROR_NOT_FOUND", `milestone ${index} is not known`);
    return { data: milestoneToJson(index, milestone) };
  });

  app.get(`/milestones/:${INDEX}/utxo-changes`, async (request) => {
    const index = parseMilestoneIndexParam(request.params as RawParams, INDEX);
    // Hornet answers 500 when the diff is missing; a milestone that is not confirmed yet, or was pruned or came
    // before the snapshot, is simply not there.
    const diff = ledger.milestoneDiff(index);
    if (diff === undefined) {
      throw new ApiError("API_ERROR_NOT_FOUND", `no ledger changes are known for milestone ${index}`);
    }
    return { data: utxoChangesToJson(index, diff) };
  });

  done();
};
