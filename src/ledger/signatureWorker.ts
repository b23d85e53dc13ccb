/**
 * Entry point of a signature worker thread (started by signaturePool.ts from the compiled file next to it). Each job
 * is one buffer of fixed 128-byte records (public key 32 ‖ message 32 ‖ signature 64); the reply holds one byte per
 * record, 1 for a valid TIP-14 signature and 0 otherwise, in the same order.
 */
import { parentPort } from "node:worker_threads";
import { ed25519Verify } from "../crypto/ed25519.js";
import { SIGNATURE_RECORD_LENGTH, type SignatureJob, type SignatureReply } from "./signatureWorkerProtocol.js";

const port = parentPort;
if (port === null) throw new Error("signatureWorker.js must run in a worker thread");

port.on("message", (job: SignatureJob) => {
  const records = new Uint8Array(job.records);
  const count = records.length / SIGNATURE_RECORD_LENGTH;
  const results = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const o = i * SIGNATURE_RECORD_LENGTH;
    const ok = ed25519Verify(
      records.subarray(o, o + 32),
      records.subarray(o + 32, o + 64),
      records.subarray(o + 64, o + SIGNATURE_RECORD_LENGTH),
    );
    results[i] = ok ? 1 : 0;
  }
  const reply: SignatureReply = { id: job.id, results: results.buffer };
  port.postMessage(reply, [results.buffer]);
});
