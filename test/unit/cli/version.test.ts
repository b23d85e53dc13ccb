import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { it } from "node:test";
import { VERSION } from "../../../src/cli/version.js";
import { REPO_ROOT } from "../../utils/vectors.js";

it("the CLI version equals package.json's", () => {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string };
  assert.equal(VERSION, pkg.version);
});
