/**
 * A persistent pool of PoW worker threads (one kernel per thread, kept warm between jobs: spawning workers per
 * job costs more than a whole 300-byte message's PoW at score 4000, PERFORMANCE.md §1).
 *
 * Jobs run one at a time, in submission order, each on every worker: the counter space (7 bytes) is split into
 * equal ranges, one per worker. Workers stop within about one chunk (~1 ms) when one of them finds a nonce, the
 * job is aborted or the pool closes, through a control word in shared memory (powWorkerProtocol.ts).
 *
 * Workers are unref'd while the pool is idle, so an idle pool never keeps the process alive; `close()` terminates
 * them. A worker that dies is replaced when the next job starts; the job it was working on is rejected.
 *
 * The only effects of running this are the worker threads it starts and the CPU they use.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { KernelChoice } from "./createCurlKernel.js";
import { COUNTER_MAX } from "./curlLayout.js";
import type { PowResult } from "./mineOnThisThread.js";
import { PowError, powAbortedError } from "./powError.js";
import { preparePowJob } from "./powJob.js";
import {
  CONTROL_RUNNING,
  CONTROL_STOPPED,
  type PowJobRequest,
  type PowWorkerData,
  type PowWorkerReply,
} from "./powWorkerProtocol.js";

export interface PowPoolOptions {
  /** Worker threads; default `os.availableParallelism()`. */
  threads?: number;
  /** Kernel in the workers; `ts` forces the pure-TS fallback. Default `auto`. */
  kernel?: KernelChoice;
  /** Worker script; defaults to the compiled powWorker.js beside this file (tests substitute a failing one). */
  workerUrl?: URL;
}

export interface PowMineOptions {
  signal?: AbortSignal;
}

interface Slot {
  worker: Worker;
  /** Id of the job whose reply this worker still owes, or -1. */
  owes: number;
  kind: Promise<"wasm-simd" | "ts">;
  lastError?: string;
}

interface Job {
  id: number;
  digest: Uint8Array;
  zeros: number;
  signal: AbortSignal | undefined;
  onAbort: () => void;
  resolve: (r: PowResult) => void;
  reject: (e: unknown) => void;
  control: Int32Array;
  pending: number;
  hashes: number;
  nonce: bigint | null;
  failure: string | null;
  began: number;
}

export class PowPool {
  readonly threads: number;
  private readonly kernel: KernelChoice;
  private readonly workerUrl: URL;
  private slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private running: Job | null = null;
  private nextId = 1;
  private closed = false;

