/**
 * Value on a `weaver dev` network, driven by the unmodified iota.js 1.8.6 SingleNodeClient and mqtt.js MqttClient
 * (client-compat.md): data with remote PoW, a transfer with `send` from the dev wallet (its seed from dev-wallet.json,
 * the account iota.js derives at m/44'/4218'/0'/0'/0'), a double spend of the recipient's output by two `sendAdvanced`
 * messages (one included, the other conflicting), MQTT milestones/latest and addresses/{bech32}/outputs over
 * ws://…/mqtt, and the faucet paying a fresh address 10 Mi. The node's own coordinator confirms everything: nothing
 * here issues a milestone.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Blake2b } from "@iota/crypto.js";
import {
  Bech32Helper,
  ClientError,
  ConflictReason,
  ED25519_ADDRESS_TYPE,
  Ed25519Address,
  Ed25519Seed,
  generateBip44Path,
  type IMessageMetadata,
  type IOutputResponse,
  type ITransactionPayload,
  retrieveData,
  SingleNodeClient,
  send,
  sendAdvanced,
  sendData,
  serializeTransactionPayload,
} from "@iota/iota.js";
import { Converter, WriteStream } from "@iota/util.js";
import { TOKEN_SUPPLY } from "../../src/params/protocol.js";
import { closeIotaMqttClient, Inbox, type IotaMqttClient, iotaMqttClient } from "../unit/mqtt/mqttHarness.js";
import { type DevProcess, devEnv, startDevProcess } from "../utils/devProcess.js";
import { pollUntil } from "../utils/polling.js";

const HRP = "atoi";
const INTERVAL_MS = 200;
const DEADLINE_MS = 10_000;
const AMOUNT = 5_000_000;
const FAUCET_AMOUNT = 10_000_000;
const INDEX = "weaver-dev-transfer";

interface DevWalletFile {
  seedHex: string;
  bech32Address: string;
  ed25519Address: string;
}

interface Account {
  seed: Ed25519Seed;
  keyPair: ReturnType<Ed25519Seed["keyPair"]>;
  addressHex: string;
  bech32: string;
}

/** iota.js's first address of a seed (account 0, m/44'/4218'/0'/0'/0'). */
function account(seed: Ed25519Seed): Account {
  const keyPair = seed.generateSeedFromPath(generateBip44Path(0, 0, false)).keyPair();
  const address = new Ed25519Address(keyPair.publicKey).toAddress();
  return {
    seed,
    keyPair,
    addressHex: Converter.bytesToHex(address),
    bech32: Bech32Helper.toBech32(ED25519_ADDRESS_TYPE, address, HRP),
  };
}

function freshAccount(): Account {
  return account(new Ed25519Seed(randomBytes(32)));
}

function transactionIdOf(payload: ITransactionPayload): string {
  const stream = new WriteStream();
  serializeTransactionPayload(stream, payload);
  return Converter.bytesToHex(Blake2b.sum256(stream.finalBytes()));
}

const root = mkdtempSync(join(tmpdir(), "weaver-dev-transfer-"));
let dev: DevProcess | null = null;
let mqtt: IotaMqttClient | null = null;
after(async () => {
  if (mqtt !== null) closeIotaMqttClient(mqtt);
  if (dev !== null) {
    const ended = await dev.stop();
    assert.deepEqual(ended, { code: 0, signal: null }, `weaver dev did not stop cleanly:\n${dev.tail()}`);
  }
  rmSync(root, { recursive: true, force: true });
});

