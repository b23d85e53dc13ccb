/**
 * The coordinator on a real tangle, ledger and confirmer (ConsensusBuilder): bootstrap on the genesis solid entry
 * point, milestones only after the previous one is confirmed, the state written before a milestone leaves and the
 * same bytes re-sent after a crash, N-of-M signing, and refusals when the state and the database disagree.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Coordinator, type CoordinatorModules } from "../../../src/coordinator/coordinator.js";
import { CoordinatorError, readCoordinatorState } from "../../../src/coordinator/coordinatorState.js";
import { blake2b256 } from "../../../src/crypto/blake2b.js";
import { seedSigner } from "../../../src/milestones/milestoneBuilder.js";
import { utf8ToBytes } from "../../../src/primitives/bytes.js";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { ConsensusBuilder, type ConsensusBuilderOptions } from "../../utils/consensusBuilder.js";

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function stateFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "weaver-coo-"));
  dirs.push(dir);
  return join(dir, "coordinator.json");
}

function modules(cb: ConsensusBuilder, file: string, more: Partial<CoordinatorModules> = {}): CoordinatorModules {
  return {
    tangle: cb.tb.tangle,
    ledger: cb.ledger,
    ingress: cb.tb.pipeline.ingress,
    selectTips: () => cb.tb.tipSelector.selectTips(),
    signers: cb.signers,
    networkId: cb.tb.networkId,
    minPowScore: 0,
    pow: { mine: async () => ({ nonce: 0n }) },
    now: Date.now,
    stateFile: file,
    ...more,
  };
}

async function issueAndConfirm(cb: ConsensusBuilder, coo: Coordinator) {
  const issued = await coo.issueNext();
  assert.ok(issued !== null, "a milestone was issued");
  await cb.consensus.confirmer.idle();
  return issued;
}

describe("Coordinator", () => {
  it("bootstraps a new network on the genesis SEP, then references new messages, one milestone per confirmation", async () => {
    const cb = await ConsensusBuilder.create();
    const file = stateFile();
    const coo = await Coordinator.open(modules(cb, file));
    const first = await issueAndConfirm(cb, coo);
    assert.equal(first.index, 1);
    assert.equal(cb.tb.tangle.confirmedMilestoneIndex, 1);
    assert.deepEqual(readCoordinatorState(file).lastMessageId, first.messageId);

    await cb.tb.message("A").store();
    await cb.tb.message("B").parents("A").store();
    const second = await issueAndConfirm(cb, coo);
    assert.equal(second.index, 2);
    assert.equal(cb.tb.tangle.getMetadata(cb.tb.idOf("B"))?.referencedByMilestoneIndex, 2);
    assert.equal(cb.tb.tangle.getMetadata(cb.tb.idOf("A"))?.referencedByMilestoneIndex, 2);
    // Milestone 3 on no new tips stands on milestone 2 alone and still confirms.
    assert.equal((await issueAndConfirm(cb, coo)).index, 3);
  });

  it("does not build the next milestone before the previous one is confirmed", async () => {
    const cb = await ConsensusBuilder.create();
    const coo = await Coordinator.open(modules(cb, stateFile()));
    const issued = await coo.issueNext();
    assert.equal(issued?.index, 1);
    if (cb.tb.tangle.confirmedMilestoneIndex < 1) assert.equal(await coo.issueNext(), null);
    await cb.consensus.confirmer.idle();
    assert.equal((await coo.issueNext())?.index, 2);
  });

  it("after a crash between writing its state and sending, re-sends the very same milestone", async () => {
    const cb = await ConsensusBuilder.create();
    const file = stateFile();
    const crashing = await Coordinator.open(
      modules(cb, file, {
        ingress: {
          submit: async () => {
            throw new Error("killed before the milestone left");
          },
        },
      }),
    );
    await assert.rejects(crashing.issueNext(), /killed/);
    const recorded = readCoordinatorState(file);
    assert.equal(recorded.lastIndex, 1);
    assert.equal(cb.tb.tangle.latestMilestoneIndex, 0, "nothing reached the database");

    const restarted = await Coordinator.open(modules(cb, file));
    await cb.consensus.confirmer.idle();
    assert.equal(cb.tb.tangle.latestMilestoneIndex, 1);
    assert.equal(bytesToHex(cb.tb.tangle.getMilestone(1)!.messageId), bytesToHex(recorded.lastMessageId!));
    assert.equal((await issueAndConfirm(cb, restarted)).index, 2);
  });

  it("signs N of M: 2 of 3 configured keys are enough", async () => {
    const seeds = [1, 2, 3].map((i) => blake2b256(utf8ToBytes(`weaver-coo-key-${i}`)));
    const options: ConsensusBuilderOptions = { coordinatorSeeds: seeds, threshold: 2 };
    const cb = await ConsensusBuilder.create(options);
    const twoOfThree = [seedSigner(seeds[0]!), seedSigner(seeds[2]!)];
    const coo = await Coordinator.open(modules(cb, stateFile(), { signers: twoOfThree }));
    assert.equal((await issueAndConfirm(cb, coo)).index, 1);
    assert.equal(cb.tb.tangle.confirmedMilestoneIndex, 1);
    await assert.rejects(
      Coordinator.open(
        modules(await ConsensusBuilder.create(options), stateFile(), { signers: [seedSigner(seeds[1]!)] }),
      ),
      (e: unknown) => e instanceof CoordinatorError && e.code === "COORDINATOR_ERROR_KEYS",
    );
  });

  it("refuses a state file that disagrees with the database, and a corrupt one, changing nothing", async () => {
    const cb = await ConsensusBuilder.create();
    const file = stateFile();
    const coo = await Coordinator.open(modules(cb, file));
    await issueAndConfirm(cb, coo);
    await issueAndConfirm(cb, coo);

    // A fresh state file beside a database that has milestones.
    const fresh = stateFile();
    await assert.rejects(
      Coordinator.open(modules(cb, fresh)),
      (e: unknown) => e instanceof CoordinatorError && e.code === "COORDINATOR_ERROR_STATE_MISMATCH",
    );
    // A state that claims more milestones than the database holds.
    const ahead = stateFile();
    const state = JSON.parse(readFileSync(file, "utf8")) as { lastIndex: number };
    writeFileSync(ahead, JSON.stringify({ ...state, lastIndex: 7 }));
    const before = readFileSync(ahead, "utf8");
    await assert.rejects(Coordinator.open(modules(cb, ahead)), /stops at milestone 2/);
    assert.equal(readFileSync(ahead, "utf8"), before, "nothing overwritten");
    // Another milestone 2 than the database's.
    const other = stateFile();
    writeFileSync(other, JSON.stringify({ ...state, lastMessageId: "ab".repeat(32) }));
    await assert.rejects(Coordinator.open(modules(cb, other)), /another message/);
    // Not a state at all.
    const corrupt = stateFile();
    writeFileSync(corrupt, "{ nope");
    await assert.rejects(
      Coordinator.open(modules(cb, corrupt)),
      (e: unknown) => e instanceof CoordinatorError && e.code === "COORDINATOR_ERROR_STATE_FILE",
    );
  });
});