  constructor(options: PowPoolOptions = {}) {
    const threads = options.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 1) {
      throw new PowError(
        { code: "POW_ERROR_INVALID_THREADS", threads },
        `a PoW pool needs a whole number of threads ≥ 1, got ${threads}`,
      );
    }
    this.threads = threads;
    this.kernel = options.kernel ?? "auto";
    this.workerUrl = options.workerUrl ?? new URL("./powWorker.js", import.meta.url);
    this.fillSlots();
  }

  /** The kernel the workers run (they report it once started). */
  async kernelKind(): Promise<"wasm-simd" | "ts"> {
    const first = this.slots[0];
    if (first === undefined) throw this.closedError();
    // An unref'd worker would let the process exit while this waits for its first message.
    first.worker.ref();
    try {
      return await first.kind;
    } finally {
      if (this.running === null) first.worker.unref();
    }
  }

  /**
   * Finds a nonce such that `message` with the nonce in its last 8 bytes scores at least `targetScore` (TIP-12).
   * The message's current nonce field is ignored.
   */
  async mine(message: Uint8Array, targetScore: number, options: PowMineOptions = {}): Promise<PowResult> {
    if (this.closed) throw this.closedError();
    const { digest, zeros } = preparePowJob(message, targetScore);
    const signal = options.signal;
    if (signal?.aborted) throw powAbortedError();
    return new Promise<PowResult>((resolve, reject) => {
      const job: Job = {
        id: this.nextId++,
        digest,
        zeros,
        signal,
        onAbort: () => this.abort(job),
        resolve,
        reject,
        control: new Int32Array(new SharedArrayBuffer(4)),
        pending: 0,
        hashes: 0,
        nonce: null,
        failure: null,
        began: 0,
      };
      signal?.addEventListener("abort", job.onAbort, { once: true });
      this.queue.push(job);
      this.startNext();
    });
  }

  /** Stops the running job, rejects queued ones with POW_ERROR_POOL_CLOSED and terminates the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const job of this.queue.splice(0)) this.settle(job, this.closedError());
    const running = this.running;
    if (running !== null) {
      this.running = null;
      Atomics.store(running.control, 0, CONTROL_STOPPED);
      this.settle(running, this.closedError());
    }
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private closedError(): PowError {
    return new PowError({ code: "POW_ERROR_POOL_CLOSED" }, "the PoW pool is closed");
  }

  private fillSlots(): void {
    while (this.slots.length < this.threads) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const data: PowWorkerData = { kernel: this.kernel };
    const worker = new Worker(this.workerUrl, { workerData: data });
    let ready: (kind: "wasm-simd" | "ts") => void = () => {};
    let failed: (err: Error) => void = () => {};
    const kind = new Promise<"wasm-simd" | "ts">((resolve, reject) => {
      ready = resolve;
      failed = reject;
    });
    const slot: Slot = { worker, owes: -1, kind };
    // Keep an unhandled rejection away when the worker dies before it reports its kernel.
    slot.kind.catch(() => {});
    worker.on("message", (m: PowWorkerReply) => {
      if (m.type === "ready") ready(m.kernel);
      else this.onReply(slot, m.id, m.type === "done" ? m : { failure: m.message });
    });
    worker.on("error", (err: Error) => {
      slot.lastError = err.message;
    });
    worker.on("exit", (code) => {
      const reason = slot.lastError ?? `PoW worker exited with code ${code}`;
      failed(new PowError({ code: "POW_ERROR_WORKER_FAILED", reason }, `PoW worker failed: ${reason}`));
      if (this.closed) return;
      this.slots = this.slots.filter((s) => s !== slot);
      if (slot.owes >= 0) {
        this.onReply(slot, slot.owes, { failure: reason });
      }
    });
    if (this.running === null) worker.unref();
    return slot;
  }

  private startNext(): void {
    if (this.running !== null || this.closed) return;
    const job = this.queue.shift();
    if (job === undefined) {
      for (const s of this.slots) s.worker.unref();
      return;
    }
    this.running = job;
    this.fillSlots();
    const n = this.slots.length;
    const range = (COUNTER_MAX + 1n) / BigInt(n);
    job.began = performance.now();
    job.pending = n;
    this.slots.forEach((slot, i) => {
      slot.worker.ref();
      slot.owes = job.id;
      const request: PowJobRequest = {
        type: "job",
        id: job.id,
        digest: job.digest,
        zeros: job.zeros,
        start: BigInt(i) * range,
        end: i === n - 1 ? COUNTER_MAX + 1n : BigInt(i + 1) * range,
        control: job.control.buffer as SharedArrayBuffer,
      };
      slot.worker.postMessage(request);
    });
  }

  private onReply(slot: Slot, id: number, r: { nonce: bigint | null; hashes: number } | { failure: string }): void {
    if (slot.owes !== id) return;
    slot.owes = -1;
    const job = this.running;
    if (job === null || job.id !== id) return;
    if ("failure" in r) {
      job.failure ??= r.failure;
      Atomics.store(job.control, 0, CONTROL_STOPPED);
    } else {
      job.hashes += r.hashes;
      if (r.nonce !== null) job.nonce = r.nonce;
    }
    if (--job.pending > 0) return;
    this.running = null;
    const seconds = (performance.now() - job.began) / 1000;
    if (job.nonce !== null) this.settle(job, { nonce: job.nonce, hashes: job.hashes, seconds });
    else if (job.failure !== null) {
      this.settle(
        job,
        new PowError({ code: "POW_ERROR_WORKER_FAILED", reason: job.failure }, `PoW worker failed: ${job.failure}`),
      );
    } else if (job.signal?.aborted) this.settle(job, powAbortedError());
    else this.settle(job, new PowError({ code: "POW_ERROR_NONCE_SPACE_EXHAUSTED" }, "no nonce reaches the target"));
    this.startNext();
  }

  private abort(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(job, powAbortedError());
    } else if (this.running === job) {
      Atomics.compareExchange(job.control, 0, CONTROL_RUNNING, CONTROL_STOPPED);
    }
  }

  private settle(job: Job, outcome: PowResult | Error): void {
    job.signal?.removeEventListener("abort", job.onAbort);
    if (outcome instanceof Error) job.reject(outcome);
    else job.resolve(outcome);
  }
}
