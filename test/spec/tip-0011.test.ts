/**
 * TIP-11 bech32 addresses. Sources: chrysalis.md §8 table (TIP-11 examples; iota.go @ d9965e47 address_test.go;
 * the Hornet private-tangle wallet), client-compat.md §9 and test/fixtures/vectors/iotajs-1.8.6-test-vectors.json
 * `bech32` (iota.js @ v1.8.6 packages/iota/test/utils/bech32Helper.spec.ts, packages/crypto/test/address/
 * bech32.spec.ts) and `wallets` (bech32 forms computed with iota.js 1.8.6).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  BECH32_HRP_MAINNET,
  BECH32_HRP_TESTNET,
  decodeBech32Address,
  ED25519_ADDRESS_TYPE,
  encodeBech32Address,
} from "../../src/crypto/bech32.js";
import { CryptoErrorCode } from "../../src/crypto/cryptoError.js";
import { ed25519AddressFromPublicKey } from "../../src/crypto/ed25519.js";
import { bytesToHex, hexToBytes } from "../../src/primitives/hex.js";
import { errorCodeOf } from "../utils/errorCode.js";
import { readVectorJson } from "../utils/vectors.js";

interface Vectors {
  bech32: { type1_iota: { expected: string }; type0_iota_computed: string; type0_atoi_computed: string };
  wallets: Record<string, { ed25519Address: string; bech32_iota: string; bech32_atoi: string } | string>;
}
const V = readVectorJson<Vectors>("iotajs-1.8.6-test-vectors.json");

const serialized = (hash: string) => hexToBytes(`0${ED25519_ADDRESS_TYPE}${hash}`);

function roundTrip(hash: string, iota: string, atoi: string): void {
  assert.equal(encodeBech32Address(BECH32_HRP_MAINNET, serialized(hash)), iota);
  assert.equal(encodeBech32Address(BECH32_HRP_TESTNET, serialized(hash)), atoi);
  for (const [text, hrp] of [
    [iota, BECH32_HRP_MAINNET],
    [atoi, BECH32_HRP_TESTNET],
  ] as const) {
    const decoded = decodeBech32Address(text, { expectedHrp: hrp });
    assert.equal(decoded.hrp, hrp);
    assert.equal(bytesToHex(decoded.address), `00${hash}`);
    assert.equal(text.length, 64);
    assert.equal(text[5], "q");
  }
}

describe("TIP-11 chrysalis.md §8 vectors", () => {
  it("public key 6f1581… → address efdc11… → iota1qrhacy… / atoi1qrhacy…", () => {
    const hash = bytesToHex(
      ed25519AddressFromPublicKey(hexToBytes("6f1581709bb7b1ef030d210db18e3b0ba1c776fba65d8cdaad05415142d189f8")),
    );
    assert.equal(hash, "efdc112efe262b304bcf379b26c31bad029f616ee3ec4aa6345a366e4c9e43a3");
    roundTrip(
      hash,
      "iota1qrhacyfwlcnzkvzteumekfkrrwks98mpdm37cj4xx3drvmjvnep6xqgyzyx",
      "atoi1qrhacyfwlcnzkvzteumekfkrrwks98mpdm37cj4xx3drvmjvnep6x8x4r7t",
    );
  });

  it("iota.go address_test.go: 52fdfc07…", () => {
    roundTrip(
      "52fdfc072182654f163f5f0f9a621d729566c74d10037c4d7bbb0407d1e2c649",
      "iota1qpf0mlq8yxpx2nck8a0slxnzr4ef2ek8f5gqxlzd0wasgp73utryj430ldu",
      "atoi1qpf0mlq8yxpx2nck8a0slxnzr4ef2ek8f5gqxlzd0wasgp73utryjjl77h3",
    );
  });

  it("Hornet private-tangle wallet: public key 31f176… → 60200bad… → atoi1qpszqzad…", () => {
    const hash = bytesToHex(
      ed25519AddressFromPublicKey(hexToBytes("31f176dadf38cdec0eadd1d571394be78f0bbee3ed594316678dffc162a095cb")),
    );
    assert.equal(hash, "60200bad8137a704216e84f8f9acfe65b972d9f4155becb4815282b03cef99fe");
    const atoi = encodeBech32Address(BECH32_HRP_TESTNET, serialized(hash));
    assert.equal(atoi, "atoi1qpszqzadsym6wpppd6z037dvlejmjuke7s24hm95s9fg9vpua7vluehe53e");
    assert.ok(encodeBech32Address(BECH32_HRP_MAINNET, serialized(hash)).endsWith("vlu7eg4t5"));
  });
});

describe("TIP-11 iota.js 1.8.6 vectors", () => {
  it("type-0 forms of 52fdfc07… (computed with iota.js)", () => {
    const hash = "52fdfc072182654f163f5f0f9a621d729566c74d10037c4d7bbb0407d1e2c649";
    roundTrip(hash, V.bech32.type0_iota_computed, V.bech32.type0_atoi_computed);
  });

  it("iota.js's type-1 example has a valid checksum but an address type Chrysalis does not know", () => {
    assert.equal(
      errorCodeOf(() => decodeBech32Address(V.bech32.type1_iota.expected)),
      CryptoErrorCode.UNKNOWN_ADDRESS_TYPE,
    );
  });

  it("iota.js's bad-checksum case (last characters changed) is a checksum error", () => {
    const bad = `${V.bech32.type1_iota.expected.slice(0, -6)}tzcp99`;
    assert.equal(
      errorCodeOf(() => decodeBech32Address(bad)),
      CryptoErrorCode.BECH32_CHECKSUM,
    );
  });

  it("every wallet's bech32 forms round-trip to its address", () => {
    let count = 0;
    for (const [name, w] of Object.entries(V.wallets)) {
      if (typeof w === "string") continue;
      roundTrip(w.ed25519Address, w.bech32_iota, w.bech32_atoi);
      count++;
      assert.ok(name.length > 0);
    }
    assert.equal(count, 4);
  });

  it("a foreign HRP is rejected when the network's HRP is given", () => {
    assert.equal(
      errorCodeOf(() => decodeBech32Address(V.bech32.type0_iota_computed, { expectedHrp: BECH32_HRP_TESTNET })),
      CryptoErrorCode.BECH32_HRP_MISMATCH,
    );
  });
});