describe("weaver dev with iota.js 1.8.6: data, a transfer from the dev wallet, a double spend, MQTT, the faucet", () => {
  let node: DevProcess;
  let client: SingleNodeClient;
  let wallet: Account;
  const recipient = freshAccount();
  const milestones = new Inbox<{ index: number; timestamp: number }>();
  const recipientOutputs = new Inbox<IOutputResponse>();

  /** Polls `probe` until it returns a value; API errors count as "not yet"; fails early if the process exited. */
  function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    return pollUntil(what, probe, {
      deadlineMs: DEADLINE_MS,
      isTransient: (e) => e instanceof ClientError,
      before: () => node.assertAlive(),
      context: () => node.tail(),
    });
  }

  function referenced(id: string): Promise<IMessageMetadata> {
    return until(`${id} referenced by a milestone`, async () => {
      const m = await client.messageMetadata(id);
      return m.referencedByMilestoneIndex === undefined ? undefined : m;
    });
  }

  /** Waits for the CMI to reach `index`, so that balances reflect milestone `index`. */
  function confirmed(index: number): Promise<boolean> {
    return until(`CMI ${index}`, async () =>
      (await client.info()).confirmedMilestoneIndex >= index ? true : undefined,
    );
  }

  /** The first publication (already received or next) that satisfies `match`. */
  async function published<T>(inbox: Inbox<T>, what: string, match: (item: T) => boolean): Promise<T> {
    const deadline = Date.now() + DEADLINE_MS;
    for (;;) {
      const seen = inbox.received.find(match);
      if (seen !== undefined) return seen;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no MQTT publication: ${what}`);
      await inbox.next(left, what).catch(() => undefined);
    }
  }

  before(async () => {
    const dir = join(root, "net");
    node = await startDevProcess(dir, devEnv(INTERVAL_MS));
    dev = node;
    const file = JSON.parse(readFileSync(join(dir, "dev-wallet.json"), "utf8")) as DevWalletFile;
    wallet = account(new Ed25519Seed(Converter.hexToBytes(file.seedHex)));
    assert.equal(wallet.bech32, file.bech32Address, "iota.js derives the dev wallet's address from its seed");
    assert.equal(wallet.addressHex, file.ed25519Address);
    client = new SingleNodeClient(node.apiUrl);
    await until("/health 200", async () => ((await client.health()) ? true : undefined));
    mqtt = await iotaMqttClient(node.mqttWsUrl);
    mqtt.milestonesLatest((_topic, data) => milestones.push(data));
    mqtt.addressOutputs(recipient.bech32, (_topic, data) => recipientOutputs.push(data));
  });

  it("sendData with the node's PoW is referenced by the coordinator's next milestones; MQTT milestones/latest follows", async () => {
    const { messageId } = await sendData(client, INDEX, "hello dev network");
    const metadata = await referenced(messageId);
    assert.equal(metadata.ledgerInclusionState, "noTransaction");
    const data = await retrieveData(client, messageId);
    assert.equal(Converter.bytesToUtf8(data?.data ?? new Uint8Array()), "hello dev network");
    const index = metadata.referencedByMilestoneIndex ?? assert.fail("not referenced");
    const latest = await published(milestones, `milestones/latest ≥ ${index}`, (m) => m.index >= index);
    const milestone = await client.milestone(latest.index);
    assert.equal(milestone.timestamp, latest.timestamp, "MQTT and REST agree on the milestone");
    const indexes = milestones.received.map((m) => m.index);
    assert.deepEqual(
      indexes,
      [...indexes].sort((a, b) => a - b),
      "milestones/latest only moves forward",
    );
  });

  it("send from the dev wallet: included, the recipient's balance, MQTT addresses/{bech32}/outputs", async () => {
    assert.equal((await client.address(wallet.bech32)).balance, TOKEN_SUPPLY, "the dev wallet holds the supply");
    const transfer = await send(client, wallet.seed, 0, recipient.bech32, AMOUNT);
    const txId = transactionIdOf(transfer.message.payload as ITransactionPayload);
    const metadata = await referenced(transfer.messageId);
    assert.equal(metadata.ledgerInclusionState, "included");
    assert.equal(metadata.conflictReason ?? 0, 0);
    await confirmed(metadata.referencedByMilestoneIndex ?? assert.fail("not referenced"));

    const balance = await client.address(recipient.bech32);
    assert.equal(balance.balance, AMOUNT);
    assert.equal(balance.address, recipient.addressHex);
    assert.equal((await client.address(wallet.bech32)).balance, TOKEN_SUPPLY - AMOUNT, "the remainder came back");
    const { outputIds } = await client.addressOutputs(recipient.bech32);
    assert.equal(outputIds.length, 1);
    const outputId = outputIds[0] ?? assert.fail("no output");
    assert.equal(outputId.slice(0, 64), txId);
    const output = await client.output(outputId);
    assert.deepEqual(output.output, { type: 0, address: { type: 0, address: recipient.addressHex }, amount: AMOUNT });

    const event = await published(recipientOutputs, "the recipient's new output", (o) => o.transactionId === txId);
    assert.deepEqual(
      { messageId: event.messageId, outputIndex: event.outputIndex, isSpent: event.isSpent, output: event.output },
      { messageId: transfer.messageId, outputIndex: output.outputIndex, isSpent: false, output: output.output },
    );
  });

  it("a double spend of the recipient's output: exactly one included, the other conflicting", async (t) => {
    const outputId = (await client.addressOutputs(recipient.bech32)).outputIds[0] ?? assert.fail("no output to spend");
    const input = {
      type: 0 as const,
      transactionId: outputId.slice(0, 64),
      transactionOutputIndex: Number.parseInt(outputId.slice(64, 66), 16),
    };
    const targets = [freshAccount(), freshAccount()];
    // Both built and posted at once: each is valid alone, together they spend one output twice.
    const spends = await Promise.all(
      targets.map(async (target) => {
        const sent = await sendAdvanced(
          client,
          [{ input, addressKeyPair: recipient.keyPair }],
          [{ address: target.addressHex, addressType: ED25519_ADDRESS_TYPE, amount: AMOUNT }],
        );
        return { target, id: sent.messageId, txId: transactionIdOf(sent.message.payload as ITransactionPayload) };
      }),
    );
    const states = await Promise.all(spends.map(async (s) => ({ ...s, metadata: await referenced(s.id) })));
    assert.deepEqual(
      states.map((s) => s.metadata.ledgerInclusionState).sort(),
      ["conflicting", "included"],
      JSON.stringify(states.map((s) => s.metadata)),
    );
    const winner = states.find((s) => s.metadata.ledgerInclusionState === "included")!;
    const loser = states.find((s) => s.metadata.ledgerInclusionState === "conflicting")!;
    // Reason 1 when the loser came in a later milestone than the winner, 2 when both are in one.
    assert.ok(
      [ConflictReason.inputUTXOAlreadySpent, ConflictReason.inputUTXOAlreadySpentInThisMilestone].includes(
        loser.metadata.conflictReason ?? 0,
      ),
      `conflict reason ${loser.metadata.conflictReason}`,
    );
    assert.equal(
      loser.metadata.conflictReason === ConflictReason.inputUTXOAlreadySpentInThisMilestone,
      loser.metadata.referencedByMilestoneIndex === winner.metadata.referencedByMilestoneIndex,
      "reason 2 exactly when both are in one milestone",
    );
    t.diagnostic(
      `included at ${winner.metadata.referencedByMilestoneIndex}, conflicting (reason ${loser.metadata.conflictReason}) at ${loser.metadata.referencedByMilestoneIndex}`,
    );
    await confirmed(Math.max(winner.metadata.referencedByMilestoneIndex!, loser.metadata.referencedByMilestoneIndex!));
    assert.equal((await client.address(winner.target.bech32)).balance, AMOUNT);
    assert.equal((await client.address(loser.target.bech32)).balance, 0);
    assert.equal((await client.address(recipient.bech32)).balance, 0);
    assert.equal((await client.output(outputId)).isSpent, true);
    await assert.rejects(
      client.transactionIncludedMessage(loser.txId),
      (e: unknown) => e instanceof ClientError && e.httpStatus === 404,
    );
    const spent = await published(recipientOutputs, "the recipient's output spent", (o) => o.isSpent);
    assert.equal(spent.transactionId, input.transactionId);
  });

  it("the faucet pays a fresh address 10 Mi from the dev wallet", async () => {
    const info = (await (await fetch(`${node.apiUrl}/api/plugins/faucet/v1/info`)).json()) as {
      data: { address: string; amount: number; balance: number };
    };
    assert.equal(info.data.address, wallet.bech32, "the faucet spends from the dev wallet");
    assert.equal(info.data.amount, FAUCET_AMOUNT);
    assert.equal(info.data.balance, TOKEN_SUPPLY - AMOUNT);
    const asker = freshAccount();
    const res = await fetch(`${node.apiUrl}/api/plugins/faucet/v1/enqueue`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ address: asker.bech32 }),
    });
    assert.equal(res.status, 202);
    const queued = (await res.json()) as { data: { address: string; waitingRequests: number } };
    assert.equal(queued.data.address, asker.bech32);
    await until("the faucet's payment", async () =>
      (await client.address(asker.bech32)).balance === FAUCET_AMOUNT ? true : undefined,
    );
    await until("the faucet's remainder confirmed", async () =>
      (await client.address(wallet.bech32)).balance === TOKEN_SUPPLY - AMOUNT - FAUCET_AMOUNT ? true : undefined,
    );
    const { outputIds } = await client.addressOutputs(asker.bech32);
    assert.equal(outputIds.length, 1, "paid once");
  });
});
