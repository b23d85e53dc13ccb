/**
 * White flag (TIP-2 / TIP-7 semantic validation, chrysalis.md §3.4, §6, §10.4): one test per conflict reason, the
 * order of the checks (it decides the reason), the booking of included transactions, the signature unlock check
 * on the TIP-14 vectors, and the invariants that throw.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  decodeMessage,
  encodeMessage,
  essenceHash,
  type MilestonePayload,
  outputId,
  type TransactionPayload,
  transactionId,
} from "../../../src/codec/index.js";
import { ed25519Verify } from "../../../src/crypto/ed25519.js";
import { merkleRoot } from "../../../src/crypto/merkle.js";
import { ConflictReason } from "../../../src/ledger/conflictReason.js";
import type { ConeMessage, SignatureVerifier, WhiteFlagMutations } from "../../../src/ledger/types.js";
import { verifySignatureUnlock } from "../../../src/ledger/unlockSignature.js";
import { computeWhiteFlagMutations } from "../../../src/ledger/whiteFlag.js";
import { bytesToHex, hexToBytes } from "../../../src/primitives/hex.js";
import { errorCodeOf } from "../../utils/errorCode.js";
import {
  buildTransaction,
  coneMessage,
  NULL_ID,
  outputIdTo,
  syntheticOutput,
  Wallet,
} from "../../utils/ledgerFixtures.js";
import { MemoryLedger } from "../../utils/memoryLedger.js";
import { readVectorJson } from "../../utils/vectors.js";

const MI = 1_000_000;
const alice = Wallet.named("alice");
const bob = Wallet.named("bob");
const carol = Wallet.named("carol");

function confirm(ledger: MemoryLedger, cone: ConeMessage[], verify: SignatureVerifier = ed25519Verify) {
  return computeWhiteFlagMutations({ milestoneIndex: ledger.ledgerIndex + 1, cone, receipt: null }, ledger, verify);
}

function verdict(m: WhiteFlagMutations, msg: ConeMessage) {
  const r = m.referenced.find((x) => bytesToHex(x.messageId) === bytesToHex(msg.messageId));
  assert.ok(r, "the message is referenced");
  return r;
}

function reasonOf(m: WhiteFlagMutations, msg: ConeMessage): number {
  return verdict(m, msg).conflictReason;
}

/** Flips one bit of a signature unlock block's signature, keeping everything else. */
function withBrokenSignature(tx: TransactionPayload, block = 0): TransactionPayload {
  const blocks = tx.unlockBlocks.map((b, i) => {
    if (i !== block || b.type !== 0) return b;
    const signature = b.signature.signature.slice();
    signature[10]! ^= 1;
    return { type: 0 as const, signature: { ...b.signature, signature } };
  });
  return { ...tx, unlockBlocks: blocks };
}

function milestonePayload(): MilestonePayload {
  return {
    type: 1,
    index: 7,
    timestamp: 1_600_000_000,
    parents: [NULL_ID],
    inclusionMerkleProof: new Uint8Array(32),
    nextPoWScore: 0,
    nextPoWScoreMilestoneIndex: 0,
    publicKeys: [new Uint8Array(32).fill(1)],
    receipt: null,
    signatures: [new Uint8Array(64).fill(2)],
  };
}

