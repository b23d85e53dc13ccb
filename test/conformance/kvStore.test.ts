/**
 * One KvStore conformance suite run against every backend (ARCHITECTURE.md habit 11, Bee's bee-storage-test): the
 * memory backend and lmdb in a fresh temporary directory per test.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, afterEach, describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import fc from "fast-check";
import { compareBytes } from "../../src/primitives/bytes.js";
import { LmdbKvStore } from "../../src/storage/backends/lmdb.js";
import { MemoryKvStore } from "../../src/storage/backends/memory.js";
import type { KvOp, KvRange, KvStore } from "../../src/storage/kv.js";
import { StorageError } from "../../src/storage/storageError.js";
import { KV_KEY_LENGTH_MAX } from "../../src/storage/validateOps.js";

interface Backend {
  name: string;
  create(): KvStore;
}

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "weaver-kv-"));
  tempDirs.push(dir);
  return dir;
}
after(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

const BACKENDS: Backend[] = [
  { name: "memory", create: () => new MemoryKvStore() },
  { name: "lmdb", create: () => LmdbKvStore.open({ path: tempDir() }) },
];

const b = (...bytes: number[]) => Uint8Array.from(bytes);
const put = (key: Uint8Array, value: Uint8Array): KvOp => ({ type: "put", key, value });
const del = (key: Uint8Array): KvOp => ({ type: "del", key });
const keysOf = (store: KvStore, range?: KvRange) => [...store.iterate(range)].map(([k]) => Array.from(k));

async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => e instanceof StorageError && e.code === code);
}
function throwsWith(fn: () => unknown, code: string): void {
  assert.throws(fn, (e: unknown) => e instanceof StorageError && e.code === code);
}

for (const backend of BACKENDS) {
  describe(`KvStore conformance: ${backend.name}`, () => {
    const open: KvStore[] = [];
    const create = () => {
      const s = backend.create();
      open.push(s);
      return s;
    };
    afterEach(async () => {
      for (const s of open.splice(0)) await s.close();
    });

    it("get/has/put/del", async () => {
      const s = create();
      assert.equal(s.get(b(1)), undefined);
      assert.equal(s.has(b(1)), false);
      await s.batch([put(b(1), b(10, 11)), put(b(2), new Uint8Array(0))]);
      assert.deepEqual(s.get(b(1)), b(10, 11));
      assert.deepEqual(s.get(b(2)), new Uint8Array(0), "empty values are values");
      assert.equal(s.has(b(2)), true);
      await s.batch([put(b(1), b(12))]);
      assert.deepEqual(s.get(b(1)), b(12));
      await s.batch([del(b(1)), del(b(99))]);
      assert.equal(s.get(b(1)), undefined);
      assert.equal(s.has(b(1)), false);
    });

    it("a later op on the same key wins within one batch", async () => {
      const s = create();
      await s.batch([put(b(1), b(1)), del(b(1)), put(b(2), b(1)), put(b(2), b(2))]);
      assert.equal(s.has(b(1)), false);
      assert.deepEqual(s.get(b(2)), b(2));
    });

    it("a batch with an invalid op changes nothing", async () => {
      const s = create();
      await s.batch([put(b(1), b(1))]);
      const bad: [unknown, string][] = [
        [{ type: "put", key: [2], value: b(2) }, "STORAGE_ERROR_INVALID_KEY"],
        [{ type: "put", key: "k", value: b(2) }, "STORAGE_ERROR_INVALID_KEY"],
        [put(new Uint8Array(0), b(2)), "STORAGE_ERROR_INVALID_KEY"],
        [put(new Uint8Array(KV_KEY_LENGTH_MAX + 1), b(2)), "STORAGE_ERROR_INVALID_KEY"],
        [{ type: "put", key: b(2), value: "v" }, "STORAGE_ERROR_INVALID_VALUE"],
        [{ type: "put", key: b(2) }, "STORAGE_ERROR_INVALID_VALUE"],
        [{ type: "upsert", key: b(2), value: b(2) }, "STORAGE_ERROR_INVALID_OP"],
        [null, "STORAGE_ERROR_INVALID_OP"],
      ];
      for (const [op, code] of bad) {
        const ops = [put(b(1), b(9)), put(b(3), b(3)), del(b(1)), op] as KvOp[];
        await rejectsWith(s.batch(ops), code);
      }
      assert.deepEqual(keysOf(s), [[1]]);
      assert.deepEqual(s.get(b(1)), b(1));
      // The longest allowed key is accepted.
      await s.batch([put(new Uint8Array(KV_KEY_LENGTH_MAX).fill(7), b(1))]);
      assert.equal(s.count(), 2);
    });

    it("iterates in unsigned byte order: 0x7f before 0x80, a prefix before its extensions", async () => {
      const s = create();
      const keys = [b(0x80), b(0x7f), b(0xff), b(0x00), b(0x7f, 0x00), b(0x7f, 0xff), b(0x01, 0x02, 0x03)];
      await s.batch(keys.map((k) => put(k, k)));
      const expected = [[0x00], [0x01, 0x02, 0x03], [0x7f], [0x7f, 0x00], [0x7f, 0xff], [0x80], [0xff]];
      assert.deepEqual(keysOf(s), expected);
      assert.deepEqual(keysOf(s, { reverse: true }), [...expected].reverse());
      for (const [k, v] of s.iterate()) assert.deepEqual(k, v);
    });

    it("prefix, start, end, reverse and limit select the same keys as a sorted model", async () => {
      const s = create();
      // Small alphabet so prefixes, bounds and keys collide often; includes 0xff to exercise the prefix upper bound.
      const byte = fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff);
      const key = fc.array(byte, { minLength: 1, maxLength: 3 }).map((a) => Uint8Array.from(a));
      const all = fc.sample(fc.uniqueArray(key, { maxLength: 60, selector: (k) => k.join(",") }), {
        numRuns: 1,
        seed: 7,
      })[0]!;
      await s.batch(all.map((k) => put(k, b(k.length))));
      const model = [...all].sort(compareBytes);
      assert.equal(s.count(), model.length);
      const bound = fc.option(
        fc.array(byte, { maxLength: 3 }).map((a) => Uint8Array.from(a)),
        { nil: undefined },
      );
      fc.assert(
        fc.property(
          bound,
          bound,
          bound,
          fc.boolean(),
          fc.option(fc.nat(8), { nil: undefined }),
          (prefix, start, end, reverse, limit) => {
            const range: KvRange = { reverse };
            if (prefix !== undefined) range.prefix = prefix;
            if (start !== undefined) range.start = start;
            if (end !== undefined) range.end = end;
            if (limit !== undefined) range.limit = limit;
            let expected = model.filter(
              (k) =>
                (prefix === undefined ||
                  (k.length >= prefix.length && compareBytes(k.subarray(0, prefix.length), prefix) === 0)) &&
                (start === undefined || compareBytes(k, start) >= 0) &&
                (end === undefined || compareBytes(k, end) < 0),
            );
            if (reverse) expected = expected.reverse();
            if (limit !== undefined) expected = expected.slice(0, limit);
            assert.deepEqual(
              keysOf(s, range),
              expected.map((k) => Array.from(k)),
            );
            if (prefix !== undefined) {
              const n = model.filter(
                (k) => k.length >= prefix.length && compareBytes(k.subarray(0, prefix.length), prefix) === 0,
              ).length;
              assert.equal(s.count(prefix), n);
            }
          },
        ),
        { numRuns: 300, seed: 11 },
      );
    });

    it("count by prefix", async () => {
      const s = create();
      await s.batch([put(b(1, 1), b()), put(b(1, 2), b()), put(b(2), b()), put(b(0xff, 0xff), b()), put(b(0xff), b())]);
      assert.equal(s.count(), 5);
      assert.equal(s.count(b(1)), 2);
      assert.equal(s.count(b(0xff)), 2);
      assert.equal(s.count(b(0xff, 0xff)), 1);
      assert.equal(s.count(b(3)), 0);
    });

    it("sizeBytes grows with the data written and falls back once it is deleted", async () => {
      const s = create();
      const empty = s.sizeBytes();
      const keys = Array.from({ length: 2000 }, (_, i) => b(0x02, i >> 8, i & 0xff));
      await s.batch(keys.map((k) => put(k, new Uint8Array(300).fill(7))));
      const full = s.sizeBytes();
      assert.ok(full >= empty + 2000 * 300, `2000 values of 300 bytes take at least 600 kB (got ${full - empty})`);
      await s.batch(keys.slice(0, 1000).map((k) => del(k)));
      const half = s.sizeBytes();
      assert.ok(half <= full - 1000 * 250, `deleting half the keys frees their space (${full} -> ${half})`);
      await s.batch(keys.slice(1000).map((k) => del(k)));
      assert.equal(s.sizeBytes(), empty, "deleting every key returns to the empty size");
    });

    it("values are copies: they stay valid after later writes and reads, and mutating them changes nothing", async () => {
      const s = create();
      const input = b(1, 2, 3);
      const pending = s.batch([put(b(1), input), put(b(2), b(4, 5, 6))]);
      input[0] = 99;
      await pending;
      assert.deepEqual(s.get(b(1)), b(1, 2, 3), "the store copied the value when batch was called");
      const v1 = s.get(b(1))!;
      const v2 = s.get(b(2))!;
      const iterated = [...s.iterate()];
      await s.batch([put(b(1), b(7, 7, 7)), del(b(2))]);
      s.get(b(1));
      assert.deepEqual(v1, b(1, 2, 3));
      assert.deepEqual(v2, b(4, 5, 6));
      assert.deepEqual(iterated, [
        [b(1), b(1, 2, 3)],
        [b(2), b(4, 5, 6)],
      ]);
      v1.fill(0);
      iterated[0]![0].fill(9);
      assert.deepEqual(s.get(b(1)), b(7, 7, 7));
      assert.deepEqual(keysOf(s), [[1]]);
    });

    it("a closed store refuses every call with STORAGE_ERROR_CLOSED; closing twice is fine", async () => {
      const s = backend.create();
      await s.batch([put(b(1), b(1))]);
      await s.close();
      await s.close();
      throwsWith(() => s.get(b(1)), "STORAGE_ERROR_CLOSED");
      throwsWith(() => s.has(b(1)), "STORAGE_ERROR_CLOSED");
      throwsWith(() => s.iterate(), "STORAGE_ERROR_CLOSED");
      throwsWith(() => s.count(), "STORAGE_ERROR_CLOSED");
      throwsWith(() => s.sizeBytes(), "STORAGE_ERROR_CLOSED");
      await rejectsWith(s.batch([put(b(2), b(2))]), "STORAGE_ERROR_CLOSED");
    });

    it("close waits for a batch still in flight", async () => {
      const s = backend.create();
      const pending = s.batch([put(b(1), b(1))]);
      await s.close();
      await pending;
    });
  });
}

describe("LmdbKvStore", () => {
  it("keeps committed batches across close and reopen", async () => {
    const path = tempDir();
    const s = LmdbKvStore.open({ path });
    await s.batch([put(b(1), b(1)), put(b(2), b(2))]);
    await s.batch([del(b(1))]);
    await s.close();
    const again = LmdbKvStore.open({ path });
    assert.deepEqual(keysOf(again), [[2]]);
    assert.deepEqual(again.get(b(2)), b(2));
    await again.close();
  });

  it("fails with STORAGE_ERROR_OPEN_FAILED when the path cannot hold a database", () => {
    const file = join(tempDir(), "not-a-dir");
    writeFileSync(file, "x");
    throwsWith(() => LmdbKvStore.open({ path: file }), "STORAGE_ERROR_OPEN_FAILED");
  });

  it("after SIGKILL mid-write it reopens with every resolved batch whole and no batch in part", async () => {
    const path = tempDir();
    const storeUrl = pathToFileURL(fileURLToPath(new URL("../../src/storage/backends/lmdb.js", import.meta.url))).href;
    // The child writes batch i = 100 keys [i, j] -> [i] and prints i once the batch resolves.
    const child = spawn(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { LmdbKvStore } = await import(${JSON.stringify(storeUrl)});
         const s = LmdbKvStore.open({ path: ${JSON.stringify(path)} });
         for (let i = 0; ; i++) {
           const ops = [];
           for (let j = 0; j < 100; j++) ops.push({ type: "put", key: Uint8Array.of(i >> 8, i & 255, j), value: new Uint8Array(200).fill(i & 255) });
           await s.batch(ops);
           process.stdout.write(i + "\\n");
         }`,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let resolved = -1;
    await new Promise<void>((resolve, reject) => {
      child.on("error", reject);
      child.on("exit", (code) => reject(new Error(`writer exited early with ${code}`)));
      child.stdout.on("data", (d: Buffer) => {
        const last = d.toString().trim().split("\n").pop();
        resolved = Number(last);
        if (resolved >= 20) {
          child.removeAllListeners("exit");
          child.kill("SIGKILL");
          child.on("exit", () => resolve());
        }
      });
    });
    const s = LmdbKvStore.open({ path });
    const perBatch = new Map<number, number>();
    for (const [k, v] of s.iterate()) {
      const i = (k[0]! << 8) | k[1]!;
      assert.equal(v[0], i & 255);
      perBatch.set(i, (perBatch.get(i) ?? 0) + 1);
    }
    for (const [i, n] of perBatch) assert.equal(n, 100, `batch ${i} is partly stored`);
    for (let i = 0; i <= resolved; i++) assert.equal(perBatch.get(i), 100, `resolved batch ${i} was lost`);
    await s.close();
  });
});
