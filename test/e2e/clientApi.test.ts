/**
 * Issue 6 end to end: one `weaver start` process from the built CLI on loopback, driven by the unmodified iota.js 1.8.6
 * SingleNodeClient and mqtt.js MqttClient (client-compat.md §1–§7). Its only peer is an in-test feeder node
 * (gossipHarness.ts) that receives everything over gossip and signs the milestones, the white-flag root computed on its
 * own tangle and ledger, with PoW so that they pass the network's minimum score like any message.
 *
 * The genesis output belongs to the wallet address m/44'/4218'/0'/0'/0' of the seed aa…aa (client-compat.md §9), so
 * iota.js `send` spends it through the REST API. The node does the PoW of every client message (remote PoW, one
 * worker) at a minimum score high enough that a nonce of 0 never passes.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Blake2b } from "@iota/crypto.js";
import {
  Bech32Helper,
  ClientError,
  ConflictReason,
  deserializeMessage,
  ED25519_ADDRESS_TYPE,
  Ed25519Address,
  Ed25519Seed,
  generateBip44Path,
  type IMessage,
  type IMessageMetadata,
  type IOutputResponse,
  type ITransactionPayload,
  PowHelper,
  retrieveData,
  SingleNodeClient,
  send,
  sendAdvanced,
  sendData,
  serializeMessage,
  serializeTransactionPayload,
} from "@iota/iota.js";
import { Converter, ReadStream, WriteStream } from "@iota/util.js";
import { messageId } from "../../src/codec/index.js";
import { ed25519Verify } from "../../src/crypto/ed25519.js";
import { networkIdFromName } from "../../src/crypto/networkId.js";
import { computeWhiteFlagMutations } from "../../src/ledger/whiteFlag.js";
import { buildMilestoneMessage, buildMilestonePayload } from "../../src/milestones/milestoneBuilder.js";
import { TOKEN_SUPPLY } from "../../src/params/protocol.js";
import { milestoneCone } from "../../src/pipeline/confirmer.js";
import { mineOnThisThread } from "../../src/pow/mineOnThisThread.js";
import { compareBytes } from "../../src/primitives/bytes.js";
import { bytesToHex, hexToBytes } from "../../src/primitives/hex.js";
import { closeIotaMqttClient, Inbox, type IotaMqttClient, iotaMqttClient } from "../unit/mqtt/mqttHarness.js";
import { HarnessNetwork, type HarnessNode } from "../utils/gossipHarness.js";
import { Wallet } from "../utils/ledgerFixtures.js";
import { pollUntil } from "../utils/polling.js";
import { GENESIS_ID } from "../utils/tangleBuilder.js";
import { startWeaverProcess, stopWeaverProcess, type WeaverProcess } from "../utils/weaverProcess.js";

const NETWORK = "weaver-e2e-client";
const HRP = "atoi";
/** A 60–400-byte message needs 8–10 trailing zero trits: real work for the node's PoW worker, still milliseconds. */
const MIN_POW_SCORE = 100;
const GENESIS_OUTPUT_ID = "00".repeat(34);
const INDEX = "weaver-e2e";
const AMOUNT = 10_000_000;
const DEADLINE_MS = 15_000;

/** client-compat.md §9: the wallet seed aa…aa at m/44'/4218'/0'/0'/0'. */
const GENESIS_SEED = new Ed25519Seed(new Uint8Array(32).fill(0xaa));
const GENESIS_ADDRESS_HEX = "47bd0672b94ba0aec9fb075863a7fd864bbe35eb37dae4bbc5973fca5cf0b095";
const GENESIS_BECH32 = "atoi1qprm6pnjh996ptkflvr4sca8lkryh034avma4e9mcktnljju7zcf2v9xkqy";
/** client-compat.md §9: the Hornet alphanet mnemonic's first address. */
const RECIPIENT_MNEMONIC =
  "giant dynamic museum toddler six deny defense ostrich bomb access mercy blood explain muscle shoot shallow glad autumn author calm heavy hawk abuse rally";
const RECIPIENT_ADDRESS_HEX = "60200bad8137a704216e84f8f9acfe65b972d9f4155becb4815282b03cef99fe";
const RECIPIENT_BECH32 = "atoi1qpszqzadsym6wpppd6z037dvlejmjuke7s24hm95s9fg9vpua7vluehe53e";

