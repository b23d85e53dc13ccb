/**
 * Option sources (config file, WEAVER_* environment variables, flags) layered in that order and checked by the one
 * validator; bad files are refused with a clear NODE_ERROR_CONFIG_INVALID.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { JWT_SECRET_ENV } from "../../../src/cli/tools/jwtTool.js";
import {
  envVarName,
  envVarNames,
  mergeOptionInputs,
  optionsFromEnv,
  readConfigFile,
} from "../../../src/node/configSources.js";
import { WeaverNodeError } from "../../../src/node/nodeError.js";
import { NODE_OPTION_DOCS, type NodeOptionPath, validateNodeOptions } from "../../../src/node/nodeOptions.js";
import { REPO_ROOT } from "../../utils/vectors.js";

const dir = mkdtempSync(join(tmpdir(), "weaver-config-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe("config sources", () => {
  it("names one environment variable per option", () => {
    assert.equal(envVarName("p2p.maxPeers"), "WEAVER_P2P_MAX_PEERS");
    assert.equal(envVarName("dataDir"), "WEAVER_DATA_DIR");
    assert.equal(envVarName("network.milestones.publicKeys"), "WEAVER_NETWORK_MILESTONES_PUBLIC_KEYS");
    // `weaver tool jwt` reads the secret from the same variable the node does.
    assert.equal(envVarName("api.jwtSecret"), JWT_SECRET_ENV);
    assert.equal(envVarName("api.maxResults"), "WEAVER_API_MAX_RESULTS");
    assert.equal(envVarName("pruning.milestonesToKeep"), "WEAVER_PRUNING_MILESTONES_TO_KEEP");
    assert.equal(envVarName("pruning.targetDatabaseSizeBytes"), "WEAVER_PRUNING_TARGET_DATABASE_SIZE_BYTES");
    const names = envVarNames().map(([, n]) => n);
    assert.equal(names.length, Object.keys(NODE_OPTION_DOCS).length);
    assert.equal(new Set(names).size, names.length, "no two options share a variable");
  });

  it("reads WEAVER_* variables, lists comma-separated, empty ones ignored", () => {
    const input = optionsFromEnv({
      WEAVER_P2P_MAX_PEERS: "8",
      WEAVER_P2P_PEERS: "127.0.0.1:15600, 127.0.0.1:15601,",
      WEAVER_GOSSIP_MODE: "flood",
      WEAVER_LOG_LEVEL: "",
      WEAVER_API_CORS: "false",
      WEAVER_API_JWT_SECRET: "x".repeat(40),
      UNRELATED: "x",
    });
    assert.deepEqual(input, {
      p2p: { maxPeers: "8", peers: ["127.0.0.1:15600", "127.0.0.1:15601"] },
      gossip: { mode: "flood" },
      api: { cors: "false", jwtSecret: "x".repeat(40) },
    });
    const options = validateNodeOptions(input);
    assert.equal(options.api.cors, false);
    assert.equal(options.api.jwtSecret, "x".repeat(40));
  });

  it("layers sources: later wins key by key, undefined never hides a value", () => {
    const merged = mergeOptionInputs(
      { dataDir: "/file", p2p: { maxPeers: 4, bind: "0.0.0.0:1" } },
      { p2p: { maxPeers: "8" } },
      { dataDir: undefined, p2p: { bind: "127.0.0.1:2", peers: ["a:1"] } },
    );
    assert.deepEqual(merged, { dataDir: "/file", p2p: { maxPeers: "8", bind: "127.0.0.1:2", peers: ["a:1"] } });
    const options = validateNodeOptions(
      mergeOptionInputs(merged, { bootstrap: { genesisAddress: "development" }, p2p: { peers: ["127.0.0.1:15600"] } }),
    );
    assert.equal(options.p2p.maxPeers, 8);
  });

  it("refuses missing, malformed and non-object files, naming the file", () => {
    const cases = [
      join(dir, "missing.json"),
      file("bad.json", '{"p2p": {"maxPeers": 8,}}'),
      file("array.json", "[1, 2]"),
      file("null.json", "null"),
    ];
    for (const path of cases) {
      assert.throws(
        () => readConfigFile(path),
        (e: unknown) =>
          e instanceof WeaverNodeError && e.code === "NODE_ERROR_CONFIG_INVALID" && e.message.includes(path),
        path,
      );
    }
  });

  it("a config file value the validator refuses is reported with its option path", () => {
    const input = mergeOptionInputs(readConfigFile(file("wrong.json", '{"p2p": {"maxPeers": -3}}')), {
      bootstrap: { genesisAddress: "development" },
    });
    assert.throws(
      () => validateNodeOptions(input),
      (e: unknown) => e instanceof WeaverNodeError && /p2p\.maxPeers/.test(e.message),
    );
  });

  it("weaver start --help shows every option with its flag and its environment variable", () => {
    const help = spawnSync(process.execPath, [join(REPO_ROOT, "bin", "weaver.js"), "start", "--help"], {
      encoding: "utf8",
      timeout: 20_000,
    });
    assert.equal(help.status, 0, help.stderr);
    const text = help.stdout.replace(/\s+/g, " ");
    for (const path of Object.keys(NODE_OPTION_DOCS) as NodeOptionPath[]) {
      assert.ok(text.includes(`[env ${envVarName(path)}]`), `${path}: ${envVarName(path)}`);
    }
    for (const flag of [
      "--api-bind <host:port>",
      "--api-jwt-secret <secret>",
      "--api-cors <true|false>",
      "--api-max-results <n>",
      "--pruning-milestones-to-keep <n>",
      "--pruning-target-database-size <bytes>",
    ]) {
      assert.ok(text.includes(flag), flag);
    }
    assert.match(text, /\(default: 0\.0\.0\.0:14265\)/);
  });

  it("weaver start: a bad config file is one error line and exit 1; env variables reach the validator", () => {
    const cli = join(REPO_ROOT, "bin", "weaver.js");
    const bad = spawnSync(process.execPath, [cli, "start", "--config", file("broken.json", "{nope")], {
      encoding: "utf8",
      timeout: 20_000,
    });
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^NODE_ERROR_CONFIG_INVALID: the config file .*broken\.json is not valid JSON/);
    assert.equal(bad.stderr.trim().split("\n").length, 1);
    const env = spawnSync(process.execPath, [cli, "start"], {
      encoding: "utf8",
      timeout: 20_000,
      env: { ...process.env, WEAVER_P2P_MAX_PEERS: "many", WEAVER_DATA_DIR: join(dir, "never-created") },
    });
    assert.equal(env.status, 1);
    assert.match(env.stderr, /p2p\.maxPeers/);
    const flag = spawnSync(process.execPath, [cli, "start", "--pruning-milestones-to-keep", "-3"], {
      encoding: "utf8",
      timeout: 20_000,
      env: { ...process.env, WEAVER_DATA_DIR: join(dir, "never-created") },
    });
    assert.equal(flag.status, 1);
    assert.match(
      flag.stderr,
      /^NODE_ERROR_CONFIG_INVALID: pruning\.milestonesToKeep .* \(flag --pruning-milestones-to-keep\)\n$/,
    );
  });

  it("weaver start --config runs a node with the file's options, flags overriding it", async () => {
    const cli = join(REPO_ROOT, "bin", "weaver.js");
    const config = file(
      "node.json",
      JSON.stringify({
        dataDir: join(dir, "node-data"),
        network: { name: "from-config-file", minPowScore: 0 },
        p2p: { bind: "127.0.0.1:0", maxPeers: 4 },
        api: { bind: "127.0.0.1:0" },
        mqtt: { bind: "127.0.0.1:0" },
        logLevel: "info",
      }),
    );
    const child = spawn(process.execPath, [cli, "start", "--config", config, "--network-name", "from-flag"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const started = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start line:\n${out}`)), 20_000);
      child.stdout.setEncoding("utf8");
      child.stdout.on("data", (chunk: string) => {
        out += chunk;
        const line = out.split("\n").find((l) => l.includes('"Node started"'));
        if (line !== undefined) {
          clearTimeout(timer);
          resolve(JSON.parse(line) as Record<string, unknown>);
        }
      });
    });
    child.kill("SIGTERM");
    const [code] = (await once(child, "exit")) as [number | null];
    assert.equal(code, 0);
    assert.equal(started.network, "from-flag", "the flag overrides the file");
    assert.match(String(started.listen), /^127\.0\.0\.1:\d+$/, "bind from the file");
    assert.equal(started.dataDir, join(dir, "node-data"));
    assert.match(String(started.api), /^http:\/\/127\.0\.0\.1:\d+$/, "API bind from the file, its real port logged");
  });
});
