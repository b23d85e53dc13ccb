/**
 * Solidification does not depend on arrival order (ARCHITECTURE.md habit 3): a random DAG delivered in a random
 * order ends with every message stored and solid, the pending set empty, and the same stored state as delivery in
 * topological order.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { bytesToHex } from "../../src/primitives/hex.js";
import { tablePrefix } from "../../src/storage/prefixes.js";
import { TangleBuilder } from "../utils/tangleBuilder.js";

/** A DAG as, per message, the indexes of earlier messages it approves (empty = the genesis entry point). */
const dagArb = fc
  .integer({ min: 1, max: 40 })
  .chain((n) =>
    fc.tuple(
      fc.tuple(
        ...Array.from({ length: n }, (_, i) =>
          fc.uniqueArray(fc.nat({ max: Math.max(0, i - 1) }), { maxLength: i === 0 ? 0 : Math.min(i, 8) }),
        ),
      ),
      fc.array(fc.nat(), { minLength: n, maxLength: n }),
    ),
  );

async function deliver(parents: number[][], order: number[]) {
  const tb = await TangleBuilder.create();
  const built = parents.map((ps, i) =>
    tb
      .message(`m${i}`)
      .parents(...(ps.length === 0 ? ["genesis"] : ps.map((p) => `m${p}`)))
      .build(),
  );
  for (const i of order) {
    await tb.pipeline.ingress.submit(built[i]!.bytes, { source: "peer" });
  }
  return { tb, built };
}

function dump(tb: TangleBuilder): string[] {
  const out: string[] = [];
  for (const [k, v] of tb.tangle.store.iterate()) {
    // Arrival times and arrival LMI differ with order only in UNSOLID/ARRIVALS values; both are empty at the end.
    out.push(`${bytesToHex(k)}=${bytesToHex(v)}`);
  }
  return out;
}

describe("solidification is independent of arrival order", () => {
  it("random DAGs in random orders end fully solid with identical stores", async () => {
    await fc.assert(
      fc.asyncProperty(dagArb, async ([parents, keys]) => {
        const n = parents.length;
        const topo = Array.from({ length: n }, (_, i) => i);
        const shuffled = [...topo].sort((a, b) => keys[a]! - keys[b]! || a - b);
        const a = await deliver(parents, topo);
        const b = await deliver(parents, shuffled);
        for (const { tb } of [a, b]) {
          assert.equal(tb.pipeline.solidifier.pendingCount, 0);
          assert.equal(tb.tangle.store.count(tablePrefix("UNSOLID")), 0);
          for (let i = 0; i < n; i++) assert.ok(tb.isSolid(`m${i}`), tb.toDot());
        }
        assert.deepEqual(dump(b.tb), dump(a.tb));
        assert.equal(a.tb.eventLabels("message.solid").length, n);
        assert.equal(b.tb.eventLabels("message.solid").length, n);
        // Topological order of solid events even when delivery was shuffled.
        const pos = new Map(b.tb.eventLabels("message.solid").map((l, i) => [l, i]));
        parents.forEach((ps, i) => {
          for (const p of ps) assert.ok(pos.get(`m${p}`)! < pos.get(`m${i}`)!);
        });
        await a.tb.close();
        await b.tb.close();
      }),
      { numRuns: 60 },
    );
  });
});
