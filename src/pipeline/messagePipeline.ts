/**
 * Wires the ingestion stages around one Tangle: event bus, payload router, solidifier and ingress, with the
 * solidifier reporting to the ingress (which counts, feeds the tip pool and queues events). The composition root
 * (src/node) calls this once; tests and benchmarks call it to get the same wiring.
 */
import { type Requester, Solidifier, type SolidifierOptions } from "../tangle/solidifier.js";
import type { SubmissionRejection } from "../tangle/submissionCheck.js";
import type { Tangle } from "../tangle/tangle.js";
import { DurableEventQueue } from "./durableEvents.js";
import { NodeEventBus } from "./events.js";
import { Ingress, type IngressOptions, type SolidMessageSink } from "./ingress.js";
import { PayloadRouter } from "./payloadRouter.js";

export interface MessagePipelineOptions extends IngressOptions {
  solidifier?: Partial<SolidifierOptions>;
}

export interface MessagePipelineModules {
  tangle: Tangle;
  requester: Requester;
  now: () => number;
  events?: NodeEventBus;
  tipPool?: SolidMessageSink;
  checkSubmission?: (parents: readonly Uint8Array[]) => SubmissionRejection | null;
}

export interface MessagePipeline {
  ingress: Ingress;
  solidifier: Solidifier;
  router: PayloadRouter;
  events: NodeEventBus;
  /** Shared by every stage that stages writes on this tangle, so their events keep staging order. */
  durableEvents: DurableEventQueue;
}

export function createMessagePipeline(
  options: MessagePipelineOptions,
  modules: MessagePipelineModules,
): MessagePipeline {
  const events = modules.events ?? new NodeEventBus();
  const router = new PayloadRouter();
  const durableEvents = new DurableEventQueue(modules.tangle);
  const { solidifier: solidifierOptions, ...ingressOptions } = options;
  let ingress: Ingress | undefined;
  const solidifier = new Solidifier(solidifierOptions ?? {}, {
    tangle: modules.tangle,
    requester: modules.requester,
    now: modules.now,
    listener: {
      onSolid: (id, idHex) => ingress?.onSolid(id, idHex),
      onEvicted: (id, idHex, _bytes, reason) => ingress?.onEvicted(id, idHex, reason),
    },
  });
  ingress = new Ingress(ingressOptions, {
    tangle: modules.tangle,
    solidifier,
    router,
    events,
    durableEvents,
    now: modules.now,
    ...(modules.tipPool === undefined ? {} : { tipPool: modules.tipPool }),
    ...(modules.checkSubmission === undefined ? {} : { checkSubmission: modules.checkSubmission }),
  });
  return { ingress, solidifier, router, events, durableEvents };
}
