/**
 * The consistency checker used by the crash tests must itself catch every kind of damage: a small real tangle is
 * built through the pipeline, copied, broken in one way per case, and the checker must name the break.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { messageId } from "../../../src/codec/index.js";
import { utf8ToBytes } from "../../../src/primitives/bytes.js";
import { MemoryKvStore } from "../../../src/storage/backends/memory.js";
import type { KvOp } from "../../../src/storage/kv.js";
import {
  arrivalKey,
  childrenKey,
  encodeMessageMetadata,
  HEALTH_FIELD_DIRTY,
  healthKey,
  indexationKey,
  messageKey,
  messageMetadataKey,
  milestoneKey,
  referencedKey,
  solidEntryPointKey,
  unsolidKey,
} from "../../../src/storage/prefixes.js";
import { GENESIS_ID, TangleBuilder } from "../../utils/tangleBuilder.js";
import { checkTangleConsistency } from "../../utils/tangleConsistency.js";

const EMPTY = new Uint8Array(0);
const put = (key: Uint8Array, value: Uint8Array = EMPTY): KvOp => ({ type: "put", key, value });
const del = (key: Uint8Array): KvOp => ({ type: "del", key });
const UNKNOWN_ID = new Uint8Array(32).fill(0xee);

interface Fixture {
  entries: Array<[Uint8Array, Uint8Array]>;
  id(label: string): Uint8Array;
  bytes(label: string): Uint8Array;
}

/**
 * A: index "weaver", referenced by milestone 1; B: approves A and genesis, referenced by 1; T: a transaction whose
 * essence carries index "tx"; U approves the never-stored X (unsolid); V approves U (unsolid).
 */
async function buildFixture(): Promise<Fixture> {
  const kv = new MemoryKvStore();
  const tb = await TangleBuilder.create({ kv });
  await tb.message("A").index("weaver", "a").store();
  await tb.message("B").parents("A", "genesis").store();
  await tb
    .message("T")
    .withPayload({
      type: 0,
      essence: {
        type: 0,
        inputs: [{ type: 0, transactionId: new Uint8Array(32).fill(1), transactionOutputIndex: 0 }],
        outputs: [{ type: 0, address: { type: 0, address: new Uint8Array(32).fill(2) }, amount: 1_000_000 }],
        payload: { type: 2, index: utf8ToBytes("tx"), data: EMPTY },
      },
      unlockBlocks: [
        { type: 0, signature: { type: 0, publicKey: new Uint8Array(32).fill(3), signature: new Uint8Array(64) } },
      ],
    })
    .store();
  tb.message("X").parents("B").build();
  await tb.message("U").parents("X").store();
  await tb.message("V").parents("U", "A").store();
  await tb.confirmMilestoneOn(["B"]);
  tb.tangle.putMilestone(1, { messageId: tb.id("B"), milestoneId: new Uint8Array(32).fill(9), timestamp: 1n });
  await tb.tangle.durable();
  const entries = [...kv.iterate()];
  return { entries, id: (l) => tb.id(l), bytes: (l) => tb.bytes(l) };
}

async function corrupted(f: Fixture, ops: KvOp[]): Promise<string[]> {
  const kv = new MemoryKvStore();
  await kv.batch([...f.entries.map(([key, value]) => put(key, value)), ...ops]);
  return checkTangleConsistency(kv);
}

