/**
 * `npm run bench [-- <id filter>...]`: runs every suite, prints a table and writes bench/results/latest.json.
 * Suites are listed here explicitly so the order (and so the warm state of the machine) is the same every run.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BenchContext, formatNumber, type Suite } from "./harness.js";
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
writeFileSync(join(outDir, "latest.json"), `${JSON.stringify(ctx.results, null, 2)}\n`);
console.log(
  `wrote bench/results/latest.json (${ctx.results.length} results, ${((Date.now() - started) / 1000).toFixed(0)} s)`,
);
process.exit(0);