function walletKeyPair(seed: Ed25519Seed) {
  return seed.generateSeedFromPath(generateBip44Path(0, 0, false)).keyPair();
}

function walletAddressHex(seed: Ed25519Seed): string {
  return Converter.bytesToHex(new Ed25519Address(walletKeyPair(seed).publicKey).toAddress());
}

function transactionIdOf(payload: ITransactionPayload): string {
  const stream = new WriteStream();
  serializeTransactionPayload(stream, payload);
  return Converter.bytesToHex(Blake2b.sum256(stream.finalBytes()));
}

function reserialize(message: IMessage): Uint8Array {
  const stream = new WriteStream();
  serializeMessage(stream, message);
  return stream.finalBytes();
}

/**
 * The network's coordinator, running on the feeder: milestone latest + 1 on `parents` plus the previous milestone,
 * with the white-flag root of the feeder's tangle and ledger (as in HarnessNetwork.issueMilestone) and a mined nonce.
 */
class PowCoordinator {
  private index = 0;
  private previous: Uint8Array | null = null;
  private lastTimestamp = 0;

  constructor(
    private readonly net: HarnessNetwork,
    private readonly feeder: HarnessNode,
  ) {}

  async issue(parentsHex: string[]): Promise<{ index: number; idHex: string; timestamp: number }> {
    const { feeder } = this;
    const index = this.index + 1;
    const ids = parentsHex.map(hexToBytes);
    // The coordinator confirms only what it holds solid: the root must be the one the node computes.
    await this.net.waitFor(
      () => ids.every((id) => feeder.tangle.getMetadata(id)?.solid === true),
      `the feeder holds the parents of milestone ${index} solid`,
      DEADLINE_MS,
    );
    if (this.previous !== null) ids.push(this.previous);
    if (ids.length === 0) ids.push(GENESIS_ID);
    const parents = [...new Map(ids.map((id) => [bytesToHex(id), id])).values()].sort(compareBytes);
    const { merkleRoot } = computeWhiteFlagMutations(
      { milestoneIndex: index, cone: milestoneCone(feeder.tangle, index, parents), receipt: null },
      feeder.ledger,
      ed25519Verify,
    );
    // The node is healthy only while its latest milestone is recent by its clock (chrysalis.md §10.2 /health).
    const timestamp = Math.max(Math.floor(Date.now() / 1000), this.lastTimestamp + 1);
    const payload = buildMilestonePayload(
      { index, timestamp, parents, inclusionMerkleProof: merkleRoot },
      this.net.signers,
    );
    const networkId = this.net.rules.networkId;
    const { nonce } = await mineOnThisThread(buildMilestoneMessage({ networkId, payload }).bytes, MIN_POW_SCORE);
    const { bytes } = buildMilestoneMessage({ networkId, payload, nonce });
    const result = await feeder.submit(bytes);
    if (result.status !== "new") throw new Error(`milestone ${index} was not accepted: ${JSON.stringify(result)}`);
    await this.net.waitFor(() => feeder.cmi === index, `the feeder confirms milestone ${index}`, DEADLINE_MS);
    const id = messageId(bytes);
    this.index = index;
    this.previous = id;
    this.lastTimestamp = timestamp;
    return { index, idHex: bytesToHex(id), timestamp };
  }
}

const dirs: string[] = [];
let weaver: WeaverProcess | null = null;
let net: HarnessNetwork | null = null;
let mqtt: IotaMqttClient | null = null;

