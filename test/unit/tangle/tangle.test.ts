import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { utf8ToBytes } from "../../../src/primitives/bytes.js";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { MemoryKvStore } from "../../../src/storage/backends/memory.js";
import {
  encodeU32,
  HEALTH_FIELD_DATABASE_VERSION,
  HEALTH_FIELD_DIRTY,
  healthKey,
  LEDGER_INCLUSION_CONFLICTING,
  referencedKey,
  tablePrefix,
} from "../../../src/storage/prefixes.js";
import { DATABASE_VERSION, Tangle } from "../../../src/tangle/tangle.js";
import { errorCodeOf } from "../../utils/errorCode.js";
import { TangleBuilder } from "../../utils/tangleBuilder.js";

/** A store that forgets close() so a second Tangle can reopen it, like a process restart on the same disk. */
class ReopenableStore extends MemoryKvStore {
  override async close(): Promise<void> {}
}

describe("Tangle", () => {
  it("sets the dirty flag while open and clears it on close; a reopen after a crash reports it", async () => {
    const kv = new ReopenableStore();
    const first = await Tangle.open(kv);
    assert.equal(first.wasDirty, false);
    assert.deepEqual(kv.get(healthKey(HEALTH_FIELD_DIRTY)), Uint8Array.of(1));
    // No close(): the process "died".
    const second = await Tangle.open(kv);
    assert.equal(second.wasDirty, true);
    await second.tangle.close();
    assert.deepEqual(kv.get(healthKey(HEALTH_FIELD_DIRTY)), Uint8Array.of(0));
    assert.equal((await Tangle.open(kv)).wasDirty, false);
  });

  it("refuses a database of another layout version and leaves it untouched", async () => {
    const kv = new MemoryKvStore();
    await kv.batch([
      { type: "put", key: healthKey(HEALTH_FIELD_DATABASE_VERSION), value: encodeU32(DATABASE_VERSION + 1) },
    ]);
    let code: string | undefined;
    try {
      await Tangle.open(kv);
    } catch (e) {
      code = errorCodeOf(() => {
        throw e;
      });
    }
    assert.equal(code, "TANGLE_ERROR_DATABASE_VERSION");
    assert.equal(kv.get(healthKey(HEALTH_FIELD_DIRTY)), undefined);
  });

  it("keeps milestone indexes, milestones and solid entry points across a reopen", async () => {
    const kv = new ReopenableStore();
    const { tangle } = await Tangle.open(kv);
    const sep = new Uint8Array(32).fill(9);
    tangle.addSolidEntryPoint(sep, 7);
    tangle.setConfirmedMilestoneIndex(5);
    tangle.setLatestMilestoneIndex(6);
    tangle.setPruningIndex(2);
    tangle.putMilestone(5, { messageId: sep, milestoneId: new Uint8Array(32).fill(1), timestamp: 1_600_000_000n });
    await tangle.durable();
    const again = (await Tangle.open(kv)).tangle;
    assert.deepEqual([again.confirmedMilestoneIndex, again.latestMilestoneIndex, again.pruningIndex], [5, 6, 2]);
    assert.equal(again.solidEntryPointIndex(sep), 7);
    assert.equal(again.getMilestone(5)?.timestamp, 1_600_000_000n);
    again.removeSolidEntryPoint(sep);
    again.deleteMilestone(5);
    assert.equal(again.solidEntryPointIndex(sep), undefined);
    assert.equal(again.getMilestone(5), undefined);
  });

  it("markReferenced records the verdict, sets both cone root indexes and the REFERENCED entry", async () => {
    const tb = await TangleBuilder.create();
    await tb.message("A").store();
    const meta = tb.tangle.markReferenced(tb.id("A"), 3, LEDGER_INCLUSION_CONFLICTING, 2);
    assert.deepEqual(
      [meta.referenced, meta.referencedByMilestoneIndex, meta.conflicting, meta.conflictReason, meta.ocri, meta.ycri],
      [true, 3, true, 2, 3, 3],
    );
    assert.equal(tb.tangle.store.has(referencedKey(3, tb.id("A"))), true);
    assert.equal(
      errorCodeOf(() => tb.tangle.markSolid(new Uint8Array(32).fill(5))),
      "TANGLE_ERROR_UNKNOWN_MESSAGE",
    );
    await tb.close();
  });

  it("deleteMessage removes every key tied to the message and nothing else", async () => {
    const tb = await TangleBuilder.create();
    await tb.message("A").index("keep").store();
    await tb.message("B").parents("A").index("gone").store();
    await tb.message("C").parents("B").store();
    await tb.confirmMilestoneOn(["B"]);
    const before = [...tb.tangle.store.iterate()].length;
    const bytes = tb.tangle.deleteMessage(tb.id("B"), 0);
    assert.deepEqual(bytes, tb.bytes("B"));
    await tb.tangle.durable();
    const left = [...tb.tangle.store.iterate()].map(([k]) => bytesToHex(k));
    assert.ok(
      left.every((k) => !k.includes(tb.hex("B"))),
      "no key mentions B any more",
    );
    // B had: message, metadata, edge A→B, edge B→C, index entry, arrival entry, REFERENCED entry.
    assert.equal(before - left.length, 7);
    assert.deepEqual(tb.tangle.messageIdsByIndex(utf8ToBytes("gone")), []);
    assert.equal(tb.tangle.messageIdsByIndex(utf8ToBytes("keep")).length, 1);
    assert.equal(tb.tangle.deleteMessage(tb.id("B")), undefined);
    assert.equal(tb.tangle.store.count(tablePrefix("MESSAGES")), 2);
    await tb.close();
  });

  it("refuses writes after close", async () => {
    const { tangle } = await Tangle.open(new MemoryKvStore());
    await tangle.close();
    assert.equal(
      errorCodeOf(() => tangle.setLatestMilestoneIndex(1)),
      "TANGLE_ERROR_CLOSED",
    );
  });
});
