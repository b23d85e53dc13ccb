/**
 * The faucet plugin (`/api/plugins/faucet/v1`) over a real tangle, ledger and confirmer (ConsensusBuilder): requests
 * batched into one signed transaction that a milestone confirms, the remainder spent only once confirmed, the
 * per-address interval, the empty faucet, a conflicting transaction's requests served again, a transaction left
 * behind attached again without paying anyone twice, public routes, and bad input that never gets a 5xx.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { Bech32Helper, Ed25519Address, Ed25519Seed, generateBip44Path } from "@iota/iota.js";
import fc from "fast-check";
import type { LightMyRequestResponse } from "fastify";
import type { FaucetOptions } from "../../../src/api/apiContext.js";
import { isProtectedRoute } from "../../../src/api/auth.js";
import { jwtKey } from "../../../src/api/jwt.js";
import { FAUCET_INDEX } from "../../../src/api/plugins/faucet/faucet.js";
import { SeedWallet } from "../../../src/api/plugins/seedWallet.js";
import { buildSignedTransaction } from "../../../src/api/plugins/signedTransaction.js";
import {
  decodeTransactionPayload,
  encodeTransactionPayload,
  essenceHash,
  type Message,
  outputId,
  type TransactionPayload,
  transactionId,
} from "../../../src/codec/index.js";
import { ED25519_ADDRESS_TYPE, encodeBech32Address } from "../../../src/crypto/bech32.js";
import { ed25519Verify } from "../../../src/crypto/ed25519.js";
import { WeaverNode } from "../../../src/node/node.js";
import { WeaverNodeError } from "../../../src/node/nodeError.js";
import { validateNodeOptions } from "../../../src/node/nodeOptions.js";
import { TOKEN_SUPPLY } from "../../../src/params/protocol.js";
import { concatBytes, equalBytes, utf8ToBytes } from "../../../src/primitives/bytes.js";
import { bytesToHex, hexToBytes } from "../../../src/primitives/hex.js";
import { Wallet } from "../../utils/ledgerFixtures.js";
import { type ApiHarness, apiHarness, assertErrorEnvelope, dataOf } from "./apiHarness.js";

const SEED = hexToBytes("5d3a1b2c4e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809");
const MI = 1_000_000;
const AMOUNT = 10 * MI;
const FAUCET_WALLET = SeedWallet.fromSeed(SEED);
const ENQUEUE = "/api/plugins/faucet/v1/enqueue";
const INFO = "/api/plugins/faucet/v1/info";

function bech32(address: Uint8Array, hrp = "atoi"): string {
  return encodeBech32Address(hrp, concatBytes(Uint8Array.of(ED25519_ADDRESS_TYPE), address));
}

interface FaucetHarness extends ApiHarness {
  /** Transactions the faucet attached, in order, with their message ids. */
  sent: Array<{ messageId: Uint8Array; message: Message; tx: TransactionPayload }>;
  enqueue(body: unknown): Promise<LightMyRequestResponse>;
}

/** A synced node whose faucet address received `funds` from the genesis wallet (confirmed by milestone 1). */
async function faucetHarness(funds: number, faucet: Partial<FaucetOptions> = {}): Promise<FaucetHarness> {
  const h = await apiHarness({
    api: { faucet: { seed: SEED, amount: AMOUNT, perAddressIntervalMs: 60_000, batchDelayMs: 0, ...faucet } },
  });
  const { cb } = h;
  const funding = cb.genesisWallet.transfer(
    [cb.genesisOutput],
    [
      { address: FAUCET_WALLET.address, amount: funds },
      { address: cb.genesisWallet, amount: TOKEN_SUPPLY - funds },
    ],
  );
  await cb.tb.message("fund").withPayload(funding).store();
  await cb.milestone(["fund"]);
  assert.equal(cb.ledger.balance(FAUCET_WALLET.address).balance, funds);
  const sent: FaucetHarness["sent"] = [];
  cb.tb.pipeline.events.on("message.received", (e) => {
    if (e.source === "api" && e.message.payload?.type === 0) {
      sent.push({ messageId: e.messageId, message: e.message, tx: e.message.payload });
    }
  });
  const enqueue = (body: unknown) =>
    h.app.inject({
      method: "POST",
      url: ENQUEUE,
      payload: typeof body === "string" ? body : JSON.stringify(body),
      headers: { "content-type": "application/json" },
    });
  return { ...h, sent, enqueue };
}

