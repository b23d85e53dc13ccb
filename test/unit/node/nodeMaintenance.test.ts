/**
 * NodeMaintenance over a ConsensusBuilder tangle and ledger (memory store): the node's own pruning after a milestone,
 * prunes by index, depth and size with the ledger's diffs following the pruning index, one job at a time (409), the
 * close (503, a running prune stopped), snapshots (default index, files, delta, a full snapshot written again when the
 * ledger moved), and pruneLedgerTo, which finishes a prune a crash interrupted between its tangle and ledger parts.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ApiError } from "../../../src/api/apiError.js";
import { readWholeSnapshot } from "../../../src/ledger/snapshot/snapshotReader.js";
import type { UtxoLedger } from "../../../src/ledger/utxoLedger.js";
import {
  deltaSnapshotFileName,
  fullSnapshotFileName,
  NodeMaintenance,
  pruneLedgerTo,
  SNAPSHOT_WRITE_ATTEMPTS,
} from "../../../src/node/nodeMaintenance.js";
import { TOKEN_SUPPLY } from "../../../src/params/protocol.js";
import { Pruner, type PruningOptions } from "../../../src/tangle/pruner.js";
import { TangleError } from "../../../src/tangle/tangleError.js";
import { ConsensusBuilder } from "../../utils/consensusBuilder.js";
import { checkLedgerConsistency } from "../../utils/ledgerConsistency.js";
import { type LoggedLine, recordingLogger } from "../api/apiHarness.js";

const root = mkdtempSync(join(tmpdir(), "weaver-maintenance-"));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

interface Setup {
  cb: ConsensusBuilder;
  pruner: Pruner;
  maintenance: NodeMaintenance;
  logged: LoggedLine[];
  snapshotDir: string;
}

/** `milestones` milestones, each confirming one indexation message on the previous milestone. */
async function setup(
  milestones: number,
  options: Partial<PruningOptions> = {},
  ledger?: (real: UtxoLedger) => UtxoLedger,
): Promise<Setup> {
  const cb = await ConsensusBuilder.create();
  for (let i = 1; i <= milestones; i++) {
    await cb.tb
      .message(`d${i}`)
      .parents(i === 1 ? "genesis" : `ms${i - 1}`)
      .index(`d${i}`)
      .store();
    await cb.milestone([`d${i}`]);
  }
  const pruner = new Pruner(options, {
    tangle: cb.tb.tangle,
    isPending: (hex) => cb.tb.pipeline.solidifier.isPending(hex),
    now: () => cb.tb.now,
  });
  const logged: LoggedLine[] = [];
  const snapshotDir = join(root, `s${dirs++}`, "snapshots");
  const maintenance = new NodeMaintenance({
    tangle: cb.tb.tangle,
    ledger: ledger === undefined ? cb.ledger : ledger(cb.ledger),
    pruner,
    networkId: cb.tb.networkId,
    snapshotDir,
    logger: recordingLogger(logged),
  });
  return { cb, pruner, maintenance, logged, snapshotDir };
}

/** The ApiError a promise rejects with. */
async function apiRefusal(p: Promise<unknown>): Promise<ApiError> {
  const e = await p.then(
    () => assert.fail("resolved"),
    (error: unknown) => error,
  );
  assert.ok(e instanceof ApiError, `expected an ApiError, got ${String(e)}`);
  return e;
}

function diffsKept(cb: ConsensusBuilder, upTo: number): number[] {
  const kept: number[] = [];
  for (let i = 1; i <= upTo; i++) if (cb.ledger.milestoneDiff(i) !== undefined) kept.push(i);
  return kept;
}

