/**
 * White flag on random tangles (ARCHITECTURE.md: white-flag invariants): a few wallets send each other random
 * transactions over a few milestones, with double spends, spends of outputs that never existed or came from
 * conflicting transactions, wrong sums, wrong signers, dust and receipts. After every milestone:
 *   - the verdicts add up: included + conflicting + noTransaction = referenced = the cone;
 *   - the Merkle root is TIP-4 over exactly the included messages in cone order;
 *   - MemoryLedger.apply accepts the mutations (no output spent twice or out of thin air, address diffs equal to
 *     what the outputs say) and unspent outputs + treasury still make the token supply;
 *   - the result is the same for any arrival order of the messages (the cone order is a function of the DAG) and
 *     the same on a second run.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { type MessagePayload, outputId, type ReceiptPayload, transactionId } from "../../src/codec/index.js";
import { blake2b256 } from "../../src/crypto/blake2b.js";
import { ed25519Verify } from "../../src/crypto/ed25519.js";
import { merkleRoot } from "../../src/crypto/merkle.js";
import { CONFLICT_REASONS } from "../../src/ledger/conflictReason.js";
import type { ConeMessage, LedgerOutput, WhiteFlagInput, WhiteFlagMutations } from "../../src/ledger/types.js";
import { computeWhiteFlagMutations } from "../../src/ledger/whiteFlag.js";
import { TOKEN_SUPPLY } from "../../src/params/protocol.js";
import { compareBytes, utf8ToBytes } from "../../src/primitives/bytes.js";
import { bytesToHex } from "../../src/primitives/hex.js";
import { unreferencedPastCone } from "../../src/tangle/traversal.js";
import {
  buildTransaction,
  coneMessage,
  NULL_ID,
  type OutputSpec,
  syntheticOutput,
  Wallet,
} from "../utils/ledgerFixtures.js";
import { MemoryLedger } from "../utils/memoryLedger.js";
import { seededRandom } from "../utils/seededRandom.js";

const MI = 1_000_000;
const WALLETS = Array.from({ length: 4 }, (_, i) => Wallet.named(`prop-${i}`));
const TREASURY_AMOUNT = 50 * MI;

const parentsArb = fc.uniqueArray(fc.nat(1000), { minLength: 1, maxLength: 3 });
const txArb = fc.record({
  kind: fc.constant("tx" as const),
  signer: fc.nat(WALLETS.length - 1),
  inputs: fc.uniqueArray(fc.nat(1000), { minLength: 1, maxLength: 3 }),
  outputs: fc.array(
    fc.record({ to: fc.nat(WALLETS.length - 1), weight: fc.integer({ min: 1, max: 5 }), allowance: fc.boolean() }),
    { minLength: 1, maxLength: 3 },
  ),
  mutation: fc.constantFrom("none", "none", "none", "none", "ghost", "sum", "signer", "dust"),
  parents: parentsArb,
});
const otherArb = fc.record({ kind: fc.constantFrom("index" as const, "empty" as const), parents: parentsArb });
const milestoneArb = fc.record({
  messages: fc.array(fc.oneof({ weight: 3, arbitrary: txArb }, { weight: 1, arbitrary: otherArb }), {
    minLength: 1,
    maxLength: 10,
  }),
  receipt: fc.boolean(),
});
const scenarioArb = fc.array(milestoneArb, { minLength: 1, maxLength: 3 });

type TxAction = typeof txArb extends fc.Arbitrary<infer T> ? T : never;

/** An output someone might try to spend: from the genesis, from any built transaction (valid or not), or made up. */
interface PoolEntry {
  outputId: Uint8Array;
  owner: Wallet;
  amount: number;
}

function genesisOutputs(): LedgerOutput[] {
  const outputs: LedgerOutput[] = [];
  let rest = TOKEN_SUPPLY - TREASURY_AMOUNT;
  for (const [i, w] of WALLETS.entries()) {
    for (const amount of [3 * MI + i, 1_500_000, 800_000]) {
      outputs.push(syntheticOutput(w, amount));
      rest -= amount;
    }
  }
  outputs.push(syntheticOutput(WALLETS[1]!, MI, 1));
  rest -= MI;
  outputs.push(syntheticOutput(WALLETS[0]!, rest));
  return outputs;
}

let ghostCounter = 0;

