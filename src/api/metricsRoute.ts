/**
 * `GET /metrics` (outside `/api`): the node's metrics in the Prometheus text exposition format, with the content
 * type of the registry (`text/plain; version=0.0.4`). Prometheus scrapes plain text, so the answer is not wrapped in
 * the API's JSON envelope; a failure still is (the server's error handler).
 *
 * Hornet serves its metrics on a separate port; Weaver serves them on the API port, where access control decides
 * (auth.ts: outside `/api/v1/` and `/api/plugins/`, so public unless listed there). Every label value is drawn from a
 * bounded set (metrics.ts), and a scrape costs one pass over the stages' counters and the peer list.
 */
import type { FastifyPluginCallback } from "fastify";
import type { Metrics } from "../metrics/metrics.js";

export const METRICS_PATH = "/metrics";

export interface MetricsRouteOptions {
  metrics: Pick<Metrics, "registry">;
}

export const metricsRoute: FastifyPluginCallback<MetricsRouteOptions> = (app, { metrics }, done) => {
  app.get(METRICS_PATH, async (_request, reply) => {
    const text = await metrics.registry.metrics();
    return reply.type(metrics.registry.contentType).send(text);
  });
  done();
};
