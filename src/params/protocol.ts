/**
 * Protocol constants of Chrysalis (IOTA 1.5). Values from the TIPs and iota.go v2 as cited; see
 * ../shared/protocol/chrysalis.md for the digest. Pure data.
 */

/** TIP-6: a serialized message, nonce included, is at most 32 KiB. */
export const MESSAGE_LENGTH_MAX = 32768;
/** TIP-6: network id (8) + parents count (1) + one parent (32) + payload length (4) + nonce (8). */
export const MESSAGE_LENGTH_MIN = 53;
/** TIP-6: a message approves 1..8 parents. */
export const MIN_PARENTS = 1;
export const MAX_PARENTS = 8;
/** Length of every BLAKE2b-256 id (message, transaction, milestone, Ed25519 address). */
export const ID_LENGTH = 32;
/** Output id = transaction id ‖ u16 LE output index (TIP-7). */
export const OUTPUT_ID_LENGTH = 34;
export const NONCE_LENGTH = 8;

/** Payload type codes (u32). Receipt and treasury transaction appear only inside a milestone. */
export const PAYLOAD_TYPE_TRANSACTION = 0;
export const PAYLOAD_TYPE_MILESTONE = 1;
export const PAYLOAD_TYPE_INDEXATION = 2;
export const PAYLOAD_TYPE_RECEIPT = 3;
export const PAYLOAD_TYPE_TREASURY_TRANSACTION = 4;

/** TIP-6: the index of an indexation payload is 1..64 bytes. */
export const INDEXATION_INDEX_LENGTH_MIN = 1;
export const INDEXATION_INDEX_LENGTH_MAX = 64;

/** TIP-7 / iota.go `TokenSupply`: the total supply of IOTA tokens. Below 2^53, so a JS number is exact. */
export const TOKEN_SUPPLY = 2_779_530_283_277_761;
/** TIP-7: 1..127 inputs and outputs per transaction. */
export const MAX_INPUTS = 127;
export const MAX_OUTPUTS = 127;
/** iota.go `RefUTXOIndexMax`: an output index is 0..126. */
export const MAX_OUTPUT_INDEX = 126;
/** TIP-15: a dust-allowance deposit is at least 1 Mi; SigLockedSingle outputs below it are dust. */
export const DUST_ALLOWANCE_MINIMUM = 1_000_000;
/** TIP-15 / iota.go: every 100k of allowance permits one dust output, capped at 100. */
export const DUST_ALLOWANCE_DIVISOR = 100_000;
export const MAX_DUST_OUTPUTS_ON_ADDRESS = 100;

/** TIP-17: each migrated-funds entry deposits at least 1 Mi; a receipt carries 1..127 entries. */
export const MIGRATED_FUNDS_MINIMUM_DEPOSIT = 1_000_000;
export const MAX_MIGRATED_FUNDS_ENTRIES = 127;
/** Legacy 243-trit tail transaction hash packed t5b1 into 49 bytes. */
export const LEGACY_TAIL_HASH_LENGTH = 49;

/** TIP-8: 1..255 public keys and signatures per milestone. */
export const MAX_MILESTONE_KEYS = 255;

/** TIP-12: the Curl-P-81 input is exactly one 243-trit block. */
export const CURL_HASH_TRITS = 243;

/** TIP-12 / Hornet 1.x config `protocol.minPoWScore`: the score every unrequested message must reach on mainnet. */
export const MIN_POW_SCORE_MAINNET = 4000;
