/**
 * TIP-2 worked example (iotaledger/tips @ f95ce04680d53fef0ade905c03109ce6fd600af7 : tips/TIP-0002/tip-0002.md and
 * tangle.svg / tangle-conflict.svg). The figure's 26 messages: the red set {A, B, C, E, F, H} is confirmed by
 * milestone H, the purple set {D, G, J, L, M, N, K, I, O, S, R, V} by milestone V (the blue ones come later and are
 * left out). Each purple or red message approves two parents; the figure draws Parent1 solid and Parent2 dashed.
 * Real Chrysalis messages list their parents in ascending byte order (TIP-6), so the nonces below are ground until
 * the ids ascend in the figure's Parent1 < Parent2 order, which makes these real messages the figure's DAG.
 *
 * TIP-2: the post-order DFS gives {D, G, J, L, M, R, I, K, N, O, S, V}; G and O conflict, G comes first and is
 * applied, O is ignored. Here G and O spend the same output, so O is conflicting with reason 2 (spent earlier in
 * this milestone, chrysalis.md §10.4).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  encodeMessage,
  type Message,
  type MessagePayload,
  type MilestonePayload,
  messageId,
  type TransactionPayload,
} from "../../src/codec/index.js";
import { ed25519Verify } from "../../src/crypto/ed25519.js";
import { merkleRoot } from "../../src/crypto/merkle.js";
import { ConflictReason } from "../../src/ledger/conflictReason.js";
import type { ConeMessage, LedgerOutput, WhiteFlagMutations } from "../../src/ledger/types.js";
import { computeWhiteFlagMutations } from "../../src/ledger/whiteFlag.js";
import { TOKEN_SUPPLY } from "../../src/params/protocol.js";
import { compareBytes, utf8ToBytes } from "../../src/primitives/bytes.js";
import { bytesToHex } from "../../src/primitives/hex.js";
import { unreferencedPastCone } from "../../src/tangle/traversal.js";
import { LEDGER_TEST_NETWORK_ID, makeOutput, NULL_ID, outputIdTo, Wallet } from "../utils/ledgerFixtures.js";
import { MemoryLedger } from "../utils/memoryLedger.js";

const MI = 1_000_000;

/** Parent1, Parent2 of each message as drawn (solid, dashed); A, B, C approve the genesis entry point. */
const FIGURE_PARENTS: Record<string, [string, string] | []> = {
  A: [],
  B: [],
  C: [],
  E: ["A", "B"],
  F: ["B", "C"],
  H: ["E", "F"],
  D: ["A", "B"],
  G: ["D", "E"],
  J: ["G", "H"],
  M: ["J", "H"],
  L: ["G", "J"],
  R: ["L", "M"],
  I: ["F", "C"],
  K: ["H", "I"],
  N: ["H", "K"],
  O: ["K", "I"],
  S: ["N", "O"],
  V: ["R", "S"],
};

const genesisWallet = Wallet.named("tip2-genesis");
const w1 = Wallet.named("tip2-w1");
const w2 = Wallet.named("tip2-w2");
const w3 = Wallet.named("tip2-w3");
const w4 = Wallet.named("tip2-w4");

/** Builds the figure's messages in a topological order with ground nonces; ids by label. */
class FigureBuilder {
  readonly ids = new Map<string, Uint8Array>();
  readonly messages = new Map<string, Message>();
  private readonly labelByHex = new Map<string, string>([[bytesToHex(NULL_ID), "genesis"]]);

  add(label: string, payload: MessagePayload | null): ConeMessage {
    const drawn = FIGURE_PARENTS[label];
    assert.ok(drawn, `no such message ${label} in the figure`);
    const parents = drawn.length === 0 ? [NULL_ID] : drawn.map((p) => this.id(p)).sort(compareBytes);
    for (let nonce = 0n; nonce < 1_000_000n; nonce++) {
      const message: Message = { networkId: LEDGER_TEST_NETWORK_ID, parents, payload, nonce };
      const id = messageId(encodeMessage(message));
      if (this.fitsFigure(label, id)) {
        this.ids.set(label, id);
        this.messages.set(label, message);
        this.labelByHex.set(bytesToHex(id), label);
        return { messageId: id, message };
      }
    }
    throw new Error(`no nonce puts ${label} in the figure's parent order`);
  }

