/**
 * `GET /api/v1/outputs/{outputId}` (chrysalis.md §10.2, Hornet 1.2.8 `OutputResponse`): the output as iota.go
 * marshals a SigLockedSingleOutput or SigLockedDustAllowanceOutput, which is what iota.js 1.8.6 reads into
 * `ISigLockedSingleOutput` / `ISigLockedDustAllowanceOutput` (client-compat.md §3). MQTT's `outputs/{id}` topic
 * sends the same object.
 */
import { type Ed25519AddressJson, type Output, type OutputJson, parseOutputId } from "../../codec/index.js";
import type { OutputWithSpent } from "../../ledger/utxoLedger.js";
import { bytesToHex } from "../../primitives/hex.js";

export interface OutputResponseJson {
  messageId: string;
  /** The first 32 bytes of the output id: the transaction id, or the milestone id for migrated funds (TIP-17). */
  transactionId: string;
  /** The u16 LE in the last 2 bytes of the output id. */
  outputIndex: number;
  isSpent: boolean;
  /** Only when spent: the milestone that confirmed the spend. */
  milestoneIndexSpent?: number;
  /** Only when spent: the transaction that spent it. */
  transactionIdSpent?: string;
  /** The confirmed milestone the answer reflects. */
  ledgerIndex: number;
  output: OutputJson;
}

export function ed25519AddressToJson(address: Uint8Array): Ed25519AddressJson {
  return { type: 0, address: bytesToHex(address) };
}

/** An output as JSON (chrysalis.md §10.3): the amount is a JSON number, exact below 2^53 like every token amount. */
export function outputToJson(output: Output): OutputJson {
  return { type: output.type, address: ed25519AddressToJson(output.address.address), amount: output.amount };
}

/** The response in Hornet's field order; the spend fields are absent, not null, for an unspent output. */
export function outputResponseToJson(record: Readonly<OutputWithSpent>, ledgerIndex: number): OutputResponseJson {
  const { output, spent } = record;
  const { transactionId, outputIndex } = parseOutputId(output.outputId);
  return {
    messageId: bytesToHex(output.messageId),
    transactionId: bytesToHex(transactionId),
    outputIndex,
    isSpent: spent !== null,
    ...(spent === null
      ? {}
      : {
          milestoneIndexSpent: spent.milestoneIndexSpent,
          transactionIdSpent: bytesToHex(spent.targetTransactionId),
        }),
    ledgerIndex,
    output: outputToJson(output.output),
  };
}