/** Turns a transaction action into a signed transaction over pool outputs (adding its own outputs to the pool). */
function buildTx(a: TxAction, pool: PoolEntry[]) {
  const chosen = new Map<string, PoolEntry>();
  for (const i of a.inputs) {
    const e = pool[i % pool.length]!;
    chosen.set(bytesToHex(e.outputId), e);
  }
  const inputs = [...chosen.values()];
  if (a.mutation === "ghost") {
    const counter = utf8ToBytes(`ghost-${++ghostCounter}`);
    inputs.push({ outputId: outputId(blake2b256(counter), 0), owner: WALLETS[a.signer]!, amount: MI });
  }
  const sum = inputs.reduce((s, e) => s + e.amount, 0);
  const totalWeight = a.outputs.reduce((s, o) => s + o.weight, 0);
  const merged = new Map<string, OutputSpec>();
  let left = sum;
  for (const [k, o] of a.outputs.entries()) {
    const amount = k === a.outputs.length - 1 ? left : Math.floor((sum * o.weight) / totalWeight);
    left -= amount;
    if (amount === 0) continue;
    const type = o.allowance && amount >= MI ? 1 : 0;
    const key = `${o.to}:${type}`;
    const prev = merged.get(key);
    merged.set(key, { address: WALLETS[o.to]!, amount: (prev?.amount ?? 0) + amount, type });
  }
  const outputs = [...merged.values()];
  const first = outputs[0];
  if (first !== undefined && a.mutation === "sum") first.amount += 1;
  if (first !== undefined && a.mutation === "dust" && first.amount >= 1_300_000 && first.type === 0) {
    first.amount -= 300_000;
    const to = WALLETS[(a.signer + 1) % WALLETS.length]!;
    const key = `${WALLETS.indexOf(to)}:0`;
    const same = merged.get(key);
    if (same !== undefined && same !== first) same.amount += 300_000;
    else outputs.push({ address: to, amount: 300_000, type: 0 });
  }
  if (outputs.length === 0) outputs.push({ address: WALLETS[a.signer]!, amount: 1 });
  const signed = inputs.map((e, k) => ({
    outputId: e.outputId,
    signer: a.mutation === "signer" && k === 0 ? WALLETS[(WALLETS.indexOf(e.owner) + 1) % WALLETS.length]! : e.owner,
  }));
  const tx = buildTransaction(signed, outputs);
  const txId = transactionId(tx);
  tx.essence.outputs.forEach((o, j) => {
    const owner = WALLETS.find((w) => compareBytes(w.address, o.address.address) === 0)!;
    pool.push({ outputId: outputId(txId, j), owner, amount: o.amount });
  });
  return tx;
}

interface World {
  ledger: MemoryLedger;
  pool: PoolEntry[];
  messages: ConeMessage[];
  referenced: Set<string>;
  treasuryId: Uint8Array;
  migratedAt: number;
}

function newWorld(): World {
  const outputs = genesisOutputs();
  const treasuryId = blake2b256(utf8ToBytes("prop-treasury-0"));
  return {
    ledger: new MemoryLedger({ outputs, treasury: { milestoneId: treasuryId, amount: TREASURY_AMOUNT } }),
    pool: outputs.map((o) => ({
      outputId: o.outputId,
      owner: WALLETS.find((w) => compareBytes(w.address, o.output.address.address) === 0)!,
      amount: o.output.amount,
    })),
    messages: [],
    referenced: new Set(),
    treasuryId,
    migratedAt: 0,
  };
}

function pickParents(picks: number[], world: World): Uint8Array[] {
  const candidates = [NULL_ID, ...world.messages.map((m) => m.messageId)];
  const unique = new Map(picks.map((p) => candidates[p % candidates.length]!).map((id) => [bytesToHex(id), id]));
  return [...unique.values()];
}

/** TIP-2 cone of `roots` over a parents map filled in `arrival` order. */
function coneOf(world: World, roots: Uint8Array[], arrival: ConeMessage[]): ConeMessage[] {
  const byHex = new Map<string, ConeMessage>();
  for (const m of arrival) byHex.set(bytesToHex(m.messageId), m);
  const order = unreferencedPastCone(
    {
      getParents: (id) => byHex.get(bytesToHex(id))?.message.parents,
      isBoundary: (id, hex) => compareBytes(id, NULL_ID) === 0 || world.referenced.has(hex),
    },
    roots,
  );
  assert.ok(Array.isArray(order), "the cone is complete");
  return order.map((id) => byHex.get(bytesToHex(id))!);
}

function checkVerdicts(m: WhiteFlagMutations, cone: ConeMessage[]): void {
  assert.equal(m.referenced.length, cone.length);
  const counts = [0, 0, 0];
  for (const [k, r] of m.referenced.entries()) {
    assert.deepEqual(r.messageId, cone[k]!.messageId);
    counts[r.inclusion]!++;
    const isTx = cone[k]!.message.payload?.type === 0;
    assert.equal(r.transaction !== null, isTx);
    assert.ok(CONFLICT_REASONS.includes(r.conflictReason));
    assert.equal(r.conflictReason === 0, r.inclusion !== 1);
    if (r.inclusion === 2) {
      // Inputs and outputs balance, so the per-address changes of an included transaction cancel out.
      assert.equal(
        r.transaction!.balanceChanges.reduce((s, c) => s + c.change, 0),
        0,
      );
    }
  }
  assert.equal(counts[0]! + counts[1]! + counts[2]!, cone.length);
  const included = m.referenced.filter((r) => r.inclusion === 2).map((r) => r.messageId);
  assert.equal(counts[2], included.length);
  assert.deepEqual(m.includedMessageIds, included);
  assert.deepEqual(m.merkleRoot, merkleRoot(included));
  const migrated = m.receipt?.migratedOutputs.reduce((s, o) => s + o.output.amount, 0) ?? 0;
  let diffSum = 0;
  for (const d of m.addressDiffs.values()) diffSum += d.balance;
  assert.equal(diffSum, migrated);
}

