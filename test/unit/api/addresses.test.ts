/**
 * The address routes in both forms (bech32 and ed25519 hex) against a ledger built with ConsensusBuilder: balance and
 * dustAllowed after a dust allowance, output ids with include-spent and type, the tx-history with a white-flag double
 * spend, 503 while not synced, and bech32 checked against iota.js 1.8.6's Bech32Helper and the TIP-11 vectors.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Bech32Helper } from "@iota/iota.js";
import { jwtKey, signApiToken } from "../../../src/api/jwt.js";
import { transactionId } from "../../../src/codec/index.js";
import { encodeBech32Address } from "../../../src/crypto/bech32.js";
import { TOKEN_SUPPLY } from "../../../src/params/protocol.js";
import { concatBytes } from "../../../src/primitives/bytes.js";
import { bytesToHex, hexToBytes } from "../../../src/primitives/hex.js";
import { outputIdTo, Wallet } from "../../utils/ledgerFixtures.js";
import { type ApiHarness, apiHarness, assertErrorEnvelope, dataOf, type HarnessOptions } from "./apiHarness.js";

const alice = Wallet.named("alice");
const bob = Wallet.named("bob");
const HRP = "atoi";

/** tx-history is a protected route (Hornet's policy, auth.ts): the harness's requests carry a token. */
const KEY = jwtKey("weaver-test-api-secret-at-least-32-bytes") ?? new Uint8Array(32);

async function harness(options: HarnessOptions = {}): Promise<ApiHarness> {
  const h = await apiHarness({ ...options, api: { jwtKey: KEY, ...options.api } });
  const authorization = `Bearer ${await signApiToken(KEY, { subject: "test" }, h.cb.tb.now)}`;
  return { ...h, get: (url) => h.app.inject({ method: "GET", url, headers: { authorization } }) };
}

const bech32Of = (address: Uint8Array, hrp = HRP) =>
  encodeBech32Address(hrp, concatBytes(new Uint8Array([0]), address));

/** Both paths of an address route; `suffix` is "", "/outputs…" or "/tx-history". */
function bothForms(address: Uint8Array, suffix = ""): string[] {
  return [
    `/api/v1/addresses/${bech32Of(address)}${suffix}`,
    `/api/v1/addresses/ed25519/${bytesToHex(address)}${suffix}`,
  ];
}

/** GETs the route in both forms, checks they agree, returns the data. */
async function getBoth(h: ApiHarness, address: Uint8Array, suffix = ""): Promise<Record<string, unknown>> {
  const [bech32, hex] = bothForms(address, suffix);
  const a = dataOf(await h.get(bech32!)) as Record<string, unknown>;
  assert.deepEqual(dataOf(await h.get(hex!)), a, suffix);
  return a;
}

const BOBS = 1_999_500;

/**
 * ms1 empty; A (genesis → alice: 1 Mi dust allowance and 2 Mi) confirmed by ms2; B (alice's 2 Mi → bob, 500 of dust
 * back to alice) confirmed by ms3. TIP-7 allows one output per address and type, hence two transactions.
 */
async function scenario(options: HarnessOptions = {}) {
  const h = await harness(options);
  await h.cb.milestone([]);
  const a = h.cb.genesisWallet.transfer(
    [h.cb.genesisOutput],
    [
      { address: alice, amount: 1_000_000, type: 1 },
      { address: alice, amount: 2_000_000 },
      { address: h.cb.genesisWallet, amount: TOKEN_SUPPLY - 3_000_000 },
    ],
  );
  await h.cb.tb.message("A").parents("ms1").withPayload(a).store();
  await h.cb.milestone(["A"]);
  const twoMi = outputIdTo(a, alice);
  const b = alice.transfer(
    [{ outputId: twoMi }],
    [
      { address: bob, amount: BOBS },
      { address: alice, amount: 500 },
    ],
  );
  await h.cb.tb.message("B").parents("ms2").withPayload(b).store();
  await h.cb.milestone(["B"]);
  return { h, a, b, ids: { allowance: outputIdTo(a, alice, 1), twoMi, dust: outputIdTo(b, alice) } };
}

