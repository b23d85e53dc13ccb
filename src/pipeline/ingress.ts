/**
 * The single entry point for messages (ARCHITECTURE.md §2.5 steps 3–9): peers, the REST API and the coordinator all
 * call submit(), and every message gets the same treatment in the same order:
 *
 *   length → message id → dedupe → strict decode (TIP-6/7/8) → network id → PoW (unless we requested it)
 *   → [API only: parents solid and not below max depth] → store → payload routing → solidification → tip pool
 *
 * Everything from "store" on is staged into one batch of the tangle's StagedStore (group commit); submit() resolves
 * and the events fire once that batch is durable. Invalid messages cost at most a hash and a decode, are counted by
 * reason, and leave nothing behind but a bounded cache entry.
 *
 * Dedupe keys on the BLAKE2b-256 message id rather than on a salted 64-bit hash of the bytes (ARCHITECTURE.md step
 * 3): the id is needed anyway, costs ~1 µs for 300 bytes, and is collision-resistant, so no salt is needed to stop
 * an attacker from making two messages collide (docs/architecture-notes.md).
 */
import { CodecError, decodeMessage, type Message, messageId } from "../codec/index.js";
import { powScore } from "../crypto/powScore.js";
import { MESSAGE_LENGTH_MAX } from "../params/protocol.js";
import { bytesToHex } from "../primitives/hex.js";
import type { EvictionReason, Solidifier } from "../tangle/solidifier.js";
import type { SubmissionRejection } from "../tangle/submissionCheck.js";
import type { Tangle } from "../tangle/tangle.js";
import { Lru } from "../util/lru.js";
import type { DurableEventQueue } from "./durableEvents.js";
import type { MessageSource, NodeEventBus } from "./events.js";
import { MESSAGE_ERROR_CODES, type MessageErrorCode } from "./messageError.js";
import type { PayloadRouter } from "./payloadRouter.js";

export interface IngressOptions {
  /** Our network id (chrysalis.md §1.4); messages of other networks are rejected. */
  networkId: bigint;
  /** TIP-12 minimum score for unrequested messages (Hornet: 4000 on mainnet). */
  minPowScore: number;
  /**
   * Ids remembered as seen, so a duplicate costs one hash and one map lookup. Older duplicates still hit the
   * store's index. 100k ids ≈ 15 MB; at 1,000 messages/s that is the last ~100 s of traffic, longer than a gossip
   * round trip plus Hornet's 15 s request timeout.
   */
  dedupeCacheSize?: number;
  /** Ids of messages rejected for context-free reasons (syntax, network id), so repeats are rejected at once. */
  rejectedCacheSize?: number;
}

export interface SubmitOptions {
  source: MessageSource;
  peerId?: string;
  /** We asked for this message (it is referenced by something valid): skip the PoW check (Hornet). */
  requested?: boolean;
  /** For requested messages: the milestone whose cone it belongs to (forwarded to requests for its parents). */
  milestoneIndex?: number;
}

export type IngressResult =
  | { status: "new"; messageId: Uint8Array; messageIdHex: string; solid: boolean }
  | { status: "known"; messageId: Uint8Array; messageIdHex: string }
  | { status: "rejected"; code: MessageErrorCode; detail: string; messageIdHex?: string };

/** Receives every message that becomes solid (the URTS tip pool). */
export interface SolidMessageSink {
  onSolid(id: Uint8Array, parents: Uint8Array[]): void;
}

export interface IngressModules {
  tangle: Tangle;
  solidifier: Solidifier;
  router: PayloadRouter;
  events: NodeEventBus;
  durableEvents: DurableEventQueue;
  now: () => number;
  tipPool?: SolidMessageSink;
  /** Checks the parents of API submissions (chrysalis.md §7 "Below max depth on submission"). */
  checkSubmission?: (parents: readonly Uint8Array[]) => SubmissionRejection | null;
}

