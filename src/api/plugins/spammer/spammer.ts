/**
 * The spammer (Hornet's spammer plugin, for benchmarks): messages at a target rate, each on spammer tips (TIP-3:
 * semi-lazy tips once that pool fills, so the spam pulls old cones forward) with the node's PoW, into the node's own
 * ingestion. Indexation messages by default; with `valueTransactions`, value transfers between two spammer
 * addresses (valueChain.ts) whenever the chain has an output ready, and indexation messages in between.
 *
 * A token bucket paces the sends; at most `maxInFlight` messages are being built, mined and ingested at once, so when
 * PoW or ingestion is slower than the target, the achieved rate (reported in the status) is what the node manages.
 */
import type { MessagePayload } from "../../../codec/index.js";
import { type Logger, silentLogger } from "../../../logger/logger.js";
import type { IngressResult } from "../../../pipeline/ingress.js";
import { utf8ToBytes } from "../../../primitives/bytes.js";
import type { SpammerOptions } from "../../apiContext.js";
import { ApiError } from "../../apiError.js";
import { type AttachPayload, messageParents } from "../payloadAttacher.js";
import { ValueChain, type ValueChainModules, type ValueStep } from "./valueChain.js";

/** Hornet's spammer writes "HORNET Spammer". */
export const SPAMMER_INDEX = "WEAVER Spammer";
export const SPAMMER_MPS_MIN = 1;
export const SPAMMER_MPS_MAX = 1000;
export const DEFAULT_SPAMMER_MAX_IN_FLIGHT = 8;
/** Pacing period bounds: fine enough for 1000 mps, coarse enough not to spin at 1 mps. */
const TICK_MIN_MS = 5;
const TICK_MAX_MS = 100;
/** Credit the bucket keeps when sends fall behind: a short burst, not a backlog. */
const BURST_SECONDS = 0.1;

export interface SpammerModules {
  /** Tips for the spam (TipSelector.selectSpammerTips); throws when the node is not synced or has none. */
  selectTips(): Uint8Array[];
  attach: AttachPayload;
  almostSynced(): boolean;
  /** What the value transfers need; null when the node has no faucet wallet to fund them. */
  value: ValueChainModules | null;
  logger?: Logger;
}

export interface SpammerStart {
  /** Target messages per second, 1..1000. */
  mps: number;
  valueTransactions: boolean;
}

/** `GET /api/plugins/spammer/v1/status`. Counts are since the last start. */
export interface SpammerStatus {
  running: boolean;
  /** The target rate (0 before the first start). */
  mps: number;
  valueTransactions: boolean;
  /** Messages the node took in. */
  sent: number;
  /** Of those, value transfers. */
  sentValue: number;
  /** Messages that could not be sent: no tips, a refusal of the node, a failed PoW. */
  failed: number;
  /** sent per second of running time, to two decimals. */
  achievedMps: number;
}

export class Spammer {
  private readonly maxInFlight: number;
  private readonly logger: Logger;
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private stop = new AbortController();
  private chain: ValueChain | null = null;
  private settings: SpammerStart = { mps: 0, valueTransactions: false };
  private credit = 0;
  private lastTick = 0;
  private startedAt = 0;
  private stoppedAt = 0;
  private sent = 0;
  private sentValue = 0;
  private failed = 0;
  /** Numbers the indexation messages, so that two never have the same bytes. */
  private serial = 0;

  constructor(
    options: SpammerOptions,
    private readonly modules: SpammerModules,
  ) {
    this.maxInFlight = options.maxInFlight ?? DEFAULT_SPAMMER_MAX_IN_FLIGHT;
    this.logger = modules.logger ?? silentLogger;
  }

  get running(): boolean {
    return this.timer !== null;
  }

