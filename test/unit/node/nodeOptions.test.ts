/**
 * validateNodeOptions: the defaults, what each option accepts, and for every kind of bad input the code
 * NODE_ERROR_CONFIG_INVALID with a message that starts with the option's path (also in `type.option`).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ed25519 } from "@noble/curves/ed25519.js";
import { blake2b } from "@noble/hashes/blake2.js";
import { encodeBech32Address } from "../../../src/crypto/bech32.js";
import { WeaverNodeError } from "../../../src/node/nodeError.js";
import {
  DEFAULT_BIND,
  DEVELOPMENT_GENESIS,
  describeOption,
  developmentGenesisAddress,
  NODE_OPTION_DOCS,
  type NodeOptionPath,
  type NodeOptions,
  validateNodeOptions,
} from "../../../src/node/nodeOptions.js";
import {
  MILESTONE_KEY_RANGES_MAINNET,
  MILESTONE_KEY_RANGES_PRIVATE_TANGLE,
} from "../../../src/params/milestoneKeys.js";
import { concatBytes } from "../../../src/primitives/bytes.js";
import { bytesToHex } from "../../../src/primitives/hex.js";

const KEY_A = "11".repeat(32);
const KEY_B = "22".repeat(32);
const ADDRESS_HEX = "7ccebc5ab8e6ef6ae91800113a11941c33c39e3a8e5609776b71b7461d5deea9";

/** The error validateNodeOptions throws for `input`; fails if it accepts it. */
function refusal(input: unknown): WeaverNodeError {
  try {
    validateNodeOptions(input);
  } catch (e) {
    assert.ok(e instanceof WeaverNodeError, `expected a WeaverNodeError, got ${String(e)}`);
    return e;
  }
  assert.fail(`accepted ${JSON.stringify(input)}`);
}

/** Refused with the config code, naming `option` at the start of the message and in the type. */
function assertRefused(input: unknown, option: string, pattern?: RegExp): void {
  const e = refusal(input);
  assert.equal(e.code, "NODE_ERROR_CONFIG_INVALID");
  assert.equal(e.type.option, option, e.message);
  assert.ok(e.message.startsWith(`${option} `), `message should start with ${option}: ${e.message}`);
  if (pattern !== undefined) assert.match(e.message, pattern);
}

/** Sets `value` at a dotted path of a fresh input object. */
function inputWith(path: string, value: unknown): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  const parts = path.split(".");
  let at = root;
  parts.slice(0, -1).forEach((p) => {
    const next: Record<string, unknown> = {};
    at[p] = next;
    at = next;
  });
  at[parts[parts.length - 1]!] = value;
  return root;
}

describe("validateNodeOptions: defaults", () => {
  it("fills every option for an empty input", () => {
    const o = validateNodeOptions({});
    assert.equal(o.dataDir, "./.weaver");
    assert.equal(o.network.name, "weaver-private");
    assert.equal(o.network.minPowScore, 4000);
    assert.equal(o.network.milestones.preset, "private-tangle");
    assert.deepEqual(
      o.network.milestones.keyRanges.map((r) => [bytesToHex(r.publicKey), r.startIndex, r.endIndex]),
      MILESTONE_KEY_RANGES_PRIVATE_TANGLE.map((r) => [r.key, r.start, r.end]),
    );
    assert.equal(o.network.milestones.threshold, 2);
    assert.deepEqual(o.bootstrap, { kind: "none" });
    assert.deepEqual(o.p2p, {
      bind: { host: "0.0.0.0", port: 15600 },
      announce: null,
      peers: [],
      identityFile: null,
      maxPeers: 32,
    });
    assert.deepEqual(o.gossip, { mode: "infect", infectionTarget: 3 });
    assert.deepEqual(o.api, {
      bind: { host: "0.0.0.0", port: 14265 },
      jwtSecret: null,
      cors: true,
      maxResults: 1000,
      powWorkers: 1,
    });
    assert.deepEqual(o.mqtt, { bind: { host: "0.0.0.0", port: 1883 } });
    assert.deepEqual(o.pruning, { milestonesToKeep: 60_480, targetDatabaseSizeBytes: 0 }, "Hornet's week; size off");
    assert.equal(validateNodeOptions({ mqtt: { bind: "127.0.0.1:0" } }).mqtt.bind.port, 0);
    assert.throws(() => validateNodeOptions({ mqtt: { bind: "nowhere" } }), /mqtt\.bind/);
    assert.equal(o.logLevel, "info");
    assert.deepEqual(validateNodeOptions(undefined), o, "no input at all is the same as {}");
  });

  it("takes numbers as numbers or decimal strings (command line, environment)", () => {
    const a = validateNodeOptions({
      network: { minPowScore: "0" },
      p2p: { maxPeers: "8" },
      gossip: { infectionTarget: 2 },
    });
    assert.equal(a.network.minPowScore, 0);
    assert.equal(a.p2p.maxPeers, 8);
    assert.equal(a.gossip.infectionTarget, 2);
    assert.equal(validateNodeOptions({ network: { minPowScore: "1500.5" } }).network.minPowScore, 1500.5);
  });

  it("every documented option has a description; defaults show in describeOption", () => {
    for (const path of Object.keys(NODE_OPTION_DOCS) as NodeOptionPath[]) {
      assert.ok(NODE_OPTION_DOCS[path].describe.length > 10, path);
    }
    assert.match(describeOption("p2p.bind"), new RegExp(`\\(default: ${DEFAULT_BIND}\\)$`));
    assert.doesNotMatch(describeOption("p2p.peers"), /default/);
  });

  it("every documented option is one validateNodeOptions reads: a wrong type there is refused by that path", () => {
    for (const path of Object.keys(NODE_OPTION_DOCS)) {
      assertRefused(inputWith(path, { wrong: true }), path);
    }
  });
});