describe("GET /api/v1/addresses/{bech32} and /addresses/ed25519/{hex}", () => {
  it("answers balance and dustAllowed in both forms, the address as hex", async () => {
    const { h } = await scenario();
    assert.deepEqual(await getBoth(h, alice.address), {
      addressType: 0,
      address: alice.addressHex,
      balance: 1_000_500,
      // 1 Mi of allowance admits 10 dust outputs; alice holds one.
      dustAllowed: true,
      ledgerIndex: 3,
    });
    assert.deepEqual(await getBoth(h, bob.address), {
      addressType: 0,
      address: bob.addressHex,
      balance: BOBS,
      dustAllowed: false,
      ledgerIndex: 3,
    });
    const nobody = new Uint8Array(32).fill(7);
    assert.deepEqual(await getBoth(h, nobody), {
      addressType: 0,
      address: bytesToHex(nobody),
      balance: 0,
      dustAllowed: false,
      ledgerIndex: 3,
    });
  });

  it("is 503 before the node is synced, for balance and outputs; the tx-history still answers", async () => {
    const h = await harness();
    for (const url of [...bothForms(alice.address), ...bothForms(alice.address, "/outputs")]) {
      assert.match(assertErrorEnvelope(await h.get(url), 503), /not synced/, url);
    }
    for (const url of bothForms(alice.address, "/tx-history")) {
      assert.equal((dataOf(await h.get(url)) as { count: number }).count, 0);
    }
    // A bad parameter is a 400 even then.
    assertErrorEnvelope(await h.get("/api/v1/addresses/ed25519/abcd"), 400);
  });

  it("takes the bech32 form iota.js makes, matches the TIP-11 vector, and refuses a foreign HRP, a bad checksum or type", async () => {
    const h = await harness();
    await h.cb.milestone([]);
    for (const w of [alice, bob]) {
      const theirs = Bech32Helper.toBech32(0, w.address, HRP);
      assert.equal(bech32Of(w.address), theirs);
      assert.deepEqual(Bech32Helper.fromBech32(theirs, HRP)?.addressBytes, w.address);
    }
    // TIP-11 vector (chrysalis.md §8): the Hornet private-tangle wallet.
    const vector = "atoi1qpszqzadsym6wpppd6z037dvlejmjuke7s24hm95s9fg9vpua7vluehe53e";
    const data = dataOf(await h.get(`/api/v1/addresses/${vector}`)) as { address: string };
    assert.equal(data.address, "60200bad8137a704216e84f8f9acfe65b972d9f4155becb4815282b03cef99fe");
    // BIP-173: all upper case is the same address.
    assert.deepEqual(dataOf(await h.get(`/api/v1/addresses/${vector.toUpperCase()}`)), data);

    const mainnet = Bech32Helper.toBech32(0, hexToBytes(data.address), "iota");
    assert.match(assertErrorEnvelope(await h.get(`/api/v1/addresses/${mainnet}`), 400), /HRP atoi/);
    const flipped = `${vector.slice(0, -1)}${vector.endsWith("e") ? "q" : "e"}`;
    assert.match(assertErrorEnvelope(await h.get(`/api/v1/addresses/${flipped}`), 400), /checksum/);
    const mixed = `${vector.slice(0, 10)}${vector.slice(10).toUpperCase()}`;
    assert.match(assertErrorEnvelope(await h.get(`/api/v1/addresses/${mixed}`), 400), /mixed case/);
    const typeOne = Bech32Helper.toBech32(1, alice.address, HRP);
    assert.match(assertErrorEnvelope(await h.get(`/api/v1/addresses/${typeOne}/outputs`), 400), /type 1/);
    assertErrorEnvelope(await h.get(`/api/v1/addresses/${alice.addressHex}`), 400);
    assertErrorEnvelope(await h.get("/api/v1/addresses/ed25519"), 400);
    assertErrorEnvelope(await h.get(`/api/v1/addresses/ed25519/${alice.addressHex}0`), 400);
    assertErrorEnvelope(await h.get(`/api/v1/addresses/ed25519/${bech32Of(alice.address)}/tx-history`), 400);
  });
});

