/**
 * `weaver network up` as a user runs it (the built CLI as a child process): four node processes on loopback, node-0
 * the coordinator and the seed, the others peered through discovery. Data sent with iota.js 1.8.6 at node-1 and a
 * value transfer with `send` from the network's wallet at node-2 must look the same from every node (confirmed
 * milestones, message metadata, balances), also from node-3 after a SIGKILL and a restart with `weaver start
 * --config` on its own config file. Then `up` stops every node on SIGTERM, and its refusals (ports in use, a
 * directory that is not a network's, bad flags) and `down` are checked.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ClientError, Ed25519Seed, SingleNodeClient, send, sendData } from "@iota/iota.js";
import { Converter } from "@iota/util.js";
import type { NetworkNodeLine } from "../../src/cli/networkCommand.js";
import { TOKEN_SUPPLY } from "../../src/params/protocol.js";
import { onLines, processAlive } from "../utils/polling.js";
import { startWeaverProcess, stopWeaverProcess, WEAVER_CLI, type WeaverProcess } from "../utils/weaverProcess.js";

const NODES = 4;
const AMOUNT = 10_000_000;
/** client-compat.md §9: the first address of the Hornet alphanet mnemonic. */
const RECIPIENT_BECH32 = "atoi1qpszqzadsym6wpppd6z037dvlejmjuke7s24hm95s9fg9vpua7vluehe53e";
const DEADLINE_MS = 30_000;

const root = mkdtempSync(join(tmpdir(), "weaver-network-e2e-"));
const children: ChildProcess[] = [];
const restarted: WeaverProcess[] = [];
const nodePids: number[] = [];
after(async () => {
  for (const p of restarted) await stopWeaverProcess(p);
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const pid of nodePids) if (processAlive(pid)) process.kill(pid, "SIGKILL");
  rmSync(root, { recursive: true, force: true });
});

interface Up {
  child: ChildProcess;
  nodes: NetworkNodeLine[];
  stderr: () => string;
  exited: Promise<unknown[]>;
}

function networkUp(dir: string): Promise<Up> {
  const child = spawn(process.execPath, [WEAVER_CLI, "network", "up", "--nodes", String(NODES), "--dir", dir], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const exited = once(child, "exit");
  let err = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (c: string) => {
    err += c;
  });
  return new Promise((resolve, reject) => {
    const nodes: NetworkNodeLine[] = [];
    const timer = setTimeout(() => reject(new Error(`network up printed ${nodes.length} lines:\n${err}`)), 60_000);
    onLines(child.stdout, (line) => {
      const node = JSON.parse(line) as NetworkNodeLine;
      nodes.push(node);
      nodePids.push(node.pid);
      if (nodes.length === NODES) {
        clearTimeout(timer);
        resolve({ child, nodes, stderr: () => err, exited });
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`network up exited:\n${err}`));
    });
  });
}

/** Runs a short `weaver network …` command to its end. */
async function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [WEAVER_CLI, "network", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => {
    stdout += c;
  });
  child.stderr.setEncoding("utf8").on("data", (c: string) => {
    stderr += c;
  });
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stdout, stderr };
}

