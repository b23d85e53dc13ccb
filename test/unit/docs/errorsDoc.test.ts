/**
 * docs/errors.md and the code list the same error codes, for every domain (ARCHITECTURE.md habit 4: every code
 * appears in docs/errors.md, and a test keeps the two in sync).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { API_ERROR_CODES } from "../../../src/api/apiError.js";
import { TOOL_ERROR_CODES } from "../../../src/cli/toolError.js";
import { CODEC_ERROR_CODES } from "../../../src/codec/codecError.js";
import { COORDINATOR_ERROR_CODES } from "../../../src/coordinator/coordinatorState.js";
import { CRYPTO_ERROR_CODES } from "../../../src/crypto/cryptoError.js";
import { GOSSIP_ERROR_CODES } from "../../../src/gossip/gossipError.js";
import { LEDGER_ERROR_CODES } from "../../../src/ledger/ledgerError.js";
import { SNAPSHOT_ERROR_CODES } from "../../../src/ledger/snapshot/snapshotError.js";
import { MILESTONE_ERROR_CODES } from "../../../src/milestones/milestoneError.js";
import { NODE_ERROR_CODES } from "../../../src/node/nodeError.js";
import { MESSAGE_ERROR_CODES } from "../../../src/pipeline/messageError.js";
import { POW_ERROR_CODES } from "../../../src/pow/powError.js";
import { STORAGE_ERROR_CODES } from "../../../src/storage/storageError.js";
import { TANGLE_ERROR_CODES } from "../../../src/tangle/tangleError.js";
import { REPO_ROOT } from "../../utils/vectors.js";

const LISTS: Record<string, readonly string[]> = {
  API: API_ERROR_CODES,
  CODEC: CODEC_ERROR_CODES,
  COORDINATOR: COORDINATOR_ERROR_CODES,
  CRYPTO: CRYPTO_ERROR_CODES,
  GOSSIP: GOSSIP_ERROR_CODES,
  LEDGER: LEDGER_ERROR_CODES,
  MESSAGE: MESSAGE_ERROR_CODES,
  MILESTONE: MILESTONE_ERROR_CODES,
  NODE: NODE_ERROR_CODES,
  POW: POW_ERROR_CODES,
  SNAPSHOT: SNAPSHOT_ERROR_CODES,
  STORAGE: STORAGE_ERROR_CODES,
  TANGLE: TANGLE_ERROR_CODES,
  TOOL: TOOL_ERROR_CODES,
};
const ALL = Object.values(LISTS).flat();
const CODE = /[A-Z]+_ERROR_[A-Z0-9_]+/;

const doc = readFileSync(join(REPO_ROOT, "docs", "errors.md"), "utf8");

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (name.endsWith(".ts")) out.push(readFileSync(p, "utf8"));
  }
  return out;
}

describe("docs/errors.md", () => {
  it("documents every code of every domain, each in its own table row", () => {
    // Rows may be padded by the formatter: "| `CODE`   | kind | …".
    const rowCodes = new Set(
      doc
        .split("\n")
        .map((line) => new RegExp(`^\\|\\s*\`(${CODE.source})\`\\s*\\|`).exec(line)?.[1])
        .filter((c): c is string => c !== undefined),
    );
    for (const code of ALL) assert.ok(rowCodes.has(code), `${code} is not documented`);
  });

  it("documents no code that the code does not have", () => {
    const known = new Set(ALL);
    const mentioned = new Set(doc.match(new RegExp(CODE.source, "g")) ?? []);
    assert.deepEqual(
      [...mentioned].filter((c) => !known.has(c)),
      [],
    );
  });

  it("every code literal in src/ is in its domain's list; lists have no duplicates and no foreign prefixes", () => {
    for (const [domain, list] of Object.entries(LISTS)) {
      assert.equal(new Set(list).size, list.length, `${domain} list has duplicates`);
      for (const code of list) assert.ok(code.startsWith(`${domain}_ERROR_`), code);
    }
    const known = new Set(ALL);
    const used = new Set(
      sources(join(REPO_ROOT, "src")).flatMap((s) =>
        [...s.matchAll(new RegExp(`"(${CODE.source})"`, "g"))].map((m) => m[1]!),
      ),
    );
    assert.deepEqual(
      [...used].filter((c) => !known.has(c)),
      [],
    );
  });
});
