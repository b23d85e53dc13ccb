import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encodeMessage } from "../../../src/codec/index.js";
import { utf8ToBytes } from "../../../src/primitives/bytes.js";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { MemoryKvStore } from "../../../src/storage/backends/memory.js";
import { tablePrefix } from "../../../src/storage/prefixes.js";
import { GENESIS_ID, TangleBuilder, TEST_NETWORK_ID } from "../../utils/tangleBuilder.js";

describe("ingress: storing and solidifying", () => {
  it("a message on solid parents is stored and solid at once; events fire received then solid, after commit", async () => {
    const tb = await TangleBuilder.create();
    const a = await tb.message("A").store();
    assert.equal(a.status, "new");
    assert.equal(a.status === "new" && a.solid, true);
    const b = await tb.message("B").parents("A", "genesis").store();
    assert.equal(b.status === "new" && b.solid, true);
    assert.ok(tb.isSolid("A") && tb.isSolid("B"));
    assert.deepEqual(
      tb.log.map((e) => `${e.name}:${"messageIdHex" in e.event ? tb.labelOf(e.event.messageIdHex ?? "") : ""}`),
      ["message.received:A", "message.solid:A", "message.received:B", "message.solid:B"],
    );
    assert.deepEqual(tb.tangle.childrenOf(tb.id("A")).map(bytesToHex), [tb.hex("B")]);
    assert.equal(tb.tangle.store.count(tablePrefix("UNSOLID")), 0);
    await tb.close();
  });

  it("children that arrive first wait, their missing parent is requested once, and solidify parents-first", async () => {
    const tb = await TangleBuilder.create();
    const specA = tb.message("A");
    const a = specA.build();
    tb.message("B").parents("A").build();
    tb.message("C").parents("B").build();
    tb.message("D").parents("B", "C").build();
    for (const l of ["D", "C", "B"]) {
      const r = await tb.pipeline.ingress.submit(tb.bytes(l), { source: "peer", peerId: "p1" });
      assert.equal(r.status === "new" && r.solid, false, `${l} must wait`);
    }
    // D missed B and C (neither stored yet), then B missed A: each asked for once, with the sender as hint.
    assert.deepEqual(tb.requester.requestedHex.sort(), [tb.hex("A"), tb.hex("B"), tb.hex("C")].sort());
    assert.ok(tb.requester.requests.every((r) => r.hint.peerId === "p1"));
    assert.equal(tb.pipeline.solidifier.pendingCount, 3);
    assert.equal(tb.tangle.store.count(tablePrefix("UNSOLID")), 3);
    await tb.pipeline.ingress.submit(a.bytes, { source: "peer", requested: true });
    assert.deepEqual(tb.eventLabels("message.solid"), ["A", "B", "C", "D"]);
    assert.equal(tb.pipeline.solidifier.pendingCount, 0);
    assert.equal(tb.tangle.store.count(tablePrefix("UNSOLID")), 0);
    await tb.close();
  });

  it("a 20,000-message chain arriving in reverse order solidifies in one pass without recursion", async () => {
    const tb = await TangleBuilder.create();
    const n = 20_000;
    const chain: Uint8Array[] = [];
    let parent: Uint8Array = GENESIS_ID;
    for (let i = 0; i < n; i++) {
      const built = tb.message(`m${i}`).parents(parent).build();
      chain.push(built.bytes);
      parent = built.id;
    }
    for (let i = n - 1; i >= 1; i--) tb.pipeline.ingress.process(chain[i]!, { source: "peer" });
    assert.equal(tb.pipeline.solidifier.pendingCount, n - 1);
    tb.pipeline.ingress.process(chain[0]!, { source: "peer" });
    await tb.tangle.durable();
    assert.equal(tb.pipeline.solidifier.pendingCount, 0);
    assert.ok(tb.isSolid(`m${n - 1}`));
    assert.equal(tb.pipeline.ingress.stats().solid, n);
    await tb.close();
  });

  it("duplicates are known, not stored twice, and counted", async () => {
    const tb = await TangleBuilder.create();
    await tb.message("A").store();
    const again = await tb.pipeline.ingress.submit(tb.bytes("A"), { source: "peer" });
    assert.equal(again.status, "known");
    assert.equal(tb.pipeline.ingress.stats().known, 1);
    assert.equal(tb.tangle.store.count(tablePrefix("MESSAGES")), 1);
    await tb.close();
  });

  it("indexation payloads are indexed by their index", async () => {
    const tb = await TangleBuilder.create();
    await tb.message("A").index("weaver", "one").store();
    await tb.message("B").index("weaver", "two").store();
    await tb.message("C").index("weave").store();
    const ids = tb.tangle.messageIdsByIndex(utf8ToBytes("weaver")).map(bytesToHex).sort();
    assert.deepEqual(ids, [tb.hex("A"), tb.hex("B")].sort());
    assert.deepEqual(tb.tangle.messageIdsByIndex(utf8ToBytes("weave")).map(bytesToHex), [tb.hex("C")]);
    await tb.close();
  });
});

