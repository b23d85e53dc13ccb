/**
 * The address shapes of chrysalis.md §10.2 as Hornet 1.2.8 sends them (iota.js 1.8.6 `IAddressResponse`,
 * `IAddressOutputsResponse`; the tx-history is a Hornet extra). `address` is always the Ed25519 address as hex,
 * also on the bech32 routes (client-compat.md §3); `addressType` is 0, the only type Chrysalis has (TIP-11).
 */
import { isDustAllowed } from "../../ledger/dust.js";
import type { AddressBalance, TxHistoryEntry } from "../../ledger/ledgerRecords.js";
import { bytesToHex } from "../../primitives/hex.js";
import { LEDGER_INCLUSION_CONFLICTING } from "../../storage/prefixes.js";
import { type LedgerInclusionStateJson, ledgerInclusionStateToJson } from "./messageMetadata.js";

/** TIP-11: Ed25519, the only address type. */
export const ADDRESS_TYPE_ED25519 = 0;

export interface AddressBalanceJson {
  addressType: number;
  address: string;
  balance: number;
  /** One more dust output would still be accepted on the address (TIP-15). */
  dustAllowed: boolean;
  ledgerIndex: number;
}

export interface AddressOutputsJson {
  addressType: number;
  address: string;
  maxResults: number;
  count: number;
  /** Unspent outputs first, then spent ones if asked for (68 hex digits each). */
  outputIds: string[];
  ledgerIndex: number;
}

export interface TxHistoryItemJson {
  messageId: string;
  transactionId: string;
  referencedByMilestoneIndex: number;
  /** Unix seconds of the milestone that referenced the transaction. */
  milestoneTimestampReferenced: number;
  ledgerInclusionState: LedgerInclusionStateJson;
  /** Only for a conflicting transaction (chrysalis.md §10.4). */
  conflictReason?: number;
  inputsCount: number;
  outputsCount: number;
  /** Signed: what the transaction's outputs gave the address minus what its inputs took; 0 when conflicting. */
  addressBalanceChange: number;
}

export interface TxHistoryJson {
  addressType: number;
  address: string;
  maxResults: number;
  count: number;
  /** Newest milestone first. */
  history: TxHistoryItemJson[];
  ledgerIndex: number;
}

export function addressBalanceToJson(
  address: Uint8Array,
  balance: Readonly<AddressBalance>,
  ledgerIndex: number,
): AddressBalanceJson {
  return {
    addressType: ADDRESS_TYPE_ED25519,
    address: bytesToHex(address),
    balance: balance.balance,
    dustAllowed: isDustAllowed(balance),
    ledgerIndex,
  };
}

export function addressOutputsToJson(
  address: Uint8Array,
  outputIds: readonly Uint8Array[],
  maxResults: number,
  ledgerIndex: number,
): AddressOutputsJson {
  return {
    addressType: ADDRESS_TYPE_ED25519,
    address: bytesToHex(address),
    maxResults,
    count: outputIds.length,
    outputIds: outputIds.map(bytesToHex),
    ledgerIndex,
  };
}

export function txHistoryItemToJson(entry: Readonly<TxHistoryEntry>): TxHistoryItemJson {
  return {
    messageId: bytesToHex(entry.messageId),
    transactionId: bytesToHex(entry.transactionId),
    referencedByMilestoneIndex: entry.milestoneIndex,
    milestoneTimestampReferenced: entry.milestoneTimestamp,
    ledgerInclusionState: ledgerInclusionStateToJson(entry.inclusion),
    ...(entry.inclusion === LEDGER_INCLUSION_CONFLICTING ? { conflictReason: entry.conflictReason } : {}),
    inputsCount: entry.inputsCount,
    outputsCount: entry.outputsCount,
    addressBalanceChange: entry.balanceChange,
  };
}

export function txHistoryToJson(
  address: Uint8Array,
  entries: readonly TxHistoryEntry[],
  maxResults: number,
  ledgerIndex: number,
): TxHistoryJson {
  return {
    addressType: ADDRESS_TYPE_ED25519,
    address: bytesToHex(address),
    maxResults,
    count: entries.length,
    history: entries.map(txHistoryItemToJson),
    ledgerIndex,
  };
}
