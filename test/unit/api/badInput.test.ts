/**
 * Malformed input on every route: hand-picked nasties (wrong lengths, non-hex, huge and negative numbers, unicode,
 * path traversal, broken percent-encoding, oversized queries) must get a 4xx JSON envelope, and fast-check strings in
 * every parameter position must never get a 5xx. The server must still answer afterwards.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import fc from "fast-check";
import type { LightMyRequestResponse } from "fastify";
import { jwtKey, signApiToken } from "../../../src/api/jwt.js";
import { encodeBech32Address } from "../../../src/crypto/bech32.js";
import { TOKEN_SUPPLY } from "../../../src/params/protocol.js";
import { utf8ToBytes } from "../../../src/primitives/bytes.js";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { Wallet } from "../../utils/ledgerFixtures.js";
import { type ApiHarness, apiHarness, assertErrorEnvelope } from "./apiHarness.js";

const alice = Wallet.named("alice");
/** A valid address in both forms, for the query-parameter routes. */
const ALICE_HEX = alice.addressHex;
const ALICE_BECH32 = encodeBech32Address("atoi", Uint8Array.from([0, ...alice.address]));
/** The requests carry a token, so that the protected routes (tx-history) parse their parameters too. */
const API_KEY = jwtKey("weaver-test-api-secret-at-least-32-bytes") ?? new Uint8Array(32);

/** Path templates; `{}` is where the parameter goes. */
const ID_ROUTES = [
  "/api/v1/messages/{}",
  "/api/v1/messages/{}/metadata",
  "/api/v1/messages/{}/raw",
  "/api/v1/messages/{}/children",
  "/api/v1/transactions/{}/included-message",
  "/api/v1/transactions/{}/included-message/metadata",
  "/api/v1/transactions/{}/included-message/raw",
  "/api/v1/transactions/{}/included-message/children",
  "/api/v1/addresses/ed25519/{}",
  "/api/v1/addresses/ed25519/{}/outputs",
  "/api/v1/addresses/ed25519/{}/tx-history",
];
const OUTPUT_ID_ROUTES = ["/api/v1/outputs/{}"];
const BECH32_ROUTES = ["/api/v1/addresses/{}", "/api/v1/addresses/{}/outputs", "/api/v1/addresses/{}/tx-history"];
const INDEX_ROUTES = ["/api/v1/milestones/{}", "/api/v1/milestones/{}/utxo-changes", "/api/v1/receipts/{}"];
const QUERY_ROUTES = ["/api/v1/messages?index={}"];
/** The outputs routes' `type` and `include-spent` queries, on a valid address in both forms. */
const OUTPUT_QUERY_ROUTES = [
  `/api/v1/addresses/${ALICE_BECH32}/outputs`,
  `/api/v1/addresses/ed25519/${ALICE_HEX}/outputs`,
];
const TYPE_ROUTES = OUTPUT_QUERY_ROUTES.map((r) => `${r}?type={}`);
const INCLUDE_SPENT_ROUTES = OUTPUT_QUERY_ROUTES.map((r) => `${r}?include-spent={}`);
const PLAIN_ROUTES = ["/health", "/api/routes", "/api/v1/info", "/api/v1/tips", "/api/v1/receipts", "/api/v1/treasury"];

/** Already URL-encoded path segments that are no valid message id. */
const BAD_IDS = [
  "a",
  "ab".repeat(31),
  `${"ab".repeat(32)}0`,
  "ab".repeat(33),
  "g".repeat(64),
  `0x${"ab".repeat(31)}`,
  `${"ab".repeat(31)}%20%20`,
  `${"ab".repeat(32)}%00`,
  "%00".repeat(32),
  "-1",
  "0",
  "NaN",
  "null",
  "undefined",
  "__proto__",
  "constructor",
  "%2e%2e",
  "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
  "..%2F..%2F..%2Fetc%2Fpasswd",
  "..%5c..%5cwindows",
  "%F0%9F%92%A9".repeat(16),
  "%EF%BC%A1".repeat(64),
  "%D9%A1".repeat(64),
  "%E2%80%AE".repeat(8),
  "%C0%AE%C0%AE",
  "%zz",
  "%",
  "%E0%A4%A",
  "a".repeat(300),
  "a".repeat(100_000),
  "ab".repeat(32).replace("a", "%61%"),
];