describe("ingress: bad input", () => {
  it("rejects empty, oversized, malformed and foreign-network messages with typed codes and stores nothing", async () => {
    const tb = await TangleBuilder.create();
    const submit = (b: Uint8Array) => tb.pipeline.ingress.submit(b, { source: "peer", peerId: "x" });
    const codeOf = async (b: Uint8Array) => {
      const r = await submit(b);
      return r.status === "rejected" ? r.code : r.status;
    };
    assert.equal(await codeOf(new Uint8Array(0)), "MESSAGE_ERROR_INVALID_LENGTH");
    assert.equal(await codeOf(new Uint8Array(32769)), "MESSAGE_ERROR_INVALID_LENGTH");
    assert.equal(await codeOf(new Uint8Array(100).fill(7)), "MESSAGE_ERROR_INVALID_SYNTAX");
    const good = tb.message("A").build().bytes;
    const trailing = new Uint8Array(good.length + 1);
    trailing.set(good);
    assert.equal(await codeOf(trailing), "MESSAGE_ERROR_INVALID_SYNTAX");
    const foreign = tb
      .message("F")
      .withNetworkId(TEST_NETWORK_ID + 1n)
      .build().bytes;
    assert.equal(await codeOf(foreign), "MESSAGE_ERROR_INVALID_NETWORK_ID");
    // Repeats of a context-free rejection are rejected again from the cache, with the same code.
    assert.equal(await codeOf(foreign), "MESSAGE_ERROR_INVALID_NETWORK_ID");
    const stats = tb.pipeline.ingress.stats();
    assert.equal(stats.rejected.MESSAGE_ERROR_INVALID_LENGTH, 2);
    assert.equal(stats.rejected.MESSAGE_ERROR_INVALID_SYNTAX, 2);
    assert.equal(stats.rejected.MESSAGE_ERROR_INVALID_NETWORK_ID, 2);
    assert.equal(tb.tangle.store.count(tablePrefix("MESSAGES")), 0);
    assert.deepEqual(
      tb.log.filter((e) => e.name === "message.rejected").map((e) => e.name === "message.rejected" && e.event.peerId),
      ["x", "x", "x", "x", "x", "x"],
    );
    await tb.close();
  });

  it("rejects unrequested messages under the PoW minimum but accepts the same bytes when requested", async () => {
    const tb = await TangleBuilder.create({ minPowScore: 4000 });
    const { bytes } = tb.message("A").build();
    const r = await tb.pipeline.ingress.submit(bytes, { source: "peer" });
    assert.equal(r.status === "rejected" && r.code, "MESSAGE_ERROR_INSUFFICIENT_POW");
    const again = await tb.pipeline.ingress.submit(bytes, { source: "peer", requested: true });
    assert.equal(again.status, "new");
    await tb.close();
  });

  it("a rejected message's buffer can be reused by the caller; stored bytes are a private copy", async () => {
    const tb = await TangleBuilder.create();
    const { bytes, id } = tb.message("A").build();
    const buf = bytes.slice();
    await tb.pipeline.ingress.submit(buf, { source: "peer" });
    buf.fill(0);
    assert.deepEqual(tb.tangle.getMessageBytes(id), bytes);
    await tb.close();
  });

  it("evicts the oldest unsolid message when the pending set is full, deleting it, and accepts it again later", async () => {
    const tb = await TangleBuilder.create({ solidifier: { maxPending: 2 } });
    const missing = tb.message("X").build();
    for (const l of ["P1", "P2", "P3"]) {
      await tb.message(l).parents("X").store();
    }
    assert.equal(tb.pipeline.solidifier.pendingCount, 2);
    assert.equal(tb.tangle.hasMessage(tb.id("P1")), false);
    assert.deepEqual(tb.eventLabels("message.evicted"), ["P1"]);
    assert.equal(tb.pipeline.ingress.stats().rejected.MESSAGE_ERROR_EVICTED_CAPACITY, 1);
    // Re-sent, it is new again (and pushes out P2, now the oldest).
    const again = await tb.pipeline.ingress.submit(tb.bytes("P1"), { source: "peer" });
    assert.equal(again.status, "new");
    assert.deepEqual(tb.eventLabels("message.evicted"), ["P1", "P2"]);
    // The missing parent solidifies at once, so it takes no pending slot and evicts nobody.
    await tb.pipeline.ingress.submit(missing.bytes, { source: "peer" });
    assert.ok(tb.isSolid("X") && tb.isSolid("P1") && tb.isSolid("P3"));
    assert.equal(tb.pipeline.solidifier.pendingCount, 0);
    await tb.close();
  });

  it("evicts unsolid messages that waited longer than maxPendingAgeMs", async () => {
    const tb = await TangleBuilder.create({ solidifier: { maxPendingAgeMs: 1000 } });
    tb.message("X").build();
    await tb.message("A").parents("X").store();
    tb.advanceTime(1001);
    await tb.message("B").store();
    assert.deepEqual(tb.eventLabels("message.evicted"), ["A"]);
    assert.equal(tb.tangle.hasMessage(tb.id("A")), false);
    assert.equal(tb.tangle.childrenOf(tb.id("X")).length, 0);
    await tb.close();
  });
});

