/**
 * Iterative walks over the DAG through a narrow view (ARCHITECTURE.md §2.3, Hornet's dag traversers), so cones of
 * any depth are walked without recursion and in linear time.
 */
import { bytesToHex } from "../primitives/hex.js";

export interface PastConeView {
  getParents(id: Uint8Array): Uint8Array[] | undefined;
  /** True where the walk stops: already referenced by a milestone, or a solid entry point. */
  isBoundary(id: Uint8Array, idHex: string): boolean;
}

/** A walk met a message that is neither stored nor a boundary: the cone is not complete. */
export interface MissingInCone {
  missing: Uint8Array;
}

/**
 * The messages of the past cone of `roots` that are not behind a boundary, in TIP-2 white-flag order: a
 * depth-first post-order where parents are visited in the order they are listed, so every message comes after all
 * of its parents. Returns `{ missing }` for the first message that is neither stored nor a boundary.
 */
export function unreferencedPastCone(view: PastConeView, roots: readonly Uint8Array[]): Uint8Array[] | MissingInCone {
  const order: Uint8Array[] = [];
  const done = new Set<string>();
  // Each frame: a message and the index of the next parent to look at. Frames for roots come from a virtual parent.
  const stack: Array<{ id: Uint8Array; hex: string; parents: Uint8Array[]; next: number }> = [];
  const push = (id: Uint8Array, hex: string): MissingInCone | null => {
    const parents = view.getParents(id);
    if (parents === undefined) return { missing: id };
    stack.push({ id, hex, parents, next: 0 });
    return null;
  };
  for (const root of roots) {
    const rootHex = bytesToHex(root);
    if (done.has(rootHex) || view.isBoundary(root, rootHex)) continue;
    const m = push(root, rootHex);
    if (m) return m;
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.parents.length) {
        const parent = top.parents[top.next++]!;
        const parentHex = bytesToHex(parent);
        if (done.has(parentHex) || view.isBoundary(parent, parentHex)) continue;
        // A parent already on the stack would mean a cycle, which BLAKE2b ids make impossible.
        const miss = push(parent, parentHex);
        if (miss) return miss;
        continue;
      }
      stack.pop();
      if (!done.has(top.hex)) {
        done.add(top.hex);
        order.push(top.id);
      }
    }
  }
  return order;
}
