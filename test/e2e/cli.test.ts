/**
 * The `weaver` command as a user runs it: a real process started from bin/weaver.js. The PoW results are checked
 * with the real iota.js 1.8.6 (PowHelper), not with our own code.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT, readVectorJson } from "../utils/vectors.js";

const BIN = join(REPO_ROOT, "bin", "weaver.js");

function weaver(args: string[], input?: string | Buffer): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, encoding: "utf8", input, timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// TIP-6 worked example (chrysalis.md §1.5) and the real testnet6 transaction (chrysalis.md §15.1).
const TIP6_HEX =
  "000000000000000002210fc7bb818639ac48a4c6afa2f1581a8b9525e20fda68927f2b2ff836f73578db0fa54c29f7fd928d92ca43f193dee47f591549f597a811c8fa67ab031ebd9c19000000020000000400494f54410b00000068656c6c6f20776f726c64ce6d000000000000";
const TESTNET6_TX_HEX =
  "a9cb2b2b76aa096b04174e3151f6ce2cfb7f00829ac4a96a35caa2078cc20eba99359867cd21aad0d65807bb4ad068e6cdadd103218e4e24ed55b62c985d4f64e97808d9f09180f89c7a09324557e9200f39bf493fc8fd6ac43e9ca750c6f6d884cc72386ddcb7d695de9e9d780ba7ebeebc38da16cb53b2a8991d38eee94bcdc3f3ef99aa8c345652cb0000000000000000010000af7579fb57746219561072c2cc0e4d0fbb8d493d075bd21bf25ae81a450c11ef000001000000a18996d96163405e3c0eb13fa3459a07f68a89e8cf7cc239c89e7192344daa5b40420f00000000000d000000020000000300454f590000000001000000ee26ac07834c603c22130fced361ca58552b0dbfc63e4b73ba24b3b59d9f40500492a353f96883c472e2686a640e77eda30be8fcc417aa9fc1c15eae854661e0253287be6ea68f649f19ca590de0a6c57fb88635ef0e013310e0be2b8360950350390000000000f0";

interface MessageReport {
  messageId: string;
  powScore: number;
  transactionId?: string;
  message: { networkId: string; nonce: string; payload: { type: number } | null };
}

describe("weaver tool message", () => {
  it("decodes the TIP-6 example: id, PoW score and JSON", () => {
    const r = weaver(["tool", "message", "--hex", TIP6_HEX]);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as MessageReport;
    assert.equal(report.messageId, "e4a85f984095b4feb1f9e1c03f5baf2f7f5b28920a99fefb539bc5570567cddb");
    assert.equal(report.powScore, 3 ** 12 / 110);
    assert.equal(report.message.nonce, "28110");
    assert.equal(report.transactionId, undefined);
  });

  it("reads hex from stdin with --hex - and reports a transaction id", () => {
    const r = weaver(["tool", "message", "--hex", "-"], `${TESTNET6_TX_HEX}\n`);
    assert.equal(r.status, 0, r.stderr);
    const report = JSON.parse(r.stdout) as MessageReport;
    assert.equal(report.messageId, "34c1ddfd13fd359e8287b50573ff21d60221054e83f3356a5ca780635765d67b");
    assert.equal(report.transactionId, "75434ca114fa5888127dff9ea2a687ce9ca3d765ed014cd9d6e1ce2d6bf330e6");
    assert.equal(report.message.networkId, "7712883261355838377");
    assert.ok(Math.abs(report.powScore - 13587.980113636364) < 1e-9);
  });

  it("reads raw message bytes from stdin with --hex -", () => {
    const r = weaver(["tool", "message", "--hex", "-"], Buffer.from(TIP6_HEX, "hex"));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      (JSON.parse(r.stdout) as MessageReport).messageId,
      "e4a85f984095b4feb1f9e1c03f5baf2f7f5b28920a99fefb539bc5570567cddb",
    );
  });

  it("rejects the iota.js must-reject vector (unsorted parents) with its code and exit 1", () => {
    const v = readVectorJson<{ messages: { items: { indexation_foo_Bar: { hex: string } } } }>(
      "iotajs-1.8.6-test-vectors.json",
    );
    const r = weaver(["tool", "message", "--hex", v.messages.items.indexation_foo_Bar.hex]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^CODEC_ERROR_PARENTS_NOT_SORTED: /);
    assert.equal(r.stdout, "");
  });

  it("rejects truncated bytes, trailing bytes and non-hex input with exit 1", () => {
    for (const hex of [TIP6_HEX.slice(0, 100), `${TIP6_HEX}00`, "zz", ""]) {
      const r = weaver(["tool", "message", "--hex", hex]);
      assert.equal(r.status, 1, `input ${hex.slice(0, 20)}`);
      assert.match(r.stderr, /^(CODEC|TOOL)_ERROR_[A-Z_]+: \S/);
    }
  });
});

describe("weaver tool pow", () => {
  it("mines a message whose score iota.js confirms, and prints one JSON line", async () => {
    const { PowHelper } = await import("@iota/iota.js");
    const dir = mkdtempSync(join(tmpdir(), "weaver-pow-"));
    const out = join(dir, "message.hex");
    const r = weaver(["tool", "pow", "--score", "500", "--size", "200", "--threads", "2", "--json", "--out", out]);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines.length, 1);
    const report = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.deepEqual(Object.keys(report).sort(), ["hashes", "hashesPerSecond", "nonce", "score", "seconds"]);
    assert.ok((report.score as number) >= 500);
    assert.ok((report.hashes as number) > 0);
    const bytes = Buffer.from(readFileSync(out, "utf8").trim(), "hex");
    rmSync(dir, { recursive: true });
    assert.equal(bytes.length, 200);
    assert.equal(new DataView(bytes.buffer, bytes.byteOffset + 192, 8).getBigUint64(0, true).toString(), report.nonce);
    // iota.js recomputes the score on its own: it must equal ours and reach the target.
    assert.equal(PowHelper.score(bytes), report.score);
  });

  it("rejects a bad --score or --size with a clear message", () => {
    for (const args of [
      ["--score", "-1"],
      ["--score", "abc"],
      ["--score", "100", "--size", "10"],
      ["--score", "100", "--size", "40000"],
    ]) {
      const r = weaver(["tool", "pow", ...args]);
      assert.equal(r.status, 1, args.join(" "));
      assert.match(r.stderr, /^TOOL_ERROR_INVALID_OPTION: /);
    }
  });
});

describe("weaver", () => {
  it("--help lists the commands, and start --help lists the node's options", () => {
    const help = weaver(["--help"]);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /start/);
    assert.match(help.stdout, /tool/);
    // `weaver start` itself runs a node until it is stopped (test/integration/node.test.ts runs it as a process).
    const start = weaver(["start", "--help"]);
    assert.equal(start.status, 0);
    for (const flag of ["--data-dir", "--genesis-address", "--peer", "--gossip-mode", "--identity-file"]) {
      assert.match(start.stdout, new RegExp(flag));
    }
  });
});
