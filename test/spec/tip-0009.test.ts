/**
 * TIP-9 snapshot files as Hornet 1.x writes them (chrysalis.md §11). Vectors: iotaledger/hornet @
 * 126955989e26936865d5317074f326036662ab42 (v1.2.8) integration-tests/assets/*.bin, copied to
 * test/fixtures/vectors/hornet-*.bin. Every file must parse to its last byte with the values of §11.4, and writing
 * what was read must give the same bytes back.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { sizeOfReceiptPayload } from "../../src/codec/index.js";
import { writeGenesisSnapshot } from "../../src/ledger/snapshot/genesisSnapshot.js";
import type { SnapshotType } from "../../src/ledger/snapshot/snapshotFormat.js";
import {
  parseSnapshotBytes,
  readSnapshotHeader,
  readWholeSnapshot,
  type WholeSnapshot,
} from "../../src/ledger/snapshot/snapshotReader.js";
import { writeSnapshot } from "../../src/ledger/snapshot/snapshotWriter.js";
import { TOKEN_SUPPLY } from "../../src/params/protocol.js";
import { bytesToHex, hexToBytes } from "../../src/primitives/hex.js";
import { readVectorBytes, VECTORS_DIR } from "../utils/vectors.js";

/** alphanet1, the network of every Hornet test asset. */
const NETWORK_ID = 6530425480034647824n;
const MINT_ADDRESS = "6920b176f613ec7be59e68fc68f597eb3393af80f74c7c3db78198147d5f1f92";
const ZERO_ID = "00".repeat(32);
const ZERO_OUTPUT_ID = "00".repeat(34);

/** The genesis vector as printed in chrysalis.md §11.4. */
const GENESIS_HEX =
  "010050ec34600000000010ff9fd95fbba05a000000000000000001000000000000000100000000000000000000000000000000000000" +
  "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" +
  "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000" +
  "000000000000000000000000000000000000000000000000000000006920b176f613ec7be59e68fc68f597eb3393af80f74c7c3db781" +
  "98147d5f1f92c15d2dd3f7df0900";

interface Expected {
  file: string;
  size: number;
  type: SnapshotType;
  timestamp: number;
  sepIndex: number;
  ledgerIndex: number;
  sepCount: number;
  outputCount: number;
  diffIndexes: number[];
  treasury: number | null;
}

const VECTORS: Expected[] = [
  {
    file: "hornet-full_snapshot.bin",
    size: 230,
    type: "full",
    timestamp: 1614081104,
    sepIndex: 0,
    ledgerIndex: 0,
    sepCount: 1,
    outputCount: 1,
    diffIndexes: [],
    treasury: 0,
  },
  {
    file: "hornet-migration_full_snapshot.bin",
    size: 230,
    type: "full",
    timestamp: 1614684336,
    sepIndex: 0,
    ledgerIndex: 0,
    sepCount: 1,
    outputCount: 1,
    diffIndexes: [],
    treasury: 10_000_000_000,
  },
  {
    file: "hornet-test_full_snapshot.bin",
    size: 2296,
    type: "full",
    timestamp: 1617695174,
    sepIndex: 1,
    ledgerIndex: 3,
    sepCount: 10,
    outputCount: 2,
    // Full files hold the diffs from the ledger index down to SEP index + 1 (chrysalis.md §11.3).
    diffIndexes: [3, 2],
    treasury: 2779530253277761,
  },
  {
    file: "hornet-test_delta_snapshot.bin",
    size: 3785,
    type: "delta",
    timestamp: 1617695174,
    sepIndex: 5,
    ledgerIndex: 1,
    sepCount: 10,
    outputCount: 0,
    // Delta files run upward from ledger index + 1 to the SEP index.
    diffIndexes: [2, 3, 4, 5],
    treasury: null,
  },
];

