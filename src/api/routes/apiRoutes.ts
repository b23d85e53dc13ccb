/** `GET /api/routes` (Hornet): the API groups this node serves under `/api/`. */
import type { FastifyPluginCallback } from "fastify";
import type { RoutePluginOptions } from "../apiContext.js";

/** Relative to `/api/`, as Hornet lists them. */
export const API_ROUTE_GROUPS: readonly string[] = Object.freeze(["v1"]);

export const apiRoutesRoutes: FastifyPluginCallback<RoutePluginOptions> = (app, _options, done) => {
  app.get("/routes", async () => ({ data: { routes: [...API_ROUTE_GROUPS] } }));
  done();
};
