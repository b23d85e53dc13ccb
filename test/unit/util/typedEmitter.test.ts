import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TypedEmitter } from "../../../src/util/typedEmitter.js";

type Events = { ping: { n: number }; pong: string };

describe("TypedEmitter", () => {
  it("calls handlers in registration order and unregisters them", () => {
    const e = new TypedEmitter<Events>();
    const seen: string[] = [];
    const off = e.on("ping", (p) => seen.push(`a${p.n}`));
    e.on("ping", (p) => seen.push(`b${p.n}`));
    e.emit("ping", { n: 1 });
    off();
    e.emit("ping", { n: 2 });
    assert.deepEqual(seen, ["a1", "b1", "b2"]);
    assert.equal(e.listenerCount("ping"), 1);
    assert.equal(e.listenerCount("pong"), 0);
  });

  it("a throwing handler does not stop the others and is reported", () => {
    const errors: unknown[] = [];
    const e = new TypedEmitter<Events>((err, name) => errors.push([name, (err as Error).message]));
    let reached = false;
    e.on("pong", () => {
      throw new Error("boom");
    });
    e.on("pong", () => {
      reached = true;
    });
    e.emit("pong", "x");
    assert.equal(reached, true);
    assert.deepEqual(errors, [["pong", "boom"]]);
  });
});
