/**
 * StagedStore (group commit): staged writes are visible to reads at once, reach the store in atomic batches in the
 * order they were made, and a failed batch stops the store for good. The fakes below extend MemoryKvStore so the
 * timing of each batch (when it is applied, when it resolves, whether it fails) is under the test's control.
 */
import assert from "node:assert/strict";
import { afterEach, beforeEach, describe, it } from "node:test";
import fc from "fast-check";
import { compareBytes } from "../../../src/primitives/bytes.js";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { MemoryKvStore } from "../../../src/storage/backends/memory.js";
import type { KvOp, KvRange } from "../../../src/storage/kv.js";
import { StagedStore } from "../../../src/storage/stagedStore.js";
import { StorageError } from "../../../src/storage/storageError.js";
import { errorCodeOf } from "../../utils/errorCode.js";

const b = (...bytes: number[]) => Uint8Array.from(bytes);
const put = (key: Uint8Array, value: Uint8Array): KvOp => ({ type: "put", key, value });
/** One event-loop turn: the StagedStore starts its commit from setImmediate. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Batches wait until the test releases them, oldest first. With `applyEarly` a batch's writes are visible in the
 * store as soon as it is called (LMDB makes a commit visible before its promise resolves); otherwise on release.
 */
class GatedKvStore extends MemoryKvStore {
  readonly waiting: Array<{ ops: readonly KvOp[]; resolve: () => void; reject: (e: unknown) => void }> = [];
  batches = 0;

  constructor(private readonly applyEarly = false) {
    super();
  }

  /** Writes straight into the store, bypassing the gate (initial contents). */
  seed(ops: readonly KvOp[]): Promise<void> {
    return super.batch(ops);
  }

  override batch(ops: readonly KvOp[]): Promise<void> {
    this.batches++;
    if (this.applyEarly) void super.batch(ops);
    return new Promise((resolve, reject) => this.waiting.push({ ops, resolve, reject }));
  }

  /** Applies (unless already applied) and resolves the oldest waiting batch, then lets callbacks run. */
  async release(): Promise<void> {
    const next = this.waiting.shift();
    if (next === undefined) return;
    if (!this.applyEarly) await super.batch(next.ops);
    next.resolve();
    await turn();
  }

  async fail(error: unknown): Promise<void> {
    const next = this.waiting.shift();
    assert.ok(next !== undefined, "no batch is waiting");
    next.reject(error);
    await turn();
  }
}

/** Batches succeed after `delayMs`. */
class SlowKvStore extends MemoryKvStore {
  constructor(private readonly delayMs: number) {
    super();
  }
  override async batch(ops: readonly KvOp[]): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    return super.batch(ops);
  }
}

/** Every batch after the first `okBatches` rejects with `error`. */
class FailingKvStore extends MemoryKvStore {
  calls = 0;
  constructor(
    private readonly error: unknown,
    private readonly okBatches = 0,
  ) {
    super();
  }
  override async batch(ops: readonly KvOp[]): Promise<void> {
    if (this.calls++ >= this.okBatches) throw this.error;
    return super.batch(ops);
  }
}

/** Settles to "resolved"/"rejected" if `p` has settled after a turn, else "pending". */
async function stateOf(p: Promise<unknown>): Promise<"resolved" | "rejected" | "pending"> {
  let state: "resolved" | "rejected" | "pending" = "pending";
  p.then(
    () => {
      state = "resolved";
    },
    () => {
      state = "rejected";
    },
  );
  await turn();
  return state;
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof StorageError && e.code === code);
}

const hexPairs = (it: Iterable<[Uint8Array, Uint8Array]>) =>
  [...it].map(([k, v]) => `${bytesToHex(k)}=${bytesToHex(v)}`);

