/**
 * One benchmark harness for every `*.bench.ts` (ARCHITECTURE.md habit 10). A suite registers measurements with
 * stable ids; `bench/run.ts` runs them all, prints one table and writes `bench/results/latest.json` as an array of
 * `{id, unit, median, samples}`. Anchors (iota.js) run in the same process and the same run as our code, and
 * `ratio` entries compare the two, so a noisy machine moves both sides together.
 *
 * Targets are printed beside the numbers but never fail the run: CI machines are noisy (developers' guide).
 */
import { Bench } from "tinybench";

export interface BenchResult {
  /** Stable id, e.g. `pow.mine.wasm.threads1`; never renamed, so results stay comparable across runs. */
  id: string;
  unit: string;
  median: number;
  samples: number;
  /** Human-readable target from PERFORMANCE.md §5, when there is one. */
  target?: string;
  /** Whether the median meets the target (undefined when no target). */
  meetsTarget?: boolean;
}

export interface Target {
  /** Printed as given, e.g. ">= 2.5M". */
  text: string;
  check: (median: number) => boolean;
}

export const atLeast = (n: number, label = formatNumber(n)): Target => ({ text: `>= ${label}`, check: (m) => m >= n });
export const atMost = (n: number, label = formatNumber(n)): Target => ({ text: `<= ${label}`, check: (m) => m <= n });

export interface Suite {
  /** A short name shown as a heading. */
  name: string;
  run(ctx: BenchContext): Promise<void>;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function formatNumber(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (abs >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  if (abs >= 100) return n.toFixed(0);
  if (abs >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

export interface ThroughputOptions {
  /** Work items done by one call of `fn` (e.g. 128 for a batch of 128 messages). Default 1. */
  opsPerCall?: number;
  /** Measuring time in ms (after warm-up). Default 1000. */
  timeMs?: number;
  target?: Target;
}

export class BenchContext {
  readonly results: BenchResult[] = [];
  /** Substring filters from the command line; empty = run everything. */
  constructor(private readonly filters: string[]) {}

  /** Whether a measurement with this id should run. */
  wants(id: string): boolean {
    return this.filters.length === 0 || this.filters.some((f) => id.includes(f));
  }

  /**
   * Rate of a synchronous or async function, in `unit` (items per second). tinybench times each call; the median
   * call time gives the median rate.
   */
  async throughput(id: string, unit: string, fn: () => unknown, opts: ThroughputOptions = {}): Promise<void> {
    if (!this.wants(id)) return;
    const bench = new Bench({ time: opts.timeMs ?? 1000, warmupTime: 200, warmupIterations: 5 });
    bench.add(id, fn);
    await bench.run();
    const task = bench.tasks[0]!;
    const r = task.result;
    if (!("latency" in r)) throw new Error(`bench ${id} failed: ${r.state}`);
    const perCallMs = r.latency.p50;
    const value = ((opts.opsPerCall ?? 1) * 1000) / perCallMs;
    this.record(id, unit, value, r.latency.samplesCount, opts.target);
  }

  /** Median latency of one call, in microseconds. */
  async latency(id: string, fn: () => unknown, opts: { timeMs?: number; target?: Target } = {}): Promise<void> {
    if (!this.wants(id)) return;
    const bench = new Bench({ time: opts.timeMs ?? 1000, warmupTime: 200, warmupIterations: 5 });
    bench.add(id, fn);
    await bench.run();
    const r = bench.tasks[0]!.result;
    if (!("latency" in r)) throw new Error(`bench ${id} failed: ${r.state}`);
    this.record(id, "µs", r.latency.p50 * 1000, r.latency.samplesCount, opts.target);
  }

  /**
   * A measurement made by the suite itself: `sample()` returns one value in `unit` per call (for example the
   * hashes per second of one mining run across a worker pool); the median of `count` samples is recorded.
   */
  async sampled(
    id: string,
    unit: string,
    sample: () => Promise<number> | number,
    count: number,
    target?: Target,
  ): Promise<void> {
    if (!this.wants(id)) return;
    const values: number[] = [];
    for (let i = 0; i < count; i++) values.push(await sample());
    this.record(id, unit, median(values), values.length, target);
  }

  /** Ratio of two results already recorded in this run (e.g. ours / iota.js). */
  ratio(id: string, numeratorId: string, denominatorId: string, target?: Target): void {
    const num = this.get(numeratorId);
    const den = this.get(denominatorId);
    if (num === undefined || den === undefined || den.median === 0) return;
    this.record(id, "x", num.median / den.median, Math.min(num.samples, den.samples), target);
  }

  get(id: string): BenchResult | undefined {
    return this.results.find((r) => r.id === id);
  }

  private record(id: string, unit: string, value: number, samples: number, target: Target | undefined): void {
    if (this.get(id)) throw new Error(`duplicate bench id ${id}`);
    const result: BenchResult = { id, unit, median: value, samples };
    if (target) {
      result.target = target.text;
      result.meetsTarget = target.check(value);
    }
    this.results.push(result);
    const mark = target ? (result.meetsTarget ? "  ok" : "  BELOW TARGET") : "";
    console.log(
      `  ${id.padEnd(44)} ${formatNumber(value).padStart(10)} ${unit.padEnd(12)} ${target ? `(target ${target.text})` : ""}${mark}`,
    );
  }
}