describe("checkTangleConsistency", () => {
  let f: Fixture;
  before(async () => {
    f = await buildFixture();
  });

  it("finds nothing wrong in a tangle built by the pipeline (with unsolid, referenced and indexed messages)", async () => {
    assert.deepEqual(await corrupted(f, []), []);
    assert.ok(f.entries.length > 30, "the fixture fills every table");
  });

  it("accepts a kept message whose pruned parent left no edge behind but became a solid entry point", async () => {
    assert.deepEqual(await corrupted(f, [del(childrenKey(GENESIS_ID, f.id("A")))]), []);
  });

  it("also reads through a StagedStore before its writes are committed", async () => {
    const tb = await TangleBuilder.create();
    tb.pipeline.ingress.process(tb.message("A").index("i").build().bytes, { source: "peer" });
    tb.message("Y").build();
    tb.pipeline.ingress.process(tb.message("B").parents("Y").build().bytes, { source: "peer" });
    assert.equal(tb.tangle.store.stagedOps > 0, true);
    assert.deepEqual(checkTangleConsistency(tb.tangle.store), []);
    tb.tangle.store.del(unsolidKey(tb.id("B")));
    assert.match(checkTangleConsistency(tb.tangle.store).join("\n"), /is not solid but has no UNSOLID marker/);
    await tb.close();
  });

  const meta = (solid: boolean, referencedBy = 0) =>
    encodeMessageMetadata({
      solid,
      referenced: referencedBy > 0,
      milestone: false,
      conflicting: false,
      referencedByMilestoneIndex: referencedBy,
      milestoneIndex: 0,
      ledgerInclusionState: 0,
      conflictReason: 0,
      ocri: referencedBy,
      ycri: referencedBy,
      coneRootCalculationIndex: referencedBy,
    });
  const garbage = Uint8Array.of(1, 2, 3);
  const garbageId = messageId(garbage);
  const cases: Array<{ name: string; ops: (f: Fixture) => KvOp[]; expect: RegExp }> = [
    { name: "unknown table", ops: () => [put(Uint8Array.of(0x7e, 1))], expect: /unknown table prefix/ },
    {
      name: "bad dirty flag",
      ops: () => [put(healthKey(HEALTH_FIELD_DIRTY), Uint8Array.of(2))],
      expect: /DIRTY value 02/,
    },
    { name: "bad milestone", ops: () => [put(milestoneKey(1), garbage)], expect: /MILESTONES entry .* not decode/ },
    {
      name: "bad solid entry point value",
      ops: () => [put(solidEntryPointKey(GENESIS_ID), garbage)],
      expect: /SOLID_ENTRY_POINTS 0000.* value is 3 bytes/,
    },
    {
      name: "message bytes of another id",
      ops: (f) => [put(messageKey(f.id("A")), f.bytes("B"))],
      expect: /hash to another id/,
    },
    { name: "undecodable message", ops: () => [put(messageKey(garbageId), garbage)], expect: /do not decode/ },
    {
      name: "message without metadata",
      ops: (f) => [del(messageMetadataKey(f.id("A")))],
      expect: /has no MESSAGE_METADATA entry/,
    },
    {
      name: "metadata without message",
      ops: () => [put(messageMetadataKey(UNKNOWN_ID), meta(true))],
      expect: /MESSAGE_METADATA eeee.* has no MESSAGES entry/,
    },
    {
      name: "undecodable metadata",
      ops: (f) => [put(messageMetadataKey(f.id("B")), garbage)],
      expect: /MESSAGE_METADATA .* does not decode/,
    },
    {
      name: "missing children edge",
      ops: (f) => [del(childrenKey(f.id("A"), f.id("B")))],
      expect: /no CHILDREN edge from its parent/,
    },
    {
      name: "missing children edge from an unstored parent that is no solid entry point",
      ops: (f) => [del(childrenKey(f.id("X"), f.id("U")))],
      expect: /no CHILDREN edge from its parent/,
    },
    {
      name: "children edge to an unstored child",
      ops: (f) => [put(childrenKey(f.id("A"), UNKNOWN_ID))],
      expect: /the child is not stored/,
    },
    {
      name: "children edge the child does not have",
      ops: (f) => [put(childrenKey(f.id("A"), f.id("T")))],
      expect: /the child does not approve the parent/,
    },
    {
      name: "bad children key",
      ops: () => [put(Uint8Array.of(0x04, 1, 2))],
      expect: /CHILDREN key 040102 does not decode/,
    },
    {
      name: "missing indexation entry",
      ops: (f) => [del(indexationKey(utf8ToBytes("weaver"), f.id("A")))],
      expect: /no INDEXATION entry for index 776561766572/,
    },
    {
      name: "missing indexation entry of a transaction essence",
      ops: (f) => [del(indexationKey(utf8ToBytes("tx"), f.id("T")))],
      expect: /no INDEXATION entry for index 7478/,
    },
    {
      name: "indexation entry for a message without that index",
      ops: (f) => [put(indexationKey(utf8ToBytes("weaver"), f.id("B")))],
      expect: /the message has no such index/,
    },
    {
      name: "indexation entry for an unstored message",
      ops: () => [put(indexationKey(utf8ToBytes("weaver"), UNKNOWN_ID))],
      expect: /INDEXATION .* the message is not stored/,
    },
    {
      name: "unsolid message without marker",
      ops: (f) => [del(unsolidKey(f.id("U")))],
      expect: /is not solid but has no UNSOLID marker/,
    },
    {
      name: "marker on a solid message",
      ops: (f) => [put(unsolidKey(f.id("A")), new Uint8Array(12))],
      expect: /UNSOLID .* the message is marked solid/,
    },
    {
      name: "marker on an unstored message",
      ops: () => [put(unsolidKey(UNKNOWN_ID), new Uint8Array(12))],
      expect: /UNSOLID eeee.* the message is not stored/,
    },
    {
      name: "undecodable marker",
      ops: (f) => [put(unsolidKey(f.id("U")), garbage)],
      expect: /UNSOLID .* value does not decode/,
    },
    {
      name: "solid message on an unsolid parent",
      ops: (f) => [put(messageMetadataKey(f.id("V")), meta(true)), del(unsolidKey(f.id("V")))],
      expect: /is solid but its parent .* is not solid/,
    },
    {
      name: "solid message on a missing parent",
      ops: (f) => [put(messageMetadataKey(f.id("U")), meta(true)), del(unsolidKey(f.id("U")))],
      expect: /is solid but its parent .* is not stored and no solid entry point/,
    },
    {
      name: "solid message on a removed solid entry point",
      ops: () => [del(solidEntryPointKey(GENESIS_ID))],
      expect: /is solid but its parent 0000000000000000 is not stored/,
    },
    {
      name: "unsolid message on solid parents",
      ops: (f) => [put(messageMetadataKey(f.id("T")), meta(false)), put(unsolidKey(f.id("T")), new Uint8Array(12))],
      expect: /is not solid although every parent is solid or a solid entry point/,
    },
    {
      name: "message without arrival",
      ops: (f) => [del(arrivalKey(0, f.id("A")))],
      expect: /has 0 ARRIVALS entries, expected 1/,
    },
    {
      name: "message with two arrivals",
      ops: (f) => [put(arrivalKey(7, f.id("A")))],
      expect: /has 2 ARRIVALS entries, expected 1/,
    },
    {
      name: "arrival of an unstored message",
      ops: () => [put(arrivalKey(0, UNKNOWN_ID))],
      expect: /ARRIVALS 0\/eeee.* the message is not stored/,
    },
    {
      name: "arrival index that disagrees with the unsolid marker",
      ops: (f) => [del(arrivalKey(0, f.id("U"))), put(arrivalKey(3, f.id("U")))],
      expect: /says LMI 0 at arrival, but its ARRIVALS entry is under 3/,
    },
    {
      name: "referenced message without entry",
      ops: (f) => [del(referencedKey(1, f.id("A")))],
      expect: /is referenced by 1 but has no REFERENCED entry/,
    },
    {
      name: "entry under the wrong milestone",
      ops: (f) => [del(referencedKey(1, f.id("B"))), put(referencedKey(2, f.id("B")))],
      expect: /REFERENCED 2\/.* metadata says referenced by 1/,
    },
    {
      name: "entry for an unreferenced message",
      ops: (f) => [put(referencedKey(1, f.id("T")))],
      expect: /metadata says not referenced/,
    },
    {
      name: "entry for an unknown message",
      ops: () => [put(referencedKey(1, UNKNOWN_ID))],
      expect: /REFERENCED 1\/eeee.* the message has no metadata/,
    },
  ];
  for (const c of cases) {
    it(`detects: ${c.name}`, async () => {
      const problems = await corrupted(f, c.ops(f));
      assert.ok(
        problems.some((p) => c.expect.test(p)),
        `expected a problem matching ${c.expect}, got:\n${problems.join("\n")}`,
      );
    });
  }

  it("eviction keeps the children edges of the children that stay (the evicted parent may come back)", async () => {
    const tb = await TangleBuilder.create({ solidifier: { maxPending: 2 } });
    const x = tb.message("X").build();
    await tb.message("P").parents("X").store();
    await tb.message("C").parents("P").store();
    // A third unsolid message overflows the pending set and evicts P, the oldest; C stays and waits for P again.
    await tb.message("E").parents("X").store();
    assert.deepEqual(tb.eventLabels("message.evicted"), ["P"]);
    await tb.pipeline.ingress.submit(x.bytes, { source: "peer" });
    await tb.pipeline.ingress.submit(tb.bytes("P"), { source: "peer" });
    assert.ok(tb.isSolid("C"), "C solidified when P came back");
    assert.deepEqual(checkTangleConsistency(tb.tangle.store), []);
    assert.deepEqual(
      tb.tangle.childrenOf(tb.id("P")).map((id) => tb.labelOf(Buffer.from(id).toString("hex"))),
      ["C"],
    );
    await tb.close();
  });
});
