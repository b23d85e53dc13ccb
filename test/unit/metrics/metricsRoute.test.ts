/**
 * GET /metrics on the API server of the REST tests (real tangle, ledger and pipeline through ConsensusBuilder):
 * Prometheus text that a strict parser reads, values that follow the pipeline, and API requests counted by route
 * template and status with a bounded set of labels whatever URLs clients send.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { isProtectedRoute } from "../../../src/api/auth.js";
import { jwtKey } from "../../../src/api/jwt.js";
import { METRICS_PATH, metricsRoute } from "../../../src/api/metricsRoute.js";
import { registerRequestMetrics, UNMATCHED_ROUTE } from "../../../src/api/requestMetrics.js";
import { createMetrics, METRIC_DEFINITIONS, type Metrics } from "../../../src/metrics/metrics.js";
import { collectNodeMetrics } from "../../../src/pipeline/nodeMetrics.js";
import { type ApiHarness, apiHarness } from "../api/apiHarness.js";
import { type PromFamily, type PromSample, parsePrometheusText, sampleValue } from "./promText.js";

const KEY = jwtKey("a test secret that is long enough for HS256 keys")!;

interface Metered {
  h: ApiHarness;
  metrics: Metrics;
  scrape(): Promise<Map<string, PromFamily>>;
}

/** The harness's server with the metrics wired as the composition root wires them. */
async function metered(): Promise<Metered> {
  const h = await apiHarness({ api: { jwtKey: KEY } });
  const metrics = createMetrics();
  registerRequestMetrics(h.app, metrics);
  h.app.register(metricsRoute, { metrics });
  const { pipeline, tangle } = h.cb.tb;
  collectNodeMetrics(metrics, {
    events: pipeline.events,
    ingress: pipeline.ingress,
    solidifier: pipeline.solidifier,
    tangle,
    confirmer: h.cb.consensus.confirmer,
    durableEvents: { length: 0 },
    gossip: {
      peers: () => [],
      endpoints: () => [],
      blocked: () => [],
      syncStatus: () => ({ synced: false, syncedPeers: 0 }),
      stats: () => ({ requester: { pendingMessages: 0, pendingMilestones: 0 } }),
    },
  });
  return {
    h,
    metrics,
    scrape: async () => {
      const res = await h.get(METRICS_PATH);
      assert.equal(res.statusCode, 200, res.body.slice(0, 300));
      return parsePrometheusText(res.body);
    },
  };
}

function requestSamples(f: Map<string, PromFamily>): PromSample[] {
  return f.get("weaver_api_requests_total")?.samples ?? [];
}

describe("GET /metrics", () => {
  it("answers the Prometheus text format with the registry's content type, every metric typed", async () => {
    const { h, metrics } = await metered();
    const res = await h.get(METRICS_PATH);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers["content-type"], metrics.registry.contentType);
    assert.match(String(res.headers["content-type"]), /^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusText(res.body);
    for (const d of Object.values(METRIC_DEFINITIONS)) assert.equal(families.get(d.name)?.type, d.type, d.name);
    assert.ok(families.has("weaver_process_resident_memory_bytes"));
  });

  it("is public even on a node with an API secret (outside the protected prefixes)", async () => {
    const { h } = await metered();
    assert.equal(isProtectedRoute(METRICS_PATH), false);
    assert.equal((await h.get(METRICS_PATH)).statusCode, 200);
    assert.equal((await h.get("/api/v1/peers")).statusCode, 403);
  });

  it("reflects messages ingested and milestones confirmed through the pipeline since the last scrape", async () => {
    const { h, scrape } = await metered();
    let f = await scrape();
    assert.equal(sampleValue(f, "weaver_messages_new_total"), 0);
    await h.cb.tb.message("A").store();
    await h.cb.tb.message("B").parents("A").store();
    await h.cb.tb.pipeline.ingress.submit(h.cb.tb.bytes("B"), { source: "api" });
    await h.cb.milestone(["B"]);
    f = await scrape();
    assert.equal(sampleValue(f, "weaver_messages_received_total"), 4);
    assert.equal(sampleValue(f, "weaver_messages_new_total"), 3);
    assert.equal(sampleValue(f, "weaver_messages_known_total"), 1);
    assert.equal(sampleValue(f, "weaver_milestone_confirmed_index"), 1);
    assert.equal(sampleValue(f, "weaver_messages_referenced_total", { inclusion: "noTransaction" }), 3);
  });
});

