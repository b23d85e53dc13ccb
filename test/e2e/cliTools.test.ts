/**
 * `weaver tool ed25519-key | address | network-id | snapshot-gen | snapshot-info` as a user runs them: real processes
 * from bin/weaver.js, one JSON object on stdout, or `CODE: message` on stderr with exit status 1.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Ed25519Seed } from "@iota/iota.js";
import { REPO_ROOT, readVectorBytes } from "../utils/vectors.js";

const BIN = join(REPO_ROOT, "bin", "weaver.js");
const dir = mkdtempSync(join(tmpdir(), "weaver-cli-tools-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function weaver(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function json(args: string[]): Record<string, unknown> {
  const r = weaver(args);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, "");
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

function fails(args: string[], code: RegExp): string {
  const r = weaver(args);
  assert.equal(r.status, 1, args.join(" "));
  assert.equal(r.stdout, "");
  assert.match(r.stderr, code);
  return r.stderr;
}

describe("weaver tool ed25519-key / address / network-id", () => {
  it("a new key's address is what `address --public-key` and iota.js give", () => {
    const key = json(["tool", "ed25519-key", "--hrp", "iota"]);
    assert.deepEqual(Object.keys(key), ["privateKey", "publicKey", "ed25519Address", "bech32Address"]);
    const pair = new Ed25519Seed(Buffer.from(key.privateKey as string, "hex")).keyPair();
    assert.equal(Buffer.from(pair.publicKey).toString("hex"), key.publicKey);
    const address = json(["tool", "address", "--public-key", key.publicKey as string, "--hrp", "iota"]);
    assert.equal(address.ed25519Address, key.ed25519Address);
    assert.equal(address.bech32Address, key.bech32Address);
    assert.match(key.bech32Address as string, /^iota1q[02-9ac-hj-np-z]{58}$/);
  });

  it("derives the iota.js wallet address from a seed (client-compat.md §9) and refuses bad options", () => {
    const r = json(["tool", "address", "--seed", "aa".repeat(32)]);
    assert.deepEqual(r, {
      publicKey: "3401e5ead647f5572677c8c7f72f1a22750868bab5d794f90ce33d3eb768a7d2",
      ed25519Address: "47bd0672b94ba0aec9fb075863a7fd864bbe35eb37dae4bbc5973fca5cf0b095",
      bech32Address: "atoi1qprm6pnjh996ptkflvr4sca8lkryh034avma4e9mcktnljju7zcf2v9xkqy",
      path: "m/44'/4218'/0'/0'/0'",
    });
    fails(["tool", "address"], /^TOOL_ERROR_INVALID_OPTION: give exactly one/);
    fails(["tool", "address", "--seed", "aa".repeat(32), "--path", "m/44/4218"], /^TOOL_ERROR_INVALID_OPTION: --path/);
    fails(["tool", "ed25519-key", "--hrp", "NOPE"], /^TOOL_ERROR_INVALID_OPTION: --hrp/);
  });

  it("network-id prints the decimal id and its message bytes", () => {
    assert.deepEqual(json(["tool", "network-id", "testnet6"]), {
      name: "testnet6",
      networkId: "7712883261355838377",
      hex: "a9cb2b2b76aa096b",
    });
    fails(["tool", "network-id", ""], /^TOOL_ERROR_INVALID_INPUT: /);
  });
});

describe("weaver tool snapshot-gen / snapshot-info", () => {
  it("writes Hornet's alphanet1 genesis, describes it, and refuses to overwrite it", () => {
    const out = join(dir, "genesis.bin");
    const args = ["tool", "snapshot-gen", "--network-name", "alphanet1", "--out", out, "--timestamp", "1614081104"];
    const mint = "6920b176f613ec7be59e68fc68f597eb3393af80f74c7c3db78198147d5f1f92";
    const gen = json([...args, "--mint-address", mint]);
    assert.equal(gen.networkId, "6530425480034647824");
    assert.equal(gen.supply, 2779530283277761);
    assert.deepEqual(readFileSync(out), Buffer.from(readVectorBytes("hornet-full_snapshot.bin")));

    const info = json(["tool", "snapshot-info", out]);
    assert.equal(info.type, "full");
    assert.equal(info.networkId, "6530425480034647824");
    assert.deepEqual([info.solidEntryPoints, info.outputs, info.milestoneDiffs], [1, 1, 0]);

    const stderr = fails(
      [...args, "--mint-address", mint],
      /^TOOL_ERROR_INVALID_OPTION: --out .*genesis\.bin already exists/,
    );
    assert.equal(stderr.trim().split("\n").length, 1);
    fails([...args, "--mint-address", "atoi1nope"], /^TOOL_ERROR_INVALID_OPTION: --mint-address/);
  });

  it("snapshot-info prints SNAPSHOT_ERROR_… for a broken file", () => {
    const bytes = readVectorBytes("hornet-test_delta_snapshot.bin");
    const file = join(dir, "cut.bin");
    writeFileSync(file, bytes.subarray(0, bytes.length - 1));
    fails(["tool", "snapshot-info", file], /^SNAPSHOT_ERROR_[A-Z_]+: byte \d+: /);
    fails(["tool", "snapshot-info", join(dir, "missing.bin")], /^SNAPSHOT_ERROR_IO: cannot open /);
  });
});
