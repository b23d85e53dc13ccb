/**
 * EventPublisher without a broker: the publications a ConsensusBuilder tangle's events produce, topic by topic and
 * payload by payload (chrysalis.md §10.5, Hornet 1.2.8 plugins/mqtt), what a new subscriber is sent at once, and
 * that nothing is read from the tangle or the ledger, nor serialised, for topics without subscribers.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Bech32Helper } from "@iota/iota.js";
import {
  decodeMessage,
  type MilestonePayload,
  milestoneId,
  payloadToJson,
  type ReceiptPayload,
  transactionId,
} from "../../../src/codec/index.js";
import { EventPublisher, type EventPublisherDependencies } from "../../../src/mqtt/eventPublisher.js";
import { SubscriptionIndex } from "../../../src/mqtt/subscriptionIndex.js";
import { parseTopic } from "../../../src/mqtt/topics.js";
import { TOKEN_SUPPLY } from "../../../src/params/protocol.js";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { ConsensusBuilder } from "../../utils/consensusBuilder.js";
import { outputIdTo, Wallet } from "../../utils/ledgerFixtures.js";
import { HRP } from "./mqttHarness.js";

const alice = Wallet.named("alice");
const ZERO_OUTPUT = "00".repeat(34);

interface Publication {
  topic: string;
  payload: Buffer;
}

/** Counts every read the publisher makes of the tangle and the ledger. */
function counting<T extends object>(target: T, reads: { count: number }): T {
  return new Proxy(target, {
    get(t, name) {
      const value: unknown = Reflect.get(t, name, t);
      reads.count++;
      return typeof value === "function" ? (value as (...a: unknown[]) => unknown).bind(t) : value;
    },
  });
}

interface Setup {
  cb: ConsensusBuilder;
  index: SubscriptionIndex<string>;
  publisher: EventPublisher;
  published: Publication[];
  reads: { count: number };
  subscribe(...topics: string[]): void;
  /** The payloads published on `topic`, in order. */
  on(topic: string): Buffer[];
  json(topic: string): unknown[];
}

async function setup(): Promise<Setup> {
  const cb = await ConsensusBuilder.create();
  const reads = { count: 0 };
  const deps: EventPublisherDependencies = {
    tangle: counting(cb.tb.tangle, reads),
    ledger: counting(cb.ledger, reads),
    tipSelectionParams: cb.tb.tipSelector.options.params,
  };
  const index = new SubscriptionIndex<string>(100);
  const published: Publication[] = [];
  const publisher = new EventPublisher(deps, index as SubscriptionIndex<unknown>, (topic, payload) =>
    published.push({ topic, payload }),
  );
  publisher.attach(cb.tb.pipeline.events);
  const on = (topic: string): Buffer[] => published.filter((p) => p.topic === topic).map((p) => p.payload);
  return {
    cb,
    index,
    publisher,
    published,
    reads,
    subscribe: (...topics) => {
      for (const t of topics) {
        const parsed = parseTopic(t, HRP);
        assert.ok(parsed !== null, t);
        index.add("client", t, parsed);
      }
    },
    on,
    json: (topic) => on(topic).map((b) => JSON.parse(b.toString("utf8")) as unknown),
  };
}

function state(s: Setup, topic: string): Buffer | null {
  const parsed = parseTopic(topic, HRP);
  assert.ok(parsed !== null, topic);
  return s.publisher.currentState(parsed);
}

