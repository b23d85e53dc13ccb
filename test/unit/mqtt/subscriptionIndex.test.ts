/**
 * SubscriptionIndex: counts per topic spelling and per client, the per-client limit, and (fast-check) agreement with a
 * plain model over random subscribe/unsubscribe/disconnect sequences, ending empty when every client has gone.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { SubscriptionIndex } from "../../../src/mqtt/subscriptionIndex.js";
import { type ParsedTopic, parseTopic } from "../../../src/mqtt/topics.js";
import { HRP } from "./mqttHarness.js";

const ID = "ab".repeat(32);

function topic(t: string): [string, ParsedTopic] {
  const parsed = parseTopic(t, HRP);
  assert.ok(parsed !== null, t);
  return [t, parsed];
}

describe("SubscriptionIndex", () => {
  it("lists each spelling of a key once while any client holds it, and forgets it with the last one", () => {
    const index = new SubscriptionIndex<string>(10);
    const lower = topic(`messages/${ID}/metadata`);
    const upper = topic(`messages/${ID.toUpperCase()}/metadata`);
    assert.equal(index.add("a", ...lower), "added");
    assert.equal(index.add("a", ...lower), "present");
    assert.equal(index.add("b", ...lower), "added");
    assert.equal(index.add("c", ...upper), "added");
    assert.deepEqual([...(index.topicsFor(lower[1].key) ?? [])], [lower[0], upper[0]]);
    assert.equal(index.subscriptions, 3);
    assert.equal(index.keys, 1);
    assert.equal(index.clients, 3);
    assert.ok(index.hasKind("messageMetadata"));

    index.remove("a", lower[0]);
    index.remove("a", lower[0]);
    index.removeClient("c");
    assert.deepEqual([...(index.topicsFor(lower[1].key) ?? [])], [lower[0]]);
    index.remove("b", lower[0]);
    assert.equal(index.topicsFor(lower[1].key), undefined);
    assert.equal(index.hasKind("messageMetadata"), false);
    assert.equal(index.subscriptions, 0);
    assert.equal(index.clients, 0);
  });

  it("refuses a client's subscription over its limit, but not a repeated one or another client's", () => {
    const index = new SubscriptionIndex<string>(2);
    assert.equal(index.add("a", ...topic("messages")), "added");
    assert.equal(index.add("a", ...topic("milestones/latest")), "added");
    assert.equal(index.add("a", ...topic("receipts")), "limit");
    assert.equal(index.add("a", ...topic("messages")), "present");
    assert.equal(index.add("b", ...topic("receipts")), "added");
    assert.equal(index.subscriptionsOf("a"), 2);
    assert.equal(index.parsedOf("a", "receipts"), undefined);
    assert.equal(index.parsedOf("b", "receipts")?.kind, "receipts");
    index.remove("a", "messages");
    assert.equal(index.add("a", ...topic("receipts")), "added");
  });

  it("agrees with a model over random operations and ends empty once every client is gone", () => {
    const topics = [
      "messages",
      "milestones/latest",
      `messages/${ID}/metadata`,
      `messages/${ID.toUpperCase()}/metadata`,
      `outputs/${ID}0000`,
      "messages/indexation/00",
    ].map(topic);
    const op = fc.record({
      kind: fc.constantFrom("add", "remove", "drop"),
      client: fc.integer({ min: 0, max: 3 }),
      topic: fc.integer({ min: 0, max: topics.length - 1 }),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const limit = 4;
        const index = new SubscriptionIndex<number>(limit);
        const model = new Map<number, Set<number>>();
        for (const o of ops) {
          const [name, parsed] = topics[o.topic]!;
          const mine = model.get(o.client) ?? new Set<number>();
          if (o.kind === "add") {
            const expected = mine.has(o.topic) ? "present" : mine.size >= limit ? "limit" : "added";
            assert.equal(index.add(o.client, name, parsed), expected);
            if (expected === "added") mine.add(o.topic);
          } else if (o.kind === "remove") {
            index.remove(o.client, name);
            mine.delete(o.topic);
          } else {
            index.removeClient(o.client);
            mine.clear();
          }
          model.set(o.client, mine);
          for (let t = 0; t < topics.length; t++) {
            const [tName, tParsed] = topics[t]!;
            const holders = [...model.values()].filter((s) => s.has(t)).length;
            const listed = [...(index.topicsFor(tParsed.key) ?? [])].includes(tName);
            assert.equal(listed, holders > 0, `${tName} listed`);
          }
          assert.equal(
            index.subscriptions,
            [...model.values()].reduce((n, s) => n + s.size, 0),
          );
        }
        for (const client of model.keys()) index.removeClient(client);
        assert.equal(index.subscriptions, 0);
        assert.equal(index.keys, 0);
        assert.equal(index.clients, 0);
      }),
      { numRuns: 300 },
    );
  });
});
