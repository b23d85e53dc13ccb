/**
 * The event API as an unmodified iota.js 1.8.6 `MqttClient` sees it, over TCP (`mqtt://`) and over WebSocket
 * (`ws://…/mqtt` on an HTTP server), against a ConsensusBuilder tangle: current state on subscribe for the milestones,
 * an output, a message's metadata and an included transaction; then a value transfer with an indexation message
 * beside it: the raw messages (the stored bytes), the indexation topic, metadata from solid to referenced, the
 * referenced stream, the outputs created and spent on both address topics, the included message; and receipts.
 */
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { describe, it } from "node:test";
import { Bech32Helper, type IMessageMetadata, type IOutputResponse } from "@iota/iota.js";
import { Converter } from "@iota/util.js";
import {
  decodeMessage,
  type MilestonePayload,
  payloadToJson,
  type ReceiptPayload,
  transactionId,
} from "../../src/codec/index.js";
import { createEventApi } from "../../src/mqtt/eventApi.js";
import { TOKEN_SUPPLY } from "../../src/params/protocol.js";
import { bytesToHex } from "../../src/primitives/hex.js";
import { apiHarness } from "../unit/api/apiHarness.js";
import {
  closeIotaMqttClient,
  eventually,
  HRP,
  Inbox,
  type IotaMqttClient,
  iotaMqttClient,
  type MqttHarness,
  mqttHarness,
} from "../unit/mqtt/mqttHarness.js";
import { ConsensusBuilder } from "../utils/consensusBuilder.js";
import { outputIdTo, Wallet } from "../utils/ledgerFixtures.js";

const alice = Wallet.named("alice");
const bob = Wallet.named("bob");
const GENESIS_OUTPUT = "00".repeat(34);

function timestampOf(bytes: Uint8Array): number {
  return (decodeMessage(bytes, "trusted").payload as MilestonePayload).timestamp;
}

/** Subscribes through `subscribe` and collects what arrives. */
function inbox<T>(subscribe: (callback: (topic: string, data: T) => void) => string): Inbox<T> {
  const box = new Inbox<T>();
  subscribe((_topic, data) => box.push(data));
  return box;
}