describe("validateNodeOptions: accepted values", () => {
  it("milestone keys: a preset with its threshold, or explicit keys from milestone 1 with threshold 1", () => {
    const mainnet = validateNodeOptions({ network: { milestones: { preset: "mainnet" } } }).network.milestones;
    assert.equal(mainnet.preset, "mainnet");
    assert.equal(mainnet.keyRanges.length, MILESTONE_KEY_RANGES_MAINNET.length);
    assert.equal(mainnet.threshold, 2);

    const explicit = validateNodeOptions({ network: { milestones: { publicKeys: [KEY_A, KEY_B.toUpperCase()] } } })
      .network.milestones;
    assert.equal(explicit.preset, null);
    assert.deepEqual(
      explicit.keyRanges.map((r) => [bytesToHex(r.publicKey), r.startIndex, r.endIndex]),
      [
        [KEY_A, 1, 0],
        [KEY_B, 1, 0],
      ],
    );
    assert.equal(explicit.threshold, 1);
    const single = validateNodeOptions({ network: { milestones: { publicKeys: KEY_A, threshold: "1" } } });
    assert.equal(single.network.milestones.keyRanges.length, 1, "one key may be given as a plain string");
    const two = validateNodeOptions({ network: { milestones: { publicKeys: [KEY_A, KEY_B], threshold: 2 } } });
    assert.equal(two.network.milestones.threshold, 2);
  });

  it("bootstrap: a snapshot path, a genesis address in hex or bech32 (any HRP), or the development address", () => {
    assert.deepEqual(validateNodeOptions({ bootstrap: { snapshot: "snap.bin" } }).bootstrap, {
      kind: "snapshot",
      path: "snap.bin",
    });
    const serialized = concatBytes(Uint8Array.of(0), Buffer.from(ADDRESS_HEX, "hex"));
    for (const text of [
      ADDRESS_HEX,
      encodeBech32Address("atoi", serialized),
      encodeBech32Address("iota", serialized),
    ]) {
      const b = validateNodeOptions({ bootstrap: { genesisAddress: text } }).bootstrap;
      assert.equal(b.kind, "genesis", text);
      if (b.kind !== "genesis") return;
      assert.equal(bytesToHex(b.address), ADDRESS_HEX, text);
      assert.equal(b.development, false);
    }
    const dev = validateNodeOptions({ bootstrap: { genesisAddress: DEVELOPMENT_GENESIS } }).bootstrap;
    assert.deepEqual(dev, { kind: "genesis", address: developmentGenesisAddress(), development: true });
  });

  it("the development genesis address is BLAKE2b-256 of the public key of seed BLAKE2b-256('weaver-dev-genesis')", () => {
    // An independent derivation (noble) and the pinned value the log prints.
    const seed = blake2b(new TextEncoder().encode("weaver-dev-genesis"), { dkLen: 32 });
    const expected = blake2b(ed25519.getPublicKey(seed), { dkLen: 32 });
    assert.equal(bytesToHex(developmentGenesisAddress()), bytesToHex(expected));
    assert.equal(bytesToHex(expected), ADDRESS_HEX);
  });

  it("p2p: bind with port 0 and IPv6 in brackets, announce, peers with and without NodeId", () => {
    const nodeId = "ab".repeat(32);
    const o: NodeOptions = validateNodeOptions({
      p2p: {
        bind: "[::]:0",
        announce: "node1.example.org:15601",
        peers: ["127.0.0.1:15600", `${nodeId}@[::1]:15602`],
        identityFile: "id.pem",
      },
    });
    assert.deepEqual(o.p2p.bind, { host: "::", port: 0 });
    assert.deepEqual(o.p2p.announce, { host: "node1.example.org", port: 15601 });
    assert.deepEqual(o.p2p.peers, [
      { host: "127.0.0.1", port: 15600 },
      { host: "::1", port: 15602, nodeIdHex: nodeId },
    ]);
    assert.equal(o.p2p.identityFile, "id.pem");
    assert.deepEqual(validateNodeOptions({ p2p: { peers: "10.0.0.1:1" } }).p2p.peers, [{ host: "10.0.0.1", port: 1 }]);
  });

  it("api: bind with port 0, a secret of at least 32 bytes, cors as a boolean or its word, maxResults", () => {
    const secret = "s".repeat(32);
    const o = validateNodeOptions({
      api: { bind: "127.0.0.1:0", jwtSecret: secret, cors: "false", maxResults: "50", powWorkers: "0" },
    });
    assert.deepEqual(o.api, {
      bind: { host: "127.0.0.1", port: 0 },
      jwtSecret: secret,
      cors: false,
      maxResults: 50,
      powWorkers: 0,
    });
    // 16 two-byte characters are 32 bytes: the rule counts bytes, as the HS256 key does.
    assert.equal(validateNodeOptions({ api: { jwtSecret: "é".repeat(16) } }).api.jwtSecret, "é".repeat(16));
    for (const [cors, expected] of [
      [true, true],
      [false, false],
      ["TRUE", true],
      [" false ", false],
    ] as const) {
      assert.equal(validateNodeOptions({ api: { cors } }).api.cors, expected, String(cors));
    }
    assert.equal(validateNodeOptions({ api: { maxResults: 100_000 } }).api.maxResults, 100_000);
  });

  it("pruning: milestones to keep (0 = off) and a target size in bytes, as numbers or decimal strings", () => {
    const o = validateNodeOptions({ pruning: { milestonesToKeep: "0", targetDatabaseSizeBytes: "32212254720" } });
    assert.deepEqual(o.pruning, { milestonesToKeep: 0, targetDatabaseSizeBytes: 30 * 1024 ** 3 });
    assert.equal(validateNodeOptions({ pruning: { milestonesToKeep: 5 } }).pruning.milestonesToKeep, 5);
  });

  it("gossip mode and log level choices", () => {
    assert.equal(validateNodeOptions({ gossip: { mode: "flood" } }).gossip.mode, "flood");
    for (const level of ["debug", "info", "warn", "error", "silent"]) {
      assert.equal(validateNodeOptions({ logLevel: level }).logLevel, level);
    }
  });
});

