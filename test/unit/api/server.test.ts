/**
 * The REST API server as a whole: the envelope on every path (success, unknown routes, bad URLs, bad or oversized
 * bodies, failures of the node, HTTP-level client errors), /health's rule, /api/v1/info's fields and /api/routes.
 */
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { Agent, get as httpGet } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { describe, it } from "node:test";
import { type ApiDependencies, DEFAULT_API_OPTIONS } from "../../../src/api/apiContext.js";
import { ApiError } from "../../../src/api/apiError.js";
import { writeClientError } from "../../../src/api/server.js";
import { apiHarness, assertErrorEnvelope, dataOf, NODE_INFO } from "./apiHarness.js";

const MINUTE = 60_000;

/** A socket stand-in that records what writeClientError writes. */
class FakeSocket extends EventEmitter {
  written = "";
  destroyed = false;
  writable = true;
  write(chunk: string): boolean {
    this.written += chunk;
    return true;
  }
  destroy(): this {
    this.destroyed = true;
    return this;
  }
}

function parseRawResponse(raw: string): { status: number; headers: Record<string, string>; body: string } {
  const [head = "", body = ""] = raw.split("\r\n\r\n");
  const [statusLine = "", ...headerLines] = head.split("\r\n");
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(" ")[1]), headers, body };
}

