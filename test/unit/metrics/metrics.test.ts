import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createMetrics, METRIC_DEFINITIONS, type MetricDefinition } from "../../../src/metrics/metrics.js";
import { parsePrometheusText, sampleValue } from "./promText.js";

const DEFINITIONS: Array<[string, MetricDefinition]> = Object.entries(METRIC_DEFINITIONS);

describe("METRIC_DEFINITIONS", () => {
  it("follow the naming rules: weaver_ snake_case, counters end in _total, histograms in _seconds, names unique", () => {
    const names = DEFINITIONS.map(([, d]) => d.name);
    assert.equal(new Set(names).size, names.length);
    for (const [key, d] of DEFINITIONS) {
      assert.match(d.name, /^weaver_[a-z][a-z0-9_]*[a-z0-9]$/, key);
      assert.doesNotMatch(d.name, /__/, key);
      if (d.type === "counter") assert.match(d.name, /_total$/, key);
      else assert.doesNotMatch(d.name, /_total$/, key);
      if (d.type === "histogram") {
        assert.match(d.name, /_seconds$/, key);
        assert.ok(!d.labelNames.includes("le"), key);
        assert.deepEqual(
          [...d.buckets],
          [...d.buckets].sort((a, b) => a - b),
          key,
        );
      }
      assert.ok(d.help.length > 10 && d.help.endsWith("."), `${key}: help should be a sentence`);
      for (const label of d.labelNames) assert.match(label, /^[a-z][a-zA-Z]*$/, `${key}: label ${label}`);
    }
  });
});

describe("createMetrics", () => {
  it("registers every definition with its name, type, help and labels", async () => {
    const metrics = createMetrics({ processMetrics: false });
    const registered = new Map((await metrics.registry.getMetricsAsJSON()).map((m) => [m.name, m]));
    assert.equal(registered.size, DEFINITIONS.length);
    for (const [key, d] of DEFINITIONS) {
      const m = registered.get(d.name);
      assert.ok(m !== undefined, `${key} (${d.name}) is not registered`);
      assert.equal(String(m.type), d.type);
      assert.equal(m.help, d.help);
    }
    // Labels appear on the samples once a labelled metric is used.
    metrics.messagesRejected.inc({ reason: "MESSAGE_ERROR_INVALID_LENGTH" });
    metrics.apiRequests.inc({ method: "GET", route: "/health", status: "200" });
    const families = parsePrometheusText(await metrics.registry.metrics());
    assert.equal(
      sampleValue(families, "weaver_messages_rejected_total", { reason: "MESSAGE_ERROR_INVALID_LENGTH" }),
      1,
    );
    assert.equal(sampleValue(families, "weaver_api_requests_total", { route: "/health", status: "200" }), 1);
  });

  it("renders text a strict Prometheus parser reads, process metrics included and prefixed weaver_", async () => {
    const metrics = createMetrics();
    metrics.confirmationDuration.observe(0.02);
    metrics.apiRequestDuration.observe({ method: "GET", route: "/api/v1/info" }, 0.003);
    const families = parsePrometheusText(await metrics.registry.metrics());
    for (const [, d] of DEFINITIONS) assert.equal(families.get(d.name)?.type, d.type, d.name);
    for (const name of families.keys()) assert.match(name, /^weaver_/);
    assert.equal(families.get("weaver_process_cpu_seconds_total")?.type, "counter");
    assert.ok(families.has("weaver_nodejs_heap_size_used_bytes"));
    assert.equal(sampleValue(families, "weaver_milestone_confirmation_duration_seconds_count"), 1);
    assert.equal(sampleValue(families, "weaver_milestone_confirmation_duration_seconds_bucket", { le: "0.025" }), 1);
    assert.equal(sampleValue(families, "weaver_milestone_confirmation_duration_seconds_bucket", { le: "0.01" }), 0);
  });

  it("keeps registries apart: two nodes in one process do not share values", async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.messagesReceived.inc(3);
    const fa = parsePrometheusText(await a.registry.metrics());
    const fb = parsePrometheusText(await b.registry.metrics());
    assert.equal(sampleValue(fa, "weaver_messages_received_total"), 3);
    assert.equal(sampleValue(fb, "weaver_messages_received_total"), 0);
  });

  it("runs each collector once per scrape, before the values are read, until it is removed", async () => {
    const metrics = createMetrics();
    let runs = 0;
    const remove = metrics.addCollector(() => {
      runs++;
      metrics.solidifierPending.set(runs * 10);
    });
    let families = parsePrometheusText(await metrics.registry.metrics());
    assert.equal(runs, 1);
    assert.equal(sampleValue(families, "weaver_solidifier_pending_messages"), 10);
    families = parsePrometheusText(await metrics.registry.metrics());
    assert.equal(runs, 2);
    assert.equal(sampleValue(families, "weaver_solidifier_pending_messages"), 20);
    // Two scrapes started in the same turn share one run: both see the value it set.
    const [x, y] = await Promise.all([metrics.registry.metrics(), metrics.registry.metrics()]);
    assert.equal(runs, 3);
    assert.equal(sampleValue(parsePrometheusText(x), "weaver_solidifier_pending_messages"), 30);
    assert.equal(sampleValue(parsePrometheusText(y), "weaver_solidifier_pending_messages"), 30);
    remove();
    families = parsePrometheusText(await metrics.registry.metrics());
    assert.equal(runs, 3);
    assert.equal(sampleValue(families, "weaver_solidifier_pending_messages"), 30);
  });

  it("leaves the process metrics out when asked", async () => {
    const metrics = createMetrics({ processMetrics: false });
    const families = parsePrometheusText(await metrics.registry.metrics());
    assert.equal(
      [...families.keys()].filter((n) => n.startsWith("weaver_process_") || n.startsWith("weaver_nodejs_")).length,
      0,
    );
  });
});

describe("parsePrometheusText (the tests' reader)", () => {
  it("refuses what Prometheus refuses", () => {
    const bad = [
      "weaver_x 1", // no newline at the end
      "# TYPE weaver_x counter\nweaver_y 1\n", // sample outside its family
      "# TYPE weaver_x counter\n# TYPE weaver_x counter\n", // TYPE twice
      "# TYPE weaver_x gauge\nweaver_x{a=b} 1\n", // unquoted label value
      '# TYPE weaver_x gauge\nweaver_x{a="\\q"} 1\n', // bad escape
      "# TYPE weaver_x gauge\nweaver_x one\n", // bad value
      "# TYPE 1x gauge\n", // bad name
      "# TYPE weaver_h histogram\nweaver_h 1\n", // histogram sample without suffix
    ];
    for (const text of bad) assert.throws(() => parsePrometheusText(text), Error, JSON.stringify(text));
    const good = parsePrometheusText(
      '# HELP weaver_x X.\n# TYPE weaver_x gauge\nweaver_x{a="q\\"\\\\\\n",b="2"} +Inf\nweaver_x 1.5e3\nweaver_x Nan\n',
    );
    assert.deepEqual(good.get("weaver_x")?.samples, [
      { name: "weaver_x", labels: { a: 'q"\\\n', b: "2" }, value: Number.POSITIVE_INFINITY },
      { name: "weaver_x", labels: {}, value: 1500 },
      { name: "weaver_x", labels: {}, value: Number.NaN },
    ]);
  });
});
