/** `GET /api/v1/info` (chrysalis.md §10.2, iota.js `INodeInfo`). */
import type { FastifyPluginCallback } from "fastify";
import type { RoutePluginOptions } from "../apiContext.js";
import { isNodeHealthy } from "./health.js";

export interface NodeInfoJson {
  name: string;
  version: string;
  isHealthy: boolean;
  /** The network *name*: iota.js hashes it into the numeric id it puts into messages (client-compat.md §1). */
  networkId: string;
  bech32HRP: string;
  minPoWScore: number;
  messagesPerSecond: number;
  referencedMessagesPerSecond: number;
  referencedRate: number;
  /** Unix seconds; 0 while no milestone is known. */
  latestMilestoneTimestamp: number;
  latestMilestoneIndex: number;
  confirmedMilestoneIndex: number;
  pruningIndex: number;
  features: string[];
}

export const infoRoutes: FastifyPluginCallback<RoutePluginOptions> = (app, { ctx }, done) => {
  app.get("/info", async () => {
    const { tangle, node } = ctx.deps;
    const lmi = tangle.latestMilestoneIndex;
    const data: NodeInfoJson = {
      name: node.name,
      version: node.version,
      isHealthy: isNodeHealthy(ctx),
      networkId: node.networkName,
      bech32HRP: node.bech32Hrp,
      minPoWScore: node.minPowScore,
      ...ctx.rates.rates,
      latestMilestoneTimestamp: Number(tangle.getMilestone(lmi)?.timestamp ?? 0n),
      latestMilestoneIndex: lmi,
      confirmedMilestoneIndex: tangle.confirmedMilestoneIndex,
      pruningIndex: tangle.pruningIndex,
      features: ctx.deps.pow == null ? [] : ["PoW"],
    };
    return { data };
  });
  done();
};
