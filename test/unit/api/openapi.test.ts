/**
 * The OpenAPI document (src/api/openapi.ts, served at GET /api/openapi.json): it lists exactly the routes fastify
 * registers (so a route added without documentation fails here), with their path parameters and the token scheme
 * wherever auth.ts protects the route; it is valid OpenAPI 3.0 by the specification's JSON schema; and real answers
 * of every documented operation, over a ledger with receipts, transactions and spent outputs, match the documented
 * status, content type and schema.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv, type ValidateFunction } from "ajv";
import type { LightMyRequestResponse } from "fastify";
import { isProtectedRoute } from "../../../src/api/auth.js";
import { jwtKey, signApiToken } from "../../../src/api/jwt.js";
import { OPENAPI_PATH, type OpenApiDocument, openApiDocument } from "../../../src/api/openapi.js";
import { decodeMessage, messageId, milestoneId, outputId, transactionId } from "../../../src/codec/index.js";
import { encodeBech32Address } from "../../../src/crypto/bech32.js";
import type { SyncStatus } from "../../../src/gossip/gossipService.js";
import { createMetrics } from "../../../src/metrics/metrics.js";
import { TOKEN_SUPPLY } from "../../../src/params/protocol.js";
import { concatBytes, utf8ToBytes } from "../../../src/primitives/bytes.js";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { ConsensusBuilder } from "../../utils/consensusBuilder.js";
import { outputIdTo, Wallet } from "../../utils/ledgerFixtures.js";
import { type ApiHarness, apiHarness, type HarnessOptions, NODE_INFO } from "./apiHarness.js";

type Json = Record<string, unknown>;

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
const KEY = jwtKey("weaver-test-api-secret-at-least-32-bytes") ?? new Uint8Array(32);

interface RegisteredRoute {
  method: string;
  url: string;
  hidden: boolean;
}

/** A harness whose routes are recorded as fastify registers them (the hook is in place before the plugins load). */
async function recordingHarness(options: HarnessOptions = {}): Promise<{ h: ApiHarness; routes: RegisteredRoute[] }> {
  const h = await apiHarness(options);
  const routes: RegisteredRoute[] = [];
  h.app.addHook("onRoute", (route) => {
    const hidden = (route.schema as { hide?: unknown } | undefined)?.hide === true;
    for (const method of [route.method].flat()) routes.push({ method, url: route.url, hidden });
  });
  return { h, routes };
}

function withMetrics(options: HarnessOptions = {}): HarnessOptions {
  return { ...options, deps: { metrics: createMetrics({ processMetrics: false }), ...options.deps } };
}

/**
 * "METHOD /path/{param}" of every route a client can call: fastify's automatic HEAD twin of each GET and routes
 * hidden from documentation (the CORS preflight `OPTIONS *`) are left out, as the document's description says.
 */