function nextReceipt(world: World, index: number, random: () => number): WhiteFlagInput["receipt"] {
  const milestoneId = blake2b256(utf8ToBytes(`prop-milestone-${index}`));
  const deposit = MI + Math.floor(random() * MI);
  const owner = WALLETS[Math.floor(random() * WALLETS.length)]!;
  const treasury = world.ledger.treasury()!;
  const receipt: ReceiptPayload = {
    type: 3,
    migratedAt: ++world.migratedAt,
    final: false,
    funds: [
      { tailTransactionHash: new Uint8Array(49).fill(index), address: { type: 0, address: owner.address }, deposit },
    ],
    transaction: {
      type: 4,
      input: { type: 1, milestoneId: treasury.milestoneId },
      output: { type: 2, amount: treasury.amount - deposit },
    },
  };
  return { receipt, milestoneId, milestoneMessageId: blake2b256(milestoneId) };
}

describe("white flag on random tangles", () => {
  it("keeps the supply, accounts for every referenced message and does not depend on arrival order", () => {
    fc.assert(
      fc.property(scenarioArb, fc.integer(), (scenario, shuffleSeed) => {
        const world = newWorld();
        const random = seededRandom(shuffleSeed);
        for (const [ms, plan] of scenario.entries()) {
          for (const action of plan.messages) {
            const parents = pickParents(action.parents, world);
            let payload: MessagePayload | null = null;
            if (action.kind === "tx") payload = buildTx(action, world.pool);
            else if (action.kind === "index") payload = { type: 2, index: Uint8Array.of(ms), data: new Uint8Array(0) };
            world.messages.push(coneMessage(payload, { parents }));
          }
          // The milestone approves up to 8 unreferenced tips; messages it does not reach wait for the next one.
          const unreferenced = world.messages.filter((m) => !world.referenced.has(bytesToHex(m.messageId)));
          const approved = new Set(unreferenced.flatMap((m) => m.message.parents.map(bytesToHex)));
          const tips = unreferenced
            .filter((m) => !approved.has(bytesToHex(m.messageId)))
            .map((m) => m.messageId)
            .sort(compareBytes)
            .slice(0, 8);
          const cone = coneOf(world, tips, world.messages);
          const shuffled = [...world.messages].sort(() => random() - 0.5);
          assert.deepEqual(coneOf(world, tips, shuffled), cone);

          const input: WhiteFlagInput = {
            milestoneIndex: world.ledger.ledgerIndex + 1,
            cone,
            receipt: plan.receipt ? nextReceipt(world, ms + 1, random) : null,
          };
          const m = computeWhiteFlagMutations(input, world.ledger, ed25519Verify);
          assert.deepEqual(computeWhiteFlagMutations(input, world.ledger, ed25519Verify), m, "deterministic");
          const reordered = { ...input, cone: coneOf(world, tips, shuffled) };
          assert.deepEqual(computeWhiteFlagMutations(reordered, world.ledger, ed25519Verify), m, "arrival order");
          checkVerdicts(m, cone);

          world.ledger.apply(m);
          assert.equal(world.ledger.totalSupply(), TOKEN_SUPPLY);
          for (const c of cone) world.referenced.add(bytesToHex(c.messageId));
        }
      }),
      { numRuns: 40, seed: 20210428 },
    );
  });

  it("the random tangles do produce every verdict (the generator is not too tame)", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        const world = newWorld();
        for (const plan of scenario) {
          for (const action of plan.messages) {
            const parents = pickParents(action.parents, world);
            const payload = action.kind === "tx" ? buildTx(action, world.pool) : null;
            world.messages.push(coneMessage(payload, { parents }));
          }
          const cone = world.messages.filter((m) => !world.referenced.has(bytesToHex(m.messageId)));
          const m = computeWhiteFlagMutations(
            { milestoneIndex: world.ledger.ledgerIndex + 1, cone: coneOrder(world, cone), receipt: null },
            world.ledger,
            ed25519Verify,
          );
          for (const r of m.referenced) seen.add(`${r.inclusion}/${r.conflictReason}`);
          world.ledger.apply(m);
          for (const c of cone) world.referenced.add(bytesToHex(c.messageId));
        }
      }),
      { numRuns: 40, seed: 7 },
    );
    for (const v of ["0/0", "2/0", "1/1", "1/2", "1/3", "1/4", "1/5", "1/6"]) assert.ok(seen.has(v), `verdict ${v}`);
  });
});

/** All of `cone` in TIP-2 order (every unreferenced message as a root, in id order). */
function coneOrder(world: World, cone: ConeMessage[]): ConeMessage[] {
  return coneOf(world, cone.map((c) => c.messageId).sort(compareBytes), world.messages);
}
