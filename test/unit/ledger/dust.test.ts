/**
 * Dust protection (TIP-15, chrysalis.md §4): the helpers, then the rule as white flag applies it, against the
 * confirmed ledger plus the running diff of the milestone.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ed25519Verify } from "../../../src/crypto/ed25519.js";
import { ConflictReason } from "../../../src/ledger/conflictReason.js";
import { allowedDustOutputs, isDustAllowed, isDustOutput, isDustStateValid } from "../../../src/ledger/dust.js";
import type { ConeMessage, LedgerOutput, WhiteFlagMutations } from "../../../src/ledger/types.js";
import { computeWhiteFlagMutations } from "../../../src/ledger/whiteFlag.js";
import {
  buildTransaction,
  coneMessage,
  makeOutput,
  outputIdTo,
  syntheticOutput,
  Wallet,
} from "../../utils/ledgerFixtures.js";
import { MemoryLedger } from "../../utils/memoryLedger.js";

const MI = 1_000_000;
const alice = Wallet.named("alice");
const bob = Wallet.named("bob");
const carol = Wallet.named("carol");

function confirm(ledger: MemoryLedger, cone: ConeMessage[]): WhiteFlagMutations {
  return computeWhiteFlagMutations(
    { milestoneIndex: ledger.ledgerIndex + 1, cone, receipt: null },
    ledger,
    ed25519Verify,
  );
}

function reasons(m: WhiteFlagMutations): number[] {
  return m.referenced.map((r) => r.conflictReason);
}

/** `n` dust outputs of 1 token each on `owner`. */
function dustOutputs(owner: Wallet, n: number): LedgerOutput[] {
  return Array.from({ length: n }, () => syntheticOutput(owner, 1));
}

describe("TIP-15 helpers", () => {
  it("isDustOutput: a SigLockedSingleOutput below 1 Mi; an allowance output never", () => {
    assert.equal(isDustOutput(makeOutput(alice, 999_999)), true);
    assert.equal(isDustOutput(makeOutput(alice, 1)), true);
    assert.equal(isDustOutput(makeOutput(alice, MI)), false);
    assert.equal(isDustOutput(makeOutput(alice, MI, 1)), false);
  });

  it("allowedDustOutputs: 10 per 1 Mi (one per 100 000, rounded down), at most 100", () => {
    const cases: Array<[number, number]> = [
      [0, 0],
      [99_999, 0],
      [100_000, 1],
      [MI, 10],
      [1_999_999, 19],
      [10 * MI, 100],
      [11 * MI, 100],
      [1_000 * MI, 100],
    ];
    for (const [sum, allowed] of cases) assert.equal(allowedDustOutputs(sum), allowed, `S = ${sum}`);
  });

  it("isDustStateValid allows reaching the limit; isDustAllowed (REST) says whether one more fits", () => {
    assert.equal(isDustStateValid({ dustAllowanceSum: MI, dustOutputCount: 10 }), true);
    assert.equal(isDustStateValid({ dustAllowanceSum: MI, dustOutputCount: 11 }), false);
    assert.equal(isDustStateValid({ dustAllowanceSum: 0, dustOutputCount: 0 }), true);
    assert.equal(isDustAllowed({ dustAllowanceSum: MI, dustOutputCount: 9 }), true);
    assert.equal(isDustAllowed({ dustAllowanceSum: MI, dustOutputCount: 10 }), false);
    assert.equal(isDustAllowed({ dustAllowanceSum: 0, dustOutputCount: 0 }), false);
  });
});

