// Copies the numbers of bench/results/latest.json into the README's "Measured performance" table
// (between the bench:start / bench:end markers). Run after `npm run bench`.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const results = JSON.parse(readFileSync(join(root, "bench", "results", "latest.json"), "utf8"));

function fmt(n) {
  const a = Math.abs(n);
  if (a >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  if (a >= 100) return n.toFixed(0);
  return n.toFixed(2);
}

const rows = results.map(
  (r) =>
    `| \`${r.id}\` | ${fmt(r.median)} ${r.unit} | ${r.target ?? ""} | ${r.meetsTarget === undefined ? "" : r.meetsTarget ? "yes" : "**no**"} |`,
);
const table = ["| benchmark | median | target | met |", "| --- | --- | --- | --- |", ...rows].join("\n");
const readmePath = join(root, "README.md");
const readme = readFileSync(readmePath, "utf8");
const next = readme.replace(
  /<!-- bench:start -->[\s\S]*<!-- bench:end -->/,
  `<!-- bench:start -->\n${table}\n<!-- bench:end -->`,
);
writeFileSync(readmePath, next);
console.log(`README: ${results.length} benchmark rows`);