async function until(what: string, check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Waits for the faucet's `n`-th transaction (1-based) and returns it. */
async function nthTransaction(h: FaucetHarness, n: number) {
  await until(`faucet transaction ${n}`, () => h.sent.length >= n);
  return h.sent[n - 1]!;
}

function infoOf(h: FaucetHarness) {
  return h
    .get(INFO)
    .then((res) => dataOf(res) as { address: string; balance: number; amount: number; waitingRequests: number });
}

describe("faucet: sending", () => {
  it("batches requests into one signed transaction with the remainder back, paid once a milestone confirms it", async () => {
    const h = await faucetHarness(100 * MI);
    const [alice, bob] = [Wallet.named("alice"), Wallet.named("bob")];
    const info = await infoOf(h);
    assert.deepEqual(info, {
      address: bech32(FAUCET_WALLET.address),
      balance: 100 * MI,
      amount: AMOUNT,
      waitingRequests: 0,
    });

    // Both requests arrive before the worker's timer fires, so they share one transaction.
    const [a, b] = await Promise.all([
      h.enqueue({ address: bech32(alice.address) }),
      h.enqueue({ address: bech32(bob.address).toUpperCase() }),
    ]);
    assert.equal(a.statusCode, 202, a.body);
    assert.deepEqual(a.json(), { data: { address: bech32(alice.address), waitingRequests: 1 } });
    assert.equal(b.statusCode, 202, b.body);
    assert.deepEqual(b.json(), { data: { address: bech32(bob.address), waitingRequests: 2 } });

    const { messageId, message, tx } = await nthTransaction(h, 1);
    assert.equal(message.networkId, h.cb.tb.networkId);
    const { essence, unlockBlocks } = tx;
    assert.deepEqual(essence.inputs.length, 1);
    assert.deepEqual(
      essence.outputs.map((o) => [bytesToHex(o.address.address), o.amount]).sort(),
      [
        [alice.addressHex, AMOUNT],
        [bob.addressHex, AMOUNT],
        [FAUCET_WALLET.addressHex, 80 * MI],
      ].sort(),
    );
    assert.deepEqual(essence.payload?.index, utf8ToBytes(FAUCET_INDEX));
    assert.equal(unlockBlocks.length, 1);
    assert.equal((await infoOf(h)).waitingRequests, 0);

    await h.cb.milestone([messageId]);
    assert.equal(h.cb.ledger.balance(alice.address).balance, AMOUNT);
    assert.equal(h.cb.ledger.balance(bob.address).balance, AMOUNT);
    assert.equal((await infoOf(h)).balance, 80 * MI);
    await h.app.close();
  });

  it("spends its remainder only after the milestone confirmed it, and signs every input it uses", async () => {
    const h = await faucetHarness(100 * MI);
    const [alice, bob] = [Wallet.named("alice"), Wallet.named("bob")];
    assert.equal((await h.enqueue({ address: bech32(alice.address) })).statusCode, 202);
    const first = await nthTransaction(h, 1);
    assert.equal((await h.enqueue({ address: bech32(bob.address) })).statusCode, 202);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(h.sent.length, 1, "no second transaction while the first is unconfirmed");
    assert.equal((await infoOf(h)).waitingRequests, 1);

    await h.cb.milestone([first.messageId]);
    const second = await nthTransaction(h, 2);
    const remainderIndex = first.tx.essence.outputs.findIndex((o) =>
      equalBytes(o.address.address, FAUCET_WALLET.address),
    );
    const [input] = second.tx.essence.inputs;
    assert.ok(input !== undefined && second.tx.essence.inputs.length === 1);
    assert.deepEqual(
      outputId(input.transactionId, input.transactionOutputIndex),
      outputId(transactionId(first.tx), remainderIndex),
    );
    const block = second.tx.unlockBlocks[0];
    assert.ok(block?.type === 0);
    assert.deepEqual(block.signature.publicKey, FAUCET_WALLET.publicKey);

    await h.cb.milestone([second.messageId]);
    assert.equal(h.cb.ledger.balance(bob.address).balance, AMOUNT);
    assert.equal(h.cb.ledger.balance(FAUCET_WALLET.address).balance, 80 * MI);
    await h.app.close();
  });

  it("consolidates several outputs and leaves no dust: a batch needing more than one input", async () => {
    const h = await faucetHarness(15 * MI);
    // A second output on the faucet address: 10 Mi more from the genesis wallet's remainder.
    const genesisRest = h.cb.ledger.outputIdsOfAddress(h.cb.genesisWallet.address, {
      includeSpent: false,
      limit: 1,
    })[0]!;
    const top = h.cb.genesisWallet.transfer(
      [{ outputId: genesisRest }],
      [
        { address: FAUCET_WALLET.address, amount: 10 * MI },
        { address: h.cb.genesisWallet, amount: TOKEN_SUPPLY - 25 * MI },
      ],
    );
    await h.cb.tb.message("top").withPayload(top).store();
    await h.cb.milestone(["top"]);
    const [alice, bob] = [Wallet.named("alice"), Wallet.named("bob")];
    await Promise.all([h.enqueue({ address: bech32(alice.address) }), h.enqueue({ address: bech32(bob.address) })]);
    const { messageId, tx } = await nthTransaction(h, 1);
    assert.equal(tx.essence.inputs.length, 2);
    assert.deepEqual(
      tx.unlockBlocks.map((u) => u.type),
      [0, 1],
    );
    assert.equal(tx.essence.outputs.length, 3);
    await h.cb.milestone([messageId]);
    assert.equal(h.cb.ledger.balance(FAUCET_WALLET.address).balance, 5 * MI);
    assert.equal(h.cb.ledger.balance(alice.address).balance, AMOUNT);
    await h.app.close();
  });

  it("serves a conflicting transaction's requests again once someone else spent its inputs", async () => {
    const h = await faucetHarness(100 * MI);
    const alice = Wallet.named("alice");
    assert.equal((await h.enqueue({ address: bech32(alice.address) })).statusCode, 202);
    const first = await nthTransaction(h, 1);
    // The seed's other holder spends the same output first (back to the faucet, in one new output).
    const [spent] = first.tx.essence.inputs;
    const rival = buildSignedTransaction(
      [outputId(spent!.transactionId, spent!.transactionOutputIndex)],
      [{ address: FAUCET_WALLET.address, amount: 100 * MI }],
      FAUCET_WALLET,
    );
    await h.cb.tb.message("rival").parents("ms1").withPayload(rival).store();
    await h.cb.milestone(["rival"]);
    await h.cb.milestone([first.messageId]);
    assert.equal(h.cb.ledger.balance(alice.address).balance, 0, "the first transaction conflicted");

    const second = await nthTransaction(h, 2);
    assert.deepEqual(second.tx.essence.inputs[0]?.transactionId, transactionId(rival));
    await h.cb.milestone([second.messageId]);
    assert.equal(h.cb.ledger.balance(alice.address).balance, AMOUNT);
    await h.app.close();
  });

  it("attaches a transaction again once it is below max depth, and pays nobody twice", async () => {
    const h = await faucetHarness(100 * MI);
    const alice = Wallet.named("alice");
    assert.equal((await h.enqueue({ address: bech32(alice.address) })).statusCode, 202);
    const first = await nthTransaction(h, 1);
    const bmd = h.cb.tb.tipSelector.options.params.belowMaxDepth;
    for (let i = 0; i <= bmd; i++) await h.cb.milestone([]);
    const second = await nthTransaction(h, 2);
    assert.notDeepEqual(second.messageId, first.messageId);
    assert.deepEqual(transactionId(second.tx), transactionId(first.tx), "the same transaction in a new message");
    await h.cb.milestone([second.messageId]);
    assert.equal(h.cb.ledger.balance(alice.address).balance, AMOUNT);
    // The first attachment, referenced after all, conflicts: its inputs are spent.
    await h.cb.tb.message("late").parents(first.messageId, `ms${h.cb.tb.tangle.latestMilestoneIndex}`).store();
    await h.cb.milestone(["late"]);
    assert.equal(h.cb.ledger.balance(alice.address).balance, AMOUNT);
    assert.equal(h.cb.ledger.balance(FAUCET_WALLET.address).balance, 90 * MI);
    await h.app.close();
  });
});

describe("faucet: limits", () => {
  it("refuses an address again within the interval (429) and serves it after", async () => {
    const h = await faucetHarness(100 * MI, { perAddressIntervalMs: 60_000 });
    const alice = bech32(Wallet.named("alice").address);
    assert.equal((await h.enqueue({ address: alice })).statusCode, 202);
    assert.match(assertErrorEnvelope(await h.enqueue({ address: alice }), 429), /already waiting/);
    const first = await nthTransaction(h, 1);
    await h.cb.milestone([first.messageId]);
    assert.match(assertErrorEnvelope(await h.enqueue({ address: alice }), 429), /ask again in 60 s/);
    h.cb.tb.advanceTime(60_000);
    assert.equal((await h.enqueue({ address: alice })).statusCode, 202);
    await h.app.close();
  });

  it("answers 503 when its balance cannot cover a request or would leave a dust remainder", async () => {
    const h = await faucetHarness(25 * MI);
    const [a, b, c] = ["alice", "bob", "carol"].map((n) => bech32(Wallet.named(n).address));
    assert.equal((await h.enqueue({ address: a })).statusCode, 202);
    assert.equal((await h.enqueue({ address: b })).statusCode, 202, "25 Mi cover two requests, 5 Mi left");
    assert.match(assertErrorEnvelope(await h.enqueue({ address: c }), 503), /does not cover/);

    const dusty = await faucetHarness(10 * MI + MI / 2);
    assert.match(assertErrorEnvelope(await dusty.enqueue({ address: a }), 503), /does not cover/);
    const exact = await faucetHarness(10 * MI);
    assert.equal((await exact.enqueue({ address: a })).statusCode, 202, "no remainder at all is fine");
    const { tx } = await nthTransaction(exact, 1);
    assert.equal(tx.essence.outputs.length, 1);
    await Promise.all([h.app.close(), dusty.app.close(), exact.app.close()]);
  });

  it("refuses bad input with 400 and never answers 5xx", async () => {
    const h = await faucetHarness(100 * MI);
    const alice = Wallet.named("alice").address;
    for (const body of [
      {},
      { address: 5 },
      { address: null },
      { address: "" },
      { address: bech32(alice, "iota") },
      { address: `${bech32(alice).slice(0, -1)}x` },
      { address: bech32(FAUCET_WALLET.address) },
      { address: bytesToHex(alice) },
    ]) {
      const res = await h.enqueue(body);
      assertErrorEnvelope(res, 400);
    }
    for (const raw of ["not json", "[1]", "null", '"atoi1"']) assertErrorEnvelope(await h.enqueue(raw), 400);
    const noBody = await h.app.inject({ method: "POST", url: ENQUEUE });
    assertErrorEnvelope(noBody, 400);
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.anything()), async (address) => {
        const res = await h.enqueue({ address });
        assert.ok(res.statusCode < 500, res.body);
      }),
      { numRuns: 200 },
    );
    assert.equal(h.sent.length, 0);
    assert.equal(h.logged.filter((l) => l.level === "error").length, 0);
    await h.app.close();
  });
});