describe("EventPublisher", () => {
  it("reads and serialises nothing while nobody is subscribed", async () => {
    const s = await setup();
    await s.cb.milestone([]);
    const tx = s.cb.genesisWallet.transfer(
      [s.cb.genesisOutput],
      [
        { address: alice, amount: 1_000_000 },
        { address: s.cb.genesisWallet, amount: TOKEN_SUPPLY - 1_000_000 },
      ],
    );
    await s.cb.tb.message("T").parents("ms1").withPayload(tx).store();
    await s.cb.tb.message("I").parents("ms1").index("EOY").store();
    await s.cb.milestone(["T", "I"]);
    assert.deepEqual(s.published, []);
    assert.equal(s.reads.count, 0);
    await s.cb.tb.close();
  });

  it("publishes messages, indexation, metadata and milestones as the events come", async () => {
    const s = await setup();
    s.subscribe("messages", "milestones/latest", "milestones/confirmed", "messages/referenced");
    s.subscribe("messages/indexation/454f59", "messages/indexation/4a4b");
    const a = s.cb.tb.message("A").index("EOY", "data").build();
    const ANY_CASE = `messages/${bytesToHex(a.id).toUpperCase()}/metadata`;
    s.subscribe(`messages/${bytesToHex(a.id)}/metadata`, ANY_CASE);
    await s.cb.tb.pipeline.ingress.submit(a.bytes, { source: "peer" });
    // An indexation inside a transaction is not published on the indexation topic (Hornet).
    const tx = s.cb.genesisWallet.transfer([s.cb.genesisOutput], [{ address: alice, amount: TOKEN_SUPPLY }], {
      index: "JK",
    });
    await s.cb.tb.message("T").withPayload(tx).store();
    const ms = await s.cb.milestone(["A", "T"]);

    assert.deepEqual(
      s.on("messages").map((b) => bytesToHex(b)),
      [bytesToHex(a.bytes), bytesToHex(s.cb.tb.bytes("T")), bytesToHex(ms.bytes)],
      "the stored bytes of each new message",
    );
    assert.deepEqual(s.on("messages/indexation/454f59"), [Buffer.from(a.bytes)]);
    assert.deepEqual(s.on("messages/indexation/4a4b"), []);

    const payload = decodeMessage(ms.bytes, "trusted").payload as MilestonePayload;
    assert.deepEqual(s.json("milestones/latest"), [{ index: 1, timestamp: payload.timestamp }]);
    assert.deepEqual(s.json("milestones/confirmed"), [{ index: 1, timestamp: payload.timestamp }]);

    // Solid first (with the promote/reattach hints), then referenced; on every spelling a client used.
    const metadata = s.json(`messages/${bytesToHex(a.id)}/metadata`);
    assert.deepEqual(s.json(ANY_CASE), metadata);
    assert.deepEqual(metadata, [
      {
        messageId: bytesToHex(a.id),
        parentMessageIds: ["00".repeat(32)],
        isSolid: true,
        shouldPromote: false,
        shouldReattach: false,
      },
      {
        messageId: bytesToHex(a.id),
        parentMessageIds: ["00".repeat(32)],
        isSolid: true,
        referencedByMilestoneIndex: 1,
        ledgerInclusionState: "noTransaction",
      },
    ]);
    // messages/referenced: every message of the cone in white-flag order, the milestone message last.
    const referenced = s.json("messages/referenced") as Array<{ messageId: string; ledgerInclusionState: string }>;
    assert.deepEqual(
      referenced.map((m) => [m.messageId, m.ledgerInclusionState]).sort(),
      [
        [bytesToHex(a.id), "noTransaction"],
        [s.cb.tb.hex("T"), "included"],
        [bytesToHex(ms.messageId), "noTransaction"],
      ].sort(),
    );
    assert.equal(referenced.at(-1)?.messageId, bytesToHex(ms.messageId), "the milestone message last");
    assert.equal((referenced.at(-1) as { milestoneIndex?: number }).milestoneIndex, 1);
    await s.cb.tb.close();
  });

  it("publishes outputs, address outputs and the included message of a value transfer", async () => {
    const s = await setup();
    await s.cb.milestone([]);
    const tx = s.cb.genesisWallet.transfer(
      [s.cb.genesisOutput],
      [
        { address: alice, amount: 1_000_000 },
        { address: s.cb.genesisWallet, amount: TOKEN_SUPPLY - 1_000_000 },
      ],
    );
    const txHex = bytesToHex(transactionId(tx));
    const toAlice = bytesToHex(outputIdTo(tx, alice));
    const aliceBech32 = Bech32Helper.toBech32(0, alice.address, HRP);
    s.subscribe(
      `outputs/${toAlice}`,
      `outputs/${ZERO_OUTPUT}`,
      `addresses/${aliceBech32}/outputs`,
      `addresses/ed25519/${alice.addressHex}/outputs`,
      `transactions/${txHex}/included-message`,
    );
    await s.cb.tb.message("T").parents("ms1").withPayload(tx).store();
    assert.deepEqual(s.published, [], "nothing before the confirmation");
    await s.cb.milestone(["T"]);

    const created = {
      messageId: s.cb.tb.hex("T"),
      transactionId: txHex,
      outputIndex: outputIdTo(tx, alice)[32],
      isSpent: false,
      ledgerIndex: 2,
      output: { type: 0, address: { type: 0, address: alice.addressHex }, amount: 1_000_000 },
    };
    assert.deepEqual(s.json(`outputs/${toAlice}`), [created]);
    assert.deepEqual(Object.keys(created), Object.keys(s.json(`outputs/${toAlice}`)[0] as object), "Hornet's order");
    assert.deepEqual(s.json(`addresses/${aliceBech32}/outputs`), [created]);
    assert.deepEqual(s.json(`addresses/ed25519/${alice.addressHex}/outputs`), [created]);
    assert.deepEqual(s.json(`outputs/${ZERO_OUTPUT}`), [
      {
        messageId: "00".repeat(32),
        transactionId: "00".repeat(32),
        outputIndex: 0,
        isSpent: true,
        ledgerIndex: 2,
        output: { type: 0, address: { type: 0, address: s.cb.genesisWallet.addressHex }, amount: TOKEN_SUPPLY },
      },
    ]);
    assert.deepEqual(s.on(`transactions/${txHex}/included-message`), [Buffer.from(s.cb.tb.bytes("T"))]);
    await s.cb.tb.close();
  });

  it("sends the current state on subscribe for milestones, metadata, outputs and included transactions", async () => {
    const s = await setup();
    assert.equal(state(s, "milestones/latest"), null, "no milestone yet");
    assert.equal(state(s, `messages/${"11".repeat(32)}/metadata`), null, "unknown message");
    assert.equal(state(s, `outputs/${"11".repeat(34)}`), null, "unknown output");
    assert.equal(state(s, `transactions/${"11".repeat(32)}/included-message`), null, "unknown transaction");
    const ms1 = await s.cb.milestone([]);
    const tx = s.cb.genesisWallet.transfer([s.cb.genesisOutput], [{ address: alice, amount: TOKEN_SUPPLY }]);
    await s.cb.tb.message("T").parents("ms1").withPayload(tx).store();
    const unconfirmed = `transactions/${bytesToHex(transactionId(tx))}/included-message`;
    assert.equal(state(s, unconfirmed), null, "not included yet");
    await s.cb.milestone(["T"]);
    const x = await s.cb.tb.message("X").parents("ms2").store();
    assert.equal(x.status, "new");

    const timestamp = (decodeMessage(ms1.bytes, "trusted").payload as MilestonePayload).timestamp;
    assert.deepEqual(JSON.parse(String(state(s, "milestones/confirmed"))), { index: 2, timestamp: timestamp + 1 });
    assert.deepEqual(JSON.parse(String(state(s, "milestones/latest"))), { index: 2, timestamp: timestamp + 1 });
    assert.deepEqual(JSON.parse(String(state(s, `messages/${s.cb.tb.hex("T").toUpperCase()}/metadata`))), {
      messageId: s.cb.tb.hex("T"),
      parentMessageIds: [bytesToHex(ms1.messageId)],
      isSolid: true,
      referencedByMilestoneIndex: 2,
      ledgerInclusionState: "included",
    });
    assert.deepEqual(JSON.parse(String(state(s, `messages/${s.cb.tb.hex("X")}/metadata`))), {
      messageId: s.cb.tb.hex("X"),
      parentMessageIds: [s.cb.tb.hex("ms2")],
      isSolid: true,
      shouldPromote: false,
      shouldReattach: false,
    });
    assert.deepEqual(JSON.parse(String(state(s, `outputs/${ZERO_OUTPUT}`))), {
      messageId: "00".repeat(32),
      transactionId: "00".repeat(32),
      outputIndex: 0,
      isSpent: true,
      ledgerIndex: 2,
      output: { type: 0, address: { type: 0, address: s.cb.genesisWallet.addressHex }, amount: TOKEN_SUPPLY },
    });
    assert.deepEqual(state(s, unconfirmed), Buffer.from(s.cb.tb.bytes("T")));
    for (const topic of [
      "messages",
      "messages/referenced",
      "receipts",
      `addresses/ed25519/${alice.addressHex}/outputs`,
    ]) {
      assert.equal(state(s, topic), null, `${topic} has no current state`);
    }
    await s.cb.tb.close();
  });

  it("publishes a confirmed receipt on receipts, and migrated outputs as outputs", async () => {
    // A builder whose genesis keeps a treasury (TIP-17), with the publisher on it.
    const m = await ConsensusBuilder.create({ treasury: 10_000_000 });
    const index = new SubscriptionIndex<string>(10);
    const published: Publication[] = [];
    new EventPublisher(
      { tangle: m.tb.tangle, ledger: m.ledger, tipSelectionParams: m.tb.tipSelector.options.params },
      index as SubscriptionIndex<unknown>,
      (topic, payload) => published.push({ topic, payload }),
    ).attach(m.tb.pipeline.events);
    for (const t of ["receipts", `addresses/ed25519/${alice.addressHex}/outputs`])
      index.add("c", t, parseTopic(t, HRP)!);
    const receipt: ReceiptPayload = {
      type: 3,
      migratedAt: 5,
      final: false,
      funds: [
        {
          tailTransactionHash: new Uint8Array(49).fill(1),
          address: { type: 0, address: alice.address },
          deposit: 1_000_000,
        },
      ],
      transaction: {
        type: 4,
        input: { type: 1, milestoneId: new Uint8Array(32) },
        output: { type: 2, amount: 9_000_000 },
      },
    };
    const ms = await m.milestone([], { receipt });
    const msId = milestoneId(decodeMessage(ms.bytes, "trusted").payload as MilestonePayload);
    assert.deepEqual(
      published.filter((p) => p.topic === "receipts").map((p) => JSON.parse(p.payload.toString()) as unknown),
      [JSON.parse(JSON.stringify(payloadToJson(receipt)))],
    );
    const migrated = published.filter((p) => p.topic.startsWith("addresses/"));
    assert.equal(migrated.length, 1);
    assert.deepEqual(JSON.parse(migrated[0]!.payload.toString()), {
      messageId: bytesToHex(ms.messageId),
      transactionId: bytesToHex(msId),
      outputIndex: 0,
      isSpent: false,
      ledgerIndex: 1,
      output: { type: 0, address: { type: 0, address: alice.addressHex }, amount: 1_000_000 },
    });
    await m.tb.close();
  });
});
