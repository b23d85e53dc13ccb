import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CryptoErrorCode } from "../../../src/crypto/cryptoError.js";
import {
  deriveSeedFromPath,
  HARDENED_OFFSET,
  iotaBip44Path,
  parseDerivationPath,
  slip10Child,
  slip10MasterKey,
} from "../../../src/crypto/slip10.js";
import { errorCodeOf } from "../../utils/errorCode.js";

describe("parseDerivationPath", () => {
  it("parses hardened steps with the offset added", () => {
    assert.deepEqual(parseDerivationPath("m"), []);
    assert.deepEqual(
      parseDerivationPath("m/44'/4218'/0'/0'/0'"),
      [44, 4218, 0, 0, 0].map((i) => i + HARDENED_OFFSET),
    );
    assert.deepEqual(parseDerivationPath("m/2147483647'"), [0xffffffff]);
    assert.equal(iotaBip44Path(1, 0, 7), "m/44'/4218'/1'/0'/7'");
  });

  it("rejects non-hardened steps with their own code", () => {
    assert.equal(
      errorCodeOf(() => parseDerivationPath("m/44'/4218'/0'/0/0'")),
      CryptoErrorCode.NON_HARDENED_DERIVATION,
    );
    assert.equal(
      errorCodeOf(() => parseDerivationPath("m/0")),
      CryptoErrorCode.NON_HARDENED_DERIVATION,
    );
  });

  it("rejects malformed paths", () => {
    for (const p of [
      "",
      "M/0'",
      "/0'",
      "m/",
      "m//0'",
      "m/-1'",
      "m/01'",
      "m/2147483648'",
      "m/1''",
      "m/0h",
      "m/ 0'",
      "m/1e3'",
    ]) {
      assert.equal(
        errorCodeOf(() => parseDerivationPath(p)),
        CryptoErrorCode.INVALID_DERIVATION_PATH,
        JSON.stringify(p),
      );
    }
  });
});

describe("slip10 keys", () => {
  it("derive step by step the same as from the path", () => {
    const seed = new Uint8Array(32).fill(0xaa);
    const byPath = deriveSeedFromPath(seed, "m/44'/4218'/0'");
    let key = slip10MasterKey(seed);
    for (const i of [44, 4218, 0]) key = slip10Child(key, i + HARDENED_OFFSET);
    assert.deepEqual(key, byPath);
    assert.equal(byPath.privateKey.length, 32);
    assert.equal(byPath.chainCode.length, 32);
  });

  it("reject seeds outside 16..64 bytes and non-hardened child indices", () => {
    assert.equal(
      errorCodeOf(() => slip10MasterKey(new Uint8Array(15))),
      CryptoErrorCode.INVALID_SEED,
    );
    assert.equal(
      errorCodeOf(() => slip10MasterKey(new Uint8Array(65))),
      CryptoErrorCode.INVALID_SEED,
    );
    assert.equal(slip10MasterKey(new Uint8Array(16)).privateKey.length, 32);
    const master = slip10MasterKey(new Uint8Array(64));
    assert.equal(
      errorCodeOf(() => slip10Child(master, 5)),
      CryptoErrorCode.NON_HARDENED_DERIVATION,
    );
    assert.equal(
      errorCodeOf(() => slip10Child(master, 2 ** 32)),
      CryptoErrorCode.NON_HARDENED_DERIVATION,
    );
  });
});
