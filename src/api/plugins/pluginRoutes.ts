/**
 * The node plugins under `/api/plugins` (Hornet serves its plugins' routes there): the faucet at `/faucet/v1` and
 * the spammer at `/spammer/v1`, each only when its options are given; a plugin that is off has no routes (404, as a
 * Hornet node without the plugin). Both issue messages through the node's ingestion with the plugin PoW engine, and
 * are stopped when the server closes, before the node closes its database.
 */
import type { FastifyPluginCallback } from "fastify";
import type { RoutePluginOptions } from "../apiContext.js";
import { Faucet } from "./faucet/faucet.js";
import { faucetRoutes } from "./faucet/faucetRoutes.js";
import { payloadAttacher } from "./payloadAttacher.js";
import { SeedWallet } from "./seedWallet.js";
import { Spammer } from "./spammer/spammer.js";
import { spammerRoutes } from "./spammer/spammerRoutes.js";

/** BIP-44 address indexes of the faucet seed that the spammer's value transfers move between. */
const SPAMMER_ADDRESS_INDEXES = [1, 2] as const;

export const pluginRoutes: FastifyPluginCallback<RoutePluginOptions> = (app, { ctx }, done) => {
  const { deps, options } = ctx;
  if (options.faucet === null && options.spammer === null) {
    done();
    return;
  }
  const pow = deps.pluginPow ?? deps.pow ?? null;
  if (pow === null && deps.node.minPowScore > 0) {
    done(new Error("the faucet and the spammer need a PoW engine (pluginPow) when the minimum PoW score is above 0"));
    return;
  }
  const attach = payloadAttacher({
    networkId: deps.node.networkId,
    minPowScore: deps.node.minPowScore,
    pow,
    submit: (bytes, submitOptions) => deps.ingress.submit(bytes, submitOptions),
  });
  const logger = deps.logger;
  const confirmedMilestoneIndex = (): number => deps.tangle.confirmedMilestoneIndex;
  const { belowMaxDepth } = deps.tipSelector.options.params;

  const faucet =
    options.faucet === null
      ? null
      : new Faucet(options.faucet, {
          ledger: deps.ledger,
          events: deps.pipeline.events,
          selectTips: () => deps.tipSelector.selectTips(),
          attach,
          confirmedMilestoneIndex,
          belowMaxDepth,
          hrp: deps.node.bech32Hrp,
          now: deps.now,
          ...(logger === undefined ? {} : { logger: logger.child({ component: "faucet" }) }),
        });
  const faucetSeed = options.faucet?.seed ?? null;
  const spammer =
    options.spammer === null
      ? null
      : new Spammer(options.spammer, {
          selectTips: () => deps.tipSelector.selectSpammerTips().tips,
          attach,
          almostSynced: () => deps.gossip.syncStatus().almostSynced,
          value:
            faucet === null || faucetSeed === null
              ? null
              : {
                  wallets: [
                    SeedWallet.fromSeed(faucetSeed, SPAMMER_ADDRESS_INDEXES[0]),
                    SeedWallet.fromSeed(faucetSeed, SPAMMER_ADDRESS_INDEXES[1]),
                  ],
                  ledger: deps.ledger,
                  events: deps.pipeline.events,
                  requestFunds: (address) => faucet.requestFunds(address),
                  confirmedMilestoneIndex,
                  belowMaxDepth,
                },
          ...(logger === undefined ? {} : { logger: logger.child({ component: "spammer" }) }),
        });

  if (faucet !== null) app.register(faucetRoutes, { prefix: "/faucet/v1", faucet });
  if (spammer !== null) app.register(spammerRoutes, { prefix: "/spammer/v1", spammer });
  app.addHook("onClose", async () => {
    await spammer?.close();
    await faucet?.close();
  });
  done();
};
