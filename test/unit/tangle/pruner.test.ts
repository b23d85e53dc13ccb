import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { MemoryKvStore } from "../../../src/storage/backends/memory.js";
import type { KvOp } from "../../../src/storage/kv.js";
import {
  decodeArrivalKey,
  decodeReferencedKey,
  STORE_PREFIXES,
  type StoredMessageMetadata,
} from "../../../src/storage/prefixes.js";
import { type PruneReport, Pruner, type PruningOptions, sizeTargetIndex } from "../../../src/tangle/pruner.js";
import { Tangle } from "../../../src/tangle/tangle.js";
import { TangleError } from "../../../src/tangle/tangleError.js";
import { GENESIS_ID, TangleBuilder } from "../../utils/tangleBuilder.js";

/**
 * A memory store that can be told to fail every batch from the n-th one on (a crash: the store keeps exactly the
 * batches before it), to report each batch, and that survives close() so a second Tangle can reopen it.
 */
class CrashableStore extends MemoryKvStore {
  batches = 0;
  failFrom: number | undefined;
  onBatch: ((ops: readonly KvOp[]) => void) | undefined;

  override async batch(ops: readonly KvOp[]): Promise<void> {
    this.batches++;
    if (this.failFrom !== undefined && this.batches >= this.failFrom) throw new Error("simulated crash");
    await super.batch(ops);
    this.onBatch?.(ops);
  }

  override async close(): Promise<void> {}
}

const NOW = () => 0;

function pruner(tb: TangleBuilder, options: Partial<PruningOptions> = {}, now = NOW): Pruner {
  return new Pruner(options, {
    tangle: tb.tangle,
    isPending: (hex) => tb.pipeline.solidifier.isPending(hex),
    now,
  });
}

function meta(tb: TangleBuilder, label: string): StoredMessageMetadata | undefined {
  return tb.tangle.getMetadata(tb.id(label));
}

interface Scenario {
  /** Every label submitted, with the latest milestone index when it arrived. */
  arrivals: Map<string, number>;
}

/**
 * n milestones of three messages each: m{i}a approves the previous milestone's b and c, m{i}b (with an indexation
 * payload) approves m{i}a, m{i}c approves m{i}a and, from i = 4 on, m{i-3}b, reaching three milestones back. Beside
 * them: every fourth milestone a tip t{i} that is never referenced; at i ≡ 5 (mod 10) a message u{i} whose parent is
 * never stored, so it stays unsolid; at i = 30 a message "late" approving m20a, solid and never referenced. Every
 * milestone gets a MILESTONES entry.
 */
async function buildScenario(tb: TangleBuilder, n: number): Promise<Scenario> {
  const arrivals = new Map<string, number>();
  const store = async (label: string, parents: string[], index?: string) => {
    arrivals.set(label, tb.tangle.latestMilestoneIndex);
    const spec = tb.message(label).parents(...parents);
    if (index !== undefined) spec.index(index);
    await spec.store();
  };
  for (let i = 1; i <= n; i++) {
    await store(`m${i}a`, i === 1 ? ["genesis"] : [`m${i - 1}b`, `m${i - 1}c`]);
    await store(`m${i}b`, [`m${i}a`], `idx${i}`);
    await store(`m${i}c`, i > 3 ? [`m${i}a`, `m${i - 3}b`] : [`m${i}a`]);
    if (i % 4 === 0) await store(`t${i}`, [`m${i}a`], "tip");
    if (i % 10 === 5) {
      tb.message(`ghost${i}`)
        .parents(`m${i - 1}b`)
        .build();
      await store(`u${i}`, [`ghost${i}`]);
    }
    if (i === 30) await store("late", ["m20a"]);
    await tb.confirmMilestoneOn([`m${i}b`, `m${i}c`]);
    tb.tangle.putMilestone(i, {
      messageId: tb.id(`m${i}b`),
      milestoneId: new Uint8Array(32).fill(i),
      timestamp: BigInt(1_600_000_000 + i),
    });
  }
  await tb.tangle.durable();
  return { arrivals };
}

