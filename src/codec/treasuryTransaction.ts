/** Treasury transaction payload, type 4, only inside a receipt (TIP-17, chrysalis.md §9). */
import { ID_LENGTH, PAYLOAD_TYPE_TREASURY_TRANSACTION, TOKEN_SUPPLY } from "../params/protocol.js";
import { CodecError } from "./codecError.js";
import { INPUT_TYPE_TREASURY, OUTPUT_TYPE_TREASURY, TREASURY_TRANSACTION_LENGTH } from "./limits.js";
import { expectPayloadType } from "./payloadFrame.js";
import type { ByteReader } from "./reader.js";
import { decodeWhole, encodeWhole } from "./standalone.js";
import type { DecodeMode, TreasuryTransactionPayload } from "./types.js";
import type { ByteWriter } from "./writer.js";

export function readTreasuryTransactionPayload(
  r: ByteReader,
  mode: DecodeMode,
  path: string,
): TreasuryTransactionPayload {
  expectPayloadType(r, PAYLOAD_TYPE_TREASURY_TRANSACTION, path);
  const inputOffset = r.pos;
  const inputType = r.u8(path);
  if (inputType !== INPUT_TYPE_TREASURY) {
    throw new CodecError(
      "CODEC_ERROR_INVALID_TREASURY_INPUT_TYPE",
      `${path}.input.type`,
      `treasury transaction input type is ${inputType}, must be 1 (treasury input, TIP-17)`,
      inputOffset,
    );
  }
  const milestoneId = r.bytesView(ID_LENGTH, path);
  const outputOffset = r.pos;
  const outputType = r.u8(path);
  if (outputType !== OUTPUT_TYPE_TREASURY) {
    throw new CodecError(
      "CODEC_ERROR_INVALID_TREASURY_OUTPUT_TYPE",
      `${path}.output.type`,
      `treasury transaction output type is ${outputType}, must be 2 (treasury output, TIP-17)`,
      outputOffset,
    );
  }
  const amount = r.u64Number(`${path}.output.amount`);
  if (mode === "untrusted" && amount > TOKEN_SUPPLY) {
    throw new CodecError(
      "CODEC_ERROR_AMOUNT_EXCEEDS_SUPPLY",
      `${path}.output.amount`,
      `treasury amount ${amount} exceeds the total supply ${TOKEN_SUPPLY} (TIP-17)`,
      outputOffset + 1,
    );
  }
  return {
    type: PAYLOAD_TYPE_TREASURY_TRANSACTION,
    input: { type: INPUT_TYPE_TREASURY, milestoneId },
    output: { type: OUTPUT_TYPE_TREASURY, amount },
  };
}

export function writeTreasuryTransactionPayload(w: ByteWriter, p: TreasuryTransactionPayload, path: string): void {
  w.u32(PAYLOAD_TYPE_TREASURY_TRANSACTION, path, -1, "type");
  w.u8(INPUT_TYPE_TREASURY, path, -1, "input.type");
  w.fixed(p.input.milestoneId, ID_LENGTH, path, -1, "input.milestoneId");
  w.u8(OUTPUT_TYPE_TREASURY, path, -1, "output.type");
  w.u64Number(p.output.amount, path, -1, "output.amount");
}

/** Decodes a standalone treasury transaction payload (starting at its u32 type); no bytes may follow. */
export function decodeTreasuryTransactionPayload(bytes: Uint8Array, mode: DecodeMode): TreasuryTransactionPayload {
  return decodeWhole(bytes, mode, "treasuryTransaction", readTreasuryTransactionPayload);
}

export function encodeTreasuryTransactionPayload(p: TreasuryTransactionPayload): Uint8Array {
  return encodeWhole(p, TREASURY_TRANSACTION_LENGTH, "treasuryTransaction", writeTreasuryTransactionPayload);
}