describe("faucet: routes", () => {
  it("are public while the spammer's are protected, and are not served when the faucet is off", async () => {
    assert.equal(isProtectedRoute(ENQUEUE), false);
    assert.equal(isProtectedRoute(INFO), false);
    assert.equal(isProtectedRoute("/api/plugins/spammer/v1/start"), true);
    const key = jwtKey("weaver-test-api-secret-at-least-32-bytes");
    const h = await apiHarness({
      api: { jwtKey: key, faucet: { seed: SEED, amount: AMOUNT, perAddressIntervalMs: 0, batchDelayMs: 0 } },
    });
    assert.equal((await h.get(INFO)).statusCode, 200);
    const off = await apiHarness();
    assertErrorEnvelope(await off.get(INFO), 404);
    await Promise.all([h.app.close(), off.app.close()]);
  });

  it("derives the keys iota.js derives from the seed (SLIP-10 m/44'/4218'/0'/0'/i')", () => {
    for (const index of [0, 1, 2]) {
      const ours = SeedWallet.fromSeed(SEED, index);
      const theirs = new Ed25519Seed(SEED).generateSeedFromPath(generateBip44Path(0, index, false)).keyPair();
      assert.equal(bytesToHex(ours.publicKey), bytesToHex(theirs.publicKey), `index ${index}`);
      assert.equal(
        ours.bech32("atoi"),
        Bech32Helper.toBech32(0, new Ed25519Address(theirs.publicKey).toAddress(), "atoi"),
      );
    }
  });

  it("builds transactions that pass the TIP-7 syntax rules, signed over the essence hash", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.uint8Array({ minLength: 34, maxLength: 34 }), {
          minLength: 1,
          maxLength: 127,
          selector: (b) => bytesToHex(b.subarray(0, 32)),
        }),
        fc.uniqueArray(fc.uint8Array({ minLength: 32, maxLength: 32 }), {
          minLength: 1,
          maxLength: 127,
          selector: bytesToHex,
        }),
        fc.integer({ min: MI, max: 1_000 * MI }),
        (ids, addresses, amount) => {
          // Output indexes above 126 are invalid (TIP-7): keep the index byte small.
          const inputIds = ids.map((id) => Uint8Array.of(...id.subarray(0, 32), id[32]! % 127, 0));
          const tx = buildSignedTransaction(
            inputIds,
            addresses.map((address) => ({ address, amount })),
            FAUCET_WALLET,
          );
          const decoded = decodeTransactionPayload(encodeTransactionPayload(tx), "untrusted");
          assert.equal(decoded.unlockBlocks.length, inputIds.length);
          const block = decoded.unlockBlocks[0];
          assert.ok(block?.type === 0);
          assert.ok(ed25519Verify(block.signature.publicKey, essenceHash(decoded.essence), block.signature.signature));
          assert.ok(decoded.unlockBlocks.slice(1).every((u) => u.type === 1 && u.reference === 0));
        },
      ),
      { numRuns: 30 },
    );
  });
});

