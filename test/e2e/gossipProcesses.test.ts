/**
 * Separate node processes on loopback (protocol/network.md §8): two `weaver start` processes from the built CLI and
 * an in-test node that feeds them messages and milestones. Process B knows only A and finds the feeder through
 * discovery; B is SIGKILLed while traffic flows, restarted on the same data directory, and catches up by itself.
 * At the end both processes stop with SIGTERM and their LMDB databases are opened and compared with the feeder.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { networkIdFromName } from "../../src/crypto/networkId.js";
import { bytesToHex } from "../../src/primitives/hex.js";
import { LmdbKvStore } from "../../src/storage/backends/lmdb.js";
import { Tangle } from "../../src/tangle/tangle.js";
import { type BuiltMessage, HarnessNetwork, type HarnessNode } from "../utils/gossipHarness.js";
import { GENESIS_ID } from "../utils/tangleBuilder.js";
import { REPO_ROOT } from "../utils/vectors.js";

const NETWORK = "weaver-e2e-gossip";
const CLI = join(REPO_ROOT, "bin", "weaver.js");

interface NodeProcess {
  child: ChildProcess;
  nodeIdHex: string;
  port: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: string[];
}

const dirs: string[] = [];
const children: ChildProcess[] = [];
const networks: HarnessNetwork[] = [];
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const n of networks) await n.stopAll();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Starts `weaver start` and resolves once its "Node started" line says where it listens. */
function startProcess(net: HarnessNetwork, dataDir: string, peers: string[], port = 0): Promise<NodeProcess> {
  const args = [
    CLI,
    "start",
    "--data-dir",
    dataDir,
    "--network-name",
    NETWORK,
    "--min-pow-score",
    "0",
    "--coo-threshold",
    "2",
    "--genesis-address",
    bytesToHex(net.genesisWallet.address),
    "--gossip-bind",
    `127.0.0.1:${port}`,
    "--log-level",
    "info",
    "--api-bind",
    "127.0.0.1:0",
    "--mqtt-bind",
    "127.0.0.1:0",
    "--coo-public-key",
    ...net.signers.map((s) => bytesToHex(s.publicKey)),
  ];
  if (peers.length > 0) args.push("--peer", ...peers);
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    let pending = "";
    const timer = setTimeout(() => reject(new Error(`node did not start:\n${output.join("\n")}`)), 20_000);
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => output.push(chunk));
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => {
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        output.push(line);
        if (!line.includes('"Node started"')) continue;
        const record = JSON.parse(line) as { nodeId: string; listen: string };
        clearTimeout(timer);
        resolve({ child, nodeIdHex: record.nodeId, port: Number(record.listen.split(":").pop()), exited, output });
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`node exited (${code ?? signal}) before it started:\n${output.join("\n")}`));
    });
  });
}

/** The confirmed index a process reports in its heartbeats to the feeder. */
function confirmedAt(feeder: HarnessNode, nodeIdHex: string): number {
  return feeder.gossip.peers().find((p) => p.nodeIdHex === nodeIdHex && p.connected)?.heartbeat?.confirmedIndex ?? -1;
}

async function issueRound(net: HarnessNetwork, feeder: HarnessNode, tips: Uint8Array[], label: string, count: number) {
  const messages: BuiltMessage[] = [];
  for (let i = 0; i < count; i++) {
    const m = net.message(tips.slice(-2), `${label}-${i}`);
    assert.equal((await feeder.submit(m.bytes)).status, "new");
    messages.push(m);
    tips.push(m.id);
  }
  const milestone = await net.issueMilestone(feeder, [tips[tips.length - 1]!]);
  await net.waitFor(() => feeder.cmi === milestone.index, `feeder confirms ${milestone.index}`);
  return { messages, milestone };
}

describe("gossip between node processes", () => {
  it("two CLI nodes discover each other and the feeder, sync, and a SIGKILLed node catches up after a restart", async () => {
    const net = HarnessNetwork.create({ networkName: NETWORK, networkId: networkIdFromName(NETWORK) });
    networks.push(net);
    const feeder = await net.startNode({ name: "feeder" });
    const dirA = mkdtempSync(join(tmpdir(), "weaver-proc-a-"));
    const dirB = mkdtempSync(join(tmpdir(), "weaver-proc-b-"));
    dirs.push(dirA, dirB);

    const a = await startProcess(net, dirA, [`127.0.0.1:${feeder.port}`]);
    let b = await startProcess(net, dirB, [`127.0.0.1:${a.port}`]);
    // B was told only about A; it reaches the feeder through endpoint discovery.
    await net.waitFor(
      () => confirmedAt(feeder, a.nodeIdHex) >= 0 && confirmedAt(feeder, b.nodeIdHex) >= 0,
      "feeder sees both processes as peers",
      20_000,
    );

    const tips: Uint8Array[] = [GENESIS_ID];
    const all: BuiltMessage[] = [];
    for (let round = 1; round <= 2; round++) {
      const { messages } = await issueRound(net, feeder, tips, `r${round}`, 10);
      all.push(...messages);
    }
    await net.waitFor(
      () => confirmedAt(feeder, a.nodeIdHex) === 2 && confirmedAt(feeder, b.nodeIdHex) === 2,
      "both processes confirm milestone 2",
      20_000,
    );

    // SIGKILL B in the middle of a round; the network goes on without it.
    const round3 = issueRound(net, feeder, tips, "r3", 10);
    b.child.kill("SIGKILL");
    assert.equal((await b.exited).signal, "SIGKILL");
    all.push(...(await round3).messages);
    for (let round = 4; round <= 5; round++)
      all.push(...(await issueRound(net, feeder, tips, `r${round}`, 10)).messages);
    await net.waitFor(() => confirmedAt(feeder, a.nodeIdHex) === 5, "A confirms milestone 5", 20_000);

    // Restarted on the same data directory (and a fresh identity), B catches up through requests.
    b = await startProcess(net, dirB, [`127.0.0.1:${a.port}`]);
    await net.waitFor(() => confirmedAt(feeder, b.nodeIdHex) === 5, "restarted B confirms milestone 5", 30_000);

    // Graceful stop, then compare the databases with the feeder's.
    a.child.kill("SIGTERM");
    b.child.kill("SIGTERM");
    assert.equal((await a.exited).code, 0, a.output.join("\n"));
    assert.equal((await b.exited).code, 0, b.output.join("\n"));
    for (const dir of [dirA, dirB]) {
      const { tangle } = await Tangle.open(LmdbKvStore.open({ path: join(dir, "db") }));
      try {
        assert.equal(tangle.confirmedMilestoneIndex, 5);
        for (const m of all) {
          assert.ok(tangle.hasMessage(m.id), `${dir} lacks ${m.idHex}`);
          assert.equal(
            tangle.getMetadata(m.id)?.referencedByMilestoneIndex,
            feeder.tangle.getMetadata(m.id)?.referencedByMilestoneIndex,
          );
        }
      } finally {
        await tangle.close();
      }
    }
  });
});