describe("GET /api/v1/addresses/…/outputs", () => {
  it("lists unspent outputs by default, appends spent ones with include-spent, and filters by type", async () => {
    const { h, ids } = await scenario();
    const hex = (id: Uint8Array) => bytesToHex(id);
    const outputs = async (query: string) => getBoth(h, alice.address, `/outputs${query}`);

    const unspent = await outputs("");
    assert.deepEqual(Object.keys(unspent), [
      "addressType",
      "address",
      "maxResults",
      "count",
      "outputIds",
      "ledgerIndex",
    ]);
    assert.equal(unspent.addressType, 0);
    assert.equal(unspent.address, alice.addressHex);
    assert.equal(unspent.maxResults, 1000);
    assert.equal(unspent.count, 2);
    assert.equal(unspent.ledgerIndex, 3);
    assert.deepEqual([...(unspent.outputIds as string[])].sort(), [hex(ids.allowance), hex(ids.dust)].sort());

    for (const flag of ["true", "TRUE", "1", "t"]) {
      const all = await outputs(`?include-spent=${flag}`);
      assert.equal(all.count, 3, flag);
      assert.deepEqual((all.outputIds as string[]).slice(0, 2), unspent.outputIds);
      assert.equal((all.outputIds as string[])[2], hex(ids.twoMi));
    }
    for (const flag of ["false", "0", "", "F"]) {
      assert.deepEqual(await outputs(`?include-spent=${flag}`), unspent, flag);
    }
    assert.deepEqual((await outputs("?type=1")).outputIds, [hex(ids.allowance)]);
    assert.deepEqual((await outputs("?type=0")).outputIds, [hex(ids.dust)]);
    assert.deepEqual((await outputs("?type=0&include-spent=true")).outputIds, [hex(ids.dust), hex(ids.twoMi)]);
    assert.deepEqual((await outputs("?type=1&include-spent=true")).outputIds, [hex(ids.allowance)]);
    assert.deepEqual(await outputs("?type="), unspent);
    // bob: one unspent output, nothing spent.
    assert.equal((await getBoth(h, bob.address, "/outputs?include-spent=true")).count, 1);
  });

  it("caps the ids at maxResults, unspent ones first", async () => {
    const { h, ids } = await scenario({ api: { maxResults: 2 } });
    const all = await getBoth(h, alice.address, "/outputs?include-spent=true");
    assert.equal(all.maxResults, 2);
    assert.equal(all.count, 2);
    assert.equal((all.outputIds as string[]).includes(bytesToHex(ids.twoMi)), false);
  });

  it("refuses a type other than 0 or 1, an include-spent that is no boolean, and repeated parameters", async () => {
    const h = await harness();
    await h.cb.milestone([]);
    for (const query of ["type=2", "type=-1", "type=01", "type=abc", "type=0x1", "type=1.0", "type=0&type=1"]) {
      for (const url of bothForms(alice.address, `/outputs?${query}`)) {
        assert.match(assertErrorEnvelope(await h.get(url), 400), /type/, url);
      }
    }
    for (const query of ["include-spent=yes", "include-spent=2", "include-spent=true&include-spent=true"]) {
      for (const url of bothForms(alice.address, `/outputs?${query}`)) {
        assert.match(assertErrorEnvelope(await h.get(url), 400), /include-spent/, url);
      }
    }
  });
});

