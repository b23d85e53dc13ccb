/**
 * A whole node on LMDB in a temporary directory, and `weaver start` as a process: bootstrap from a genesis address,
 * status, a milestone confirmed through the node's own wiring, clean close, restart on the same directory with the
 * same ledger and identity, the refusals (another network, no bootstrap for an empty database), the REST API over
 * real HTTP, and pruning and snapshots: the node's own pruning after milestones, the control routes, and a snapshot
 * it wrote starting another node with the same ledger.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { type AddressInfo, connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, describe, it } from "node:test";
import { jwtKey, signApiToken } from "../../src/api/jwt.js";
import { VERSION } from "../../src/cli/version.js";
import { encodeMessage, messageId, type TransactionPayload } from "../../src/codec/index.js";
import { blake2b256 } from "../../src/crypto/blake2b.js";
import { ed25519Verify } from "../../src/crypto/ed25519.js";
import { networkIdFromName } from "../../src/crypto/networkId.js";
import { readWholeSnapshot } from "../../src/ledger/snapshot/snapshotReader.js";
import { computeWhiteFlagMutations } from "../../src/ledger/whiteFlag.js";
import type { LogContext, Logger } from "../../src/logger/logger.js";
import { buildMilestoneMessage, buildMilestonePayload, seedSigner } from "../../src/milestones/milestoneBuilder.js";
import { NETWORK_FILE, SNAPSHOTS_DIR, WeaverNode } from "../../src/node/node.js";
import { WeaverNodeError } from "../../src/node/nodeError.js";
import { type NodeOptionsInput, validateNodeOptions } from "../../src/node/nodeOptions.js";
import { TOKEN_SUPPLY } from "../../src/params/protocol.js";
import { milestoneCone } from "../../src/pipeline/confirmer.js";
import { compareBytes, utf8ToBytes } from "../../src/primitives/bytes.js";
import { bytesToHex } from "../../src/primitives/hex.js";
import { checkLedgerConsistency } from "../utils/ledgerConsistency.js";
import { outputIdTo, Wallet } from "../utils/ledgerFixtures.js";
import { checkTangleConsistency } from "../utils/tangleConsistency.js";
import { REPO_ROOT } from "../utils/vectors.js";

const API_SECRET = "weaver-node-test-api-secret-of-enough-bytes";

const GENESIS_ADDRESS = bytesToHex(blake2b256(utf8ToBytes("weaver-node-test-genesis")));
/** Two keys, both needed: a milestone with one signature and one parent is too short for iota.js clients. */
const COORDINATORS = [1, 2].map((i) => seedSigner(blake2b256(utf8ToBytes(`weaver-node-test-coordinator-${i}`))));
const NETWORK = "weaver-node-test";

const root = mkdtempSync(join(tmpdir(), "weaver-node-"));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => join(root, `d${dirs++}`);

interface LogLine {
  level: string;
  message: string;
  context: LogContext;
}

/** A Logger that keeps every line, bindings merged into the context. */
function recordingLogger(lines: LogLine[], bindings: LogContext = {}): Logger {
  const at =
    (level: string) =>
    (message: string, context?: LogContext): void => {
      lines.push({ level, message, context: { ...bindings, ...context } });
    };
  return {
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    child: (more) => recordingLogger(lines, { ...bindings, ...more }),
  };
}

function options(dataDir: string, more: NodeOptionsInput = {}) {
  return validateNodeOptions({
    dataDir,
    logLevel: "debug",
    ...more,
    network: {
      name: NETWORK,
      minPowScore: 0,
      milestones: { publicKeys: COORDINATORS.map((c) => bytesToHex(c.publicKey)), threshold: 2 },
      ...more.network,
    },
    bootstrap: more.bootstrap ?? { genesisAddress: GENESIS_ADDRESS },
    p2p: { bind: "127.0.0.1:0", ...more.p2p },
    api: { bind: "127.0.0.1:0", ...more.api },
    mqtt: { bind: "127.0.0.1:0", ...more.mqtt },
  });
}

async function startNode(dataDir: string, more: NodeOptionsInput = {}, lines: LogLine[] = []): Promise<WeaverNode> {
  return WeaverNode.start(options(dataDir, more), { logger: recordingLogger(lines) });
}

async function startRefusal(dataDir: string, more: NodeOptionsInput): Promise<WeaverNodeError> {
  try {
    const node = await startNode(dataDir, more);
    await node.close();
  } catch (e) {
    assert.ok(e instanceof WeaverNodeError, `expected a WeaverNodeError, got ${String(e)}`);
    return e;
  }
  assert.fail("the node started");
}

