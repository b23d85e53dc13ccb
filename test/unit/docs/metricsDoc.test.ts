/**
 * docs/metrics.md and the code list the same metrics (ARCHITECTURE.md habit 13: documented metrics): every metric of
 * METRIC_DEFINITIONS and every process metric the registry serves has a table row with its type and labels, and the
 * tables list nothing the code does not define.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { createMetrics, METRIC_DEFINITIONS } from "../../../src/metrics/metrics.js";
import { REPO_ROOT } from "../../utils/vectors.js";

interface Row {
  type: string;
  labels: string[];
}

const doc = readFileSync(join(REPO_ROOT, "docs", "metrics.md"), "utf8");

/** Table rows `| \`name\` | type | labels | meaning |` (padded by the formatter). */
const rows = new Map<string, Row>();
const duplicates: string[] = [];
for (const line of doc.split("\n")) {
  const m = /^\|\s*`(weaver_[a-z0-9_]+)`\s*\|\s*([a-z]+)\s*\|([^|]*)\|/.exec(line);
  if (m === null) continue;
  const [, name, type, labels] = m as unknown as [string, string, string, string];
  if (rows.has(name)) duplicates.push(name);
  rows.set(name, { type, labels: [...labels.matchAll(/`([a-zA-Z_]+)`/g)].map((l) => l[1]!) });
}

const DEFINED = Object.values(METRIC_DEFINITIONS);
const PROCESS_PREFIXES = ["weaver_process_", "weaver_nodejs_"];

describe("docs/metrics.md", () => {
  it("has one row per metric", () => {
    assert.deepEqual(duplicates, []);
    assert.ok(rows.size >= DEFINED.length);
  });

  it("documents every defined metric with its type and labels", () => {
    for (const d of DEFINED) {
      const row = rows.get(d.name);
      assert.ok(row !== undefined, `${d.name} is not documented`);
      assert.equal(row.type, d.type, `${d.name}: type`);
      assert.deepEqual(row.labels, [...d.labelNames], `${d.name}: labels`);
    }
  });

  it("documents every process metric the registry serves, with its type", async () => {
    const served = await createMetrics().registry.getMetricsAsJSON();
    const defined = new Set<string>(DEFINED.map((d) => d.name));
    const processMetrics = served.filter((m) => !defined.has(m.name));
    assert.ok(processMetrics.length > 10);
    for (const m of processMetrics) {
      assert.ok(
        PROCESS_PREFIXES.some((p) => m.name.startsWith(p)),
        `${m.name} is neither defined nor a process metric`,
      );
      assert.equal(rows.get(m.name)?.type, String(m.type), `${m.name} is not documented as ${m.type}`);
    }
  });

  it("documents nothing the code does not define", () => {
    const defined = new Set<string>(DEFINED.map((d) => d.name));
    const stray = [...rows.keys()].filter((n) => !defined.has(n) && !PROCESS_PREFIXES.some((p) => n.startsWith(p)));
    assert.deepEqual(stray, []);
    // Names in the prose must exist too (a renamed metric leaves no stale mention behind).
    const mentioned = new Set(doc.match(/\bweaver_[a-z0-9_]*[a-z0-9]\b/g) ?? []);
    assert.deepEqual(
      [...mentioned].filter((n) => !rows.has(n)),
      [],
    );
  });
});
