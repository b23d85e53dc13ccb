/** The ledger tables' byte codecs: documented sizes, round trips, and LEDGER_ERROR_CORRUPT for damaged values. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { CONFLICT_REASONS } from "../../../src/ledger/conflictReason.js";
import {
  type AddressBalance,
  addressOutputKey,
  addressOutputsPrefix,
  BALANCE_VALUE_LENGTH,
  balanceKey,
  decodeAddressOutputKey,
  decodeBalanceValue,
  decodeDiffKey,
  decodeDiffValue,
  decodeLedgerIndex,
  decodeOutputValue,
  decodeReceiptKey,
  decodeReceiptValue,
  decodeSnapshotInfo,
  decodeSpentValue,
  decodeTreasuryEntry,
  decodeTxHistoryEntry,
  diffKey,
  encodeAmountValue,
  encodeBalanceValue,
  encodeDiffValue,
  encodeOutputValue,
  encodeReceiptValue,
  encodeSnapshotInfo,
  encodeSpentValue,
  encodeTxHistoryValue,
  OUTPUT_VALUE_LENGTH,
  outputIdOfKey,
  outputKey,
  receiptKey,
  receiptsPrefix,
  SPENT_VALUE_LENGTH,
  type StoredDiffRecord,
  spentKey,
  TX_HISTORY_VALUE_LENGTH,
  type TxHistoryEntry,
  treasuryKey,
  treasuryPrefix,
  txHistoryKey,
  txHistoryPrefix,
} from "../../../src/ledger/ledgerRecords.js";
import type { LedgerOutput } from "../../../src/ledger/types.js";
import { TOKEN_SUPPLY } from "../../../src/params/protocol.js";
import { compareBytes } from "../../../src/primitives/bytes.js";
import { SNAPSHOT_INFO_LENGTH, STORE_PREFIXES } from "../../../src/storage/prefixes.js";
import { arbReceiptPayload } from "../../utils/arbitraries.js";
import { errorCodeOf } from "../../utils/errorCode.js";

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const id = bytes(32);
const outputIdArb = bytes(34);
const u32 = fc.nat({ max: 0xffff_ffff });
const amount = fc.nat({ max: TOKEN_SUPPLY });
const outputType = fc.constantFrom(0 as const, 1 as const);
const record = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> =>
  fc.record(model, { noNullPrototype: true });

const ledgerOutput: fc.Arbitrary<LedgerOutput> = fc
  .tuple(outputIdArb, id, outputType, id, amount)
  .map(([outputId, messageId, type, address, value]) => ({
    outputId,
    messageId,
    output: { type, address: { type: 0 as const, address }, amount: value },
  }));

const balance: fc.Arbitrary<AddressBalance> = fc
  .tuple(amount, fc.nat({ max: TOKEN_SUPPLY }), u32)
  .map(([a, b, c]) => ({ balance: Math.max(a, b), dustAllowanceSum: Math.min(a, b), dustOutputCount: c }));

const treasury = record({ milestoneId: id, amount });

const diffRecord: fc.Arbitrary<StoredDiffRecord> = record({
  createdOutputIds: fc.array(outputIdArb, { maxLength: 5 }),
  consumedOutputIds: fc.array(outputIdArb, { maxLength: 5 }),
  receipt: fc.option(record({ migratedAt: u32, spentTreasury: treasury, newTreasury: treasury }), { nil: null }),
  txHistory: fc.array(record({ address: id, messageId: id }), { maxLength: 4 }),
  milestonePayloadBytes: fc.option(fc.uint8Array({ minLength: 1, maxLength: 300 }), { nil: null }),
});

const historyEntry: fc.Arbitrary<TxHistoryEntry> = record({
  address: id,
  milestoneIndex: u32,
  messageId: id,
  transactionId: id,
  inclusion: fc.constantFrom(0 as const, 1 as const, 2 as const),
  conflictReason: fc.constantFrom(...CONFLICT_REASONS),
  inputsCount: fc.integer({ min: 1, max: 127 }),
  outputsCount: fc.integer({ min: 1, max: 127 }),
  balanceChange: fc.integer({ min: -TOKEN_SUPPLY, max: TOKEN_SUPPLY }),
  milestoneTimestamp: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
});

const startsWith = (k: Uint8Array, p: Uint8Array) => compareBytes(k.subarray(0, p.length), p) === 0;
const corruptCode = (fn: () => unknown) => errorCodeOf(fn);

describe("ledger records", () => {
  it("outputs round-trip in 73 bytes under 0x0b ‖ output id; spents in 36 bytes under 0x0c", () => {
    fc.assert(
      fc.property(ledgerOutput, id, u32, (o, target, ms) => {
        const value = encodeOutputValue(o);
        assert.equal(value.length, OUTPUT_VALUE_LENGTH);
        assert.equal(OUTPUT_VALUE_LENGTH, 73);
        assert.deepEqual(decodeOutputValue(o.outputId, value), o);
        const key = outputKey(o.outputId);
        assert.equal(key[0], STORE_PREFIXES.OUTPUTS);
        assert.deepEqual(outputIdOfKey(key), o.outputId);
        assert.deepEqual(outputIdOfKey(spentKey(o.outputId)), o.outputId);
        const spent = encodeSpentValue({ targetTransactionId: target, milestoneIndexSpent: ms });
        assert.equal(spent.length, SPENT_VALUE_LENGTH);
        assert.deepEqual(decodeSpentValue(spent), { targetTransactionId: target, milestoneIndexSpent: ms });
      }),
    );
  });

  it("output values have the documented offsets", () => {
    const o: LedgerOutput = {
      outputId: new Uint8Array(34),
      messageId: new Uint8Array(32).fill(0xaa),
      output: { type: 1, address: { type: 0, address: new Uint8Array(32).fill(0xbb) }, amount: 0x0102_0304_0506 },
    };
    const v = encodeOutputValue(o);
    assert.equal(v[31], 0xaa);
    assert.equal(v[32], 1);
    assert.equal(v[33], 0xbb);
    assert.deepEqual(Array.from(v.subarray(65)), [0, 0, 1, 2, 3, 4, 5, 6]);
  });

  it("refuses corrupt output and spent values with LEDGER_ERROR_CORRUPT", () => {
    const o = fc.sample(ledgerOutput, { numRuns: 1, seed: 7 })[0]!;
    const v = encodeOutputValue(o);
    assert.equal(
      corruptCode(() => decodeOutputValue(o.outputId, v.subarray(1))),
      "LEDGER_ERROR_CORRUPT",
    );
    const badType = v.slice();
    badType[32] = 2;
    assert.equal(
      corruptCode(() => decodeOutputValue(o.outputId, badType)),
      "LEDGER_ERROR_CORRUPT",
    );
    const tooMuch = v.slice();
    tooMuch.fill(0xff, 65);
    assert.equal(
      corruptCode(() => decodeOutputValue(o.outputId, tooMuch)),
      "LEDGER_ERROR_CORRUPT",
    );
    const aboveSupply = encodeOutputValue({ ...o, output: { ...o.output, amount: TOKEN_SUPPLY } });
    aboveSupply[72]!++;
    assert.equal(
      corruptCode(() => decodeOutputValue(o.outputId, aboveSupply)),
      "LEDGER_ERROR_CORRUPT",
    );
    assert.equal(
      corruptCode(() => decodeSpentValue(new Uint8Array(35))),
      "LEDGER_ERROR_CORRUPT",
    );
    assert.equal(
      corruptCode(() => outputIdOfKey(new Uint8Array(35).fill(STORE_PREFIXES.TREASURY))),
      "LEDGER_ERROR_CORRUPT",
    );
    // Encoders refuse what does not fit the layout: a caller's bug, not a damaged store.
    assert.equal(
      errorCodeOf(() => encodeOutputValue({ ...o, output: { ...o.output, amount: TOKEN_SUPPLY + 1 } })),
      "STORAGE_ERROR_INVALID_VALUE",
    );
    assert.equal(
      errorCodeOf(() => outputKey(new Uint8Array(32))),
      "STORAGE_ERROR_INVALID_KEY",
    );
  });

  it("address output keys round-trip and sort unspent before spent, by type within each", () => {
    fc.assert(
      fc.property(id, fc.boolean(), outputType, outputIdArb, (address, spent, type, outputId) => {
        const e = { address, spent, outputType: type, outputId };
        const key = addressOutputKey(e);
        assert.equal(key.length, 69);
        assert.deepEqual(decodeAddressOutputKey(key), e);
        assert.ok(startsWith(key, addressOutputsPrefix(address)));
        assert.ok(startsWith(key, addressOutputsPrefix(address, spent)));
        assert.ok(startsWith(key, addressOutputsPrefix(address, spent, type)));
        assert.ok(!startsWith(key, addressOutputsPrefix(address, !spent)));
      }),
    );
    const a = new Uint8Array(32);
    const high = new Uint8Array(34).fill(0xff);
    const low = new Uint8Array(34);
    const unspentHigh = addressOutputKey({ address: a, spent: false, outputType: 1, outputId: high });
    const spentLow = addressOutputKey({ address: a, spent: true, outputType: 0, outputId: low });
    assert.ok(compareBytes(unspentHigh, spentLow) < 0);
    const bad = spentLow.slice();
    bad[33] = 2;
    assert.equal(
      corruptCode(() => decodeAddressOutputKey(bad)),
      "LEDGER_ERROR_CORRUPT",
    );
    const badType = spentLow.slice();
    badType[34] = 5;
    assert.equal(
      corruptCode(() => decodeAddressOutputKey(badType)),
      "LEDGER_ERROR_CORRUPT",
    );
  });

  it("balances round-trip in 20 bytes; refuses an allowance above the balance", () => {
    fc.assert(
      fc.property(balance, (b) => {
        const v = encodeBalanceValue(b);
        assert.equal(v.length, BALANCE_VALUE_LENGTH);
        assert.deepEqual(decodeBalanceValue(v), b);
      }),
    );
    assert.equal(balanceKey(new Uint8Array(32)).length, 33);
    const v = encodeBalanceValue({ balance: 5, dustAllowanceSum: 5, dustOutputCount: 0 });
    v[15] = 6;
    assert.equal(
      corruptCode(() => decodeBalanceValue(v)),
      "LEDGER_ERROR_CORRUPT",
    );
    assert.equal(
      corruptCode(() => decodeBalanceValue(new Uint8Array(19))),
      "LEDGER_ERROR_CORRUPT",
    );
  });

  it("milestone diffs round-trip and refuse truncation, trailing bytes and unknown flags", () => {
    fc.assert(
      fc.property(u32, diffRecord, (index, d) => {
        assert.equal(decodeDiffKey(diffKey(index)), index);
        const v = encodeDiffValue(d);
        assert.deepEqual(decodeDiffValue(v), d);
        for (const cut of [1, Math.floor(v.length / 2), v.length - 1]) {
          assert.equal(
            corruptCode(() => decodeDiffValue(v.subarray(0, cut))),
            "LEDGER_ERROR_CORRUPT",
          );
        }
        const longer = new Uint8Array(v.length + 1);
        longer.set(v);
        assert.equal(
          corruptCode(() => decodeDiffValue(longer)),
          "LEDGER_ERROR_CORRUPT",
        );
        const flags = v.slice();
        flags[0] = flags[0]! | 0x80;
        assert.equal(
          corruptCode(() => decodeDiffValue(flags)),
          "LEDGER_ERROR_CORRUPT",
        );
      }),
      { numRuns: 200 },
    );
    // A huge count must be refused before anything is allocated for it.
    const huge = encodeDiffValue({
      createdOutputIds: [],
      consumedOutputIds: [],
      receipt: null,
      txHistory: [],
      milestonePayloadBytes: null,
    });
    huge.set([0xff, 0xff, 0xff, 0xff], 1);
    assert.equal(
      corruptCode(() => decodeDiffValue(huge)),
      "LEDGER_ERROR_CORRUPT",
    );
  });

  it("treasury keys put the unspent one first under 0x10 ‖ 0x00", () => {
    fc.assert(
      fc.property(fc.boolean(), treasury, (spent, t) => {
        const key = treasuryKey(spent, t.milestoneId);
        assert.ok(startsWith(key, treasuryPrefix(spent)));
        assert.deepEqual(decodeTreasuryEntry(key, encodeAmountValue(t.amount)), { spent, treasury: t });
      }),
    );
    const key = treasuryKey(false, new Uint8Array(32));
    assert.equal(
      corruptCode(() => decodeTreasuryEntry(key, new Uint8Array(7))),
      "LEDGER_ERROR_CORRUPT",
    );
    const badKey = key.slice();
    badKey[1] = 3;
    assert.equal(
      corruptCode(() => decodeTreasuryEntry(badKey, encodeAmountValue(1))),
      "LEDGER_ERROR_CORRUPT",
    );
  });

  it("receipts round-trip through the codec; keys sort by migratedAt, then milestone index", () => {
    fc.assert(
      fc.property(arbReceiptPayload(), u32, (receipt, index) => {
        const key = receiptKey(receipt.migratedAt, index);
        assert.ok(startsWith(key, receiptsPrefix(receipt.migratedAt)));
        assert.ok(startsWith(key, receiptsPrefix()));
        assert.deepEqual(decodeReceiptKey(key), { migratedAt: receipt.migratedAt, milestoneIndex: index });
        assert.deepEqual(decodeReceiptValue(encodeReceiptValue(receipt)), receipt);
      }),
      { numRuns: 50 },
    );
    assert.ok(compareBytes(receiptKey(1, 900), receiptKey(2, 5)) < 0);
    assert.equal(
      corruptCode(() => decodeReceiptValue(Uint8Array.of(3, 0, 0))),
      "LEDGER_ERROR_CORRUPT",
    );
  });

  it("tx-history entries round-trip in 54 bytes, signed changes included; newer milestones sort later", () => {
    fc.assert(
      fc.property(historyEntry, (e) => {
        const key = txHistoryKey(e.address, e.milestoneIndex, e.messageId);
        assert.ok(startsWith(key, txHistoryPrefix(e.address)));
        const v = encodeTxHistoryValue(e);
        assert.equal(v.length, TX_HISTORY_VALUE_LENGTH);
        assert.deepEqual(decodeTxHistoryEntry(key, v), e);
      }),
    );
    const a = new Uint8Array(32);
    assert.ok(compareBytes(txHistoryKey(a, 1, new Uint8Array(32).fill(0xff)), txHistoryKey(a, 2, a)) < 0);
    const e = fc.sample(historyEntry, { numRuns: 1, seed: 3 })[0]!;
    const key = txHistoryKey(e.address, e.milestoneIndex, e.messageId);
    const v = encodeTxHistoryValue({ ...e, balanceChange: -5 });
    assert.deepEqual(Array.from(v.subarray(38, 46)), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfb]);
    const state = v.slice();
    state[32] = 3;
    assert.equal(
      corruptCode(() => decodeTxHistoryEntry(key, state)),
      "LEDGER_ERROR_CORRUPT",
    );
    const reason = v.slice();
    reason[33] = 7;
    assert.equal(
      corruptCode(() => decodeTxHistoryEntry(key, reason)),
      "LEDGER_ERROR_CORRUPT",
    );
    const change = v.slice();
    change.fill(0x7f, 38, 46);
    assert.equal(
      corruptCode(() => decodeTxHistoryEntry(key, change)),
      "LEDGER_ERROR_CORRUPT",
    );
    assert.equal(
      errorCodeOf(() => encodeTxHistoryValue({ ...e, conflictReason: 7 as 0 })),
      "STORAGE_ERROR_INVALID_VALUE",
    );
  });

  it("snapshot info and ledger index round-trip with their sizes", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
        u32,
        u32,
        fc.nat({ max: Number.MAX_SAFE_INTEGER }),
        (networkId, snapshotIndex, entryPointIndex, timestamp) => {
          const info = { networkId, snapshotIndex, entryPointIndex, timestamp };
          const v = encodeSnapshotInfo(info);
          assert.equal(v.length, SNAPSHOT_INFO_LENGTH);
          assert.deepEqual(decodeSnapshotInfo(v), info);
        },
      ),
    );
    assert.equal(
      corruptCode(() => decodeSnapshotInfo(new Uint8Array(23))),
      "LEDGER_ERROR_CORRUPT",
    );
    assert.equal(decodeLedgerIndex(Uint8Array.of(0, 0, 1, 2)), 258);
    assert.equal(
      corruptCode(() => decodeLedgerIndex(new Uint8Array(5))),
      "LEDGER_ERROR_CORRUPT",
    );
  });
});
