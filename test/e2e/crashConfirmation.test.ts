/**
 * Crash safety of milestone confirmation (ARCHITECTURE.md habit 7, "writes are atomic: a SIGKILL at any moment must
 * leave a database that starts cleanly"): a child process confirms a deterministic script of milestones full of
 * value transactions and conflicts through the real pipeline, confirmer and UTXO ledger on LMDB, and is SIGKILLed
 * at arbitrary moments, many times. After every kill the database must be consistent as it is: the ledger at
 * exactly the confirmed milestone index, the supply whole, every cross-table invariant of the tangle and the ledger
 * intact, every confirmation the child reported still there, and ledger and verdicts equal to those of an
 * uninterrupted run at that milestone. A last uninterrupted run must end in the same database as a run on a
 * MemoryKvStore that never crashed.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { UtxoLedger } from "../../src/ledger/utxoLedger.js";
import { TOKEN_SUPPLY } from "../../src/params/protocol.js";
import { equalBytes } from "../../src/primitives/bytes.js";
import { bytesToHex } from "../../src/primitives/hex.js";
import { LmdbKvStore } from "../../src/storage/backends/lmdb.js";
import { MemoryKvStore } from "../../src/storage/backends/memory.js";
import type { KvStore } from "../../src/storage/kv.js";
import { HEALTH_FIELD_DIRTY, healthKey, tablePrefix } from "../../src/storage/prefixes.js";
import { Tangle } from "../../src/tangle/tangle.js";
import { ConsensusBuilder } from "../utils/consensusBuilder.js";
import {
  type ConfirmScript,
  confirmScriptOptions,
  encodeRounds,
  ledgerState,
  planConfirmScript,
  replayRounds,
} from "../utils/crashConfirmScript.js";
import { type ChildExit, runKillableChild } from "../utils/killableChild.js";
import { checkLedgerConsistency } from "../utils/ledgerConsistency.js";
import { seededRandom } from "../utils/seededRandom.js";
import { checkTangleConsistency } from "../utils/tangleConsistency.js";
import { REPO_ROOT } from "../utils/vectors.js";

const CHILD = join(REPO_ROOT, "dist", "test", "utils", "crashConfirmChild.js");
const SEED = 20_240_704;
const MILESTONES = 40;
const KILLS = 15;

const tempDirs: string[] = [];
after(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

interface ChildRun extends ChildExit {
  openedDirty: boolean;
  /** CMI and LMI the child read from the database at start. */
  openedCmi: number;
  openedLmi: number;
  /** Highest "confirmed n" the child printed: milestones up to n were durable. */
  confirmed: number;
  done: boolean;
}

type KillPlan =
  | { after: "open"; delayMs: number }
  | { after: "issuing" | "confirmed"; atLeast: number; delayMs: number }
  | null;

/** Runs the child until it exits; with a plan, SIGKILLs it `delayMs` after the trigger line. */
async function runChild(dir: string, scriptFile: string, plan: KillPlan): Promise<ChildRun> {
  const progress = { openedDirty: false, openedCmi: -1, openedLmi: -1, confirmed: 0, done: false };
  const exit = await runKillableChild(CHILD, [dir, scriptFile], ([word, a, b, c], killAfter) => {
    if (word === "open") {
      progress.openedDirty = a === "1";
      progress.openedCmi = Number(b);
      progress.openedLmi = Number(c);
      if (plan?.after === "open") killAfter(plan.delayMs);
    } else if (word === "issuing") {
      if (plan?.after === "issuing" && Number(a) >= plan.atLeast) killAfter(plan.delayMs);
    } else if (word === "confirmed") {
      progress.confirmed = Math.max(progress.confirmed, Number(a));
      if (plan?.after === "confirmed" && progress.confirmed >= plan.atLeast) killAfter(plan.delayMs);
    } else if (word === "DONE") progress.done = true;
  });
  return { ...progress, ...exit };
}

/**
 * Every script message whose stored verdict differs from the uninterrupted run's at milestone `cmi`: messages the
 * planner referenced by a milestone ≤ cmi must be stored with the same referencing milestone, inclusion state and
 * conflict reason; later ones must not be referenced yet. Milestones ≤ cmi must be recorded under their message.
 */