describe("ingress: restart", () => {
  it("a new pipeline on the same store reloads the pending set and finishes solidification", async () => {
    const kv = new MemoryKvStore();
    const first = await TangleBuilder.create({ kv });
    const a = first.message("A").build();
    const b = first.message("B").parents("A").build();
    await first.pipeline.ingress.submit(b.bytes, { source: "peer" });
    await first.tangle.durable();
    const second = await TangleBuilder.create({ kv });
    assert.equal(second.pipeline.solidifier.pendingCount, 1);
    assert.deepEqual(second.requester.requestedHex, [bytesToHex(a.id)]);
    await second.pipeline.ingress.submit(a.bytes, { source: "peer" });
    assert.equal(second.tangle.getMetadata(b.id)?.solid, true);
    await second.close();
  });

  it("encodes messages exactly as TIP-6 (sanity: the builder's bytes decode back)", async () => {
    const tb = await TangleBuilder.create();
    const { bytes, message } = tb.message("A").index("i").build();
    assert.deepEqual(encodeMessage(message), bytes);
    await tb.close();
  });
});

describe("ingress: API submissions and the tip pool", () => {
  it("API messages need solid parents that are not below max depth (chrysalis.md §7); peers' do not", async () => {
    const tb = await TangleBuilder.create();
    await tb.message("old").store();
    await tb.confirmMilestoneOn(["old"]);
    for (let i = 0; i < 16; i++) {
      await tb.message(`f${i}`).store();
      await tb.confirmMilestoneOn([`f${i}`]);
    }
    // CMI is 17 and "old" was referenced by milestone 1: 17 − 1 > 15.
    const below = await tb.message("B").parents("old").store({ source: "api" });
    assert.equal(below.status === "rejected" && below.code, "MESSAGE_ERROR_PARENT_BELOW_MAX_DEPTH");
    tb.message("ghost").build();
    const unsolid = await tb.message("U").parents("ghost").store({ source: "api" });
    assert.equal(unsolid.status === "rejected" && unsolid.code, "MESSAGE_ERROR_PARENT_NOT_SOLID");
    const fresh = await tb.message("N").parents("f15").store({ source: "api" });
    assert.equal(fresh.status, "new");
    // The same below-max-depth message from a peer is accepted (Hornet checks only API submissions).
    const gossip = await tb.pipeline.ingress.submit(tb.bytes("B"), { source: "peer" });
    assert.equal(gossip.status, "new");
    assert.equal(tb.pipeline.ingress.stats().rejected.MESSAGE_ERROR_PARENT_BELOW_MAX_DEPTH, 1);
    await tb.close();
  });

  it("solid messages become tips, and tip selection returns sorted distinct non-lazy tips", async () => {
    const tb = await TangleBuilder.create();
    await tb.message("A").store();
    await tb.confirmMilestoneOn(["A"]);
    for (const l of ["T1", "T2", "T3", "T4", "T5"]) await tb.message(l).parents("A").store();
    assert.equal(tb.tipSelector.tipCount.nonLazy, 5);
    const tips = tb.tipSelector.selectTips().map(bytesToHex);
    assert.equal(tips.length, 4);
    assert.equal(new Set(tips).size, 4);
    assert.deepEqual([...tips].sort(), tips);
    const tipLabels = tips.map((t) => tb.labelOf(t));
    assert.ok(tipLabels.every((l) => l.startsWith("T")));
    await tb.close();
  });
});
