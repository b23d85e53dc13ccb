/**
 * The coordinator of `weaver dev` under SIGKILL (chrysalis.md §5.4; coordinatorState.ts): the process is killed eight
 * times and restarted on the same directory each time, alternately at a random moment 100–1500 ms after it logged a
 * new milestone, and 0–2 ms after coordinator.json was replaced (a milestone recorded and perhaps not yet stored:
 * the restart must re-send exactly those bytes). A data message is posted every few hundred milliseconds so that
 * milestones stand on tips other than their predecessor.
 *
 * What must hold:
 * - never two milestone ids for one index: every id the process logged ("Milestone issued") or served
 *   (GET /api/v1/milestones/{i}) in any run, and every milestone message in the final database, agrees;
 * - no stall: after each restart the CMI passes the highest index issued before the kill by at least two;
 * - after each kill, the database holds milestones 1..LMI without a gap, and coordinator.json is either at LMI with
 *   the stored milestone, or at LMI + 1 with bytes that are a milestone LMI + 1 whose id it records (issued, not yet
 *   stored: the restart re-sends it);
 * - after a final SIGTERM (exit 0): milestones 1..LMI, each stored, referenced by itself, on its predecessor, CMI = LMI,
 *   and coordinator.json's lastIndex = LMI with exactly the stored milestone's id and bytes (a clean stop waits for the
 *   milestone being issued, so the state is never ahead of the database then).
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, watch } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { decodeMessage, messageId } from "../../src/codec/index.js";
import { equalBytes } from "../../src/primitives/bytes.js";
import { bytesToHex, hexToBytes } from "../../src/primitives/hex.js";
import { LmdbKvStore } from "../../src/storage/backends/lmdb.js";
import { messageIdOfKey, tablePrefix } from "../../src/storage/prefixes.js";
import { Tangle } from "../../src/tangle/tangle.js";
import { type DevLogRecord, type DevProcess, devEnv, startDevProcess } from "../utils/devProcess.js";
import { seededRandom } from "../utils/seededRandom.js";

const KILLS = 8;
const INTERVAL_MS = 200;
const PROGRESS_DEADLINE_MS = 15_000;
const KILL_DELAY_MIN_MS = 100;
const KILL_DELAY_MAX_MS = 1500;
const DATA_PERIOD_MS = 250;
const GENESIS_SEP = new Uint8Array(32);

const root = mkdtempSync(join(tmpdir(), "weaver-coo-crash-"));
const running: DevProcess[] = [];
after(async () => {
  for (const p of running) await p.kill();
  rmSync(root, { recursive: true, force: true });
});

interface StateJson {
  lastIndex: number;
  lastMessageId: string | null;
  lastMessageBytes: string | null;
}

/** Every milestone id seen for an index, by anyone: a second, different one is the failure this test looks for. */
class MilestoneIds {
  private readonly ids = new Map<number, { id: string; where: string }>();
  readonly duplicates: string[] = [];

  note(index: number, id: string, where: string): void {
    const known = this.ids.get(index);
    if (known === undefined) this.ids.set(index, { id, where });
    else if (known.id !== id) this.duplicates.push(`index ${index}: ${known.id} (${known.where}) and ${id} (${where})`);
  }

  get maxIndex(): number {
    return Math.max(0, ...this.ids.keys());
  }

  entries(): Array<[number, string]> {
    return [...this.ids].map(([index, { id }]) => [index, id]);
  }
}

async function getData<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (res.status !== 200) throw new Error(`GET ${url}: ${res.status}`);
  return ((await res.json()) as { data: T }).data;
}

/**
 * While `active()`, reads the node's milestones through the REST API (all known ones once, then each new one) and
 * posts a data message now and then; errors end it quietly (the process may be killed at any moment).
 */