const dir = mkdtempSync(join(tmpdir(), "weaver-tip9-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function checkHeader(s: WholeSnapshot, v: Expected): void {
  const h = s.header;
  assert.equal(h.version, 1);
  assert.equal(h.type, v.type);
  assert.equal(h.timestamp, v.timestamp);
  assert.equal(h.networkId, NETWORK_ID);
  assert.equal(h.sepIndex, v.sepIndex);
  assert.equal(h.ledgerIndex, v.ledgerIndex);
  assert.equal(h.sepCount, v.sepCount);
  assert.equal(h.outputCount, v.outputCount);
  assert.equal(h.milestoneDiffCount, v.diffIndexes.length);
  assert.equal(h.treasury?.amount ?? null, v.treasury);
  if (h.treasury !== null) assert.equal(bytesToHex(h.treasury.milestoneId), ZERO_ID);
  assert.equal(s.solidEntryPoints.length, v.sepCount);
  assert.equal(s.outputs.length, v.outputCount);
  assert.deepEqual(
    s.milestoneDiffs.map((d) => d.milestoneIndex),
    v.diffIndexes,
  );
}

describe("TIP-9 snapshot files (Hornet v1.2.8 test assets)", () => {
  for (const v of VECTORS) {
    it(`${v.file} parses to its last byte with the values of chrysalis.md §11.4`, async () => {
      const bytes = readVectorBytes(v.file);
      assert.equal(bytes.length, v.size);
      const fromBytes = await parseSnapshotBytes(bytes);
      checkHeader(fromBytes, v);
      const fromFile = await readWholeSnapshot(join(VECTORS_DIR, v.file), {
        expectedNetworkId: NETWORK_ID,
        expectedType: v.type,
      });
      assert.deepEqual(fromFile, fromBytes);
      assert.deepEqual(await readSnapshotHeader(join(VECTORS_DIR, v.file)), fromBytes.header);
    });

    it(`${v.file}: writing what was read gives the same bytes`, async () => {
      const read = await parseSnapshotBytes(readVectorBytes(v.file));
      const path = join(dir, v.file);
      const result = await writeSnapshot(path, read.header, {
        solidEntryPoints: read.solidEntryPoints,
        outputs: read.outputs,
        milestoneDiffs: read.milestoneDiffs,
      });
      assert.equal(result.bytes, v.size);
      assert.deepEqual(new Uint8Array(readFileSync(path)), readVectorBytes(v.file));
    });
  }

  it("the genesis files: one null SEP, one output of supply − treasury to the mint address", async () => {
    for (const [file, treasury] of [
      ["hornet-full_snapshot.bin", 0],
      ["hornet-migration_full_snapshot.bin", 10_000_000_000],
    ] as const) {
      const s = await parseSnapshotBytes(readVectorBytes(file));
      assert.deepEqual(s.solidEntryPoints.map(bytesToHex), [ZERO_ID]);
      const [o] = s.outputs;
      assert.ok(o !== undefined);
      assert.equal(bytesToHex(o.messageId), ZERO_ID);
      assert.equal(bytesToHex(o.outputId), ZERO_OUTPUT_ID);
      assert.equal(o.output.type, 0);
      assert.equal(bytesToHex(o.output.address.address), MINT_ADDRESS);
      assert.equal(o.output.amount, TOKEN_SUPPLY - treasury);
    }
    assert.equal(bytesToHex(readVectorBytes("hornet-full_snapshot.bin")), GENESIS_HEX);
  });

  it("hornet-test_full_snapshot.bin: outputs, and each diff creates 2 and consumes 2 spent at its milestone", async () => {
    const s = await parseSnapshotBytes(readVectorBytes("hornet-test_full_snapshot.bin"));
    assert.deepEqual(
      s.outputs.map((o) => [bytesToHex(o.outputId).slice(0, 4), o.output.amount]),
      [
        ["0606", 10_000_000],
        ["0505", 20_000_000],
      ],
    );
    for (const d of s.milestoneDiffs) {
      assert.equal(d.milestone.index, d.milestoneIndex);
      assert.equal(d.milestone.receipt, null);
      assert.equal(d.spentTreasury, null);
      assert.equal(d.created.length, 2);
      assert.equal(d.consumed.length, 2);
      for (const c of d.consumed) assert.equal(c.milestoneIndexSpent, d.milestoneIndex);
    }
  });

  it("hornet-test_delta_snapshot.bin: milestone 5 carries a 151-byte receipt and spends the treasury", async () => {
    const s = await parseSnapshotBytes(readVectorBytes("hornet-test_delta_snapshot.bin"));
    for (const d of s.milestoneDiffs.slice(0, 3)) {
      assert.equal(d.milestone.receipt, null);
      assert.equal(d.spentTreasury, null);
    }
    const ms5 = s.milestoneDiffs[3];
    assert.ok(ms5 !== undefined && ms5.milestone.receipt !== null && ms5.spentTreasury !== null);
    assert.equal(sizeOfReceiptPayload(ms5.milestone.receipt), 151);
    assert.equal(ms5.spentTreasury.amount, 2779530253277761);
    assert.equal(ms5.created.length, 1);
    assert.equal(ms5.consumed.length, 2);
    for (const c of ms5.consumed) assert.equal(c.milestoneIndexSpent, 5);
  });

  it("writeGenesisSnapshot reproduces full_snapshot.bin and migration_full_snapshot.bin byte for byte", async () => {
    const mintAddress = hexToBytes(MINT_ADDRESS);
    const genesis = join(dir, "genesis.bin");
    await writeGenesisSnapshot(genesis, { networkId: NETWORK_ID, mintAddress, timestamp: 1614081104 });
    assert.deepEqual(new Uint8Array(readFileSync(genesis)), readVectorBytes("hornet-full_snapshot.bin"));

    const migration = join(dir, "migration.bin");
    await writeGenesisSnapshot(migration, {
      networkId: NETWORK_ID,
      mintAddress,
      treasury: 10_000_000_000,
      timestamp: 1614684336,
    });
    assert.deepEqual(new Uint8Array(readFileSync(migration)), readVectorBytes("hornet-migration_full_snapshot.bin"));
  });
});
