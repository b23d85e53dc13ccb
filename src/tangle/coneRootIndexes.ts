/**
 * Cone root indexes of a message (chrysalis.md §7; Hornet `dag.ConeRootIndexes`; TIP-3 calls them YMRSI/OMRSI): the
 * youngest (YCRI) and oldest (OCRI) milestone index at which the past cone of a message touches the confirmed part of
 * the tangle. Tip scoring, the below-max-depth check and the promote/reattach hints all read them.
 *
 * The only effects of running this are staged metadata writes (setMetadata) that cache the pair, tagged with the
 * confirmed milestone index (CMI) it was computed at, on the message and on every unreferenced message of its cone
 * that was walked. Hornet refreshes the outdated part of the cone the same way (`updateOutdatedConeRootIndexes`), so a
 * later walk from a child stops at the first cached parent and scoring a new tip costs O(parents).
 */
import { bytesToHex } from "../primitives/hex.js";
import type { StoredMessageMetadata } from "../storage/prefixes.js";
import type { Tangle } from "./tangle.js";

/** The part of the Tangle this walk reads and writes; Tangle satisfies it. */
export type ConeRootView = Pick<
  Tangle,
  "getMetadata" | "setMetadata" | "getParents" | "solidEntryPointIndex" | "confirmedMilestoneIndex"
>;

export interface ConeRootIndexes {
  /** Youngest cone root index: the largest milestone index found at the cone's boundary. */
  ycri: number;
  /** Oldest cone root index: the smallest milestone index found at the cone's boundary. */
  ocri: number;
}

/** What a message contributes to its children: the bounds found so far and whether its cone was fully known. */
interface Bounds {
  ycri: number;
  /** POSITIVE_INFINITY while nothing was found. */
  ocri: number;
  /** False once a missing or unsolid message was met: the pair is then not cached (Hornet caches only full walks). */
  complete: boolean;
  /** False while the message is still on the walk's stack. */
  done: boolean;
}

/** A message whose parents still have to be walked. */
interface Frame extends Bounds {
  id: Uint8Array;
  meta: StoredMessageMetadata;
  parents: Uint8Array[];
  next: number;
}

const NO_PARENTS: Uint8Array[] = [];

/**
 * Fresh metadata carries calculation index 0, which would pass for a pair computed at CMI 0 (Hornet has this quirk).
 * So nothing is cached or trusted while CMI is 0: only before the first confirmed milestone, on a new network.
 */
const NOT_COMPUTED = 0;

function terminal(ycri: number, ocri: number, complete: boolean): Bounds {
  return { ycri, ocri, complete, done: true };
}

/**
 * Classifies one message of the cone. Solid entry points and referenced messages end the walk with their index;
 * a solid message whose cached pair was computed at `cmi` ends it with that pair (Hornet's checks, in Hornet's order:
 * entry point first, then referenced, then cache). Anything else is a Frame to expand.
 */
function classify(view: ConeRootView, id: Uint8Array, cmi: number): Bounds | Frame {
  const sepIndex = view.solidEntryPointIndex(id);
  if (sepIndex !== undefined) return terminal(sepIndex, sepIndex, true);
  const meta = view.getMetadata(id);
  if (meta === undefined) return terminal(0, Number.POSITIVE_INFINITY, false);
  if (meta.referenced) return terminal(meta.referencedByMilestoneIndex, meta.referencedByMilestoneIndex, true);
  if (meta.solid && meta.coneRootCalculationIndex === cmi && cmi !== NOT_COMPUTED) {
    return terminal(meta.ycri, meta.ocri, true);
  }
  const parents = view.getParents(id);
  if (parents === undefined) return terminal(0, Number.POSITIVE_INFINITY, false);
  return { id, meta, parents, next: 0, ycri: 0, ocri: Number.POSITIVE_INFINITY, complete: meta.solid, done: false };
}

function isFrame(p: Bounds | Frame): p is Frame {
  return !p.done;
}

function fold(into: Bounds, from: Bounds): void {
  if (from.ycri > into.ycri) into.ycri = from.ycri;
  if (from.ocri < into.ocri) into.ocri = from.ocri;
  if (!from.complete) into.complete = false;
}

function result(p: Bounds): ConeRootIndexes {
  // chrysalis.md §7: if no index can be determined the result is (0, 0).
  return p.ocri === Number.POSITIVE_INFINITY ? { ycri: 0, ocri: 0 } : { ycri: p.ycri, ocri: p.ocri };
}

/**
 * YCRI/OCRI of the message `id` (meant for a solid message) at the view's current CMI.
 *
 * The walk is an iterative post-order DFS over the past cone with an explicit stack and one entry per message, so it
 * is linear in the cone size and cannot overflow the call stack. It stops at solid entry points (their SEP index),
 * referenced messages (the index of the milestone that referenced them) and solid messages with a pair cached at this
 * CMI. YCRI is the largest index found and OCRI the smallest; (0, 0) when none is found. A referenced message yields
 * (its index, its index).
 *
 * Each walked message's pair is computed from its own parents, which equals what a separate walk from it would give
 * (max and min ignore repeats), and is cached with coneRootCalculationIndex = CMI when its cone held no missing and no
 * unsolid message (and CMI is not 0, see NOT_COMPUTED). If such a message is met, the walk continues through what is
 * known and returns what it found (Hornet returns (0, 0) then), caching nothing that depends on it.
 */
export function coneRootIndexes(view: ConeRootView, id: Uint8Array): ConeRootIndexes {
  const cmi = view.confirmedMilestoneIndex;
  const root = classify(view, id, cmi);
  if (!isFrame(root)) return result(root);

  const seen = new Map<string, Bounds>([[bytesToHex(id), root]]);
  const stack: Frame[] = [root];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.next < top.parents.length) {
      const parent = top.parents[top.next++]!;
      const hex = bytesToHex(parent);
      const known = seen.get(hex);
      if (known !== undefined) {
        // A parent still on the stack would be a cycle, which only a corrupted database can hold: count it as unknown.
        fold(top, known.done ? known : terminal(0, Number.POSITIVE_INFINITY, false));
        continue;
      }
      const next = classify(view, parent, cmi);
      seen.set(hex, next);
      if (isFrame(next)) stack.push(next);
      else fold(top, next);
      continue;
    }
    stack.pop();
    top.done = true;
    top.parents = NO_PARENTS;
    if (top.complete && top.ocri !== Number.POSITIVE_INFINITY && cmi !== NOT_COMPUTED) {
      top.meta.ycri = top.ycri;
      top.meta.ocri = top.ocri;
      top.meta.coneRootCalculationIndex = cmi;
      view.setMetadata(top.id, top.meta);
    }
    const below = stack[stack.length - 1];
    if (below !== undefined) fold(below, top);
  }
  return result(root);
}
