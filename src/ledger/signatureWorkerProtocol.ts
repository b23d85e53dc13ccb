/** Messages between signaturePool.ts and signatureWorker.ts. */

/** One check on the wire: public key (32) ‖ signed message (32: an essence hash) ‖ signature (64). */
export const SIGNATURE_RECORD_LENGTH = 128;

export interface SignatureJob {
  id: number;
  /** Records of SIGNATURE_RECORD_LENGTH bytes, transferred. */
  records: ArrayBuffer;
}

export interface SignatureReply {
  id: number;
  /** One byte per record: 1 valid, 0 invalid. */
  results: ArrayBuffer;
}