describe("TIP-15 in white flag", () => {
  it("1 Mi of allowance admits 10 dust outputs; the 11th in the same milestone is conflict 6", () => {
    const funds = Array.from({ length: 11 }, () => syntheticOutput(alice, 2 * MI));
    const ledger = new MemoryLedger({ outputs: [...funds, syntheticOutput(bob, MI, 1)] });
    const cone = funds.map((f) =>
      coneMessage(
        alice.transfer(
          [f],
          [
            { address: bob, amount: 100_000 },
            { address: alice, amount: 1_900_000 },
          ],
        ),
      ),
    );
    const m = confirm(ledger, cone);
    assert.deepEqual(reasons(m), [...Array<number>(10).fill(0), ConflictReason.INVALID_DUST_ALLOWANCE]);
    assert.equal(m.addressDiffs.get(bob.addressHex)?.dustOutputCount, 10);
    ledger.apply(m);
    assert.deepEqual(ledger.dustState(bob.address), { dustAllowanceSum: MI, dustOutputCount: 10 });
    assert.equal(isDustAllowed(ledger.dustState(bob.address)), false);
  });

  it("the cap is 100 dust outputs however large the allowance", () => {
    const fund = syntheticOutput(alice, 2 * MI);
    const capped = new MemoryLedger({
      outputs: [fund, syntheticOutput(bob, 20 * MI, 1), ...dustOutputs(bob, 100)],
    });
    const open = new MemoryLedger({ outputs: [fund, syntheticOutput(bob, 20 * MI, 1), ...dustOutputs(bob, 99)] });
    const tx = alice.transfer(
      [fund],
      [
        { address: bob, amount: 1 },
        { address: alice, amount: 2 * MI - 1 },
      ],
    );
    assert.deepEqual(reasons(confirm(capped, [coneMessage(tx)])), [ConflictReason.INVALID_DUST_ALLOWANCE]);
    assert.deepEqual(reasons(confirm(open, [coneMessage(tx)])), [ConflictReason.NONE]);
  });

  it("consuming the allowance while dust remains on the address is conflict 6; without dust it is fine", () => {
    const allowance = syntheticOutput(bob, MI, 1);
    const withDust = new MemoryLedger({ outputs: [allowance, ...dustOutputs(bob, 5)] });
    const clean = new MemoryLedger({ outputs: [allowance] });
    const tx = bob.transfer([allowance], [{ address: carol, amount: MI }]);
    assert.deepEqual(reasons(confirm(withDust, [coneMessage(tx)])), [ConflictReason.INVALID_DUST_ALLOWANCE]);
    const m = confirm(clean, [coneMessage(tx)]);
    assert.deepEqual(reasons(m), [ConflictReason.NONE]);
    assert.equal(m.addressDiffs.get(bob.addressHex)?.dustAllowanceSum, -MI);
  });

  it("a change output below 1 Mi counts against the sender", () => {
    const fund = syntheticOutput(alice, 2 * MI);
    const tx = alice.transfer(
      [fund],
      [
        { address: carol, amount: 1_500_000 },
        { address: alice, amount: 500_000 },
      ],
    );
    const noAllowance = new MemoryLedger({ outputs: [fund] });
    const withAllowance = new MemoryLedger({ outputs: [fund, syntheticOutput(alice, MI, 1)] });
    assert.deepEqual(reasons(confirm(noAllowance, [coneMessage(tx)])), [ConflictReason.INVALID_DUST_ALLOWANCE]);
    assert.deepEqual(reasons(confirm(withAllowance, [coneMessage(tx)])), [ConflictReason.NONE]);
  });

  it("an allowance deposited earlier in the same milestone counts (the running diff); later does not", () => {
    const f1 = syntheticOutput(alice, 3 * MI);
    const f2 = syntheticOutput(alice, 3 * MI);
    const deposit = coneMessage(
      alice.transfer(
        [f1],
        [
          { address: bob, amount: MI, type: 1 },
          { address: alice, amount: 2 * MI },
        ],
      ),
    );
    const dust = coneMessage(
      alice.transfer(
        [f2],
        [
          { address: bob, amount: 300_000 },
          { address: alice, amount: 2_700_000 },
        ],
      ),
    );
    const depositFirst = new MemoryLedger({ outputs: [f1, f2] });
    const m = confirm(depositFirst, [deposit, dust]);
    assert.deepEqual(reasons(m), [0, 0]);
    assert.deepEqual(m.addressDiffs.get(bob.addressHex), {
      address: bob.address,
      balance: 1_300_000,
      dustAllowanceSum: MI,
      dustOutputCount: 1,
    });
    depositFirst.apply(m);
    const dustFirst = new MemoryLedger({ outputs: [f1, f2] });
    assert.deepEqual(reasons(confirm(dustFirst, [dust, deposit])), [ConflictReason.INVALID_DUST_ALLOWANCE, 0]);
  });

  it("an address at its limit may replace a dust output (spend one, receive one)", () => {
    const dust = dustOutputs(bob, 10);
    const fund = syntheticOutput(carol, 2 * MI);
    const ledger = new MemoryLedger({ outputs: [syntheticOutput(bob, MI, 1), ...dust, fund] });
    const spendDust = coneMessage(bob.transfer([dust[0]!], [{ address: carol, amount: 1 }]));
    // Carol may not receive dust either (no allowance): her count would go up.
    const m1 = confirm(ledger, [spendDust]);
    assert.deepEqual(reasons(m1), [ConflictReason.INVALID_DUST_ALLOWANCE]);
    // Bob pays Carol from a big input and gets his dust output replaced: his count stays 10.
    const replace = coneMessage(
      buildTransaction(
        [
          { outputId: dust[1]!.outputId, signer: bob },
          { outputId: fund.outputId, signer: carol },
        ],
        [
          { address: bob, amount: 1 },
          { address: carol, amount: 2 * MI },
        ],
      ),
    );
    const m2 = confirm(ledger, [replace]);
    assert.deepEqual(reasons(m2), [ConflictReason.NONE]);
    assert.equal(m2.addressDiffs.get(bob.addressHex), undefined, "bob's balance, allowance and count are unchanged");
    ledger.apply(m2);
    assert.equal(ledger.dustState(bob.address).dustOutputCount, 10);
  });

  it("outputs of at least 1 Mi never touch the dust rule", () => {
    const fund = syntheticOutput(alice, 3 * MI);
    const ledger = new MemoryLedger({ outputs: [fund] });
    const tx = alice.transfer(
      [fund],
      [
        { address: bob, amount: MI },
        { address: carol, amount: 2 * MI },
      ],
    );
    const m = confirm(ledger, [coneMessage(tx)]);
    assert.deepEqual(reasons(m), [0]);
    ledger.apply(m);
    const next = carol.transfer([{ outputId: outputIdTo(tx, carol) }], [{ address: bob, amount: 2 * MI }]);
    assert.deepEqual(reasons(confirm(ledger, [coneMessage(next)])), [0]);
  });
});
