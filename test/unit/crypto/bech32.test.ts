import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { bech32, bech32m } from "bech32";
import fc from "fast-check";
import { decodeBech32Address, encodeBech32Address } from "../../../src/crypto/bech32.js";
import { CryptoErrorCode } from "../../../src/crypto/cryptoError.js";
import { errorCodeOf } from "../../utils/errorCode.js";

const VALID = "iota1qpf0mlq8yxpx2nck8a0slxnzr4ef2ek8f5gqxlzd0wasgp73utryj430ldu";

const address = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((h) => {
  const a = new Uint8Array(33);
  a.set(h, 1);
  return a;
});

describe("bech32 addresses", () => {
  it("round-trip any Ed25519 address under both HRPs, and accept the all-upper-case form", () => {
    fc.assert(
      fc.property(address, fc.constantFrom("iota", "atoi"), (a, hrp) => {
        const text = encodeBech32Address(hrp, a);
        assert.deepEqual(decodeBech32Address(text).address, a);
        const upper = decodeBech32Address(text.toUpperCase());
        assert.equal(upper.hrp, hrp);
        assert.deepEqual(upper.address, a);
      }),
      { numRuns: 50 },
    );
  });

  it("reject mixed case", () => {
    assert.equal(
      errorCodeOf(() => decodeBech32Address(`I${VALID.slice(1)}`)),
      CryptoErrorCode.INVALID_BECH32,
    );
  });

  it("reject any single changed data character as a checksum error", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: VALID.length - 1 }),
        fc.constantFrom(..."qpzry9x8gf2tvdw0s3jn54khce6mua7l"),
        (i, c) => {
          fc.pre(VALID[i] !== c);
          const changed = VALID.slice(0, i) + c + VALID.slice(i + 1);
          assert.equal(
            errorCodeOf(() => decodeBech32Address(changed)),
            CryptoErrorCode.BECH32_CHECKSUM,
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  it("reject bech32m (TIP-11 is original bech32, checksum constant 1)", () => {
    const asBech32m = bech32m.encode("iota", bech32.decode(VALID).words);
    assert.notEqual(asBech32m, VALID);
    assert.equal(
      errorCodeOf(() => decodeBech32Address(asBech32m)),
      CryptoErrorCode.BECH32_CHECKSUM,
    );
  });

  it("reject wrong lengths, bad padding, unknown characters and a missing separator", () => {
    const words = bech32.toWords(new Uint8Array(34));
    assert.equal(
      errorCodeOf(() => decodeBech32Address(bech32.encode("iota", words))),
      CryptoErrorCode.INVALID_ADDRESS_LENGTH,
    );
    assert.equal(
      errorCodeOf(() => decodeBech32Address(bech32.encode("iota", bech32.toWords(new Uint8Array(32))))),
      CryptoErrorCode.INVALID_ADDRESS_LENGTH,
    );
    // 53 words carry 33 bytes plus one padding bit; setting it must be rejected.
    const padded = bech32.toWords(new Uint8Array(33));
    padded[padded.length - 1] = 1;
    assert.equal(
      errorCodeOf(() => decodeBech32Address(bech32.encode("iota", padded))),
      CryptoErrorCode.INVALID_BECH32,
    );
    // 54 words leave 6 bits over: a whole surplus group.
    assert.equal(
      errorCodeOf(() => decodeBech32Address(bech32.encode("iota", [...bech32.toWords(new Uint8Array(33)), 0]))),
      CryptoErrorCode.INVALID_BECH32,
    );
    assert.equal(
      errorCodeOf(() => decodeBech32Address(VALID.replace("1", "b"))),
      CryptoErrorCode.INVALID_BECH32,
    );
    assert.equal(
      errorCodeOf(() => decodeBech32Address(`${VALID.slice(0, -1)}b`)),
      CryptoErrorCode.INVALID_BECH32,
    );
    assert.equal(
      errorCodeOf(() => decodeBech32Address("iota1qq")),
      CryptoErrorCode.INVALID_BECH32,
    );
    assert.equal(
      errorCodeOf(() => decodeBech32Address(`iota1${"q".repeat(90)}`)),
      CryptoErrorCode.INVALID_BECH32,
    );
  });

  it("reject BIP-173's invalid examples", () => {
    for (const s of [
      "\u00201nwldj5",
      "\u007f1axkwrx",
      "an84characterslonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1569pvx",
      "pzry9x0s0muk",
      "1pzry9x0s0muk",
      "x1b4n0q5v",
      "li1dgmt3",
      "A1G7SGD8",
      "10a06t8",
      "1qzzfhee",
    ]) {
      const code = errorCodeOf(() => decodeBech32Address(s));
      assert.ok(code === CryptoErrorCode.INVALID_BECH32 || code === CryptoErrorCode.BECH32_CHECKSUM, `${s}: ${code}`);
    }
  });

  it("encode refuses what decode would refuse", () => {
    assert.equal(
      errorCodeOf(() => encodeBech32Address("iota", new Uint8Array(32))),
      CryptoErrorCode.INVALID_ADDRESS_LENGTH,
    );
    const type1 = new Uint8Array(33);
    type1[0] = 1;
    assert.equal(
      errorCodeOf(() => encodeBech32Address("iota", type1)),
      CryptoErrorCode.UNKNOWN_ADDRESS_TYPE,
    );
    assert.equal(
      errorCodeOf(() => encodeBech32Address("IOTA", new Uint8Array(33))),
      CryptoErrorCode.INVALID_BECH32,
    );
    assert.equal(
      errorCodeOf(() => encodeBech32Address("", new Uint8Array(33))),
      CryptoErrorCode.INVALID_BECH32,
    );
  });
});