function verdictProblems(tangle: Tangle, script: ConfirmScript, cmi: number): string[] {
  const reference = script.planner.tb.tangle;
  const problems: string[] = [];
  for (const round of script.rounds) {
    if (round.index <= cmi) {
      const recorded = tangle.getMilestone(round.index);
      const planned = round.steps.find((s) => s.kind === "milestone")!;
      if (recorded === undefined || !equalBytes(recorded.messageId, planned.id)) {
        problems.push(`milestone ${round.index} is not recorded under its message ${planned.idHex}`);
      }
    }
    for (const step of round.steps) {
      const want = reference.getMetadata(step.id)!;
      const got = tangle.getMetadata(step.id);
      const what = `${step.kind} ${step.idHex.slice(0, 16)} of round ${round.index}`;
      if (want.referencedByMilestoneIndex > cmi) {
        if (got?.referenced === true) problems.push(`${what} is referenced by ${got.referencedByMilestoneIndex} > CMI`);
        continue;
      }
      if (got === undefined) {
        problems.push(`${what}, referenced by ${want.referencedByMilestoneIndex} ≤ CMI ${cmi}, is not stored`);
        continue;
      }
      const verdict = (m: typeof want) =>
        `referenced=${m.referenced} by=${m.referencedByMilestoneIndex} inclusion=${m.ledgerInclusionState} ` +
        `conflicting=${m.conflicting} reason=${m.conflictReason} milestone=${m.milestone}/${m.milestoneIndex} ` +
        `solid=${m.solid}`;
      if (verdict(got) !== verdict(want)) problems.push(`${what}: stored ${verdict(got)}, expected ${verdict(want)}`);
    }
  }
  return problems;
}

/** Every entry but the dirty flag, as hex pairs. */
function entries(kv: KvStore): string[] {
  const dirty = healthKey(HEALTH_FIELD_DIRTY);
  const out: string[] = [];
  for (const [key, value] of kv.iterate()) {
    if (!equalBytes(key, dirty)) out.push(`${bytesToHex(key)}=${bytesToHex(value)}`);
  }
  return out;
}

/** The same script replayed on a MemoryKvStore without any crash. */
async function referenceEntries(script: ConfirmScript): Promise<string[]> {
  const kv = new MemoryKvStore();
  const cb = await ConsensusBuilder.create(confirmScriptOptions(kv));
  await replayRounds(cb, script.rounds, seededRandom(SEED + 2));
  await cb.tb.tangle.store.flush();
  return entries(kv);
}

