/**
 * POST /api/v1/messages (chrysalis.md §10.2, client-compat.md §5): complete and partial JSON, raw bytes, the node
 * filling in network id, parents and nonce (with the real Curl-P-81 PoW pool), Hornet's refusals, and the unmodified
 * iota.js 1.8.6 client sending data through it.
 */
import assert from "node:assert/strict";
import { request } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { SingleNodeClient } from "@iota/iota.js";
import { Converter } from "@iota/util.js";
import fc from "fast-check";
import { powGate } from "../../../src/api/routes/submitMessage.js";
import { decodeMessage, encodeMessage, messageId } from "../../../src/codec/index.js";
import { powScore } from "../../../src/crypto/powScore.js";
import { PowPool } from "../../../src/pow/powPool.js";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { apiHarness, assertErrorEnvelope, NODE_INFO } from "./apiHarness.js";

const NETWORK_ID = NODE_INFO.networkId;
/** Never called when the minimum score is 0; present so tip selection is allowed (Hornet needs node PoW for it). */
const NO_OP_POW = { mine: async () => ({ nonce: 0n }) };

async function syncedHarness(deps: Parameters<typeof apiHarness>[0] = {}) {
  const h = await apiHarness(deps);
  assert.equal(h.cb.tb.networkId, NETWORK_ID, "the builder's network is the API's");
  await h.cb.tb.message("A").store();
  await h.cb.milestone(["A"]);
  return h;
}

function post(h: Awaited<ReturnType<typeof apiHarness>>, payload: unknown, contentType = "application/json") {
  return h.app.inject({
    method: "POST",
    url: "/api/v1/messages",
    payload: payload instanceof Uint8Array ? Buffer.from(payload) : JSON.stringify(payload),
    headers: { "content-type": contentType },
  });
}

