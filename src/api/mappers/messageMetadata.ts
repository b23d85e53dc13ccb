/**
 * TIP-13 message metadata (chrysalis.md §10.2; what iota.js 1.8.6 reads, client-compat.md §3 and §6). Absent fields
 * are left out of the object, never set to null:
 * - `referencedByMilestoneIndex`, `ledgerInclusionState`: only once referenced; `conflictReason` only when conflicting.
 * - `milestoneIndex`: only for a message that carries a valid milestone.
 * - `shouldPromote` / `shouldReattach`: only for a solid message not yet referenced (iota.js `retry()` needs them).
 * MQTT's `messages/referenced` and `messages/{id}/metadata` topics send the same object.
 */
import { bytesToHex } from "../../primitives/hex.js";
import {
  LEDGER_INCLUSION_CONFLICTING,
  LEDGER_INCLUSION_INCLUDED,
  type LedgerInclusionState,
  type StoredMessageMetadata,
} from "../../storage/prefixes.js";
import { type ConeRootView, coneRootIndexes } from "../../tangle/coneRootIndexes.js";
import { type MessageHints, messageHints, type TipSelectionParams } from "../../tangle/tipScore.js";

export type LedgerInclusionStateJson = "noTransaction" | "included" | "conflicting";

export interface MessageMetadataJson {
  messageId: string;
  parentMessageIds: string[];
  isSolid: boolean;
  referencedByMilestoneIndex?: number;
  milestoneIndex?: number;
  ledgerInclusionState?: LedgerInclusionStateJson;
  conflictReason?: number;
  shouldPromote?: boolean;
  shouldReattach?: boolean;
}

export function ledgerInclusionStateToJson(state: LedgerInclusionState): LedgerInclusionStateJson {
  if (state === LEDGER_INCLUSION_INCLUDED) return "included";
  if (state === LEDGER_INCLUSION_CONFLICTING) return "conflicting";
  return "noTransaction";
}

/** The JSON of stored metadata; `hints` as messageHints computed them (null leaves both fields out). */
export function messageMetadataToJson(
  id: Uint8Array,
  parents: readonly Uint8Array[],
  meta: Readonly<StoredMessageMetadata>,
  hints: MessageHints | null,
): MessageMetadataJson {
  const json: MessageMetadataJson = {
    messageId: bytesToHex(id),
    parentMessageIds: parents.map(bytesToHex),
    isSolid: meta.solid,
  };
  if (meta.referenced) json.referencedByMilestoneIndex = meta.referencedByMilestoneIndex;
  if (meta.milestone) json.milestoneIndex = meta.milestoneIndex;
  if (meta.referenced) {
    json.ledgerInclusionState = ledgerInclusionStateToJson(meta.ledgerInclusionState);
    if (meta.ledgerInclusionState === LEDGER_INCLUSION_CONFLICTING) json.conflictReason = meta.conflictReason;
  }
  if (hints !== null) {
    json.shouldPromote = hints.shouldPromote;
    json.shouldReattach = hints.shouldReattach;
  }
  return json;
}

/** What reading a message's metadata needs: the Tangle satisfies it. */
export type MessageMetadataView = ConeRootView;

/**
 * The metadata JSON of a stored message, or undefined if it is not stored. The promote/reattach hints come from the
 * message's current cone root indexes (Hornet `messageMetadataByID` walks the cone the same way); the walk caches
 * them in the metadata as tip selection does.
 */
export function readMessageMetadata(
  view: MessageMetadataView,
  id: Uint8Array,
  params: Readonly<TipSelectionParams>,
): MessageMetadataJson | undefined {
  const meta = view.getMetadata(id);
  const parents = view.getParents(id);
  if (meta === undefined || parents === undefined) return undefined;
  const hints =
    meta.solid && !meta.referenced
      ? messageHints(
          { solid: true, referenced: false, ...coneRootIndexes(view, id) },
          view.confirmedMilestoneIndex,
          params,
        )
      : null;
  return messageMetadataToJson(id, parents, meta, hints);
}