function servedOperations(routes: readonly RegisteredRoute[]): string[] {
  const gets = new Set(routes.filter((r) => r.method === "GET").map((r) => r.url));
  return routes
    .filter((r) => !r.hidden && !(r.method === "HEAD" && gets.has(r.url)))
    .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, "{$1}")}`)
    .sort();
}

function documentedOperations(doc: OpenApiDocument): string[] {
  const out: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) if (item[method] !== undefined) out.push(`${method.toUpperCase()} ${path}`);
  }
  return out.sort();
}

function difference(a: readonly string[], b: readonly string[]): string[] {
  const set = new Set(b);
  return a.filter((x) => !set.has(x));
}

function resolve(doc: OpenApiDocument, value: unknown): Json {
  const $ref = (value as Json).$ref;
  if (typeof $ref !== "string") return value as Json;
  let target: unknown = doc;
  for (const key of $ref.replace(/^#\//, "").split("/")) target = (target as Json)[key];
  assert.ok(target !== undefined, `unresolved ${$ref}`);
  return resolve(doc, target);
}

function operation(doc: OpenApiDocument, method: string, path: string): Json {
  const op = doc.paths[path]?.[method.toLowerCase()];
  assert.ok(op !== undefined, `${method} ${path} is not documented`);
  return op;
}

/** The route's fastify pattern: what auth.ts decides on. */
const fastifyPattern = (path: string): string => path.replace(/\{(\w+)\}/g, ":$1");

describe("OpenAPI document: routes", () => {
  it("documents exactly the operations the server registers, with and without metrics", async () => {
    const plugins: HarnessOptions = {
      api: {
        faucet: { seed: new Uint8Array(32).fill(7), amount: 10_000_000, perAddressIntervalMs: 60_000 },
        spammer: {},
      },
    };
    for (const options of [withMetrics(), {}, plugins]) {
      const { h, routes } = await recordingHarness(options);
      await h.app.ready();
      const res = await h.get(OPENAPI_PATH);
      assert.equal(res.statusCode, 200);
      const served = res.json() as OpenApiDocument;
      const registered = servedOperations(routes);
      assert.ok(registered.includes(`GET ${OPENAPI_PATH}`));
      assert.equal(registered.includes("GET /metrics"), options.deps?.metrics !== undefined);
      assert.deepEqual(difference(registered, documentedOperations(served)), [], "routes not documented");
      assert.deepEqual(difference(documentedOperations(served), registered), [], "documented but not served");
      await h.app.close();
    }
  });

  it("the comparison catches a route added without documentation", async () => {
    const { h, routes } = await recordingHarness(withMetrics());
    h.app.register(
      (app, _options, done) => {
        app.post("/things/:thingId", async () => ({ data: {} }));
        done();
      },
      { prefix: "/api/v1" },
    );
    await h.app.ready();
    const doc = openApiDocument({ version: NODE_INFO.version });
    assert.deepEqual(difference(servedOperations(routes), documentedOperations(doc)), [
      "POST /api/v1/things/{thingId}",
    ]);
    await h.app.close();
  });

  it("declares each path template's parameters, required, and no others", () => {
    const doc = openApiDocument({ version: "1.2.3" });
    for (const [path, item] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      for (const method of METHODS) {
        const op = item[method];
        if (op === undefined) continue;
        const params = ((op.parameters as unknown[] | undefined) ?? []).map((p) => resolve(doc, p));
        const inPath = params.filter((p) => p.in === "path");
        assert.deepEqual(inPath.map((p) => p.name).sort(), names, `${method} ${path}`);
        for (const p of inPath) assert.equal(p.required, true, `${method} ${path} ${String(p.name)}`);
      }
    }
  });

  it("puts the token scheme and a 403 on exactly the routes auth.ts protects, and none on the document itself", () => {
    const doc = openApiDocument({ version: "1.2.3" });
    assert.equal(isProtectedRoute(OPENAPI_PATH), false);
    const protectedOps: string[] = [];
    for (const op of documentedOperations(doc)) {
      const [method = "", path = ""] = op.split(" ");
      const o = operation(doc, method, path);
      const isProtected = isProtectedRoute(fastifyPattern(path));
      assert.equal(o.security !== undefined, isProtected, op);
      assert.equal((o.responses as Json)["403"] !== undefined, isProtected, op);
      if (isProtected) {
        assert.deepEqual(o.security, [{ apiToken: [] }]);
        protectedOps.push(op);
      }
    }
    assert.deepEqual(protectedOps, [
      "DELETE /api/v1/peers/{peerId}",
      "GET /api/v1/addresses/ed25519/{address}/tx-history",
      "GET /api/v1/addresses/{address}/tx-history",
      "GET /api/v1/peers",
      "GET /api/v1/peers/{peerId}",
      "POST /api/v1/control/database/prune",
      "POST /api/v1/control/snapshots/create",
      "POST /api/v1/peers",
    ]);
    assert.deepEqual((doc.components.securitySchemes as Json).apiToken, {
      type: "http",
      scheme: "bearer",
      bearerFormat: "JWT",
      description: "An HS256 JWT signed with the node's API secret (weaver tool jwt).",
    });
  });

  it("serves the document as public JSON, even where the protected routes need a token", async () => {
    const h = await apiHarness({ api: { jwtKey: KEY } });
    assert.equal((await h.get("/api/v1/peers")).statusCode, 403);
    const res = await h.get(OPENAPI_PATH);
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers["content-type"]), /^application\/json/);
    const served = res.json() as OpenApiDocument;
    assert.deepEqual(
      served,
      JSON.parse(JSON.stringify(openApiDocument({ version: NODE_INFO.version, metrics: false }))),
    );
    assert.equal(served.info.version, NODE_INFO.version);
  });
});

describe("OpenAPI document: validity", () => {
  it("is a valid OpenAPI 3.0 document whose references all resolve", async () => {
    for (const metrics of [true, false]) {
      const result = await new Validator().validate(
        structuredClone(openApiDocument({ version: "1.2.3", metrics, faucet: metrics, spammer: metrics })),
      );
      assert.deepEqual(result, { valid: true });
    }
  });

  it("the validator refuses a broken document (a missing version, a dangling reference)", async () => {
    const noVersion = structuredClone(openApiDocument({ version: "1.2.3" })) as unknown as Json;
    delete (noVersion.info as Json).version;
    assert.equal((await new Validator().validate(noVersion)).valid, false);
    const dangling = structuredClone(openApiDocument({ version: "1.2.3" }));
    (dangling.components.schemas.Message as Json).properties = { nonce: { $ref: "#/components/schemas/Nope" } };
    assert.equal((await new Validator().validate(dangling as unknown as Json)).valid, false);
  });

  it("has unique operation ids and answers every operation with 500 in the error envelope", () => {
    const doc = openApiDocument({ version: "1.2.3" });
    const ids = documentedOperations(doc).map((op) => {
      const [method = "", path = ""] = op.split(" ");
      const o = operation(doc, method, path);
      assert.deepEqual((o.responses as Json)["500"], { $ref: "#/components/responses/InternalError" }, op);
      return o.operationId;
    });
    assert.equal(new Set(ids).size, ids.length);
  });
});

/** Checks answers against the document: documented status, content type and schema. */
class ResponseChecker {
  private readonly ajv = new Ajv({ allErrors: true, strict: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  readonly exercised = new Set<string>();

  constructor(private readonly doc: OpenApiDocument) {
    this.ajv.addSchema({ $id: "openapi", definitions: this.rewrite(doc.components.schemas) });
  }

  /** The document's references point into components; ajv finds the same schemas under `openapi#/definitions/`. */
  private rewrite(schema: unknown): Json {
    return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"openapi#/definitions/')) as Json;
  }

  validate(schema: Json, data: unknown): string | null {
    const key = JSON.stringify(schema);
    let fn = this.compiled.get(key);
    if (fn === undefined) {
      fn = this.ajv.compile(this.rewrite(schema));
      this.compiled.set(key, fn);
    }
    return fn(data) ? null : this.ajv.errorsText(fn.errors);
  }

  /** Asserts `res` is a documented answer of `method path` and returns its JSON body (undefined when none). */
  check(method: string, path: string, res: LightMyRequestResponse): unknown {
    const what = `${method} ${path} → ${res.statusCode}`;
    const op = operation(this.doc, method, path);
    this.exercised.add(`${method} ${path}`);
    const documented = (op.responses as Json)[String(res.statusCode)];
    assert.ok(documented !== undefined, `${what} is not a documented status: ${res.body.slice(0, 300)}`);
    const response = resolve(this.doc, documented);
    for (const header of Object.keys((response.headers as Json | undefined) ?? {})) {
      assert.ok(res.headers[header.toLowerCase()] !== undefined, `${what} lacks the documented header ${header}`);
    }
    const content = response.content as Record<string, Json> | undefined;
    if (content === undefined) {
      assert.equal(res.body, "", `${what} has a body although none is documented`);
      return undefined;
    }
    const type = String(res.headers["content-type"]).split(";")[0]?.trim() ?? "";
    const media = content[type];
    assert.ok(media !== undefined, `${what}: content type ${type} is not documented`);
    if (type !== "application/json") {
      assert.ok(res.rawPayload.length > 0, `${what} is empty`);
      return undefined;
    }
    const body: unknown = res.json();
    const error = this.validate(media.schema as Json, body);
    assert.equal(error, null, `${what}: ${error}\n${res.body.slice(0, 500)}`);
    return body;
  }
}

