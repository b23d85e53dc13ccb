/** docs/errors.md and the code list the same CodecError codes (ARCHITECTURE.md: docs enforced by tests). */
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CODEC_ERROR_CODES } from "../../../src/codec/codecError.js";
import { REPO_ROOT } from "../../utils/vectors.js";

const doc = readFileSync(join(REPO_ROOT, "docs", "errors.md"), "utf8");
const codecSource = readdirSync(join(REPO_ROOT, "src", "codec"))
  .filter((f) => f.endsWith(".ts"))
  .map((f) => readFileSync(join(REPO_ROOT, "src", "codec", f), "utf8"))
  .join("\n");
const codesIn = (text: string): Set<string> => new Set(text.match(/CODEC_ERROR_[A-Z0-9_]+/g) ?? []);
/** Codes as string literals in source (the exported array's own name is not a code). */
const quotedCodesIn = (text: string): Set<string> =>
  new Set([...text.matchAll(/"(CODEC_ERROR_[A-Z0-9_]+)"/g)].map((m) => m[1]!));

describe("docs/errors.md (codec section)", () => {
  it("documents every code in CODEC_ERROR_CODES, each in its own table row", () => {
    // Rows may be padded by the formatter: "| `CODE`   | kind | …".
    const rowCodes = new Set(
      doc
        .split("\n")
        .map((line) => /^\|\s*`(CODEC_ERROR_[A-Z0-9_]+)`\s*\|/.exec(line)?.[1])
        .filter((c): c is string => c !== undefined),
    );
    for (const code of CODEC_ERROR_CODES) assert.ok(rowCodes.has(code), `${code} is not documented`);
  });

  it("documents no code that the code does not have", () => {
    const known = new Set<string>(CODEC_ERROR_CODES);
    assert.deepEqual(
      [...codesIn(doc)].filter((c) => !known.has(c)),
      [],
    );
  });

  it("every code used in src/codec is in CODEC_ERROR_CODES, which has no duplicates", () => {
    const known = new Set<string>(CODEC_ERROR_CODES);
    assert.equal(known.size, CODEC_ERROR_CODES.length);
    const used = quotedCodesIn(codecSource);
    assert.ok(used.size >= CODEC_ERROR_CODES.length);
    assert.deepEqual(
      [...used].filter((c) => !known.has(c)),
      [],
    );
  });
});