describe("validateNodeOptions: refusals name the option", () => {
  it("the input and its sections must be objects; unknown options are refused by name", () => {
    const top = refusal("dataDir=/x");
    assert.equal(top.code, "NODE_ERROR_CONFIG_INVALID");
    assert.match(top.message, /must be an object/);
    assertRefused([], "the options", /must be an object/);
    assertRefused({ datadir: "x" }, "datadir", /is not an option/);
    assertRefused({ network: { name: "x", minPoWScore: 1 } }, "network.minPoWScore", /is not an option/);
    assertRefused({ network: 5 }, "network", /must be an object/);
    assertRefused({ p2p: { peer: [] } }, "p2p.peer", /known here: bind, announce, peers/);
    assertRefused({ network: { milestones: [] } }, "network.milestones", /must be an object/);
  });

  it("strings must be non-empty strings", () => {
    assertRefused({ dataDir: "" }, "dataDir", /non-empty string/);
    assertRefused({ dataDir: 7 }, "dataDir", /got 7/);
    assertRefused({ bootstrap: { snapshot: "" } }, "bootstrap.snapshot");
    assertRefused({ p2p: { identityFile: false } }, "p2p.identityFile");
  });

  it("network.name: printable ASCII without spaces, at most 64 characters", () => {
    assertRefused({ network: { name: "" } }, "network.name");
    assertRefused({ network: { name: "my net" } }, "network.name", /printable ASCII/);
    assertRefused({ network: { name: "x".repeat(65) } }, "network.name", /1\.\.64/);
    assertRefused({ network: { name: "réseau" } }, "network.name");
  });

  it("numbers: type, range and whole-number rules", () => {
    assertRefused({ network: { minPowScore: -1 } }, "network.minPowScore", /≥ 0, got -1/);
    assertRefused({ network: { minPowScore: "abc" } }, "network.minPowScore", /got "abc"/);
    assertRefused({ network: { minPowScore: "-3" } }, "network.minPowScore");
    assertRefused({ network: { minPowScore: Number.NaN } }, "network.minPowScore");
    assertRefused({ network: { minPowScore: Number.POSITIVE_INFINITY } }, "network.minPowScore");
    assertRefused({ p2p: { maxPeers: 0 } }, "p2p.maxPeers", /whole number from 1 to 1024/);
    assertRefused({ p2p: { maxPeers: 2000 } }, "p2p.maxPeers");
    assertRefused({ p2p: { maxPeers: "3x" } }, "p2p.maxPeers");
    assertRefused({ p2p: { maxPeers: 2.5 } }, "p2p.maxPeers", /whole number/);
    assertRefused({ gossip: { infectionTarget: 0 } }, "gossip.infectionTarget");
    assertRefused(
      { pruning: { milestonesToKeep: -1 } },
      "pruning.milestonesToKeep",
      /whole number from 0 to 4294967295/,
    );
    assertRefused({ pruning: { milestonesToKeep: 2 ** 32 } }, "pruning.milestonesToKeep");
    assertRefused({ pruning: { milestonesToKeep: 1.5 } }, "pruning.milestonesToKeep");
    assertRefused({ pruning: { targetDatabaseSizeBytes: "30GB" } }, "pruning.targetDatabaseSizeBytes", /whole number/);
    assertRefused({ pruning: { targetDatabaseSizeBytes: -1 } }, "pruning.targetDatabaseSizeBytes");
    assertRefused({ pruning: { keep: 5 } }, "pruning.keep", /not an option/);
  });

  it("choices list what is allowed", () => {
    assertRefused({ logLevel: "verbose" }, "logLevel", /one of debug, info, warn, error, silent, got "verbose"/);
    assertRefused({ gossip: { mode: "gossip" } }, "gossip.mode", /infect, flood/);
    assertRefused({ network: { milestones: { preset: "testnet" } } }, "network.milestones.preset", /private-tangle/);
  });

  it("milestone keys: hex of the right length, no repeats, not with a preset; threshold within the keys", () => {
    const m = (milestones: unknown) => ({ network: { milestones } });
    assertRefused(m({ publicKeys: ["zz".repeat(32)] }), "network.milestones.publicKeys[0]", /64 hex digits/);
    assertRefused(m({ publicKeys: [KEY_A, KEY_A.slice(2)] }), "network.milestones.publicKeys[1]");
    assertRefused(m({ publicKeys: [KEY_A, KEY_A.toUpperCase()] }), "network.milestones.publicKeys[1]", /repeats/);
    assertRefused(m({ publicKeys: [KEY_A, 5] }), "network.milestones.publicKeys[1]", /non-empty string/);
    assertRefused(m({ publicKeys: 5 }), "network.milestones.publicKeys", /list of strings/);
    assertRefused(m({ preset: "devnet", publicKeys: [KEY_A] }), "network.milestones.publicKeys", /not both/);
    assertRefused(m({ publicKeys: [KEY_A], threshold: 2 }), "network.milestones.threshold", /from 1 to 1/);
    assertRefused(m({ threshold: 0 }), "network.milestones.threshold");
    assertRefused(m({ preset: "devnet", threshold: 3 }), "network.milestones.threshold", /from 1 to 2/);
    assertRefused(m({ publicKeys: [KEY_A, KEY_B], threshold: "1.5" }), "network.milestones.threshold");
  });

  it("bootstrap: one source only; the address must parse", () => {
    assertRefused(
      { bootstrap: { snapshot: "s.bin", genesisAddress: ADDRESS_HEX } },
      "bootstrap.genesisAddress",
      /not both|one of them/,
    );
    assertRefused({ bootstrap: { genesisAddress: ADDRESS_HEX.slice(2) } }, "bootstrap.genesisAddress", /bech32/);
    const bech = encodeBech32Address("atoi", concatBytes(Uint8Array.of(0), Buffer.from(ADDRESS_HEX, "hex")));
    const typo = `${bech.slice(0, -1)}${bech.endsWith("q") ? "p" : "q"}`;
    assertRefused({ bootstrap: { genesisAddress: typo } }, "bootstrap.genesisAddress", /checksum/);
  });

  it("api: a short secret is refused without showing it; bind, cors and maxResults are checked", () => {
    const short = "secret-that-is-too-short";
    const e = refusal({ api: { jwtSecret: short } });
    assert.equal(e.type.option, "api.jwtSecret");
    assert.match(e.message, /at least 32 bytes.*got 24/);
    assert.ok(!e.message.includes(short), "the secret is not echoed");
    assertRefused({ api: { jwtSecret: "é".repeat(15) } }, "api.jwtSecret", /got 30/);
    assertRefused({ api: { jwtSecret: "" } }, "api.jwtSecret", /non-empty string/);
    assertRefused({ api: { jwtSecret: 12345 } }, "api.jwtSecret");
    assertRefused({ api: { bind: "14265" } }, "api.bind", /host:port/);
    assertRefused({ api: { bind: "0.0.0.0:70000" } }, "api.bind", /0 to 65535/);
    assertRefused({ api: { cors: "yes" } }, "api.cors", /true or false, got "yes"/);
    assertRefused({ api: { cors: 1 } }, "api.cors");
    assertRefused({ api: { maxResults: 0 } }, "api.maxResults", /whole number from 1 to 100000/);
    assertRefused({ api: { maxResults: 100_001 } }, "api.maxResults");
    assertRefused({ api: { maxResults: "12.5" } }, "api.maxResults");
    assertRefused({ api: { powWorkers: -1 } }, "api.powWorkers");
    assertRefused({ api: { powWorkers: 65 } }, "api.powWorkers");
    assertRefused({ api: { port: 1 } }, "api.port", /known here: bind, jwtSecret, cors, maxResults/);
  });

  it("p2p endpoints: host:port forms, port ranges, brackets for IPv6", () => {
    assertRefused({ p2p: { bind: "15600" } }, "p2p.bind", /host:port/);
    assertRefused({ p2p: { bind: "0.0.0.0:65536" } }, "p2p.bind", /0 to 65535/);
    assertRefused({ p2p: { bind: "0.0.0.0:" } }, "p2p.bind");
    assertRefused({ p2p: { bind: ":15600" } }, "p2p.bind", /IPv4 address, an IPv6 address or a DNS name/);
    assertRefused({ p2p: { bind: "::1:15600" } }, "p2p.bind", /brackets/);
    assertRefused({ p2p: { bind: "bad_host:1" } }, "p2p.bind");
    assertRefused({ p2p: { announce: "1.2.3.4:0" } }, "p2p.announce", /1 to 65535/);
    assertRefused({ p2p: { peers: ["127.0.0.1:1", "foo"] } }, "p2p.peers[1]", /not a peer endpoint.*"foo"/);
    assertRefused({ p2p: { peers: ["zz@127.0.0.1:1"] } }, "p2p.peers[0]", /NodeId/);
    assertRefused({ p2p: { peers: [""] } }, "p2p.peers[0]");
  });
});