describe("white flag: messages without a transaction", () => {
  it("no payload, indexation and milestone payloads are referenced as noTransaction and change nothing", () => {
    const ledger = new MemoryLedger({ outputs: [syntheticOutput(alice, 10 * MI)] });
    const cone = [
      coneMessage(null),
      coneMessage({ type: 2, index: new Uint8Array([1]), data: new Uint8Array(0) }),
      coneMessage(milestonePayload()),
    ];
    const m = confirm(ledger, cone);
    assert.deepEqual(
      m.referenced.map((r) => [bytesToHex(r.messageId), r.inclusion, r.conflictReason, r.transaction]),
      cone.map((c) => [bytesToHex(c.messageId), 0, 0, null]),
    );
    assert.equal(m.includedMessageIds.length, 0);
    assert.equal(bytesToHex(m.merkleRoot), "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
    assert.equal(m.createdOutputs.length + m.consumedOutputs.length + m.addressDiffs.size, 0);
    assert.equal(m.receipt, null);
  });
});

describe("white flag: included transactions", () => {
  it("books a valid transfer: spends, new outputs, diffs, balance changes, Merkle root", () => {
    const genesis = syntheticOutput(alice, 10 * MI);
    const ledger = new MemoryLedger({ outputs: [genesis] });
    const tx = alice.transfer(
      [genesis],
      [
        { address: bob, amount: 3 * MI },
        { address: alice, amount: 7 * MI },
      ],
    );
    const msg = coneMessage(tx);
    const m = confirm(ledger, [msg]);
    const txId = transactionId(tx);

    const r = verdict(m, msg);
    assert.equal(r.inclusion, 2);
    assert.equal(r.conflictReason, ConflictReason.NONE);
    assert.ok(r.transaction);
    assert.deepEqual(r.transaction.transactionId, txId);
    assert.equal(r.transaction.inputsCount, 1);
    assert.equal(r.transaction.outputsCount, 2);
    const changes = new Map(r.transaction.balanceChanges.map((c) => [bytesToHex(c.address), c.change]));
    assert.deepEqual(Object.fromEntries(changes), { [bob.addressHex]: 3 * MI, [alice.addressHex]: -3 * MI });

    assert.deepEqual(m.includedMessageIds, [msg.messageId]);
    assert.deepEqual(m.merkleRoot, merkleRoot([msg.messageId]));
    assert.equal(m.consumedOutputs.length, 1);
    const spent = m.consumedOutputs[0]!;
    assert.deepEqual(spent.outputId, genesis.outputId);
    assert.deepEqual(spent.targetTransactionId, txId);
    assert.equal(spent.milestoneIndexSpent, 1);
    // TIP-7: output id = transaction id ‖ u16 LE index, created by this message.
    assert.deepEqual(
      m.createdOutputs.map((o) => bytesToHex(o.outputId)),
      [0, 1].map((j) => bytesToHex(outputId(txId, j))),
    );
    for (const o of m.createdOutputs) assert.deepEqual(o.messageId, msg.messageId);
    assert.deepEqual(m.createdOutputs[0]!.output, tx.essence.outputs[0]);
    assert.deepEqual(m.addressDiffs.get(bob.addressHex), {
      address: bob.address,
      balance: 3 * MI,
      dustAllowanceSum: 0,
      dustOutputCount: 0,
    });
    assert.equal(m.addressDiffs.get(alice.addressHex)?.balance, -3 * MI);

    ledger.apply(m);
    assert.equal(ledger.balance(bob.address), 3 * MI);
    assert.equal(ledger.balance(alice.address), 7 * MI);
  });

  it("the fixtures build syntactically valid transactions (sorted, one signature per key, references)", () => {
    const a1 = syntheticOutput(alice, 2 * MI);
    const a2 = syntheticOutput(alice, 3 * MI);
    const b1 = syntheticOutput(bob, 4 * MI);
    const tx = buildTransaction(
      [
        { outputId: a1.outputId, signer: alice },
        { outputId: b1.outputId, signer: bob },
        { outputId: a2.outputId, signer: alice },
      ],
      [
        { address: carol, amount: 8 * MI },
        { address: carol, amount: MI, type: 1 },
      ],
      { index: "weaver" },
    );
    const msg = coneMessage(tx);
    const decoded = decodeMessage(encodeMessage(msg.message), "untrusted");
    assert.deepEqual(decoded.payload, tx);
    assert.equal(tx.unlockBlocks.filter((b) => b.type === 0).length, 2);
    assert.equal(tx.unlockBlocks.filter((b) => b.type === 1).length, 1);
  });

  it("a transaction with inputs of two addresses verifies one signature per distinct address", () => {
    const a1 = syntheticOutput(alice, 2 * MI);
    const a2 = syntheticOutput(alice, 3 * MI);
    const b1 = syntheticOutput(bob, 4 * MI);
    const ledger = new MemoryLedger({ outputs: [a1, a2, b1] });
    const tx = buildTransaction(
      [
        { outputId: a1.outputId, signer: alice },
        { outputId: b1.outputId, signer: bob },
        { outputId: a2.outputId, signer: alice },
      ],
      [{ address: carol, amount: 9 * MI }],
    );
    const calls: string[] = [];
    const m = confirm(ledger, [coneMessage(tx)], (pk, msg, sig) => {
      calls.push(bytesToHex(pk));
      return ed25519Verify(pk, msg, sig);
    });
    assert.equal(m.referenced[0]!.inclusion, 2);
    assert.deepEqual(calls.sort(), [alice, bob].map((w) => bytesToHex(w.publicKey)).sort());
    assert.equal(m.consumedOutputs.length, 3);
    ledger.apply(m);
    assert.equal(ledger.balance(carol.address), 9 * MI);
  });

  it("outputs created earlier in the same milestone can be spent (a chain of three)", () => {
    const genesis = syntheticOutput(alice, 10 * MI);
    const ledger = new MemoryLedger({ outputs: [genesis] });
    const t1 = alice.transfer([genesis], [{ address: bob, amount: 10 * MI }]);
    const t2 = bob.transfer([{ outputId: outputIdTo(t1, bob) }], [{ address: carol, amount: 10 * MI }]);
    const t3 = carol.transfer([{ outputId: outputIdTo(t2, carol) }], [{ address: alice, amount: 10 * MI }]);
    const cone = [t1, t2, t3].map((t) => coneMessage(t));
    const m = confirm(ledger, cone);
    assert.deepEqual(
      m.referenced.map((r) => r.inclusion),
      [2, 2, 2],
    );
    assert.deepEqual(
      m.includedMessageIds,
      cone.map((c) => c.messageId),
    );
    // Every address ends where it started, so the net diffs are empty.
    assert.equal(m.addressDiffs.size, 0);
    assert.equal(m.createdOutputs.length, 3);
    ledger.apply(m);
    assert.equal(ledger.balance(alice.address), 10 * MI);
    assert.equal(ledger.unspentOutputs().length, 1);
  });
});

describe("white flag: one test per conflict reason (chrysalis.md §10.4)", () => {
  it("1: the input was spent by an earlier milestone", () => {
    const genesis = syntheticOutput(alice, 5 * MI);
    const ledger = new MemoryLedger({ outputs: [genesis] });
    const first = coneMessage(alice.transfer([genesis], [{ address: bob, amount: 5 * MI }]));
    ledger.apply(confirm(ledger, [first]));
    const again = coneMessage(alice.transfer([genesis], [{ address: carol, amount: 5 * MI }]));
    const m = confirm(ledger, [again]);
    assert.equal(m.referenced[0]!.inclusion, 1);
    assert.equal(reasonOf(m, again), ConflictReason.INPUT_UTXO_ALREADY_SPENT);
  });

  it("2: the input was spent earlier in this milestone; the first spend wins", () => {
    const genesis = syntheticOutput(alice, 5 * MI);
    const ledger = new MemoryLedger({ outputs: [genesis] });
    const first = coneMessage(alice.transfer([genesis], [{ address: bob, amount: 5 * MI }]));
    const second = coneMessage(alice.transfer([genesis], [{ address: carol, amount: 5 * MI }]));
    const m = confirm(ledger, [first, second]);
    assert.equal(reasonOf(m, first), ConflictReason.NONE);
    assert.equal(verdict(m, first).inclusion, 2);
    assert.equal(reasonOf(m, second), ConflictReason.INPUT_UTXO_ALREADY_SPENT_IN_THIS_MILESTONE);
    assert.equal(verdict(m, second).inclusion, 1);
    ledger.apply(m);
    assert.equal(ledger.balance(bob.address), 5 * MI);
    assert.equal(ledger.balance(carol.address), 0);
  });

  it("3: the input does not exist", () => {
    const ledger = new MemoryLedger({ outputs: [syntheticOutput(alice, 5 * MI)] });
    const ghost = syntheticOutput(alice, 5 * MI);
    const msg = coneMessage(alice.transfer([ghost], [{ address: bob, amount: 5 * MI }]));
    assert.equal(reasonOf(confirm(ledger, [msg]), msg), ConflictReason.INPUT_UTXO_NOT_FOUND);
  });

  it("4: the inputs do not add up to the outputs", () => {
    const genesis = syntheticOutput(alice, 5 * MI);
    const ledger = new MemoryLedger({ outputs: [genesis] });
    const more = coneMessage(alice.transfer([genesis], [{ address: bob, amount: 6 * MI }]));
    const less = coneMessage(alice.transfer([genesis], [{ address: bob, amount: 4 * MI }]));
    const m = confirm(ledger, [more, less]);
    assert.equal(reasonOf(m, more), ConflictReason.INPUT_OUTPUT_SUM_MISMATCH);
    assert.equal(reasonOf(m, less), ConflictReason.INPUT_OUTPUT_SUM_MISMATCH);
  });

  it("5: the public key does not hash to the input's address (a valid signature by someone else)", () => {
    const genesis = syntheticOutput(alice, 5 * MI);
    const ledger = new MemoryLedger({ outputs: [genesis] });
    const tx = buildTransaction([{ outputId: genesis.outputId, signer: bob }], [{ address: bob, amount: 5 * MI }]);
    const msg = coneMessage(tx);
    assert.equal(reasonOf(confirm(ledger, [msg]), msg), ConflictReason.INVALID_SIGNATURE);
  });

  it("5: the signature does not verify", () => {
    const genesis = syntheticOutput(alice, 5 * MI);
    const ledger = new MemoryLedger({ outputs: [genesis] });
    const msg = coneMessage(withBrokenSignature(alice.transfer([genesis], [{ address: bob, amount: 5 * MI }])));
    assert.equal(reasonOf(confirm(ledger, [msg]), msg), ConflictReason.INVALID_SIGNATURE);
  });

  it("6: the transaction leaves an address with more dust than its allowance permits", () => {
    const genesis = syntheticOutput(alice, 5 * MI);
    const ledger = new MemoryLedger({ outputs: [genesis] });
    const msg = coneMessage(
      alice.transfer(
        [genesis],
        [
          { address: bob, amount: 500_000 },
          { address: alice, amount: 4_500_000 },
        ],
      ),
    );
    assert.equal(reasonOf(confirm(ledger, [msg]), msg), ConflictReason.INVALID_DUST_ALLOWANCE);
  });

  it("255: a second, different signature unlock block for an address already unlocked", () => {
    const a1 = syntheticOutput(alice, 2 * MI);
    const a2 = syntheticOutput(alice, 3 * MI);
    const ledger = new MemoryLedger({ outputs: [a1, a2] });
    const tx = alice.transfer([a1, a2], [{ address: bob, amount: 5 * MI }]);
    const first = tx.unlockBlocks[0]!;
    assert.equal(first.type, 0);
    assert.equal(tx.unlockBlocks[1]!.type, 1);
    // The second input gets its own signature block (syntactically fine: the blocks differ), not a reference.
    const second = withBrokenSignature({ ...tx, unlockBlocks: [first, first] }, 1);
    const msg = coneMessage(second);
    assert.doesNotThrow(() => decodeMessage(encodeMessage(msg.message), "untrusted"));
    assert.equal(reasonOf(confirm(ledger, [msg]), msg), ConflictReason.SEMANTIC_VALIDATION_FAILED);
  });

  it("255: a reference to a reference block (only possible past a trusted decode)", () => {
    const outs = [2, 3, 4].map((n) => syntheticOutput(alice, n * MI));
    const ledger = new MemoryLedger({ outputs: outs });
    const tx = alice.transfer(outs, [{ address: bob, amount: 9 * MI }]);
    const broken: TransactionPayload = {
      ...tx,
      unlockBlocks: [tx.unlockBlocks[0]!, { type: 1, reference: 0 }, { type: 1, reference: 1 }],
    };
    const msg = coneMessage(broken);
    assert.equal(reasonOf(confirm(ledger, [msg]), msg), ConflictReason.SEMANTIC_VALIDATION_FAILED);
  });

  it("255: one output spent twice by the same transaction (only possible past a trusted decode)", () => {
    const a1 = syntheticOutput(alice, 2 * MI);
    const ledger = new MemoryLedger({ outputs: [a1] });
    // Counting the input twice would mint 2 Mi out of nothing.
    const msg = coneMessage(alice.transfer([a1, a1], [{ address: bob, amount: 4 * MI }]));
    assert.equal(reasonOf(confirm(ledger, [msg]), msg), ConflictReason.SEMANTIC_VALIDATION_FAILED);
  });

  it("a reference to another address's signature block is a key/address mismatch (5), as in iota.go", () => {
    const a1 = syntheticOutput(alice, 2 * MI);
    const b1 = syntheticOutput(bob, 3 * MI);
    const ledger = new MemoryLedger({ outputs: [a1, b1] });
    const tx = buildTransaction(
      [
        { outputId: a1.outputId, signer: alice },
        { outputId: b1.outputId, signer: bob },
      ],
      [{ address: carol, amount: 5 * MI }],
    );
    const broken: TransactionPayload = { ...tx, unlockBlocks: [tx.unlockBlocks[0]!, { type: 1, reference: 0 }] };
    const msg = coneMessage(broken);
    assert.equal(reasonOf(confirm(ledger, [msg]), msg), ConflictReason.INVALID_SIGNATURE);
  });
});

describe("white flag: the order of the checks decides the reason (chrysalis.md §3.4)", () => {
  // Synthetic transaction ids of all zeros / all ones sort first / last among the inputs.
  const missingFirst = { outputId: outputId(new Uint8Array(32), 3) };
  const missingLast = { outputId: outputId(new Uint8Array(32).fill(0xff), 3) };

  it("the first failing input decides between 1, 2 and 3", () => {
    const spentHere = syntheticOutput(alice, 5 * MI);
    const ledger = new MemoryLedger({ outputs: [spentHere] });
    const spend = coneMessage(alice.transfer([spentHere], [{ address: bob, amount: 5 * MI }]));
    const missingThenSpent = coneMessage(alice.transfer([missingFirst, spentHere], [{ address: bob, amount: 5 * MI }]));
    const spentThenMissing = coneMessage(alice.transfer([spentHere, missingLast], [{ address: bob, amount: 5 * MI }]));
    const m = confirm(ledger, [spend, missingThenSpent, spentThenMissing]);
    assert.equal(reasonOf(m, missingThenSpent), ConflictReason.INPUT_UTXO_NOT_FOUND);
    assert.equal(reasonOf(m, spentThenMissing), ConflictReason.INPUT_UTXO_ALREADY_SPENT_IN_THIS_MILESTONE);
  });

  it("a missing input (3) comes before the unlock block rules (255)", () => {
    const a1 = syntheticOutput(alice, 2 * MI);
    const ledger = new MemoryLedger({ outputs: [a1] });
    const tx = alice.transfer([a1, missingLast], [{ address: bob, amount: 2 * MI }]);
    const broken = withBrokenSignature({ ...tx, unlockBlocks: [tx.unlockBlocks[0]!, tx.unlockBlocks[0]!] }, 1);
    const msg = coneMessage(broken);
    assert.equal(reasonOf(confirm(ledger, [msg]), msg), ConflictReason.INPUT_UTXO_NOT_FOUND);
  });

  it("the unlock block rules (255) come before the sum (4): iota.go checks them in its input loop", () => {
    const a1 = syntheticOutput(alice, 2 * MI);
    const a2 = syntheticOutput(alice, 3 * MI);
    const ledger = new MemoryLedger({ outputs: [a1, a2] });
    const tx = alice.transfer([a1, a2], [{ address: bob, amount: 7 * MI }]);
    const msg = coneMessage(
      withBrokenSignature({ ...tx, unlockBlocks: [tx.unlockBlocks[0]!, tx.unlockBlocks[0]!] }, 1),
    );
    assert.equal(reasonOf(confirm(ledger, [msg]), msg), ConflictReason.SEMANTIC_VALIDATION_FAILED);
  });

  it("the sum (4) comes before dust (6), and dust (6) before the signatures (5)", () => {
    const g1 = syntheticOutput(alice, 5 * MI);
    const g2 = syntheticOutput(alice, 5 * MI);
    const ledger = new MemoryLedger({ outputs: [g1, g2] });
    const sumAndDust = coneMessage(
      withBrokenSignature(
        alice.transfer(
          [g1],
          [
            { address: bob, amount: 500_000 },
            { address: alice, amount: MI },
          ],
        ),
      ),
    );
    const dustAndSignature = coneMessage(
      withBrokenSignature(
        alice.transfer(
          [g2],
          [
            { address: bob, amount: 500_000 },
            { address: alice, amount: 4_500_000 },
          ],
        ),
      ),
    );
    const m = confirm(ledger, [sumAndDust, dustAndSignature]);
    assert.equal(reasonOf(m, sumAndDust), ConflictReason.INPUT_OUTPUT_SUM_MISMATCH);
    assert.equal(reasonOf(m, dustAndSignature), ConflictReason.INVALID_DUST_ALLOWANCE);
  });

  it("signatures are verified only when every cheaper check passed", () => {
    const genesis = syntheticOutput(alice, 5 * MI);
    const ledger = new MemoryLedger({ outputs: [genesis] });
    let calls = 0;
    const counting: SignatureVerifier = (pk, msg, sig) => {
      calls++;
      return ed25519Verify(pk, msg, sig);
    };
    confirm(ledger, [coneMessage(alice.transfer([genesis], [{ address: bob, amount: 6 * MI }]))], counting);
    assert.equal(calls, 0);
    confirm(ledger, [coneMessage(alice.transfer([genesis], [{ address: bob, amount: 5 * MI }]))], counting);
    assert.equal(calls, 1);
  });
});

describe("white flag: conflicts change nothing", () => {
  it("a conflicting transaction creates and spends nothing; its touched addresses get change 0", () => {
    const genesis = syntheticOutput(alice, 5 * MI);
    const ledger = new MemoryLedger({ outputs: [genesis] });
    const tx = alice.transfer(
      [genesis],
      [
        { address: bob, amount: 2 * MI },
        { address: carol, amount: 4 * MI },
      ],
    );
    const msg = coneMessage(tx);
    const m = confirm(ledger, [msg]);
    const r = verdict(m, msg);
    assert.equal(r.inclusion, 1);
    assert.equal(r.conflictReason, ConflictReason.INPUT_OUTPUT_SUM_MISMATCH);
    assert.ok(r.transaction);
    assert.deepEqual(r.transaction.transactionId, transactionId(tx));
    // Outputs' addresses first, then the signature keys' addresses, each once, all with change 0.
    assert.deepEqual(
      r.transaction.balanceChanges.map((c) => [bytesToHex(c.address), c.change]),
      [
        [bob.addressHex, 0],
        [carol.addressHex, 0],
        [alice.addressHex, 0],
      ],
    );
    assert.equal(m.createdOutputs.length + m.consumedOutputs.length + m.addressDiffs.size, 0);
    assert.equal(m.includedMessageIds.length, 0);
  });

  it("an injected verifier that says no gives 5 for that transaction and the rest of the milestone applies", () => {
    const g1 = syntheticOutput(alice, 5 * MI);
    const g2 = syntheticOutput(bob, 7 * MI);
    const ledger = new MemoryLedger({ outputs: [g1, g2] });
    const t1 = alice.transfer([g1], [{ address: carol, amount: 5 * MI }]);
    const t2 = bob.transfer([g2], [{ address: carol, amount: 7 * MI }]);
    const cone = [coneMessage(t1), coneMessage(t2)];
    const seen: Array<{ pk: string; msg: string; sig: string }> = [];
    const rejectAlice: SignatureVerifier = (pk, msg, sig) => {
      seen.push({ pk: bytesToHex(pk), msg: bytesToHex(msg), sig: bytesToHex(sig) });
      return bytesToHex(pk) !== bytesToHex(alice.publicKey);
    };
    const m = confirm(ledger, cone, rejectAlice);
    assert.equal(reasonOf(m, cone[0]!), ConflictReason.INVALID_SIGNATURE);
    assert.equal(verdict(m, cone[1]!).inclusion, 2);
    // The verifier sees the key, the essence hash (TIP-7 signing message) and the signature as given.
    assert.deepEqual(seen, [
      {
        pk: bytesToHex(alice.publicKey),
        msg: bytesToHex(essenceHash(t1.essence)),
        sig: t1.unlockBlocks[0]!.type === 0 ? bytesToHex(t1.unlockBlocks[0]!.signature.signature) : "",
      },
      {
        pk: bytesToHex(bob.publicKey),
        msg: bytesToHex(essenceHash(t2.essence)),
        sig: t2.unlockBlocks[0]!.type === 0 ? bytesToHex(t2.unlockBlocks[0]!.signature.signature) : "",
      },
    ]);
    ledger.apply(m);
    assert.equal(ledger.balance(carol.address), 7 * MI);
    assert.equal(ledger.balance(alice.address), 5 * MI);
  });
});

describe("white flag: invariants that throw", () => {
  it("a milestone that does not follow the ledger index is LEDGER_ERROR_INDEX_MISMATCH", () => {
    const ledger = new MemoryLedger({ outputs: [], ledgerIndex: 4 });
    for (const milestoneIndex of [4, 6]) {
      assert.equal(
        errorCodeOf(() =>
          computeWhiteFlagMutations({ milestoneIndex, cone: [], receipt: null }, ledger, ed25519Verify),
        ),
        "LEDGER_ERROR_INDEX_MISMATCH",
      );
    }
  });

  it("a cone entry that is not a decoded message, or an unknown payload type, is LEDGER_ERROR_CORRUPT", () => {
    const ledger = new MemoryLedger({ outputs: [] });
    const good = coneMessage(null);
    const bad: unknown[] = [
      undefined,
      { messageId: new Uint8Array(31), message: good.message },
      { messageId: good.messageId, message: null },
      { messageId: good.messageId, message: { ...good.message, payload: { type: 3 } } },
    ];
    for (const entry of bad) {
      const cone = [good, entry] as ConeMessage[];
      assert.equal(
        errorCodeOf(() => computeWhiteFlagMutations({ milestoneIndex: 1, cone, receipt: null }, ledger, ed25519Verify)),
        "LEDGER_ERROR_CORRUPT",
      );
    }
  });

  it("a transaction object that cannot be encoded is LEDGER_ERROR_CORRUPT", () => {
    const genesis = syntheticOutput(alice, 5 * MI);
    const ledger = new MemoryLedger({ outputs: [genesis] });
    const tx = alice.transfer([genesis], [{ address: bob, amount: 5 * MI }]);
    const broken = { ...tx, essence: { ...tx.essence, outputs: [{ ...tx.essence.outputs[0]!, amount: -1 }] } };
    const msg = { messageId: new Uint8Array(32).fill(9), message: { ...coneMessage(null).message, payload: broken } };
    assert.equal(
      errorCodeOf(() =>
        computeWhiteFlagMutations({ milestoneIndex: 1, cone: [msg], receipt: null }, ledger, ed25519Verify),
      ),
      "LEDGER_ERROR_CORRUPT",
    );
  });
});

interface Tip14Vector {
  address: string;
  message: string;
  pub_key: string;
  signature: string;
  valid: boolean;
}

describe("verifySignatureUnlock: the TIP-14 ZIP-215 vectors as white flag checks them", () => {
  const vectors = readVectorJson<Tip14Vector[]>("tip14-ed25519-zip215.json");

  it("all 12 entries give T,T,T,T,T,T,F,F,F,T,F,T with the real verifier", () => {
    assert.equal(vectors.length, 12);
    const verdicts = vectors.map((v) => {
      const serialized = hexToBytes(v.address);
      assert.equal(serialized[0], 0, "Ed25519 address type");
      const signature = { type: 0 as const, publicKey: hexToBytes(v.pub_key), signature: hexToBytes(v.signature) };
      return verifySignatureUnlock(serialized.subarray(1), signature, hexToBytes(v.message), ed25519Verify);
    });
    assert.deepEqual(
      verdicts,
      vectors.map((v) => v.valid),
    );
    assert.deepEqual(verdicts, [true, true, true, true, true, true, false, false, false, true, false, true]);
  });

  it("entry 10 fails on the address alone: its address is the hash of the reduced key, not of the key as given", () => {
    const v = vectors[10]!;
    const signature = { type: 0 as const, publicKey: hexToBytes(v.pub_key), signature: hexToBytes(v.signature) };
    let verified = false;
    const ok = verifySignatureUnlock(hexToBytes(v.address).subarray(1), signature, hexToBytes(v.message), () => {
      verified = true;
      return true;
    });
    assert.equal(ok, false);
    assert.equal(verified, false, "the verifier is not consulted when the address does not match");
  });
});