describe("StagedStore: reads see staged writes at once", () => {
  it("get/has/count/iterate see puts and deletes before any commit; the store sees them after flush()", async () => {
    const kv = new MemoryKvStore();
    await kv.batch([put(b(1), b(10)), put(b(2), b(20)), put(b(3), b(30))]);
    const s = new StagedStore(kv);
    s.put(b(4), b(40));
    s.put(b(2), b(21));
    s.del(b(1));
    s.del(b(9));
    assert.deepEqual(s.get(b(4)), b(40));
    assert.deepEqual(s.get(b(2)), b(21));
    assert.equal(s.get(b(1)), undefined);
    assert.equal(s.has(b(1)), false);
    assert.equal(s.has(b(9)), false);
    assert.equal(s.has(b(3)), true);
    assert.equal(s.count(), 3);
    assert.deepEqual(hexPairs(s.iterate()), ["02=15", "03=1e", "04=28"]);
    assert.equal(s.stagedOps, 4);
    // Nothing reached the store yet: the commit waits for the end of this event-loop turn.
    assert.deepEqual(kv.get(b(1)), b(10));
    assert.equal(kv.has(b(4)), false);
    await s.flush();
    assert.equal(s.stagedOps, 0);
    assert.deepEqual(hexPairs(kv.iterate()), ["02=15", "03=1e", "04=28"]);
  });

  it("the last write to a key wins, across generations", async () => {
    const kv = new GatedKvStore();
    const s = new StagedStore(kv);
    s.put(b(1), b(1));
    s.del(b(1));
    s.put(b(1), b(2));
    await turn();
    assert.equal(kv.waiting.length, 1, "the first generation is committing");
    assert.deepEqual(kv.waiting[0]!.ops, [put(b(1), b(2))], "one op per key, the newest");
    s.del(b(1));
    assert.equal(s.get(b(1)), undefined);
    assert.equal(s.count(), 0);
    await kv.release();
    assert.deepEqual(kv.get(b(1)), b(2));
    assert.equal(s.get(b(1)), undefined, "the newer staged delete still wins over the committed put");
    await kv.release();
    assert.equal(kv.has(b(1)), false);
  });

  it("per-message prefix scans (33-byte prefixes) see staged keys of both generations and the store", async () => {
    const parent = (n: number) => Uint8Array.from([4, ...new Uint8Array(32).fill(n)]);
    const edge = (p: number, c: number) => Uint8Array.from([...parent(p), ...new Uint8Array(32).fill(c)]);
    const kv = new GatedKvStore();
    await kv.seed([put(edge(1, 1), b()), put(edge(2, 1), b())]);
    const s = new StagedStore(kv);
    s.put(edge(1, 2), b());
    s.put(edge(2, 2), b());
    await turn(); // that generation is now committing, held at the gate
    s.put(edge(1, 3), b());
    s.del(edge(1, 1));
    s.put(b(4, 1), b()); // shorter than the prefix: never part of a 33-byte scan
    const children = (p: number) => [...s.iterate({ prefix: parent(p) })].map(([k]) => k[k.length - 1]);
    assert.deepEqual(children(1), [2, 3]);
    assert.deepEqual(children(2), [1, 2]);
    assert.equal(s.count(parent(1)), 2);
    await kv.release(); // the first generation lands, the second starts committing
    await turn();
    while (kv.waiting.length > 0) await kv.release();
    assert.equal(s.stagedOps, 0);
    assert.deepEqual(children(1), [2, 3]);
    assert.deepEqual(
      [...kv.iterate({ prefix: parent(1) })].map(([k]) => k[k.length - 1]),
      [2, 3],
    );
  });

  it("count(prefix) adds staged new keys and subtracts staged deletes of stored keys only", async () => {
    const kv = new MemoryKvStore();
    await kv.batch([put(b(1, 1), b()), put(b(1, 2), b()), put(b(2, 1), b())]);
    const s = new StagedStore(kv);
    s.put(b(1, 3), b()); // new: +1
    s.put(b(1, 1), b(7)); // overwrite: 0
    s.del(b(1, 2)); // stored: -1
    s.del(b(1, 9)); // never stored: 0
    s.put(b(2, 2), b()); // other prefix
    assert.equal(s.count(b(1)), 2);
    assert.equal(s.count(b(2)), 2);
    assert.equal(s.count(b(3)), 0);
    assert.equal(s.count(), 4);
    await s.flush();
    assert.equal(kv.count(b(1)), 2);
    assert.equal(kv.count(), 4);
  });

  it("staged keys are validated like the store's", () => {
    const s = new StagedStore(new MemoryKvStore());
    assert.equal(
      errorCodeOf(() => s.put(new Uint8Array(0), b(1))),
      "STORAGE_ERROR_INVALID_KEY",
    );
    assert.equal(s.stagedOps, 0);
  });

  it("get() hands out a copy: mutating it changes neither later reads nor what is committed", async () => {
    const kv = new MemoryKvStore();
    const s = new StagedStore(kv);
    s.put(b(1), b(1, 2, 3));
    const got = s.get(b(1));
    assert.ok(got !== undefined);
    got.fill(0);
    assert.deepEqual(s.get(b(1)), b(1, 2, 3));
    await s.flush();
    assert.deepEqual(kv.get(b(1)), b(1, 2, 3));
  });
});

