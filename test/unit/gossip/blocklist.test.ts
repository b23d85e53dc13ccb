/**
 * The blocklist of protocol/network.md §7: NodeId and address blocked for 10 minutes, loopback addresses never
 * (local nodes share them), expiry and re-blocking on a fake clock, and a hard bound on its size.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Blocklist, type BlocklistOptions } from "../../../src/gossip/blocklist.js";

const X = "aa".repeat(32);
const Y = "bb".repeat(32);
const Z = "cc".repeat(32);
const MINUTE = 60_000;

function setup(options: BlocklistOptions = {}) {
  const clock = { t: 1_000_000 };
  const list = new Blocklist(options, () => clock.t);
  return { clock, list };
}

describe("Blocklist", () => {
  it("blocks the NodeId and the address for 10 minutes by default", () => {
    const { clock, list } = setup();
    const entry = list.block({ nodeIdHex: X, address: "203.0.113.5" }, "invalid-message", "bad signature");
    assert.deepEqual(entry, {
      nodeIdHex: X,
      address: "203.0.113.5",
      reason: "invalid-message",
      detail: "bad signature",
      since: 1_000_000,
      until: 1_000_000 + 10 * MINUTE,
    });
    assert.deepEqual(list.check({ nodeIdHex: X }), entry);
    // Another NodeId from the same address (a fresh key pair) is still refused.
    assert.deepEqual(list.check({ nodeIdHex: Y, address: "203.0.113.5" }), entry);
    assert.equal(list.check({ nodeIdHex: Y, address: "203.0.113.6" }), undefined);
    assert.equal(list.check({}), undefined);
    assert.equal(list.size, 1);

    clock.t += 10 * MINUTE - 1;
    assert.ok(list.check({ nodeIdHex: X }));
    clock.t += 1;
    assert.equal(list.check({ nodeIdHex: X }), undefined);
    assert.equal(list.check({ address: "203.0.113.5" }), undefined);
    assert.equal(list.size, 0);
    assert.deepEqual(list.list(), []);
  });

  it("honours a configured duration and drops expired entries from list() and size", () => {
    const { clock, list } = setup({ durationMs: 1000 });
    list.block({ nodeIdHex: X }, "manual", "first");
    clock.t += 600;
    list.block({ nodeIdHex: Y }, "manual", "second");
    assert.deepEqual(
      list.list().map((e) => e.detail),
      ["first", "second"],
    );
    clock.t += 400;
    assert.deepEqual(
      list.list().map((e) => e.detail),
      ["second"],
    );
    assert.equal(list.size, 1);
  });

  it("re-blocking extends the block and records the latest reason", () => {
    const { clock, list } = setup();
    list.block({ nodeIdHex: X, address: "198.51.100.1" }, "malformed-frame", "first");
    clock.t += 8 * MINUTE;
    const again = list.block({ nodeIdHex: X, address: "198.51.100.1" }, "low-pow", "second");
    assert.equal(again.until, clock.t + 10 * MINUTE);
    clock.t += 5 * MINUTE;
    assert.equal(list.check({ nodeIdHex: X })?.reason, "low-pow");
    assert.equal(list.check({ address: "198.51.100.1" })?.detail, "second");
    assert.equal(list.size, 1);
  });

  it("never blocks a loopback address, but does block the NodeId", () => {
    for (const address of ["127.0.0.1", "127.0.0.2", "::1", "::ffff:127.0.0.1", "localhost"]) {
      const { list } = setup();
      const entry = list.block({ nodeIdHex: X, address }, "wrong-network", "mainnet");
      assert.equal(entry.address, undefined, address);
      assert.equal(list.check({ nodeIdHex: Y, address }), undefined, address);
      assert.equal(list.check({ nodeIdHex: X, address })?.nodeIdHex, X, address);
    }
    // With only a loopback address there is nothing to record.
    const { list } = setup();
    list.block({ address: "127.0.0.1" }, "manual", "nothing");
    assert.equal(list.size, 0);
    assert.equal(list.check({ address: "127.0.0.1" }), undefined);
  });

  it("matches addresses and NodeIds however they are spelled", () => {
    const { list } = setup();
    list.block({ nodeIdHex: X.toUpperCase(), address: "::ffff:192.0.2.7" }, "manual", "");
    assert.ok(list.check({ address: "192.0.2.7" }));
    assert.ok(list.check({ nodeIdHex: X }));
    list.block({ address: "2001:DB8:0:0:0:0:0:1" }, "manual", "");
    assert.ok(list.check({ address: "2001:db8::1" }));
    assert.equal(list.list()[0]?.address, "192.0.2.7");
  });

  it("unblock lifts the NodeId and the address blocked with it", () => {
    const { clock, list } = setup({ durationMs: 1000 });
    list.block({ nodeIdHex: X, address: "192.0.2.1" }, "manual", "");
    assert.equal(list.unblock(X.toUpperCase()), true);
    assert.equal(list.check({ nodeIdHex: X }), undefined);
    assert.equal(list.check({ address: "192.0.2.1" }), undefined);
    assert.equal(list.unblock(X), false);
    assert.equal(list.unblock(Y), false);
    list.block({ nodeIdHex: Y }, "manual", "");
    clock.t += 1000;
    assert.equal(list.unblock(Y), false, "an expired block is not an active one");
  });

  it("two nodes behind one address: the newer block holds the address, each keeps its NodeId", () => {
    const { list } = setup();
    list.block({ nodeIdHex: X, address: "192.0.2.9" }, "manual", "x");
    list.block({ nodeIdHex: Y, address: "192.0.2.9" }, "manual", "y");
    assert.deepEqual(
      list.list().map((e) => [e.nodeIdHex, e.address]),
      [
        [X, undefined],
        [Y, "192.0.2.9"],
      ],
    );
    assert.equal(list.unblock(Y), true);
    assert.equal(list.check({ address: "192.0.2.9" }), undefined);
    assert.equal(list.check({ nodeIdHex: X })?.detail, "x");
  });

  it("holds at most maxEntries, evicting the least recently blocked", () => {
    const { clock, list } = setup({ maxEntries: 2 });
    list.block({ nodeIdHex: X, address: "192.0.2.1" }, "manual", "x");
    clock.t += 1;
    list.block({ nodeIdHex: Y }, "manual", "y");
    clock.t += 1;
    list.block({ nodeIdHex: X, address: "192.0.2.1" }, "manual", "x again");
    clock.t += 1;
    list.block({ nodeIdHex: Z }, "manual", "z");
    assert.equal(list.size, 2);
    assert.equal(list.check({ nodeIdHex: Y }), undefined, "Y was the least recently blocked");
    assert.ok(list.check({ nodeIdHex: X }));
    assert.ok(list.check({ address: "192.0.2.1" }));
    assert.ok(list.check({ nodeIdHex: Z }));

    const big = setup({ maxEntries: 1000 }).list;
    for (let i = 0; i < 5000; i++)
      big.block({ nodeIdHex: i.toString(16).padStart(64, "0"), address: `10.0.${i >> 8}.${i & 0xff}` }, "manual", "");
    assert.equal(big.size, 1000);
    assert.equal(big.check({ address: "10.0.0.0" }), undefined);
    assert.ok(big.check({ address: `10.0.${4999 >> 8}.${4999 & 0xff}` }));
  });

  it("returns copies: changing a returned entry does not change the block", () => {
    const { list } = setup();
    const entry = list.block({ nodeIdHex: X }, "manual", "");
    entry.until = 0;
    const listed = list.list()[0]!;
    listed.until = 0;
    assert.ok(list.check({ nodeIdHex: X }));
  });
});
