/**
 * TIP-6 (message), TIP-7 (transaction), TIP-8 (milestone) serialization against independent vectors: the TIP-6
 * worked example, real testnet messages from the TIP-13 examples (chrysalis.md §15) and the iota.js 1.8.6 test
 * vectors (client-compat.md §9).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CodecError,
  decodeMessage,
  decodeTransactionEssence,
  encodeMessage,
  encodeTransactionEssence,
  essenceHash,
  essenceHashFromBytes,
  essenceHashOfTransactionBytes,
  type MilestonePayload,
  messageFromJson,
  messageId,
  messagePayloadBytes,
  messageToJson,
  milestoneEssenceHash,
  milestoneEssenceHashFromBytes,
  milestoneId,
  milestoneIdFromBytes,
  milestoneParentsMatch,
  outputIdHex,
  sizeOfMessage,
  type TransactionPayload,
  transactionEssenceBytes,
  transactionId,
  transactionIdFromBytes,
} from "../../src/codec/index.js";
import { bytesToHex, hexToBytes } from "../../src/primitives/hex.js";
import {
  type IotajsCodecVectors,
  type MilestoneFixture,
  readMessageFixture,
  TIP6_EXAMPLE_HEX,
  TIP6_EXAMPLE_ID,
  type TransactionFixture,
} from "../utils/codecFixtures.js";
import { readVectorJson, readVectorText } from "../utils/vectors.js";

const V = readVectorJson<IotajsCodecVectors>("iotajs-1.8.6-test-vectors.json");
const hex = bytesToHex;

/** decode → encode is byte-exact, and encode(fromJson(toJson(decode(b)))) too. */
function assertRoundTrips(bytes: Uint8Array): void {
  const msg = decodeMessage(bytes, "untrusted");
  assert.equal(hex(encodeMessage(msg)), hex(bytes));
  assert.equal(sizeOfMessage(msg), bytes.length);
  const viaJson = messageFromJson(JSON.parse(JSON.stringify(messageToJson(msg))));
  assert.equal(hex(encodeMessage(viaJson)), hex(bytes));
}

describe("TIP-6 worked example (chrysalis.md §1.5)", () => {
  const bytes = hexToBytes(TIP6_EXAMPLE_HEX);

  it("decodes to the documented fields and has the documented message id", () => {
    const msg = decodeMessage(bytes, "untrusted");
    assert.equal(msg.networkId, 0n);
    assert.equal(msg.nonce, 28110n);
    assert.equal(msg.parents.length, 2);
    assert.deepEqual(messageToJson(msg).payload, {
      type: 2,
      index: hex(new TextEncoder().encode("IOTA")),
      data: hex(new TextEncoder().encode("hello world")),
    });
    assert.equal(hex(messageId(bytes)), TIP6_EXAMPLE_ID);
  });

  it("round-trips byte-exactly, directly and through JSON", () => assertRoundTrips(bytes));
});

describe("real testnet6 transaction (chrysalis.md §15.1)", () => {
  const fx = readMessageFixture<TransactionFixture>("testnet6-transaction.json");
  const bytes = hexToBytes(fx.messageHex);

  it("has the documented message id, essence, essence hash and transaction id", () => {
    const msg = decodeMessage(bytes, "untrusted");
    assert.equal(hex(messageId(bytes)), fx.messageId);
    const payloadBytes = messagePayloadBytes(bytes);
    assert.ok(payloadBytes);
    assert.equal(hex(transactionEssenceBytes(payloadBytes)), fx.essenceHex);
    assert.equal(hex(essenceHashOfTransactionBytes(payloadBytes)), fx.essenceHash);
    assert.equal(hex(transactionIdFromBytes(payloadBytes)), fx.transactionId);
    // The object forms must agree with the byte forms.
    const tx = msg.payload as TransactionPayload;
    assert.equal(hex(essenceHash(tx.essence)), fx.essenceHash);
    assert.equal(hex(transactionId(tx)), fx.transactionId);
    assert.equal(hex(encodeTransactionEssence(tx.essence)), fx.essenceHex);
    assert.equal(hex(essenceHashFromBytes(hexToBytes(fx.essenceHex))), fx.essenceHash);
  });

  it("equals the TIP-13 example JSON both ways", () => {
    const msg = decodeMessage(bytes, "untrusted");
    assert.deepEqual(messageToJson(msg), fx.json);
    assert.equal(hex(encodeMessage(messageFromJson(fx.json))), fx.messageHex);
  });

  it("round-trips byte-exactly", () => assertRoundTrips(bytes));
});

