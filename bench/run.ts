/**
 * `npm run bench [-- <id filter>...]`: runs every suite, prints a table and writes bench/results/latest.json. A
 * filtered run replaces only the results it measured and keeps the others, so one suite can be re-measured without
 * the whole (long) run.
 * Suites are listed here explicitly so the order (and so the warm state of the machine) is the same every run.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BenchContext, type BenchResult, formatNumber, type Suite } from "./harness.js";
import { SUITES } from "./suites.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const ctx = new BenchContext(process.argv.slice(2));
const cpu = cpus()[0]?.model ?? "unknown CPU";
console.log(`weaver bench: node ${process.version}, ${cpus().length} x ${cpu}`);

const started = Date.now();
for (const suite of SUITES as Suite[]) {
  console.log(`\n${suite.name}`);
  await suite.run(ctx);
}

console.log("\nsummary");
console.table(
  ctx.results.map((r) => ({
    id: r.id,
    median: formatNumber(r.median),
    unit: r.unit,
    samples: r.samples,
    target: r.target ?? "",
    ok: r.meetsTarget === undefined ? "" : r.meetsTarget ? "yes" : "NO",
  })),
);
const outDir = join(root, "bench", "results");
mkdirSync(outDir, { recursive: true });
const latestPath = join(outDir, "latest.json");
let results: BenchResult[] = ctx.results;
if (process.argv.length > 2 && existsSync(latestPath)) {
  const fresh = new Map(ctx.results.map((r) => [r.id, r]));
  const previous = JSON.parse(readFileSync(latestPath, "utf8")) as BenchResult[];
  const kept = previous.map((r) => fresh.get(r.id) ?? r);
  const known = new Set(previous.map((r) => r.id));
  results = [...kept, ...ctx.results.filter((r) => !known.has(r.id))];
}
writeFileSync(latestPath, `${JSON.stringify(results, null, 2)}\n`);
console.log(
  `wrote bench/results/latest.json (${ctx.results.length} measured, ${results.length} in the file, ${((Date.now() - started) / 1000).toFixed(0)} s)`,
);
process.exit(0);