const alice = Wallet.named("alice");
const bob = Wallet.named("bob");

/**
 * A ledger with a treasury: ms1 migrates 1 Mi to bob (receipt at migratedAt 5); ms2 confirms A (genesis → alice,
 * 1 Mi dust allowance and 2 Mi, with an index) and I (an indexation message); ms3 confirms B (alice's 2 Mi → bob);
 * U is solid and not referenced.
 */
async function ledgerScenario() {
  const cb = await ConsensusBuilder.create({ treasury: 10_000_000 });
  const { tangle } = cb.tb;
  const gossip = {
    syncStatus: (): SyncStatus => ({
      confirmedIndex: tangle.confirmedMilestoneIndex,
      latestIndex: tangle.latestMilestoneIndex,
      synced: true,
      almostSynced: true,
      connectedPeers: 1,
      syncedPeers: 1,
    }),
    peers: () => [],
    endpoints: () => [],
    addPeer: () => undefined,
    removePeer: () => false,
  };
  const h = await apiHarness(
    withMetrics({
      api: { jwtKey: KEY },
      deps: {
        tangle,
        pipeline: cb.tb.pipeline,
        tipSelector: cb.tb.tipSelector,
        ledger: cb.ledger,
        ingress: cb.tb.pipeline.ingress,
        gossip,
        now: () => cb.tb.now,
        control: {
          prune: async () => ({ index: 2 }),
          createSnapshot: async () => ({
            fullIndex: 3,
            fullFilePath: "snapshots/full_snapshot.bin",
            delta: { index: 4, filePath: "snapshots/delta_snapshot.bin" },
          }),
        },
      },
    }),
  );
  const ms1 = await cb.milestone([], {
    receipt: {
      type: 3,
      migratedAt: 5,
      final: false,
      funds: [
        {
          tailTransactionHash: new Uint8Array(49).fill(7),
          address: { type: 0, address: bob.address },
          deposit: 1_000_000,
        },
      ],
      transaction: {
        type: 4,
        input: { type: 1, milestoneId: new Uint8Array(32) },
        output: { type: 2, amount: 9_000_000 },
      },
    },
  });
  const a = cb.genesisWallet.transfer(
    [cb.genesisOutput],
    [
      { address: alice, amount: 1_000_000, type: 1 },
      { address: alice, amount: 2_000_000 },
      { address: cb.genesisWallet, amount: TOKEN_SUPPLY - 10_000_000 - 3_000_000 },
    ],
    { index: "weaver" },
  );
  await cb.tb.message("A").parents("ms1").withPayload(a).store();
  await cb.tb.message("I").parents("ms1").index("openapi", "hello").store();
  await cb.milestone(["A", "I"]);
  const twoMi = outputIdTo(a, alice);
  const b = alice.transfer([{ outputId: twoMi }], [{ address: bob, amount: 2_000_000 }]);
  await cb.tb.message("B").parents("ms2").withPayload(b).store();
  await cb.milestone(["B"]);
  await cb.tb.message("U").parents("ms3").index("openapi", "later").store();
  const payload = decodeMessage(ms1.bytes, "trusted").payload;
  assert.equal(payload?.type, 1);
  const migrated = outputId(milestoneId(payload), 0);
  const authorization = `Bearer ${await signApiToken(KEY, { subject: "test" }, cb.tb.now)}`;
  return { cb, h, a, b, twoMi, migrated, authorization };
}

