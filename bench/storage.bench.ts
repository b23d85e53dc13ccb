/**
 * Storage throughput (PERFORMANCE.md §3 measured lmdb at 31k durable writes/s in batches of 1000 and 330k synchronous
 * point reads/s; §5's whole-node target of 10k messages/s ingested needs at least that many durable writes/s).
 * 300-byte values stand for typical messages; keys are MESSAGES keys (33 bytes). Runs in a temporary directory that
 * is removed afterwards.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LmdbKvStore } from "../src/storage/backends/lmdb.js";
import { MemoryKvStore } from "../src/storage/backends/memory.js";
import type { KvOp, KvStore } from "../src/storage/kv.js";
import { messageKey } from "../src/storage/prefixes.js";
import { atLeast, type Suite, type Target } from "./harness.js";

const BATCH = 1000;
const READ_SET = 10_000;
const VALUE = new Uint8Array(300).map((_, i) => (i * 31) & 0xff);

/** A distinct 32-byte id per n, spread over the key space the way BLAKE2b ids are. */
function id(n: number): Uint8Array {
  const out = new Uint8Array(32);
  let x = (n + 1) * 0x9e3779b1;
  for (let i = 0; i < 32; i++) {
    x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) >>> 0;
    out[i] = x & 0xff;
  }
  return out;
}

async function fill(store: KvStore, count: number): Promise<Uint8Array[]> {
  const keys = Array.from({ length: count }, (_, n) => messageKey(id(n)));
  for (let i = 0; i < count; i += BATCH) {
    await store.batch(keys.slice(i, i + BATCH).map((key): KvOp => ({ type: "put", key, value: VALUE })));
  }
  return keys;
}

async function measureReads(
  ctx: Parameters<Suite["run"]>[0],
  benchId: string,
  store: KvStore,
  target?: Target,
): Promise<void> {
  if (!ctx.wants(benchId)) return;
  const keys = await fill(store, READ_SET);
  let next = 0;
  let sink = 0;
  await ctx.throughput(
    benchId,
    "reads/s",
    () => {
      for (let i = 0; i < BATCH; i++) {
        sink += store.get(keys[next]!)!.length;
        next = (next + 1) % READ_SET;
      }
    },
    target ? { opsPerCall: BATCH, target } : { opsPerCall: BATCH },
  );
  if (sink === 0) throw new Error("reads returned nothing");
}

export const storageSuite: Suite = {
  name: "Storage",
  async run(ctx) {
    const dir = mkdtempSync(join(tmpdir(), "weaver-bench-storage-"));
    const lmdb = LmdbKvStore.open({ path: dir });
    const memory = new MemoryKvStore();
    try {
      let written = READ_SET;
      await ctx.throughput(
        "storage.lmdb.batchWrite.300B",
        "writes/s",
        async () => {
          const ops: KvOp[] = [];
          for (let i = 0; i < BATCH; i++) ops.push({ type: "put", key: messageKey(id(written++)), value: VALUE });
          await lmdb.batch(ops);
        },
        { opsPerCall: BATCH, timeMs: 2000, target: atLeast(10_000) },
      );
      await measureReads(ctx, "storage.lmdb.get.300B", lmdb, atLeast(330_000));
      await measureReads(ctx, "storage.memory.get.300B", memory);
    } finally {
      await lmdb.close();
      await memory.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