const BAD_INDEXES = [
  "-1",
  "-0",
  "+1",
  "1.5",
  "1e3",
  "0x10",
  "0b1",
  "%201",
  "1%20",
  "1%00",
  "4294967296",
  "18446744073709551616",
  "9".repeat(400),
  "Infinity",
  "NaN",
  "%D9%A1",
  "%EF%BC%91",
  "%2e%2e",
  "%2e%2e%2f%2e%2e%2finfo",
  "%zz",
  "1".repeat(100_000),
  "__proto__",
];

const BAD_QUERIES = [
  "",
  "zz",
  "abc",
  "0x61",
  "%zz",
  "%00%00",
  "%F0%9F%92%A9",
  "ab".repeat(65),
  "ab".repeat(100_000),
  "ab&index=cd",
  "ab&index=cd&index=ef",
  "__proto__",
  "ab%20",
];

/** Already URL-encoded segments that are no valid output id (68 hex digits). */
const BAD_OUTPUT_IDS = [
  "ab".repeat(32),
  "ab".repeat(33),
  `${"ab".repeat(34)}0`,
  "ab".repeat(35),
  `${"ab".repeat(33)}zz`,
  `0x${"ab".repeat(33)}`,
  `${"ab".repeat(33)}%20%20`,
  `${"ab".repeat(33)}%00`,
  "%00".repeat(34),
  "%EF%BC%A1".repeat(68),
  "-1",
  "__proto__",
  "%2e%2e",
  "a".repeat(300),
];

/** Already URL-encoded segments that are no bech32 address of this network ("atoi"). */
const BAD_BECH32 = [
  ALICE_BECH32.replace("atoi", "iota"),
  `${ALICE_BECH32.slice(0, -1)}${ALICE_BECH32.endsWith("q") ? "p" : "q"}`,
  `${ALICE_BECH32.slice(0, 10)}${ALICE_BECH32.slice(10).toUpperCase()}`,
  ALICE_BECH32.slice(0, -1),
  `${ALICE_BECH32}q`,
  ALICE_BECH32.replace("1", "b"),
  ALICE_BECH32.replace("atoi1", "atoi1b"),
  "atoi1",
  "1qqqqqqq",
  "atoi1qqqqqqq",
  ALICE_HEX,
  "ed25519",
  "a".repeat(90),
  "a".repeat(91),
  "%00",
  "%F0%9F%92%A9".repeat(16),
  "__proto__",
  "%2e%2e",
];

const BAD_TYPES = [
  "2",
  "-1",
  "01",
  "+1",
  "1.0",
  "1e0",
  "0x1",
  "abc",
  "%00",
  "1%20",
  "%201",
  "%D9%A1",
  "1&type=0",
  "null",
];
const BAD_INCLUDE_SPENT = ["yes", "2", "truee", "%00", "true%20", "null", "true&include-spent=false", "%F0%9F%92%A9"];

function fill(template: string, param: string): string {
  return template.replace("{}", param);
}

function assertNoServerError(res: LightMyRequestResponse, url: string): void {
  const shown = url.length > 120 ? `${url.slice(0, 120)}…` : url;
  assert.ok(res.statusCode < 500, `${shown} → ${res.statusCode}: ${res.body.slice(0, 200)}`);
  if (res.statusCode >= 400) assertErrorEnvelope(res, res.statusCode);
  else if (res.statusCode === 200 && !url.startsWith("/health") && !url.includes("/raw")) {
    assert.ok("data" in (res.json() as object), shown);
  }
}

/** URL-encodes a generated string; lone surrogates cannot be encoded and are written as raw %-escapes instead. */
function encode(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return bytesToHex(utf8ToBytes(s)).replace(/(..)/g, "%$1");
  }
}

