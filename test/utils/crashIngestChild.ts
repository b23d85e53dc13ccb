/**
 * Child process of test/e2e/crashIngestion.test.ts, run as
 *
 *   node dist/test/utils/crashIngestChild.js <db dir> <message count> <seed>
 *
 * Opens the tangle on LMDB in <db dir>, wires the real ingestion pipeline and ingests the deterministic stream of
 * crashIngestStream.ts from the start: what a previous (killed) run stored is "known" and skipped by dedupe, so the
 * run resumes where the database left off. Prints one line per event on stdout:
 *
 *   open <wasDirty 0|1> <stored messages> <unsolid messages>
 *   durable <n>      the first n delivery items are processed and their effects are durable
 *   DONE             the stream is done and the tangle closed cleanly
 *
 * The parent SIGKILLs it at arbitrary moments.
 */
import { createMessagePipeline } from "../../src/pipeline/messagePipeline.js";
import { LmdbKvStore } from "../../src/storage/backends/lmdb.js";
import { tablePrefix } from "../../src/storage/prefixes.js";
import { Tangle } from "../../src/tangle/tangle.js";
import { buildIngestStream, CRASH_NETWORK_ID, ingestDelivery } from "./crashIngestStream.js";
import { GENESIS_ID, RecordingRequester } from "./tangleBuilder.js";

const [dir, countArg, seedArg] = process.argv.slice(2);
if (dir === undefined || countArg === undefined || seedArg === undefined) {
  process.stderr.write("usage: crashIngestChild.js <db dir> <message count> <seed>\n");
  process.exit(2);
}

const kv = LmdbKvStore.open({ path: dir });
const { tangle, wasDirty } = await Tangle.open(kv);
if (tangle.solidEntryPointCount === 0) tangle.addSolidEntryPoint(GENESIS_ID, 0);
const pipeline = createMessagePipeline(
  { networkId: CRASH_NETWORK_ID, minPowScore: 0 },
  { tangle, requester: new RecordingRequester(), now: Date.now },
);
pipeline.solidifier.load({ milestoneIndex: tangle.latestMilestoneIndex });
const stored = tangle.store.count(tablePrefix("MESSAGES"));
const unsolid = tangle.store.count(tablePrefix("UNSOLID"));
process.stdout.write(`open ${wasDirty ? 1 : 0} ${stored} ${unsolid}\n`);

const { delivery } = buildIngestStream(Number(seedArg), Number(countArg));
// Chunking differs from run to run (it needs no reproducing): kills then land at different batch boundaries.
await ingestDelivery(pipeline, tangle, delivery, Math.random, (n) => process.stdout.write(`durable ${n}\n`));
await tangle.close();
process.stdout.write("DONE\n");
