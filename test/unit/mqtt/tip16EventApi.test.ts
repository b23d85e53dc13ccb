/**
 * TIP-16's AsyncAPI document (test/fixtures/vectors/tip16-event-api.yml, iotaledger/tips @ f95ce046…): every channel
 * it lists is a topic our parser takes, and the JSON payloads we send carry the fields each of its message schemas
 * requires. Its binary example message has the obsolete pre-release layout (chrysalis.md §10.5) and is not used.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Bech32Helper } from "@iota/iota.js";
import { EventPublisher } from "../../../src/mqtt/eventPublisher.js";
import { SubscriptionIndex } from "../../../src/mqtt/subscriptionIndex.js";
import { parseTopic, type TopicKind } from "../../../src/mqtt/topics.js";
import { ConsensusBuilder } from "../../utils/consensusBuilder.js";
import { Wallet } from "../../utils/ledgerFixtures.js";
import { readVectorText } from "../../utils/vectors.js";
import { HRP } from "./mqttHarness.js";

// The file has CRLF line ends.
const doc = readVectorText("tip16-event-api.yml").replace(/\r\n/g, "\n");
const alice = Wallet.named("alice");

/** The channel names: the two-space-indented keys between `channels:` and `components:`. */
function channels(): string[] {
  const section = doc.slice(doc.indexOf("\nchannels:\n"), doc.indexOf("\ncomponents:\n"));
  return [...section.matchAll(/^ {2}([^\s:]+):$/gm)].map((m) => m[1]!);
}

/** The `required` list of a message schema under components.messages. */
function required(schema: string): string[] {
  const start = doc.indexOf(`\n    ${schema}:\n`);
  assert.ok(start >= 0, schema);
  const rest = doc.slice(start + 1);
  const end = rest.slice(1).search(/\n {4}\S/);
  const block = end < 0 ? rest : rest.slice(0, end + 1);
  const list = /required:\n((?:\s+- .+\n)+)/.exec(block);
  assert.ok(list !== null, `${schema} has a required list`);
  return [...list[1]!.matchAll(/- "?([A-Za-z]+)"?/g)].map((m) => m[1]!);
}

/** A channel with its parameters filled in as a client would. */
function concrete(channel: string): string {
  return channel
    .replace("addresses/ed25519/[address]", `addresses/ed25519/${alice.addressHex}`)
    .replace("[address]", Bech32Helper.toBech32(0, alice.address, HRP))
    .replace("[index]", "454f59")
    .replace("[messageId]", "ab".repeat(32))
    .replace("[transactionId]", "cd".repeat(32))
    .replace("[outputId]", `${"00".repeat(32)}0000`);
}

describe("TIP-16 event API document", () => {
  it("lists ten channels, each a topic we take; together they are every kind but Hornet's receipts", () => {
    const names = channels();
    assert.equal(names.length, 10);
    const kinds = new Set<TopicKind>();
    for (const name of names) {
      const parsed = parseTopic(concrete(name), HRP);
      assert.ok(parsed !== null, name);
      kinds.add(parsed.kind);
    }
    assert.deepEqual(
      [...kinds].sort(),
      [
        "addressOutputs",
        "includedMessage",
        "indexation",
        "messageMetadata",
        "messages",
        "messagesReferenced",
        "milestonesConfirmed",
        "milestonesLatest",
        "output",
      ].sort(),
    );
  });

  it("requires of each JSON payload only fields we send", async () => {
    assert.deepEqual(required("MilestonePayload"), ["index", "timestamp"]);
    assert.deepEqual(required("OutputPayload"), ["messageId", "transactionId", "outputIndex", "isSpent", "output"]);
    assert.deepEqual(required("MessageMetadata"), ["messageId", "parentMessageIds", "isSolid"]);
    const cb = await ConsensusBuilder.create();
    try {
      const ms = await cb.milestone([]);
      const publisher = new EventPublisher(
        { tangle: cb.tb.tangle, ledger: cb.ledger, tipSelectionParams: cb.tb.tipSelector.options.params },
        new SubscriptionIndex<unknown>(1),
        () => undefined,
      );
      const sent = (topic: string): Record<string, unknown> => {
        const parsed = parseTopic(topic, HRP);
        assert.ok(parsed !== null, topic);
        return JSON.parse(String(publisher.currentState(parsed))) as Record<string, unknown>;
      };
      const payloads: Array<[string, Record<string, unknown>]> = [
        ["MilestonePayload", sent("milestones/latest")],
        ["OutputPayload", sent(`outputs/${"00".repeat(34)}`)],
        ["MessageMetadata", sent(`messages/${Buffer.from(ms.messageId).toString("hex")}/metadata`)],
      ];
      for (const [schema, payload] of payloads) {
        for (const field of required(schema)) assert.ok(field in payload, `${schema}.${field}`);
      }
    } finally {
      await cb.tb.close();
    }
  });
});
