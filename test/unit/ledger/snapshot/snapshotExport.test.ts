/**
 * Writing snapshot files from the ledger (chrysalis.md §11) and loading them back: a history of 35 milestones
 * confirmed with real white flag, a full snapshot at CMI − 20 and a delta on top of it, each checked against the
 * ledger as it stood at the snapshot's SEP index; the genesis round trip byte for byte; and the refusals.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  writeDeltaSnapshotFromLedger,
  writeFullSnapshotFromLedger,
} from "../../../../src/ledger/snapshot/snapshotExport.js";
import { importSnapshots } from "../../../../src/ledger/snapshot/snapshotImport.js";
import { readWholeSnapshot } from "../../../../src/ledger/snapshot/snapshotReader.js";
import type { LedgerOutput } from "../../../../src/ledger/types.js";
import { UtxoLedger } from "../../../../src/ledger/utxoLedger.js";
import { TOKEN_SUPPLY } from "../../../../src/params/protocol.js";
import { bytesToHex } from "../../../../src/primitives/hex.js";
import { MemoryKvStore } from "../../../../src/storage/backends/memory.js";
import { Pruner } from "../../../../src/tangle/pruner.js";
import { Tangle } from "../../../../src/tangle/tangle.js";
import { TangleError } from "../../../../src/tangle/tangleError.js";
import { ConsensusBuilder } from "../../../utils/consensusBuilder.js";
import { checkLedgerConsistency } from "../../../utils/ledgerConsistency.js";
import { outputIdTo, Wallet } from "../../../utils/ledgerFixtures.js";
import { checkTangleConsistency } from "../../../utils/tangleConsistency.js";
import { readVectorBytes } from "../../../utils/vectors.js";
import { snapshotErrorOf } from "./snapshotTestUtils.js";

const dir = mkdtempSync(join(tmpdir(), "weaver-snapshot-export-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const WALLETS = ["alice", "bob", "carol", "dave"].map((n) => Wallet.named(n));
const FIRST_MILESTONES = 25;
const MORE_MILESTONES = 10;
const FULL_SEP = FIRST_MILESTONES - 20;
const DELTA_SEP = FIRST_MILESTONES + MORE_MILESTONES - 20;

interface Coin {
  outputId: Uint8Array;
  owner: Wallet;
  amount: number;
}

interface Coins {
  /** The genesis wallet's change, which pays everyone. */
  remainder: Coin;
  small: Coin[];
}

/** The ledger at one milestone, as the test compares it. */
interface LedgerState {
  unspent: string[];
  balances: string[];
}

function unspent(ledger: UtxoLedger): string[] {
  return [...ledger.unspentOutputs()].map(
    (o) => `${bytesToHex(o.outputId)}:${o.output.type}:${o.output.amount}:${bytesToHex(o.output.address.address)}`,
  );
}

function stateOf(ledger: UtxoLedger, owners: Wallet[]): LedgerState {
  return {
    unspent: unspent(ledger),
    balances: owners.map((w) => `${w.name}:${JSON.stringify(ledger.balance(w.address))}`),
  };
}

async function freshDb(): Promise<{ tangle: Tangle; ledger: UtxoLedger }> {
  const { tangle } = await Tangle.open(new MemoryKvStore());
  return { tangle, ledger: new UtxoLedger(tangle.store) };
}

function timestampOf(cb: ConsensusBuilder, index: number): number {
  const ms = cb.tb.tangle.getMilestone(index);
  assert.ok(ms, `milestone ${index} is stored`);
  return Number(ms.timestamp);
}