  /** Every pair (Parent1, Parent2) of the figure that involves `label` and an earlier message ascends. */
  private fitsFigure(label: string, id: Uint8Array): boolean {
    for (const pair of Object.values(FIGURE_PARENTS)) {
      if (pair.length !== 2) continue;
      const [p1, p2] = pair;
      if (p1 === label && this.ids.has(p2) && compareBytes(id, this.id(p2)) >= 0) return false;
      if (p2 === label && this.ids.has(p1) && compareBytes(this.id(p1), id) >= 0) return false;
    }
    return true;
  }

  id(label: string): Uint8Array {
    const id = this.ids.get(label);
    assert.ok(id, `${label} is not built yet`);
    return id;
  }

  label(id: Uint8Array): string {
    return this.labelByHex.get(bytesToHex(id)) ?? "?";
  }

  cone(label: string): ConeMessage {
    return { messageId: this.id(label), message: this.messages.get(label)! };
  }

  /** TIP-2 order of the cone of `roots`, stopping at the genesis entry point and at `referenced`. */
  order(roots: Uint8Array[], referenced: Set<string>): string[] {
    const view = {
      getParents: (id: Uint8Array) => this.messages.get(this.label(id))?.parents,
      isBoundary: (id: Uint8Array, hex: string) => hex === bytesToHex(NULL_ID) || referenced.has(this.label(id)),
    };
    const order = unreferencedPastCone(view, roots);
    assert.ok(Array.isArray(order), "the cone is complete");
    return order.map((id) => this.label(id));
  }
}

function indexation(label: string): MessagePayload {
  return { type: 2, index: utf8ToBytes(`TIP-2 ${label}`), data: new Uint8Array(0) };
}

function milestone(index: number, parents: Uint8Array[], root: Uint8Array): MilestonePayload {
  return {
    type: 1,
    index,
    timestamp: 1_600_000_000 + index,
    parents: [...parents].sort(compareBytes),
    inclusionMerkleProof: root,
    nextPoWScore: 0,
    nextPoWScoreMilestoneIndex: 0,
    publicKeys: [new Uint8Array(32).fill(index)],
    receipt: null,
    signatures: [new Uint8Array(64).fill(index)],
  };
}

interface Scenario {
  fig: FigureBuilder;
  red: WhiteFlagMutations;
  redOrder: string[];
  purple: WhiteFlagMutations;
  purpleOrder: string[];
  fullOrder: string[];
  ledger: MemoryLedger;
  txs: Record<"A" | "D" | "G" | "N" | "O", TransactionPayload>;
}

function buildScenario(): Scenario {
  const genesis: LedgerOutput = {
    outputId: new Uint8Array(34),
    messageId: NULL_ID,
    output: makeOutput(genesisWallet, TOKEN_SUPPLY),
  };
  const ledger = new MemoryLedger({ outputs: [genesis] });
  const fig = new FigureBuilder();

  // Milestone H: A funds w1; the rest of the red set carries no transaction.
  const txA = genesisWallet.transfer(
    [genesis],
    [
      { address: w1, amount: 10 * MI },
      { address: genesisWallet, amount: TOKEN_SUPPLY - 10 * MI },
    ],
  );
  fig.add("A", txA);
  fig.add("B", indexation("B"));
  fig.add("C", null);
  fig.add("E", indexation("E"));
  fig.add("F", null);
  const redOrder = fig.order([fig.id("E"), fig.id("F")], new Set());
  const red = computeWhiteFlagMutations(
    { milestoneIndex: 1, cone: redOrder.map((l) => fig.cone(l)), receipt: null },
    ledger,
    ed25519Verify,
  );
  fig.add("H", milestone(1, [fig.id("E"), fig.id("F")], red.merkleRoot));
  ledger.apply(red);

  // Milestone V: D pays w3 from the genesis change; G and O both spend w1's output (the conflict of
  // tangle-conflict.svg); N spends the output G created earlier in the same milestone.
  const txD = genesisWallet.transfer(
    [{ outputId: outputIdTo(txA, genesisWallet) }],
    [
      { address: w3, amount: 5 * MI },
      { address: genesisWallet, amount: TOKEN_SUPPLY - 15 * MI },
    ],
  );
  const txG = w1.transfer([{ outputId: outputIdTo(txA, w1) }], [{ address: w2, amount: 10 * MI }]);
  const txO = w1.transfer([{ outputId: outputIdTo(txA, w1) }], [{ address: w4, amount: 10 * MI }]);
  const txN = w2.transfer([{ outputId: outputIdTo(txG, w2) }], [{ address: w4, amount: 10 * MI }]);
  fig.add("D", txD);
  fig.add("G", txG);
  fig.add("J", indexation("J"));
  fig.add("M", null);
  fig.add("L", indexation("L"));
  fig.add("R", null);
  fig.add("I", indexation("I"));
  fig.add("K", null);
  fig.add("N", txN);
  fig.add("O", txO);
  fig.add("S", indexation("S"));
  const referenced = new Set([...redOrder, "H"]);
  const purpleOrder = fig.order([fig.id("R"), fig.id("S")], referenced);
  const purple = computeWhiteFlagMutations(
    { milestoneIndex: 2, cone: purpleOrder.map((l) => fig.cone(l)), receipt: null },
    ledger,
    ed25519Verify,
  );
  fig.add("V", milestone(2, [fig.id("R"), fig.id("S")], purple.merkleRoot));
  const fullOrder = fig.order([fig.id("V")], referenced);
  ledger.apply(purple);
  return {
    fig,
    red,
    redOrder,
    purple,
    purpleOrder,
    fullOrder,
    ledger,
    txs: { A: txA, D: txD, G: txG, N: txN, O: txO },
  };
}

