/** `GET /health` (outside `/api`): 200 if the node is healthy, 503 if not, no body (chrysalis.md §10.2). */
import type { FastifyPluginCallback } from "fastify";
import { isNodeAlmostSynced } from "../../tangle/tipSelector.js";
import type { ApiContext, RoutePluginOptions } from "../apiContext.js";

/**
 * Hornet `IsNodeHealthy`: almost synced (CMI ≥ LMI − 2), at least one connected peer (unless the node is configured
 * to run without peers), and a latest milestone no older than the configured age (5 minutes) by our clock.
 */
export function isNodeHealthy(ctx: ApiContext): boolean {
  const { tangle, gossip, now } = ctx.deps;
  const lmi = tangle.latestMilestoneIndex;
  if (!isNodeAlmostSynced(tangle.confirmedMilestoneIndex, lmi)) return false;
  if (ctx.options.healthNeedsPeers && gossip.syncStatus().connectedPeers === 0) return false;
  const latest = tangle.getMilestone(lmi);
  if (latest === undefined) return false;
  return now() - Number(latest.timestamp) * 1000 <= ctx.options.healthMaxMilestoneAgeMs;
}

export const healthRoutes: FastifyPluginCallback<RoutePluginOptions> = (app, { ctx }, done) => {
  // An empty body with either status, as Hornet answers; iota.js `health()` reads only the status.
  app.get("/health", async (_request, reply) => reply.code(isNodeHealthy(ctx) ? 200 : 503).send());
  done();
};