describe("API server: envelope and errors", () => {
  it("answers an unknown route, an unknown method and a trailing slash with a 404 envelope", async () => {
    const h = await apiHarness();
    assertErrorEnvelope(await h.get("/nope"), 404);
    assertErrorEnvelope(await h.get("/api/v1/info/"), 404);
    assertErrorEnvelope(await h.get("/api/v2/info"), 404);
    const message = assertErrorEnvelope(await h.app.inject({ method: "DELETE", url: "/api/v1/info" }), 404);
    assert.match(message, /DELETE \/api\/v1\/info/);
    // The echo of the path is bounded, whatever the client sends.
    const long = assertErrorEnvelope(await h.get(`/${"x".repeat(50_000)}`), 404);
    assert.ok(long.length < 400, `message is ${long.length} characters`);
  });

  it("sends no X-Powered-By or server banner and sets a long keep-alive timeout", async () => {
    const h = await apiHarness();
    const res = await h.get("/api/v1/info");
    assert.equal(res.headers["x-powered-by"], undefined);
    assert.equal(res.headers.server, undefined);
    await h.app.ready();
    assert.equal(h.app.server.keepAliveTimeout, DEFAULT_API_OPTIONS.keepAliveTimeoutMs);
    assert.ok(h.app.server.keepAliveTimeout >= 2 * MINUTE);
  });

  it("answers bad JSON, empty JSON, an unsupported media type and an oversized body with envelopes", async () => {
    const h = await apiHarness({ api: { bodyLimit: 1000 } });
    // A route with a body, as later steps add them (POST /messages).
    h.app.post("/test-echo", async (request) => ({ data: request.body }));
    const post = (payload: string, contentType: string) =>
      h.app.inject({ method: "POST", url: "/test-echo", payload, headers: { "content-type": contentType } });
    assert.deepEqual(dataOf(await post('{"a":1}', "application/json")), { a: 1 });
    assert.match(assertErrorEnvelope(await post("{not json", "application/json"), 400), /not valid JSON/);
    assert.match(assertErrorEnvelope(await post("", "application/json"), 400), /empty/);
    assertErrorEnvelope(await post('{"__proto__":{"x":1}}', "application/json"), 400);
    assertErrorEnvelope(await post("abc", "application/x-weird"), 415);
    assert.match(assertErrorEnvelope(await post(`"${"a".repeat(2000)}"`, "application/json"), 413), /1000 bytes/);
  });

  it("takes the 1 MB body limit by default and refuses more, even on a route that does not exist", async () => {
    const h = await apiHarness();
    assert.equal(DEFAULT_API_OPTIONS.bodyLimit, 1024 * 1024);
    const huge = "x".repeat(DEFAULT_API_OPTIONS.bodyLimit + 1);
    const res = await h.app.inject({
      method: "POST",
      url: "/api/v1/messages",
      payload: huge,
      headers: { "content-type": "application/octet-stream" },
    });
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, `status ${res.statusCode}`);
    assertErrorEnvelope(res, res.statusCode);
  });

  it("answers a URL with broken percent-encoding with a 400 envelope", async () => {
    const h = await apiHarness();
    assert.match(assertErrorEnvelope(await h.get("/api/v1/messages/%zz"), 400), /percent-encoded/);
    assertErrorEnvelope(await h.get("/api/v1/milestones/%E0%A4%A"), 400);
  });

  it("turns a failure of the node into a 500 envelope that names nothing internal, and logs it", async () => {
    const h = await apiHarness({
      deps: {
        ledger: {
          milestoneDiff: () => {
            throw new Error("disk on fire at /secret/path");
          },
        } as unknown as ApiDependencies["ledger"],
      },
    });
    const message = assertErrorEnvelope(await h.get("/api/v1/milestones/1/utxo-changes"), 500);
    assert.doesNotMatch(message, /secret|fire/);
    const errors = h.logged.filter((l) => l.level === "error");
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]?.context?.error), /disk on fire/);
    assert.equal(errors[0]?.context?.path, "/api/v1/milestones/1/utxo-changes");
  });

  it("answers with the status of each ApiError code", async () => {
    const h = await apiHarness();
    h.app.get("/test-throw", async () => {
      throw new ApiError("API_ERROR_NO_TIPS", "none here");
    });
    assert.equal(assertErrorEnvelope(await h.get("/test-throw"), 503), "none here");
  });

  it("stops the rate subscriptions when closed", async () => {
    const h = await apiHarness();
    const before = h.cb.tb.pipeline.events.listenerCount("milestone.confirmed");
    await h.app.close();
    assert.equal(h.cb.tb.pipeline.events.listenerCount("milestone.confirmed"), before - 1);
  });

  it("answers a request running when close() begins, with Connection: close, and then closes at once", async () => {
    const h = await apiHarness();
    let entered!: () => void;
    const handlerEntered = new Promise<void>((resolve) => (entered = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    h.app.get("/test-slow", async () => {
      entered();
      await gate;
      return { data: "late" };
    });
    // Released once the close is under way (the server's own preClose hook ran before this one).
    h.app.addHook("preClose", async () => release());
    await h.app.listen({ host: "127.0.0.1", port: 0 });
    const { port } = h.app.server.address() as AddressInfo;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const get = (path: string) =>
        new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
          const req = httpGet({ host: "127.0.0.1", port, path, agent }, (res) => {
            let body = "";
            res.setEncoding("utf8").on("data", (c: string) => (body += c));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
          });
          req.on("error", reject);
        });
      // The connection is kept alive before the close…
      assert.equal((await get("/api/v1/info")).connection, "keep-alive");
      const slow = get("/test-slow");
      await handlerEntered;
      const closed = h.app.close().then(() => "closed");
      const answer = await slow;
      assert.deepEqual(
        { status: answer.status, connection: answer.connection, body: answer.body },
        { status: 200, connection: "close", body: JSON.stringify({ data: "late" }) },
      );
      // …and does not hold the close for the keep-alive timeout (10 minutes) afterwards.
      const outcome = await Promise.race([closed, new Promise((r) => setTimeout(() => r("still open"), 5_000))]);
      assert.equal(outcome, "closed");
    } finally {
      agent.destroy();
      await h.app.close();
    }
  });

  it("writes HTTP-level client errors as envelopes and closes the socket", () => {
    const cases: Array<[string | undefined, number]> = [
      ["HPE_HEADER_OVERFLOW", 431],
      ["ERR_HTTP_REQUEST_TIMEOUT", 408],
      ["HPE_INVALID_METHOD", 400],
      [undefined, 400],
    ];
    for (const [code, status] of cases) {
      const socket = new FakeSocket();
      const error = Object.assign(new Error("client error"), code === undefined ? {} : { code });
      writeClientError(error, socket as unknown as Socket);
      const res = parseRawResponse(socket.written);
      assert.equal(res.status, status, String(code));
      assert.match(res.headers["content-type"] ?? "", /^application\/json/);
      assert.equal(Number(res.headers["content-length"]), Buffer.byteLength(res.body));
      const body = JSON.parse(res.body) as { error: { code: string; message: string } };
      assert.equal(body.error.code, String(status));
      assert.ok(socket.destroyed);
    }
    const reset = new FakeSocket();
    writeClientError(Object.assign(new Error("reset"), { code: "ECONNRESET" }), reset as unknown as Socket);
    assert.equal(reset.written, "");
  });
});

