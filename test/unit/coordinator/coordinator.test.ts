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
import { decodeMessage } from "../../../src/codec/index.js";
import { Coordinator, type CoordinatorModules } from "../../../src/coordinator/coordinator.js";
import { CoordinatorError, readCoordinatorState } from "../../../src/coordinator/coordinatorState.js";
import { blake2b256 } from "../../../src/crypto/blake2b.js";
import { seedSigner } from "../../../src/milestones/milestoneBuilder.js";
import { equalBytes, utf8ToBytes } from "../../../src/primitives/bytes.js";
import { bytesToHex, hexToBytes } from "../../../src/primitives/hex.js";
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
    events: cb.tb.pipeline.events,
    tipSelectionParams: cb.tb.tipSelector.options.params,
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

  it("references every fresh message: 6 tips in the milestone, the others through a chain of checkpoints", async () => {
    const cb = await ConsensusBuilder.create();
    const selection = { minUnreferencedMessages: 1, maxHeaviestBranchTips: 20, randomTips: 0 };
    const coo = await Coordinator.open(modules(cb, stateFile(), { heaviestSelection: selection }));
    await issueAndConfirm(cb, coo);
    const lone = Array.from({ length: 20 }, (_, i) => `x${i}`);
    for (const name of lone) await cb.tb.message(name).store();
    assert.equal(coo.trackedMessages, 20);

    const second = await issueAndConfirm(cb, coo);
    assert.equal(second.index, 2);
    for (const name of lone) {
      assert.equal(cb.tb.tangle.getMetadata(cb.tb.idOf(name))?.referencedByMilestoneIndex, 2, name);
    }
    // Milestone 2: milestone 1, the last checkpoint and 6 tips. The 14 other tips sit in two checkpoints of 7, the
    // first on milestone 1, the second on the first.
    const parentsOf = (id: Uint8Array) => cb.tb.tangle.getParents(id)!.map(bytesToHex);
    const msParents = parentsOf(second.messageId);
    assert.equal(msParents.length, 8);
    const first = bytesToHex(cb.tb.tangle.getMilestone(1)!.messageId);
    assert.ok(msParents.includes(first));
    const loneHex = new Set(lone.map((n) => bytesToHex(cb.tb.idOf(n))));
    const checkpoints = msParents.filter((p) => p !== first && !loneHex.has(p));
    assert.equal(checkpoints.length, 1, "one checkpoint among the milestone's parents");
    const last = parentsOf(hexToBytes(checkpoints[0]!));
    const earlier = last.filter((p) => !loneHex.has(p));
    assert.equal(last.length, 8);
    assert.equal(earlier.length, 1);
    const firstCheckpoint = parentsOf(hexToBytes(earlier[0]!));
    assert.deepEqual(
      firstCheckpoint.filter((p) => !loneHex.has(p)),
      [first],
    );
    for (const checkpoint of [checkpoints[0]!, earlier[0]!]) {
      assert.equal(decodeMessage(cb.tb.tangle.getMessageBytes(hexToBytes(checkpoint))!, "trusted").payload, null);
    }
    assert.equal(coo.trackedMessages, 0);
  });

  it("keeps tracking a message that arrived between a milestone's tip selection and its confirmation", async () => {
    const cb = await ConsensusBuilder.create();
    let late: Promise<unknown> | null = null;
    // The PoW step runs after the tips are chosen and before the milestone is stored: "late" becomes solid then.
    const pow = {
      mine: async () => {
        if (cb.tb.tangle.confirmedMilestoneIndex === 1) late ??= cb.tb.message("late").store();
        await late;
        return { nonce: 0n };
      },
    };
    const coo = await Coordinator.open(modules(cb, stateFile(), { pow, minPowScore: 1 }));
    await issueAndConfirm(cb, coo);
    await cb.tb.message("a").store();
    await issueAndConfirm(cb, coo);
    assert.equal(cb.tb.tangle.getMetadata(cb.tb.idOf("a"))?.referencedByMilestoneIndex, 2);
    assert.equal(cb.tb.tangle.getMetadata(cb.tb.idOf("late"))?.referenced, false, "not in milestone 2");
    assert.equal(coo.trackedMessages, 1, "still tracked after milestone 2 is confirmed");
    assert.equal((await issueAndConfirm(cb, coo)).index, 3);
    assert.equal(cb.tb.tangle.getMetadata(cb.tb.idOf("late"))?.referencedByMilestoneIndex, 3);
  });

  it("fills the milestone's free parent slots with further tips, without a checkpoint", async () => {
    const cb = await ConsensusBuilder.create();
    const coo = await Coordinator.open(modules(cb, stateFile()));
    await issueAndConfirm(cb, coo);
    for (let i = 0; i < 10; i++) await cb.tb.message(`x${i}`).store();
    // Hornet's rule alone takes 2 + 3 random lone tips; the sixth slot gets one more.
    const second = await issueAndConfirm(cb, coo);
    const parents = cb.tb.tangle.getParents(second.messageId)!;
    assert.equal(parents.length, 7, "milestone 1 and 6 tips");
    assert.equal(coo.trackedMessages, 4);
    // The rest follow in the next milestone.
    await issueAndConfirm(cb, coo);
    for (let i = 0; i < 10; i++) assert.equal(cb.tb.tangle.getMetadata(cb.tb.idOf(`x${i}`))?.referenced, true, `x${i}`);
  });

  it("issues a checkpoint between milestones once it tracks maxTrackedMessages; the milestone references it", async () => {
    const cb = await ConsensusBuilder.create();
    const selection = { maxTrackedMessages: 5, minUnreferencedMessages: 1, randomTips: 0 };
    const coo = await Coordinator.open(modules(cb, stateFile(), { heaviestSelection: selection }));
    await issueAndConfirm(cb, coo);
    const messages = ["a", "b", "c", "d", "e"];
    for (const name of messages) await cb.tb.message(name).store();
    // issueNext runs after the checkpoint the fifth message set off.
    const second = await issueAndConfirm(cb, coo);
    const parents = cb.tb.tangle.getParents(second.messageId)!;
    assert.equal(parents.length, 2, "milestone 1 and the checkpoint");
    const checkpoint = parents.find((p) => !equalBytes(p, cb.tb.tangle.getMilestone(1)!.messageId))!;
    assert.equal(cb.tb.tangle.getParents(checkpoint)!.length, 6);
    for (const name of messages) {
      assert.equal(cb.tb.tangle.getMetadata(cb.tb.idOf(name))?.referencedByMilestoneIndex, 2, name);
    }
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
