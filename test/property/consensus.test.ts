/**
 * Consensus end to end on random transaction DAGs, through the real pipeline, storage, solidifier, milestone
 * tracker, confirmer and UTXO ledger (test/property/whiteFlag.test.ts covers white flag alone): wallets spend
 * genesis outputs and each other's outputs at random, with double spends, spends of outputs that never existed,
 * wrong sums and dust; two milestones confirm the DAG. The messages then arrive again in another random order at a
 * second node (real out-of-order solidification). Checked:
 *   - after every milestone the supply invariant holds (ConsensusBuilder checks it) and the stored ledger is
 *     consistent (checkLedgerConsistency);
 *   - per milestone, included + conflicting + noTransaction = referenced = every message of its cone;
 *   - both nodes reach byte-identical verdicts (metadata) and ledger contents, whatever the arrival order.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { outputId, type TransactionPayload, transactionId } from "../../src/codec/index.js";
import { blake2b256 } from "../../src/crypto/blake2b.js";
import type { LedgerOutput } from "../../src/ledger/types.js";
import { TOKEN_SUPPLY } from "../../src/params/protocol.js";
import type { MilestoneConfirmedEvent } from "../../src/pipeline/events.js";
import { utf8ToBytes } from "../../src/primitives/bytes.js";
import { bytesToHex } from "../../src/primitives/hex.js";
import { MemoryKvStore } from "../../src/storage/backends/memory.js";
import { ConsensusBuilder } from "../utils/consensusBuilder.js";
import { checkLedgerConsistency } from "../utils/ledgerConsistency.js";
import { buildTransaction, type OutputSpec, Wallet } from "../utils/ledgerFixtures.js";
import { seededRandom } from "../utils/seededRandom.js";

const MI = 1_000_000;
const WALLETS = Array.from({ length: 4 }, (_, i) => Wallet.named(`consensus-${i}`));
const GENESIS_AMOUNT = 20 * MI;

interface Script {
  /** Message label → bytes, in build order. */
  messages: Array<{ label: string; bytes: Uint8Array }>;
  /** Labels each milestone is issued on. */
  milestoneParents: string[][];
}

/** Builds a random DAG of transactions on `cb` (not submitted) from a seed. */
function buildScript(cb: ConsensusBuilder, seed: number, count: number): Script {
  const random = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const known: Array<{ output: LedgerOutput; owner: Wallet }> = cb.genesisOutputs.map((o, i) => ({
    output: o,
    owner: WALLETS[i]!,
  }));
  const messages: Script["messages"] = [];
  for (let i = 0; i < count; i++) {
    const owner = pick(WALLETS);
    const mine = known.filter((k) => k.owner === owner);
    const roll = random();
    let inputs: Array<{ outputId: Uint8Array; signer: Wallet }>;
    let total: number;
    if (roll < 0.1 || mine.length === 0) {
      // An output that never existed: conflict 3.
      inputs = [{ outputId: outputId(blake2b256(utf8ToBytes(`missing-${seed}-${i}`)), 0), signer: owner }];
      total = MI;
    } else {
      // One or two of the owner's outputs, possibly already spent (double spends: conflicts 1 or 2).
      const chosen = [pick(mine)];
      if (mine.length > 1 && random() < 0.3) {
        const other = pick(mine);
        if (other !== chosen[0]) chosen.push(other);
      }
      inputs = chosen.map((c) => ({ outputId: c.output.outputId, signer: owner }));
      total = chosen.reduce((s, c) => s + c.output.output.amount, 0);
    }
    const to = pick(WALLETS.filter((w) => w !== owner));
    const r = random();
    // Mostly valid amounts; sometimes a wrong sum (4) or a dust output without allowance (6).
    const sent = r < 0.1 ? MI / 2 : Math.max(MI, Math.floor((total * (1 + Math.floor(random() * 3))) / 4));
    const outputs: OutputSpec[] =
      sent >= total
        ? [{ address: to, amount: total }]
        : [
            { address: to, amount: sent },
            { address: owner, amount: total - sent },
          ];
    if (r > 0.93) outputs[0] = { address: to, amount: total + 1 };
    const tx: TransactionPayload = buildTransaction(inputs, outputs);
    const txId = transactionId(tx);
    tx.essence.outputs.forEach((o, index) => {
      const ownerOf = WALLETS.find((w) => bytesToHex(w.address) === bytesToHex(o.address.address))!;
      known.push({
        output: { outputId: outputId(txId, index), messageId: new Uint8Array(32), output: o },
        owner: ownerOf,
      });
    });
    const label = `m${i}`;
    const parents = messages.length === 0 ? ["genesis"] : [messages[messages.length - 1]!.label];
    if (messages.length > 1 && random() < 0.7) parents.push(pick(messages.slice(0, -1)).label);
    const { bytes } = cb.tb
      .message(label)
      .parents(...parents)
      .withPayload(tx)
      .build();
    messages.push({ label, bytes });
  }
  const cut = Math.max(0, Math.floor(count / 2) - 1);
  return { messages, milestoneParents: [[messages[cut]!.label], [messages[count - 1]!.label]] };
}

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function dump(kv: MemoryKvStore): string[] {
  return [...kv.iterate({})].map(([k, v]) => `${bytesToHex(k)}=${bytesToHex(v)}`);
}

