/**
 * The control routes (chrysalis.md §10.2, Hornet only): POST /api/v1/control/database/prune and
 * /api/v1/control/snapshots/create over a stand-in NodeControl. Bodies are checked before the node is asked (each bad
 * one a 400 envelope, never a 5xx), the node's refusals become 400, 409 or 503 with their message, the routes are
 * protected, and an API server without a node control answers 503.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import fc from "fast-check";
import type { LightMyRequestResponse } from "fastify";
import type { CreatedSnapshots, NodeControl, PruneRequest, SnapshotRequest } from "../../../src/api/apiContext.js";
import { ApiError } from "../../../src/api/apiError.js";
import { jwtKey, signApiToken } from "../../../src/api/jwt.js";
import { parseDatabaseSize, parsePruneRequest, parseSnapshotRequest } from "../../../src/api/routes/control.js";
import { SnapshotError } from "../../../src/ledger/snapshot/snapshotError.js";
import { TangleError } from "../../../src/tangle/tangleError.js";
import { type ApiHarness, apiHarness, assertErrorEnvelope, dataOf } from "./apiHarness.js";

const KEY = jwtKey("a test secret that is long enough for HS256 keys")!;
const PRUNE = "/api/v1/control/database/prune";
const SNAPSHOTS = "/api/v1/control/snapshots/create";
const GIB = 1024 ** 3;

/** A NodeControl that records its calls and answers what the test sets (or throws it). */
class FakeControl implements NodeControl {
  pruned: PruneRequest[] = [];
  snapshots: SnapshotRequest[] = [];
  pruneAnswer: { index: number } | Error = { index: 42 };
  snapshotAnswer: CreatedSnapshots | Error = { fullIndex: 10, fullFilePath: "/data/snapshots/full_snapshot_10.bin" };

  async prune(request: PruneRequest): Promise<{ index: number }> {
    this.pruned.push(request);
    if (this.pruneAnswer instanceof Error) throw this.pruneAnswer;
    return this.pruneAnswer;
  }

  async createSnapshot(request: SnapshotRequest): Promise<CreatedSnapshots> {
    this.snapshots.push(request);
    if (this.snapshotAnswer instanceof Error) throw this.snapshotAnswer;
    return this.snapshotAnswer;
  }
}

interface Setup {
  h: ApiHarness;
  control: FakeControl;
  post(url: string, body?: unknown, raw?: string): Promise<LightMyRequestResponse>;
}

async function setup(control: FakeControl | null = new FakeControl()): Promise<Setup> {
  const h = await apiHarness({ api: { jwtKey: KEY }, deps: { control } });
  const authorization = `Bearer ${await signApiToken(KEY, { subject: "test" }, h.cb.tb.now)}`;
  const post = (url: string, body?: unknown, raw?: string) => {
    if (raw !== undefined) {
      return h.app.inject({
        method: "POST",
        url,
        headers: { authorization, "content-type": "application/json" },
        payload: raw,
      });
    }
    return body === undefined
      ? h.app.inject({ method: "POST", url, headers: { authorization } })
      : h.app.inject({ method: "POST", url, headers: { authorization }, payload: body as object });
  };
  return { h, control: control ?? new FakeControl(), post };
}

describe("control routes: access", () => {
  it("are protected: 403 without a token, and the node is not asked", async () => {
    const control = new FakeControl();
    const h = await apiHarness({ api: { jwtKey: KEY }, deps: { control } });
    for (const url of [PRUNE, SNAPSHOTS]) {
      const res = await h.app.inject({ method: "POST", url, payload: { index: 5 } });
      assert.match(assertErrorEnvelope(res, 403), /protected route/);
    }
    assert.deepEqual([control.pruned.length, control.snapshots.length], [0, 0]);
  });

  it("answer 503 with a clear message when the API server has no node control", async () => {
    const { post } = await setup(null);
    for (const [url, body] of [
      [PRUNE, { index: 5 }],
      [SNAPSHOTS, {}],
    ] as const) {
      assert.match(assertErrorEnvelope(await post(url, body), 503), /not attached to a node it can control/);
    }
  });
});

