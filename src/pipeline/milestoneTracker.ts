/**
 * Milestone tracking (chrysalis.md §13 step 2, ARCHITECTURE.md §2.5 step 8): every stored message with a milestone
 * payload is checked against the configured key ranges and threshold (TIP-8). A valid one is recorded as milestone
 * `index` (the first valid message for an index wins, as Hornet's StoreMilestoneIfAbsent does), its message's
 * metadata gets the milestone flag, the latest milestone index moves up, and the confirmer hears of it. A message
 * that fails the check is an ordinary message (chrysalis.md §5.3) and only counted.
 *
 * The only effects: staged writes through the tangle (joining the message's own batch, since the payload router
 * runs inside ingestion), `milestone.latest` once durable, and the `onMilestone` callback.
 */
import type { Message, MilestonePayload } from "../codec/index.js";
import type { Tangle } from "../tangle/tangle.js";
import type { DurableEventQueue } from "./durableEvents.js";
import type { NodeEventBus } from "./events.js";
import type { PayloadRouter, RoutedMessage } from "./payloadRouter.js";

/** What the tracker needs of a milestone validator (src/milestones/milestoneValidator.ts). */
export interface MilestoneCheck {
  validate(
    message: Message,
    messageBytes?: Uint8Array,
  ): { valid: true; index: number; milestoneId: Uint8Array; timestamp: number } | { valid: false; reason: string };
}

export interface MilestoneTrackerModules {
  tangle: Tangle;
  router: PayloadRouter;
  events: NodeEventBus;
  durableEvents: DurableEventQueue;
  validator: MilestoneCheck;
  /** Called synchronously for every newly recorded milestone (the confirmer). */
  onMilestone?: (index: number) => void;
}

export interface MilestoneTrackerStats {
  valid: number;
  invalid: number;
  /** Valid milestones for an index that was already recorded or confirmed. */
  ignored: number;
  invalidByReason: Record<string, number>;
}

export class MilestoneTracker {
  private readonly counters: MilestoneTrackerStats = { valid: 0, invalid: 0, ignored: 0, invalidByReason: {} };
  private readonly unsubscribe: () => void;

  constructor(private readonly modules: MilestoneTrackerModules) {
    this.unsubscribe = modules.router.on(1, (m) => this.onMilestonePayload(m));
  }

  stats(): MilestoneTrackerStats {
    return { ...this.counters, invalidByReason: { ...this.counters.invalidByReason } };
  }

  close(): void {
    this.unsubscribe();
  }

  private onMilestonePayload(m: RoutedMessage<MilestonePayload>): void {
    const { tangle, validator } = this.modules;
    const verdict = validator.validate(m.message, m.bytes);
    if (!verdict.valid) {
      this.counters.invalid++;
      this.counters.invalidByReason[verdict.reason] = (this.counters.invalidByReason[verdict.reason] ?? 0) + 1;
      return;
    }
    const index = verdict.index;
    // A confirmed index is settled (it may come from a snapshot, with nothing stored); a recorded one keeps its
    // first valid message.
    if (index <= tangle.confirmedMilestoneIndex || tangle.getMilestone(index) !== undefined) {
      this.counters.ignored++;
      return;
    }
    this.counters.valid++;
    tangle.putMilestone(index, {
      messageId: m.messageId,
      milestoneId: verdict.milestoneId,
      timestamp: BigInt(verdict.timestamp),
    });
    const meta = tangle.getMetadata(m.messageId);
    if (meta !== undefined) tangle.setMetadata(m.messageId, { ...meta, milestone: true, milestoneIndex: index });
    if (index > tangle.latestMilestoneIndex) {
      tangle.setLatestMilestoneIndex(index);
      const event = {
        index,
        messageId: m.messageId,
        messageIdHex: m.messageIdHex,
        milestoneId: verdict.milestoneId,
        timestamp: verdict.timestamp,
      };
      this.modules.durableEvents.queue(() => this.modules.events.emit("milestone.latest", event));
    }
    this.modules.onMilestone?.(index);
  }
}
