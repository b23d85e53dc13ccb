/**
 * Tip scoring of URTS (TIP-3, as Hornet 1.2.8 implements it; chrysalis.md §7): pure functions of the confirmed
 * milestone index (CMI, TIP-3's LSMI) and a message's cone root indexes (coneRootIndexes.ts).
 *
 * Differences are taken as signed numbers. Hornet subtracts uint32 milestone indexes, so a YCRI or OCRI above the CMI
 * (a cone touching a milestone that is being confirmed right now) wraps around and reads as lazy / below max depth;
 * here such a message counts as fresh, which is what the indexes say.
 */
import type { ConeRootIndexes } from "./coneRootIndexes.js";

export interface TipSelectionParams {
  /** C1 (TIP-3): a tip whose CMI − YCRI exceeds this is lazy: its cone confirms nothing recent. */
  maxDeltaMsgYoungestConeRootIndexToCMI: number;
  /** C2 (TIP-3): a tip whose CMI − OCRI exceeds this (but not belowMaxDepth) is semi-lazy. */
  maxDeltaMsgOldestConeRootIndexToCMI: number;
  /** M (TIP-3), "below max depth" (BMD): a tip whose CMI − OCRI exceeds this is lazy and may not be approved. */
  belowMaxDepth: number;
}

/**
 * Hornet 1.2.8's mainnet defaults (`config.json` "tipsel", chrysalis.md §7): C1 = 8, C2 = 13, M = 15. TIP-3 leaves
 * the values to the node; these are the ones the Chrysalis network ran with, so our lazy/semi-lazy verdicts and our
 * below-max-depth rejections match what Hornet peers and iota.js clients expect. Hornet's private-tangle profile uses
 * 2 / 7 / 15 (milestones every few seconds there).
 */
export const DEFAULT_TIP_SELECTION_PARAMS: Readonly<TipSelectionParams> = Object.freeze({
  maxDeltaMsgYoungestConeRootIndexToCMI: 8,
  maxDeltaMsgOldestConeRootIndexToCMI: 13,
  belowMaxDepth: 15,
});

/** Must not be approved: its cone is old (TIP-3 "lazy"). */
export const TIP_SCORE_LAZY = 0;
/** May be approved by spammers and the coordinator to pull an old cone forward. */
export const TIP_SCORE_SEMI_LAZY = 1;
/** Approved by ordinary tip selection. */
export const TIP_SCORE_NON_LAZY = 2;
export type TipScore = typeof TIP_SCORE_LAZY | typeof TIP_SCORE_SEMI_LAZY | typeof TIP_SCORE_NON_LAZY;

/** chrysalis.md §7: CMI − OCRI > BMD. A message whose cone is this old must not be approved any more. */
export function isBelowMaxDepth(
  cmi: number,
  ocri: number,
  params: Readonly<TipSelectionParams> = DEFAULT_TIP_SELECTION_PARAMS,
): boolean {
  return cmi - ocri > params.belowMaxDepth;
}

/** Score of a tip (chrysalis.md §7, Hornet `calculateScore`), checked in Hornet's order. */
export function tipScore(
  cmi: number,
  indexes: Readonly<ConeRootIndexes>,
  params: Readonly<TipSelectionParams> = DEFAULT_TIP_SELECTION_PARAMS,
): TipScore {
  if (cmi - indexes.ycri > params.maxDeltaMsgYoungestConeRootIndexToCMI) return TIP_SCORE_LAZY;
  if (isBelowMaxDepth(cmi, indexes.ocri, params)) return TIP_SCORE_LAZY;
  if (cmi - indexes.ocri > params.maxDeltaMsgOldestConeRootIndexToCMI) return TIP_SCORE_SEMI_LAZY;
  return TIP_SCORE_NON_LAZY;
}

export interface MessageHints {
  shouldPromote: boolean;
  shouldReattach: boolean;
}

/** What messageHints needs: the state flags and the message's current cone root indexes (not the cached ones). */
export interface MessageHintsInput extends ConeRootIndexes {
  solid: boolean;
  referenced: boolean;
}

/**
 * TIP-13 `shouldPromote` / `shouldReattach` of the message metadata (REST and MQTT; chrysalis.md §7 "Message metadata
 * hints", Hornet `messageMetadataByMessageID`). They exist only for a solid message not yet referenced; for any other
 * message this returns null and the JSON leaves both fields out, as Hornet does.
 */
export function messageHints(
  message: Readonly<MessageHintsInput>,
  cmi: number,
  params: Readonly<TipSelectionParams> = DEFAULT_TIP_SELECTION_PARAMS,
): MessageHints | null {
  if (message.referenced || !message.solid) return null;
  if (isBelowMaxDepth(cmi, message.ocri, params)) return { shouldPromote: false, shouldReattach: true };
  if (
    cmi - message.ycri > params.maxDeltaMsgYoungestConeRootIndexToCMI ||
    cmi - message.ocri > params.maxDeltaMsgOldestConeRootIndexToCMI
  ) {
    return { shouldPromote: true, shouldReattach: false };
  }
  return { shouldPromote: false, shouldReattach: false };
}