describe("validateNodeOptions: coordinator", () => {
  const key = (c: string) => c.repeat(64);

  it("is off by default with Hornet's 10 s interval, and takes keys, key files and an interval", () => {
    assert.deepEqual(validateNodeOptions({}).coordinator, {
      enabled: false,
      intervalMs: 10_000,
      keys: [],
      keyFiles: [],
    });
    const o = validateNodeOptions({
      coordinator: { enabled: "true", intervalMs: "1500", keys: [key("a")], keyFiles: ["/k2"] },
    });
    assert.deepEqual(o.coordinator, { enabled: true, intervalMs: 1500, keys: [key("a")], keyFiles: ["/k2"] });
  });

  it("refuses an enabled coordinator with fewer than two keys, malformed keys and intervals out of range", () => {
    assertRefused({ coordinator: { enabled: true, keys: [key("a")] } }, "coordinator.keys", /at least two keys/);
    assertRefused({ coordinator: { keys: ["xyz"] } }, "coordinator.keys[0]", /64 hex digits/);
    assertRefused({ coordinator: { intervalMs: 50 } }, "coordinator.intervalMs");
    assertRefused({ coordinator: { intervalMs: 4_000_000 } }, "coordinator.intervalMs");
    assertRefused({ coordinator: { unknown: 1 } }, "coordinator.unknown");
  });
});