/** Milestone CMI + 1 on the genesis entry point, signed by the test coordinator, submitted as the coordinator would. */
async function issueMilestone(node: WeaverNode): Promise<number> {
  const index = node.tangle.latestMilestoneIndex + 1;
  const parents = [new Uint8Array(32)];
  const { merkleRoot } = computeWhiteFlagMutations(
    { milestoneIndex: index, cone: milestoneCone(node.tangle, index, parents), receipt: null },
    node.ledger,
    ed25519Verify,
  );
  const payload = buildMilestonePayload(
    { index, timestamp: 1_700_000_000 + index, parents, inclusionMerkleProof: merkleRoot },
    COORDINATORS,
  );
  const { bytes } = buildMilestoneMessage({ networkId: networkIdFromName(NETWORK), payload, nonce: 1n });
  const result = await node.pipeline.ingress.submit(bytes, { source: "coordinator" });
  assert.equal(result.status, "new", JSON.stringify(result));
  await node.consensus.confirmer.idle();
  return index;
}

describe("WeaverNode", () => {
  const dir = freshDir();
  let firstNodeId = "";
  const genesisBalance = (node: WeaverNode): number => node.ledger.balance(Buffer.from(GENESIS_ADDRESS, "hex")).balance;

  it("bootstraps an empty directory from the genesis address and reports its status", async () => {
    const lines: LogLine[] = [];
    const node = await startNode(dir, { p2p: { identityFile: join(dir, "identity.pem") } }, lines);
    try {
      const status = node.status();
      assert.match(status.nodeId, /^[0-9a-f]{64}$/);
      firstNodeId = status.nodeId;
      assert.equal(status.networkName, NETWORK);
      assert.equal(status.listen.host, "127.0.0.1");
      assert.ok(status.listen.port > 0, "port 0 binds a free port");
      assert.deepEqual(
        [status.confirmedMilestoneIndex, status.latestMilestoneIndex, status.ledgerIndex],
        [0, 0, 0],
        "a genesis database starts at milestone 0",
      );
      assert.equal(status.connectedPeers, 0);
      assert.equal(status.synced, false, "no milestone is known yet");
      assert.equal(status.halted, null);
      assert.equal(genesisBalance(node), TOKEN_SUPPLY);
      assert.equal(node.ledger.snapshotInfo()?.networkId, networkIdFromName(NETWORK));
      assert.ok(existsSync(join(dir, "genesis.bin")));
      const record = JSON.parse(readFileSync(join(dir, NETWORK_FILE), "utf8")) as Record<string, string>;
      assert.equal(record.networkName, NETWORK);
      assert.equal(record.networkId, networkIdFromName(NETWORK).toString());
      assert.match(record.sepHash ?? "", /^[0-9a-f]{64}$/);

      const started = lines.find((l) => l.message === "Node started");
      assert.ok(started, "a start line is logged");
      assert.equal(started.context.nodeId, status.nodeId);
      assert.equal(started.context.listen, `127.0.0.1:${status.listen.port}`);
      assert.equal(started.context.component, "node");
      assert.ok(lines.some((l) => l.message === "Snapshot loaded into the empty database"));
    } finally {
      await node.close();
    }
  });

  it("confirms a milestone of its coordinator, closes cleanly and idempotently", async () => {
    const lines: LogLine[] = [];
    const node = await startNode(dir, { p2p: { identityFile: join(dir, "identity.pem") } }, lines);
    try {
      const index = await issueMilestone(node);
      assert.equal(index, 1);
      const status = node.status();
      assert.deepEqual([status.confirmedMilestoneIndex, status.latestMilestoneIndex, status.ledgerIndex], [1, 1, 1]);
      assert.equal(status.synced, true);
      assert.ok(
        lines.some((l) => l.message === "Milestone confirmed" && l.context.index === 1 && l.context.cmi === 1),
        "a debug line per confirmed milestone",
      );
    } catch (e) {
      await node.close();
      throw e;
    }
    const first = node.close();
    const second = node.close();
    await Promise.all([first, second]);
    assert.deepEqual(await node.stopped, { halted: null });
    assert.equal(lines.filter((l) => l.message === "Node closed").length, 1, "closes once");
  });

  it("restarts on the same directory with the same ledger, milestones and identity, without a new bootstrap", async () => {
    const genesisMtime = statSync(join(dir, "genesis.bin")).mtimeMs;
    const lines: LogLine[] = [];
    const identityFile = join(dir, "identity.pem");
    const node = await startNode(dir, { p2p: { identityFile } }, lines);
    try {
      assert.equal(node.tangle.confirmedMilestoneIndex, 1);
      assert.equal(node.ledger.ledgerIndex, 1);
      assert.equal(genesisBalance(node), TOKEN_SUPPLY);
      assert.equal(lines.filter((l) => l.message === "Snapshot loaded into the empty database").length, 0);
      assert.equal(statSync(join(dir, "genesis.bin")).mtimeMs, genesisMtime, "the genesis file is not rewritten");
      assert.equal(node.status().nodeId, firstNodeId, "the identity file keeps the NodeId");
      assert.equal(await issueMilestone(node), 2, "consensus goes on from the stored state");
    } finally {
      await node.close();
    }
    const again = await startNode(dir, { p2p: { identityFile } });
    try {
      assert.equal(again.status().confirmedMilestoneIndex, 2);
    } finally {
      await again.close();
    }
  });

  it("refuses the directory for another network name, and leaves it usable", async () => {
    const e = await startRefusal(dir, { network: { name: "another-network" } });
    assert.equal(e.code, "NODE_ERROR_NETWORK_MISMATCH");
    assert.match(e.message, new RegExp(`"${NETWORK}"`));
    assert.match(e.message, /"another-network"/);
    const node = await startNode(dir);
    try {
      assert.equal(node.status().confirmedMilestoneIndex, 2);
    } finally {
      await node.close();
    }
  });

  it("refuses an empty database without a snapshot or genesis address; a bootstrap later succeeds", async () => {
    const empty = freshDir();
    const e = await startRefusal(empty, { bootstrap: {} });
    assert.equal(e.code, "NODE_ERROR_BOOTSTRAP_MISSING");
    assert.match(e.message, /is empty/);
    assert.equal(existsSync(join(empty, NETWORK_FILE)), false);
    const node = await startNode(empty);
    try {
      assert.equal(genesisBalance(node), TOKEN_SUPPLY);
    } finally {
      await node.close();
    }
  });

  it("two nodes bootstrapped from the same genesis address write byte-identical genesis files", async () => {
    const other = freshDir();
    const node = await startNode(other);
    await node.close();
    assert.deepEqual(readFileSync(join(other, "genesis.bin")), readFileSync(join(dir, "genesis.bin")));
    assert.deepEqual(
      JSON.parse(readFileSync(join(other, NETWORK_FILE), "utf8")),
      JSON.parse(readFileSync(join(dir, NETWORK_FILE), "utf8")),
      "same network name, id and SEP hash",
    );
  });

  it("a halt of the core closes the node and resolves `stopped` with the reason", async () => {
    const lines: LogLine[] = [];
    const node = await startNode(freshDir(), {}, lines);
    node.pipeline.events.emit("node.halted", { code: "LEDGER_ERROR_MERKLE_MISMATCH", message: "test halt" });
    const stopped = await node.stopped;
    assert.deepEqual(stopped.halted, { code: "LEDGER_ERROR_MERKLE_MISMATCH", message: "test halt" });
    assert.ok(lines.some((l) => l.level === "error" && l.context.code === "LEDGER_ERROR_MERKLE_MISMATCH"));
    assert.ok(lines.some((l) => l.message === "Node closed"));
    await node.close();
  });
});