// ---- model test ----------------------------------------------------------------------------------------------------

type Step =
  | { t: "put"; key: Uint8Array; value: Uint8Array }
  | { t: "del"; key: Uint8Array }
  /** Let a turn pass: the staged generation starts committing (and waits at the gate). */
  | { t: "turn" }
  /** Release the oldest waiting batch. */
  | { t: "release" }
  | { t: "read"; range: KvRange };

// Few distinct byte values, so keys collide, share prefixes and sit on both sides of 0x7f/0x80 and at 0xff.
const arbKey = fc.uint8Array({ minLength: 1, maxLength: 3 }).map((k) => k.map((x) => [0, 1, 0x7f, 0x80, 0xff][x % 5]!));
const arbBoundBytes = fc.uint8Array({ maxLength: 2 }).map((k) => k.map((x) => [0, 1, 0x80, 0xff][x % 4]!));
const arbBound = fc.option(arbBoundBytes, { nil: undefined });
const arbRange: fc.Arbitrary<KvRange> = fc
  .record({
    prefix: arbBound,
    start: arbBound,
    end: arbBound,
    reverse: fc.boolean(),
    limit: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
  })
  .map((r) => {
    const range: KvRange = { reverse: r.reverse };
    if (r.prefix !== undefined) range.prefix = r.prefix;
    if (r.start !== undefined) range.start = r.start;
    if (r.end !== undefined) range.end = r.end;
    if (r.limit !== undefined) range.limit = r.limit;
    return range;
  });
function arbSteps(key: fc.Arbitrary<Uint8Array>, range: fc.Arbitrary<KvRange>): fc.Arbitrary<Step> {
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({ t: fc.constant("put" as const), key, value: fc.uint8Array({ maxLength: 2 }) }),
    },
    { weight: 3, arbitrary: fc.record({ t: fc.constant("del" as const), key }) },
    { weight: 2, arbitrary: fc.constant({ t: "turn" as const }) },
    { weight: 2, arbitrary: fc.constant({ t: "release" as const }) },
    { weight: 3, arbitrary: fc.record({ t: fc.constant("read" as const), range }) },
  );
}

/**
 * Keys and bounds behind a common 31-byte lead: keys are 32..34 bytes and prefixes up to 33, so range reads also
 * take the StagedStore's 33-byte prefix index (the shape of per-message scans such as children edges).
 */
const LEAD = new Uint8Array(31).fill(0x42);
const lead = (k: Uint8Array) => Uint8Array.from([...LEAD, ...k]);
const KEY_SHAPES = {
  short: { key: arbKey, range: arbRange },
  long: {
    key: arbKey.map(lead),
    range: arbRange.map((r) => {
      const out: KvRange = { ...r };
      if (r.prefix !== undefined) out.prefix = lead(r.prefix);
      if (r.start !== undefined) out.start = lead(r.start);
      if (r.end !== undefined) out.end = lead(r.end);
      return out;
    }),
  },
};