describe("malformed input on every route", () => {
  let h: ApiHarness;

  before(async () => {
    const base = await apiHarness({ api: { jwtKey: API_KEY } });
    const authorization = `Bearer ${await signApiToken(API_KEY, { subject: "bad-input" }, base.cb.tb.now)}`;
    h = { ...base, get: (url) => base.app.inject({ method: "GET", url, headers: { authorization } }) };
    // A synced node with data, so that a parameter that slipped through would reach real lookups.
    await h.cb.tb.message("A").index("weaver").store();
    const tx = h.cb.genesisWallet.transfer(
      [h.cb.genesisOutput],
      [
        { address: alice, amount: 1_000_000 },
        { address: h.cb.genesisWallet, amount: TOKEN_SUPPLY - 1_000_000 },
      ],
    );
    await h.cb.tb.message("T").withPayload(tx).store();
    await h.cb.milestone(["A", "T"]);
  });

  it("answers every hand-picked bad id, milestone index and index query with a 4xx envelope", async () => {
    const cases: string[] = [
      ...ID_ROUTES.flatMap((r) => BAD_IDS.map((p) => fill(r, p))),
      ...INDEX_ROUTES.flatMap((r) => BAD_INDEXES.map((p) => fill(r, p))),
      ...QUERY_ROUTES.flatMap((r) => BAD_QUERIES.map((p) => fill(r, p))),
      ...OUTPUT_ID_ROUTES.flatMap((r) => BAD_OUTPUT_IDS.map((p) => fill(r, p))),
      ...BECH32_ROUTES.flatMap((r) => BAD_BECH32.map((p) => fill(r, p))),
      ...TYPE_ROUTES.flatMap((r) => BAD_TYPES.map((p) => fill(r, p))),
      ...INCLUDE_SPENT_ROUTES.flatMap((r) => BAD_INCLUDE_SPENT.map((p) => fill(r, p))),
      "/api/v1/messages",
      "/api/v1/messages?index[]=ab",
      "/api/v1/messages?Index=6162",
    ];
    for (const url of cases) {
      const res = await h.get(url);
      const shown = url.length > 120 ? `${url.slice(0, 120)}…` : url;
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${shown} → ${res.statusCode}`);
      assertErrorEnvelope(res, res.statusCode);
    }
  });

  it("never answers a generated parameter in any position with a 5xx", async () => {
    const templates = [
      ...ID_ROUTES,
      ...INDEX_ROUTES,
      ...QUERY_ROUTES,
      ...OUTPUT_ID_ROUTES,
      ...BECH32_ROUTES,
      ...TYPE_ROUTES,
      ...INCLUDE_SPENT_ROUTES,
    ];
    const param = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.string({ unit: "binary", maxLength: 40 }),
      fc.stringMatching(/^[0-9a-fA-F]{0,70}$/),
      // Near-valid bech32: the alphabet and separator, sometimes this network's HRP.
      fc.stringMatching(/^(atoi1|iota1)?[qpzry9x8gf2tvdw0s3jn54khce6mua7l1]{0,70}$/),
      fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...templates), param, async (template, p) => {
        const url = fill(template, encode(p));
        assertNoServerError(await h.get(url), url);
      }),
      { numRuns: 600 },
    );
  });

  it("never answers generated query strings and path suffixes on the plain routes with a 5xx", async () => {
    const junk = fc.string({ unit: "binary", maxLength: 60 }).map(encode);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PLAIN_ROUTES), junk, junk, async (route, key, value) => {
        for (const url of [`${route}?${key}=${value}`, `${route}/${key}`, `${route}${value}`]) {
          assertNoServerError(await h.get(url), url);
        }
      }),
      { numRuns: 200 },
    );
  });

  it("never answers unencoded traversal and odd paths with a 5xx", async () => {
    for (const url of [
      "/api/v1/messages/../info",
      "/api/v1/messages/./x",
      "//api//v1//info",
      "/api/v1/messages/%2F",
      "/api/v1/milestones/1/../2",
      "/api/v1/milestones/1;x",
      "/api/v1/milestones/1?index=1",
      "/%2e%2e/%2e%2e/etc/passwd",
    ]) {
      assertNoServerError(await h.get(url), url);
    }
  });

  it("still answers /health and /api/v1/info afterwards", async () => {
    assert.equal((await h.get("/health")).statusCode, 200);
    const info = await h.get("/api/v1/info");
    assert.equal(info.statusCode, 200);
    assert.equal((info.json() as { data: { confirmedMilestoneIndex: number } }).data.confirmedMilestoneIndex, 1);
  });
});
