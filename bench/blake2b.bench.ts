/** BLAKE2b-256 (hash-wasm) beside the iota.js 1.8.6 implementation it replaces. */
import { Blake2b } from "@iota/crypto.js";
import { blake2b256 } from "../src/crypto/blake2b.js";
import { atLeast, type Suite } from "./harness.js";

const data300 = new Uint8Array(300).map((_, i) => (i * 31) & 0xff);

export const blake2bSuite: Suite = {
  name: "BLAKE2b-256",
  async run(ctx) {
    await ctx.throughput("blake2b256.300B.weaver", "hashes/s", () => blake2b256(data300), {
      target: atLeast(1_000_000, "1.0M"),
    });
    await ctx.throughput("blake2b256.300B.iotajs", "hashes/s", () => Blake2b.sum256(data300));
    ctx.ratio("blake2b256.300B.weaverVsIotajs", "blake2b256.300B.weaver", "blake2b256.300B.iotajs");
  },
};