describe("GET /health", () => {
  it("is 503 with no milestone, 200 once synced, 503 again when the latest milestone is 5 minutes old", async () => {
    const h = await apiHarness();
    let res = await h.get("/health");
    assert.equal(res.statusCode, 503);
    assert.equal(res.body, "");
    await h.cb.milestone([]);
    res = await h.get("/health");
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, "");
    const ts = Number(h.cb.tb.tangle.getMilestone(1)?.timestamp) * 1000;
    h.cb.tb.advanceTime(ts + 5 * MINUTE - h.cb.tb.now);
    assert.equal((await h.get("/health")).statusCode, 200);
    h.cb.tb.advanceTime(1);
    assert.equal((await h.get("/health")).statusCode, 503);
  });

  it("needs a connected peer only when healthNeedsPeers is set", async () => {
    const h = await apiHarness({ api: { healthNeedsPeers: true } });
    await h.cb.milestone([]);
    assert.equal((await h.get("/health")).statusCode, 503);
    h.peers.count = 1;
    assert.equal((await h.get("/health")).statusCode, 200);
    const alone = await apiHarness({ api: { healthNeedsPeers: false } });
    await alone.cb.milestone([]);
    assert.equal((await alone.get("/health")).statusCode, 200);
  });

  it("is 503 while the confirmed milestone lags the latest by more than 2", async () => {
    const h = await apiHarness();
    await h.cb.milestone([]);
    // Known but not confirmable: milestones 2..4 on a parent nobody has.
    for (let i = 0; i < 3; i++) {
      const ms = h.cb.prepareMilestone([new Uint8Array(32).fill(7 + i)], { merkleRoot: new Uint8Array(32) });
      await h.cb.tb.pipeline.ingress.submit(ms.bytes, { source: "coordinator" });
    }
    assert.equal(h.cb.tb.tangle.latestMilestoneIndex, 4);
    assert.equal(h.cb.tb.tangle.confirmedMilestoneIndex, 1);
    assert.equal((await h.get("/health")).statusCode, 503);
  });
});

describe("GET /api/v1/info and /api/routes", () => {
  it("has every field of INodeInfo with the right types", async () => {
    const h = await apiHarness();
    let info = dataOf(await h.get("/api/v1/info")) as Record<string, unknown>;
    assert.deepEqual(info, {
      name: NODE_INFO.name,
      version: NODE_INFO.version,
      isHealthy: false,
      networkId: NODE_INFO.networkName,
      bech32HRP: NODE_INFO.bech32Hrp,
      minPoWScore: NODE_INFO.minPowScore,
      messagesPerSecond: 0,
      referencedMessagesPerSecond: 0,
      referencedRate: 0,
      latestMilestoneTimestamp: 0,
      latestMilestoneIndex: 0,
      confirmedMilestoneIndex: 0,
      pruningIndex: 0,
      features: [],
    });
    await h.cb.milestone([]);
    info = dataOf(await h.get("/api/v1/info")) as Record<string, unknown>;
    assert.equal(info.isHealthy, true);
    assert.equal(info.latestMilestoneIndex, 1);
    assert.equal(info.confirmedMilestoneIndex, 1);
    assert.equal(info.latestMilestoneTimestamp, Number(h.cb.tb.tangle.getMilestone(1)?.timestamp));
  });

  it("lists the PoW feature only when node PoW is on", async () => {
    const h = await apiHarness({ deps: { pow: { mine: async () => ({ nonce: 0n }) } } });
    assert.deepEqual((dataOf(await h.get("/api/v1/info")) as { features: string[] }).features, ["PoW"]);
  });

  it("reports message rates between two confirmed milestones (Hornet's ConfirmedMilestoneMetric)", async () => {
    const h = await apiHarness();
    await h.cb.milestone([]);
    await h.cb.tb.message("A").store();
    await h.cb.tb.message("B").parents("A").store();
    await h.cb.tb.message("C").store();
    // Milestone 2 references A, B and itself; C stays out. Its timestamp is 1 s after milestone 1's.
    await h.cb.milestone(["B"]);
    const ts1 = Number(h.cb.tb.tangle.getMilestone(1)?.timestamp);
    const ts2 = Number(h.cb.tb.tangle.getMilestone(2)?.timestamp);
    assert.equal(ts2 - ts1, 1);
    const info = dataOf(await h.get("/api/v1/info")) as Record<string, number>;
    assert.equal(info.messagesPerSecond, 4);
    assert.equal(info.referencedMessagesPerSecond, 3);
    assert.equal(info.referencedRate, 75);
  });

  it("GET /api/routes lists the API groups", async () => {
    const h = await apiHarness();
    assert.deepEqual(dataOf(await h.get("/api/routes")), { routes: ["v1"] });
  });
});