/** Hornet's rule, brute force over every labelled message: referenced ≤ target with a child referenced above it. */
function expectedSeps(tb: TangleBuilder, labels: Iterable<string>, target: number): Map<string, number> {
  const out = new Map<string, number>();
  const all = [...labels];
  for (const label of all) {
    const m = meta(tb, label);
    if (!m?.referenced || m.referencedByMilestoneIndex > target) continue;
    const hasLaterChild = all.some((child) => {
      const c = meta(tb, child);
      if (!c?.referenced || c.referencedByMilestoneIndex <= target) return false;
      return (tb.tangle.getParents(tb.id(child)) ?? []).some((p) => bytesToHex(p) === tb.hex(label));
    });
    if (hasLaterChild) out.set(tb.hex(label), m.referencedByMilestoneIndex);
  }
  return out;
}

function sepMap(tangle: Tangle): Map<string, number> {
  return new Map([...tangle.solidEntryPoints()].map(([id, index]) => [bytesToHex(id), index]));
}

function dump(kv: MemoryKvStore): string[] {
  return [...kv.iterate()].map(([k, v]) => `${bytesToHex(k)}=${bytesToHex(v)}`);
}

/** Ids a key of each table mentions (SOLID_ENTRY_POINTS and HEALTH excluded). */
function idsInKey(key: Uint8Array): string[] {
  const hex = (from: number, to: number) => bytesToHex(key.subarray(from, to));
  switch (key[0]) {
    case STORE_PREFIXES.MESSAGES:
    case STORE_PREFIXES.MESSAGE_METADATA:
    case STORE_PREFIXES.UNSOLID:
      return [hex(1, 33)];
    case STORE_PREFIXES.CHILDREN:
      return [hex(1, 33), hex(33, 65)];
    case STORE_PREFIXES.INDEXATION:
      return [hex(key.length - 32, key.length)];
    case STORE_PREFIXES.ARRIVALS:
    case STORE_PREFIXES.REFERENCED:
      return [hex(5, 37)];
    default:
      return [];
  }
}

/** Every stored message referenced above `index` has each parent stored or a solid entry point. */
function assertKeptConesSolid(tangle: Tangle, index: number): void {
  for (const [key] of tangle.store.iterate({ prefix: Uint8Array.of(STORE_PREFIXES.REFERENCED) })) {
    const { index: at, messageId } = decodeReferencedKey(key);
    if (at <= index) continue;
    for (const parent of tangle.getParents(messageId) ?? []) {
      assert.ok(
        tangle.hasMessage(parent) || tangle.solidEntryPointIndex(parent) !== undefined,
        `parent ${bytesToHex(parent)} of a message referenced at ${at} is neither stored nor an entry point`,
      );
    }
  }
}

async function rejectsWithCode(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof TangleError && e.code === code);
}