function inModelRange(key: Uint8Array, r: KvRange): boolean {
  if (r.prefix !== undefined && (key.length < r.prefix.length || r.prefix.some((x, i) => key[i] !== x))) return false;
  if (r.start !== undefined && compareBytes(key, r.start) < 0) return false;
  if (r.end !== undefined && compareBytes(key, r.end) >= 0) return false;
  return true;
}

function modelIterate(model: Map<string, Uint8Array>, r: KvRange): string[] {
  const keys = [...model.keys()].map((h) => Uint8Array.from(Buffer.from(h, "hex")));
  const picked = keys.filter((k) => inModelRange(k, r)).sort(compareBytes);
  if (r.reverse) picked.reverse();
  return picked
    .slice(0, r.limit ?? picked.length)
    .map((k) => `${bytesToHex(k)}=${bytesToHex(model.get(bytesToHex(k))!)}`);
}

describe("StagedStore: model test against a Map", () => {
  for (const [shape, arbs] of Object.entries(KEY_SHAPES))
    for (const applyEarly of [false, true]) {
      it(`iterate/get/has/count match the model at every step (${shape} keys, store applies batches ${applyEarly ? "when called" : "when they resolve"})`, async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.tuple(arbs.key, fc.uint8Array({ maxLength: 2 })), { maxLength: 8 }),
            fc.array(arbSteps(arbs.key, arbs.range), { maxLength: 40 }),
            async (initial, steps) => {
              const kv = new GatedKvStore(applyEarly);
              await kv.seed(initial.map(([k, v]) => put(k, v)));
              const model = new Map<string, Uint8Array>(initial.map(([k, v]) => [bytesToHex(k), v]));
              const s = new StagedStore(kv);
              const check = (range: KvRange) => {
                assert.deepEqual(hexPairs(s.iterate(range)), modelIterate(model, range));
                const unlimited = modelIterate(model, { ...(range.prefix ? { prefix: range.prefix } : {}) });
                assert.equal(s.count(range.prefix), unlimited.length);
              };
              for (const step of steps) {
                if (step.t === "put") {
                  s.put(step.key, step.value);
                  model.set(bytesToHex(step.key), step.value);
                } else if (step.t === "del") {
                  s.del(step.key);
                  model.delete(bytesToHex(step.key));
                } else if (step.t === "turn") {
                  await turn();
                } else if (step.t === "release") {
                  await kv.release();
                } else {
                  check(step.range);
                  const key = step.range.start ?? step.range.prefix;
                  if (key !== undefined && key.length > 0) {
                    assert.equal(s.has(key), model.has(bytesToHex(key)));
                    const v = model.get(bytesToHex(key));
                    assert.deepEqual(s.get(key), v);
                  }
                }
              }
              check({});
              // Drain everything: the store must end up holding exactly the model.
              const flushed = s.flush();
              for (let rounds = 0; (await stateOf(flushed)) === "pending"; rounds++) {
                assert.ok(rounds < 100, "flush() never finished");
                await kv.release();
              }
              await flushed;
              assert.equal(s.stagedOps, 0);
              assert.deepEqual(hexPairs(kv.iterate()), modelIterate(model, {}));
            },
          ),
          { numRuns: 300 },
        );
      });
    }
});

// ---- durability --------------------------------------------------------------------------------------------------