describe("faucet: node options", () => {
  it("faucet.enabled needs faucet.seedFile, and the amount is at least 1 Mi", () => {
    assert.throws(() => validateNodeOptions({ faucet: { enabled: true } }), /faucet\.seedFile is needed/);
    assert.throws(() => validateNodeOptions({ faucet: { amount: MI - 1 } }), /faucet\.amount/);
    const o = validateNodeOptions({ faucet: { enabled: "true", seedFile: "seed.hex", perAddressIntervalMs: "0" } });
    assert.deepEqual(o.faucet, { enabled: true, seedFile: "seed.hex", amount: AMOUNT, perAddressIntervalMs: 0 });
    assert.deepEqual(validateNodeOptions({}).spammer, { enabled: false });
  });

  it("a node refuses an unreadable or malformed seed file, and runs the faucet from a hex or dev wallet file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "weaver-faucet-"));
    try {
      const start = (seedFile: string, sub: string) =>
        WeaverNode.start(
          validateNodeOptions({
            dataDir: join(dir, sub),
            // PoW on, remote PoW off: the faucet still gets an engine.
            network: { minPowScore: 100 },
            bootstrap: { genesisAddress: "development" },
            p2p: { bind: "127.0.0.1:0" },
            api: { bind: "127.0.0.1:0", powWorkers: 0 },
            mqtt: { bind: "127.0.0.1:0" },
            faucet: { enabled: true, seedFile },
            spammer: { enabled: true },
          }),
        );
      const refusal = async (seedFile: string, pattern: RegExp) => {
        await assert.rejects(
          start(seedFile, "refused"),
          (e: unknown) =>
            e instanceof WeaverNodeError && e.type.option === "faucet.seedFile" && pattern.test(e.message),
        );
      };
      await refusal(join(dir, "missing.hex"), /cannot read/);
      writeFileSync(join(dir, "short.hex"), "abcd\n");
      await refusal(join(dir, "short.hex"), /16\.\.64 bytes/);
      writeFileSync(join(dir, "wallet.json"), `${JSON.stringify({ seedHex: bytesToHex(SEED) })}\n`);
      writeFileSync(join(dir, "seed.hex"), `0x${bytesToHex(SEED)}\n`);
      for (const file of ["wallet.json", "seed.hex"]) {
        const node = await start(join(dir, file), `data-${file}`);
        try {
          const api = `http://127.0.0.1:${node.status().api.port}`;
          const info = (await (await fetch(`${api}${INFO}`)).json()) as { data: { address: string } };
          assert.equal(info.data.address, bech32(FAUCET_WALLET.address));
          const submitted = await fetch(`${api}/api/v1/messages`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ payload: null }),
          });
          assert.notEqual(submitted.status, 201, "remote PoW stays off");
          assert.equal((await fetch(`${api}/api/plugins/spammer/v1/status`)).status, 403);
        } finally {
          await node.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
