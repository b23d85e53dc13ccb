/**
 * Child process of test/e2e/crashConfirmation.test.ts, run as
 *
 *   node dist/test/utils/crashConfirmChild.js <db dir> <script file>
 *
 * Reads the milestone script the parent planned from a seed (crashConfirmScript.ts, encodeRounds), opens a
 * ConsensusBuilder (pipeline,
 * milestone tracker, confirmer, UTXO ledger) on LMDB in <db dir> (genesis only into an empty ledger) and replays the
 * script from the round of the stored confirmed milestone index: everything earlier is in the cone of a confirmed
 * milestone, so stored, and what a killed run stored of the rest comes back "known". A milestone recorded but not
 * confirmed before the kill is confirmed by the confirmer at start. Prints one line per event on stdout (pipes are
 * written synchronously, so a printed line reached the parent before any kill):
 *
 *   open <wasDirty 0|1> <stored CMI> <stored LMI>
 *   issuing <index>     milestone <index> is about to be submitted (its round's messages before it are durable)
 *   confirmed <index>   milestone <index> is confirmed and durable (the event fires after its batch committed)
 *   DONE                every milestone is confirmed and the database closed cleanly
 *
 * The parent SIGKILLs it at arbitrary moments.
 */
import { readFileSync } from "node:fs";
import { LmdbKvStore } from "../../src/storage/backends/lmdb.js";
import {
  decodeU32,
  HEALTH_FIELD_CONFIRMED_MILESTONE_INDEX,
  HEALTH_FIELD_DIRTY,
  HEALTH_FIELD_LATEST_MILESTONE_INDEX,
  type HealthField,
  healthKey,
} from "../../src/storage/prefixes.js";
import { ConsensusBuilder } from "./consensusBuilder.js";
import { confirmScriptOptions, decodeRounds, replayRounds } from "./crashConfirmScript.js";

const [dir, scriptFile] = process.argv.slice(2);
if (dir === undefined || scriptFile === undefined) {
  process.stderr.write("usage: crashConfirmChild.js <db dir> <script file>\n");
  process.exit(2);
}

const rounds = decodeRounds(readFileSync(scriptFile, "utf8"));

const kv = LmdbKvStore.open({ path: dir });
const readU32 = (field: HealthField): number => {
  const value = kv.get(healthKey(field));
  return value === undefined ? 0 : decodeU32(value);
};
// Read before the tangle opens: opening sets the dirty flag.
const wasDirty = kv.get(healthKey(HEALTH_FIELD_DIRTY))?.[0] === 1;
const storedCmi = readU32(HEALTH_FIELD_CONFIRMED_MILESTONE_INDEX);
const storedLmi = readU32(HEALTH_FIELD_LATEST_MILESTONE_INDEX);

const cb = await ConsensusBuilder.create(confirmScriptOptions(kv));
cb.tb.pipeline.events.on("milestone.confirmed", (e) => process.stdout.write(`confirmed ${e.index}\n`));
process.stdout.write(`open ${wasDirty ? 1 : 0} ${storedCmi} ${storedLmi}\n`);

// Chunking differs from run to run (it needs no reproducing): kills then land at different batch boundaries.
await replayRounds(cb, rounds.slice(Math.max(0, storedCmi - 1)), Math.random, (index) =>
  process.stdout.write(`issuing ${index}\n`),
);
await cb.tb.tangle.close();
process.stdout.write("DONE\n");
