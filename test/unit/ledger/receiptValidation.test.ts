/**
 * Receipts (TIP-17, chrysalis.md §9): a valid receipt moves the treasury and mints one output per migrated-funds
 * entry (output id = milestone id ‖ u16 index); every violation of iota.go `ValidateReceipt` or of TIP-17's
 * ordering rules is the fatal LEDGER_ERROR_RECEIPT_INVALID.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type MigratedFundsEntry, outputId, type ReceiptPayload } from "../../../src/codec/index.js";
import { ed25519Verify } from "../../../src/crypto/ed25519.js";
import { validateReceipt } from "../../../src/ledger/receiptValidation.js";
import type { LedgerView, TreasuryOutputState, WhiteFlagInput } from "../../../src/ledger/types.js";
import { computeWhiteFlagMutations } from "../../../src/ledger/whiteFlag.js";
import { TOKEN_SUPPLY } from "../../../src/params/protocol.js";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { errorCodeOf } from "../../utils/errorCode.js";
import { coneMessage, syntheticOutput, Wallet } from "../../utils/ledgerFixtures.js";
import { MemoryLedger } from "../../utils/memoryLedger.js";

const MI = 1_000_000;
const alice = Wallet.named("alice");
const bob = Wallet.named("bob");
const MS1 = new Uint8Array(32).fill(0x11);
const MS2 = new Uint8Array(32).fill(0x22);
const MS3 = new Uint8Array(32).fill(0x33);
const MS_MESSAGE = new Uint8Array(32).fill(0xaa);

function tail(n: number): Uint8Array {
  return new Uint8Array(49).fill(n);
}

function entry(n: number, owner: Wallet, deposit: number): MigratedFundsEntry {
  return { tailTransactionHash: tail(n), address: { type: 0, address: owner.address }, deposit };
}

function receipt(
  funds: MigratedFundsEntry[],
  treasury: { input: Uint8Array; remaining: number },
  migratedAt = 5,
  final = false,
): ReceiptPayload {
  return {
    type: 3,
    migratedAt,
    final,
    funds,
    transaction: {
      type: 4,
      input: { type: 1, milestoneId: treasury.input },
      output: { type: 2, amount: treasury.remaining },
    },
  };
}

function view(
  treasury: TreasuryOutputState | undefined,
  last?: { migratedAt: number; final: boolean },
): Pick<LedgerView, "treasury" | "lastReceipt"> {
  return { treasury: () => treasury, lastReceipt: () => last };
}

const TREASURY = { milestoneId: MS1, amount: 100 * MI };

describe("validateReceipt (TIP-17)", () => {
  it("accepts a receipt that fits the treasury and returns the treasury it spends", () => {
    const r = receipt([entry(1, alice, 3 * MI), entry(2, bob, 2 * MI)], { input: MS1, remaining: 95 * MI });
    assert.deepEqual(validateReceipt(r, view(TREASURY)), TREASURY);
  });

  const cases: Array<[string, ReceiptPayload, Pick<LedgerView, "treasury" | "lastReceipt">]> = [
    [
      "a repeated tail transaction hash",
      receipt([entry(1, alice, 3 * MI), entry(1, bob, 2 * MI)], { input: MS1, remaining: 95 * MI }),
      view(TREASURY),
    ],
    [
      "a deposit below 1 Mi",
      receipt([entry(1, alice, MI - 1)], { input: MS1, remaining: 100 * MI - (MI - 1) }),
      view(TREASURY),
    ],
    [
      "a deposit above the supply",
      receipt([entry(1, alice, TOKEN_SUPPLY + 1)], { input: MS1, remaining: 0 }),
      view({ milestoneId: MS1, amount: TOKEN_SUPPLY }),
    ],
    [
      "deposits that sum to more than the supply",
      receipt([entry(1, alice, TOKEN_SUPPLY - MI), entry(2, bob, 2 * MI)], { input: MS1, remaining: 0 }),
      view({ milestoneId: MS1, amount: TOKEN_SUPPLY }),
    ],
    [
      "a new treasury that is not the old one minus the deposits",
      receipt([entry(1, alice, 3 * MI)], { input: MS1, remaining: 96 * MI }),
      view(TREASURY),
    ],
    [
      "deposits larger than the treasury",
      receipt([entry(1, alice, 101 * MI)], { input: MS1, remaining: 0 }),
      view(TREASURY),
    ],
    [
      "a treasury input naming another milestone",
      receipt([entry(1, alice, 3 * MI)], { input: MS2, remaining: 97 * MI }),
      view(TREASURY),
    ],
    [
      "no treasury in the ledger",
      receipt([entry(1, alice, 3 * MI)], { input: MS1, remaining: 97 * MI }),
      view(undefined),
    ],
    [
      "migratedAt below the previous receipt's",
      receipt([entry(1, alice, 3 * MI)], { input: MS1, remaining: 97 * MI }, 4),
      view(TREASURY, { migratedAt: 5, final: false }),
    ],
    [
      "a receipt after a final one with the same migratedAt",
      receipt([entry(1, alice, 3 * MI)], { input: MS1, remaining: 97 * MI }, 5),
      view(TREASURY, { migratedAt: 5, final: true }),
    ],
  ];
  for (const [name, r, ledger] of cases) {
    it(`refuses ${name} with LEDGER_ERROR_RECEIPT_INVALID`, () => {
      assert.equal(
        errorCodeOf(() => validateReceipt(r, ledger)),
        "LEDGER_ERROR_RECEIPT_INVALID",
      );
    });
  }

  it("allows the same migratedAt after a non-final receipt and a higher one after a final receipt", () => {
    const r5 = receipt([entry(1, alice, 3 * MI)], { input: MS1, remaining: 97 * MI }, 5);
    const r6 = receipt([entry(1, alice, 3 * MI)], { input: MS1, remaining: 97 * MI }, 6);
    assert.doesNotThrow(() => validateReceipt(r5, view(TREASURY, { migratedAt: 5, final: false })));
    assert.doesNotThrow(() => validateReceipt(r6, view(TREASURY, { migratedAt: 5, final: true })));
  });
});

describe("receipts in white flag", () => {
  it("a valid receipt moves the treasury and creates outputs milestoneId ‖ index after the transactions'", () => {
    const fund = syntheticOutput(alice, TOKEN_SUPPLY - 100 * MI);
    const ledger = new MemoryLedger({ outputs: [fund], treasury: TREASURY });
    assert.equal(ledger.totalSupply(), TOKEN_SUPPLY);
    const tx = coneMessage(alice.transfer([fund], [{ address: bob, amount: TOKEN_SUPPLY - 100 * MI }]));
    const r = receipt([entry(1, alice, 3 * MI), entry(2, bob, 2 * MI)], { input: MS1, remaining: 95 * MI }, 7, true);
    const input: WhiteFlagInput = {
      milestoneIndex: 1,
      cone: [tx],
      receipt: { receipt: r, milestoneId: MS2, milestoneMessageId: MS_MESSAGE },
    };
    const m = computeWhiteFlagMutations(input, ledger, ed25519Verify);
    assert.ok(m.receipt);
    assert.deepEqual(m.receipt.spentTreasury, TREASURY);
    assert.deepEqual(m.receipt.newTreasury, { milestoneId: MS2, amount: 95 * MI });
    assert.equal(m.receipt.milestoneIndex, 1);
    assert.deepEqual(m.receipt.milestoneId, MS2);
    assert.deepEqual(
      m.receipt.migratedOutputs.map((o) => [bytesToHex(o.outputId), bytesToHex(o.messageId), o.output]),
      [
        [
          bytesToHex(outputId(MS2, 0)),
          bytesToHex(MS_MESSAGE),
          { type: 0, address: r.funds[0]!.address, amount: 3 * MI },
        ],
        [
          bytesToHex(outputId(MS2, 1)),
          bytesToHex(MS_MESSAGE),
          { type: 0, address: r.funds[1]!.address, amount: 2 * MI },
        ],
      ],
    );
    assert.deepEqual(m.createdOutputs.slice(-2), m.receipt.migratedOutputs);
    assert.equal(m.createdOutputs.length, 3);
    // The Merkle root covers transactions only.
    assert.deepEqual(m.includedMessageIds, [tx.messageId]);
    assert.equal(m.addressDiffs.get(alice.addressHex)?.balance, -(TOKEN_SUPPLY - 100 * MI) + 3 * MI);

    ledger.apply(m);
    assert.equal(ledger.totalSupply(), TOKEN_SUPPLY);
    assert.deepEqual(ledger.treasury(), { milestoneId: MS2, amount: 95 * MI });
    assert.deepEqual(ledger.lastReceipt(), { migratedAt: 7, final: true });

    // The next receipt must name the new treasury output and a higher migratedAt (7 was final).
    const again = receipt([entry(3, bob, MI)], { input: MS2, remaining: 94 * MI }, 7);
    const next = (rc: ReceiptPayload) => () =>
      computeWhiteFlagMutations(
        { milestoneIndex: 2, cone: [], receipt: { receipt: rc, milestoneId: MS3, milestoneMessageId: MS_MESSAGE } },
        ledger,
        ed25519Verify,
      );
    assert.equal(errorCodeOf(next(again)), "LEDGER_ERROR_RECEIPT_INVALID");
    const later = receipt([entry(3, bob, MI)], { input: MS2, remaining: 94 * MI }, 8);
    ledger.apply(next(later)());
    assert.equal(ledger.balance(bob.address), TOKEN_SUPPLY - 100 * MI + 3 * MI);
    assert.equal(ledger.totalSupply(), TOKEN_SUPPLY);
  });

  it("an invalid receipt stops white flag before any transaction is looked at", () => {
    let lookups = 0;
    const ledger = new MemoryLedger({ outputs: [], treasury: TREASURY });
    const counting: LedgerView = {
      ledgerIndex: 0,
      getOutput: (id) => {
        lookups++;
        return ledger.getOutput(id);
      },
      isSpent: (id) => ledger.isSpent(id),
      dustState: (a) => ledger.dustState(a),
      treasury: () => ledger.treasury(),
      lastReceipt: () => ledger.lastReceipt(),
    };
    const fund = syntheticOutput(alice, MI);
    const bad = receipt([entry(1, alice, 3 * MI)], { input: MS1, remaining: 3 * MI }, 1);
    const input: WhiteFlagInput = {
      milestoneIndex: 1,
      cone: [coneMessage(alice.transfer([fund], [{ address: bob, amount: MI }]))],
      receipt: { receipt: bad, milestoneId: MS2, milestoneMessageId: MS_MESSAGE },
    };
    assert.equal(
      errorCodeOf(() => computeWhiteFlagMutations(input, counting, ed25519Verify)),
      "LEDGER_ERROR_RECEIPT_INVALID",
    );
    assert.equal(lookups, 0);
  });
});
