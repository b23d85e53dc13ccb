/**
 * Milestone tracking and confirmation through the real pipeline: white flag verdicts in message metadata, the ledger
 * moving in step with the confirmed milestone index, event order (docs/events.md 6-8), strict index order, waiting
 * for missing cone data, invalid milestones staying ordinary messages, and the Merkle-mismatch halt.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { blake2b256 } from "../../../src/crypto/blake2b.js";
import { ConflictReason } from "../../../src/ledger/conflictReason.js";
import { seedSigner } from "../../../src/milestones/milestoneBuilder.js";
import { TOKEN_SUPPLY } from "../../../src/params/protocol.js";
import { utf8ToBytes } from "../../../src/primitives/bytes.js";
import { LmdbKvStore } from "../../../src/storage/backends/lmdb.js";
import { ConsensusBuilder } from "../../utils/consensusBuilder.js";
import { outputIdTo, Wallet } from "../../utils/ledgerFixtures.js";

const alice = Wallet.named("alice");
/** TIP-4: the Merkle tree hash of no messages. */
const EMPTY_ROOT = blake2b256(new Uint8Array(0));
const bob = Wallet.named("bob");

function metaOf(cb: ConsensusBuilder, label: string) {
  const m = cb.tb.tangle.getMetadata(cb.tb.id(label));
  assert.ok(m, `${label} is stored`);
  return m;
}

