/**
 * A full-scan check of the UTXO ledger's cross-table invariants (tables OUTPUTS … TX_HISTORY of
 * src/storage/prefixes.ts), the ledger's twin of tangleConsistency.ts. It decodes records with ledgerRecords.ts
 * (tested on its own) but recomputes every total and cross-reference itself. An empty result means consistent.
 */
import {
  decodeAddressOutputKey,
  decodeBalanceValue,
  decodeDiffKey,
  decodeDiffValue,
  decodeLedgerIndex,
  decodeOutputValue,
  decodeReceiptKey,
  decodeReceiptValue,
  decodeSpentValue,
  decodeTreasuryEntry,
  decodeTxHistoryEntry,
  outputIdOfKey,
} from "../../src/ledger/ledgerRecords.js";
import type { LedgerOutput } from "../../src/ledger/types.js";
import { DUST_ALLOWANCE_MINIMUM, TOKEN_SUPPLY } from "../../src/params/protocol.js";
import { HEALTH_FIELD_LEDGER_INDEX, healthKey, tablePrefix } from "../../src/storage/prefixes.js";
import type { KvReader } from "../../src/storage/stagedStore.js";

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("hex");
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

interface Totals {
  balance: number;
  dustAllowanceSum: number;
  dustOutputCount: number;
}

/**
 * Every violation of the ledger's storage invariants in `kv` (empty when consistent):
 * - OUTPUTS, SPENT, ADDRESS_BALANCES, TREASURY, RECEIPTS, TX_HISTORY and MILESTONE_DIFFS entries decode;
 * - every SPENT entry names a stored output; each output has exactly one ADDRESS_OUTPUTS entry, under its address,
 *   type and spent state, and no entry names a missing output;
 * - ADDRESS_BALANCES equals the totals over each address's unspent outputs (TIP-15 dust counters included), with
 *   no all-zero entries;
 * - at most one unspent treasury output, exactly one once the ledger holds outputs; unspent outputs plus the
 *   treasury add up to the total supply;
 * - every diff is at or below the ledger index; its created outputs are stored, its consumed outputs are spent by
 *   it, its receipt and tx-history entries exist; every spent output and every tx-history entry is listed by the
 *   diff of its milestone.
 */