describe("WeaverNode: the REST API", () => {
  /** A clock shifted so that the test milestones' timestamps (1_700_000_000 + index) are a few seconds old. */
  function milestoneClock(): () => number {
    const shift = Date.now() - 1_700_000_010_000;
    return () => Date.now() - shift;
  }

  it("answers /health and /api/v1/info over HTTP on the real port, and protected routes with a token", async () => {
    const lines: LogLine[] = [];
    const now = milestoneClock();
    const node = await WeaverNode.start(options(freshDir(), { api: { jwtSecret: API_SECRET } }), {
      logger: recordingLogger(lines),
      now,
      version: "9.8.7",
    });
    let url = "";
    try {
      const { api } = node.status();
      assert.equal(api.host, "127.0.0.1");
      assert.ok(api.port > 0, "port 0 binds a free port, and the status reports it");
      url = `http://127.0.0.1:${api.port}`;
      const listening = lines.find((l) => l.message === "API listening");
      assert.equal(listening?.context.url, url);
      assert.equal(listening?.context.component, "api");
      assert.equal(lines.find((l) => l.message === "Node started")?.context.api, url);

      let health = await fetch(`${url}/health`);
      assert.equal(health.status, 503, "no milestone yet");
      assert.equal(await health.text(), "");
      const info = async () =>
        ((await (await fetch(`${url}/api/v1/info`)).json()) as { data: Record<string, unknown> }).data;
      const before = await info();
      assert.equal(before.name, "weaver");
      assert.equal(before.version, "9.8.7");
      assert.equal(before.networkId, NETWORK);
      assert.equal(before.bech32HRP, "atoi");
      assert.equal(before.minPoWScore, 0);
      assert.equal(before.isHealthy, false);

      await issueMilestone(node);
      health = await fetch(`${url}/health`);
      assert.equal(health.status, 200, "synced, recent milestone, and no peers needed: none are configured");
      const after = await info();
      assert.equal(after.confirmedMilestoneIndex, 1);
      assert.equal(after.isHealthy, true);

      const peersUrl = `${url}/api/v1/peers`;
      const refused = await fetch(peersUrl, { headers: { origin: "https://wallet.example" } });
      assert.equal(refused.status, 403);
      assert.equal(refused.headers.get("access-control-allow-origin"), "*");
      assert.equal(((await refused.json()) as { error: { code: string } }).error.code, "403");
      const token = await signApiToken(jwtKey(API_SECRET)!, { subject: "test" }, now());
      const peers = await fetch(peersUrl, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(peers.status, 200);
      assert.deepEqual(await peers.json(), { data: [] });

      // The event API answers MQTT over TCP on its own port (the WebSocket at /mqtt is tested in test/integration/mqtt.test.ts).
      const mqttPort = node.status().mqtt.port;
      assert.ok(mqttPort > 0);
      const socket = connect(mqttPort, "127.0.0.1");
      // MQTT 3.1.1 CONNECT for client id "t", clean session; a broker answers CONNACK (0x20 0x02 0x00 0x00).
      socket.write(Buffer.from([0x10, 13, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 60, 0, 1, 0x74]));
      const [connack] = (await once(socket, "data")) as [Buffer];
      assert.deepEqual([...connack], [0x20, 2, 0, 0]);
      socket.destroy();

      // Prometheus: the node's own numbers, after the milestone above and the requests of this test.
      const scrape = await fetch(`${url}/metrics`);
      assert.equal(scrape.status, 200);
      const text = await scrape.text();
      assert.match(text, /^weaver_milestone_confirmed_index 1$/m);
      assert.match(text, /^weaver_api_requests_total\{method="GET",route="\/api\/v1\/info",status="200"\} [1-9]/m);
    } finally {
      await node.close();
    }
    await assert.rejects(fetch(`${url}/health`), "the API is closed with the node");
  });

  it("with configured peers, /health needs a connected one", async () => {
    const node = await WeaverNode.start(options(freshDir(), { p2p: { peers: ["127.0.0.1:9"] } }), {
      now: milestoneClock(),
    });
    try {
      await issueMilestone(node);
      const res = await fetch(`http://127.0.0.1:${node.status().api.port}/health`);
      assert.equal(res.status, 503);
    } finally {
      await node.close();
    }
  });

  it("a taken gossip, API or MQTT port fails the start with NODE_ERROR_LISTEN; everything opened is closed again", async () => {
    const first = await startNode(freshDir());
    const dir = freshDir();
    try {
      const s = first.status();
      const cases: Array<[string, NodeOptionsInput, RegExp]> = [
        ["p2p.bind", { p2p: { bind: `127.0.0.1:${s.listen.port}` } }, /gossip listener .* in use by another program/],
        ["api.bind", { api: { bind: `127.0.0.1:${s.api.port}` } }, /REST API .* in use by another program/],
        ["mqtt.bind", { mqtt: { bind: `127.0.0.1:${s.mqtt.port}` } }, /MQTT broker .* in use by another program/],
      ];
      for (const [option, more, message] of cases) {
        const refusal = await startRefusal(dir, more);
        assert.equal(refusal.code, "NODE_ERROR_LISTEN", option);
        assert.equal(refusal.type.option, option);
        assert.match(refusal.message, message);
        assert.match(refusal.message, /\(EADDRINUSE\)$/);
      }
    } finally {
      await first.close();
    }
    const again = await startNode(dir);
    assert.equal(again.status().confirmedMilestoneIndex, 0, "the database of the failed start opens again");
    await again.close();
  });
});

describe("weaver start (process)", () => {
  const BIN = join(REPO_ROOT, "bin", "weaver.js");

  /** Reads JSON log lines from the child's stdout until `predicate` holds for one. */
  function waitForLine(child: ChildProcess, predicate: (line: Record<string, unknown>) => boolean) {
    const seen: Array<Record<string, unknown>> = [];
    return new Promise<Record<string, unknown>>((resolve, reject) => {
      const rl = createInterface({ input: child.stdout! });
      const timer = setTimeout(() => reject(new Error(`no matching line; saw ${JSON.stringify(seen)}`)), 15_000);
      rl.on("line", (text) => {
        const line = JSON.parse(text) as Record<string, unknown>;
        seen.push(line);
        if (predicate(line)) {
          clearTimeout(timer);
          resolve(line);
        }
      });
      child.once("exit", (code) => reject(new Error(`exited with ${code}; saw ${JSON.stringify(seen)}`)));
    });
  }

  it("starts, logs its NodeId and endpoint as JSON, and exits 0 on SIGINT after a clean close", async () => {
    const dataDir = freshDir();
    const child = spawn(
      process.execPath,
      [
        BIN,
        "start",
        "--data-dir",
        dataDir,
        "--gossip-bind",
        "127.0.0.1:0",
        "--mqtt-bind",
        "127.0.0.1:0",
        "--api-bind",
        "127.0.0.1:0",
        "--network-name",
        "weaver-cli-test",
      ],
      { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      const started = await waitForLine(child, (l) => l.msg === "Node started");
      assert.match(String(started.nodeId), /^[0-9a-f]{64}$/);
      assert.match(String(started.listen), /^127\.0\.0\.1:\d+$/);
      assert.equal(started.network, "weaver-cli-test");
      assert.match(String(started.api), /^http:\/\/127\.0\.0\.1:\d+$/);
      const info = await fetch(`${String(started.api)}/api/v1/info`);
      assert.equal(((await info.json()) as { data: { version: string } }).data.version, VERSION);
      const closed = waitForLine(child, (l) => l.msg === "Node closed");
      child.kill("SIGINT");
      await closed;
      assert.equal(await exited, 0, stderr);
      assert.equal(stderr, "");
      // Without --snapshot and --genesis-address the development genesis was used.
      assert.ok(existsSync(join(dataDir, "genesis.bin")));
    } finally {
      child.kill("SIGKILL");
    }
  });

  it("refuses bad options with one line naming the option and its flag, exit 1", () => {
    const r = spawnSync(process.execPath, [BIN, "start", "--data-dir", freshDir(), "--max-peers", "0"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      timeout: 30_000,
    });
    assert.equal(r.status, 1);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^NODE_ERROR_CONFIG_INVALID: p2p\.maxPeers .* \(flag --max-peers\)\n$/);
  });

  it("refuses a port in use with one line naming the option and its flag, exit 1", async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const { port } = holder.address() as AddressInfo;
    const dataDir = freshDir();
    const args = [BIN, "start", "--data-dir", dataDir, "--gossip-bind", "127.0.0.1:0", "--mqtt-bind", "127.0.0.1:0"];
    try {
      const r = spawnSync(process.execPath, [...args, "--api-bind", `127.0.0.1:${port}`], {
        cwd: REPO_ROOT,
        encoding: "utf8",
        timeout: 30_000,
      });
      assert.equal(r.status, 1);
      assert.equal(
        r.stderr,
        `NODE_ERROR_LISTEN: api.bind: the REST API cannot listen on 127.0.0.1:${port}: the port is in use by another program (EADDRINUSE) (flag --api-bind)\n`,
      );
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});

describe("WeaverNode: pruning and snapshots", () => {
  const OWNER = Wallet.named("node-test-genesis-owner");
  const RECEIVER = Wallet.named("node-test-receiver");
  /** Milestones issued; the first prune of the node's own comes at CMI 41 (5 kept, but never above CMI − 20). */
  const MILESTONES = 50;
  const FIRST_PRUNE = 21;
  /** Milestones with a value transaction: the first is pruned later, the second lies above the snapshot index. */
  const TX_AT = [3, 45];
  const networkId = networkIdFromName(NETWORK);

  interface Round {
    dataId: Uint8Array;
    dataBytes: Uint8Array;
    milestoneId: Uint8Array;
    milestoneBytes: Uint8Array;
    /** Balances of the owner and the receiver once the milestone is confirmed. */
    owner: number;
    receiver: number;
  }
  const rounds = new Map<number, Round>();
  let node: WeaverNode;
  let url = "";
  let headers: Record<string, string> = {};
  const lines: LogLine[] = [];
  const balanceOf = (n: WeaverNode, w: Wallet): number => n.ledger.balance(w.address).balance;

  async function submit(n: WeaverNode, bytes: Uint8Array): Promise<void> {
    const result = await n.pipeline.ingress.submit(bytes, { source: "coordinator" });
    assert.equal(result.status, "new", JSON.stringify(result));
  }

  /** Round i: one message on milestone i − 1 (a transaction or an indexation), then milestone i on the two. */
  async function issueRound(n: WeaverNode, i: number, tx: TransactionPayload | null): Promise<void> {
    const previous = i === 1 ? new Uint8Array(32) : rounds.get(i - 1)!.milestoneId;
    const dataBytes = encodeMessage({
      networkId,
      parents: [previous],
      payload: tx ?? { type: 2, index: utf8ToBytes("prune-test"), data: utf8ToBytes(String(i)) },
      nonce: 0n,
    });
    await submit(n, dataBytes);
    const parents = [previous, messageId(dataBytes)].sort(compareBytes);
    const { merkleRoot } = computeWhiteFlagMutations(
      { milestoneIndex: i, cone: milestoneCone(n.tangle, i, parents), receipt: null },
      n.ledger,
      ed25519Verify,
    );
    const payload = buildMilestonePayload(
      { index: i, timestamp: 1_700_000_000 + i, parents, inclusionMerkleProof: merkleRoot },
      COORDINATORS,
    );
    const { bytes } = buildMilestoneMessage({ networkId, payload, nonce: 1n });
    await submit(n, bytes);
    await n.consensus.confirmer.idle();
    assert.equal(n.tangle.confirmedMilestoneIndex, i);
    // The confirmation event started any prune synchronously; it runs in the background.
    await n.maintenance.idle();
    rounds.set(i, {
      dataId: messageId(dataBytes),
      dataBytes,
      milestoneId: messageId(bytes),
      milestoneBytes: bytes,
      owner: balanceOf(n, OWNER),
      receiver: balanceOf(n, RECEIVER),
    });
  }

  const post = (path: string, body: unknown, auth = headers) =>
    fetch(`${url}${path}`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  /**
   * The storage invariants, but one: the two messages that arrived while the latest milestone was the pruning index
   * (round k + 1's message and milestone) and are referenced above it lost their ARRIVALS entry to the prune, by
   * design (tangle/pruner.ts pruneArrivalsUpTo: they leave later with their milestone, through REFERENCED). A node
   * started from a snapshot received them after its start.
   */
  function assertConsistent(n: WeaverNode, pruned = true): void {
    const k = n.tangle.pruningIndex;
    const edge = rounds.get(k + 1);
    const expected =
      !pruned || edge === undefined
        ? []
        : [edge.dataId, edge.milestoneId].map((id) => `MESSAGES ${bytesToHex(id).slice(0, 16)} has 0 ARRIVALS entries`);
    const problems = checkTangleConsistency(n.tangle.store);
    assert.deepEqual(
      problems
        .filter((p) => / has 0 ARRIVALS entries, expected 1$/.test(p))
        .map((p) => p.replace(/, expected 1$/, ""))
        .sort(),
      expected.sort(),
    );
    assert.deepEqual(
      problems.filter((p) => !/ has 0 ARRIVALS entries, expected 1$/.test(p)),
      [],
    );
    assert.deepEqual(checkLedgerConsistency(n.tangle.store), []);
    assert.equal(n.ledger.totalSupplyCheck(), TOKEN_SUPPLY);
  }

  after(async () => node?.close());

  it("prunes by itself after milestones, messages, milestones and ledger diffs together, and stays consistent", async () => {
    node = await startNode(
      freshDir(),
      {
        bootstrap: { genesisAddress: OWNER.addressHex },
        pruning: { milestonesToKeep: 5 },
        api: { jwtSecret: API_SECRET },
      },
      lines,
    );
    url = `http://127.0.0.1:${node.status().api.port}`;
    headers = { authorization: `Bearer ${await signApiToken(jwtKey(API_SECRET)!, { subject: "test" }, Date.now())}` };
    let unspent: { outputId: Uint8Array; amount: number } = { outputId: new Uint8Array(34), amount: TOKEN_SUPPLY };
    for (let i = 1; i <= MILESTONES; i++) {
      let tx: TransactionPayload | null = null;
      if (TX_AT.includes(i)) {
        const sent = 1_000_000 * i;
        tx = OWNER.transfer(
          [unspent],
          [
            { address: RECEIVER, amount: sent },
            { address: OWNER, amount: unspent.amount - sent },
          ],
        );
        unspent = { outputId: outputIdTo(tx, OWNER), amount: unspent.amount - sent };
      }
      await issueRound(node, i, tx);
      if (i === 40) assert.equal(node.tangle.pruningIndex, 0, "nothing pruned before CMI − 20 reaches 21");
    }
    assert.equal(node.status().pruningIndex, FIRST_PRUNE);
    const pruned = lines.filter((l) => l.message === "Pruned");
    assert.equal(pruned.length, 1);
    assert.equal(pruned[0]?.context.trigger, "depth");
    assert.equal(pruned[0]?.context.completed, true);
    assert.equal(pruned[0]?.context.component, "maintenance");
    for (let i = 1; i <= MILESTONES; i++) {
      const r = rounds.get(i)!;
      const kept = i > FIRST_PRUNE;
      assert.equal(node.tangle.getMessageBytes(r.dataId) !== undefined, kept, `message of round ${i}`);
      assert.equal(node.tangle.getMessageBytes(r.milestoneId) !== undefined, kept, `milestone message ${i}`);
      assert.equal(node.tangle.getMilestone(i) !== undefined, kept, `milestone ${i}`);
      assert.equal(node.ledger.milestoneDiff(i) !== undefined, kept, `ledger diff ${i}`);
    }
    assert.equal(
      node.ledger.getOutput(new Uint8Array(34)),
      undefined,
      "the genesis output, spent at 3, went with diff 3",
    );
    assert.deepEqual(
      [...node.tangle.solidEntryPoints()].map(([id, index]) => `${bytesToHex(id)}@${index}`),
      [`${bytesToHex(rounds.get(FIRST_PRUNE)!.milestoneId)}@${FIRST_PRUNE}`],
    );
    assert.equal(balanceOf(node, OWNER), rounds.get(MILESTONES)!.owner);
    assert.equal(balanceOf(node, RECEIVER), 48_000_000);
    assertConsistent(node);

    const info = (await (await fetch(`${url}/api/v1/info`)).json()) as { data: { pruningIndex: number } };
    assert.equal(info.data.pruningIndex, FIRST_PRUNE);
    assert.equal((await fetch(`${url}/api/v1/milestones/${FIRST_PRUNE}`)).status, 404);
    assert.equal((await fetch(`${url}/api/v1/milestones/${FIRST_PRUNE + 1}/utxo-changes`)).status, 200);
  });

  it("prunes on request: protected, a target above CMI − 20 refused with the reason, then the pruning index", async () => {
    assert.equal((await post("/api/v1/control/database/prune", { index: 25 }, {})).status, 403);
    const tooHigh = await post("/api/v1/control/database/prune", { index: 31 });
    assert.equal(tooHigh.status, 400);
    const refusal = (await tooHigh.json()) as { error: { code: string; message: string } };
    assert.equal(refusal.error.code, "400");
    assert.match(refusal.error.message, /pruning target 31 is above 30/);
    assert.equal(node.tangle.pruningIndex, FIRST_PRUNE, "nothing was pruned");

    const res = await post("/api/v1/control/database/prune", { index: 25 });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { data: { index: 25 } });
    assert.equal(node.tangle.pruningIndex, 25);
    assert.equal(node.ledger.milestoneDiff(25), undefined);
    assert.equal(node.tangle.getMessageBytes(rounds.get(25)!.dataId), undefined);
    assert.notEqual(node.ledger.milestoneDiff(26), undefined);
    assertConsistent(node);
  });

  let fullPath = "";

  it("writes a full and a delta snapshot into dataDir/snapshots, which read back", async () => {
    const res = await post("/api/v1/control/snapshots/create", { fullIndex: 28, deltaIndex: 30 });
    assert.equal(res.status, 200);
    const data = ((await res.json()) as { data: Record<string, unknown> }).data;
    const dir = join(node.dataDir, SNAPSHOTS_DIR);
    fullPath = join(dir, "full_snapshot_28.bin");
    assert.deepEqual(data, {
      fullIndex: 28,
      deltaIndex: 30,
      fullFilePath: fullPath,
      deltaFilePath: join(dir, "delta_snapshot_28_30.bin"),
    });

    const full = await readWholeSnapshot(fullPath, { expectedNetworkId: networkId, expectedType: "full" });
    assert.equal(full.header.ledgerIndex, MILESTONES);
    assert.equal(full.header.sepIndex, 28);
    assert.equal(full.header.timestamp, 1_700_000_028);
    assert.equal(full.outputs.length, [...node.ledger.unspentOutputs()].length);
    assert.equal(full.outputs.length, 3, "two payments to the receiver and the owner's remainder");
    assert.deepEqual(
      full.milestoneDiffs.map((d) => d.milestoneIndex),
      Array.from({ length: MILESTONES - 28 }, (_, k) => MILESTONES - k),
    );
    assert.deepEqual(full.solidEntryPoints.map(bytesToHex), [bytesToHex(rounds.get(28)!.milestoneId)]);

    const delta = await readWholeSnapshot(data.deltaFilePath as string, { expectedType: "delta" });
    assert.equal(delta.header.ledgerIndex, 28);
    assert.equal(delta.header.sepIndex, 30);
    assert.deepEqual(
      delta.milestoneDiffs.map((d) => d.milestoneIndex),
      [29, 30],
    );

    const byDefault = await post("/api/v1/control/snapshots/create", {});
    assert.equal(byDefault.status, 200);
    const defaults = ((await byDefault.json()) as { data: Record<string, unknown> }).data;
    assert.deepEqual(defaults, { fullIndex: 30, fullFilePath: join(dir, "full_snapshot_30.bin") });
    assert.ok(existsSync(join(dir, "full_snapshot_30.bin")));

    const pruned = await post("/api/v1/control/snapshots/create", { fullIndex: 20 });
    assert.equal(pruned.status, 400, "below the pruning index");
    assert.match(((await pruned.json()) as { error: { message: string } }).error.message, /20/);
  });

  it("a node started from the full snapshot has the ledger of milestone 28 and confirms the rest of the history", async () => {
    await node.close();
    const other = await startNode(freshDir(), { bootstrap: { snapshot: fullPath } });
    try {
      const status = other.status();
      assert.deepEqual(
        [status.confirmedMilestoneIndex, status.ledgerIndex, status.pruningIndex],
        [28, 28, 28],
        "snapshot index = pruning index = SEP index",
      );
      assert.equal(balanceOf(other, OWNER), rounds.get(28)!.owner);
      assert.equal(balanceOf(other, RECEIVER), rounds.get(28)!.receiver);
      assert.notEqual(rounds.get(28)!.owner, rounds.get(MILESTONES)!.owner, "the payment at 45 was rolled back");
      assertConsistent(other, false);
      // The original milestones 29 … 50 build on the snapshot's solid entry point and confirm to the same ledger.
      for (let i = 29; i <= MILESTONES; i++) {
        const r = rounds.get(i)!;
        await submit(other, r.dataBytes);
        await submit(other, r.milestoneBytes);
        await other.consensus.confirmer.idle();
        assert.equal(other.ledger.ledgerIndex, i);
        assert.deepEqual([balanceOf(other, OWNER), balanceOf(other, RECEIVER)], [r.owner, r.receiver], `at ${i}`);
      }
      assertConsistent(other, false);
    } finally {
      await other.close();
    }
  });
});

describe("WeaverNode with its own coordinator", () => {
  const KEY_SEEDS = [1, 2].map((i) => bytesToHex(blake2b256(utf8ToBytes(`weaver-node-test-coordinator-${i}`))));

  it("issues and confirms milestones by itself, is healthy, and continues after a restart", async () => {
    const dir = freshDir();
    const more: NodeOptionsInput = {
      network: { minPowScore: 50 },
      coordinator: { enabled: true, intervalMs: 150, keys: KEY_SEEDS },
    };
    let node = await startNode(dir, more);
    const deadline = (ms: number) => Date.now() + ms;
    let until = deadline(15_000);
    while (node.tangle.confirmedMilestoneIndex < 3) {
      assert.ok(Date.now() < until, "three milestones within 15 s");
      await new Promise((r) => setTimeout(r, 50));
    }
    const health = await fetch(`http://127.0.0.1:${node.status().api.port}/health`);
    assert.equal(health.status, 200, "a lone node with its own coordinator is healthy");
    await node.close();
    const state = JSON.parse(readFileSync(join(dir, "coordinator.json"), "utf8")) as { lastIndex: number };
    assert.ok(state.lastIndex >= 3);
    assert.ok(state.lastIndex <= node.tangle.latestMilestoneIndex + 1);

    node = await startNode(dir, more);
    try {
      const before = node.tangle.confirmedMilestoneIndex;
      until = deadline(15_000);
      while (node.tangle.confirmedMilestoneIndex < before + 2) {
        assert.ok(Date.now() < until, "milestones continue after the restart");
        await new Promise((r) => setTimeout(r, 50));
      }
      // Every milestone index is one message: no index issued twice.
      for (let i = 1; i <= node.tangle.confirmedMilestoneIndex; i++) assert.ok(node.tangle.getMilestone(i));
    } finally {
      await node.close();
    }
  });

  it("refuses coordinator keys the network does not accept, and a state file of another database", async () => {
    const foreign = bytesToHex(blake2b256(utf8ToBytes("not-a-network-key")));
    const refused = await startRefusal(freshDir(), {
      coordinator: { enabled: true, keys: [KEY_SEEDS[0]!, foreign] },
    });
    assert.equal(refused.code, "NODE_ERROR_CONFIG_INVALID");
    assert.match(refused.message, /not a milestone key of this network/);

    const dir = freshDir();
    const running = await startNode(dir, { coordinator: { enabled: true, intervalMs: 100, keys: KEY_SEEDS } });
    const until = Date.now() + 10_000;
    // Two milestones: a state one milestone ahead of a database is a legitimate crash (the last one is re-sent).
    while (running.tangle.confirmedMilestoneIndex < 2) {
      assert.ok(Date.now() < until);
      await new Promise((r) => setTimeout(r, 50));
    }
    await running.close();
    // The same state file beside a fresh database: the coordinator refuses, nothing is issued.
    const other = freshDir();
    mkdirSync(other, { recursive: true });
    copyFileSync(join(dir, "coordinator.json"), join(other, "coordinator.json"));
    const before = readFileSync(join(other, "coordinator.json"), "utf8");
    await assert.rejects(
      startNode(other, { coordinator: { enabled: true, keys: KEY_SEEDS } }),
      /disagrees with the database/,
    );
    assert.equal(readFileSync(join(other, "coordinator.json"), "utf8"), before, "state file untouched");
  });
});
