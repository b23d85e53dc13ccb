/**
 * Fires callbacks once everything staged so far is durable (events.ts guarantee 1). One queue is shared by every
 * stage that stages writes through the same tangle (ingress, milestone tracker, confirmer), so events keep the order
 * in which their state was staged: batches commit one after another and the callbacks of one batch run in the order
 * they were queued. If a batch fails they never fire: the state they describe was lost, and the store refuses
 * further writes.
 */
export interface DurabilitySource {
  durable(): Promise<void>;
}

export class DurableEventQueue {
  /** Callbacks waiting for the batch that `durable` stands for (the newest one queued). */
  private pending: { durable: Promise<void>; fires: Array<() => void> } | null = null;
  private waiting = 0;

  constructor(private readonly source: DurabilitySource) {}

  /** Callbacks queued and not yet fired (or dropped with a failed batch): the metrics' queue length. */
  get length(): number {
    return this.waiting;
  }

  queue(fire: () => void): void {
    const durable = this.source.durable();
    // One promise reaction per batch rather than per event: thousands of messages share a batch.
    if (this.pending?.durable !== durable) {
      const fires: Array<() => void> = [];
      this.pending = { durable, fires };
      void durable.then(
        () => {
          this.waiting -= fires.length;
          for (const f of fires) f();
        },
        () => {
          this.waiting -= fires.length;
        },
      );
    }
    this.pending.fires.push(fire);
    this.waiting++;
  }
}
