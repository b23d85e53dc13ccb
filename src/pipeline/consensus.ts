/**
 * Wires milestone tracking and confirmation onto a message pipeline: the milestone validator behind the payload
 * router, the confirmer behind the tracker and the solid-message events. The composition root (src/node) calls this
 * once after createMessagePipeline; tests and benchmarks call it to get the same wiring.
 */
import type { BatchSignatureVerifier } from "../ledger/signaturePool.js";
import type { SignatureVerifier } from "../ledger/types.js";
import type { Tangle } from "../tangle/tangle.js";
import { type ConfirmationLedger, Confirmer, type MilestoneRequester } from "./confirmer.js";
import type { MessagePipeline } from "./messagePipeline.js";
import { type MilestoneCheck, MilestoneTracker } from "./milestoneTracker.js";

export interface ConsensusModules {
  tangle: Tangle;
  ledger: ConfirmationLedger;
  validator: MilestoneCheck;
  now: () => number;
  verify?: SignatureVerifier;
  signaturePool?: BatchSignatureVerifier;
  milestoneRequester?: MilestoneRequester;
}

export interface Consensus {
  tracker: MilestoneTracker;
  confirmer: Confirmer;
  /** Unsubscribes everything this wiring added. */
  close(): void;
}

export function attachConsensus(pipeline: MessagePipeline, modules: ConsensusModules): Consensus {
  const confirmer = new Confirmer({
    tangle: modules.tangle,
    ledger: modules.ledger,
    events: pipeline.events,
    durableEvents: pipeline.durableEvents,
    now: modules.now,
    ...(modules.verify === undefined ? {} : { verify: modules.verify }),
    ...(modules.signaturePool === undefined ? {} : { signaturePool: modules.signaturePool }),
    ...(modules.milestoneRequester === undefined ? {} : { milestoneRequester: modules.milestoneRequester }),
  });
  const tracker = new MilestoneTracker({
    tangle: modules.tangle,
    router: pipeline.router,
    events: pipeline.events,
    durableEvents: pipeline.durableEvents,
    validator: modules.validator,
    onMilestone: (index) => confirmer.onMilestone(index),
  });
  const offSolid = pipeline.events.on("message.solid", (e) => confirmer.onMessageSolid(e.messageIdHex));
  // Milestones that were recorded and solid before a restart.
  confirmer.poke();
  return {
    tracker,
    confirmer,
    close: () => {
      offSolid();
      tracker.close();
    },
  };
}
