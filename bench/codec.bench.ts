/**
 * Codec throughput (PERFORMANCE.md §5: decode + syntactic validation + message id of a 300-byte message ≥ 200k/s per
 * core) beside iota.js 1.8.6 deserializeMessage + Blake2b.sum256, which validates fewer rules. Each call handles a
 * batch of messages so the timer overhead stays out of the per-message figure.
 */
import { Blake2b } from "@iota/crypto.js";
import { deserializeMessage } from "@iota/iota.js";
import { ReadStream } from "@iota/util.js";
import { decodeMessage, encodeMessage, type Message, messageId } from "../src/codec/index.js";
import { hexToBytes } from "../src/primitives/hex.js";
import { readMessageFixture, type TransactionFixture } from "../test/utils/codecFixtures.js";
import { atLeast, type Suite } from "./harness.js";

const BATCH = 100;

function parent(seed: number): Uint8Array {
  return new Uint8Array(32).map((_, i) => (seed * 97 + i * 31) & 0xff);
}

/** A 300-byte indexation message: 2 parents, 8-byte index, 197 data bytes. */
const INDEXATION_MSG: Message = {
  networkId: 1454675179895816119n,
  parents: [parent(1), parent(2)].sort((a, b) => a[0]! - b[0]!),
  payload: {
    type: 2,
    index: new TextEncoder().encode("WEAVER00"),
    data: new Uint8Array(197).map((_, i) => i & 0xff),
  },
  nonce: 123456789n,
};
const indexation300 = encodeMessage(INDEXATION_MSG);
if (indexation300.length !== 300) throw new Error(`bench message is ${indexation300.length} bytes, expected 300`);

const tx352 = hexToBytes(readMessageFixture<TransactionFixture>("testnet6-transaction.json").messageHex);

export const codecSuite: Suite = {
  name: "Codec",
  async run(ctx) {
    let sink = 0;
    await ctx.throughput(
      "codec.decodeValidateId.300B.weaver",
      "messages/s",
      () => {
        for (let i = 0; i < BATCH; i++) {
          const msg = decodeMessage(indexation300, "untrusted");
          sink += messageId(indexation300)[0]! + msg.parents.length;
        }
      },
      { opsPerCall: BATCH, target: atLeast(200_000, "200k") },
    );
    await ctx.throughput(
      "codec.decodeId.300B.iotajs",
      "messages/s",
      () => {
        for (let i = 0; i < BATCH; i++) {
          const msg = deserializeMessage(new ReadStream(indexation300));
          sink += Blake2b.sum256(indexation300)[0]! + (msg.parentMessageIds?.length ?? 0);
        }
      },
      { opsPerCall: BATCH },
    );
    ctx.ratio(
      "codec.decodeValidateId.300B.weaverVsIotajs",
      "codec.decodeValidateId.300B.weaver",
      "codec.decodeId.300B.iotajs",
    );

    await ctx.throughput(
      "codec.decodeValidateId.tx352B.weaver",
      "messages/s",
      () => {
        for (let i = 0; i < BATCH; i++) {
          const msg = decodeMessage(tx352, "untrusted");
          sink += messageId(tx352)[0]! + msg.parents.length;
        }
      },
      { opsPerCall: BATCH, target: atLeast(200_000, "200k") },
    );
    await ctx.throughput(
      "codec.decodeId.tx352B.iotajs",
      "messages/s",
      () => {
        for (let i = 0; i < BATCH; i++) {
          const msg = deserializeMessage(new ReadStream(tx352));
          sink += Blake2b.sum256(tx352)[0]! + (msg.parentMessageIds?.length ?? 0);
        }
      },
      { opsPerCall: BATCH },
    );
    ctx.ratio(
      "codec.decodeValidateId.tx352B.weaverVsIotajs",
      "codec.decodeValidateId.tx352B.weaver",
      "codec.decodeId.tx352B.iotajs",
    );

    await ctx.throughput(
      "codec.encode.300B.weaver",
      "messages/s",
      () => {
        for (let i = 0; i < BATCH; i++) sink += encodeMessage(INDEXATION_MSG).length;
      },
      { opsPerCall: BATCH },
    );
    if (sink === -1) console.log(sink);
  },
};
