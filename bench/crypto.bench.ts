/**
 * Protocol crypto hot paths beside their anchors (PERFORMANCE.md §2–3): Ed25519 verification (OpenSSL with a
 * cached key against noble alone), PoW validation of one 300-byte message (BLAKE2b-256 + one Curl transform)
 * against iota.js 1.8.6 `PowHelper.score`, and one Curl-P-81 transform.
 */
import { PowHelper } from "@iota/iota.js";
import { ed25519 } from "@noble/curves/ed25519.js";
import { curlP81 } from "../src/crypto/curlP81.js";
import { ed25519PublicKey, ed25519Sign, ed25519Verify } from "../src/crypto/ed25519.js";
import { powScore } from "../src/crypto/powScore.js";
import { atLeast, atMost, type Suite } from "./harness.js";

const seed = new Uint8Array(32).map((_, i) => (i * 7 + 1) & 0xff);
const publicKey = ed25519PublicKey(seed);
/** A transaction essence hash is what gets signed: 32 bytes. */
const signedMessage = new Uint8Array(32).map((_, i) => (i * 13) & 0xff);
const signature = ed25519Sign(seed, signedMessage);

const message300 = new Uint8Array(300).map((_, i) => (i * 31 + 5) & 0xff);
const curlInput = Int8Array.from({ length: 243 }, (_, i) => ((i * 7) % 3) - 1);

export const cryptoSuite: Suite = {
  name: "Protocol crypto (Ed25519, PoW validation, Curl-P-81)",
  async run(ctx) {
    await ctx.throughput(
      "ed25519.verify.weaver",
      "verifications/s",
      () => ed25519Verify(publicKey, signedMessage, signature),
      {
        target: atLeast(8000, "8k"),
      },
    );
    await ctx.throughput("ed25519.verify.noble", "verifications/s", () =>
      ed25519.verify(signature, signedMessage, publicKey, { zip215: true }),
    );
    ctx.ratio("ed25519.verify.weaverVsNoble", "ed25519.verify.weaver", "ed25519.verify.noble");

    await ctx.latency("pow.validate.single.weaver", () => powScore(message300), { target: atMost(20) });
    await ctx.latency("pow.validate.single.iotajs", () => PowHelper.score(message300));
    // iota.js latency over ours: how many times faster a single validation is.
    ctx.ratio("pow.validate.single.speedupVsIotajs", "pow.validate.single.iotajs", "pow.validate.single.weaver");

    await ctx.latency("curl.transform.single.weaver", () => curlP81(curlInput));
  },
};
