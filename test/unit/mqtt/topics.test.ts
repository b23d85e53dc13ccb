/**
 * The topic table (chrysalis.md §10.5): every topic iota.js 1.8.6 builds parses to its kind and key, whatever the case
 * of its hex; wildcards, unknown topics, malformed ids and foreign bech32 addresses are refused; no input throws.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Bech32Helper } from "@iota/iota.js";
import { Converter } from "@iota/util.js";
import fc from "fast-check";
import { BECH32_HRP_MAINNET, encodeBech32Address } from "../../../src/crypto/bech32.js";
import { MAX_TOPIC_LENGTH, parseTopic, topicKey } from "../../../src/mqtt/topics.js";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { Wallet } from "../../utils/ledgerFixtures.js";
import { HRP } from "./mqttHarness.js";

const ID = "ab".repeat(32);
const OUTPUT_ID = `${"cd".repeat(32)}0100`;
const alice = Wallet.named("alice");
const aliceBech32 = Bech32Helper.toBech32(0, alice.address, HRP);

describe("parseTopic", () => {
  it("parses every topic of the table to its kind and key", () => {
    const cases: Array<[string, string, string]> = [
      ["milestones/latest", "milestonesLatest", ""],
      ["milestones/confirmed", "milestonesConfirmed", ""],
      ["messages", "messages", ""],
      ["messages/referenced", "messagesReferenced", ""],
      ["receipts", "receipts", ""],
      [`messages/indexation/${Converter.utf8ToHex("EOY")}`, "indexation", "454f59"],
      [`messages/${ID}/metadata`, "messageMetadata", ID],
      [`outputs/${OUTPUT_ID}`, "output", OUTPUT_ID],
      [`transactions/${ID}/included-message`, "includedMessage", ID],
      [`addresses/${aliceBech32}/outputs`, "addressOutputs", alice.addressHex],
      [`addresses/ed25519/${alice.addressHex}/outputs`, "addressOutputs", alice.addressHex],
    ];
    for (const [topic, kind, id] of cases) {
      assert.deepEqual(parseTopic(topic, HRP), { kind, id, key: topicKey(kind as never, id) }, topic);
    }
  });

  it("gives both spellings of an address, and hex in either case, the same key", () => {
    const ed = parseTopic(`addresses/ed25519/${alice.addressHex.toUpperCase()}/outputs`, HRP);
    const bech = parseTopic(`addresses/${aliceBech32.toUpperCase()}/outputs`, HRP);
    assert.equal(ed?.key, bech?.key);
    assert.equal(ed?.key, `addressOutputs/${alice.addressHex}`);
    assert.equal(parseTopic(`messages/${ID.toUpperCase()}/metadata`, HRP)?.key, `messageMetadata/${ID}`);
    assert.equal(parseTopic("messages/indexation/4A4b", HRP)?.id, "4a4b");
  });

  it("accepts indexation indexes of 1 to 64 bytes only (TIP-6)", () => {
    assert.equal(parseTopic(`messages/indexation/${"00".repeat(64)}`, HRP)?.kind, "indexation");
    for (const index of ["", "0", "abc", "zz", "00".repeat(65)]) {
      assert.equal(parseTopic(`messages/indexation/${index}`, HRP), null, index);
    }
  });

  it("refuses wildcards, unknown topics, $SYS, malformed ids and addresses of another network", () => {
    const mainnetAddress = encodeBech32Address(BECH32_HRP_MAINNET, Uint8Array.of(0, ...alice.address));
    const refused = [
      "#",
      "+",
      "messages/#",
      "messages/+/metadata",
      "milestones/+",
      "addresses/+/outputs",
      "$SYS/broker/heartbeat",
      "",
      "/",
      "messages/",
      "milestones",
      "milestones/latest/",
      "Milestones/latest",
      `messages/${ID}`,
      `messages/${ID}/metadata/x`,
      `messages/${ID.slice(2)}/metadata`,
      `messages/${ID}00/metadata`,
      `messages/${"zz".repeat(32)}/metadata`,
      `outputs/${ID}`,
      `outputs/${OUTPUT_ID}/x`,
      `transactions/${ID}/included-message/metadata`,
      `transactions/${ID}`,
      `addresses/${mainnetAddress}/outputs`,
      `addresses/${aliceBech32.slice(0, -1)}q/outputs`,
      `addresses/ed25519/${aliceBech32}/outputs`,
      `addresses/ed25519/${alice.addressHex}`,
      `addresses/${alice.addressHex}/outputs`,
      `messages/indexation/${"00".repeat(MAX_TOPIC_LENGTH)}`,
    ];
    for (const topic of refused) assert.equal(parseTopic(topic, HRP), null, topic);
  });

  it("refuses anything longer than MAX_TOPIC_LENGTH; the longest topics fit", () => {
    const longest = `messages/indexation/${"ff".repeat(64)}`;
    assert.equal(longest.length, MAX_TOPIC_LENGTH);
    assert.equal(parseTopic(longest, HRP)?.kind, "indexation");
    assert.equal(parseTopic(`messages/${ID}/metadata${"/".repeat(MAX_TOPIC_LENGTH)}`, HRP), null);
    // BIP-173 caps a bech32 string at 90 characters: for a 33-byte address the HRP has at most 30.
    const hrp = "a".repeat(30);
    const address = `addresses/${encodeBech32Address(hrp, Uint8Array.of(0, ...alice.address))}/outputs`;
    assert.equal(address.length, 108);
    assert.equal(parseTopic(address, hrp)?.id, alice.addressHex);
  });

  it("never throws, and whatever it accepts has a lowercase id and the key of its kind and id", () => {
    const pieces = fc.constantFrom(
      "messages",
      "metadata",
      "outputs",
      "addresses",
      "ed25519",
      "transactions",
      "included-message",
      "indexation",
      "milestones",
      "latest",
      "+",
      "#",
      ID,
      OUTPUT_ID,
      aliceBech32,
      alice.addressHex,
      "",
    );
    const topics = fc.oneof(
      fc.array(fc.oneof(pieces, fc.string({ maxLength: 70 })), { maxLength: 5 }).map((p) => p.join("/")),
      fc.string({ maxLength: 300 }),
      fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => `messages/indexation/${bytesToHex(b)}`),
    );
    fc.assert(
      fc.property(topics, (topic) => {
        const parsed = parseTopic(topic, HRP);
        if (parsed === null) return;
        assert.equal(parsed.id, parsed.id.toLowerCase());
        assert.equal(parsed.key, topicKey(parsed.kind, parsed.id));
        assert.ok(topic.length <= MAX_TOPIC_LENGTH);
      }),
      { numRuns: 2000 },
    );
  });
});
