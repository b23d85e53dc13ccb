// Builds everything the node, the tests and the benchmarks need: TypeScript to dist/, then the WASM kernels.
// Runs on `npm ci` (prepare), `npm test`, `npm start` and `npm run bench`, so a fresh clone needs nothing else.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
if (!existsSync(tsc)) {
  console.error("build: TypeScript is not installed; run `npm ci` first.");
  process.exit(1);
}

function run(args) {
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

run([tsc, "-p", "tsconfig.json"]);
run([join(root, "scripts", "buildWasm.mjs")]);
