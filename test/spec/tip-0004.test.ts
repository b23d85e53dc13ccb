/**
 * TIP-4 milestone inclusion Merkle root. Sources: the TIP-4 text (chrysalis.md §6.3, also Bee @ 59ab9236
 * bee-ledger/src/workers/consensus/merkle_hasher.rs) and iotajs-1.8.6-test-vectors.json `merkle`
 * (iotaledger/hornet @ v1.2.8 pkg/whiteflag/test/white_flag_merkle_test.go).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { merkleRoot } from "../../src/crypto/merkle.js";
import { bytesToHex, hexToBytes } from "../../src/primitives/hex.js";
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