export interface IngressStats {
  received: number;
  new: number;
  known: number;
  solid: number;
  rejected: Record<MessageErrorCode, number>;
}

const DEFAULT_DEDUPE_CACHE_SIZE = 100_000;
const DEFAULT_REJECTED_CACHE_SIZE = 10_000;

interface Rejection {
  code: MessageErrorCode;
  detail: string;
}

export class Ingress {
  private readonly seen: Lru<true>;
  private readonly rejectedIds: Lru<Rejection>;
  private readonly counters: IngressStats;

  constructor(
    private readonly options: IngressOptions,
    private readonly modules: IngressModules,
  ) {
    this.seen = new Lru(options.dedupeCacheSize ?? DEFAULT_DEDUPE_CACHE_SIZE);
    this.rejectedIds = new Lru(options.rejectedCacheSize ?? DEFAULT_REJECTED_CACHE_SIZE);
    const rejected = Object.fromEntries(MESSAGE_ERROR_CODES.map((c) => [c, 0])) as Record<MessageErrorCode, number>;
    this.counters = { received: 0, new: 0, known: 0, solid: 0, rejected };
  }

  stats(): IngressStats {
    return { ...this.counters, rejected: { ...this.counters.rejected } };
  }

  /**
   * Runs `bytes` through the pipeline. Resolves when the outcome is durable (for "new") or decided; never rejects
   * for bad input (a typed "rejected" result instead). Waits first when the store is behind (backpressure), so
   * callers that await each submit cannot grow memory without bound.
   */
  async submit(bytes: Uint8Array, opts: SubmitOptions): Promise<IngressResult> {
    const store = this.modules.tangle.store;
    if (store.needsDrain) await store.drain();
    const result = this.process(bytes, opts);
    if (result.status === "new") await this.modules.tangle.durable();
    return result;
  }

  /**
   * The synchronous part of submit(): decides and stages, queues events for the next durable point. Exposed for
   * the benchmark and for batch sources (sync, snapshots) that await durability themselves.
   */
  process(bytes: Uint8Array, opts: SubmitOptions): IngressResult {
    const { tangle, solidifier, router, now } = this.modules;
    this.counters.received++;

    // MUST (TIP-6): a message is at most 32768 bytes; checked before any work proportional to the length.
    if (bytes.length === 0 || bytes.length > MESSAGE_LENGTH_MAX) {
      return this.reject(opts, {
        code: "MESSAGE_ERROR_INVALID_LENGTH",
        detail: `message is ${bytes.length} bytes, expected 1..${MESSAGE_LENGTH_MAX}`,
      });
    }
    const id = messageId(bytes);
    const idHex = bytesToHex(id);
    if (this.seen.has(idHex) || tangle.hasMessage(id)) {
      this.counters.known++;
      return { status: "known", messageId: id, messageIdHex: idHex };
    }
    const earlier = this.rejectedIds.get(idHex);
    if (earlier !== undefined) return this.reject(opts, earlier, idHex);

    // The caller may reuse its buffer; what we store and hand out must not change under us.
    const own = bytes.slice();
    let message: Message;
    try {
      message = decodeMessage(own, "untrusted");
    } catch (e) {
      if (!(e instanceof CodecError)) throw e;
      return this.rejectRemembered(opts, idHex, {
        code: "MESSAGE_ERROR_INVALID_SYNTAX",
        detail: `${e.code}: ${e.message}`,
      });
    }
    // MUST (chrysalis.md §1.4): only messages of our network.
    if (message.networkId !== this.options.networkId) {
      return this.rejectRemembered(opts, idHex, {
        code: "MESSAGE_ERROR_INVALID_NETWORK_ID",
        detail: `network id ${message.networkId} is not ours (${this.options.networkId})`,
      });
    }
    // TIP-12: unrequested messages must carry enough PoW; requested ones are referenced by something valid already.
    // Not remembered as rejected: the same bytes may arrive later as a requested parent.
    if (opts.requested !== true) {
      const score = powScore(own);
      if (score < this.options.minPowScore) {
        return this.reject(
          opts,
          {
            code: "MESSAGE_ERROR_INSUFFICIENT_POW",
            detail: `PoW score ${score.toFixed(1)} is below ${this.options.minPowScore}`,
          },
          idHex,
        );
      }
    }
    if (opts.source === "api" && this.modules.checkSubmission) {
      const bad = this.modules.checkSubmission(message.parents);
      if (bad !== null) {
        return this.reject(
          opts,
          {
            code:
              bad.code === "PARENT_NOT_SOLID"
                ? "MESSAGE_ERROR_PARENT_NOT_SOLID"
                : "MESSAGE_ERROR_PARENT_BELOW_MAX_DEPTH",
            detail: `parent ${bytesToHex(bad.parent)} ${bad.code === "PARENT_NOT_SOLID" ? "is not solid" : "is below max depth"}`,
          },
          idHex,
        );
      }
    }

    const arrivedAt = now();
    tangle.storeMessage({ id, bytes: own, message, arrivedAt });
    this.seen.set(idHex, true);
    this.counters.new++;
    const requested = opts.requested === true;
    this.queue(() =>
      this.modules.events.emit("message.received", {
        messageId: id,
        messageIdHex: idHex,
        message,
        bytes: own,
        source: opts.source,
        ...(opts.peerId === undefined ? {} : { peerId: opts.peerId }),
        requested,
      }),
    );
    router.route(id, idHex, message, own);
    const hint = {
      milestoneIndex: opts.milestoneIndex ?? tangle.latestMilestoneIndex,
      ...(opts.peerId === undefined ? {} : { peerId: opts.peerId }),
    };
    const solid = solidifier.add(
      id,
      idHex,
      message.parents,
      { arrivedAt, lmiAtArrival: tangle.latestMilestoneIndex },
      hint,
    );
    return { status: "new", messageId: id, messageIdHex: idHex, solid };
  }