describe("POST /api/v1/messages", () => {
  it("answers 503 while the node is not synced", async () => {
    const h = await apiHarness({ deps: { pow: NO_OP_POW } });
    assertErrorEnvelope(await post(h, { payload: null }), 503);
  });

  it("stores a complete JSON message unchanged: 201, Location, the id of its bytes", async () => {
    const h = await syncedHarness();
    const parents = [h.cb.tb.idOf("A")];
    const bytes = encodeMessage({
      networkId: NETWORK_ID,
      parents,
      payload: { type: 2, index: Converter.utf8ToBytes("weaver"), data: Converter.utf8ToBytes("hi") },
      nonce: 7n,
    });
    const res = await post(h, {
      networkId: NETWORK_ID.toString(),
      parentMessageIds: parents.map(bytesToHex),
      payload: {
        type: 2,
        index: bytesToHex(Converter.utf8ToBytes("weaver")),
        data: bytesToHex(Converter.utf8ToBytes("hi")),
      },
      nonce: "7",
    });
    assert.equal(res.statusCode, 201, res.body);
    const id = bytesToHex(messageId(bytes));
    assert.deepEqual(res.json(), { data: { messageId: id } });
    assert.equal(res.headers.location, id);
    assert.deepEqual(h.cb.tb.tangle.getMessageBytes(messageId(bytes)), bytes);
  });

  it("takes raw bytes (application/octet-stream) and refuses garbage with a JSON error", async () => {
    const h = await syncedHarness();
    const bytes = encodeMessage({ networkId: NETWORK_ID, parents: [h.cb.tb.idOf("A")], payload: null, nonce: 1n });
    const res = await post(h, bytes, "application/octet-stream");
    assert.equal(res.statusCode, 201, res.body);
    assert.equal((res.json() as { data: { messageId: string } }).data.messageId, bytesToHex(messageId(bytes)));
    const bad = await post(h, new Uint8Array([1, 2, 3]), "application/octet-stream");
    assert.match(assertErrorEnvelope(bad, 400), /malformed/);
    assertErrorEnvelope(await post(h, new Uint8Array(0), "application/octet-stream"), 400);
  });

  it("fills in network id and parents from tip selection when node PoW is on, and refuses without it", async () => {
    const without = await syncedHarness();
    const refused = await post(without, { payload: null });
    assert.match(assertErrorEnvelope(refused, 400), /does not do PoW/);

    const h = await syncedHarness({ deps: { pow: NO_OP_POW } });
    const res = await post(h, { payload: { type: 2, index: "696478", data: "68656c6c6f" } });
    assert.equal(res.statusCode, 201, res.body);
    const id = (res.json() as { data: { messageId: string } }).data.messageId;
    const stored = h.cb.tb.tangle.getMessageBytes(Buffer.from(id, "hex"))!;
    const message = decodeMessage(stored, "untrusted");
    assert.equal(message.networkId, NETWORK_ID);
    assert.ok(message.parents.length >= 1);
  });

  it("refuses a nonce without a network id, malformed JSON messages and messages the pipeline rejects", async () => {
    const h = await syncedHarness({ deps: { pow: NO_OP_POW } });
    assert.match(assertErrorEnvelope(await post(h, { payload: null, nonce: "5" }), 400), /nonce but no networkId/);
    assertErrorEnvelope(await post(h, { parentMessageIds: ["zz"], payload: null }), 400);
    assertErrorEnvelope(await post(h, { payload: { type: 9 } }), 400);
    assertErrorEnvelope(await post(h, [1, 2]), 400);
    // Another network's id passes the codec but not the ingress.
    const foreign = await post(h, {
      networkId: "1",
      parentMessageIds: [bytesToHex(h.cb.tb.idOf("A"))],
      payload: null,
      nonce: "3",
    });
    assert.match(assertErrorEnvelope(foreign, 400), /MESSAGE_ERROR_INVALID_NETWORK_ID/);
  });

  it("does remote PoW with the Curl-P-81 pool when the nonce is missing and the score is too low", async () => {
    const pool = new PowPool({ threads: 1 });
    try {
      const h = await syncedHarness({ deps: { pow: pool, node: { ...NODE_INFO, minPowScore: 300 } } });
      const res = await post(h, {
        parentMessageIds: [bytesToHex(h.cb.tb.idOf("A"))],
        payload: { type: 2, index: "706f77", data: "" },
      });
      assert.equal(res.statusCode, 201, res.body);
      const id = (res.json() as { data: { messageId: string } }).data.messageId;
      const stored = h.cb.tb.tangle.getMessageBytes(Buffer.from(id, "hex"))!;
      assert.ok(powScore(stored) >= 300, `score ${powScore(stored)}`);
      assert.notEqual(decodeMessage(stored, "untrusted").nonce, 0n);
    } finally {
      await pool.close();
    }
  });

  it("iota.js 1.8.6 sendData goes through remote PoW and reads back the same message", async () => {
    const h = await syncedHarness({ deps: { pow: NO_OP_POW } });
    await h.app.listen({ host: "127.0.0.1", port: 0 });
    try {
      const { port } = h.app.server.address() as AddressInfo;
      const client = new SingleNodeClient(`http://127.0.0.1:${port}`);
      const sent = await client.messageSubmit({
        payload: { type: 2, index: Converter.utf8ToHex("weaver"), data: Converter.utf8ToHex("from iota.js") },
      });
      const read = await client.message(sent);
      assert.equal(read.payload?.type, 2);
      const raw = await client.messageRaw(sent);
      assert.equal(bytesToHex(messageId(raw)), sent, "raw bytes hash to the id the node answered");
    } finally {
      await h.app.close();
    }
  });

  it("limits remote PoW per client and by queued jobs (429, 503), and not messages that carry their nonce", async () => {
    const h = await syncedHarness({
      deps: { pow: NO_OP_POW, node: { ...NODE_INFO, minPowScore: 1e12 } },
      api: { powRequestsPerMinute: 2 },
    });
    const parents = [bytesToHex(h.cb.tb.idOf("A"))];
    const ask = (text: string) =>
      post(h, { parentMessageIds: parents, payload: { type: 2, index: "6c696d", data: text } });
    assert.equal((await ask("01")).statusCode, 201);
    assert.equal((await ask("02")).statusCode, 201);
    const limited = await ask("03");
    assert.match(assertErrorEnvelope(limited, 429), /per minute/);
    // A message with its own nonce needs no PoW from the node and is not limited.
    const own = await post(h, {
      networkId: NETWORK_ID.toString(),
      parentMessageIds: parents,
      payload: null,
      nonce: "9",
    });
    assert.equal(own.statusCode, 201, own.body);
  });
});

