/**
 * The message rates of `GET /api/v1/info`, measured per confirmed milestone as Hornet 1.2.8 does
 * (`ConfirmedMilestoneMetric`): between two consecutive confirmed milestones, messages stored per second, messages
 * referenced per second, and referenced as a percentage of stored. Time is the difference of the two milestones'
 * timestamps (TIP-8, seconds), so the rates follow the coordinator's clock, not this node's.
 *
 * The only effects of running this are its two event subscriptions; close() removes them.
 */
import type { MilestoneConfirmedEvent, NodeEventBus } from "../pipeline/events.js";
import type { StoredMilestone } from "../storage/prefixes.js";

export interface MessageRates {
  messagesPerSecond: number;
  referencedMessagesPerSecond: number;
  /** Referenced / stored × 100 over the same interval; 0 when nothing was stored. */
  referencedRate: number;
}

const NO_RATES: MessageRates = Object.freeze({
  messagesPerSecond: 0,
  referencedMessagesPerSecond: 0,
  referencedRate: 0,
});

export class ConfirmationRates {
  private stored = 0;
  private previous: { index: number; timestamp: number } | null = null;
  private current: MessageRates = NO_RATES;
  private readonly unsubscribe: Array<() => void>;

  /** `getMilestone` finds the timestamp of the milestone before the first one confirmed while this listens. */
  constructor(
    events: NodeEventBus,
    private readonly getMilestone: (index: number) => StoredMilestone | undefined,
  ) {
    this.unsubscribe = [
      events.on("message.received", () => {
        this.stored++;
      }),
      events.on("milestone.confirmed", (e) => this.onConfirmed(e)),
    ];
  }

  /** The rates of the latest interval between two confirmed milestones (zeros until there was one). */
  get rates(): MessageRates {
    return { ...this.current };
  }

  close(): void {
    for (const off of this.unsubscribe) off();
  }

  private onConfirmed(e: MilestoneConfirmedEvent): void {
    const before =
      this.previous?.index === e.index - 1 ? this.previous.timestamp : this.getMilestone(e.index - 1)?.timestamp;
    const seconds = before === undefined ? 0 : e.timestamp - Number(before);
    // Hornet keeps the last rates when the interval is empty (equal timestamps, or no earlier milestone).
    if (seconds > 0) {
      this.current = {
        messagesPerSecond: this.stored / seconds,
        referencedMessagesPerSecond: e.referenced / seconds,
        referencedRate: this.stored === 0 ? 0 : (e.referenced / this.stored) * 100,
      };
    }
    this.stored = 0;
    this.previous = { index: e.index, timestamp: e.timestamp };
  }
}