async function watchNode(dev: DevProcess, ids: MilestoneIds, run: number, active: () => boolean): Promise<void> {
  let next = 1;
  let lastPost = 0;
  try {
    while (active()) {
      const info = await getData<{ latestMilestoneIndex: number }>(`${dev.apiUrl}/api/v1/info`);
      for (; next <= info.latestMilestoneIndex && active(); next++) {
        const ms = await getData<{ index: number; messageId: string }>(`${dev.apiUrl}/api/v1/milestones/${next}`);
        ids.note(ms.index, ms.messageId, `REST in run ${run}`);
      }
      if (Date.now() - lastPost >= DATA_PERIOD_MS) {
        lastPost = Date.now();
        const hex = Buffer.from(`run ${run} at ${lastPost}`).toString("hex");
        await fetch(`${dev.apiUrl}/api/v1/messages`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ payload: { type: 2, index: Buffer.from("coo-crash").toString("hex"), data: hex } }),
        });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch {
    // The process went away under the watcher: the kill, not a finding.
  }
}

/** Callbacks for the next "Milestone issued" line. */
const issuedWaiters: Array<() => void> = [];

function nextIssued(dev: DevProcess, run: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`run ${run}: no milestone issued:\n${dev.tail()}`)),
      PROGRESS_DEADLINE_MS,
    );
    issuedWaiters.push(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Resolves as soon as the coordinator replaces its state file (the rename of coordinator.json.tmp). */
function stateWritten(dir: string, dev: DevProcess, run: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const watcher = watch(dir, (_event, name) => {
      if (name !== "coordinator.json") return;
      clearTimeout(timer);
      watcher.close();
      resolve();
    });
    const timer = setTimeout(() => {
      watcher.close();
      reject(new Error(`run ${run}: coordinator.json was not written:\n${dev.tail()}`));
    }, PROGRESS_DEADLINE_MS);
  });
}