describe("POST /api/v1/messages and clients that go away", () => {
  it("aborts the PoW search when the client disconnects, and frees the job", async () => {
    let aborted!: () => void;
    const abortSeen = new Promise<void>((resolve) => {
      aborted = resolve;
    });
    const pow = {
      mine: (_m: Uint8Array, _s: number, options?: { signal?: AbortSignal }) =>
        new Promise<{ nonce: bigint }>((_resolve, reject) => {
          options?.signal?.addEventListener("abort", () => {
            aborted();
            reject(new Error("aborted"));
          });
        }),
    };
    const h = await syncedHarness({ deps: { pow, node: { ...NODE_INFO, minPowScore: 1e12 } }, api: { powJobsMax: 1 } });
    await h.app.listen({ host: "127.0.0.1", port: 0 });
    try {
      const { port } = h.app.server.address() as AddressInfo;
      const body = JSON.stringify({ parentMessageIds: [bytesToHex(h.cb.tb.idOf("A"))], payload: null });
      const req = request({
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/api/v1/messages",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      });
      req.on("error", () => undefined);
      req.end(body);
      await new Promise((resolve) => setTimeout(resolve, 100));
      req.destroy();
      await abortSeen;
      // The one job slot is free again: the next request gets to the (still hanging) engine, not a 503.
      await new Promise((resolve) => setTimeout(resolve, 20));
      const again = request({
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/api/v1/messages",
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      });
      const status = new Promise<number | "pending">((resolve) => {
        again.on("response", (res) => resolve(res.statusCode ?? 0));
        setTimeout(() => resolve("pending"), 300);
      });
      again.on("error", () => undefined);
      again.end(body);
      assert.equal(await status, "pending", "admitted to the engine instead of answered 503 busy");
      again.destroy();
    } finally {
      await h.app.close();
    }
  });
});

describe("POST /api/v1/messages with generated bad input", () => {
  it("random JSON and random bytes never get a 5xx, and the node stays healthy", async () => {
    const h = await syncedHarness({ deps: { pow: NO_OP_POW } });
    const parent = bytesToHex(h.cb.tb.idOf("A"));
    const jsonBody = fc.oneof(
      fc.jsonValue(),
      fc.record(
        {
          networkId: fc.oneof(fc.string(), fc.bigInt({ min: -1n, max: 1n << 70n }).map(String), fc.integer()),
          parentMessageIds: fc.oneof(
            fc.array(
              fc.oneof(fc.constant(parent), fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEFxz") })),
              { maxLength: 10 },
            ),
            fc.string(),
          ),
          payload: fc.oneof(
            fc.constant(null),
            fc.jsonValue(),
            fc.record({
              type: fc.integer({ min: -1, max: 9 }),
              index: fc.string({ unit: fc.constantFrom(..."0123456789abcdefABCDEFxz") }),
              data: fc.string(),
            }),
          ),
          nonce: fc.oneof(fc.string(), fc.integer(), fc.bigInt({ min: 0n, max: 1n << 65n }).map(String)),
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(jsonBody, async (body) => {
        const res = await post(h, body);
        assert.ok(res.statusCode < 500, `${res.statusCode} for ${JSON.stringify(body)}: ${res.body}`);
        assert.ok(res.statusCode === 201 || "error" in (res.json() as object));
      }),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (bytes) => {
        const res = await post(h, bytes, "application/octet-stream");
        assert.ok(res.statusCode < 500, `${res.statusCode}: ${res.body}`);
      }),
      { numRuns: 300 },
    );
    for (const [payload, type] of [
      ["{", "application/json"],
      ["x".repeat(2 * 1024 * 1024), "application/json"],
      ["hello", "text/plain"],
    ] as const) {
      const res = await h.app.inject({
        method: "POST",
        url: "/api/v1/messages",
        payload,
        headers: { "content-type": type },
      });
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${res.statusCode} for ${type}`);
    }
    assert.equal((await h.get("/health")).statusCode, 200);
  });
});

describe("powGate", () => {
  it("admits jobsMax jobs at once and perMinute per client, with a sliding one-minute window", () => {
    let t = 0;
    const gate = powGate(2, 3, () => t);
    const a1 = gate("a");
    const a2 = gate("a");
    assert.throws(() => gate("b"), /already doing PoW/);
    a1();
    a1(); // releasing twice counts once
    const a3 = gate("a");
    assert.throws(() => gate("c"), /already doing PoW/);
    a2();
    a3();
    assert.throws(() => gate("a"), /per minute/);
    gate("b")();
    t = 60_000;
    gate("a")();
  });
});