  /**
   * Starts spamming at `mps`, or changes the settings of a running spammer (its counts start again). Refuses
   * value transfers when the node has no faucet wallet to fund them (400).
   */
  start(settings: SpammerStart): SpammerStatus {
    if (settings.valueTransactions && this.modules.value === null) {
      throw new ApiError(
        "API_ERROR_INVALID_PARAMETER",
        "valueTransactions needs the faucet (faucet.enabled): its wallet funds the spammer's addresses",
      );
    }
    if (settings.valueTransactions && this.chain === null && this.modules.value !== null) {
      this.chain = new ValueChain(this.modules.value);
    }
    if (this.timer !== null) clearInterval(this.timer);
    if (this.stop.signal.aborted) this.stop = new AbortController();
    this.settings = { ...settings };
    this.sent = 0;
    this.sentValue = 0;
    this.failed = 0;
    this.credit = 0;
    this.startedAt = performance.now();
    this.lastTick = this.startedAt;
    const tickMs = Math.min(TICK_MAX_MS, Math.max(TICK_MIN_MS, 1000 / settings.mps));
    this.timer = setInterval(() => this.tick(), tickMs);
    this.timer.unref();
    this.logger.info("Spammer started", { mps: settings.mps, valueTransactions: settings.valueTransactions });
    return this.status();
  }

  /** Stops sending; resolves once the messages in flight are in (their PoW is aborted). */
  async halt(): Promise<SpammerStatus> {
    if (this.timer !== null) {
      clearInterval(this.timer);
      this.timer = null;
      this.stoppedAt = performance.now();
      this.stop.abort();
      this.logger.info("Spammer stopped", { sent: this.sent, failed: this.failed });
    }
    await Promise.all(this.inFlight);
    return this.status();
  }

  status(): SpammerStatus {
    const end = this.running ? performance.now() : this.stoppedAt;
    const seconds = (end - this.startedAt) / 1000;
    return {
      running: this.running,
      mps: this.settings.mps,
      valueTransactions: this.settings.valueTransactions,
      sent: this.sent,
      sentValue: this.sentValue,
      failed: this.failed,
      achievedMps: seconds > 0 ? Math.round((this.sent / seconds) * 100) / 100 : 0,
    };
  }

  async close(): Promise<void> {
    await this.halt();
    this.chain?.close();
  }

  private tick(): void {
    const now = performance.now();
    const { mps } = this.settings;
    this.credit = Math.min(this.credit + ((now - this.lastTick) * mps) / 1000, Math.max(1, mps * BURST_SECONDS));
    this.lastTick = now;
    while (this.credit >= 1 && this.inFlight.size < this.maxInFlight) {
      this.credit -= 1;
      const sending: Promise<void> = this.sendOne().finally(() => this.inFlight.delete(sending));
      this.inFlight.add(sending);
    }
  }

  private indexation(): MessagePayload {
    this.serial++;
    return {
      type: 2,
      index: utf8ToBytes(SPAMMER_INDEX),
      data: utf8ToBytes(`Weaver spammer message ${this.serial} at ${Date.now()}`),
    };
  }

  private async sendOne(): Promise<void> {
    const { modules } = this;
    // Tip selection refuses anyway while the node is not almost synced; skipping costs less than failing.
    if (!modules.almostSynced()) return;
    const step: ValueStep | null = this.settings.valueTransactions ? (this.chain?.take() ?? null) : null;
    let result: IngressResult | null = null;
    try {
      const parents = messageParents(modules.selectTips(), step === null || step.parent === null ? [] : [step.parent]);
      result = await modules.attach(step?.payload ?? this.indexation(), parents, this.stop.signal);
    } catch (e) {
      if (!this.stop.signal.aborted) {
        this.failed++;
        this.logger.debug("Spam message not sent", { error: e instanceof Error ? e.message : String(e) });
      }
    }
    if (step !== null) this.chain?.finish(step, result);
    if (result === null) return;
    if (result.status === "rejected") {
      this.failed++;
      this.logger.debug("Spam message refused", { code: result.code, detail: result.detail });
      return;
    }
    this.sent++;
    if (step !== null) this.sentValue++;
  }
}