async function valueTransfer(h: MqttHarness, url: string): Promise<void> {
  const { cb } = h;
  const ms1 = await cb.milestone([]);
  const tx = cb.genesisWallet.transfer(
    [cb.genesisOutput],
    [
      { address: alice, amount: 1_000_000 },
      { address: cb.genesisWallet, amount: TOKEN_SUPPLY - 1_000_000 },
    ],
  );
  const txHex = bytesToHex(transactionId(tx));
  const toAlice = bytesToHex(outputIdTo(tx, alice));
  const t = cb.tb.message("T").parents("ms1").withPayload(tx).build();
  const a = cb.tb.message("A").parents("ms1").index("EOY", "hello").build();
  const tHex = bytesToHex(t.id);
  const aliceBech32 = Bech32Helper.toBech32(0, alice.address, HRP);

  const client = await iotaMqttClient(url);
  try {
    const latest = inbox<{ index: number; timestamp: number }>((c) => client.milestonesLatest(c));
    const confirmed = inbox<{ index: number; timestamp: number }>((c) => client.milestonesConfirmed(c));
    const raw = inbox<Uint8Array>((c) => client.messagesRaw(c));
    const indexed = inbox<Uint8Array>((c) => client.indexRaw("EOY", c));
    const decoded = new Inbox<string>();
    client.index("EOY", (_topic, message) =>
      decoded.push(Converter.bytesToUtf8(Converter.hexToBytes((message.payload as { index: string }).index))),
    );
    const metadata = inbox<IMessageMetadata>((c) => client.messageMetadata(tHex, c));
    const referenced = inbox<IMessageMetadata>((c) => client.messagesMetadata(c));
    const aliceOutput = inbox<IOutputResponse>((c) => client.output(toAlice, c));
    const genesisOutput = inbox<IOutputResponse>((c) => client.output(GENESIS_OUTPUT, c));
    const aliceBech = inbox<IOutputResponse>((c) => client.addressOutputs(aliceBech32, c));
    const aliceEd = inbox<IOutputResponse>((c) => client.addressEd25519Outputs(alice.addressHex, c));
    const included = new Inbox<Uint8Array>();
    client.transactionIncludedMessage(txHex, (_topic, _message, bytes) => included.push(bytes));
    // One SUBSCRIBE with every topic (iota.js subscribes them all on connect); `index` shares indexRaw's topic.
    await eventually(() => h.api.stats().subscriptions === 11, "the client's 11 topics are subscribed");

    // Current state on subscribe.
    const ms1State = { index: 1, timestamp: timestampOf(ms1.bytes) };
    assert.deepEqual(await latest.next(), ms1State);
    assert.deepEqual(await confirmed.next(), ms1State);
    assert.deepEqual(await genesisOutput.next(), {
      messageId: "00".repeat(32),
      transactionId: "00".repeat(32),
      outputIndex: 0,
      isSpent: false,
      ledgerIndex: 1,
      output: { type: 0, address: { type: 0, address: cb.genesisWallet.addressHex }, amount: TOKEN_SUPPLY },
    });

    await cb.tb.pipeline.ingress.submit(a.bytes, { source: "peer" });
    await cb.tb.pipeline.ingress.submit(t.bytes, { source: "api" });
    assert.deepEqual(
      [await raw.next(), await raw.next()],
      [a.bytes, t.bytes].map((b) => Buffer.from(b)),
    );
    assert.deepEqual(await indexed.next(), Buffer.from(a.bytes));
    assert.equal(await decoded.next(), "EOY");
    assert.deepEqual(await metadata.next(), {
      messageId: tHex,
      parentMessageIds: [bytesToHex(ms1.messageId)],
      isSolid: true,
      shouldPromote: false,
      shouldReattach: false,
    });

    const ms2 = await cb.milestone(["A", "T"]);
    const ms2State = { index: 2, timestamp: timestampOf(ms2.bytes) };
    assert.deepEqual(await latest.next(), ms2State);
    assert.deepEqual(await confirmed.next(), ms2State);
    assert.deepEqual(await raw.next(), Buffer.from(ms2.bytes), "the milestone message too");
    assert.deepEqual(await metadata.next(), {
      messageId: tHex,
      parentMessageIds: [bytesToHex(ms1.messageId)],
      isSolid: true,
      referencedByMilestoneIndex: 2,
      ledgerInclusionState: "included",
    });
    const cone = [await referenced.next(), await referenced.next(), await referenced.next()];
    assert.deepEqual(
      cone.map((m) => `${m.messageId} ${m.ledgerInclusionState}`).sort(),
      [`${tHex} included`, `${bytesToHex(a.id)} noTransaction`, `${bytesToHex(ms2.messageId)} noTransaction`].sort(),
    );
    assert.equal(cone[2]?.messageId, bytesToHex(ms2.messageId), "the milestone message last");
    // Hornet adds ledgerIndex, which iota.js 1.8.6 does not declare.
    const created: IOutputResponse & { ledgerIndex: number } = {
      messageId: tHex,
      transactionId: txHex,
      outputIndex: outputIdTo(tx, alice)[32]!,
      isSpent: false,
      ledgerIndex: 2,
      output: { type: 0, address: { type: 0, address: alice.addressHex }, amount: 1_000_000 },
    };
    assert.deepEqual(await aliceOutput.next(), created);
    assert.deepEqual(await aliceBech.next(), created);
    assert.deepEqual(await aliceEd.next(), created);
    assert.equal((await genesisOutput.next()).isSpent, true);
    assert.deepEqual(await included.next(), Buffer.from(t.bytes));

    // Alice spends her output: the output and address topics see it spent.
    const spend = alice.transfer([{ outputId: outputIdTo(tx, alice) }], [{ address: bob, amount: 1_000_000 }]);
    await cb.tb.message("S").parents("ms2").withPayload(spend).store();
    await cb.milestone(["S"]);
    const spent = { ...created, isSpent: true, ledgerIndex: 3 };
    assert.deepEqual(await aliceOutput.next(), spent);
    assert.deepEqual(await aliceBech.next(), spent);
    assert.deepEqual(await aliceEd.next(), spent);
    await indexed.none(50);
    await included.none(50);
  } finally {
    closeIotaMqttClient(client);
  }

  // A client that subscribes afterwards gets the current state of each.
  const late = await iotaMqttClient(url);
  try {
    const metadata = inbox<IMessageMetadata>((c) => late.messageMetadata(tHex.toUpperCase(), c));
    const output = inbox<IOutputResponse>((c) => late.output(toAlice, c));
    const included = new Inbox<Uint8Array>();
    late.transactionIncludedMessage(txHex, (_topic, _message, bytes) => included.push(bytes));
    assert.equal((await metadata.next()).ledgerInclusionState, "included");
    assert.deepEqual(await output.next(), {
      messageId: tHex,
      transactionId: txHex,
      outputIndex: outputIdTo(tx, alice)[32]!,
      isSpent: true,
      ledgerIndex: 3,
      output: { type: 0, address: { type: 0, address: alice.addressHex }, amount: 1_000_000 },
    });
    assert.deepEqual(await included.next(), Buffer.from(t.bytes));
  } finally {
    closeIotaMqttClient(late);
  }
}

