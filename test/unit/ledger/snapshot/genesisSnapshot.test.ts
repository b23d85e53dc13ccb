import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { networkIdFromName } from "../../../../src/crypto/networkId.js";
import { genesisSnapshotHeaderAndBody, writeGenesisSnapshot } from "../../../../src/ledger/snapshot/genesisSnapshot.js";
import { SnapshotError } from "../../../../src/ledger/snapshot/snapshotError.js";
import { readWholeSnapshot } from "../../../../src/ledger/snapshot/snapshotReader.js";
import { TOKEN_SUPPLY } from "../../../../src/params/protocol.js";
import { snapshotErrorOf } from "./snapshotTestUtils.js";

const dir = mkdtempSync(join(tmpdir(), "weaver-genesis-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const MINT = new Uint8Array(32).fill(0x6e);

describe("genesis snapshot (chrysalis.md §11.4)", () => {
  it("is a full snapshot at index 0 with the null SEP, the mint output and the treasury", () => {
    const g = genesisSnapshotHeaderAndBody({ networkId: 5n, mintAddress: MINT, treasury: 123, timestamp: 9 });
    assert.deepEqual(g.header, {
      type: "full",
      timestamp: 9,
      networkId: 5n,
      sepIndex: 0,
      ledgerIndex: 0,
      treasury: { milestoneId: new Uint8Array(32), amount: 123 },
    });
    assert.deepEqual(g.solidEntryPoints, [new Uint8Array(32)]);
    assert.deepEqual(g.outputs, [
      {
        outputId: new Uint8Array(34),
        messageId: new Uint8Array(32),
        output: { type: 0, address: { type: 0, address: MINT }, amount: TOKEN_SUPPLY - 123 },
      },
    ]);
    assert.deepEqual(g.milestoneDiffs, []);
  });

  it("writes a file that reads back with the whole supply accounted for", async () => {
    const path = join(dir, "genesis.bin");
    const networkId = networkIdFromName("weaver-private");
    const result = await writeGenesisSnapshot(path, { networkId, mintAddress: MINT, timestamp: 1_700_000_000 });
    assert.equal(result.bytes, 230);
    const s = await readWholeSnapshot(path, { expectedNetworkId: networkId, expectedType: "full" });
    assert.equal(s.outputs[0]?.output.amount, TOKEN_SUPPLY);
    assert.equal(s.header.treasury?.amount, 0);
    assert.deepEqual(readdirSync(dir), ["genesis.bin"]);
  });

  it("refuses a mint address that is not 32 bytes and a treasury that leaves nothing to mint", async () => {
    const bad = [
      { mintAddress: new Uint8Array(33) },
      { mintAddress: MINT, treasury: TOKEN_SUPPLY },
      { mintAddress: MINT, treasury: -1 },
      { mintAddress: MINT, treasury: 0.5 },
    ];
    for (const b of bad) {
      assert.throws(
        () => genesisSnapshotHeaderAndBody({ networkId: 1n, timestamp: 0, ...b }),
        (e: unknown) => e instanceof SnapshotError && e.code === "SNAPSHOT_ERROR_INVALID_RECORD",
      );
    }
    const e = await snapshotErrorOf(() =>
      writeGenesisSnapshot(join(dir, "bad.bin"), { networkId: 1n, timestamp: 0, mintAddress: new Uint8Array(1) }),
    );
    assert.equal(e.code, "SNAPSHOT_ERROR_INVALID_RECORD");
  });
});