  /** Called by the solidifier (through the composition root) for every message that turns solid. */
  onSolid(id: Uint8Array, idHex: string): void {
    this.counters.solid++;
    const tipPool = this.modules.tipPool;
    if (tipPool !== undefined) tipPool.onSolid(id, this.modules.tangle.getParents(id) ?? []);
    this.queue(() => this.modules.events.emit("message.solid", { messageId: id, messageIdHex: idHex }));
  }

  /** Called by the solidifier for every evicted message: forget it, so a later copy counts as new. */
  onEvicted(id: Uint8Array, idHex: string, reason: EvictionReason): void {
    this.seen.delete(idHex);
    this.counters.rejected[reason === "capacity" ? "MESSAGE_ERROR_EVICTED_CAPACITY" : "MESSAGE_ERROR_EVICTED_AGE"]++;
    this.queue(() => this.modules.events.emit("message.evicted", { messageId: id, messageIdHex: idHex, reason }));
  }

  private queue(fire: () => void): void {
    this.modules.durableEvents.queue(fire);
  }

  private rejectRemembered(opts: SubmitOptions, idHex: string, r: Rejection): IngressResult {
    this.rejectedIds.set(idHex, r);
    return this.reject(opts, r, idHex);
  }

  private reject(opts: SubmitOptions, r: Rejection, idHex?: string): IngressResult {
    this.counters.rejected[r.code]++;
    this.modules.events.emit("message.rejected", {
      code: r.code,
      detail: r.detail,
      source: opts.source,
      ...(opts.peerId === undefined ? {} : { peerId: opts.peerId }),
      ...(idHex === undefined ? {} : { messageIdHex: idHex }),
    });
    return idHex === undefined
      ? { status: "rejected", code: r.code, detail: r.detail }
      : { status: "rejected", code: r.code, detail: r.detail, messageIdHex: idHex };
  }
}
