/** Wire sizes of the fixed-size Chrysalis objects (chrysalis.md §3.1, §5.1, §9). */

export const ED25519_ADDRESS_LENGTH = 33;
export const UTXO_INPUT_LENGTH = 35;
/** Both SigLockedSingleOutput and SigLockedDustAllowanceOutput: type · address(33) · u64 amount. */
export const OUTPUT_LENGTH = 42;
export const PUBLIC_KEY_LENGTH = 32;
export const SIGNATURE_LENGTH = 64;
export const SIGNATURE_UNLOCK_BLOCK_LENGTH = 98;
export const REFERENCE_UNLOCK_BLOCK_LENGTH = 3;
export const MIGRATED_FUNDS_ENTRY_LENGTH = 90;
/** u32 type · TreasuryInput(u8 1, milestone id) · TreasuryOutput(u8 2, u64 amount). */
export const TREASURY_TRANSACTION_LENGTH = 46;
export const MERKLE_PROOF_LENGTH = 32;

export const ADDRESS_TYPE_ED25519 = 0;
export const INPUT_TYPE_UTXO = 0;
export const INPUT_TYPE_TREASURY = 1;
export const OUTPUT_TYPE_SIG_LOCKED_SINGLE = 0;
export const OUTPUT_TYPE_SIG_LOCKED_DUST_ALLOWANCE = 1;
export const OUTPUT_TYPE_TREASURY = 2;
export const ESSENCE_TYPE_REGULAR = 0;
export const SIGNATURE_TYPE_ED25519 = 0;
export const UNLOCK_BLOCK_TYPE_SIGNATURE = 0;
export const UNLOCK_BLOCK_TYPE_REFERENCE = 1;
