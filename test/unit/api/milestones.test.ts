/** Milestones by index, their UTXO changes after a value transfer, and tip selection over the API. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TOKEN_SUPPLY } from "../../../src/params/protocol.js";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { TangleError } from "../../../src/tangle/tangleError.js";
import { DEFAULT_TIP_SELECTION_PARAMS } from "../../../src/tangle/tipScore.js";
import { outputIdTo, Wallet } from "../../utils/ledgerFixtures.js";
import { apiHarness, assertErrorEnvelope, dataOf } from "./apiHarness.js";

const alice = Wallet.named("alice");

describe("GET /api/v1/milestones/{index}", () => {
  it("answers index, message id and timestamp; 404 for an unknown index", async () => {
    const h = await apiHarness();
    const ms1 = await h.cb.milestone([]);
    const ms2 = await h.cb.milestone([]);
    for (const ms of [ms1, ms2]) {
      assert.deepEqual(dataOf(await h.get(`/api/v1/milestones/${ms.index}`)), {
        index: ms.index,
        messageId: bytesToHex(ms.messageId),
        timestamp: Number(h.cb.tb.tangle.getMilestone(ms.index)?.timestamp),
      });
    }
    assert.equal((dataOf(await h.get("/api/v1/milestones/0002")) as { index: number }).index, 2);
    assert.match(assertErrorEnvelope(await h.get("/api/v1/milestones/3"), 404), /milestone 3/);
    assertErrorEnvelope(await h.get("/api/v1/milestones/0"), 404);
    assertErrorEnvelope(await h.get("/api/v1/milestones/4294967295"), 404);
    assertErrorEnvelope(await h.get("/api/v1/milestones/4294967296"), 400);
  });
});

describe("GET /api/v1/milestones/{index}/utxo-changes", () => {
  it("lists the outputs a value transfer created and consumed; an empty milestone has none", async () => {
    const h = await apiHarness();
    await h.cb.milestone([]);
    const tx = h.cb.genesisWallet.transfer(
      [h.cb.genesisOutput],
      [
        { address: alice, amount: 1_000_000 },
        { address: h.cb.genesisWallet, amount: TOKEN_SUPPLY - 1_000_000 },
      ],
    );
    await h.cb.tb.message("A").parents("ms1").withPayload(tx).store();
    await h.cb.milestone(["A"]);
    const changes = dataOf(await h.get("/api/v1/milestones/2/utxo-changes")) as {
      index: number;
      createdOutputs: string[];
      consumedOutputs: string[];
    };
    assert.equal(changes.index, 2);
    assert.deepEqual(
      [...changes.createdOutputs].sort(),
      [outputIdTo(tx, alice), outputIdTo(tx, h.cb.genesisWallet)].map(bytesToHex).sort(),
    );
    assert.deepEqual(changes.consumedOutputs, [bytesToHex(h.cb.genesisOutput.outputId)]);
    assert.equal(changes.consumedOutputs[0], "00".repeat(34));
    assert.deepEqual(dataOf(await h.get("/api/v1/milestones/1/utxo-changes")), {
      index: 1,
      createdOutputs: [],
      consumedOutputs: [],
    });
    assertErrorEnvelope(await h.get("/api/v1/milestones/3/utxo-changes"), 404);
  });
});

describe("GET /api/v1/tips", () => {
  it("is 503 before milestone 1, then answers 1 to 4 sorted tips", async () => {
    const h = await apiHarness();
    await h.cb.tb.message("A").store();
    assert.match(assertErrorEnvelope(await h.get("/api/v1/tips"), 503), /not synced/);
    await h.cb.milestone(["A"]);
    for (const label of ["B", "C", "D", "E", "F"]) await h.cb.tb.message(label).parents("ms1").store();
    const { tipMessageIds } = dataOf(await h.get("/api/v1/tips")) as { tipMessageIds: string[] };
    assert.ok(tipMessageIds.length >= 1 && tipMessageIds.length <= 4, `${tipMessageIds.length} tips`);
    assert.deepEqual([...tipMessageIds].sort(), tipMessageIds);
    assert.equal(new Set(tipMessageIds).size, tipMessageIds.length);
    for (const id of tipMessageIds) assert.match(id, /^[0-9a-f]{64}$/);
    const spammer = dataOf(await h.get("/api/v1/tips?spammerTips")) as { tipMessageIds: string[] };
    assert.ok(spammer.tipMessageIds.length >= 1);
  });

  it("is 503 when the pool has no tips, and a failure of tip selection is a 500", async () => {
    const stub = (error: Error) => ({
      options: { params: DEFAULT_TIP_SELECTION_PARAMS, nonLazy: {} as never, semiLazy: {} as never },
      selectTips: () => {
        throw error;
      },
      selectSpammerTips: () => {
        throw error;
      },
    });
    const empty = await apiHarness({ deps: { tipSelector: stub(new TangleError("TANGLE_ERROR_NO_TIPS", "empty")) } });
    assertErrorEnvelope(await empty.get("/api/v1/tips"), 503);
    const broken = await apiHarness({ deps: { tipSelector: stub(new TangleError("TANGLE_ERROR_CLOSED", "closed")) } });
    assertErrorEnvelope(await broken.get("/api/v1/tips"), 500);
  });
});