describe("NodeMaintenance: pruning", () => {
  it("after a confirmed milestone prunes as maybePrune says, the ledger's diffs with the messages", async () => {
    const s = await setup(41, { milestonesToKeep: 5 });
    s.maintenance.onMilestoneConfirmed();
    await s.maintenance.idle();
    assert.equal(s.cb.tb.tangle.pruningIndex, 21, "CMI 41 − (BMD + 5)");
    assert.deepEqual(
      diffsKept(s.cb, 41),
      Array.from({ length: 20 }, (_, k) => 22 + k),
    );
    assert.equal(s.cb.tb.tangle.getMessageBytes(s.cb.tb.id("d21")), undefined);
    assert.notEqual(s.cb.tb.tangle.getMessageBytes(s.cb.tb.id("d22")), undefined);
    assert.deepEqual(checkLedgerConsistency(s.cb.tb.tangle.store), []);
    const line = s.logged.find((l) => l.message === "Pruned");
    assert.equal(line?.context?.trigger, "depth");
    assert.equal(line?.context?.prunedIndex, 21);

    s.maintenance.onMilestoneConfirmed();
    await s.maintenance.idle();
    assert.equal(s.logged.filter((l) => l.message === "Pruned").length, 1, "nothing more to do: no second run");
  });

  it("milestonesToKeep 0 never prunes by depth", async () => {
    const s = await setup(41, { milestonesToKeep: 0 });
    s.maintenance.onMilestoneConfirmed();
    await s.maintenance.idle();
    assert.equal(s.cb.tb.tangle.pruningIndex, 0);
    assert.equal(diffsKept(s.cb, 41).length, 41);
  });

  it("prunes on request by index, depth and size; refusals carry the reason", async () => {
    const s = await setup(40);
    const { tangle } = s.cb.tb;
    assert.deepEqual(await s.maintenance.prune({ by: "index", index: 5 }), { index: 5 });
    assert.deepEqual(diffsKept(s.cb, 6), [6]);
    assert.deepEqual(await s.maintenance.prune({ by: "depth", depth: 30 }), { index: 10 });
    assert.deepEqual(diffsKept(s.cb, 11), [11]);

    const above = await s.maintenance.prune({ by: "index", index: 21 }).catch((e: unknown) => e);
    assert.ok(above instanceof TangleError && above.code === "TANGLE_ERROR_PRUNING_TARGET");
    assert.match(above.message, /pruning target 21 is above 20/);
    const deep = await apiRefusal(s.maintenance.prune({ by: "depth", depth: 41 }));
    assert.equal(deep.status, 400);
    assert.match(deep.message, /depth 41 is more than the confirmed milestone index 40/);
    const small = await apiRefusal(s.maintenance.prune({ by: "size", targetBytes: 1e12 }));
    assert.match(small.message, /less than the target 1000000000000: nothing to prune/);

    // Any store is above 1 byte: as far as the solid entry points allow, CMI − 20.
    assert.deepEqual(await s.maintenance.prune({ by: "size", targetBytes: 1 }), { index: 20 });
    assert.equal(tangle.pruningIndex, 20);
    assert.deepEqual(
      diffsKept(s.cb, 40),
      Array.from({ length: 20 }, (_, k) => 21 + k),
    );
    assert.deepEqual(checkLedgerConsistency(tangle.store), []);
    assert.equal(s.cb.ledger.totalSupplyCheck(), TOKEN_SUPPLY);
  });

  it("one job at a time: a request while a prune or a snapshot runs is 409, the node's own prune waits", async () => {
    const s = await setup(45, { milestonesToKeep: 5 });
    const first = s.maintenance.prune({ by: "index", index: 3 });
    const busy = await apiRefusal(s.maintenance.prune({ by: "index", index: 2 }));
    assert.equal(busy.status, 409);
    assert.equal(busy.code, "API_ERROR_CONTROL_BUSY");
    assert.match(busy.message, /a prune is running/);
    assert.equal((await apiRefusal(s.maintenance.createSnapshot({}))).status, 409);
    assert.deepEqual(await first, { index: 3 });

    const snapshot = s.maintenance.createSnapshot({ fullIndex: 12 });
    assert.match((await apiRefusal(s.maintenance.prune({ by: "depth", depth: 30 }))).message, /a snapshot is running/);
    s.maintenance.onMilestoneConfirmed();
    assert.equal(s.pruner.isPruning, false, "the node's own prune does not start under a snapshot");
    assert.equal((await snapshot).fullIndex, 12);
    assert.equal(s.cb.tb.tangle.pruningIndex, 3);
    s.maintenance.onMilestoneConfirmed();
    await s.maintenance.idle();
    assert.equal(s.cb.tb.tangle.pruningIndex, 25, "at the next milestone it does: CMI 45 − 20");
  });

  it("close stops a running prune at its next chunk and refuses new jobs with 503", async () => {
    const s = await setup(45);
    const running = s.maintenance.prune({ by: "index", index: 25 });
    await s.maintenance.close();
    const { index } = await running;
    assert.ok(index < 25, `stopped early, at ${index}`);
    assert.equal(s.cb.tb.tangle.pruningIndex, index);
    const closed = await apiRefusal(s.maintenance.prune({ by: "index", index: 25 }));
    assert.equal(closed.status, 503);
    assert.match(closed.message, /closing/);
    s.maintenance.onMilestoneConfirmed();
    assert.equal(s.pruner.isPruning, false, "no prune of its own after the close");
  });

  it("pruneLedgerTo finishes a prune whose ledger part a crash cut off; a signal stops it between chunks", async () => {
    const s = await setup(30);
    // The tangle part alone, as a crash right after it leaves the database.
    await s.pruner.pruneTo(8);
    assert.equal(diffsKept(s.cb, 8).length, 8, "the diffs are still there");
    assert.equal(await pruneLedgerTo(s.cb.ledger, s.cb.tb.tangle, s.cb.tb.tangle.pruningIndex), true);
    assert.deepEqual(diffsKept(s.cb, 9), [9]);
    assert.deepEqual(checkLedgerConsistency(s.cb.tb.tangle.store), []);

    let calls = 0;
    let durable = 0;
    const ledger = { pruneTo: () => ++calls >= 3 };
    const store = { durable: async () => void durable++ };
    assert.equal(await pruneLedgerTo(ledger, store, 5), true);
    assert.deepEqual([calls, durable], [3, 3], "each chunk made durable");
    calls = 0;
    assert.equal(await pruneLedgerTo(ledger, store, 5, AbortSignal.abort()), false);
    assert.equal(calls, 1);
  });
});

