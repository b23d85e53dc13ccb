/**
 * Counts and times every API answer by method, route template and status (weaver_api_requests_total,
 * weaver_api_request_duration_seconds; docs/metrics.md).
 *
 * The route label is the pattern that matched (`/api/v1/messages/:messageId`), never the requested URL: a URL is
 * chosen by the client, and labelling by it would let anyone create series without bound. Requests that match no
 * route (404s) share the one label UNMATCHED_ROUTE. Methods are bounded by what Node's HTTP parser accepts, status
 * codes by HTTP. fastify runs no hooks for what its router refuses before routing (FST_ERR_BAD_URL,
 * FST_ERR_MAX_PARAM_LENGTH, answered by server.ts's frameworkErrors) or for invalid HTTP, so those are not counted.
 */
import type { FastifyInstance } from "fastify";
import type { Metrics } from "../metrics/metrics.js";

export const UNMATCHED_ROUTE = "unmatched";

/**
 * Adds the onResponse hook to `app`. Call it on the root instance before the route plugins are registered, so it
 * covers every route, the 404 answer and requests that an onRequest hook (access control) answers.
 */
export function registerRequestMetrics(
  app: FastifyInstance,
  metrics: Pick<Metrics, "apiRequests" | "apiRequestDuration">,
): void {
  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    const method = request.method;
    metrics.apiRequests.inc({ method, route, status: String(reply.statusCode) });
    metrics.apiRequestDuration.observe({ method, route }, reply.elapsedTime / 1000);
  });
}