describe("writeFullSnapshotFromLedger / writeDeltaSnapshotFromLedger over a confirmed history", () => {
  const fullPath = join(dir, "full_snapshot.bin");
  const deltaPath = join(dir, "delta_snapshot.bin");
  const states = new Map<number, LedgerState>();
  let cb: ConsensusBuilder;
  let owners: Wallet[];
  let fullSeps: string[];
  let deltaSeps: string[];
  let networkId: bigint;

  /** Milestone i: the genesis remainder pays a wallet, every third milestone a wallet passes its oldest coin on,
   * every fifth carries no transaction; milestone 2 gives a wallet a dust allowance output (TIP-15). */
  async function confirmMilestones(from: number, to: number, coins: Coins): Promise<void> {
    for (let i = from; i <= to; i++) {
      const parent = i === 1 ? "genesis" : `ms${i - 1}`;
      const labels: string[] = [];
      if (i % 5 === 0) {
        await cb.tb.message(`idx${i}`).parents(parent).index("weaver").store();
        labels.push(`idx${i}`);
      } else {
        const big = coins.remainder;
        const payee = WALLETS[i % WALLETS.length]!;
        const pay = i * 1_000_000;
        const type = i === 2 ? 1 : 0;
        const tx = big.owner.transfer(
          [big],
          [
            { address: payee, amount: pay, type },
            { address: big.owner, amount: big.amount - pay },
          ],
        );
        await cb.tb.message(`tx${i}`).parents(parent).withPayload(tx).store();
        labels.push(`tx${i}`);
        coins.remainder = { outputId: outputIdTo(tx, big.owner), owner: big.owner, amount: big.amount - pay };
        if (type === 0) coins.small.push({ outputId: outputIdTo(tx, payee), owner: payee, amount: pay });
        if (i % 3 === 0 && coins.small.length > 1) {
          const small = coins.small.shift()!;
          const next = WALLETS[(WALLETS.indexOf(small.owner) + 1) % WALLETS.length]!;
          const pass = small.owner.transfer([small], [{ address: next, amount: small.amount }]);
          // Chained behind tx{i}, so that the milestone names one message: ConsensusBuilder's Merkle preview walks
          // the milestone's parents unsorted, white flag sorted, which only agree for a single cone root.
          await cb.tb.message(`pass${i}`).parents(`tx${i}`).withPayload(pass).store();
          labels[0] = `pass${i}`;
          coins.small.push({ outputId: outputIdTo(pass, next), owner: next, amount: small.amount });
        }
      }
      const ms = await cb.milestone(labels);
      assert.equal(ms.index, i);
      assert.equal(cb.ledger.ledgerIndex, i);
      states.set(i, stateOf(cb.ledger, owners));
    }
  }

  before(async () => {
    cb = await ConsensusBuilder.create();
    networkId = cb.tb.networkId;
    owners = [cb.genesisWallet, ...WALLETS];
    states.set(0, stateOf(cb.ledger, owners));
    const coins: Coins = {
      remainder: { outputId: cb.genesisOutput.outputId, owner: cb.genesisWallet, amount: TOKEN_SUPPLY },
      small: [],
    };
    await confirmMilestones(1, FIRST_MILESTONES, coins);
    const pruner = new Pruner({}, { tangle: cb.tb.tangle, now: () => Date.now() });
    const seps = await pruner.solidEntryPointsFor(FULL_SEP);
    fullSeps = [...seps.values()].map((s) => `${bytesToHex(s.id)}@${s.index}`);
    await writeFullSnapshotFromLedger(fullPath, {
      ledger: cb.ledger,
      networkId,
      solidEntryPoints: [...seps.values()].map((s) => s.id),
      sepIndex: FULL_SEP,
      timestamp: timestampOf(cb, FULL_SEP),
    });
    await confirmMilestones(FIRST_MILESTONES + 1, FIRST_MILESTONES + MORE_MILESTONES, coins);
    const deltaSepMap = await pruner.solidEntryPointsFor(DELTA_SEP);
    deltaSeps = [...deltaSepMap.values()].map((s) => `${bytesToHex(s.id)}@${s.index}`);
    await writeDeltaSnapshotFromLedger(deltaPath, {
      ledger: cb.ledger,
      networkId,
      solidEntryPoints: [...deltaSepMap.values()].map((s) => s.id),
      fullSepIndex: FULL_SEP,
      sepIndex: DELTA_SEP,
      timestamp: timestampOf(cb, DELTA_SEP),
    });
  });

  it("the history moved tokens around: the states differ from milestone to milestone", () => {
    assert.notDeepEqual(states.get(FULL_SEP), states.get(FIRST_MILESTONES));
    assert.notDeepEqual(states.get(FULL_SEP), states.get(DELTA_SEP));
    assert.equal(cb.ledger.totalSupplyCheck(), TOKEN_SUPPLY);
  });

  it("the SEPs at the target are the target milestone's message (its child, the next milestone, is above it)", async () => {
    assert.deepEqual(fullSeps, [`${cb.tb.hex(`ms${FULL_SEP}`)}@${FULL_SEP}`]);
    assert.deepEqual(deltaSeps, [`${cb.tb.hex(`ms${DELTA_SEP}`)}@${DELTA_SEP}`]);
    const pruner = new Pruner({}, { tangle: cb.tb.tangle, now: () => Date.now() });
    const error = await pruner.solidEntryPointsFor(DELTA_SEP + 1).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(error instanceof TangleError);
    assert.equal(error.code, "TANGLE_ERROR_PRUNING_TARGET");
    assert.match(error.message, /snapshot target 16 is not a milestone index in 0\.\.15/);
  });

  it("the full file reads back: ledger index 25, the UTXO set at 25, diffs 25 down to 6 with their milestones", async () => {
    const s = await readWholeSnapshot(fullPath, { expectedNetworkId: networkId, expectedType: "full" });
    assert.equal(s.header.ledgerIndex, FIRST_MILESTONES);
    assert.equal(s.header.sepIndex, FULL_SEP);
    assert.equal(s.header.timestamp, timestampOf(cb, FULL_SEP));
    assert.deepEqual(s.header.treasury, { milestoneId: new Uint8Array(32), amount: 0 });
    assert.deepEqual(
      s.solidEntryPoints.map((id) => `${bytesToHex(id)}@${FULL_SEP}`),
      fullSeps,
    );
    assert.deepEqual(
      s.outputs.map(
        (o: LedgerOutput) =>
          `${bytesToHex(o.outputId)}:${o.output.type}:${o.output.amount}:${bytesToHex(o.output.address.address)}`,
      ),
      states.get(FIRST_MILESTONES)!.unspent,
    );
    assert.deepEqual(
      s.milestoneDiffs.map((d) => d.milestoneIndex),
      Array.from({ length: FIRST_MILESTONES - FULL_SEP }, (_, k) => FIRST_MILESTONES - k),
    );
    for (const d of s.milestoneDiffs) {
      assert.deepEqual(d.milestonePayloadBytes, cb.ledger.milestoneDiff(d.milestoneIndex)!.milestonePayloadBytes);
    }
  });

  it("imported into a fresh database, the full file gives the ledger as it stood at milestone 5", async () => {
    const db = await freshDb();
    const report = await importSnapshots({
      fullPath,
      networkId,
      ledger: db.ledger,
      target: db.tangle,
      store: db.tangle.store,
    });
    assert.equal(report.ledgerIndex, FULL_SEP);
    assert.equal(report.diffsRolledBack, FIRST_MILESTONES - FULL_SEP);
    assert.equal(db.ledger.ledgerIndex, FULL_SEP);
    assert.deepEqual(stateOf(db.ledger, owners), states.get(FULL_SEP));
    assert.equal(db.ledger.totalSupplyCheck(), TOKEN_SUPPLY);
    assert.deepEqual(
      [...db.tangle.solidEntryPoints()].map(([id, index]) => `${bytesToHex(id)}@${index}`),
      fullSeps,
    );
    assert.equal(db.tangle.confirmedMilestoneIndex, FULL_SEP);
    assert.deepEqual(checkLedgerConsistency(db.tangle.store), []);
    assert.deepEqual(checkTangleConsistency(db.tangle.store), []);
  });

  it("the delta on top brings the ledger forward to milestone 15, with the diffs 6..15 stored", async () => {
    const s = await readWholeSnapshot(deltaPath, { expectedNetworkId: networkId, expectedType: "delta" });
    assert.equal(s.header.ledgerIndex, FULL_SEP);
    assert.equal(s.header.sepIndex, DELTA_SEP);
    assert.deepEqual(
      s.milestoneDiffs.map((d) => d.milestoneIndex),
      Array.from({ length: DELTA_SEP - FULL_SEP }, (_, k) => FULL_SEP + 1 + k),
    );

    const db = await freshDb();
    const report = await importSnapshots({
      fullPath,
      deltaPath,
      networkId,
      ledger: db.ledger,
      target: db.tangle,
      store: db.tangle.store,
    });
    assert.equal(report.sepIndex, DELTA_SEP);
    assert.equal(report.diffsApplied, DELTA_SEP - FULL_SEP);
    assert.equal(db.ledger.ledgerIndex, DELTA_SEP);
    assert.deepEqual(stateOf(db.ledger, owners), states.get(DELTA_SEP));
    for (let i = FULL_SEP + 1; i <= DELTA_SEP; i++) {
      const mine = db.ledger.milestoneDiff(i);
      const theirs = cb.ledger.milestoneDiff(i)!;
      assert.deepEqual(mine?.createdOutputIds, theirs.createdOutputIds);
      assert.deepEqual(mine?.consumedOutputIds, theirs.consumedOutputIds);
    }
    assert.deepEqual(
      [...db.tangle.solidEntryPoints()].map(([id, index]) => `${bytesToHex(id)}@${index}`),
      deltaSeps,
    );
    assert.equal(db.tangle.latestMilestoneIndex, DELTA_SEP);
    assert.equal(db.tangle.pruningIndex, DELTA_SEP);
    assert.deepEqual(checkLedgerConsistency(db.tangle.store), []);
    assert.deepEqual(checkTangleConsistency(db.tangle.store), []);

    // A database loaded from snapshots writes snapshots in turn: a full one at 10 from the diffs it holds.
    const again = join(dir, "again.bin");
    await writeFullSnapshotFromLedger(again, {
      ledger: db.ledger,
      networkId,
      solidEntryPoints: [new Uint8Array(32)],
      sepIndex: 10,
      timestamp: 1,
    });
    const third = await freshDb();
    await importSnapshots({
      fullPath: again,
      networkId,
      ledger: third.ledger,
      target: third.tangle,
      store: third.tangle.store,
    });
    assert.deepEqual(stateOf(third.ledger, owners), states.get(10));

    // Once diffs 6..8 are pruned, neither a delta from 5 nor a full snapshot at 7 can be written.
    while (!db.ledger.pruneTo(8)) await db.tangle.durable();
    await db.tangle.durable();
    const pruned = join(dir, "pruned.bin");
    const deltaError = await snapshotErrorOf(() =>
      writeDeltaSnapshotFromLedger(pruned, {
        ledger: db.ledger,
        networkId,
        solidEntryPoints: [],
        fullSepIndex: FULL_SEP,
        sepIndex: DELTA_SEP,
        timestamp: 1,
      }),
    );
    assert.equal(deltaError.code, "SNAPSHOT_ERROR_DIFF_UNAVAILABLE");
    assert.match(deltaError.message, /diff of milestone 6, which the ledger no longer holds \(pruned\)/);
    const fullError = await snapshotErrorOf(() =>
      writeFullSnapshotFromLedger(pruned, {
        ledger: db.ledger,
        networkId,
        solidEntryPoints: [],
        sepIndex: 7,
        timestamp: 1,
      }),
    );
    assert.equal(fullError.code, "SNAPSHOT_ERROR_DIFF_UNAVAILABLE");
    assert.equal(existsSync(pruned), false);
    assert.equal(existsSync(`${pruned}.tmp`), false);
  });
});

