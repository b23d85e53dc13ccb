/**
 * The pure cores of `weaver tool ed25519-key | address | network-id | snapshot-gen | snapshot-info`. Addresses are
 * checked against the vectors of chrysalis.md §8 and client-compat.md §9 and against iota.js 1.8.6 itself
 * (Ed25519Seed + Bip32Path + Ed25519Address + Bech32Helper); genesis snapshots against Hornet's own files, byte for byte.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Bip32Path } from "@iota/crypto.js";
import { Bech32Helper, Ed25519Address, Ed25519Seed, generateBip44Path } from "@iota/iota.js";
import fc from "fast-check";
import { ToolError } from "../../../src/cli/toolError.js";
import {
  addressFromPublicKey,
  addressFromSeed,
  DEFAULT_ADDRESS_PATH,
  describeAddress,
} from "../../../src/cli/tools/addressTool.js";
import { ed25519KeyReport, newEd25519Key } from "../../../src/cli/tools/ed25519KeyTool.js";
import { describeNetworkId } from "../../../src/cli/tools/networkIdTool.js";
import { generateSnapshot } from "../../../src/cli/tools/snapshotGenTool.js";
import { describeSnapshot } from "../../../src/cli/tools/snapshotInfoTool.js";
import { ed25519Sign, ed25519Verify } from "../../../src/crypto/ed25519.js";
import { SnapshotError } from "../../../src/ledger/snapshot/snapshotError.js";
import { TOKEN_SUPPLY } from "../../../src/params/protocol.js";
import { bytesToHex, hexToBytes } from "../../../src/primitives/hex.js";
import { readVectorBytes, readVectorJson, VECTORS_DIR } from "../../utils/vectors.js";

interface WalletVector {
  path: string;
  seed?: string;
  bip39Seed?: string;
  publicKey: string;
  ed25519Address: string;
  bech32_iota: string;
  bech32_atoi: string;
}

const VECTORS = readVectorJson<{
  wallets: Record<string, WalletVector | string>;
  networkIds: { testnet4: { expected: string }; computed: Record<string, string> };
}>("iotajs-1.8.6-test-vectors.json");

const dir = mkdtempSync(join(tmpdir(), "weaver-tools-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function isToolError(code: string, pattern?: RegExp) {
  return (e: unknown) =>
    e instanceof ToolError && e.code === code && (pattern === undefined || pattern.test(e.message));
}

describe("address", () => {
  it("matches the TIP-11 vectors of chrysalis.md §8 for public keys", () => {
    const a = addressFromPublicKey(
      hexToBytes("6f1581709bb7b1ef030d210db18e3b0ba1c776fba65d8cdaad05415142d189f8"),
      "iota",
    );
    assert.equal(a.ed25519Address, "efdc112efe262b304bcf379b26c31bad029f616ee3ec4aa6345a366e4c9e43a3");
    assert.equal(a.bech32Address, "iota1qrhacyfwlcnzkvzteumekfkrrwks98mpdm37cj4xx3drvmjvnep6xqgyzyx");
    assert.equal(a.path, undefined);
    const t = describeAddress({
      publicKey: "0x6f1581709bb7b1ef030d210db18e3b0ba1c776fba65d8cdaad05415142d189f8",
      hrp: "atoi",
    });
    assert.equal(t.bech32Address, "atoi1qrhacyfwlcnzkvzteumekfkrrwks98mpdm37cj4xx3drvmjvnep6x8x4r7t");
    const h = describeAddress({
      publicKey: "31f176dadf38cdec0eadd1d571394be78f0bbee3ed594316678dffc162a095cb",
      hrp: "atoi",
    });
    assert.equal(h.ed25519Address, "60200bad8137a704216e84f8f9acfe65b972d9f4155becb4815282b03cef99fe");
    assert.equal(h.bech32Address, "atoi1qpszqzadsym6wpppd6z037dvlejmjuke7s24hm95s9fg9vpua7vluehe53e");
  });

  it("reproduces the iota.js wallet derivations of client-compat.md §9", () => {
    let checked = 0;
    for (const [name, v] of Object.entries(VECTORS.wallets)) {
      if (typeof v === "string") continue;
      const seed = name.startsWith("seed_aa") ? "aa".repeat(32) : (v.seed ?? v.bip39Seed);
      assert.ok(seed !== undefined, name);
      for (const hrp of ["iota", "atoi"] as const) {
        const r = describeAddress({ seed, path: v.path, hrp });
        assert.deepEqual(r, {
          publicKey: v.publicKey,
          ed25519Address: v.ed25519Address,
          bech32Address: hrp === "iota" ? v.bech32_iota : v.bech32_atoi,
          path: v.path,
        });
      }
      checked++;
    }
    assert.equal(checked, 4);
    // The default path is the first iota.js BIP-44 address.
    assert.equal(DEFAULT_ADDRESS_PATH, generateBip44Path(0, 0, false).toString());
    const byDefault = describeAddress({ seed: "aa".repeat(32), hrp: "iota" });
    assert.equal(byDefault.bech32Address, "iota1qprm6pnjh996ptkflvr4sca8lkryh034avma4e9mcktnljju7zcf2tthh6f");
    assert.equal(byDefault.path, "m/44'/4218'/0'/0'/0'");
  });

  it("agrees with iota.js Ed25519Seed / Bip32Path / Ed25519Address / Bech32Helper on random seeds and paths", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 64 }),
        fc.nat(1000),
        fc.boolean(),
        fc.nat(1000),
        fc.constantFrom("iota", "atoi", "rms"),
        (seed, account, internal, index, hrp) => {
          const path = generateBip44Path(account, index, internal).toString();
          const ours = addressFromSeed(seed, path, hrp);
          const keyPair = new Ed25519Seed(seed).generateSeedFromPath(new Bip32Path(path)).keyPair();
          const address = new Ed25519Address(keyPair.publicKey).toAddress();
          assert.equal(ours.publicKey, bytesToHex(keyPair.publicKey));
          assert.equal(ours.ed25519Address, bytesToHex(address));
          assert.equal(ours.bech32Address, Bech32Helper.toBech32(0, address, hrp));
        },
      ),
      { numRuns: 40 },
    );
  });

  it("refuses missing, doubled and malformed options with TOOL_ERROR_INVALID_OPTION", () => {
    const pk = "6f1581709bb7b1ef030d210db18e3b0ba1c776fba65d8cdaad05415142d189f8";
    const cases: Array<[Parameters<typeof describeAddress>[0], RegExp]> = [
      [{ hrp: "iota" }, /exactly one/],
      [{ publicKey: pk, seed: "aa".repeat(32), hrp: "iota" }, /exactly one/],
      [{ publicKey: pk.slice(2), hrp: "iota" }, /--public-key must be 32 bytes/],
      [{ publicKey: `${pk}00`, hrp: "iota" }, /--public-key/],
      [{ publicKey: "zz".repeat(32), hrp: "iota" }, /--public-key/],
      [{ publicKey: pk, path: "m/0'", hrp: "iota" }, /--path applies to --seed only/],
      [{ publicKey: pk, hrp: "IOTA" }, /--hrp/],
      [{ publicKey: pk, hrp: "" }, /--hrp/],
      [{ seed: "aa".repeat(15), hrp: "iota" }, /--seed must be 16\.\.64 bytes/],
      [{ seed: "aa".repeat(65), hrp: "iota" }, /--seed/],
      [{ seed: "aa".repeat(32), path: "m/44'/4218'/0'/0/0'", hrp: "iota" }, /--path: .*not hardened/],
      [{ seed: "aa".repeat(32), path: "44'/4218'", hrp: "iota" }, /--path: .*must start with "m"/],
    ];
    for (const [opts, message] of cases) {
      assert.throws(() => describeAddress(opts), isToolError("TOOL_ERROR_INVALID_OPTION", message), message.source);
    }
  });
});

describe("ed25519-key", () => {
  it("reports the iota.js key and address of seed aa×32", () => {
    const r = ed25519KeyReport(hexToBytes("aa".repeat(32)), "iota");
    assert.equal(r.privateKey, "aa".repeat(32));
    assert.equal(r.publicKey, "e734ea6c2b6257de72355e472aa05a4c487e6b463c029ed306df2f01b5636b58");
    assert.equal(r.ed25519Address, "fb2d6244c46d9b483dadef0a0fde4caab6f3a871aad91743ac66f41a6dfd4f48");
    assert.equal(
      r.bech32Address,
      Bech32Helper.toBech32(0, hexToBytes("fb2d6244c46d9b483dadef0a0fde4caab6f3a871aad91743ac66f41a6dfd4f48"), "iota"),
    );
  });

  it("makes fresh keys whose private and public halves belong together", () => {
    const a = newEd25519Key("atoi");
    const b = newEd25519Key("atoi");
    assert.notEqual(a.privateKey, b.privateKey);
    assert.match(a.privateKey, /^[0-9a-f]{64}$/);
    assert.equal(a.publicKey, bytesToHex(new Ed25519Seed(hexToBytes(a.privateKey)).keyPair().publicKey));
    assert.deepEqual(addressFromPublicKey(hexToBytes(a.publicKey), "atoi"), {
      publicKey: a.publicKey,
      ed25519Address: a.ed25519Address,
      bech32Address: a.bech32Address,
    });
    const message = new Uint8Array([1, 2, 3]);
    assert.ok(ed25519Verify(hexToBytes(a.publicKey), message, ed25519Sign(hexToBytes(a.privateKey), message)));
    assert.throws(() => newEd25519Key("Bad HRP"), isToolError("TOOL_ERROR_INVALID_OPTION", /--hrp/));
  });
});

describe("network-id", () => {
  it("matches the network ids of chrysalis.md §1.4 and the iota.js vector file", () => {
    const table: Record<string, string> = {
      ...VECTORS.networkIds.computed,
      testnet4: VECTORS.networkIds.testnet4.expected,
      testnet7: "14379272398717627559",
      testnet6: "7712883261355838377",
    };
    assert.ok(Object.keys(table).length >= 7);
    for (const [name, id] of Object.entries(table)) {
      const r = describeNetworkId(name);
      assert.equal(r.networkId, id, name);
      assert.equal(r.name, name);
    }
  });

  it("gives the id's bytes as they open a message (the real testnet6 transaction)", () => {
    assert.equal(describeNetworkId("testnet6").hex, "a9cb2b2b76aa096b");
    assert.equal(BigInt(`0x${Buffer.from("a9cb2b2b76aa096b", "hex").reverse().toString("hex")}`), 7712883261355838377n);
    assert.throws(() => describeNetworkId(""), isToolError("TOOL_ERROR_INVALID_INPUT"));
  });
});

const ALPHANET_MINT = "6920b176f613ec7be59e68fc68f597eb3393af80f74c7c3db78198147d5f1f92";

describe("snapshot-gen", () => {
  it("writes Hornet's alphanet1 genesis and migration snapshots byte for byte", async () => {
    const out = join(dir, "alphanet1.bin");
    const report = await generateSnapshot(
      { networkName: "alphanet1", mintAddress: ALPHANET_MINT, out, timestamp: "1614081104" },
      0,
    );
    assert.deepEqual(readFileSync(out), Buffer.from(readVectorBytes("hornet-full_snapshot.bin")));
    assert.deepEqual(report, {
      file: out,
      networkName: "alphanet1",
      networkId: "6530425480034647824",
      timestamp: 1614081104,
      mintAddress: ALPHANET_MINT,
      mintAmount: TOKEN_SUPPLY,
      supply: TOKEN_SUPPLY,
      treasury: 0,
    });
    const migration = join(dir, "migration.bin");
    const m = await generateSnapshot(
      {
        networkName: "alphanet1",
        mintAddress: Bech32Helper.toBech32(0, hexToBytes(ALPHANET_MINT), "atoi"),
        treasury: "10000000000",
        out: migration,
        timestamp: "1614684336",
      },
      0,
    );
    assert.equal(m.mintAmount, 2779520283277761);
    assert.deepEqual(readFileSync(migration), Buffer.from(readVectorBytes("hornet-migration_full_snapshot.bin")));
  });

  it("defaults the timestamp to now and the treasury to 0", async () => {
    const out = join(dir, "now.bin");
    const r = await generateSnapshot(
      { networkName: "private_tangle1", mintAddress: ALPHANET_MINT, out },
      1_700_000_123,
    );
    assert.equal(r.timestamp, 1_700_000_123);
    assert.equal(r.treasury, 0);
    assert.equal(r.networkId, "8453507715857476362");
    const info = await describeSnapshot(out);
    assert.equal(info.timestamp, 1_700_000_123);
    assert.equal(info.networkId, "8453507715857476362");
  });

  it("never overwrites a file and refuses bad options", async () => {
    const existing = join(dir, "existing.bin");
    writeFileSync(existing, "keep me");
    await assert.rejects(
      generateSnapshot({ networkName: "x", mintAddress: ALPHANET_MINT, out: existing }, 1),
      isToolError("TOOL_ERROR_INVALID_OPTION", /existing\.bin already exists/),
    );
    assert.equal(readFileSync(existing, "utf8"), "keep me");
    const out = join(dir, "never-written.bin");
    const bad: Array<[Partial<Parameters<typeof generateSnapshot>[0]>, RegExp]> = [
      [{ mintAddress: ALPHANET_MINT.slice(2) }, /--mint-address must be 32 bytes/],
      [
        { mintAddress: "atoi1qpszqzadsym6wpppd6z037dvlejmjuke7s24hm95s9fg9vpua7vluehe53f" },
        /--mint-address: .*checksum/,
      ],
      [{ treasury: String(TOKEN_SUPPLY) }, /--treasury/],
      [{ treasury: "-1" }, /--treasury/],
      [{ treasury: "1e6" }, /--treasury/],
      [{ timestamp: "soon" }, /--timestamp/],
      [{ networkName: "" }, /--network-name/],
    ];
    for (const [patch, message] of bad) {
      await assert.rejects(
        generateSnapshot({ networkName: "x", mintAddress: ALPHANET_MINT, out, ...patch }, 1),
        isToolError("TOOL_ERROR_INVALID_OPTION", message),
        message.source,
      );
    }
    assert.equal(existsSync(out), false);
  });
});

describe("snapshot-info", () => {
  it("describes Hornet's full and delta snapshot files", async () => {
    const full = await describeSnapshot(join(VECTORS_DIR, "hornet-full_snapshot.bin"));
    assert.deepEqual(
      { ...full, file: "" },
      {
        file: "",
        type: "full",
        version: 1,
        timestamp: 1614081104,
        networkId: "6530425480034647824",
        sepIndex: 0,
        ledgerIndex: 0,
        treasury: { milestoneId: "00".repeat(32), amount: 0 },
        solidEntryPoints: 1,
        outputs: 1,
        milestoneDiffs: 0,
      },
    );
    const test = await describeSnapshot(join(VECTORS_DIR, "hornet-test_full_snapshot.bin"), { chunkSize: 128 });
    assert.deepEqual(
      [test.type, test.sepIndex, test.ledgerIndex, test.solidEntryPoints, test.outputs, test.milestoneDiffs],
      ["full", 1, 3, 10, 2, 2],
    );
    const delta = await describeSnapshot(join(VECTORS_DIR, "hornet-test_delta_snapshot.bin"));
    assert.deepEqual(
      [delta.type, delta.sepIndex, delta.ledgerIndex, delta.treasury, delta.outputs, delta.milestoneDiffs],
      ["delta", 5, 1, null, 0, 4],
    );
    const migration = await describeSnapshot(join(VECTORS_DIR, "hornet-migration_full_snapshot.bin"));
    assert.equal(migration.treasury?.amount, 10_000_000_000);
  });

  it("reports a broken file with its SnapshotError code", async () => {
    const bytes = readVectorBytes("hornet-test_full_snapshot.bin");
    const cases: Array<[string, Uint8Array, string]> = [
      ["truncated.bin", bytes.subarray(0, bytes.length - 10), "SNAPSHOT_ERROR_"],
      ["trailing.bin", new Uint8Array([...bytes, 0]), "SNAPSHOT_ERROR_TRAILING_BYTES"],
      ["version.bin", new Uint8Array([2, ...bytes.subarray(1)]), "SNAPSHOT_ERROR_UNSUPPORTED_VERSION"],
    ];
    for (const [name, content, code] of cases) {
      const file = join(dir, name);
      writeFileSync(file, content);
      await assert.rejects(
        describeSnapshot(file),
        (e: unknown) => e instanceof SnapshotError && e.code.startsWith(code),
        name,
      );
    }
    await assert.rejects(
      describeSnapshot(join(dir, "missing.bin")),
      (e: unknown) => e instanceof SnapshotError && e.code === "SNAPSHOT_ERROR_IO",
    );
  });
});
