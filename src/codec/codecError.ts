/**
 * Every way decoding, encoding or JSON parsing can fail, one stable code per rule (never reused for another
 * rule). docs/errors.md lists them; test/unit/docs/errorsDoc.test.ts keeps the two in step.
 */
import { NodeError } from "../util/nodeError.js";

export const CODEC_ERROR_CODES = [
  // Framing (chrysalis.md §0.3, §1.1)
  "CODEC_ERROR_UNEXPECTED_END",
  "CODEC_ERROR_TRAILING_BYTES",
  "CODEC_ERROR_MESSAGE_TOO_LARGE",
  "CODEC_ERROR_MESSAGE_TOO_SMALL",
  "CODEC_ERROR_INVALID_BOOL",
  "CODEC_ERROR_INTEGER_TOO_LARGE",
  // Parents (TIP-6, TIP-8)
  "CODEC_ERROR_PARENTS_COUNT",
  "CODEC_ERROR_PARENTS_NOT_SORTED",
  // Payload framing (chrysalis.md §0.3)
  "CODEC_ERROR_INVALID_PAYLOAD_TYPE",
  "CODEC_ERROR_PAYLOAD_TYPE_NOT_ALLOWED",
  "CODEC_ERROR_PAYLOAD_LENGTH_MISMATCH",
  // Indexation (TIP-6)
  "CODEC_ERROR_INDEX_LENGTH",
  // Transaction (TIP-7)
  "CODEC_ERROR_INVALID_ESSENCE_TYPE",
  "CODEC_ERROR_INPUTS_COUNT",
  "CODEC_ERROR_INVALID_INPUT_TYPE",
  "CODEC_ERROR_OUTPUT_INDEX_TOO_LARGE",
  "CODEC_ERROR_INPUTS_NOT_SORTED",
  "CODEC_ERROR_DUPLICATE_INPUT",
  "CODEC_ERROR_OUTPUTS_COUNT",
  "CODEC_ERROR_INVALID_OUTPUT_TYPE",
  "CODEC_ERROR_OUTPUTS_NOT_SORTED",
  "CODEC_ERROR_INVALID_ADDRESS_TYPE",
  "CODEC_ERROR_AMOUNT_ZERO",
  "CODEC_ERROR_AMOUNT_EXCEEDS_SUPPLY",
  "CODEC_ERROR_OUTPUTS_SUM_EXCEEDS_SUPPLY",
  "CODEC_ERROR_DUPLICATE_OUTPUT_ADDRESS",
  "CODEC_ERROR_DUST_ALLOWANCE_TOO_SMALL",
  "CODEC_ERROR_UNLOCK_BLOCKS_COUNT",
  "CODEC_ERROR_INVALID_UNLOCK_BLOCK_TYPE",
  "CODEC_ERROR_INVALID_SIGNATURE_TYPE",
  "CODEC_ERROR_DUPLICATE_SIGNATURE_UNLOCK_BLOCK",
  "CODEC_ERROR_REFERENCE_NOT_LOWER",
  "CODEC_ERROR_REFERENCE_TO_NON_SIGNATURE",
  // Milestone (TIP-8)
  "CODEC_ERROR_INVALID_NEXT_POW_SCORE",
  "CODEC_ERROR_PUBLIC_KEYS_COUNT",
  "CODEC_ERROR_PUBLIC_KEYS_NOT_SORTED",
  "CODEC_ERROR_SIGNATURES_COUNT",
  // Receipt and treasury transaction (TIP-17)
  "CODEC_ERROR_MIGRATED_FUNDS_COUNT",
  "CODEC_ERROR_MIGRATED_FUNDS_NOT_SORTED",
  "CODEC_ERROR_DUPLICATE_TAIL_TRANSACTION_HASH",
  "CODEC_ERROR_DEPOSIT_TOO_SMALL",
  "CODEC_ERROR_DEPOSIT_EXCEEDS_SUPPLY",
  "CODEC_ERROR_DEPOSITS_SUM_EXCEEDS_SUPPLY",
  "CODEC_ERROR_RECEIPT_WITHOUT_TRANSACTION",
  "CODEC_ERROR_INVALID_TREASURY_INPUT_TYPE",
  "CODEC_ERROR_INVALID_TREASURY_OUTPUT_TYPE",
  // Values given to the encoder, JSON, ids
  "CODEC_ERROR_INVALID_VALUE",
  "CODEC_ERROR_INVALID_JSON",
  "CODEC_ERROR_INVALID_OUTPUT_ID",
] as const;

export type CodecErrorCode = (typeof CODEC_ERROR_CODES)[number];

export interface CodecErrorType {
  code: CodecErrorCode;
  /** Where the failure is, e.g. `payload.essence.outputs[1].amount`. */
  path: string;
  /** Byte offset in the decoded input, when decoding bytes. */
  offset?: number | undefined;
}

export class CodecError extends NodeError<CodecErrorType> {
  constructor(code: CodecErrorCode, path: string, message: string, offset?: number) {
    super(
      { code, path, offset },
      offset === undefined ? `${path}: ${message}` : `${path} (byte ${offset}): ${message}`,
    );
  }
}