async function receipts(h: MqttHarness, url: string): Promise<void> {
  const client: IotaMqttClient = await iotaMqttClient(url);
  try {
    const box = inbox<unknown>((c) => client.subscribeJson("receipts", c));
    const migrated = inbox<IOutputResponse>((c) => client.addressEd25519Outputs(alice.addressHex, c));
    await eventually(() => h.api.stats().subscriptions === 2, "both topics are subscribed");
    const receipt: ReceiptPayload = {
      type: 3,
      migratedAt: 5,
      final: true,
      funds: [
        {
          tailTransactionHash: new Uint8Array(49).fill(7),
          address: { type: 0, address: alice.address },
          deposit: 2_000_000,
        },
      ],
      transaction: {
        type: 4,
        input: { type: 1, milestoneId: new Uint8Array(32) },
        output: { type: 2, amount: 8_000_000 },
      },
    };
    const ms = await h.cb.milestone([], { receipt });
    assert.deepEqual(await box.next(), JSON.parse(JSON.stringify(payloadToJson(receipt))));
    const output = await migrated.next();
    assert.equal(output.messageId, bytesToHex(ms.messageId));
    assert.equal(output.output.amount, 2_000_000);
  } finally {
    closeIotaMqttClient(client);
  }
}

describe("event API with iota.js 1.8.6 MqttClient", () => {
  it("serves ws://…/mqtt on the REST API's fastify server, which goes on answering its routes", async () => {
    const rest = await apiHarness();
    await rest.app.listen({ host: "127.0.0.1", port: 0 });
    const api = createEventApi({
      events: rest.cb.tb.pipeline.events,
      tangle: rest.cb.tb.tangle,
      ledger: rest.cb.ledger,
      tipSelectionParams: rest.cb.tb.tipSelector.options.params,
      bech32Hrp: HRP,
    });
    api.attachWebSocket(rest.app.server);
    const base = `127.0.0.1:${(rest.app.server.address() as AddressInfo).port}`;
    const client = await iotaMqttClient(`ws://${base}/mqtt`);
    try {
      const latest = inbox<{ index: number }>((c) => client.milestonesLatest(c));
      await eventually(() => api.stats().subscriptions === 1, "the client is subscribed");
      await rest.cb.milestone([]);
      assert.equal((await latest.next()).index, 1);
      const info = await fetch(`http://${base}/api/v1/info`);
      assert.equal(info.status, 200);
      assert.equal(((await info.json()) as { data: { bech32HRP: string } }).data.bech32HRP, HRP);
    } finally {
      closeIotaMqttClient(client);
      // The event API first: the REST server's close waits for the upgraded connections to end.
      await api.close();
      await rest.app.close();
      await rest.cb.tb.close();
    }
  });

  for (const transport of ["tcp", "websocket"] as const) {
    it(`follows a value transfer over ${transport}, with current state on subscribe`, async () => {
      const h = await mqttHarness();
      try {
        await valueTransfer(h, transport === "tcp" ? h.tcpUrl : h.wsUrl);
      } finally {
        await h.close();
      }
    });

    it(`publishes receipts and migrated outputs over ${transport}`, async () => {
      const h = await mqttHarness({}, await ConsensusBuilder.create({ treasury: 10_000_000 }));
      try {
        // mqtt@4 takes tcp:// as well as mqtt:// (client-compat.md §7).
        await receipts(h, transport === "tcp" ? h.tcpUrl.replace(/^mqtt:/, "tcp:") : h.wsUrl);
      } finally {
        await h.close();
      }
    });
  }
});
