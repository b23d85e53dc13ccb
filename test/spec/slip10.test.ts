/**
 * SLIP-10 Ed25519 derivation and IOTA keys. Sources: iotajs-1.8.6-test-vectors.json
 * - `keys.slip10`: SLIP-0010 ed25519 test vector 1 (iota.js @ v1.8.6 packages/crypto/test/keys/slip0010.spec.ts);
 * - `keys.ed25519Seed_aa`: iota.js ed25519Seed.spec.ts, ed25519Address.spec.ts, crypto ed25519.spec.ts;
 * - `wallets`: BIP-44 derivations computed with iota.js 1.8.6 (client-compat.md §9).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hmac } from "@noble/hashes/hmac.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { BECH32_HRP_MAINNET, BECH32_HRP_TESTNET, encodeBech32Address } from "../../src/crypto/bech32.js";
import { CryptoErrorCode } from "../../src/crypto/cryptoError.js";
import { ed25519AddressFromPublicKey, ed25519PublicKey, ed25519Sign, ed25519Verify } from "../../src/crypto/ed25519.js";
import { deriveSeedFromPath, slip10MasterKey } from "../../src/crypto/slip10.js";
import { bytesToHex, hexToBytes } from "../../src/primitives/hex.js";
import { errorCodeOf } from "../utils/errorCode.js";
import { readVectorJson } from "../utils/vectors.js";

interface Expected {
  expected: string;
}
interface Wallet {
  seed?: string;
  bip39Seed?: string;
  path: string;
  derivedPrivateKeySeed: string;
  publicKey: string;
  ed25519Address: string;
  bech32_iota: string;
  bech32_atoi: string;
}
interface Vectors {
  keys: {
    ed25519Seed_aa: {
      seed: string;
      publicKey: Expected;
      masterPathPublicKey: Expected;
      ed25519Address: Expected;
      signature100x100: Expected;
    };
    slip10: { seed: string; items: { path: string; privateKey: Expected; chainCode: Expected; publicKey: Expected }[] };
  };
  wallets: Record<string, Wallet | string>;
}
const V = readVectorJson<Vectors>("iotajs-1.8.6-test-vectors.json");

describe("SLIP-10 ed25519 test vector 1", () => {
  const seed = hexToBytes(V.keys.slip10.seed);
  for (const item of V.keys.slip10.items) {
    it(`${item.path}: private key, chain code, 00-prefixed public key`, () => {
      const key = deriveSeedFromPath(seed, item.path);
      assert.equal(bytesToHex(key.privateKey), item.privateKey.expected);
      assert.equal(bytesToHex(key.chainCode), item.chainCode.expected);
      assert.equal(`00${bytesToHex(ed25519PublicKey(key.privateKey))}`, item.publicKey.expected);
    });
  }
  it("covers the six published paths", () => assert.equal(V.keys.slip10.items.length, 6));
});

describe("iota.js Ed25519Seed aa×32", () => {
  const k = V.keys.ed25519Seed_aa;
  const seed = hexToBytes(k.seed);

  it("public key and address of the seed itself", () => {
    const pk = ed25519PublicKey(seed);
    assert.equal(bytesToHex(pk), k.publicKey.expected);
    assert.equal(bytesToHex(ed25519AddressFromPublicKey(pk)), k.ed25519Address.expected);
  });

  it("the 'm/' public key is an iota.js quirk: child index NaN written as 0, not the master key; we refuse 'm/'", () => {
    // iota.js parses "m/" into one NaN segment and derives HMAC-SHA512(chainCode, 0x00 ‖ key ‖ ser32(0)), a
    // non-hardened index pushed through the hardened formula. SLIP-10 has no such step, so the path is invalid here.
    assert.equal(
      errorCodeOf(() => deriveSeedFromPath(seed, "m/")),
      CryptoErrorCode.INVALID_DERIVATION_PATH,
    );
    const master = slip10MasterKey(seed);
    const quirk = hmac(sha512, master.chainCode, Uint8Array.from([0, ...master.privateKey, 0, 0, 0, 0])).slice(0, 32);
    assert.equal(bytesToHex(ed25519PublicKey(quirk)), k.masterPathPublicKey.expected);
    assert.notEqual(bytesToHex(ed25519PublicKey(master.privateKey)), k.masterPathPublicKey.expected);
  });

  it("signature over 100 × 0x64, which verifies", () => {
    const message = new Uint8Array(100).fill(0x64);
    const sig = ed25519Sign(seed, message);
    assert.equal(bytesToHex(sig), k.signature100x100.expected);
    assert.equal(ed25519Verify(ed25519PublicKey(seed), message, sig), true);
    message[0] = 0;
    assert.equal(ed25519Verify(ed25519PublicKey(seed), message, sig), false);
  });
});

describe("IOTA wallet derivations (m/44'/4218'/…)", () => {
  const wallets = Object.entries(V.wallets).filter((e): e is [string, Wallet] => typeof e[1] !== "string");

  it("has the four wallets", () => assert.equal(wallets.length, 4));

  for (const [name, w] of wallets) {
    it(`${name}: derived seed, public key, address, bech32`, () => {
      // The seed_aa_* wallets carry no seed field: they start from the aa×32 seed their name gives.
      const source = w.seed ?? w.bip39Seed ?? (name.startsWith("seed_aa_") ? V.keys.ed25519Seed_aa.seed : undefined);
      assert.ok(source !== undefined, name);
      const key = deriveSeedFromPath(hexToBytes(source), w.path);
      assert.equal(bytesToHex(key.privateKey), w.derivedPrivateKeySeed);
      const pk = ed25519PublicKey(key.privateKey);
      assert.equal(bytesToHex(pk), w.publicKey);
      const address = ed25519AddressFromPublicKey(pk);
      assert.equal(bytesToHex(address), w.ed25519Address);
      const serialized = new Uint8Array(33);
      serialized.set(address, 1);
      assert.equal(encodeBech32Address(BECH32_HRP_MAINNET, serialized), w.bech32_iota);
      assert.equal(encodeBech32Address(BECH32_HRP_TESTNET, serialized), w.bech32_atoi);
    });
  }
});