describe("crash safety: SIGKILL during milestone confirmation", () => {
  it(`survives ${KILLS} kills mid-confirmation, consistent after each, and finishes as if never killed`, async (t) => {
    const scratch = mkdtempSync(join(tmpdir(), "weaver-crash-confirm-"));
    tempDirs.push(scratch);
    const dir = join(scratch, "db");
    const scriptFile = join(scratch, "script.json");
    const script = await planConfirmScript(SEED, MILESTONES);
    writeFileSync(scriptFile, encodeRounds(script.rounds));

    // The script exercises what it is meant to: inclusions and several kinds of conflict.
    const reasons = new Set<number>();
    let included = 0;
    for (const round of script.rounds) {
      for (const step of round.steps) {
        const m = script.planner.tb.tangle.getMetadata(step.id)!;
        if (m.ledgerInclusionState === 2) included++;
        if (m.ledgerInclusionState === 1) reasons.add(m.conflictReason);
      }
    }
    assert.ok(included >= MILESTONES * 2, `only ${included} included transactions`);
    for (const r of [1, 2, 3, 4]) assert.ok(reasons.has(r), `no conflict with reason ${r} (saw ${[...reasons]})`);

    const rnd = seededRandom(SEED + 1);
    let reportedConfirmed = 0;
    let lastCmi = 0;
    let expectChildDirty = false;
    /** Per kill: CMI/LMI found, and what the child had reported confirmed. */
    const killPoints: string[] = [];

    for (let i = 0; i < KILLS; i++) {
      // Kills come a few milliseconds after the child starts to submit a milestone (while it is stored, white flag
      // runs and the confirmation commits), or after a confirmation was reported (while the next round's messages
      // are stored); every fifth comes right after open, while the child confirms a milestone recorded before the
      // previous kill or resubmits what it stored.
      const target = Math.max(Math.floor((MILESTONES * 0.85 * (i + 1)) / KILLS), reportedConfirmed + 1);
      const plan: KillPlan =
        i % 5 === 4
          ? { after: "open", delayMs: Math.floor(rnd() * 40) }
          : i % 2 === 0
            ? { after: "issuing", atLeast: target, delayMs: Math.floor(rnd() * 10) }
            : { after: "confirmed", atLeast: target, delayMs: Math.floor(rnd() * 25) };
      const run = await runChild(dir, scriptFile, plan);
      assert.equal(run.signal, "SIGKILL", `run ${i} ended on its own (code ${run.code}): ${run.stderr}`);
      assert.equal(run.timedOut, false, `run ${i} hung: ${run.stderr}`);
      assert.equal(run.done, false);
      assert.equal(run.openedDirty, expectChildDirty, `run ${i}: the child saw the wrong dirty flag`);
      assert.equal(run.openedCmi, lastCmi, `run ${i}: the child saw another database`);
      reportedConfirmed = Math.max(reportedConfirmed, run.confirmed);

      const kv = LmdbKvStore.open({ path: dir });
      const { tangle, wasDirty } = await Tangle.open(kv);
      assert.equal(wasDirty, true, `run ${i}: a killed run must leave the dirty flag set`);
      const ledger = new UtxoLedger(tangle.store);
      const cmi = tangle.confirmedMilestoneIndex;
      const lmi = tangle.latestMilestoneIndex;
      killPoints.push(`${cmi}/${lmi}/${run.confirmed}`);
      assert.equal(ledger.ledgerIndex, cmi, `run ${i}: ledger index and CMI differ`);
      assert.ok(cmi >= reportedConfirmed, `run ${i}: CMI ${cmi}, but the child reported ${reportedConfirmed} durable`);
      assert.ok(cmi >= lastCmi, `run ${i}: the CMI went back from ${lastCmi} to ${cmi}`);
      // The child waits for each confirmation before it sends the next milestone.
      assert.ok(lmi === cmi || lmi === cmi + 1, `run ${i}: LMI ${lmi} with CMI ${cmi}`);
      assert.equal(ledger.totalSupplyCheck(), TOKEN_SUPPLY, `run ${i}: the supply is not whole`);
      assert.deepEqual(checkLedgerConsistency(kv), [], `run ${i}: ledger inconsistent after SIGKILL`);
      assert.deepEqual(checkTangleConsistency(kv), [], `run ${i}: tangle inconsistent after SIGKILL`);
      assert.deepEqual(ledgerState(ledger), script.ledgerStates[cmi], `run ${i}: ledger differs at milestone ${cmi}`);
      assert.deepEqual(verdictProblems(tangle, script, cmi), [], `run ${i}: verdicts differ at milestone ${cmi}`);
      lastCmi = cmi;
      // Alternate between a clean close (the next child sees a clean database) and none (it sees a dirty one).
      expectChildDirty = i % 2 === 0;
      if (expectChildDirty) await kv.close();
      else await tangle.close();
    }
    assert.ok(lastCmi > MILESTONES / 2, `kills came too early: CMI ${lastCmi}`);
    assert.ok(lastCmi < MILESTONES, "the script must not be finished before the last run");
    t.diagnostic(`CMI/LMI/reported confirmed after each kill, of ${MILESTONES}: ${killPoints.join(" ")}`);

    const last = await runChild(dir, scriptFile, null);
    assert.equal(last.code, 0, last.stderr);
    assert.equal(last.done, true);
    assert.equal(last.confirmed, MILESTONES);

    const kv = LmdbKvStore.open({ path: dir });
    assert.deepEqual(kv.get(healthKey(HEALTH_FIELD_DIRTY)), Uint8Array.of(0), "a clean close clears the dirty flag");
    const { tangle, wasDirty } = await Tangle.open(kv);
    assert.equal(wasDirty, false);
    const ledger = new UtxoLedger(tangle.store);
    assert.equal(tangle.confirmedMilestoneIndex, MILESTONES);
    assert.equal(ledger.ledgerIndex, MILESTONES);
    assert.equal(ledger.totalSupplyCheck(), TOKEN_SUPPLY);
    assert.deepEqual(checkLedgerConsistency(kv), []);
    assert.deepEqual(checkTangleConsistency(kv), []);
    assert.equal(kv.count(tablePrefix("UNSOLID")), 0);
    assert.deepEqual(ledgerState(ledger), script.ledgerStates[MILESTONES]);
    assert.deepEqual(verdictProblems(tangle, script, MILESTONES), []);
    assert.deepEqual(entries(kv), await referenceEntries(script), "crashes changed the final database");
    await tangle.close();
  });
});