export function checkLedgerConsistency(kv: KvReader): string[] {
  const problems: string[] = [];
  const report = (text: string) => problems.push(text);

  const outputs = new Map<string, LedgerOutput>();
  for (const [key, value] of kv.iterate({ prefix: tablePrefix("OUTPUTS") })) {
    try {
      const id = outputIdOfKey(key);
      outputs.set(toHex(id), decodeOutputValue(id, value));
    } catch (e) {
      report(`OUTPUTS ${toHex(key)} does not decode: ${errorText(e)}`);
    }
  }

  const spent = new Map<string, number>();
  for (const [key, value] of kv.iterate({ prefix: tablePrefix("SPENT") })) {
    try {
      const hex = toHex(outputIdOfKey(key));
      spent.set(hex, decodeSpentValue(value).milestoneIndexSpent);
      if (!outputs.has(hex)) report(`SPENT ${hex} has no OUTPUTS entry`);
    } catch (e) {
      report(`SPENT ${toHex(key)} does not decode: ${errorText(e)}`);
    }
  }

  const indexed = new Map<string, number>();
  for (const [key, value] of kv.iterate({ prefix: tablePrefix("ADDRESS_OUTPUTS") })) {
    try {
      const e = decodeAddressOutputKey(key);
      const hex = toHex(e.outputId);
      indexed.set(hex, (indexed.get(hex) ?? 0) + 1);
      if (value.length !== 0) report(`ADDRESS_OUTPUTS ${hex} has a non-empty value`);
      const o = outputs.get(hex);
      if (o === undefined) report(`ADDRESS_OUTPUTS ${hex} names no stored output`);
      else if (toHex(o.output.address.address) !== toHex(e.address) || o.output.type !== e.outputType) {
        report(`ADDRESS_OUTPUTS ${hex} has another address or type than its output`);
      } else if (e.spent !== spent.has(hex)) {
        report(`ADDRESS_OUTPUTS ${hex} says ${e.spent ? "spent" : "unspent"}, SPENT disagrees`);
      }
    } catch (e) {
      report(`ADDRESS_OUTPUTS ${toHex(key)} does not decode: ${errorText(e)}`);
    }
  }
  for (const hex of outputs.keys()) {
    const n = indexed.get(hex) ?? 0;
    if (n !== 1) report(`OUTPUTS ${hex} has ${n} ADDRESS_OUTPUTS entries, expected 1`);
  }

  const totals = new Map<string, Totals>();
  let supply = 0;
  for (const [hex, o] of outputs) {
    if (spent.has(hex)) continue;
    supply += o.output.amount;
    const address = toHex(o.output.address.address);
    const t = totals.get(address) ?? { balance: 0, dustAllowanceSum: 0, dustOutputCount: 0 };
    t.balance += o.output.amount;
    if (o.output.type === 1) t.dustAllowanceSum += o.output.amount;
    else if (o.output.amount < DUST_ALLOWANCE_MINIMUM) t.dustOutputCount++;
    totals.set(address, t);
  }
  const balanced = new Set<string>();
  for (const [key, value] of kv.iterate({ prefix: tablePrefix("ADDRESS_BALANCES") })) {
    const address = toHex(key.subarray(1));
    balanced.add(address);
    try {
      const b = decodeBalanceValue(value);
      const want = totals.get(address);
      if (want === undefined) report(`ADDRESS_BALANCES ${address} exists but the address holds nothing`);
      else if (JSON.stringify(b) !== JSON.stringify(want)) {
        report(`ADDRESS_BALANCES ${address} is ${JSON.stringify(b)}, the outputs add up to ${JSON.stringify(want)}`);
      }
    } catch (e) {
      report(`ADDRESS_BALANCES ${address} does not decode: ${errorText(e)}`);
    }
  }
  for (const address of totals.keys()) {
    if (!balanced.has(address)) report(`address ${address} holds outputs but has no ADDRESS_BALANCES entry`);
  }

  let unspentTreasuries = 0;
  for (const [key, value] of kv.iterate({ prefix: tablePrefix("TREASURY") })) {
    try {
      const t = decodeTreasuryEntry(key, value);
      if (!t.spent) {
        unspentTreasuries++;
        supply += t.treasury.amount;
      }
    } catch (e) {
      report(`TREASURY ${toHex(key)} does not decode: ${errorText(e)}`);
    }
  }
  if (unspentTreasuries > 1) report(`${unspentTreasuries} unspent treasury outputs, expected at most 1`);
  if (outputs.size > 0 && unspentTreasuries === 0) report("the ledger holds outputs but no treasury output");
  if ((outputs.size > 0 || unspentTreasuries > 0) && supply !== TOKEN_SUPPLY) {
    report(`unspent outputs and treasury add up to ${supply}, not the total supply ${TOKEN_SUPPLY}`);
  }

  const receipts = new Set<string>();
  for (const [key, value] of kv.iterate({ prefix: tablePrefix("RECEIPTS") })) {
    try {
      const { migratedAt, milestoneIndex } = decodeReceiptKey(key);
      receipts.add(`${migratedAt}/${milestoneIndex}`);
      if (decodeReceiptValue(value).migratedAt !== migratedAt) {
        report(`RECEIPTS ${migratedAt}/${milestoneIndex} holds a receipt of another migratedAt`);
      }
    } catch (e) {
      report(`RECEIPTS ${toHex(key)} does not decode: ${errorText(e)}`);
    }
  }

  const history = new Set<string>();
  for (const [key, value] of kv.iterate({ prefix: tablePrefix("TX_HISTORY") })) {
    try {
      const h = decodeTxHistoryEntry(key, value);
      history.add(`${toHex(h.address)}/${h.milestoneIndex}/${toHex(h.messageId)}`);
    } catch (e) {
      report(`TX_HISTORY ${toHex(key)} does not decode: ${errorText(e)}`);
    }
  }

  const stored = kv.get(healthKey(HEALTH_FIELD_LEDGER_INDEX));
  const ledgerIndex = stored === undefined ? 0 : decodeLedgerIndex(stored);
  const listedSpent = new Set<string>();
  const listedHistory = new Set<string>();
  for (const [key, value] of kv.iterate({ prefix: tablePrefix("MILESTONE_DIFFS") })) {
    let index: number;
    try {
      index = decodeDiffKey(key);
    } catch (e) {
      report(`MILESTONE_DIFFS key ${toHex(key)} does not decode: ${errorText(e)}`);
      continue;
    }
    try {
      const d = decodeDiffValue(value);
      if (index > ledgerIndex) report(`MILESTONE_DIFFS ${index} is above the ledger index ${ledgerIndex}`);
      for (const id of d.createdOutputIds) {
        if (!outputs.has(toHex(id))) report(`MILESTONE_DIFFS ${index}: created output ${toHex(id)} is not stored`);
      }
      for (const id of d.consumedOutputIds) {
        const hex = toHex(id);
        listedSpent.add(hex);
        if (spent.get(hex) !== index) report(`MILESTONE_DIFFS ${index}: consumed output ${hex} is not spent by it`);
      }
      if (d.receipt !== null && !receipts.has(`${d.receipt.migratedAt}/${index}`)) {
        report(`MILESTONE_DIFFS ${index}: its receipt is not stored`);
      }
      for (const ref of d.txHistory) {
        const h = `${toHex(ref.address)}/${index}/${toHex(ref.messageId)}`;
        listedHistory.add(h);
        if (!history.has(h)) report(`MILESTONE_DIFFS ${index}: tx-history entry ${h} is not stored`);
      }
    } catch (e) {
      report(`MILESTONE_DIFFS ${index} does not decode: ${errorText(e)}`);
    }
  }
  for (const hex of spent.keys()) {
    if (!listedSpent.has(hex)) report(`SPENT ${hex} is listed by no milestone diff`);
  }
  for (const h of history) {
    if (!listedHistory.has(h)) report(`TX_HISTORY ${h} is listed by no milestone diff`);
  }
  return problems;
}
