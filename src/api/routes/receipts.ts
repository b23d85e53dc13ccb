/**
 * `GET /api/v1/receipts` and `GET /api/v1/receipts/{migratedAt}` (chrysalis.md §10.2, TIP-17): the receipts of
 * confirmed milestones in migratedAt order, each with the milestone that carried it. None is an empty list, not 404.
 */
import type { FastifyPluginCallback } from "fastify";
import type { RoutePluginOptions } from "../apiContext.js";
import { receiptsToJson } from "../mappers/receipt.js";
import { parseMilestoneIndexParam, type RawParams } from "./params.js";

const MIGRATED_AT = "migratedAt";

export const receiptsRoutes: FastifyPluginCallback<RoutePluginOptions> = (app, { ctx }, done) => {
  const { ledger } = ctx.deps;

  app.get("/receipts", async () => ({ data: receiptsToJson(ledger.receipts()) }));

  app.get(`/receipts/:${MIGRATED_AT}`, async (request) => {
    // A legacy milestone index: a decimal u32 like our own milestone indexes (Hornet parses both alike).
    const migratedAt = parseMilestoneIndexParam(request.params as RawParams, MIGRATED_AT);
    return { data: receiptsToJson(ledger.receipts(migratedAt)) };
  });

  done();
};