describe("TIP-2 worked example", () => {
  const s = buildScenario();

  it("the messages have the figure's parents in the figure's order (Parent1 < Parent2 by id)", () => {
    for (const [label, drawn] of Object.entries(FIGURE_PARENTS)) {
      const actual = s.fig.messages.get(label)!.parents.map((p) => s.fig.label(p));
      assert.deepEqual(actual, drawn.length === 0 ? ["genesis"] : drawn, label);
    }
  });

  it("milestone H references the red set {A, B, C, E, F} and includes A", () => {
    assert.deepEqual([...s.redOrder].sort(), ["A", "B", "C", "E", "F"]);
    assert.deepEqual(s.red.includedMessageIds, [s.fig.id("A")]);
  });

  it("the purple set is ordered {D, G, J, L, M, R, I, K, N, O, S, V}", () => {
    assert.deepEqual(s.fullOrder, ["D", "G", "J", "L", "M", "R", "I", "K", "N", "O", "S", "V"]);
    // White flag gets the cone of V's parents, which is the same order without V itself.
    assert.deepEqual(s.purpleOrder, s.fullOrder.slice(0, -1));
    assert.deepEqual(
      s.purple.referenced.map((r) => s.fig.label(r.messageId)),
      s.purpleOrder,
    );
  });

  it("G comes first and is applied; O double-spends the same output and is conflicting with reason 2", () => {
    const byLabel = new Map(s.purple.referenced.map((r) => [s.fig.label(r.messageId), r]));
    assert.equal(byLabel.get("G")!.inclusion, 2);
    assert.equal(byLabel.get("O")!.inclusion, 1);
    assert.equal(byLabel.get("O")!.conflictReason, ConflictReason.INPUT_UTXO_ALREADY_SPENT_IN_THIS_MILESTONE);
    assert.deepEqual(s.txs.G.essence.inputs, s.txs.O.essence.inputs);
    // N spends what G created earlier in this milestone; D spends A's change from milestone H.
    assert.equal(byLabel.get("N")!.inclusion, 2);
    assert.equal(byLabel.get("D")!.inclusion, 2);
    for (const label of ["J", "L", "M", "R", "I", "K", "S"]) assert.equal(byLabel.get(label)!.inclusion, 0, label);
  });

  it("the inclusion Merkle root is TIP-4 over [D, G, N] in white-flag order", () => {
    const included = ["D", "G", "N"].map((l) => s.fig.id(l));
    assert.deepEqual(s.purple.includedMessageIds, included);
    assert.deepEqual(s.purple.merkleRoot, merkleRoot(included));
    const v = s.fig.messages.get("V")!.payload;
    assert.ok(v !== null && v.type === 1);
    assert.deepEqual(v.inclusionMerkleProof, s.purple.merkleRoot);
  });

  it("the ledger after V: w4 holds N's 10 Mi, not O's; the supply is intact", () => {
    assert.equal(s.ledger.balance(w1.address), 0);
    assert.equal(s.ledger.balance(w2.address), 0);
    assert.equal(s.ledger.balance(w3.address), 5 * MI);
    assert.equal(s.ledger.balance(w4.address), 10 * MI);
    assert.equal(s.ledger.totalSupply(), TOKEN_SUPPLY);
    assert.equal(s.ledger.ledgerIndex, 2);
  });
});