after(async () => {
  if (mqtt !== null) closeIotaMqttClient(mqtt);
  if (weaver !== null) {
    const { code, signal } = await stopWeaverProcess(weaver);
    assert.equal(code, 0, `weaver did not stop cleanly (${code ?? signal}):\n${weaver.output.join("\n")}`);
  }
  await net?.stopAll();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("weaver start driven by iota.js 1.8.6 (SingleNodeClient, MqttClient)", () => {
  let node: WeaverProcess;
  let feeder: HarnessNode;
  let coordinator: PowCoordinator;
  let client: SingleNodeClient;
  let milestones: Inbox<{ index: number; timestamp: number }>;
  let indexed: Inbox<Uint8Array>;
  let recipientOutputs: Inbox<IOutputResponse>;

  /** Polls `probe` until it returns a value; API errors count as "not yet"; fails early if the process exited. */
  function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    return pollUntil(what, probe, {
      deadlineMs: DEADLINE_MS,
      isTransient: (e) => e instanceof ClientError,
      before: () => node.assertAlive(),
      context: () => node.output.slice(-20).join("\n"),
    });
  }

  async function confirmedOnNode(index: number): Promise<void> {
    await until(`the node confirms milestone ${index}`, async () =>
      (await client.info()).confirmedMilestoneIndex >= index ? true : undefined,
    );
  }

  async function referenced(id: string, index: number): Promise<IMessageMetadata> {
    return until(`${id} referenced by milestone ${index}`, async () => {
      const m = await client.messageMetadata(id);
      return m.referencedByMilestoneIndex === undefined ? undefined : m;
    });
  }

  /** The next publication with index ≥ `index` on milestones/latest. */
  async function latestMilestone(index: number): Promise<{ index: number; timestamp: number }> {
    for (;;) {
      const m = await milestones.next(DEADLINE_MS, `milestones/latest ${index}`);
      if (m.index >= index) return m;
    }
  }

  async function assertNotFound(call: Promise<unknown>): Promise<void> {
    await assert.rejects(call, (e: unknown) => e instanceof ClientError && e.httpStatus === 404);
  }

  before(async () => {
    assert.equal(walletAddressHex(GENESIS_SEED), GENESIS_ADDRESS_HEX);
    assert.equal(walletAddressHex(Ed25519Seed.fromMnemonic(RECIPIENT_MNEMONIC)), RECIPIENT_ADDRESS_HEX);
    assert.equal(Bech32Helper.toBech32(ED25519_ADDRESS_TYPE, hexToBytes(GENESIS_ADDRESS_HEX), HRP), GENESIS_BECH32);
    assert.equal(Bech32Helper.toBech32(ED25519_ADDRESS_TYPE, hexToBytes(RECIPIENT_ADDRESS_HEX), HRP), RECIPIENT_BECH32);

    net = HarnessNetwork.create({
      networkName: NETWORK,
      networkId: networkIdFromName(NETWORK),
      minPowScore: MIN_POW_SCORE,
    });
    // The feeder's genesis must be the process's: the same output, owned by the iota.js wallet's first address.
    // HarnessNetwork takes no genesis wallet, and its nodes read it only when they bootstrap, so it is replaced first.
    const genesisKey = walletKeyPair(GENESIS_SEED);
    const genesisWallet = new Wallet("genesis", genesisKey.privateKey.slice(0, 32));
    assert.equal(genesisWallet.addressHex, GENESIS_ADDRESS_HEX);
    Object.assign(net, { genesisWallet });
    feeder = await net.startNode({ name: "feeder" });
    coordinator = new PowCoordinator(net, feeder);

    const dataDir = mkdtempSync(join(tmpdir(), "weaver-client-api-"));
    dirs.push(dataDir);
    weaver = await startWeaverProcess([
      "--data-dir",
      dataDir,
      "--network-name",
      NETWORK,
      "--min-pow-score",
      String(MIN_POW_SCORE),
      "--coo-threshold",
      "2",
      "--genesis-address",
      GENESIS_BECH32,
      "--gossip-bind",
      "127.0.0.1:0",
      "--api-bind",
      "127.0.0.1:0",
      "--mqtt-bind",
      "127.0.0.1:0",
      "--log-level",
      "info",
      "--peer",
      `127.0.0.1:${feeder.port}`,
      "--coo-public-key",
      ...net.signers.map((s) => bytesToHex(s.publicKey)),
    ]);
    node = weaver;
    assert.equal(node.mqttWsUrl, `${node.apiUrl.replace(/^http/, "ws")}/mqtt`);
    client = new SingleNodeClient(node.apiUrl);
    await net.waitFor(
      () => feeder.gossip.peers().some((p) => p.nodeIdHex === node.nodeIdHex && p.connected),
      "the feeder and the process are peers",
      DEADLINE_MS,
    );
  });

  it("info, health and tips: unsynced before milestone 1, healthy with sorted tips after it", async () => {
    const info = await client.info();
    assert.equal(info.name, "weaver");
    assert.equal(info.networkId, NETWORK, "the network name, which the client hashes itself");
    assert.equal(info.bech32HRP, HRP);
    assert.equal(info.minPoWScore, MIN_POW_SCORE);
    assert.ok(info.features.includes("PoW"), `features ${JSON.stringify(info.features)}`);
    assert.equal(info.latestMilestoneIndex, 0);
    assert.equal(info.confirmedMilestoneIndex, 0);
    assert.equal(await client.health(), false, "no milestone yet");
    await assert.rejects(client.tips(), (e: unknown) => e instanceof ClientError && e.httpStatus === 503);

    const ms1 = await coordinator.issue([]);
    await confirmedOnNode(1);
    const synced = await client.info();
    assert.equal(synced.latestMilestoneIndex, 1);
    assert.equal(synced.latestMilestoneTimestamp, ms1.timestamp);
    assert.equal(synced.isHealthy, true);
    assert.equal(await client.health(), true);

    const { tipMessageIds } = await until("tips", () => client.tips());
    assert.ok(tipMessageIds.length >= 1 && tipMessageIds.length <= 8, `${tipMessageIds.length} tips`);
    assert.deepEqual([...tipMessageIds].sort(), tipMessageIds, "sorted, as LocalPowProvider serializes them");
    assert.equal(new Set(tipMessageIds).size, tipMessageIds.length);
    for (const tip of tipMessageIds) assert.equal((await client.messageMetadata(tip)).isSolid, true);
    assert.deepEqual(tipMessageIds, [ms1.idHex], "milestone 1 is the only message");

    const milestone = await client.milestone(1);
    assert.deepEqual(milestone, { index: 1, messageId: ms1.idHex, timestamp: ms1.timestamp });

    mqtt = await iotaMqttClient(node.mqttWsUrl);
    milestones = new Inbox();
    indexed = new Inbox();
    recipientOutputs = new Inbox();
    mqtt.milestonesLatest((_topic, data) => milestones.push(data));
    mqtt.indexRaw(INDEX, (_topic, data) => indexed.push(data));
    mqtt.addressOutputs(RECIPIENT_BECH32, (_topic, data) => recipientOutputs.push(data));
    // The client subscribes to all three in one SUBSCRIBE on connect; the current state answers it.
    assert.deepEqual(await milestones.next(DEADLINE_MS, "milestones/latest on subscribe"), {
      index: 1,
      timestamp: ms1.timestamp,
    });
  });

  it("sendData with remote PoW: message, raw bytes, index lookup, MQTT indexation, metadata, children, milestone 2", async () => {
    const sent = await sendData(client, INDEX, "hello weaver");
    const { messageId: dataId } = sent;

    const message = await client.message(dataId);
    assert.equal(message.networkId, networkIdFromName(NETWORK).toString());
    assert.notEqual(message.nonce, "0", "the node did the PoW (nonce 0 scores far below 100)");
    assert.deepEqual(message.payload, {
      type: 2,
      index: Converter.utf8ToHex(INDEX),
      data: Converter.utf8ToHex("hello weaver"),
    });
    const raw = await client.messageRaw(dataId);
    assert.equal(Converter.bytesToHex(Blake2b.sum256(raw)), dataId, "the raw bytes hash to the message id");
    assert.deepEqual(reserialize(message), raw, "the JSON re-serializes to the stored bytes");
    assert.ok(PowHelper.score(raw) >= MIN_POW_SCORE, `PoW score ${PowHelper.score(raw)}`);
    assert.deepEqual(new Uint8Array(await indexed.next(DEADLINE_MS, "messages/indexation")), raw);

    const found = await client.messagesFind(INDEX);
    assert.equal(found.index, Converter.utf8ToHex(INDEX));
    assert.equal(found.count, 1);
    assert.deepEqual(found.messageIds, [dataId]);
    const data = await retrieveData(client, dataId);
    assert.ok(data !== undefined);
    assert.equal(Converter.bytesToUtf8(data.index), INDEX);
    assert.equal(Converter.bytesToUtf8(data.data ?? new Uint8Array()), "hello weaver");

    const pending = await until("the data message solid", async () => {
      const m = await client.messageMetadata(dataId);
      return m.isSolid ? m : undefined;
    });
    assert.deepEqual(pending.parentMessageIds, message.parentMessageIds);
    assert.equal(pending.referencedByMilestoneIndex, undefined);
    assert.equal(pending.ledgerInclusionState, undefined);
    assert.equal(typeof pending.shouldPromote, "boolean");
    assert.equal(typeof pending.shouldReattach, "boolean");
    for (const parent of message.parentMessageIds ?? []) {
      assert.ok((await client.messageChildren(parent)).childrenMessageIds.includes(dataId), `a child of ${parent}`);
    }

    const ms2 = await coordinator.issue([dataId]);
    const metadata = await referenced(dataId, 2);
    assert.equal(metadata.referencedByMilestoneIndex, 2);
    assert.equal(metadata.ledgerInclusionState, "noTransaction");
    assert.equal(metadata.shouldPromote, undefined);
    assert.equal(metadata.shouldReattach, undefined);
    assert.deepEqual(await latestMilestone(2), { index: 2, timestamp: ms2.timestamp });

    const children = await client.messageChildren(dataId);
    assert.equal(children.messageId, dataId);
    assert.deepEqual(children.childrenMessageIds, [ms2.idHex]);
    assert.equal(children.count, 1);
    assert.equal((await client.messageMetadata(ms2.idHex)).milestoneIndex, 2);
    assert.deepEqual(await client.milestone(2), { index: 2, messageId: ms2.idHex, timestamp: ms2.timestamp });
    assert.deepEqual(await client.milestoneUtxoChanges(2), { index: 2, createdOutputs: [], consumedOutputs: [] });
    // client-compat.md §8.1: iota.js decodes the node's milestone (2 signatures).
    const milestone = deserializeMessage(new ReadStream(await client.messageRaw(ms2.idHex)));
    assert.equal(milestone.payload?.type, 1);
    assert.equal((milestone.payload as { index: number }).index, 2);
  });

  it("send from the genesis wallet: included at milestone 3, balances, outputs, UTXO changes, MQTT address outputs", async () => {
    const transfer = await send(client, GENESIS_SEED, 0, RECIPIENT_BECH32, AMOUNT);
    const payload = transfer.message.payload as ITransactionPayload;
    assert.equal(payload.type, 0);
    const txId = transactionIdOf(payload);
    const raw = await client.messageRaw(transfer.messageId);
    assert.equal(Converter.bytesToHex(Blake2b.sum256(raw)), transfer.messageId);
    assert.ok(PowHelper.score(raw) >= MIN_POW_SCORE, `PoW score ${PowHelper.score(raw)}`);
    assert.deepEqual(reserialize(await client.message(transfer.messageId)), raw);

    await coordinator.issue([transfer.messageId]);
    const metadata = await referenced(transfer.messageId, 3);
    assert.equal(metadata.referencedByMilestoneIndex, 3);
    assert.equal(metadata.ledgerInclusionState, "included");
    assert.equal(metadata.conflictReason ?? 0, 0);
    await confirmedOnNode(3);

    const recipient = await client.address(RECIPIENT_BECH32);
    assert.deepEqual(
      { addressType: recipient.addressType, address: recipient.address, balance: recipient.balance },
      { addressType: 0, address: RECIPIENT_ADDRESS_HEX, balance: AMOUNT },
    );
    assert.equal(recipient.dustAllowed, false);
    const recipientIds = await client.addressOutputs(RECIPIENT_BECH32);
    assert.equal(recipientIds.count, 1);
    const toRecipient = recipientIds.outputIds[0] ?? assert.fail("the recipient has no output");
    assert.equal(toRecipient.slice(0, 64), txId, "an output of the transfer");
    const created = await client.output(toRecipient);
    assert.deepEqual(
      {
        messageId: created.messageId,
        transactionId: created.transactionId,
        outputIndex: created.outputIndex,
        isSpent: created.isSpent,
        output: created.output,
      },
      {
        messageId: transfer.messageId,
        transactionId: txId,
        outputIndex: Number.parseInt(toRecipient.slice(64, 66), 16),
        isSpent: false,
        output: { type: 0, address: { type: 0, address: RECIPIENT_ADDRESS_HEX }, amount: AMOUNT },
      },
    );
    const published = await recipientOutputs.next(DEADLINE_MS, "addresses/{bech32}/outputs");
    assert.deepEqual(
      {
        messageId: published.messageId,
        transactionId: published.transactionId,
        outputIndex: published.outputIndex,
        isSpent: published.isSpent,
        output: published.output,
      },
      {
        messageId: created.messageId,
        transactionId: created.transactionId,
        outputIndex: created.outputIndex,
        isSpent: false,
        output: created.output,
      },
    );

    // The remainder goes back to the address of the input (client-compat.md §6).
    assert.equal((await client.address(GENESIS_BECH32)).balance, TOKEN_SUPPLY - AMOUNT);
    const genesisUnspent = await client.addressEd25519Outputs(GENESIS_ADDRESS_HEX);
    assert.equal(genesisUnspent.count, 1);
    const remainder = genesisUnspent.outputIds[0] ?? assert.fail("the genesis address has no unspent output");
    assert.equal(remainder.slice(0, 64), txId, "an output of the transfer");
    assert.equal((await client.output(remainder)).output.amount, TOKEN_SUPPLY - AMOUNT);
    const genesisAll = await client.addressOutputs(GENESIS_BECH32, undefined, true);
    assert.deepEqual([...genesisAll.outputIds].sort(), [GENESIS_OUTPUT_ID, remainder].sort());
    assert.equal((await client.output(GENESIS_OUTPUT_ID)).isSpent, true);

    const changes = await client.milestoneUtxoChanges(3);
    assert.deepEqual(changes.consumedOutputs, [GENESIS_OUTPUT_ID]);
    assert.deepEqual([...changes.createdOutputs].sort(), [toRecipient, remainder].sort());
    assert.deepEqual(
      await client.transactionIncludedMessage(txId),
      await client.message(transfer.messageId),
      "the included message of the transaction",
    );
  });

  it("a double spend of the remainder: both accepted, one included and one conflicting at milestone 4", async () => {
    const remainder =
      (await client.addressEd25519Outputs(GENESIS_ADDRESS_HEX)).outputIds[0] ?? assert.fail("no remainder output");
    const input = {
      type: 0 as const,
      transactionId: remainder.slice(0, 64),
      transactionOutputIndex: Number.parseInt(remainder.slice(64, 66), 16),
    };
    const amount = TOKEN_SUPPLY - AMOUNT;
    const targets = [Wallet.named("e2e-spend-a").addressHex, Wallet.named("e2e-spend-b").addressHex];
    const spends = [];
    for (const address of targets) {
      const { messageId: id, message } = await sendAdvanced(
        client,
        [{ input, addressKeyPair: walletKeyPair(GENESIS_SEED) }],
        [{ address, addressType: ED25519_ADDRESS_TYPE, amount }],
      );
      spends.push({ id, address, txId: transactionIdOf(message.payload as ITransactionPayload) });
    }

    await coordinator.issue(spends.map((s) => s.id));
    const states = [];
    for (const spend of spends) states.push({ ...spend, metadata: await referenced(spend.id, 4) });
    assert.deepEqual(
      states.map((s) => s.metadata.ledgerInclusionState).sort(),
      ["conflicting", "included"],
      JSON.stringify(states),
    );
    const winner = states.find((s) => s.metadata.ledgerInclusionState === "included")!;
    const loser = states.find((s) => s.metadata.ledgerInclusionState === "conflicting")!;
    assert.equal(loser.metadata.conflictReason, ConflictReason.inputUTXOAlreadySpentInThisMilestone);
    assert.equal(loser.metadata.referencedByMilestoneIndex, 4);
    await confirmedOnNode(4);

    assert.equal((await client.addressEd25519(winner.address)).balance, amount);
    assert.equal((await client.addressEd25519(loser.address)).balance, 0);
    assert.equal((await client.address(GENESIS_BECH32)).balance, 0);
    assert.equal((await client.output(remainder)).isSpent, true);
    assert.deepEqual(await client.transactionIncludedMessage(winner.txId), await client.message(winner.id));
    await assertNotFound(client.transactionIncludedMessage(loser.txId));
    const changes = await client.milestoneUtxoChanges(4);
    assert.deepEqual(changes.consumedOutputs, [remainder]);
    assert.deepEqual(changes.createdOutputs, [`${winner.txId}0000`]);
  });
});