async function runNode(
  script: Script,
  order: Array<{ label: string; bytes: Uint8Array }>,
  register?: ConsensusBuilder,
): Promise<{ cb: ConsensusBuilder; kv: MemoryKvStore; confirmed: MilestoneConfirmedEvent[] }> {
  const kv = new MemoryKvStore();
  const cb = await ConsensusBuilder.create({
    kv,
    genesis: WALLETS.map((w) => ({ address: w, amount: GENESIS_AMOUNT })),
    treasury: TOKEN_SUPPLY - WALLETS.length * GENESIS_AMOUNT,
  });
  const confirmed: MilestoneConfirmedEvent[] = [];
  cb.tb.pipeline.events.on("milestone.confirmed", (e) => confirmed.push(e));
  if (register !== undefined)
    for (const m of script.messages) cb.tb.register(m.label, register.tb.id(m.label), m.bytes);
  for (const m of order) {
    const r = await cb.tb.pipeline.ingress.submit(m.bytes, { source: "peer" });
    assert.equal(r.status, "new");
  }
  for (const parents of script.milestoneParents) {
    await cb.milestone(parents);
    assert.deepEqual(checkLedgerConsistency(kv), [], "ledger consistency after a milestone");
  }
  return { cb, kv, confirmed };
}

describe("consensus on random transaction DAGs (real pipeline, storage and confirmer)", () => {
  it("verdicts add up, the supply holds, and any arrival order gives the same metadata and ledger", async () => {
    const reasons = new Set<number>();
    let included = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 4, max: 14 }), async (seed, count) => {
        const planner = await ConsensusBuilder.create({
          genesis: WALLETS.map((w) => ({ address: w, amount: GENESIS_AMOUNT })),
          treasury: TOKEN_SUPPLY - WALLETS.length * GENESIS_AMOUNT,
        });
        const script = buildScript(planner, seed, count);
        const a = await runNode(script, script.messages, planner);
        const b = await runNode(script, shuffled(script.messages, seed + 1), planner);

        assert.equal(a.cb.tb.tangle.confirmedMilestoneIndex, 2);
        for (const e of a.confirmed) assert.equal(e.included + e.conflicting + e.noTransaction, e.referenced);
        const referenced = a.confirmed.reduce((s, e) => s + e.referenced, 0);
        // Every message plus the two milestone messages was referenced exactly once.
        assert.equal(referenced, count + 2);
        for (const m of script.messages) {
          const meta = a.cb.tb.tangle.getMetadata(a.cb.tb.id(m.label));
          assert.equal(meta?.referenced, true, `${m.label} referenced`);
          if (meta?.ledgerInclusionState === 2) included++;
          if (meta?.ledgerInclusionState === 1) reasons.add(meta.conflictReason);
        }
        // Same verdicts and the same database, byte for byte (the milestone messages are identical too).
        assert.deepEqual(dump(b.kv).filter(notVolatile), dump(a.kv).filter(notVolatile));
      }),
      { numRuns: 12, seed: 4242 },
    );
    // The generator really produces the cases it is meant to: inclusions and several kinds of conflict.
    assert.ok(included > 10, `only ${included} inclusions`);
    for (const r of [1, 2, 3, 4]) assert.ok(reasons.has(r), `no conflict with reason ${r} (saw ${[...reasons]})`);
  });
});

/** Keys whose values depend on arrival (arrival times and order), not on consensus. */
function notVolatile(entry: string): boolean {
  // 0x09 ARRIVALS keys carry the LMI at arrival; 0x08 UNSOLID holds arrival times (gone once solid anyway).
  return !entry.startsWith("09") && !entry.startsWith("08");
}