describe("OpenAPI document: real answers match it", () => {
  it("every documented operation answers as documented", async () => {
    const { cb, h, a, twoMi, migrated, authorization } = await ledgerScenario();
    const doc = (await h.get(OPENAPI_PATH)).json() as OpenApiDocument;
    const checker = new ResponseChecker(doc);
    const call = async (method: string, path: string, url: string, extra: Json = {}) =>
      checker.check(
        method,
        path,
        await h.app.inject({ method: method as "GET", url, headers: { authorization }, ...extra }),
      );
    const get = (path: string, url = path) => call("GET", path, url);
    const hex = (label: string) => cb.tb.hex(label);
    const txId = bytesToHex(transactionId(a));
    const bech32 = encodeBech32Address(NODE_INFO.bech32Hrp, concatBytes(new Uint8Array([0]), alice.address));

    await get("/health");
    await get("/api/routes");
    await get(OPENAPI_PATH);
    await get("/metrics");
    await get("/api/v1/info");
    await get("/api/v1/tips");
    const byIndex = (await get("/api/v1/messages", `/api/v1/messages?index=${bytesToHex(utf8ToBytes("openapi"))}`)) as {
      data: { count: number };
    };
    assert.equal(byIndex.data.count, 2);
    for (const label of ["A", "I", "ms1", "U", "zz", "unknown"]) {
      const id = label === "zz" ? "zz" : label === "unknown" ? "ab".repeat(32) : hex(label);
      for (const suffix of ["", "/metadata", "/raw", "/children"]) {
        await get(`/api/v1/messages/{messageId}${suffix}`, `/api/v1/messages/${id}${suffix}`);
      }
    }
    for (const id of [txId, "cd".repeat(32), "xyz"]) {
      for (const suffix of ["", "/metadata", "/raw", "/children"]) {
        const path = `/api/v1/transactions/{transactionId}/included-message${suffix}`;
        await get(path, `/api/v1/transactions/${id}/included-message${suffix}`);
      }
    }
    for (const index of ["1", "3", "99", "x"]) {
      await get("/api/v1/milestones/{index}", `/api/v1/milestones/${index}`);
      await get("/api/v1/milestones/{index}/utxo-changes", `/api/v1/milestones/${index}/utxo-changes`);
    }
    const spent = (await get("/api/v1/outputs/{outputId}", `/api/v1/outputs/${bytesToHex(twoMi)}`)) as {
      data: Json;
    };
    assert.equal(spent.data.isSpent, true);
    for (const id of [bytesToHex(migrated), "00".repeat(34), "00"]) {
      await get("/api/v1/outputs/{outputId}", `/api/v1/outputs/${id}`);
    }
    for (const [path, address] of [
      ["/api/v1/addresses/{address}", bech32],
      ["/api/v1/addresses/ed25519/{address}", alice.addressHex],
    ] as const) {
      await get(path, `${path.replace("{address}", address)}`);
      await get(`${path}/outputs`, `${path.replace("{address}", address)}/outputs?include-spent=true`);
      await get(`${path}/outputs`, `${path.replace("{address}", address)}/outputs?type=7`);
      const history = (await get(`${path}/tx-history`, `${path.replace("{address}", address)}/tx-history`)) as {
        data: { count: number };
      };
      assert.equal(history.data.count, 2);
      await get(path, `${path.replace("{address}", "nope")}`);
    }
    const receipts = (await get("/api/v1/receipts")) as { data: { receipts: unknown[] } };
    assert.equal(receipts.data.receipts.length, 1);
    await get("/api/v1/receipts/{migratedAt}", "/api/v1/receipts/5");
    await get("/api/v1/treasury");
    await get("/api/v1/peers");
    await call("POST", "/api/v1/peers", "/api/v1/peers", { payload: { multiAddress: "/ip4/10.0.0.1/tcp/15600" } });
    await call("POST", "/api/v1/peers", "/api/v1/peers", {
      payload: Buffer.from([1]),
      headers: { authorization, "content-type": "application/octet-stream" },
    });
    await get("/api/v1/peers/{peerId}", `/api/v1/peers/${"ef".repeat(32)}`);
    await call("DELETE", "/api/v1/peers/{peerId}", `/api/v1/peers/${"ef".repeat(32)}`);
    // Without a token, a protected route answers the documented 403.
    checker.check("GET", "/api/v1/peers", await h.get("/api/v1/peers"));

    const created = (await call("POST", "/api/v1/messages", "/api/v1/messages", {
      payload: { parentMessageIds: [hex("ms3")], payload: { type: 2, index: "6f70656e617069", data: "" } },
    })) as { data: { messageId: string } };
    const raw = cb.tb.message("R").parents("ms3").index("openapi", "raw").build();
    const rawCreated = (await call("POST", "/api/v1/messages", "/api/v1/messages", {
      payload: Buffer.from(raw.bytes),
      headers: { authorization, "content-type": "application/octet-stream" },
    })) as { data: { messageId: string } };
    assert.equal(rawCreated.data.messageId, bytesToHex(messageId(raw.bytes)));
    assert.match(created.data.messageId, /^[0-9a-f]{64}$/);
    await call("POST", "/api/v1/messages", "/api/v1/messages", { payload: { payload: { type: 9 } } });
    await call("POST", "/api/v1/messages", "/api/v1/messages", {
      payload: "x".repeat(2 * 1024 * 1024),
      headers: { authorization, "content-type": "application/octet-stream" },
    });
    await call("POST", "/api/v1/messages", "/api/v1/messages", {
      payload: "<m/>",
      headers: { authorization, "content-type": "application/xml" },
    });
    const prune = "/api/v1/control/database/prune";
    assert.deepEqual(await call("POST", prune, prune, { payload: { depth: 1 } }), { data: { index: 2 } });
    await call("POST", prune, prune, { payload: { depth: 1, index: 2 } });
    const snapshot = "/api/v1/control/snapshots/create";
    const snapshots = (await call("POST", snapshot, snapshot, { payload: { fullIndex: 3, deltaIndex: 4 } })) as {
      data: Json;
    };
    assert.equal(snapshots.data.deltaIndex, 4);

    assert.deepEqual(difference(documentedOperations(doc), [...checker.exercised].sort()), [], "not exercised");
    await h.app.close();
  });

  it("the checker refuses an answer that does not match its schema", () => {
    const checker = new ResponseChecker(openApiDocument({ version: "1.2.3" }));
    const milestone = { ref: "#/components/schemas/MilestoneResponse" };
    const good = { data: { index: 1, messageId: "ab".repeat(32), timestamp: 5 } };
    assert.equal(checker.validate({ $ref: milestone.ref }, good), null);
    for (const bad of [
      { data: { ...good.data, messageId: "AB".repeat(32) } },
      { data: { ...good.data, extra: 1 } },
      { data: { index: 1, messageId: "ab".repeat(32) } },
      { ...good, more: true },
      { error: { code: 404, message: "x" } },
    ]) {
      assert.notEqual(checker.validate({ $ref: milestone.ref }, bad), null, JSON.stringify(bad));
    }
    assert.notEqual(
      checker.validate({ $ref: "#/components/schemas/ErrorResponse" }, { error: { code: 404, message: "x" } }),
      null,
    );
  });
});