describe("POST /api/v1/control/database/prune", () => {
  let s: Setup;
  before(async () => {
    s = await setup();
  });

  it("hands exactly one of index, depth and targetDatabaseSize to the node and answers {index}", async () => {
    const cases: Array<[unknown, PruneRequest]> = [
      [{ index: 7 }, { by: "index", index: 7 }],
      [{ index: 0 }, { by: "index", index: 0 }],
      [{ depth: 3 }, { by: "depth", depth: 3 }],
      [{ targetDatabaseSize: "30GB" }, { by: "size", targetBytes: 30 * GIB }],
      [{ targetDatabaseSize: 1000 }, { by: "size", targetBytes: 1000 }],
      [
        { index: null, depth: 4 },
        { by: "depth", depth: 4 },
      ],
    ];
    for (const [body, expected] of cases) {
      s.control.pruned = [];
      s.control.pruneAnswer = { index: 42 };
      const res = await s.post(PRUNE, body);
      assert.deepEqual(dataOf(res), { index: 42 }, JSON.stringify(body));
      assert.deepEqual(s.control.pruned, [expected]);
    }
  });

  it("refuses every malformed body with a 400 envelope before asking the node", async () => {
    s.control.pruned = [];
    const bodies: Array<[unknown, RegExp]> = [
      [{}, /exactly one of index, depth and targetDatabaseSize/],
      [{ index: null }, /exactly one of/],
      [{ index: 1, depth: 2 }, /not index and depth/],
      [{ index: 1, depth: 2, targetDatabaseSize: 3 }, /not index and depth and targetDatabaseSize/],
      [{ index: -1 }, /index must be a whole number from 0 to 4294967295/],
      [{ index: 1.5 }, /index must be a whole number/],
      [{ index: "5" }, /index must be a whole number/],
      [{ index: 2 ** 32 }, /index must be a whole number/],
      [{ depth: true }, /depth must be a whole number/],
      [{ depth: [1] }, /depth must be a whole number/],
      [{ targetDatabaseSize: "ten" }, /targetDatabaseSize must be/],
      [{ targetDatabaseSize: "5XB" }, /targetDatabaseSize must be/],
      [{ targetDatabaseSize: 0 }, /targetDatabaseSize must be/],
      [{ targetDatabaseSize: -5 }, /targetDatabaseSize must be/],
      [{ targetDatabaseSize: "99999999999EB" }, /targetDatabaseSize must be/],
      [{ targetDatabaseSize: {} }, /targetDatabaseSize must be/],
      [{ foo: 1 }, /"foo" is not a field of this request/],
      [{ index: 5, force: true }, /"force" is not a field/],
      [[5], /must be a JSON object/],
    ];
    for (const [body, pattern] of bodies) {
      assert.match(assertErrorEnvelope(await s.post(PRUNE, body), 400), pattern, JSON.stringify(body));
    }
    assert.match(assertErrorEnvelope(await s.post(PRUNE), 400), /must be a JSON object/, "no body at all");
    assert.match(assertErrorEnvelope(await s.post(PRUNE, undefined, "7"), 400), /must be a JSON object/);
    assert.match(assertErrorEnvelope(await s.post(PRUNE, undefined, "null"), 400), /must be a JSON object/);
    assert.match(assertErrorEnvelope(await s.post(PRUNE, undefined, "{index: 5}"), 400), /not valid JSON/);
    assert.deepEqual(s.control.pruned, [], "the node was never asked");
  });

  it("answers the node's refusals with their status and message", async () => {
    const refusals: Array<[Error, number, RegExp]> = [
      [
        new TangleError("TANGLE_ERROR_PRUNING_TARGET", "pruning target 90 is above 80: its solid entry points need…"),
        400,
        /pruning target 90 is above 80/,
      ],
      [new ApiError("API_ERROR_CONTROL_BUSY", "a snapshot is running; retry once it is done"), 409, /a snapshot is/],
      [new ApiError("API_ERROR_CONTROL_UNAVAILABLE", "the node is closing"), 503, /closing/],
      [new ApiError("API_ERROR_INVALID_PARAMETER", "depth 9 is more than the confirmed milestone index 3"), 400, /9/],
    ];
    for (const [error, status, pattern] of refusals) {
      s.control.pruneAnswer = error;
      assert.match(assertErrorEnvelope(await s.post(PRUNE, { index: 90 }), status), pattern);
    }
  });

  it("a failure of the node is a 500 that names nothing internal, logged with the cause", async () => {
    s.control.pruneAnswer = new Error("disk on fire at /secret/path");
    const message = assertErrorEnvelope(await s.post(PRUNE, { depth: 1 }), 500);
    assert.doesNotMatch(message, /secret/);
    assert.ok(s.h.logged.some((l) => l.level === "error" && String(l.context?.error).includes("disk on fire")));
    s.control.pruneAnswer = { index: 42 };
  });

  it("generated bodies are answered 200 or 400, never anything else", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue(),
          fc.record(
            {
              index: fc.oneof(fc.integer(), fc.double(), fc.string(), fc.constant(null)),
              depth: fc.oneof(fc.nat(), fc.string()),
              targetDatabaseSize: fc.oneof(fc.nat(), fc.string(), fc.constantFrom("1KB", "2 MiB", "3G", "0B")),
            },
            { requiredKeys: [] },
          ),
        ),
        async (body) => {
          const res = await s.post(PRUNE, undefined, JSON.stringify(body) ?? "null");
          assert.ok([200, 400].includes(res.statusCode), `${res.statusCode} for ${JSON.stringify(body)}`);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("POST /api/v1/control/snapshots/create", () => {
  let s: Setup;
  before(async () => {
    s = await setup();
  });

  it("hands the indexes to the node (0, null or absent = absent) and answers Hornet's fields", async () => {
    const cases: Array<[unknown, SnapshotRequest]> = [
      [undefined, {}],
      [{}, {}],
      [{ fullIndex: 0, deltaIndex: null }, {}],
      [{ fullIndex: 12 }, { fullIndex: 12 }],
      [{ deltaIndex: 30 }, { deltaIndex: 30 }],
      [
        { fullIndex: 12, deltaIndex: 30 },
        { fullIndex: 12, deltaIndex: 30 },
      ],
    ];
    for (const [body, expected] of cases) {
      s.control.snapshots = [];
      const res = await s.post(SNAPSHOTS, body);
      assert.deepEqual(dataOf(res), { fullIndex: 10, fullFilePath: "/data/snapshots/full_snapshot_10.bin" });
      assert.deepEqual(s.control.snapshots, [expected], JSON.stringify(body));
    }
    s.control.snapshotAnswer = {
      fullIndex: 12,
      fullFilePath: "/d/full_snapshot_12.bin",
      delta: { index: 30, filePath: "/d/delta_snapshot_12_30.bin" },
    };
    const data = dataOf(await s.post(SNAPSHOTS, { fullIndex: 12, deltaIndex: 30 }));
    assert.deepEqual(Object.keys(data as object), ["fullIndex", "deltaIndex", "fullFilePath", "deltaFilePath"]);
    assert.deepEqual(data, {
      fullIndex: 12,
      deltaIndex: 30,
      fullFilePath: "/d/full_snapshot_12.bin",
      deltaFilePath: "/d/delta_snapshot_12_30.bin",
    });
  });

  it("refuses malformed bodies with a 400 envelope before asking the node", async () => {
    s.control.snapshots = [];
    const bodies: Array<[unknown, RegExp]> = [
      [{ fullIndex: "5" }, /fullIndex must be a whole number/],
      [{ fullIndex: -1 }, /fullIndex must be a whole number/],
      [{ deltaIndex: 1.25 }, /deltaIndex must be a whole number/],
      [{ fullIndex: 2 ** 32 }, /fullIndex must be/],
      [{ fullIndex: 9, deltaIndex: 9 }, /deltaIndex 9 must be above fullIndex 9/],
      [{ fullIndex: 9, deltaIndex: 3 }, /deltaIndex 3 must be above fullIndex 9/],
      [{ fullIndex: 9, depth: 3 }, /"depth" is not a field/],
      ["full", /must be a JSON object/],
    ];
    for (const [body, pattern] of bodies) {
      const res = await s.post(SNAPSHOTS, undefined, JSON.stringify(body));
      assert.match(assertErrorEnvelope(res, 400), pattern, JSON.stringify(body));
    }
    assert.deepEqual(s.control.snapshots, []);
  });

  it("answers the node's refusals: pruned diffs and bad targets 400, busy 409, a moving ledger or closing 503", async () => {
    const refusals: Array<[Error, number, RegExp]> = [
      [
        new SnapshotError("SNAPSHOT_ERROR_DIFF_UNAVAILABLE", "the snapshot needs the diff of milestone 4, which …"),
        400,
        /the diff of milestone 4/,
      ],
      [
        new TangleError("TANGLE_ERROR_PRUNING_TARGET", "snapshot target 99 is not a milestone index in 5..20"),
        400,
        /snapshot target 99/,
      ],
      [new ApiError("API_ERROR_CONTROL_BUSY", "a prune is running; retry once it is done"), 409, /a prune is running/],
      [
        new SnapshotError("SNAPSHOT_ERROR_LEDGER_CHANGED", "the ledger moved from milestone 30 to 31"),
        503,
        /moved from milestone 30 to 31; retry/,
      ],
      [new SnapshotError("SNAPSHOT_ERROR_ABORTED", "writing the snapshot was aborted"), 503, /the node is closing/],
    ];
    for (const [error, status, pattern] of refusals) {
      s.control.snapshotAnswer = error;
      assert.match(assertErrorEnvelope(await s.post(SNAPSHOTS, {}), status), pattern);
    }
    s.control.snapshotAnswer = new SnapshotError("SNAPSHOT_ERROR_IO", "cannot create /x/full_snapshot_1.bin.tmp");
    assertErrorEnvelope(await s.post(SNAPSHOTS, {}), 500);
  });
});

describe("control request parsers", () => {
  it("targetDatabaseSize: bytes, or a decimal with K/M/G/T/P/E (powers of 1024), B or iB optional", () => {
    const cases: Array<[unknown, number]> = [
      [1, 1],
      ["1024", 1024],
      ["1B", 1],
      ["1k", 1024],
      ["1KB", 1024],
      ["2 MiB", 2 * 1024 ** 2],
      ["1.5GB", 1.5 * GIB],
      ["30gb", 30 * GIB],
      ["1T", 1024 ** 4],
      [" 3 G ", 3 * GIB],
    ];
    for (const [value, bytes] of cases) assert.equal(parseDatabaseSize(value), bytes, JSON.stringify(value));
    for (const value of ["", "GB", "1 2GB", "1,5GB", "0.1B", "1e3", "-1KB", "1 KB extra", 1e300, Number.NaN]) {
      assert.throws(() => parseDatabaseSize(value), ApiError, JSON.stringify(value));
    }
  });

  it("parsers throw only ApiErrors for any JSON value", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (body) => {
        for (const parse of [parsePruneRequest, parseSnapshotRequest]) {
          try {
            parse(body);
          } catch (e) {
            assert.ok(e instanceof ApiError, String(e));
            assert.equal(e.status, 400);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