describe("StagedStore: durable() and flush()", () => {
  it("durable() with nothing staged resolves at once", async () => {
    const s = new StagedStore(new GatedKvStore());
    assert.equal(await stateOf(s.durable()), "resolved");
  });

  it("durable() resolves in staging order, each only after its writes are in the store", async () => {
    const kv = new GatedKvStore();
    const s = new StagedStore(kv);
    const order: string[] = [];
    s.put(b(1), b(1));
    const p1 = s.durable().then(() => order.push(`1:${kv.has(b(1))}:${kv.has(b(2))}`));
    await turn();
    assert.equal(kv.waiting.length, 1);
    s.put(b(2), b(2));
    const p2 = s.durable().then(() => order.push(`2:${kv.has(b(1))}:${kv.has(b(2))}`));
    assert.equal(kv.waiting.length, 1, "a second batch waits until the first is done");
    assert.equal(await stateOf(p1), "pending");
    await kv.release();
    assert.deepEqual(order, ["1:true:false"]);
    assert.equal(kv.waiting.length, 1, "the next generation commits right after");
    assert.equal(await stateOf(p2), "pending");
    await kv.release();
    await Promise.all([p1, p2]);
    assert.deepEqual(order, ["1:true:false", "2:true:true"]);
    assert.equal(kv.batches, 2);
  });

  it("durable() while only a commit is in flight waits for that commit", async () => {
    const kv = new GatedKvStore();
    const s = new StagedStore(kv);
    s.put(b(1), b(1));
    await turn();
    const p = s.durable();
    assert.equal(await stateOf(p), "pending");
    await kv.release();
    assert.equal(await stateOf(p), "resolved");
  });

  it("everything staged in one turn goes out as one batch", async () => {
    const kv = new GatedKvStore();
    const s = new StagedStore(kv);
    for (let i = 0; i < 100; i++) s.put(b(i), b(i));
    const p = s.durable();
    await turn();
    assert.equal(kv.waiting.length, 1);
    assert.equal(kv.waiting[0]!.ops.length, 100);
    await kv.release();
    await p;
  });

  it("flush() commits every generation, including one staged while another was committing", async () => {
    const kv = new SlowKvStore(5);
    const s = new StagedStore(kv);
    s.put(b(1), b(1));
    await turn();
    assert.equal(s.stagedOps, 1, "first generation in flight");
    s.put(b(2), b(2));
    s.del(b(1));
    await s.flush();
    assert.equal(s.stagedOps, 0);
    assert.deepEqual(hexPairs(kv.iterate()), ["02=02"]);
    await s.flush();
  });
});

// ---- failure -----------------------------------------------------------------------------------------------------