describe("Confirmer", () => {
  it("confirms a value transfer: metadata, balances, ledger index = CMI, supply invariant", async () => {
    const cb = await ConsensusBuilder.create();
    const tx = cb.genesisWallet.transfer(
      [cb.genesisOutput],
      [
        { address: alice, amount: 1_000_000 },
        { address: cb.genesisWallet, amount: TOKEN_SUPPLY - 1_000_000 },
      ],
    );
    await cb.tb.message("A").withPayload(tx).store();
    await cb.tb.message("B").parents("A").index("hello").store();
    const ms = await cb.milestone(["B"]);
    assert.equal(ms.index, 1);
    assert.equal(cb.tb.tangle.confirmedMilestoneIndex, 1);
    assert.equal(cb.ledger.ledgerIndex, 1);
    assert.equal(cb.consensus.confirmer.halted, null);
    const a = metaOf(cb, "A");
    assert.equal(a.referenced, true);
    assert.equal(a.referencedByMilestoneIndex, 1);
    assert.equal(a.ledgerInclusionState, 2);
    assert.equal(metaOf(cb, "B").ledgerInclusionState, 0);
    const msMeta = metaOf(cb, "ms1");
    assert.equal(msMeta.milestone, true);
    assert.equal(msMeta.milestoneIndex, 1);
    assert.equal(msMeta.referenced, true);
    assert.equal(cb.ledger.balance(alice.address).balance, 1_000_000);
    assert.equal(cb.ledger.balance(cb.genesisWallet.address).balance, TOKEN_SUPPLY - 1_000_000);
    assert.equal(cb.ledger.totalSupplyCheck(), TOKEN_SUPPLY);
    assert.equal(cb.ledger.isSpent(cb.genesisOutput.outputId), true);
    assert.ok(cb.ledger.getOutput(outputIdTo(tx, alice)));
  });

  it("fires the confirmation events in the documented order, after milestone.latest", async () => {
    const cb = await ConsensusBuilder.create();
    const names: string[] = [];
    const referenced: string[] = [];
    for (const name of [
      "milestone.latest",
      "milestone.confirmed",
      "message.referenced",
      "ledger.updated",
      "output.created",
      "output.spent",
    ] as const) {
      cb.tb.pipeline.events.on(name, (e) => {
        if (names[names.length - 1] !== name) names.push(name);
        if (name === "message.referenced") referenced.push(cb.tb.labelOf((e as { messageIdHex: string }).messageIdHex));
      });
    }
    const tx = cb.genesisWallet.transfer([cb.genesisOutput], [{ address: bob, amount: TOKEN_SUPPLY }]);
    await cb.tb.message("A").withPayload(tx).store();
    await cb.tb.message("B").parents("A").store();
    await cb.milestone(["B"]);
    assert.deepEqual(names, [
      "milestone.latest",
      "milestone.confirmed",
      "message.referenced",
      "ledger.updated",
      "output.created",
      "output.spent",
    ]);
    assert.deepEqual(referenced, ["A", "B", "ms1"]);
  });

  it("a double spend inside one milestone: the first in white-flag order is included, the second conflicts (2)", async () => {
    const cb = await ConsensusBuilder.create();
    const toAlice = cb.genesisWallet.transfer([cb.genesisOutput], [{ address: alice, amount: TOKEN_SUPPLY }]);
    const toBob = cb.genesisWallet.transfer([cb.genesisOutput], [{ address: bob, amount: TOKEN_SUPPLY }]);
    await cb.tb.message("A").withPayload(toAlice).store();
    await cb.tb.message("B").withPayload(toBob).store();
    await cb.tb.message("C").parents("A", "B").store();
    await cb.milestone(["C"]);
    // C's parents are sorted by id, and white flag walks them in that order.
    const [first, second] = [cb.tb.id("A"), cb.tb.id("B")]
      .sort(Buffer.compare)
      .map((id) => cb.tb.labelOf(Buffer.from(id).toString("hex")));
    assert.equal(metaOf(cb, first!).ledgerInclusionState, 2);
    assert.equal(metaOf(cb, second!).ledgerInclusionState, 1);
    assert.equal(metaOf(cb, second!).conflictReason, ConflictReason.INPUT_UTXO_ALREADY_SPENT_IN_THIS_MILESTONE);
    assert.equal(cb.ledger.totalSupplyCheck(), TOKEN_SUPPLY);
  });

  it("a spend of an output spent by an earlier milestone conflicts with reason 1", async () => {
    const cb = await ConsensusBuilder.create();
    const toAlice = cb.genesisWallet.transfer([cb.genesisOutput], [{ address: alice, amount: TOKEN_SUPPLY }]);
    await cb.tb.message("A").withPayload(toAlice).store();
    await cb.milestone(["A"]);
    const toBob = cb.genesisWallet.transfer([cb.genesisOutput], [{ address: bob, amount: TOKEN_SUPPLY }]);
    await cb.tb.message("B").parents("A").withPayload(toBob).store();
    await cb.milestone(["B"]);
    assert.equal(metaOf(cb, "B").ledgerInclusionState, 1);
    assert.equal(metaOf(cb, "B").conflictReason, ConflictReason.INPUT_UTXO_ALREADY_SPENT);
    assert.equal(cb.ledger.balance(alice.address).balance, TOKEN_SUPPLY);
    assert.equal(cb.ledger.balance(bob.address).balance, 0);
  });

  it("confirms strictly in index order: milestone 2 waits for milestone 1", async () => {
    const cb = await ConsensusBuilder.create();
    await cb.tb.message("A").store();
    const confirmed: number[] = [];
    cb.tb.pipeline.events.on("milestone.confirmed", (e) => confirmed.push(e.index));
    const ms1 = await cb.milestone(["A"]);
    assert.deepEqual(confirmed, [1]);
    await cb.tb.message("B").parents("A").store();
    await cb.milestone(["B"]);
    assert.deepEqual(confirmed, [1, 2]);
    assert.equal(ms1.index, 1);
  });

  it("waits for a missing cone message, requests it, and confirms once it arrives", async () => {
    const cb = await ConsensusBuilder.create();
    const missing = cb.tb.message("M").index("late").build();
    await cb.tb.message("C").parents("M").store();
    // The milestone on C cannot confirm: M is missing (C is not solid). The coordinator could not compute its root
    // either, so this one names the empty root (M and C carry no transactions).
    await cb.milestone(["C"], { merkleRoot: EMPTY_ROOT });
    assert.equal(cb.tb.tangle.latestMilestoneIndex, 1);
    assert.equal(cb.tb.tangle.confirmedMilestoneIndex, 0);
    assert.ok(cb.tb.requester.requestedHex.includes(cb.tb.hex("M")));
    await cb.tb.pipeline.ingress.submit(missing.bytes, { source: "peer", requested: true });
    await cb.consensus.confirmer.idle();
    assert.equal(cb.tb.tangle.confirmedMilestoneIndex, 1);
    assert.equal(metaOf(cb, "M").referencedByMilestoneIndex, 1);
  });

  it("an invalid milestone (too few valid signatures) is an ordinary message", async () => {
    const cb = await ConsensusBuilder.create();
    await cb.tb.message("A").store();
    const stranger = seedSigner(blake2b256(utf8ToBytes("not-the-coordinator")));
    const ms = await cb.milestone(["A"], { signers: [cb.signers[0]!, stranger] });
    assert.equal(ms.result.status, "new");
    assert.equal(cb.tb.tangle.latestMilestoneIndex, 0);
    assert.equal(cb.tb.tangle.confirmedMilestoneIndex, 0);
    assert.equal(metaOf(cb, `ms${ms.index}`).milestone, false);
    assert.equal(cb.consensus.tracker.stats().invalid, 1);
  });

  it("halts on a Merkle root mismatch and applies nothing of that milestone", async () => {
    const cb = await ConsensusBuilder.create();
    const halted: string[] = [];
    cb.tb.pipeline.events.on("node.halted", (e) => halted.push(e.code));
    const tx = cb.genesisWallet.transfer([cb.genesisOutput], [{ address: alice, amount: TOKEN_SUPPLY }]);
    await cb.tb.message("A").withPayload(tx).store();
    await cb.milestone(["A"], { merkleRoot: new Uint8Array(32).fill(7) });
    assert.deepEqual(halted, ["LEDGER_ERROR_MERKLE_MISMATCH"]);
    assert.equal(cb.consensus.confirmer.halted?.code, "LEDGER_ERROR_MERKLE_MISMATCH");
    assert.match(cb.consensus.confirmer.halted?.message ?? "", /Merkle root/);
    assert.equal(cb.tb.tangle.confirmedMilestoneIndex, 0);
    assert.equal(cb.ledger.ledgerIndex, 0);
    assert.equal(metaOf(cb, "A").referenced, false);
    assert.equal(cb.ledger.balance(alice.address).balance, 0);
  });

  it("resumes after a restart on the same database: a recorded solid milestone confirms at start", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weaver-confirmer-"));
    const cb = await ConsensusBuilder.create({ kv: LmdbKvStore.open({ path: dir }) });
    const tx = cb.genesisWallet.transfer([cb.genesisOutput], [{ address: alice, amount: TOKEN_SUPPLY }]);
    await cb.tb.message("A").withPayload(tx).store();
    await cb.milestone(["A"]);
    await cb.tb.tangle.close();
    const again = await ConsensusBuilder.create({ kv: LmdbKvStore.open({ path: dir }) });
    assert.equal(again.tb.tangle.confirmedMilestoneIndex, 1);
    assert.equal(again.ledger.ledgerIndex, 1);
    assert.equal(again.ledger.balance(alice.address).balance, TOKEN_SUPPLY);
    assert.equal(again.ledger.totalSupplyCheck(), TOKEN_SUPPLY);
    await again.tb.tangle.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
