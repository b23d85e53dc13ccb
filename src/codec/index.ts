/** Public surface of the codec (L2): pure encode/decode/JSON/id functions for Chrysalis messages. */
export { CODEC_ERROR_CODES, CodecError, type CodecErrorCode, type CodecErrorType } from "./codecError.js";
export {
  essenceHash,
  essenceHashFromBytes,
  essenceHashOfTransactionBytes,
  messageId,
  milestoneEssenceHash,
  milestoneEssenceHashFromBytes,
  milestoneId,
  milestoneIdFromBytes,
  outputId,
  outputIdHex,
  type ParsedOutputId,
  parseOutputId,
  transactionId,
  transactionIdFromBytes,
} from "./ids.js";
export { decodeIndexationPayload, encodeIndexationPayload, sizeOfIndexationPayload } from "./indexation.js";
export * from "./json.js";
export { decodeMessage, encodeMessage, sizeOfMessage, sizeOfMessagePayload } from "./message.js";
export {
  decodeMilestonePayload,
  encodeMilestoneEssence,
  encodeMilestonePayload,
  milestoneParentsMatch,
  sizeOfMilestoneEssence,
  sizeOfMilestonePayload,
} from "./milestone.js";
export { decodeReceiptPayload, encodeReceiptPayload, sizeOfReceiptPayload } from "./receipt.js";
export { messageParents, messagePayloadBytes, milestoneEssenceBytes, transactionEssenceBytes } from "./spans.js";
export {
  decodeTransactionEssence,
  decodeTransactionPayload,
  encodeTransactionEssence,
  encodeTransactionPayload,
  sizeOfTransactionEssence,
  sizeOfTransactionPayload,
} from "./transaction.js";
export { decodeTreasuryTransactionPayload, encodeTreasuryTransactionPayload } from "./treasuryTransaction.js";
export type * from "./types.js";