describe("API request metrics", () => {
  it("label requests with the route template, never the URL, and time them", async () => {
    const { h, scrape } = await metered();
    await h.cb.tb.message("A").store();
    // The metadata route answers only once the node is (almost) synced.
    await h.cb.milestone(["A"]);
    const stored = h.cb.tb.hex("A");
    const unknown = "cd".repeat(32);
    assert.equal((await h.get(`/api/v1/messages/${stored}`)).statusCode, 200);
    assert.equal((await h.get(`/api/v1/messages/${stored}/metadata`)).statusCode, 200);
    assert.equal((await h.get(`/api/v1/messages/${unknown}`)).statusCode, 404);
    assert.equal((await h.get(`/api/v1/messages/${unknown}?x=1`)).statusCode, 404);
    const f = await scrape();
    const route = "/api/v1/messages/:messageId";
    assert.equal(sampleValue(f, "weaver_api_requests_total", { method: "GET", route, status: "200" }), 1);
    assert.equal(sampleValue(f, "weaver_api_requests_total", { method: "GET", route, status: "404" }), 2);
    assert.equal(
      sampleValue(f, "weaver_api_requests_total", { route: "/api/v1/messages/:messageId/metadata", status: "200" }),
      1,
    );
    assert.equal(sampleValue(f, "weaver_api_request_duration_seconds_count", { method: "GET", route }), 3);
    assert.ok(sampleValue(f, "weaver_api_request_duration_seconds_sum", { method: "GET", route }) > 0);
    for (const s of [...f.values()].flatMap((family) => family.samples)) {
      for (const value of Object.values(s.labels)) {
        assert.ok(!value.includes(stored) && !value.includes(unknown), `${s.name} carries a raw id: ${value}`);
      }
    }
  });

  it("counts answers given before the handler: 403 of access control under the route's template", async () => {
    const { h, scrape } = await metered();
    assert.equal((await h.get("/api/v1/peers")).statusCode, 403);
    assert.equal((await h.get("/api/v1/peers/12D3KooWxyz")).statusCode, 403);
    const f = await scrape();
    assert.equal(sampleValue(f, "weaver_api_requests_total", { route: "/api/v1/peers", status: "403" }), 1);
    assert.equal(sampleValue(f, "weaver_api_requests_total", { route: "/api/v1/peers/:peerId", status: "403" }), 1);
  });

  it("collapses every URL that matches no route into one label, so clients cannot grow the series", async () => {
    const { h, scrape } = await metered();
    const segment = fc.stringMatching(/^[A-Za-z0-9._~-]{1,12}$/);
    const paths = fc.sample(fc.array(segment, { minLength: 1, maxLength: 4 }), { numRuns: 60, seed: 7 });
    let sent = 0;
    for (const parts of paths) {
      const path = `/nothing-here/${parts.join("/")}`;
      for (const method of ["GET", "POST", "DELETE"] as const) {
        const res = await h.app.inject({ method, url: path });
        assert.equal(res.statusCode, 404);
        sent++;
      }
    }
    const f = await scrape();
    const unmatched = requestSamples(f).filter((s) => s.labels.route === UNMATCHED_ROUTE);
    assert.deepEqual(unmatched.map((s) => s.labels.method).sort(), ["DELETE", "GET", "POST"]);
    assert.equal(
      unmatched.reduce((sum, s) => sum + s.value, 0),
      sent,
    );
    // The scrape is counted once it is answered, after its own text was made.
    assert.deepEqual([...new Set(requestSamples(f).map((s) => s.labels.route))], [UNMATCHED_ROUTE]);
  });

  it("counts the scrape itself under /metrics", async () => {
    const { scrape } = await metered();
    await scrape();
    const f = await scrape();
    assert.equal(sampleValue(f, "weaver_api_requests_total", { route: METRICS_PATH, status: "200" }), 1);
  });
});
