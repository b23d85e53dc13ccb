/**
 * TIP-12 mining and batched PoW validation (PERFORMANCE.md §1, §2, §5), beside iota.js 1.8.6 LocalPowProvider.
 *
 * Mining rates are total hashes tried / wall seconds over runs of at least MIN_RUN_MS, each run a sequence of real
 * mining jobs (300-byte messages, a fresh message per job) through a warm PowPool, so per-job overhead (BLAKE2b,
 * messages to the workers, stopping) is included.
 *
 * The iota.js anchor: `LocalPowProvider.pow` searches nonces 0, 1, 2, … one Curl transform each and returns the first
 * that reaches the target, so the hashes it tried are exactly `nonce + 1`. It is synchronous and slow (~4k H/s), so
 * it runs at a score needing 7 trailing zeros (~2,200 hashes expected) on a series of messages until MIN_RUN_MS has
 * passed: an exact count of transforms over the real provider's wall time.
 */
import { LocalPowProvider } from "@iota/iota.js";
import { PowBatchValidator } from "../src/pow/powBatchValidator.js";
import { PowPool } from "../src/pow/powPool.js";
import { atLeast, type BenchContext, type Suite } from "./harness.js";

const MIN_RUN_MS = 1500;
const SAMPLES = 3;
const MESSAGE_LENGTH = 300;

let seed = 0;
function nextMessage(): Uint8Array {
  seed++;
  return new Uint8Array(MESSAGE_LENGTH).map((_, i) => (i * 31 + seed * 977 + (seed >> 8)) & 0xff);
}

/** Hashes per second of back-to-back jobs on `pool` for at least MIN_RUN_MS. */
async function poolRate(pool: PowPool, score: number): Promise<number> {
  let hashes = 0;
  const started = performance.now();
  do hashes += (await pool.mine(nextMessage(), score)).hashes;
  while (performance.now() - started < MIN_RUN_MS);
  return hashes / ((performance.now() - started) / 1000);
}

async function minePool(
  ctx: BenchContext,
  id: string,
  options: ConstructorParameters<typeof PowPool>[0],
  score: number,
  target: ReturnType<typeof atLeast>,
): Promise<void> {
  if (!ctx.wants(id)) return;
  const pool = new PowPool(options);
  try {
    // Warm-up: workers started, kernel compiled and tiered up.
    await poolRate(pool, score);
    await ctx.sampled(id, "hashes/s", () => poolRate(pool, score), SAMPLES, target);
  } finally {
    await pool.close();
  }
}

async function iotajsRate(): Promise<number> {
  const provider = new LocalPowProvider();
  // 3^7 / 300 ≥ 7 > 3^6 / 300: seven trailing zeros.
  const score = 7;
  let hashes = 0;
  const started = performance.now();
  do hashes += Number(await provider.pow(nextMessage(), score)) + 1;
  while (performance.now() - started < MIN_RUN_MS);
  return hashes / ((performance.now() - started) / 1000);
}

export const powSuite: Suite = {
  name: "PoW (TIP-12)",
  async run(ctx) {
    await minePool(ctx, "pow.mine.wasm.threads1", { threads: 1 }, 4000, atLeast(2_500_000, "2.5M"));
    await minePool(ctx, "pow.mine.wasm.threads2", { threads: 2 }, 4000, atLeast(4_500_000, "4.5M"));
    // At score 4000 a TS job takes seconds; score 100 (10 zeros, ~59k hashes) keeps many jobs in one run.
    await minePool(ctx, "pow.mine.ts.threads1", { threads: 1, kernel: "ts" }, 100, atLeast(250_000, "250k"));
    await ctx.sampled("pow.mine.iotajs.localPowProvider", "hashes/s", iotajsRate, SAMPLES);
    ctx.ratio(
      "pow.mine.wasm.threads1.vsIotajs",
      "pow.mine.wasm.threads1",
      "pow.mine.iotajs.localPowProvider",
      atLeast(600),
    );
    ctx.ratio("pow.mine.wasm.scaling2", "pow.mine.wasm.threads2", "pow.mine.wasm.threads1", atLeast(1.8));

    const batch = Array.from({ length: 128 }, () => nextMessage());
    for (const [id, kernel, target] of [
      ["pow.validate.batched.wasm", "wasm", atLeast(100_000, "100k")],
      ["pow.validate.batched.ts", "ts", undefined],
    ] as const) {
      const validator = new PowBatchValidator(kernel);
      await ctx.throughput(id, "messages/s", () => validator.scores(batch), {
        opsPerCall: batch.length,
        ...(target ? { target } : {}),
      });
    }
  },
};