describe("real testnet7 milestone 16241 (chrysalis.md §15.2)", () => {
  const fx = readMessageFixture<MilestoneFixture>("testnet7-milestone-16241.json");
  const bytes = hexToBytes(fx.messageHex);

  it("has the documented message id, milestone essence hash and milestone id", () => {
    const msg = decodeMessage(bytes, "untrusted");
    assert.equal(hex(messageId(bytes)), fx.messageId);
    const payloadBytes = messagePayloadBytes(bytes);
    assert.ok(payloadBytes);
    assert.equal(hex(milestoneEssenceHashFromBytes(payloadBytes)), fx.milestoneEssenceHash);
    assert.equal(hex(milestoneIdFromBytes(payloadBytes)), fx.milestoneId);
    const ms = msg.payload as MilestonePayload;
    assert.equal(ms.index, 16241);
    assert.equal(ms.timestamp, 1617959712);
    assert.equal(hex(milestoneEssenceHash(ms)), fx.milestoneEssenceHash);
    assert.equal(hex(milestoneId(ms)), fx.milestoneId);
    assert.equal(milestoneParentsMatch(msg), true);
  });

  it("equals the TIP-13 example JSON (receipt null) both ways", () => {
    assert.deepEqual(messageToJson(decodeMessage(bytes, "untrusted")), fx.json);
    assert.equal(hex(encodeMessage(messageFromJson(fx.json))), fx.messageHex);
  });

  it("round-trips byte-exactly", () => assertRoundTrips(bytes));
});

describe("hand-made TIP-13 examples (message ids from chrysalis.md §15.2)", () => {
  // The YAML is read as text: these two examples are small enough to cut out by their known lines.
  const yaml = readVectorText("tip13-rest-api.yaml");

  it("the YAML still contains the examples these ids belong to", () => {
    assert.ok(yaml.includes("networkId: '9466822412763346725'"));
    assert.ok(yaml.includes("data: 5370616d6d696e6720646174612e0a436f756e743a203037323935320a"));
    assert.ok(yaml.includes("nonce: '1481'"));
  });

  it("indexation example (testnet4) encodes to message id 8bf7ce28…c274", () => {
    const msg = messageFromJson({
      networkId: "9466822412763346725",
      parentMessageIds: [
        "222e88a63e5aca8ef48d3b8749e2fab51d1bc7c34c5604a2933ca2f180b342c9",
        "a22137ebe61435c6d0f3e16ad148376778d7bfb36e27329f02c221ec109525a6",
        "a6db9d0b3ecb274d90c21e9dde04012b2d13ad8aa0b90e82e7d3b626be67119d",
        "fd31d9c926b5d97ae016535d66baee511dfa3b713b61d8eba2ae5c9929e38ca7",
      ],
      payload: {
        type: 2,
        index: "68656c6c6f20776f726c64",
        data: "5370616d6d696e6720646174612e0a436f756e743a203037323935320a54696d657374616d703a20323032312d30322d31315431303a32333a34392b30313a30300a54697073656c656374696f6e3a203934c2b573",
      },
      nonce: "2102864",
    });
    const bytes = encodeMessage(msg);
    assert.equal(hex(messageId(bytes)), "8bf7ce28ba674d2a1992c56cf4f7a3248efed58207c19480f5cb6f819269c274");
    assertRoundTrips(bytes);
  });

  it("empty-payload example (alphanet1) encodes to message id 4738ca45…13bd", () => {
    const bytes = encodeMessage(
      messageFromJson({
        networkId: "6530425480034647824",
        parentMessageIds: [
          "c0b728d4c292860b57747c7bfbd989ccc40be8c76229022644c05e1352bf1ea3",
          "e8db39681478cf9826bd2f31d045f16f5e1f478c5abc3030419da7911df9e288",
        ],
        payload: null,
        nonce: "1481",
      }),
    );
    assert.equal(hex(messageId(bytes)), "4738ca4515c27cbb594b5eeb19ab8af63284a43e2d2b7284e6e53914720f13bd");
    assertRoundTrips(bytes);
  });
});