describe("Pruner.pruneTo", () => {
  it("deletes everything up to the target with every key tied to it, and keeps the rest solid", async () => {
    const tb = await TangleBuilder.create();
    const { arrivals } = await buildScenario(tb, 45);
    const seps = expectedSeps(tb, arrivals.keys(), 20);
    const gone = new Set<string>();
    const kept: string[] = [];
    for (const [label, lmi] of arrivals) {
      const m = meta(tb, label)!;
      const prunable = m.referenced ? m.referencedByMilestoneIndex <= 20 : m.solid && lmi <= 20;
      if (prunable) gone.add(tb.hex(label));
      else kept.push(label);
    }
    assert.equal(gone.size, 60 + 5, "m1..m20 a/b/c and the tips t4..t20");

    const report = await pruner(tb).pruneTo(20);

    assert.equal(report.completed, true);
    assert.equal(report.prunedIndex, 20);
    assert.equal(report.referencedMessagesDeleted, 60);
    assert.equal(report.unreferencedMessagesDeleted, 5);
    assert.equal(report.messagesDeleted, 65);
    assert.equal(report.milestonesDeleted, 20);
    assert.equal(tb.tangle.pruningIndex, 20);
    for (const [key] of tb.tangle.store.iterate()) {
      for (const id of idsInKey(key)) assert.ok(!gone.has(id), `key ${bytesToHex(key)} outlived its message`);
      if (key[0] === STORE_PREFIXES.REFERENCED) assert.ok(decodeReferencedKey(key).index > 20);
      if (key[0] === STORE_PREFIXES.MILESTONES) assert.ok(new DataView(key.buffer).getUint32(1) > 20);
    }
    for (const label of kept) assert.ok(tb.tangle.hasMessage(tb.id(label)), `${label} is kept`);
    for (let i = 21; i <= 45; i++) {
      for (const s of ["a", "b", "c"]) assert.equal(meta(tb, `m${i}${s}`)?.solid, true);
      assert.ok(tb.tangle.getMilestone(i));
    }
    // The unsolid messages that arrived at LMI ≤ 20 belong to the solidifier: kept, with their ARRIVALS entry.
    const arrivalIds = [...tb.tangle.store.iterate({ prefix: Uint8Array.of(STORE_PREFIXES.ARRIVALS) })]
      .map(([k]) => decodeArrivalKey(k))
      .filter((a) => a.index <= 20)
      .map((a) => bytesToHex(a.messageId))
      .sort();
    assert.deepEqual(arrivalIds, [tb.hex("u5"), tb.hex("u15")].sort());
    assert.ok(tb.pipeline.solidifier.isPending(tb.hex("u5")));
    // Entry points: exactly Hornet's rule; "late" (never referenced) does not make m20a one; genesis is gone.
    assert.deepEqual([...seps.keys()].map((h) => tb.labelOf(h)).sort(), ["m18b", "m19b", "m20b", "m20c"], tb.toDot());
    assert.deepEqual(sepMap(tb.tangle), seps);
    assert.equal(report.solidEntryPointsAdded, 4);
    assert.equal(report.solidEntryPointsRemoved, 1);
    assert.equal(tb.tangle.solidEntryPointIndex(GENESIS_ID), undefined);
    assertKeptConesSolid(tb.tangle, 20);
    assert.equal(meta(tb, "late")?.solid, true, "an unreferenced child keeps its own state");

    // A new message on a pruned entry point solidifies; one on a pruned non-entry point waits and asks for it.
    await tb.message("n1").parents("m19b", "m45b").store();
    assert.ok(tb.isSolid("n1"));
    await tb.message("n2").parents("m10a").store();
    assert.equal(tb.isSolid("n2"), false);
    assert.ok(tb.requester.requestedHex.includes(tb.hex("m10a")));
    assert.deepEqual(await tb.confirmMilestoneOn(["n1"]), ["n1"]);
    await tb.close();
  });

  it("picks the entry points of Hornet's rule on a hand-built DAG", async () => {
    // BMD 2: the entry point search looks 7 milestones around the target, and target ≤ CMI − 7.
    const tb = await TangleBuilder.create();
    const chain = async (i: number, parents: string[]) => {
      await tb
        .message(`c${i}`)
        .parents(...parents)
        .store();
    };
    await chain(1, ["genesis"]);
    await tb.confirmMilestoneOn(["c1"]);
    for (let i = 2; i <= 5; i++) {
      await chain(i, [`c${i - 1}`]);
      await tb.confirmMilestoneOn([`c${i}`]);
    }
    await tb.message("F").parents("c5").store(); // referenced at 6; its child G only at 12
    await chain(6, ["c5", "F"]);
    await tb.confirmMilestoneOn(["c6"]);
    for (let i = 7; i <= 8; i++) {
      await chain(i, [`c${i - 1}`]);
      await tb.confirmMilestoneOn([`c${i}`]);
    }
    await tb.message("A").parents("c8").store(); // referenced at 9, child B at 11
    await chain(9, ["c8", "A"]);
    await tb.confirmMilestoneOn(["c9"]);
    await tb.message("C").parents("c9").store(); // referenced at 10, children D (10) and E (never referenced)
    await tb.message("D").parents("C").store();
    await tb.message("H").parents("c9").store(); // referenced at 10, no child at all
    await chain(10, ["c9", "D", "H"]);
    await tb.confirmMilestoneOn(["c10"]);
    await tb.message("E").parents("C").store();
    await tb.message("B").parents("A", "c10").store();
    await chain(11, ["c10", "B"]);
    await tb.confirmMilestoneOn(["c11"]);
    await tb.message("G").parents("F", "c11").store();
    await chain(12, ["c11", "G"]);
    await tb.confirmMilestoneOn(["c12"]);
    for (let i = 13; i <= 17; i++) {
      await chain(i, [`c${i - 1}`]);
      await tb.confirmMilestoneOn([`c${i}`]);
    }
    const p = pruner(tb, { belowMaxDepth: 2 });
    await rejectsWithCode(p.pruneTo(11), "TANGLE_ERROR_PRUNING_TARGET");
    const report = await p.pruneTo(10);
    assert.equal(report.completed, true);
    const labels = [...sepMap(tb.tangle)].map(([hex, index]) => `${tb.labelOf(hex)}@${index}`).sort();
    // c10 (child c11 at 11), A (child B at 11), F (child G at 12, six milestones below the target); not C (its
    // only later child E is never referenced), not H or D (no child above 10), not genesis.
    assert.deepEqual(labels, ["A@9", "F@6", "c10@10"]);
    assert.equal(tb.tangle.hasMessage(tb.id("E")), false, "E, never referenced, arrived at LMI 10");
    assert.equal(tb.tangle.hasMessage(tb.id("C")), false);
    assertKeptConesSolid(tb.tangle, 10);
    await tb.close();
  });

  it("matches Hornet's rule on random DAGs whose edges reach at most BMD milestones back", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.tuple(fc.nat(), fc.nat(), fc.boolean()), { minLength: 1, maxLength: 4 }), {
          minLength: 18,
          maxLength: 24,
        }),
        fc.nat(),
        async (milestones, targetSeed) => {
          const tb = await TangleBuilder.create();
          const bmd = 3;
          const referencedAt: string[][] = [];
          const labels: string[] = [];
          let n = 0;
          for (let i = 0; i < milestones.length; i++) {
            const fresh: string[] = [];
            for (const [p1, p2, referenced] of milestones[i]!) {
              // Parents among the messages referenced in the last BMD milestones, or genesis at the start.
              const pool = referencedAt.slice(Math.max(0, i - bmd)).flat();
              const parents = pool.length === 0 ? ["genesis"] : [pool[p1 % pool.length]!, pool[p2 % pool.length]!];
              const label = `x${n++}`;
              await tb
                .message(label)
                .parents(...parents)
                .store();
              labels.push(label);
              if (referenced || fresh.length === 0) fresh.push(label);
            }
            await tb.confirmMilestoneOn(fresh);
            referencedAt.push(fresh);
          }
          const cmi = tb.tangle.confirmedMilestoneIndex;
          const target = 1 + (targetSeed % (cmi - (bmd + 5)));
          const expected = expectedSeps(tb, labels, target);
          const report = await pruner(tb, { belowMaxDepth: bmd, chunkSize: 3 }).pruneTo(target);
          assert.equal(report.completed, true);
          assert.deepEqual(sepMap(tb.tangle), expected);
          assertKeptConesSolid(tb.tangle, target);
          await tb.close();
        },
      ),
      { numRuns: 25, seed: 7 },
    );
  });

  it("refuses targets at or below the pruning index or above CMI − (BMD + 5), and changes nothing", async () => {
    const tb = await TangleBuilder.create();
    await buildScenario(tb, 45);
    const p = pruner(tb);
    await rejectsWithCode(p.pruneTo(26), "TANGLE_ERROR_PRUNING_TARGET");
    await rejectsWithCode(p.pruneTo(0), "TANGLE_ERROR_PRUNING_TARGET");
    await rejectsWithCode(p.pruneTo(10.5), "TANGLE_ERROR_PRUNING_TARGET");
    assert.equal(tb.tangle.pruningIndex, 0);
    assert.ok(tb.tangle.hasMessage(tb.id("m1a")));
    assert.equal((await p.pruneTo(25)).completed, true, "CMI 45 − 20 is allowed");
    await rejectsWithCode(p.pruneTo(25), "TANGLE_ERROR_PRUNING_TARGET");
    await rejectsWithCode(p.pruneTo(24), "TANGLE_ERROR_PRUNING_TARGET");
    assert.equal(tb.tangle.pruningIndex, 25);
    await tb.close();
  });
});