describe("NodeMaintenance: snapshots", () => {
  it("writes a full snapshot at CMI − 20 by default, and a delta above an index given", async () => {
    const s = await setup(30);
    const created = await s.maintenance.createSnapshot({});
    const fullPath = join(s.snapshotDir, fullSnapshotFileName(10));
    assert.deepEqual(created, { fullIndex: 10, fullFilePath: fullPath });
    const full = await readWholeSnapshot(fullPath, { expectedNetworkId: s.cb.tb.networkId, expectedType: "full" });
    assert.deepEqual([full.header.sepIndex, full.header.ledgerIndex], [10, 30]);
    assert.equal(full.header.timestamp, Number(s.cb.tb.tangle.getMilestone(10)?.timestamp));
    assert.deepEqual(full.solidEntryPoints, [s.cb.tb.id("ms10")]);
    assert.equal(full.milestoneDiffs.length, 20);

    const both = await s.maintenance.createSnapshot({ fullIndex: 4, deltaIndex: 9 });
    const deltaPath = join(s.snapshotDir, deltaSnapshotFileName(4, 9));
    assert.deepEqual(both, {
      fullIndex: 4,
      fullFilePath: join(s.snapshotDir, fullSnapshotFileName(4)),
      delta: { index: 9, filePath: deltaPath },
    });
    const delta = await readWholeSnapshot(deltaPath, { expectedType: "delta" });
    assert.deepEqual([delta.header.ledgerIndex, delta.header.sepIndex], [4, 9]);
    assert.deepEqual(
      delta.milestoneDiffs.map((d) => d.milestoneIndex),
      [5, 6, 7, 8, 9],
    );
    assert.ok(s.logged.some((l) => l.message === "Delta snapshot written"));
  });

  it("refuses what the history rules out, with the reason", async () => {
    const young = await setup(15);
    const notYet = await apiRefusal(young.maintenance.createSnapshot({}));
    assert.match(notYet.message, /no snapshot can be taken yet/);
    assert.equal(existsSync(young.snapshotDir), false, "nothing written");

    const s = await setup(30);
    const delta = await apiRefusal(s.maintenance.createSnapshot({ deltaIndex: 8 }));
    assert.match(delta.message, /deltaIndex 8 must be above fullIndex 10 \(by default/);
    const tooNew = await s.maintenance.createSnapshot({ fullIndex: 11 }).catch((e: unknown) => e);
    assert.ok(tooNew instanceof TangleError && tooNew.code === "TANGLE_ERROR_PRUNING_TARGET");
    await s.maintenance.prune({ by: "index", index: 6 });
    const gone = await apiRefusal(s.maintenance.createSnapshot({ fullIndex: 6 }));
    assert.match(gone.message, /milestone 6 is pruned, its timestamp with it/);
    const below = await s.maintenance.createSnapshot({ fullIndex: 5 }).catch((e: unknown) => e);
    assert.ok(below instanceof TangleError, "below the pruning index");
    assert.equal((await s.maintenance.createSnapshot({ fullIndex: 7 })).fullIndex, 7);
  });

  it("writes the full snapshot again when the ledger moved during the write, and gives up after three attempts", async () => {
    /** A ledger whose index reads one higher once, right after the UTXO set was streamed (a confirmation then). */
    let moves = 0;
    const moving = (real: UtxoLedger): UtxoLedger => {
      let bump = 0;
      return new Proxy(real, {
        get(target, property) {
          if (property === "ledgerIndex") {
            const index = target.ledgerIndex + bump;
            bump = 0;
            return index;
          }
          if (property === "unspentOutputs") {
            return function* () {
              yield* target.unspentOutputs();
              if (moves > 0) {
                moves--;
                bump = 1;
              }
            };
          }
          const value: unknown = Reflect.get(target, property, target);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    };
    const s = await setup(25, {}, moving);
    moves = SNAPSHOT_WRITE_ATTEMPTS - 1;
    const created = await s.maintenance.createSnapshot({ fullIndex: 5 });
    assert.equal(moves, 0, "the first attempts saw the ledger move");
    const full = await readWholeSnapshot(created.fullFilePath, { expectedType: "full" });
    assert.equal(full.header.ledgerIndex, 25);
    assert.equal(
      s.logged.filter((l) => l.message.startsWith("The ledger moved while the full snapshot was written")).length,
      SNAPSHOT_WRITE_ATTEMPTS - 1,
    );

    moves = SNAPSHOT_WRITE_ATTEMPTS;
    const failed = await s.maintenance.createSnapshot({ fullIndex: 4 }).catch((e: unknown) => e);
    assert.equal((failed as { code?: string }).code, "SNAPSHOT_ERROR_LEDGER_CHANGED");
    assert.equal(existsSync(join(s.snapshotDir, fullSnapshotFileName(4))), false, "no file left behind");
  });
});
