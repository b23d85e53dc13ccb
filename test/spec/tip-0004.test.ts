/**
 * TIP-4 milestone inclusion Merkle root. Sources: the TIP-4 text (chrysalis.md §6.3, also Bee @ 59ab9236
 * bee-ledger/src/workers/consensus/merkle_hasher.rs) and iotajs-1.8.6-test-vectors.json `merkle`
 * (iotaledger/hornet @ v1.2.8 pkg/whiteflag/test/white_flag_merkle_test.go).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ed25519Verify } from "../../src/crypto/ed25519.js";
import { merkleRoot } from "../../src/crypto/merkle.js";
import { computeWhiteFlagMutations } from "../../src/ledger/whiteFlag.js";
import { bytesToHex, hexToBytes } from "../../src/primitives/hex.js";
import { coneMessage, syntheticOutput, Wallet } from "../utils/ledgerFixtures.js";
import { MemoryLedger } from "../utils/memoryLedger.js";
import { readVectorJson } from "../utils/vectors.js";

interface MerkleVectors {
  merkle: {
    includedMessageIds: string[];
    root: { expected: string };
    emptyRoot_computed: string;
    singleLeaf_computed: string;
  };
}
const V = readVectorJson<MerkleVectors>("iotajs-1.8.6-test-vectors.json").merkle;
const ids = V.includedMessageIds.map(hexToBytes);

describe("TIP-4 Merkle tree hash", () => {
  it("the seven ids give bf67ce7b…0beb", () => {
    assert.equal(ids.length, 7);
    assert.equal(bytesToHex(merkleRoot(ids)), V.root.expected);
    assert.equal(bytesToHex(merkleRoot(ids)), "bf67ce7ba23e8c0951b5abaec4f5524360d2c26d971ff226d3359fa70cdb0beb");
  });

  it("intermediate values of TIP-4: leaf(d1), the first four, the last three", () => {
    assert.equal(bytesToHex(merkleRoot(ids.slice(0, 1))), V.singleLeaf_computed);
    assert.equal(
      bytesToHex(merkleRoot(ids.slice(0, 1))),
      "3d1399c64ff0ae6a074afa4cd2ce4eab8d5c499c1da6afdd1d84b7447cc00544",
    );
    assert.equal(
      bytesToHex(merkleRoot(ids.slice(0, 4))),
      "03bcbb3cf4314eab2f5ae68c767ff0a5fec4573c865728231f71d596fd867b56",
    );
    assert.equal(
      bytesToHex(merkleRoot(ids.slice(4))),
      "ce22d5bc728023e7ab6a9eb8f58baf62b9565fc8baeef4b377daa6709dbe598c",
    );
  });

  it("the empty list hashes to BLAKE2b-256('')", () => {
    assert.equal(bytesToHex(merkleRoot([])), V.emptyRoot_computed);
    assert.equal(bytesToHex(merkleRoot([])), "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  });
});

describe("TIP-4 root as white flag computes it", () => {
  it("includedMessageIds are the included transaction messages in cone order, and they alone feed the root", () => {
    const MI = 1_000_000;
    const alice = Wallet.named("tip4-alice");
    const bob = Wallet.named("tip4-bob");
    const funds = Array.from({ length: 7 }, () => syntheticOutput(alice, 2 * MI));
    const ledger = new MemoryLedger({ outputs: funds });
    // Seven included transfers, each followed by a message that does not count: a double spend (conflicting)
    // or an indexation (no transaction).
    const cone = funds.flatMap((f, i) => [
      coneMessage(alice.transfer([f], [{ address: bob, amount: 2 * MI }])),
      i % 2 === 0
        ? coneMessage(alice.transfer([f], [{ address: alice, amount: 2 * MI }]))
        : coneMessage({ type: 2, index: Uint8Array.of(i), data: new Uint8Array(0) }),
    ]);
    const m = computeWhiteFlagMutations({ milestoneIndex: 1, cone, receipt: null }, ledger, ed25519Verify);
    const included = cone.filter((_, k) => k % 2 === 0).map((c) => c.messageId);
    assert.deepEqual(m.includedMessageIds, included);
    assert.deepEqual(
      m.referenced.map((r) => r.inclusion),
      cone.map((_, k) => (k % 2 === 0 ? 2 : Math.floor(k / 2) % 2 === 0 ? 1 : 0)),
    );
    assert.deepEqual(m.merkleRoot, merkleRoot(included));
    // The order matters: the same ids in another order give another root.
    assert.notDeepEqual(m.merkleRoot, merkleRoot([...included].reverse()));
  });
});
