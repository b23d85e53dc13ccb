/**
 * The spammer plugin (`/api/plugins/spammer/v1`, protected routes) over a real tangle and confirmer: start, status
 * and stop with the message count checked against the tangle, the pace bounded by the target rate, value transfers
 * between the spammer's two addresses funded by the faucet and confirmed by milestones without a conflict, and bad
 * input answered 400, never 5xx.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { LightMyRequestResponse } from "fastify";
import { jwtKey, signApiToken } from "../../../src/api/jwt.js";
import { SeedWallet } from "../../../src/api/plugins/seedWallet.js";
import { SPAMMER_INDEX, type SpammerStatus } from "../../../src/api/plugins/spammer/spammer.js";
import { powScore } from "../../../src/crypto/powScore.js";
import { TOKEN_SUPPLY } from "../../../src/params/protocol.js";
import { PowPool } from "../../../src/pow/powPool.js";
import { utf8ToBytes } from "../../../src/primitives/bytes.js";
import { bytesToHex, hexToBytes } from "../../../src/primitives/hex.js";
import { type ApiHarness, apiHarness, assertErrorEnvelope, type HarnessOptions, NODE_INFO } from "./apiHarness.js";

const KEY = jwtKey("weaver-test-api-secret-at-least-32-bytes")!;
const SEED = hexToBytes("0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0");
const MI = 1_000_000;
const BASE = "/api/plugins/spammer/v1";

interface SpammerHarness extends ApiHarness {
  call(method: "GET" | "POST", path: string, body?: unknown): Promise<LightMyRequestResponse>;
}

async function spammerHarness(options: HarnessOptions["api"] = {}): Promise<SpammerHarness> {
  const h = await apiHarness({ api: { jwtKey: KEY, spammer: {}, ...options } });
  await h.cb.tb.message("A").store();
  await h.cb.milestone(["A"]);
  const authorization = `Bearer ${await signApiToken(KEY, { subject: "bench" }, h.cb.tb.now)}`;
  const call = (method: "GET" | "POST", path: string, body?: unknown) =>
    h.app.inject({
      method,
      url: `${BASE}${path}`,
      headers: { authorization, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { payload: typeof body === "string" ? body : JSON.stringify(body) }),
    });
  return { ...h, call };
}

function statusOf(res: LightMyRequestResponse): SpammerStatus {
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { data: SpammerStatus }).data;
}

function spamCount(h: ApiHarness): number {
  return h.cb.tb.tangle.messageIdsByIndex(utf8ToBytes(SPAMMER_INDEX), 100_000).length;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(what: string, check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

describe("spammer: start, status, stop", () => {
  it("sends indexation messages at about the target rate and stops; the count matches the tangle", async () => {
    const h = await spammerHarness();
    const idle = statusOf(await h.call("GET", "/status"));
    assert.deepEqual(idle, {
      running: false,
      mps: 0,
      valueTransactions: false,
      sent: 0,
      sentValue: 0,
      failed: 0,
      achievedMps: 0,
    });

    const started = statusOf(await h.call("POST", "/start", { mps: 50 }));
    assert.equal(started.running, true);
    assert.equal(started.mps, 50);
    await sleep(600);
    const stopped = statusOf(await h.call("POST", "/stop"));
    assert.equal(stopped.running, false);
    assert.ok(stopped.sent >= 10, `sent ${stopped.sent} in 600 ms at 50 mps`);
    assert.ok(stopped.sent <= 40, `sent ${stopped.sent}: the rate is bounded by mps`);
    assert.equal(stopped.failed, 0);
    assert.ok(stopped.achievedMps > 10 && stopped.achievedMps <= 60, String(stopped.achievedMps));
    assert.equal(spamCount(h), stopped.sent);

    await sleep(100);
    const later = statusOf(await h.call("GET", "/status"));
    assert.equal(later.sent, stopped.sent, "nothing is sent after stop");
    assert.equal(spamCount(h), stopped.sent);

    // The spam is on tips: a milestone on the current tips references it.
    await h.cb.milestone(h.cb.tb.tipSelector.selectTips());
    assert.ok(h.cb.tb.tangle.confirmedMilestoneIndex === 2);
    await h.app.close();
  });

  it("a second start changes the rate and starts counting again", async () => {
    const h = await spammerHarness();
    statusOf(await h.call("POST", "/start", { mps: 100 }));
    await sleep(200);
    const again = statusOf(await h.call("POST", "/start", { mps: 5, valueTransactions: false }));
    assert.equal(again.mps, 5);
    assert.ok(again.sent <= 1, `counts restart: ${again.sent}`);
    await sleep(300);
    const status = statusOf(await h.call("POST", "/stop"));
    assert.ok(status.sent <= 3, `5 mps for 300 ms sent ${status.sent}`);
    await h.app.close();
  });

  it("is protected, and not served when the spammer is off", async () => {
    const h = await spammerHarness();
    assert.match(assertErrorEnvelope(await h.app.inject({ method: "GET", url: `${BASE}/status` }), 403), /Bearer/);
    const off = await apiHarness({ api: { jwtKey: KEY } });
    const token = await signApiToken(KEY, { subject: "t" }, off.cb.tb.now);
    const res = await off.app.inject({
      method: "POST",
      url: `${BASE}/start`,
      payload: { mps: 10 },
      headers: { authorization: `Bearer ${token}` },
    });
    assertErrorEnvelope(res, 404);
    await Promise.all([h.app.close(), off.app.close()]);
  });
});

describe("spammer: PoW", () => {
  it("mines each message to the minimum score on the plugin engine; PoW bounds the achieved rate", async () => {
    const pool = new PowPool({ threads: 1 });
    try {
      const h = await apiHarness({
        api: { jwtKey: KEY, spammer: {} },
        deps: { pluginPow: pool, node: { ...NODE_INFO, minPowScore: 300 } },
      });
      await h.cb.tb.message("A").store();
      await h.cb.milestone(["A"]);
      const token = await signApiToken(KEY, { subject: "bench" }, h.cb.tb.now);
      const headers = { authorization: `Bearer ${token}` };
      const start = await h.app.inject({ method: "POST", url: `${BASE}/start`, payload: { mps: 1000 }, headers });
      assert.equal(start.statusCode, 200, start.body);
      await sleep(500);
      const stopped = statusOf(await h.app.inject({ method: "POST", url: `${BASE}/stop`, headers }));
      assert.ok(stopped.sent >= 1, `sent ${stopped.sent}`);
      assert.ok(stopped.achievedMps < 1000, `achieved ${stopped.achievedMps}`);
      const ids = h.cb.tb.tangle.messageIdsByIndex(utf8ToBytes(SPAMMER_INDEX), 100_000);
      assert.equal(ids.length, stopped.sent);
      for (const id of ids) assert.ok(powScore(h.cb.tb.tangle.getMessageBytes(id)!) >= 300);
      await h.app.close();
    } finally {
      await pool.close();
    }
  });

  it("refuses to start without a PoW engine when the network needs PoW", async () => {
    const h = await apiHarness({ api: { spammer: {} }, deps: { node: { ...NODE_INFO, minPowScore: 300 } } });
    await assert.rejects(async () => {
      await h.app.ready();
    }, /need a PoW engine/);
  });
});

describe("spammer: value transactions", () => {
  it("moves faucet funds between its two addresses, each transfer confirmed without a conflict", async () => {
    const amount = 10 * MI;
    const h = await spammerHarness({
      faucet: { seed: SEED, amount, perAddressIntervalMs: 60_000, batchDelayMs: 0 },
    });
    const { cb } = h;
    const faucet = SeedWallet.fromSeed(SEED);
    const funding = cb.genesisWallet.transfer(
      [cb.genesisOutput],
      [
        { address: faucet.address, amount: 100 * MI },
        { address: cb.genesisWallet, amount: TOKEN_SUPPLY - 100 * MI },
      ],
    );
    await cb.tb.message("fund").parents("A").withPayload(funding).store();
    await cb.milestone(["fund"]);

    const transfers: Uint8Array[] = [];
    const inclusion = new Map<string, number>();
    cb.tb.pipeline.events.on("message.received", (e) => {
      if (e.source === "api" && e.message.payload?.type === 0) transfers.push(e.messageId);
    });
    cb.tb.pipeline.events.on("message.referenced", (e) => inclusion.set(e.messageIdHex, e.inclusion));

    statusOf(await h.call("POST", "/start", { mps: 40, valueTransactions: true }));
    // The spammer asks the faucet for funds; the faucet's transaction is the first transfer.
    await until("the faucet's funding transaction", () => transfers.length >= 1);
    await cb.milestone([transfers[0]!]);
    await until("value transfers", () => transfers.length >= 6);
    const stopped = statusOf(await h.call("POST", "/stop"));
    assert.ok(stopped.sentValue >= 5, `sentValue ${stopped.sentValue}`);
    assert.ok(stopped.sent >= stopped.sentValue);
    assert.equal(stopped.failed, 0);

    // Each transfer approves the previous one: a milestone on the last references them all, in order.
    await cb.milestone([transfers.at(-1)!]);
    for (const id of transfers) assert.equal(inclusion.get(bytesToHex(id)), 2, `transfer ${bytesToHex(id)} included`);
    const [one, two] = [SeedWallet.fromSeed(SEED, 1), SeedWallet.fromSeed(SEED, 2)];
    const held = cb.ledger.balance(one.address).balance + cb.ledger.balance(two.address).balance;
    assert.equal(held, amount, "the funded amount moved between the two addresses, nothing lost or made");
    await h.app.close();
  });

  it("refuses value transactions without the faucet to fund them", async () => {
    const h = await spammerHarness();
    const message = assertErrorEnvelope(await h.call("POST", "/start", { mps: 10, valueTransactions: true }), 400);
    assert.match(message, /faucet/);
    assert.equal(statusOf(await h.call("GET", "/status")).running, false);
    await h.app.close();
  });
});

describe("spammer: bad input", () => {
  it("answers 400 to bad start bodies and never 5xx", async () => {
    const h = await spammerHarness();
    for (const body of [
      {},
      { mps: 0 },
      { mps: 1001 },
      { mps: "10" },
      { mps: Number.NaN },
      { mps: 10, valueTransactions: "yes" },
      { mps: 10, extra: 1 },
      [10],
      "null",
      "not json",
    ]) {
      assertErrorEnvelope(await h.call("POST", "/start", body), 400);
    }
    assertErrorEnvelope(await h.call("POST", "/start"), 400);
    await fc.assert(
      fc.asyncProperty(fc.anything(), async (body) => {
        const res = await h.call("POST", "/start", JSON.stringify({ mps: body }) ?? "{}");
        assert.ok(res.statusCode < 500, res.body);
        if (res.statusCode === 200) await h.call("POST", "/stop");
      }),
      { numRuns: 150 },
    );
    await h.call("POST", "/stop");
    assert.equal(h.logged.filter((l) => l.level === "error").length, 0);
    await h.app.close();
  });
});
