/**
 * `GET /api/openapi.json` (Weaver issue 6): the OpenAPI document of this node's API (openapi.ts), as plain JSON
 * rather than in the data envelope, so that OpenAPI tools can load it directly. Public (auth.ts: outside `/api/v1/`).
 */
import type { FastifyPluginCallback } from "fastify";
import type { RoutePluginOptions } from "../apiContext.js";
import { OPENAPI_PATH, openApiDocument } from "../openapi.js";

export const openApiRoutes: FastifyPluginCallback<RoutePluginOptions> = (app, { ctx }, done) => {
  // The document depends only on the node's version and which optional routes it serves: built once.
  const body = JSON.stringify(
    openApiDocument({
      version: ctx.deps.node.version,
      metrics: (ctx.deps.metrics ?? null) !== null,
      faucet: ctx.options.faucet !== null,
      spammer: ctx.options.spammer !== null,
    }),
  );
  app.get(OPENAPI_PATH, async (_request, reply) => reply.type("application/json; charset=utf-8").send(body));
  done();
};