async function waitForCmi(dev: DevProcess, atLeast: number, what: string): Promise<number> {
  const deadline = Date.now() + PROGRESS_DEADLINE_MS;
  for (;;) {
    dev.assertAlive();
    const cmi = await getData<{ confirmedMilestoneIndex: number }>(`${dev.apiUrl}/api/v1/info`)
      .then((i) => i.confirmedMilestoneIndex)
      .catch(() => -1);
    if (cmi >= atLeast) return cmi;
    if (Date.now() > deadline) {
      throw new Error(`${what}: CMI ${cmi} did not reach ${atLeast} within ${PROGRESS_DEADLINE_MS} ms:\n${dev.tail()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface DbCheck {
  lmi: number;
  cmi: number;
  state: StateJson;
  /** Milestones with parents besides their predecessor. */
  withTips: number;
  problems: string[];
}

/**
 * Opens the stopped node's database and checks milestones 1..LMI and the coordinator state beside it. `clean` is a
 * SIGTERM stop (the state must be at LMI, CMI = LMI); after a kill the state may be one milestone ahead. The store is
 * closed without Tangle.close(), so the next process finds the dirty flag the killed one left.
 */
async function checkDatabase(dir: string, ids: MilestoneIds, clean: boolean): Promise<DbCheck> {
  const state = JSON.parse(readFileSync(join(dir, "coordinator.json"), "utf8")) as StateJson;
  const kv = LmdbKvStore.open({ path: join(dir, "db") });
  const problems: string[] = [];
  try {
    const { tangle } = await Tangle.open(kv);
    const lmi = tangle.latestMilestoneIndex;
    const cmi = tangle.confirmedMilestoneIndex;
    let previous: Uint8Array = GENESIS_SEP;
    let withTips = 0;
    for (let i = 1; i <= lmi; i++) {
      const ms = tangle.getMilestone(i);
      if (ms === undefined) {
        problems.push(`no milestone ${i} below LMI ${lmi}`);
        continue;
      }
      const bytes = tangle.getMessageBytes(ms.messageId);
      if (bytes === undefined) {
        problems.push(`milestone ${i}'s message ${bytesToHex(ms.messageId)} is not stored`);
        continue;
      }
      if (!equalBytes(messageId(bytes), ms.messageId)) problems.push(`milestone ${i}'s bytes hash to another id`);
      const message = decodeMessage(bytes, "trusted");
      if (message.payload?.type !== 1 || message.payload.index !== i) {
        problems.push(`milestone ${i}'s message holds no milestone payload with index ${i}`);
      }
      if (message.parents.length > 1) withTips++;
      if (!message.parents.some((p) => equalBytes(p, previous))) {
        problems.push(`milestone ${i} does not stand on milestone ${i - 1} (${bytesToHex(previous)})`);
      }
      if (i <= cmi) {
        const meta = tangle.getMetadata(ms.messageId);
        if (meta?.milestone !== true || meta.milestoneIndex !== i || meta.referencedByMilestoneIndex !== i) {
          problems.push(`milestone ${i} (≤ CMI ${cmi}) is not marked as milestone ${i} referenced by itself`);
        }
      }
      ids.note(i, bytesToHex(ms.messageId), "the database");
      previous = ms.messageId;
    }
    if (tangle.getMilestone(lmi + 1) !== undefined) problems.push(`a milestone ${lmi + 1} above LMI ${lmi}`);
    let milestones = 0;
    for (const _ of kv.iterate({ prefix: tablePrefix("MILESTONES") })) milestones++;
    if (milestones !== lmi) problems.push(`${milestones} milestone entries for LMI ${lmi}`);
    // No second message claims a milestone index, accepted or not.
    for (const [key, bytes] of kv.iterate({ prefix: tablePrefix("MESSAGES") })) {
      const payload = decodeMessage(bytes, "trusted").payload;
      if (payload?.type !== 1) continue;
      const id = messageIdOfKey(key);
      const recorded = tangle.getMilestone(payload.index);
      if (recorded === undefined || !equalBytes(recorded.messageId, id)) {
        problems.push(`a second milestone message ${bytesToHex(id)} for index ${payload.index}`);
      }
      ids.note(payload.index, bytesToHex(id), "a stored milestone message");
    }

    const stored = tangle.getMilestone(state.lastIndex);
    const storedBytes = stored === undefined ? undefined : tangle.getMessageBytes(stored.messageId);
    if (state.lastIndex === lmi && stored !== undefined && storedBytes !== undefined) {
      if (state.lastMessageId !== bytesToHex(stored.messageId) || state.lastMessageBytes !== bytesToHex(storedBytes)) {
        problems.push(`coordinator.json at ${lmi} records another milestone than the database`);
      }
    } else if (!clean && state.lastIndex === lmi + 1 && state.lastMessageBytes !== null) {
      const bytes = hexToBytes(state.lastMessageBytes);
      const payload = decodeMessage(bytes, "trusted").payload;
      if (payload?.type !== 1 || payload.index !== lmi + 1 || bytesToHex(messageId(bytes)) !== state.lastMessageId) {
        problems.push(`coordinator.json at ${lmi + 1} does not hold the bytes of milestone ${lmi + 1}`);
      }
      if (state.lastMessageId !== null) ids.note(lmi + 1, state.lastMessageId, "coordinator.json");
    } else {
      problems.push(`coordinator.json at ${state.lastIndex}, the database at LMI ${lmi}`);
    }
    if (clean && cmi !== lmi) problems.push(`CMI ${cmi} ≠ LMI ${lmi} after a clean stop`);
    return { lmi, cmi, state, withTips, problems };
  } finally {
    await kv.close();
  }
}