describe("GET /api/v1/addresses/…/tx-history", () => {
  it("lists each transaction that touched the address, newest first, with a white-flag double spend", async () => {
    const { h, a, b } = await scenario();
    const timestamp = (index: number) => Number(h.cb.tb.tangle.getMilestone(index)?.timestamp);
    const bobsOutput = outputIdTo(b, bob);
    const toAlice = bob.transfer([{ outputId: bobsOutput }], [{ address: alice, amount: BOBS }]);
    const toGenesis = bob.transfer([{ outputId: bobsOutput }], [{ address: h.cb.genesisWallet, amount: BOBS }]);
    await h.cb.tb.message("C").parents("ms3").withPayload(toAlice).store();
    await h.cb.tb.message("D").parents("ms3").withPayload(toGenesis).store();
    await h.cb.milestone(["C", "D"]);

    const history = await getBoth(h, bob.address, "/tx-history");
    assert.deepEqual(Object.keys(history), ["addressType", "address", "maxResults", "count", "history", "ledgerIndex"]);
    assert.equal(history.count, 3);
    assert.equal(history.ledgerIndex, 4);
    const items = history.history as Array<Record<string, unknown>>;
    // Milestone 4 referenced both spends of bob's output: white flag included one and refused the other.
    const atFour = items.slice(0, 2);
    const included = atFour.find((i) => i.ledgerInclusionState === "included");
    const conflicting = atFour.find((i) => i.ledgerInclusionState === "conflicting");
    assert.ok(included !== undefined && conflicting !== undefined);
    const includedTx = included.messageId === h.cb.tb.hex("C") ? toAlice : toGenesis;
    const conflictingTx = includedTx === toAlice ? toGenesis : toAlice;
    assert.deepEqual(included, {
      messageId: h.cb.tb.hex(includedTx === toAlice ? "C" : "D"),
      transactionId: bytesToHex(transactionId(includedTx)),
      referencedByMilestoneIndex: 4,
      milestoneTimestampReferenced: timestamp(4),
      ledgerInclusionState: "included",
      inputsCount: 1,
      outputsCount: 1,
      addressBalanceChange: -BOBS,
    });
    assert.deepEqual(conflicting, {
      messageId: h.cb.tb.hex(includedTx === toAlice ? "D" : "C"),
      transactionId: bytesToHex(transactionId(conflictingTx)),
      referencedByMilestoneIndex: 4,
      milestoneTimestampReferenced: timestamp(4),
      ledgerInclusionState: "conflicting",
      conflictReason: 2,
      inputsCount: 1,
      outputsCount: 1,
      addressBalanceChange: 0,
    });
    assert.deepEqual(items[2], {
      messageId: h.cb.tb.hex("B"),
      transactionId: bytesToHex(transactionId(b)),
      referencedByMilestoneIndex: 3,
      milestoneTimestampReferenced: timestamp(3),
      ledgerInclusionState: "included",
      inputsCount: 1,
      outputsCount: 2,
      addressBalanceChange: BOBS,
    });

    const alices = (await getBoth(h, alice.address, "/tx-history")).history as Array<Record<string, unknown>>;
    const changes = alices.map((i) => [i.referencedByMilestoneIndex, i.messageId, i.addressBalanceChange]);
    assert.deepEqual(changes.slice(-2), [
      [3, h.cb.tb.hex("B"), -BOBS],
      [2, h.cb.tb.hex("A"), 3_000_000],
    ]);
    assert.equal((alices.at(-1) as { outputsCount: number }).outputsCount, a.essence.outputs.length);
  });

  it("is a protected route (Hornet's policy): 403 without a token, while balance and outputs stay public", async () => {
    const { h } = await scenario();
    for (const url of bothForms(alice.address, "/tx-history")) {
      assert.match(assertErrorEnvelope(await h.app.inject({ method: "GET", url }), 403), /protected/);
    }
    for (const url of [...bothForms(alice.address), ...bothForms(alice.address, "/outputs")]) {
      assert.equal((await h.app.inject({ method: "GET", url })).statusCode, 200, url);
    }
  });

  it("caps the history at maxResults, newest first", async () => {
    const { h } = await scenario({ api: { maxResults: 1 } });
    const history = await getBoth(h, alice.address, "/tx-history");
    assert.equal(history.count, 1);
    assert.equal((history.history as Array<{ messageId: string }>)[0]?.messageId, h.cb.tb.hex("B"));
  });
});
