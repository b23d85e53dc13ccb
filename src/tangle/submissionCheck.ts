/**
 * The parents check for messages submitted through the API (chrysalis.md §7 "Below max depth on submission";
 * Hornet `MessageProcessor.Emit`). A message on top of an unknown, unsolid or too old parent would be dropped as
 * invalid gossip by peers, so the node refuses it before broadcasting. Gossiped messages are not checked this way.
 *
 * The only effects of running this are the cone-root caching writes of coneRootIndexes.ts.
 */
import type { ConeRootView } from "./coneRootIndexes.js";
import { coneRootIndexes } from "./coneRootIndexes.js";
import { DEFAULT_TIP_SELECTION_PARAMS, isBelowMaxDepth, type TipSelectionParams } from "./tipScore.js";

export type SubmissionRejection =
  | {
      /** The parent is neither a solid entry point nor a stored solid message. */
      code: "PARENT_NOT_SOLID";
      parent: Uint8Array;
    }
  | {
      /** CMI − OCRI of the parent (CMI − SEP index for a solid entry point) exceeds belowMaxDepth. */
      code: "PARENT_BELOW_MAX_DEPTH";
      parent: Uint8Array;
      ocri: number;
      cmi: number;
    };

/**
 * The first parent that makes a submitted message unacceptable, in the given order, or null when every parent is
 * fine: each must be a solid entry point or a stored solid message, and not below max depth at the current CMI.
 *
 * A solid entry point is checked first and counts as solid: its own message may be stored without ever becoming solid,
 * since its parents lie below the snapshot. Hornet looks at stored metadata first and would call such a parent unsolid.
 */
export function checkParentsForSubmission(
  view: ConeRootView,
  parents: readonly Uint8Array[],
  params: Readonly<TipSelectionParams> = DEFAULT_TIP_SELECTION_PARAMS,
): SubmissionRejection | null {
  const cmi = view.confirmedMilestoneIndex;
  for (const parent of parents) {
    const sepIndex = view.solidEntryPointIndex(parent);
    let ocri: number;
    if (sepIndex !== undefined) {
      ocri = sepIndex;
    } else {
      const meta = view.getMetadata(parent);
      // MUST (chrysalis.md §7): every parent of a submitted message is solid.
      if (meta === undefined || !meta.solid) return { code: "PARENT_NOT_SOLID", parent };
      ocri = coneRootIndexes(view, parent).ocri;
    }
    // MUST (chrysalis.md §7): CMI − OCRI ≤ BMD for every parent.
    if (isBelowMaxDepth(cmi, ocri, params)) return { code: "PARENT_BELOW_MAX_DEPTH", parent, ocri, cmi };
  }
  return null;
}