describe("Pruner: interruptions", () => {
  /** Chunks of 5 entries and no time limit, so that the batch numbers are the same in every run. */
  const EXACT_CHUNKS: Partial<PruningOptions> = { chunkSize: 5, chunkBudgetMs: 1e9 };

  async function reference(): Promise<{ tb: TangleBuilder; kv: CrashableStore; batches: number }> {
    const kv = new CrashableStore();
    const tb = await TangleBuilder.create({ kv });
    await buildScenario(tb, 45);
    const before = kv.batches;
    await pruner(tb, EXACT_CHUNKS).pruneTo(20);
    await tb.tangle.store.flush();
    return { tb, kv, batches: kv.batches - before };
  }

  it("an aborted run leaves a consistent state and running it again ends exactly like an uninterrupted run", async () => {
    const ref = await reference();
    const kv = new CrashableStore();
    const tb = await TangleBuilder.create({ kv });
    await buildScenario(tb, 45);
    const abort = new AbortController();
    let seen = 0;
    kv.onBatch = () => {
      if (++seen === 6) abort.abort();
    };
    const p = pruner(tb, EXACT_CHUNKS);
    const first = await p.pruneTo(20, { signal: abort.signal });
    kv.onBatch = undefined;
    assert.equal(first.completed, false);
    assert.ok(first.messagesDeleted > 0, "the abort came after some deletions");
    assert.ok(first.prunedIndex < 20);
    assert.equal(tb.tangle.pruningIndex, first.prunedIndex);
    assertKeptConesSolid(tb.tangle, 20);
    const second = await p.pruneTo(20);
    assert.equal(second.completed, true);
    assert.equal(second.fromIndex, first.prunedIndex);
    assert.equal(first.messagesDeleted + second.messagesDeleted, 65);
    await tb.tangle.store.flush();
    assert.deepEqual(dump(kv), dump(ref.kv));
    await tb.close();
    await ref.tb.close();
  });

  it("after a crash at any batch, a new Pruner on the reopened store finishes to the same state", async () => {
    const ref = await reference();
    const expected = dump(ref.kv);
    const points = [...new Set([1, 2, 3, 4, Math.floor(ref.batches / 2), ref.batches - 1, ref.batches])];
    for (const failAt of points) {
      const kv = new CrashableStore();
      const tb = await TangleBuilder.create({ kv });
      await buildScenario(tb, 45);
      kv.failFrom = kv.batches + failAt;
      await assert.rejects(pruner(tb, EXACT_CHUNKS).pruneTo(20));
      kv.failFrom = undefined;
      const { tangle, wasDirty } = await Tangle.open(kv);
      assert.equal(wasDirty, true);
      assert.ok(tangle.pruningIndex < 20 || failAt === ref.batches, `crash at batch ${failAt}`);
      assertKeptConesSolid(tangle, 20);
      const resumed = new Pruner({ chunkSize: 7, chunkBudgetMs: 1e9 }, { tangle, now: NOW });
      if (tangle.pruningIndex < 20) assert.equal((await resumed.pruneTo(20)).completed, true);
      await tangle.store.flush();
      assert.deepEqual(dump(kv), expected, `crash at batch ${failAt} of ${ref.batches}`);
    }
    await ref.tb.close();
  });

  it("a chunk ends once its time budget is spent, and the result is the same", async () => {
    const ref = await reference();
    const kv = new CrashableStore();
    const tb = await TangleBuilder.create({ kv });
    await buildScenario(tb, 45);
    const report = await pruner(tb, { chunkSize: 1000, chunkBudgetMs: Number.MIN_VALUE }).pruneTo(20);
    assert.equal(report.completed, true);
    assert.ok(report.chunks > report.messagesDeleted, `one entry per chunk (${report.chunks} chunks)`);
    await tb.tangle.store.flush();
    assert.deepEqual(dump(kv), dump(ref.kv));
    await tb.close();
    await ref.tb.close();
  });
});