describe("iota.js 1.8.6 test vectors (client-compat.md §9)", () => {
  const items = V.messages.items;

  it("milestone_1087 round-trips with its id and JSON", () => {
    const v = items.milestone_1087;
    const bytes = hexToBytes(v.hex);
    assert.equal(bytes.length, v.length);
    const msg = decodeMessage(bytes, "untrusted");
    assert.equal(hex(messageId(bytes)), v.messageId_computed);
    assert.deepEqual(messageToJson(msg), {
      ...(v.json as object),
      payload: { ...(v.json as { payload: object }).payload, receipt: null },
    });
    assert.equal(hex(encodeMessage(messageFromJson(v.json))), v.hex);
    assertRoundTrips(bytes);
  });

  it("transaction round-trips with its message id, transaction id, essence hash, output ids and JSON", () => {
    const v = items.transaction;
    const bytes = hexToBytes(v.hex);
    const msg = decodeMessage(bytes, "untrusted");
    assert.equal(hex(messageId(bytes)), v.messageId_computed);
    assert.deepEqual(messageToJson(msg), v.json);
    const payloadBytes = messagePayloadBytes(bytes);
    assert.ok(payloadBytes);
    assert.equal(hex(payloadBytes), v.transactionPayloadHex);
    assert.equal(hex(transactionIdFromBytes(payloadBytes)), v.transactionId_computed);
    assert.equal(hex(essenceHashOfTransactionBytes(payloadBytes)), v.essenceHash_computed);
    const txId = transactionIdFromBytes(payloadBytes);
    assert.deepEqual(
      (msg.payload as TransactionPayload).essence.outputs.map((_, i) => outputIdHex(txId, i)),
      v.outputIds_computed,
    );
    assertRoundTrips(bytes);
  });

  it("both transaction essences decode, re-encode byte-exactly and hash to the computed essence hashes", () => {
    for (const e of [V.essences.noPayload, V.essences.indexationPayload]) {
      const bytes = hexToBytes(e.expected);
      const essence = decodeTransactionEssence(bytes, "untrusted");
      assert.equal(hex(encodeTransactionEssence(essence)), e.expected);
      assert.equal(hex(essenceHashFromBytes(bytes)), e.essenceHash_computed);
      assert.equal(hex(essenceHash(essence)), e.essenceHash_computed);
    }
    assert.notEqual(V.essences.noPayload.expected, V.essences.indexationPayload.expected);
  });

  it("indexation_foo_Bar (unsorted parents) is rejected with CODEC_ERROR_PARENTS_NOT_SORTED", () => {
    const bytes = hexToBytes(items.indexation_foo_Bar.hex);
    assert.throws(
      () => decodeMessage(bytes, "untrusted"),
      (e: unknown) =>
        e instanceof CodecError && e.code === "CODEC_ERROR_PARENTS_NOT_SORTED" && e.type.path === "parents[1]",
    );
    // Trusted mode skips the rule but still parses, and its id is the one iota.js computed.
    assert.equal(decodeMessage(bytes, "trusted").parents.length, 2);
    assert.equal(hex(messageId(bytes)), items.indexation_foo_Bar.messageId_computed);
  });
});