/** Polls until `probe` gives a value; API errors and refused connections count as "not yet". */
async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = DEADLINE_MS): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      if (!(e instanceof ClientError) && !(e instanceof TypeError)) throw e;
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last error: ${String(last)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function connectedPeers(api: string): Promise<number> {
  const text = await (await fetch(`${api}/metrics`)).text();
  return Number(/^weaver_peers_connected (\d+)$/m.exec(text)?.[1] ?? -1);
}

/** What must be the same on every node: the milestones up to `upTo`, both messages' metadata, both balances. */
interface View {
  milestones: string[];
  metadata: Array<{ referencedByMilestoneIndex: number | undefined; ledgerInclusionState: string | undefined }>;
  balances: number[];
}

async function viewOf(client: SingleNodeClient, upTo: number, ids: string[], addresses: string[]): Promise<View> {
  const milestones: string[] = [];
  for (let i = 1; i <= upTo; i++) milestones.push((await client.milestone(i)).messageId);
  const metadata = [];
  for (const id of ids) {
    const m = await client.messageMetadata(id);
    metadata.push({
      referencedByMilestoneIndex: m.referencedByMilestoneIndex,
      ledgerInclusionState: m.ledgerInclusionState,
    });
  }
  const balances = [];
  for (const a of addresses) balances.push((await client.address(a)).balance);
  return { milestones, metadata, balances };
}

async function confirmedAtLeast(client: SingleNodeClient, index: number, what: string): Promise<number> {
  return until(`${what} confirms milestone ${index}`, async () => {
    const cmi = (await client.info()).confirmedMilestoneIndex;
    return cmi >= index ? cmi : undefined;
  });
}

describe("weaver network up", () => {
  it("runs 4 nodes that agree on milestones, metadata and balances, also after a node is killed and restarted", {
    timeout: 120_000,
  }, async () => {
    const dir = join(root, "net");
    const up = await networkUp(dir);
    assert.deepEqual(
      up.nodes.map((n) => n.name),
      ["node-0", "node-1", "node-2", "node-3"],
    );
    for (const n of up.nodes) {
      assert.match(n.api, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.match(n.mqtt, /^mqtt:\/\/127\.0\.0\.1:\d+$/);
      assert.match(n.gossip, /^127\.0\.0\.1:\d+$/);
      assert.ok(processAlive(n.pid), `${n.name} runs`);
    }
    const pids = JSON.parse(readFileSync(join(dir, "pids.json"), "utf8")) as { nodes: Array<{ pid: number }> };
    assert.deepEqual(
      pids.nodes.map((n) => n.pid),
      up.nodes.map((n) => n.pid),
    );
    const clients = up.nodes.map((n) => new SingleNodeClient(n.api));

    // node-1..3 know only node-0: they find each other through discovery.
    for (const [i, n] of up.nodes.entries()) {
      await confirmedAtLeast(clients[i]!, 2, n.name);
      await until(`${n.name} has ${NODES - 1} peers`, async () =>
        (await connectedPeers(n.api)) === NODES - 1 ? true : undefined,
      );
    }

    const wallet = JSON.parse(readFileSync(join(dir, "dev-wallet.json"), "utf8")) as {
      seedHex: string;
      bech32Address: string;
    };
    const data = await sendData(clients[1]!, "weaver-network", "hello from node-1");
    const transfer = await send(
      clients[2]!,
      new Ed25519Seed(Converter.hexToBytes(wallet.seedHex)),
      0,
      RECIPIENT_BECH32,
      AMOUNT,
    );
    const ids = [data.messageId, transfer.messageId];
    const addresses = [wallet.bech32Address, RECIPIENT_BECH32];
    let target = 0;
    for (const id of ids) {
      const m = await until(`${id} referenced`, async () => {
        const meta = await clients[2]!.messageMetadata(id);
        return meta.referencedByMilestoneIndex === undefined ? undefined : meta;
      });
      target = Math.max(target, m.referencedByMilestoneIndex ?? 0);
    }
    await confirmedAtLeast(clients[2]!, target, "node-2");
    const reference = await viewOf(clients[2]!, target, ids, addresses);
    assert.deepEqual(
      reference.metadata.map((m) => m.ledgerInclusionState),
      ["noTransaction", "included"],
    );
    assert.deepEqual(reference.balances, [TOKEN_SUPPLY - AMOUNT, AMOUNT]);
    for (const [i, n] of up.nodes.entries()) {
      await confirmedAtLeast(clients[i]!, target, n.name);
      assert.deepEqual(await viewOf(clients[i]!, target, ids, addresses), reference, `${n.name} agrees`);
    }

    // node-3 dies without a clean close; `up` reports it and keeps the others running.
    const node3 = up.nodes[3]!;
    process.kill(node3.pid, "SIGKILL");
    await until("node-3 gone", async () => (processAlive(node3.pid) ? undefined : true));
    await until("up reports node-3", async () => (up.stderr().includes("node-3") ? true : undefined));
    assert.match(up.stderr(), /node-3 \(pid \d+\) exited \(SIGKILL\)/);
    const cmiBefore = await confirmedAtLeast(clients[0]!, target + 2, "node-0 while node-3 is down");

    const again = await startWeaverProcess(["--config", join(dir, "node-3.json")], 30_000);
    restarted.push(again);
    assert.equal(again.apiUrl, node3.api, "the restarted node keeps its port");
    const client3 = new SingleNodeClient(again.apiUrl);
    await confirmedAtLeast(client3, cmiBefore, "the restarted node-3");
    assert.deepEqual(await viewOf(client3, target, ids, addresses), reference, "the restarted node-3 agrees");
    for (let i = 1; i <= cmiBefore; i++) {
      assert.equal((await client3.milestone(i)).messageId, (await clients[0]!.milestone(i)).messageId);
    }
    assert.ok(up.nodes.slice(0, 3).every((n) => processAlive(n.pid)));

    up.child.kill("SIGTERM");
    const [code] = (await up.exited) as [number | null];
    assert.equal(code, 0, up.stderr());
    for (const n of up.nodes) assert.equal(processAlive(n.pid), false, `${n.name} (pid ${n.pid}) is gone`);
    assert.equal(existsSync(join(dir, "pids.json")), false);
    const { code: node3Code } = await stopWeaverProcess(again);
    assert.equal(node3Code, 0);

    // Ports in use: a config's port held by another program stops `up` before any node runs.
    const config1 = JSON.parse(readFileSync(join(dir, "node-1.json"), "utf8")) as { api: { bind: string } };
    const blocker = createServer();
    await new Promise<void>((done) =>
      blocker.listen({ host: "127.0.0.1", port: Number(config1.api.bind.split(":")[1]) }, done),
    );
    try {
      const refused = await runCli(["up", "--dir", dir]);
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /^weaver network: 127\.0\.0\.1:\d+ \(node-1 api\.bind in .*\) is in use/);
      assert.equal(refused.stderr.trim().split("\n").length, 1);
      assert.equal(existsSync(join(dir, "pids.json")), false);
    } finally {
      blocker.close();
    }
    const down = await runCli(["down", "--dir", dir]);
    assert.equal(down.code, 0);
    assert.match(down.stdout, /no network is running/);
  });

  it("refuses bad flags and a directory that is not a network's; down on an empty directory is harmless", async () => {
    const empty = join(root, "empty");
    mkdirSync(empty);
    const down = await runCli(["down", "--dir", empty]);
    assert.equal(down.code, 0);
    assert.deepEqual(readdirSync(empty), []);

    for (const [flags, message] of [
      [["--nodes", "0"], /--nodes must be a whole number from 1 to 32, got 0/],
      [["--nodes", "33"], /--nodes must be a whole number from 1 to 32, got 33/],
      [["--mode", "gossip"], /--mode must be infect or flood, got gossip/],
    ] as const) {
      const r = await runCli(["up", "--dir", join(root, "never"), ...flags]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split("\n").length, 1);
    }
    assert.equal(existsSync(join(root, "never")), false, "nothing is created on a refusal");

    const other = join(root, "other");
    mkdirSync(other);
    writeFileSync(join(other, "important.txt"), "keep me");
    const r = await runCli(["up", "--dir", other]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is not a weaver network directory/);
    assert.deepEqual(readdirSync(other), ["important.txt"]);
  });
});
