/** docs/storage-layout.md and src/storage/prefixes.ts list the same tables with the same bytes (habit 11). */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { STORE_PREFIXES } from "../../../src/storage/prefixes.js";
import { REPO_ROOT } from "../../utils/vectors.js";

const doc = readFileSync(join(REPO_ROOT, "docs", "storage-layout.md"), "utf8");
const hex = (n: number) => `0x${n.toString(16).padStart(2, "0")}`;

describe("docs/storage-layout.md", () => {
  it("has one table row per prefix, with the byte and name from prefixes.ts", () => {
    for (const [name, byte] of Object.entries(STORE_PREFIXES)) {
      const row = new RegExp(`^\\|\\s*\`${hex(byte)}\`\\s*\\|\\s*\`${name}\`\\s*\\|`, "m");
      assert.match(doc, row, `${name} (${hex(byte)}) is not documented`);
    }
  });

  it("documents no table that prefixes.ts lacks", () => {
    const rows = [...doc.matchAll(/^\|\s*`(0x[0-9a-f]{2})`\s*\|\s*`([A-Z_]+)`\s*\|/gm)].map((m) => [m[2], m[1]]);
    const known = Object.entries(STORE_PREFIXES).map(([n, b]) => [n, hex(b)]);
    assert.deepEqual(rows.sort(), known.sort());
  });

  it("no two prefixes share a byte", () => {
    const bytes = Object.values(STORE_PREFIXES);
    assert.equal(new Set(bytes).size, bytes.length);
  });
});
