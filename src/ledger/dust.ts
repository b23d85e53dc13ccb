/**
 * Dust protection (TIP-15, chrysalis.md §4): an address may hold SigLockedSingleOutputs below 1 Mi only as far as
 * its unspent SigLockedDustAllowanceOutputs allow, 10 per 1 Mi deposited and at most 100. White flag applies the
 * rule per affected address after booking a transaction; the REST address route reports `dustAllowed`.
 */
import type { Output } from "../codec/index.js";
import { OUTPUT_TYPE_SIG_LOCKED_SINGLE } from "../codec/limits.js";
import { DUST_ALLOWANCE_DIVISOR, DUST_ALLOWANCE_MINIMUM, MAX_DUST_OUTPUTS_ON_ADDRESS } from "../params/protocol.js";
import type { AddressDustState } from "./types.js";

/** TIP-15: a SigLockedSingleOutput below 1 Mi. A dust allowance output is never dust (it is at least 1 Mi). */
export function isDustOutput(output: Output): boolean {
  return output.type === OUTPUT_TYPE_SIG_LOCKED_SINGLE && output.amount < DUST_ALLOWANCE_MINIMUM;
}

/**
 * TIP-15 / iota.go `NewDustSemanticValidation`: min(S / 100 000, 100) dust outputs for an allowance sum S.
 * Truncating division as in Go, so a (corrupt) negative sum allows nothing rather than a negative count.
 */
export function allowedDustOutputs(dustAllowanceSum: number): number {
  return Math.min(Math.trunc(dustAllowanceSum / DUST_ALLOWANCE_DIVISOR), MAX_DUST_OUTPUTS_ON_ADDRESS);
}

/** The white-flag rule (TIP-15): after booking, an address holds no more dust outputs than it is allowed. */
export function isDustStateValid(state: AddressDustState): boolean {
  return state.dustOutputCount <= allowedDustOutputs(state.dustAllowanceSum);
}

/** The REST `dustAllowed` flag (Hornet's address balance route): one more dust output would still fit. */
export function isDustAllowed(state: AddressDustState): boolean {
  return allowedDustOutputs(state.dustAllowanceSum) > state.dustOutputCount;
}
