/**
 * Keeps the vector fixtures honest (ARCHITECTURE.md habit 1): the copy in test/fixtures/vectors equals the team's
 * ../shared/vectors whenever that folder is present, and every vector file is read by some test — or is listed
 * below with the reason and the issue that will read it.
 */
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT, SHARED_VECTORS_DIR, VECTORS_DIR } from "../utils/vectors.js";

/** Vector files no test reads yet, with the reason. Each entry names the issue whose work reads it. */
const NOT_YET_READ: Record<string, string> = {};

function testSources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...testSources(p));
    else if (name.endsWith(".ts")) out.push(readFileSync(p, "utf8"));
  }
  return out;
}

describe("test vector fixtures", () => {
  const files = readdirSync(VECTORS_DIR).sort();

  it("are a byte-exact copy of ../shared/vectors (when that folder exists)", (t) => {
    if (!existsSync(SHARED_VECTORS_DIR)) {
      t.diagnostic("../shared/vectors is not beside this clone; nothing to compare");
      return;
    }
    assert.deepEqual(files, readdirSync(SHARED_VECTORS_DIR).sort());
    for (const f of files) {
      assert.ok(readFileSync(join(VECTORS_DIR, f)).equals(readFileSync(join(SHARED_VECTORS_DIR, f))), f);
    }
  });

  it("are each read by a test, or listed with the reason they are not yet", () => {
    const sources = testSources(join(REPO_ROOT, "test")).filter((s) => !s.includes("NOT_YET_READ"));
    for (const f of files) {
      const read = sources.some((s) => s.includes(`"${f}"`));
      if (f in NOT_YET_READ) assert.equal(read, false, `${f} is read by a test now: remove it from NOT_YET_READ`);
      else assert.ok(read, `no test reads the vector file ${f}`);
    }
    for (const f of Object.keys(NOT_YET_READ)) assert.ok(files.includes(f), `NOT_YET_READ lists a missing file ${f}`);
  });
});
