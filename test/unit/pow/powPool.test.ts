import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { PowHelper } from "@iota/iota.js";
import { powScore } from "../../../src/crypto/powScore.js";
import type { PowError } from "../../../src/pow/powError.js";
import { withNonce } from "../../../src/pow/powJob.js";
import { PowPool } from "../../../src/pow/powPool.js";

const message = (len: number, seed: number) => new Uint8Array(len).map((_, i) => (i * 31 + seed * 7) & 0xff);

/** Asserts that `p` rejects with a PowError carrying `code`. */
async function rejectsWith(p: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(p, (e: PowError) => {
    assert.equal(e.code, code);
    return true;
  });
}

describe("PowPool", () => {
  const pool = new PowPool({ threads: 2 });
  after(() => pool.close());

  it("runs the WASM SIMD kernel in its workers", async () => {
    assert.equal(pool.threads, 2);
    assert.equal(await pool.kernelKind(), "wasm-simd");
  });

  it("mines nonces that iota.js PowHelper.score and our powScore accept, for several sizes and scores", async () => {
    for (const [len, score] of [
      [53, 4000],
      [300, 4000],
      [300, 1],
      [8, 500],
      [1000, 100],
    ] as const) {
      const msg = message(len, len);
      const r = await pool.mine(msg, score);
      const mined = withNonce(msg, r.nonce);
      assert.ok(PowHelper.score(mined) >= score, `len ${len} score ${score}: ${PowHelper.score(mined)}`);
      assert.equal(powScore(mined), PowHelper.score(mined));
      assert.ok(r.hashes > 0 && r.seconds > 0);
    }
  });

  it("ignores the nonce field already in the message", async () => {
    const msg = withNonce(message(100, 1), 0xffff_ffff_ffff_ffffn);
    const r = await pool.mine(msg, 2000);
    assert.ok(PowHelper.score(withNonce(msg, r.nonce)) >= 2000);
  });

  it("runs jobs in sequence and concurrently submitted jobs in parallel", async () => {
    const msgs = Array.from({ length: 6 }, (_, i) => message(200, 100 + i));
    for (const m of msgs.slice(0, 2)) assert.ok(PowHelper.score(withNonce(m, (await pool.mine(m, 500)).nonce)) >= 500);
    const results = await Promise.all(msgs.map((m) => pool.mine(m, 500)));
    for (const [i, r] of results.entries()) assert.ok(PowHelper.score(withNonce(msgs[i]!, r.nonce)) >= 500);
  });

  it("stops a running job within a few milliseconds of its AbortSignal firing, then serves the next job", async () => {
    const controller = new AbortController();
    // About 3^22 hashes: minutes of work, so only the abort can end it.
    const job = pool.mine(message(300, 9), 3 ** 22 / 300, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 300));
    const abortedAt = performance.now();
    controller.abort();
    await rejectsWith(job, "POW_ERROR_ABORTED");
    const stopMs = performance.now() - abortedAt;
    assert.ok(stopMs < 100, `stopped after ${stopMs} ms`);
    const next = await pool.mine(message(300, 10), 1000);
    assert.ok(PowHelper.score(withNonce(message(300, 10), next.nonce)) >= 1000);
  });

  it("drops a queued job whose signal fires before it starts, and refuses an already aborted signal", async () => {
    const first = new AbortController();
    const second = new AbortController();
    const running = pool.mine(message(300, 12), 3 ** 22 / 300, { signal: first.signal });
    const queued = pool.mine(message(300, 13), 1000, { signal: second.signal });
    second.abort();
    await rejectsWith(queued, "POW_ERROR_ABORTED");
    first.abort();
    await rejectsWith(running, "POW_ERROR_ABORTED");
    await rejectsWith(pool.mine(message(300, 14), 1000, { signal: AbortSignal.abort() }), "POW_ERROR_ABORTED");
  });

  it("rejects invalid arguments with typed errors", async () => {
    await rejectsWith(pool.mine(message(300, 1), 0), "POW_ERROR_INVALID_SCORE");
    await rejectsWith(pool.mine(message(300, 1), -5), "POW_ERROR_INVALID_SCORE");
    await rejectsWith(pool.mine(message(300, 1), Number.NaN), "POW_ERROR_INVALID_SCORE");
    await rejectsWith(pool.mine(message(300, 1), Number.POSITIVE_INFINITY), "POW_ERROR_INVALID_SCORE");
    await rejectsWith(pool.mine(message(7, 1), 100), "POW_ERROR_MESSAGE_TOO_SHORT");
    await rejectsWith(pool.mine(message(300, 1), 1e200), "POW_ERROR_TARGET_UNREACHABLE");
    assert.throws(() => new PowPool({ threads: 0 }), { name: "PowError", message: /threads/ });
    assert.throws(
      () => new PowPool({ threads: 1.5 }),
      (e: PowError) => e.code === "POW_ERROR_INVALID_THREADS",
    );
  });
});

describe("PowPool with the pure-TS fallback forced", () => {
  it("runs the TS kernel and mines valid nonces", async () => {
    const pool = new PowPool({ threads: 1, kernel: "ts" });
    try {
      assert.equal(await pool.kernelKind(), "ts");
      const msg = message(120, 3);
      const r = await pool.mine(msg, 500);
      assert.ok(PowHelper.score(withNonce(msg, r.nonce)) >= 500);
    } finally {
      await pool.close();
    }
  });
});

describe("PowPool failure and shutdown", () => {
  it("rejects the job (instead of hanging) when a worker crashes, and replaces the worker", async () => {
    const workerUrl = new URL("./fixtures/crashingPowWorker.js", import.meta.url);
    const pool = new PowPool({ threads: 2, workerUrl });
    try {
      await rejectsWith(pool.mine(message(100, 1), 100), "POW_ERROR_WORKER_FAILED");
      await assert.rejects(pool.mine(message(100, 2), 100), /simulated kernel crash/);
    } finally {
      await pool.close();
    }
  });

  it("close() rejects the running and queued jobs and later calls", async () => {
    const pool = new PowPool({ threads: 1 });
    const running = rejectsWith(pool.mine(message(300, 1), 3 ** 22 / 300), "POW_ERROR_POOL_CLOSED");
    const queued = rejectsWith(pool.mine(message(300, 2), 100), "POW_ERROR_POOL_CLOSED");
    await new Promise((r) => setTimeout(r, 50));
    await pool.close();
    await running;
    await queued;
    await rejectsWith(pool.mine(message(300, 3), 100), "POW_ERROR_POOL_CLOSED");
    await pool.close();
  });

  it("an idle pool does not keep the process alive", async () => {
    const poolUrl = new URL("../../../src/pow/powPool.js", import.meta.url).href;
    const script = `import { PowPool } from ${JSON.stringify(poolUrl)};
      const pool = new PowPool({ threads: 2 });
      const r = await pool.mine(new Uint8Array(64), 100);
      console.log(typeof r.nonce);`;
    const started = performance.now();
    const file = join(mkdtempSync(join(tmpdir(), "weaver-pow-")), "idlePool.mjs");
    writeFileSync(file, script);
    const r = spawnSync(process.execPath, [file], { encoding: "utf8", timeout: 10_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), "bigint");
    assert.ok(performance.now() - started < 10_000);
  });
});
