#!/usr/bin/env node
// Entry point of the `weaver` command. The TypeScript sources are compiled to dist/ by `npm ci` (prepare) or `npm run build`.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = new URL("../dist/src/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write("weaver: not built yet; run `npm ci` or `npm run build` in the repository first.\n");
  process.exit(1);
}
await import(main.href);