describe("snapshot export: genesis and refusals", () => {
  const NETWORK_ID = 6530425480034647824n;

  async function genesisDb() {
    const db = await freshDb();
    const path = join(dir, "hornet-full_snapshot.bin");
    writeFileSync(path, readVectorBytes("hornet-full_snapshot.bin"));
    await importSnapshots({
      fullPath: path,
      networkId: NETWORK_ID,
      ledger: db.ledger,
      target: db.tangle,
      store: db.tangle.store,
    });
    return db;
  }

  it("a ledger loaded from the genesis vector writes the genesis vector again, byte for byte", async () => {
    const db = await genesisDb();
    const path = join(dir, "genesis-again.bin");
    const result = await writeFullSnapshotFromLedger(path, {
      ledger: db.ledger,
      networkId: NETWORK_ID,
      solidEntryPoints: [...db.tangle.solidEntryPoints()].map(([id]) => id),
      sepIndex: 0,
      timestamp: 1614081104,
    });
    assert.equal(result.bytes, 230);
    assert.deepEqual(new Uint8Array(readFileSync(path)), readVectorBytes("hornet-full_snapshot.bin"));
  });

  it("refuses a SEP index above the ledger index, and a delta below its full snapshot", async () => {
    const db = await genesisDb();
    const path = join(dir, "refused.bin");
    const full = await snapshotErrorOf(() =>
      writeFullSnapshotFromLedger(path, {
        ledger: db.ledger,
        networkId: NETWORK_ID,
        solidEntryPoints: [],
        sepIndex: 1,
        timestamp: 1,
      }),
    );
    assert.equal(full.code, "SNAPSHOT_ERROR_INVALID_HEADER");
    const delta = await snapshotErrorOf(() =>
      writeDeltaSnapshotFromLedger(path, {
        ledger: db.ledger,
        networkId: NETWORK_ID,
        solidEntryPoints: [],
        fullSepIndex: 1,
        sepIndex: 0,
        timestamp: 1,
      }),
    );
    assert.equal(delta.code, "SNAPSHOT_ERROR_INVALID_HEADER");
    assert.equal(existsSync(path), false);
  });

  it("refuses a diff kept without its milestone, and a ledger that moves while the file is written", async () => {
    const db = await genesisDb();
    const path = join(dir, "moving.bin");
    const empty = { created: [], consumed: [], treasury: null, milestonePayloadBytes: null };
    db.ledger.applyDiff({ milestoneIndex: 1, ...empty });
    const noPayload = await snapshotErrorOf(() =>
      writeFullSnapshotFromLedger(path, {
        ledger: db.ledger,
        networkId: NETWORK_ID,
        solidEntryPoints: [],
        sepIndex: 0,
        timestamp: 1,
      }),
    );
    assert.equal(noPayload.code, "SNAPSHOT_ERROR_DIFF_UNAVAILABLE");
    assert.match(noPayload.message, /without its milestone payload/);

    const ledger = db.ledger;
    function* movingSeps(): Generator<Uint8Array> {
      yield new Uint8Array(32);
      // A milestone confirmed while the snapshot is being written.
      ledger.applyDiff({ milestoneIndex: 2, ...empty });
    }
    const moved = await snapshotErrorOf(() =>
      writeFullSnapshotFromLedger(path, {
        ledger,
        networkId: NETWORK_ID,
        solidEntryPoints: movingSeps(),
        sepIndex: 1,
        timestamp: 1,
      }),
    );
    assert.equal(moved.code, "SNAPSHOT_ERROR_LEDGER_CHANGED");
    assert.match(moved.message, /moved from milestone 1 to 2/);
    assert.equal(existsSync(path), false);
    assert.equal(existsSync(`${path}.tmp`), false);
  });
});
