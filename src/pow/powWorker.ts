/**
 * Entry point of a PoW worker thread (started by powPool.ts from the compiled file next to it). It builds one kernel
 * and keeps it warm between jobs; each job runs synchronously in ~1 ms chunks, checking the shared control word
 * between chunks, and ends with exactly one `done` or `error` reply.
 */
import { parentPort, workerData } from "node:worker_threads";
import { ChunkedMiner } from "./chunkedMiner.js";
import { createCurlKernel } from "./createCurlKernel.js";
import {
  CONTROL_FOUND,
  CONTROL_RUNNING,
  type PowJobRequest,
  type PowWorkerData,
  type PowWorkerReply,
} from "./powWorkerProtocol.js";

const port = parentPort;
if (port === null) throw new Error("powWorker.js must run in a worker thread");
const miner = new ChunkedMiner(createCurlKernel((workerData as PowWorkerData).kernel));
const reply = (m: PowWorkerReply): void => port.postMessage(m);

reply({ type: "ready", kernel: miner.kernel.kind });

port.on("message", (job: PowJobRequest) => {
  try {
    const control = new Int32Array(job.control);
    miner.kernel.setMiningDigest(job.digest);
    const r = miner.run(job.start, job.end, job.zeros, () => Atomics.load(control, 0) !== CONTROL_RUNNING);
    // Only the worker that wins the swap reports its nonce; a later finder's nonce is equally valid but unneeded.
    const won =
      r.nonce !== null && Atomics.compareExchange(control, 0, CONTROL_RUNNING, CONTROL_FOUND) === CONTROL_RUNNING;
    reply({ type: "done", id: job.id, nonce: won ? r.nonce : null, hashes: r.hashes });
  } catch (err) {
    reply({ type: "error", id: job.id, message: err instanceof Error ? err.message : String(err) });
  }
});