describe("Pruner.maybePrune", () => {
  it("prunes to CMI − milestonesToKeep in steps of at least BMD + 6 milestones", async () => {
    const tb = await TangleBuilder.create();
    const p = pruner(tb, { milestonesToKeep: 25 });
    const runs: Array<[number, number]> = [];
    for (let i = 1; i <= 70; i++) {
      await tb
        .message(`m${i}`)
        .parents(i === 1 ? "genesis" : `m${i - 1}`)
        .store();
      await tb.confirmMilestoneOn([`m${i}`]);
      const report = await p.maybePrune();
      if (report !== null) {
        assert.equal(report.trigger, "depth");
        assert.equal(report.completed, true);
        runs.push([i, report.targetIndex]);
      }
      assert.ok(tb.tangle.pruningIndex <= Math.max(0, i - 25));
    }
    assert.deepEqual(runs, [
      [46, 21],
      [67, 42],
    ]);
    assert.equal(tb.tangle.hasMessage(tb.id("m42")), false);
    assert.ok(tb.isSolid("m43"));
    await tb.close();
  });

  it("never prunes above CMI − (BMD + 5), one prune at a time, only while synced, nothing with depth pruning off", async () => {
    const tb = await TangleBuilder.create();
    await buildScenario(tb, 45);
    assert.equal(await pruner(tb, { milestonesToKeep: 0 }).maybePrune(), null);
    const p = pruner(tb, { milestonesToKeep: 3 });
    const [a, b] = await Promise.all([p.maybePrune(), p.maybePrune()]);
    assert.equal(a?.targetIndex, 25, "45 − (15 + 5)");
    assert.equal(b, null, "a second call while one runs does nothing");
    assert.equal(await p.maybePrune(), null, "25 + 21 is not reached");
    const syncing = pruner(tb, { milestonesToKeep: 3 });
    tb.tangle.setLatestMilestoneIndex(80);
    tb.tangle.setConfirmedMilestoneIndex(79);
    assert.equal(await syncing.maybePrune(), null, "not while the CMI lags the LMI");
    tb.tangle.setConfirmedMilestoneIndex(80);
    assert.equal((await syncing.maybePrune())?.targetIndex, 60);
    await tb.close();
  });

  it("pruneTo waits for a running prune instead of overlapping it", async () => {
    const tb = await TangleBuilder.create();
    await buildScenario(tb, 45);
    const p = pruner(tb, { chunkSize: 2 });
    const first = p.pruneTo(10);
    assert.equal(p.isPruning, true);
    const second = p.pruneTo(20);
    const [r1, r2] = await Promise.all([first, second]);
    assert.equal(r1.prunedIndex, 10);
    assert.equal(r2.fromIndex, 10);
    assert.equal(r2.prunedIndex, 20);
    assert.equal(p.isPruning, false);
    await tb.close();
  });

  it("prunes by size with Hornet's formula, respects the cooldown, and stops at the BMD window", async () => {
    const tb = await TangleBuilder.create();
    await buildScenario(tb, 60);
    const clock = { now: 1_000 };
    const size = tb.tangle.store.sizeBytes();
    const p = pruner(tb, { milestonesToKeep: 0, sizeTargetBytes: Math.floor(size / 2) }, () => clock.now);
    const expected = sizeTargetIndex({
      confirmedMilestoneIndex: 60,
      pruningIndex: 0,
      currentBytes: size,
      targetBytes: Math.floor(size / 2),
      thresholdPercentage: 10,
    });
    assert.equal(expected, 60 - Math.ceil(60 * ((Math.floor(size / 2) * 0.9) / size)));
    const first = (await p.maybePrune()) as PruneReport;
    assert.equal(first.trigger, "size");
    assert.equal(first.targetIndex, expected);
    assert.ok(tb.tangle.store.sizeBytes() < size * 0.75, "the store shrank");

    // Far above target again, but within the cooldown: nothing; after it: as far as the BMD window allows.
    const tiny = pruner(tb, { milestonesToKeep: 0, sizeTargetBytes: 1, sizeCooldownMs: 60_000 }, () => clock.now);
    for (let i = 61; i <= 100; i++) {
      await tb
        .message(`m${i}x`)
        .parents(`m${i - 1}${i === 61 ? "b" : "x"}`)
        .store();
      await tb.confirmMilestoneOn([`m${i}x`]);
    }
    const second = (await tiny.maybePrune()) as PruneReport;
    assert.equal(second.trigger, "size");
    assert.equal(second.targetIndex, 100 - 20, "never within BMD + 5 of the CMI");
    for (let i = 101; i <= 130; i++) {
      await tb
        .message(`m${i}x`)
        .parents(`m${i - 1}x`)
        .store();
      await tb.confirmMilestoneOn([`m${i}x`]);
    }
    clock.now += 60_000;
    assert.equal(await tiny.maybePrune(), null, "cooldown not over");
    clock.now += 1;
    assert.equal((await tiny.maybePrune())?.targetIndex, 110);
    await tb.close();
  });

  it("sizeTargetIndex keeps the share of milestones that fits (100 − threshold)% of the target", () => {
    const base = { confirmedMilestoneIndex: 1000, pruningIndex: 200, thresholdPercentage: 10 };
    assert.equal(sizeTargetIndex({ ...base, currentBytes: 900, targetBytes: 1000 }), undefined);
    assert.equal(sizeTargetIndex({ ...base, currentBytes: 1000, targetBytes: 0 }), undefined);
    // 800 milestones × (1000 × 0.9 / 2000) = 360 kept.
    assert.equal(sizeTargetIndex({ ...base, currentBytes: 2000, targetBytes: 1000 }), 640);
    assert.equal(sizeTargetIndex({ ...base, currentBytes: 1000, targetBytes: 1000 }), 1000 - 720);
  });
});