describe("Coordinator restart and kill -9 tests (no duplicate index, no gap that stalls the network)", () => {
  it(`weaver dev killed ${KILLS} times at random moments issues every index once and keeps confirming`, async (t) => {
    const dir = join(root, "net");
    const seed = Date.now() % 1_000_000;
    const rnd = seededRandom(seed);
    const ids = new MilestoneIds();
    const env = devEnv(INTERVAL_MS);
    let run = 0;
    const onRecord = (record: DevLogRecord): void => {
      if (record.msg !== "Milestone issued") return;
      const index = record.index as number;
      ids.note(index, record.messageId as string, `log of run ${run}`);
      for (const waiter of issuedWaiters.splice(0)) waiter();
    };
    const start = async (): Promise<{ dev: DevProcess; watcher: Promise<void>; end(): void }> => {
      const dev = await startDevProcess(dir, env, onRecord);
      running.push(dev);
      let active = true;
      const watcher = watchNode(dev, ids, run, () => active);
      return { dev, watcher, end: () => (active = false) };
    };

    const points: string[] = [];
    let aheadOfDatabase = 0;
    let issuedBeforeKill = 0;
    for (; run < KILLS; run++) {
      const { dev, watcher, end } = await start();
      const restartedAt = Date.now();
      const target = run === 0 ? 1 : issuedBeforeKill + 2;
      await waitForCmi(dev, target, `run ${run} (seed ${seed})`);
      const progressMs = Date.now() - restartedAt;
      let delay: number;
      if (run % 2 === 0) {
        // 100–1500 ms after the next milestone is reported: anywhere in the issue cycle.
        await nextIssued(dev, run);
        delay = Math.round(KILL_DELAY_MIN_MS + rnd() * (KILL_DELAY_MAX_MS - KILL_DELAY_MIN_MS));
        await new Promise((r) => setTimeout(r, delay));
      } else {
        // 0–2 ms after coordinator.json is replaced: the milestone is recorded and maybe not yet stored, the window
        // in which a restart must re-send the recorded bytes rather than build another milestone.
        delay = Math.floor(rnd() * 3);
        await stateWritten(dir, dev, run);
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      }
      const ended = await dev.kill();
      end();
      await watcher;
      assert.equal(ended.signal, "SIGKILL", `run ${run} ended on its own (${ended.code}):\n${dev.tail()}`);
      const db = await checkDatabase(dir, ids, false);
      assert.deepEqual(db.problems, [], `after kill ${run} (seed ${seed})`);
      assert.ok(db.cmi >= target, `after kill ${run}: CMI ${db.cmi} below the CMI ${target} the API reported`);
      // Every index issued, logged, served or recorded before the kill: the next run must confirm two beyond it.
      issuedBeforeKill = ids.maxIndex;
      if (db.state.lastIndex === db.lmi + 1) aheadOfDatabase++;
      points.push(
        `${target}@${progressMs}ms+${run % 2 === 0 ? "" : "state write+"}${delay}ms→${db.cmi}/${db.lmi}/${db.state.lastIndex}`,
      );
    }

    const { dev, watcher, end } = await start();
    await waitForCmi(dev, issuedBeforeKill + 2, `the last run (seed ${seed})`);
    const ended = await dev.stop();
    end();
    await watcher;
    assert.deepEqual(ended, { code: 0, signal: null }, `SIGTERM must stop cleanly:\n${dev.tail()}`);

    const db = await checkDatabase(dir, ids, true);
    assert.deepEqual(db.problems, [], `after the clean stop (seed ${seed})`);
    assert.equal(db.cmi, db.lmi);
    assert.equal(db.state.lastIndex, db.lmi, "coordinator.json is at the LMI after a clean stop");
    assert.ok(db.lmi >= issuedBeforeKill + 2);
    assert.ok(db.withTips > 0, "no milestone approved a data message: the tips were never put at risk");
    assert.deepEqual(ids.duplicates, [], "two milestone ids for one index");
    for (const [index, id] of ids.entries()) {
      assert.ok(index <= db.lmi, `milestone ${index} (${id}) was issued but is not in the database (LMI ${db.lmi})`);
    }
    t.diagnostic(
      `seed ${seed}; per kill: CMI awaited@time to reach it + kill delay → CMI/LMI/state index after the kill: ${points.join(" ")}; killed with the state ahead of the database ${aheadOfDatabase} time(s); ${db.withTips} of ${db.lmi} milestones approved data messages`,
    );
  });
});
