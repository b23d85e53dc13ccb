/**
 * Ed25519 checks of a whole milestone spread over the cores (issue 4: "spread checks over worker threads if that is
 * what it takes"). A confirmation of 10,000 transactions spends more than a third of its time in signature checks
 * (bench/confirmation.bench.ts profile), and each check is independent of the ledger, so the confirmer collects them
 * all before white flag and verifies them here: one share per worker thread and one on the calling thread, which
 * would otherwise sit waiting (so `os.availableParallelism() - 1` workers fill the machine without oversubscribing
 * it). The calling thread's share runs in slices that yield to the event loop, so ingestion is not blocked for long.
 *
 * Verdicts are never guessed: if a worker fails, its share is checked on the calling thread. Small batches are
 * checked in place, as the round trip would cost more than it saves. Idle workers are unref'd, so an idle pool never
 * keeps the process alive; close() terminates them.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { ed25519Verify } from "../crypto/ed25519.js";
import { SIGNATURE_RECORD_LENGTH, type SignatureJob, type SignatureReply } from "./signatureWorkerProtocol.js";

export interface SignatureCheck {
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

/** Verifies many signatures at once; the confirmer's way to check a milestone's signatures in parallel. */
export interface BatchSignatureVerifier {
  verifyBatch(checks: readonly SignatureCheck[]): Promise<boolean[]>;
}

export interface SignaturePoolOptions {
  /** Worker threads; default availableParallelism() − 1 (the calling thread takes a share too). */
  workers?: number;
  /** Batches smaller than this are checked on the calling thread alone. Default 128 (~15 ms of work). */
  minParallelBatch?: number;
}

/** Checks done on the calling thread between two yields to the event loop (~10 ms). */
const SLICE = 64;

interface Slot {
  worker: Worker;
  pending: Map<number, { resolve: (r: Uint8Array) => void; reject: (e: unknown) => void }>;
}

export class SignaturePool implements BatchSignatureVerifier {
  private readonly workerCount: number;
  private readonly minParallelBatch: number;
  private slots: Slot[] | null = null;
  private nextId = 0;
  private closed = false;

  constructor(options: SignaturePoolOptions = {}) {
    this.workerCount = Math.max(0, options.workers ?? availableParallelism() - 1);
    this.minParallelBatch = options.minParallelBatch ?? 128;
  }

  async verifyBatch(checks: readonly SignatureCheck[]): Promise<boolean[]> {
    const results = new Array<boolean>(checks.length);
    if (this.closed || this.workerCount === 0 || checks.length < this.minParallelBatch) {
      await verifyInPlace(checks, 0, checks.length, results);
      return results;
    }
    const slots = this.startWorkers();
    const shares = slots.length + 1;
    const size = Math.ceil(checks.length / shares);
    const work: Array<Promise<void>> = [];
    slots.forEach((slot, i) => {
      const from = (i + 1) * size;
      const to = Math.min(checks.length, from + size);
      if (from >= to) return;
      work.push(
        this.runOnWorker(slot, checks, from, to).then(
          (bytes) => {
            for (let k = from; k < to; k++) results[k] = bytes[k - from] === 1 && hasValidLengths(checks[k]!);
          },
          () => verifyInPlace(checks, from, to, results),
        ),
      );
    });
    work.push(verifyInPlace(checks, 0, Math.min(size, checks.length), results));
    await Promise.all(work);
    this.idle();
    return results;
  }

  async close(): Promise<void> {
    this.closed = true;
    const slots = this.slots ?? [];
    this.slots = null;
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  private startWorkers(): Slot[] {
    if (this.slots !== null) {
      for (const s of this.slots) s.worker.ref();
      return this.slots;
    }
    const url = new URL("./signatureWorker.js", import.meta.url);
    this.slots = Array.from({ length: this.workerCount }, () => {
      const slot: Slot = { worker: new Worker(url), pending: new Map() };
      slot.worker.on("message", (reply: SignatureReply) => {
        const p = slot.pending.get(reply.id);
        slot.pending.delete(reply.id);
        p?.resolve(new Uint8Array(reply.results));
      });
      const failAll = (e: unknown): void => {
        for (const p of slot.pending.values()) p.reject(e);
        slot.pending.clear();
        // A broken worker is replaced on the next batch.
        this.slots = this.slots?.filter((s) => s !== slot) ?? null;
        if (this.slots?.length === 0) this.slots = null;
      };
      slot.worker.on("error", failAll);
      slot.worker.on("exit", (code) => failAll(new Error(`signature worker exited with code ${code}`)));
      return slot;
    });
    return this.slots;
  }

  private idle(): void {
    for (const s of this.slots ?? []) if (s.pending.size === 0) s.worker.unref();
  }

  private runOnWorker(slot: Slot, checks: readonly SignatureCheck[], from: number, to: number): Promise<Uint8Array> {
    const records = new Uint8Array((to - from) * SIGNATURE_RECORD_LENGTH);
    for (let k = from; k < to; k++) {
      const c = checks[k]!;
      const o = (k - from) * SIGNATURE_RECORD_LENGTH;
      // Wrong lengths cannot come from a decoded transaction; such a record is sent zeroed and its verdict is forced
      // to false on return (an all-zero record would pass ZIP-215's cofactored check: small-order points).
      if (!hasValidLengths(c)) continue;
      records.set(c.publicKey, o);
      records.set(c.message, o + 32);
      records.set(c.signature, o + 64);
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      const job: SignatureJob = { id, records: records.buffer };
      slot.worker.postMessage(job, [records.buffer]);
    });
  }
}

function hasValidLengths(c: SignatureCheck): boolean {
  return c.publicKey.length === 32 && c.message.length === 32 && c.signature.length === 64;
}

/** Checks `checks[from..to)` on this thread, yielding to the event loop between slices. */
async function verifyInPlace(
  checks: readonly SignatureCheck[],
  from: number,
  to: number,
  results: boolean[],
): Promise<void> {
  for (let k = from; k < to; k++) {
    const c = checks[k]!;
    results[k] = ed25519Verify(c.publicKey, c.message, c.signature);
    if ((k - from) % SLICE === SLICE - 1 && k + 1 < to) await new Promise<void>((r) => setImmediate(r));
  }
}