describe("StagedStore: a failed batch stops the store", () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  beforeEach(() => {
    unhandled.length = 0;
    process.on("unhandledRejection", onUnhandled);
  });
  afterEach(async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    process.off("unhandledRejection", onUnhandled);
    assert.deepEqual(unhandled, [], "no unhandled rejections");
  });

  it("writes and point reads throw STORAGE_ERROR_WRITE_FAILED; durable(), flush() and drain() reject", async () => {
    const cause = new Error("disk full");
    const kv = new FailingKvStore(cause);
    const s = new StagedStore(kv);
    s.put(b(1), b(1));
    await rejectsWith(s.durable(), "STORAGE_ERROR_WRITE_FAILED");
    const failure = s.failure;
    assert.ok(failure instanceof StorageError);
    assert.equal(failure.code, "STORAGE_ERROR_WRITE_FAILED");
    assert.equal(failure.cause, cause);
    assert.equal(
      errorCodeOf(() => s.put(b(2), b(2))),
      "STORAGE_ERROR_WRITE_FAILED",
    );
    assert.equal(
      errorCodeOf(() => s.del(b(1))),
      "STORAGE_ERROR_WRITE_FAILED",
    );
    assert.equal(
      errorCodeOf(() => s.get(b(1))),
      "STORAGE_ERROR_WRITE_FAILED",
    );
    assert.equal(
      errorCodeOf(() => s.has(b(1))),
      "STORAGE_ERROR_WRITE_FAILED",
    );
    await rejectsWith(s.durable(), "STORAGE_ERROR_WRITE_FAILED");
    await rejectsWith(s.flush(), "STORAGE_ERROR_WRITE_FAILED");
    await rejectsWith(s.drain(), "STORAGE_ERROR_WRITE_FAILED");
    assert.equal(kv.has(b(1)), false, "nothing of the failed batch was written");
    assert.equal(kv.calls, 1, "no later batch is attempted");
  });

  it("range reads throw STORAGE_ERROR_WRITE_FAILED too, like point reads", async () => {
    const s = new StagedStore(new FailingKvStore(new Error("disk full")));
    s.put(b(1), b(1));
    await rejectsWith(s.durable(), "STORAGE_ERROR_WRITE_FAILED");
    assert.equal(
      errorCodeOf(() => [...s.iterate()]),
      "STORAGE_ERROR_WRITE_FAILED",
    );
    assert.equal(
      errorCodeOf(() => s.count()),
      "STORAGE_ERROR_WRITE_FAILED",
    );
  });

  it("a generation staged while the failing batch was in flight fails too, and so do waiting drain() calls", async () => {
    const kv = new GatedKvStore();
    const s = new StagedStore(kv, { maxStagedOps: 1 });
    s.put(b(1), b(1));
    const first = s.durable();
    await turn();
    s.put(b(2), b(2));
    const second = s.durable();
    assert.equal(s.needsDrain, true);
    const drained = s.drain();
    const outcomes = Promise.all([first, second, drained].map((p) => rejectsWith(p, "STORAGE_ERROR_WRITE_FAILED")));
    await kv.fail(new Error("EIO"));
    await outcomes;
    assert.equal(kv.waiting.length, 0, "the second generation is never sent");
  });

  it("a store error that is already STORAGE_ERROR_WRITE_FAILED is kept as it is", async () => {
    const original = new StorageError("STORAGE_ERROR_WRITE_FAILED", "LMDB batch failed");
    const s = new StagedStore(new FailingKvStore(original, 1));
    s.put(b(1), b(1));
    await s.durable();
    s.put(b(2), b(2));
    await assert.rejects(s.durable(), (e: unknown) => e === original);
    assert.equal(s.failure, original);
  });

  it("a failure nobody awaits causes no unhandled rejection", async () => {
    const s = new StagedStore(new FailingKvStore(new Error("disk full")));
    s.put(b(1), b(1));
    await turn();
    await turn();
    assert.equal(s.failure?.code, "STORAGE_ERROR_WRITE_FAILED");
  });
});

// ---- backpressure ------------------------------------------------------------------------------------------------

describe("StagedStore: drain() backpressure", () => {
  it("resolves at once while under the limit", async () => {
    const s = new StagedStore(new GatedKvStore(), { maxStagedOps: 4 });
    for (let i = 0; i < 4; i++) s.put(b(i), b(i));
    assert.equal(s.needsDrain, false);
    assert.equal(await stateOf(s.drain()), "resolved");
  });

  it("waits until a commit brings the staged ops back under the limit", async () => {
    const kv = new GatedKvStore();
    const s = new StagedStore(kv, { maxStagedOps: 4 });
    for (let i = 0; i < 6; i++) s.put(b(i), b(i));
    assert.equal(s.needsDrain, true);
    const d1 = s.drain();
    assert.equal(await stateOf(d1), "pending", "the first generation is committing, still 6 staged");
    for (let i = 10; i < 15; i++) s.put(b(i), b(i));
    assert.equal(s.stagedOps, 11);
    await kv.release();
    assert.equal(s.stagedOps, 5);
    assert.equal(await stateOf(d1), "pending", "5 > 4 staged after the first commit");
    assert.equal(kv.waiting.length, 1);
    await kv.release();
    assert.equal(await stateOf(d1), "resolved");
    assert.equal(s.needsDrain, false);
  });

  it("a producer that awaits drain() keeps the staged ops bounded against a slow store", async () => {
    const kv = new SlowKvStore(2);
    const max = 50;
    const s = new StagedStore(kv, { maxStagedOps: max });
    let peak = 0;
    for (let i = 0; i < 2000; i++) {
      if (s.needsDrain) await s.drain();
      s.put(b(i >> 8, i & 255), b(1));
      peak = Math.max(peak, s.stagedOps);
    }
    await s.flush();
    assert.equal(peak, max + 1, "staging stops one op past the limit");
    assert.equal(kv.count(), 2000);
  });
});
