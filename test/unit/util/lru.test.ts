import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Lru } from "../../../src/util/lru.js";

describe("Lru", () => {
  it("never holds more than its capacity and evicts the least recently used key", () => {
    const lru = new Lru<number>(2);
    lru.set("a", 1);
    lru.set("b", 2);
    assert.equal(lru.get("a"), 1); // a is now the most recent
    lru.set("c", 3);
    assert.equal(lru.has("b"), false);
    assert.deepEqual([lru.has("a"), lru.has("c"), lru.size], [true, true, 2]);
  });

  it("matches a model under random operations", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }),
        fc.array(fc.tuple(fc.constantFrom("get", "set", "delete"), fc.constantFrom("a", "b", "c", "d", "e", "f"))),
        (capacity, ops) => {
          const lru = new Lru<string>(capacity);
          let model: string[] = []; // least recent first
          for (const [op, key] of ops) {
            if (op === "set") {
              lru.set(key, key);
              model = [...model.filter((k) => k !== key), key];
              if (model.length > capacity) model.shift();
            } else if (op === "get") {
              assert.equal(lru.get(key), model.includes(key) ? key : undefined);
              if (model.includes(key)) model = [...model.filter((k) => k !== key), key];
            } else {
              assert.equal(lru.delete(key), model.includes(key));
              model = model.filter((k) => k !== key);
            }
            assert.equal(lru.size, model.length);
          }
        },
      ),
    );
  });

  it("refuses a capacity below 1", () => {
    assert.throws(() => new Lru(0), RangeError);
  });
});
