/**
 * `weaver network up|down`: a local network of several node processes on loopback. The first `up` creates, in
 * `./.weaver-network/` (or `--dir`): a wallet holding the whole supply (as `weaver dev` makes it), two coordinator
 * keys, one genesis snapshot file that every node bootstraps from, and for each node a config file `node-<i>.json`
 * that `weaver start --config` runs as it is (ports picked once and kept, so restarts reuse them). node-0 runs the
 * coordinator and is the seed: the others know only its endpoint and find each other through discovery.
 *
 * `up` runs every node as its own process (its own process group, so Ctrl-C reaches `up` only and `up` stops the
 * nodes in order), logs each to `node-<i>.log`, prints one JSON line per node on stdout once it has started, and
 * runs until SIGINT/SIGTERM. `down` stops a network whose `up` was lost (or asks a running `up` to stop).
 */
import { type ChildProcess, spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createServer, type Server } from "node:net";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { ed25519PublicKey } from "../crypto/ed25519.js";
import { GOSSIP_MODES, type GossipMode } from "../node/nodeOptions.js";
import { bytesToHex, hexToBytes } from "../primitives/hex.js";
import { DEV_WALLET_FILE, prepareDevDirectory } from "./devCommand.js";
import { generateSnapshot } from "./tools/snapshotGenTool.js";

export const NETWORK_DIR = ".weaver-network";
export const LOCAL_NETWORK_NAME = "weaver-local";
/** Marks a directory as a local network's and records how it was created. */
export const NETWORK_FILE = "weaver-network.json";
/** Present while `up` runs: its pid and its nodes' pids, for `down`. */
export const PIDS_FILE = "pids.json";
export const GENESIS_FILE = "genesis.bin";
export const MAX_NODES = 32;
const DEFAULT_NODES = 4;
const HOST = "127.0.0.1";
const COORDINATOR_INTERVAL_MS = 1000;
/** As in `weaver dev`: real PoW on every message, quick enough for several nodes sharing a laptop's cores. */
const MIN_POW_SCORE = 1000;
const STOP_GRACE_MS = 10_000;
/** Bootstrapping from the genesis and opening LMDB on a loaded machine: generous. */
const START_TIMEOUT_MS = 60_000;
const POLL_MS = 100;
const LOG_TAIL_LINES = 5;

/** What `up` prints for each node, one JSON object a line. */
export interface NetworkNodeLine {
  name: string;
  /** `http://127.0.0.1:<port>` of the REST API (the MQTT WebSocket is `/mqtt` on it). */
  api: string;
  /** `mqtt://127.0.0.1:<port>`: the MQTT broker over TCP. */
  mqtt: string;
  /** `127.0.0.1:<port>`: the gossip endpoint, as a peer would dial it. */
  gossip: string;
  pid: number;
}

interface NetworkRecord {
  network: string;
  nodes: number;
  mode: GossipMode;
  createdAt: string;
}

interface PidsRecord {
  up: number;
  nodes: Array<{ name: string; pid: number; config: string }>;
}

interface Binds {
  gossip: string;
  api: string;
  mqtt: string;
}

/** A refusal: printed as one line, exit status 1. */
class NetworkCommandFailure extends Error {}

function failure(message: string): NetworkCommandFailure {
  return new NetworkCommandFailure(message);
}

const nodeName = (i: number): string => `node-${i}`;
const configPath = (dir: string, i: number): string => join(dir, `${nodeName(i)}.json`);

function parseNodeCount(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\d{1,3}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 1 && n <= MAX_NODES)) throw failure(`--nodes must be a whole number from 1 to ${MAX_NODES}, got ${text}`);
  return n;
}

function parseMode(text: string | undefined): GossipMode | undefined {
  if (text === undefined) return undefined;
  const mode = GOSSIP_MODES.find((m) => m === text);
  if (mode === undefined) throw failure(`--mode must be ${GOSSIP_MODES.join(" or ")}, got ${text}`);
  return mode;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}

function readNetworkRecord(dir: string): NetworkRecord {
  const record = readJson(join(dir, NETWORK_FILE)) as Partial<NetworkRecord> | undefined;
  if (
    record?.network !== LOCAL_NETWORK_NAME ||
    typeof record.nodes !== "number" ||
    !GOSSIP_MODES.some((m) => m === record.mode)
  ) {
    throw failure(`${join(dir, NETWORK_FILE)} is not the record of a ${LOCAL_NETWORK_NAME} network`);
  }
  return record as NetworkRecord;
}

/**
 * The network's record: created in a new or empty directory, read (and checked against the flags) in an existing
 * one. A directory with other files is someone else's and is left alone.
 */
function networkRecord(dir: string, nodes: number | undefined, mode: GossipMode | undefined): NetworkRecord {
  const entries = existsSync(dir) ? readdirSync(dir) : [];
  if (entries.length === 0) {
    const record: NetworkRecord = {
      network: LOCAL_NETWORK_NAME,
      nodes: nodes ?? DEFAULT_NODES,
      mode: mode ?? "infect",
      createdAt: new Date().toISOString(),
    };
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, NETWORK_FILE), `${JSON.stringify(record, null, 2)}\n`);
    return record;
  }
  if (!entries.includes(NETWORK_FILE)) {
    throw failure(`${dir} is not a weaver network directory (no ${NETWORK_FILE}); give an empty or new --dir`);
  }
  const record = readNetworkRecord(dir);
  if (nodes !== undefined && nodes !== record.nodes) {
    throw failure(
      `the network in ${dir} has ${record.nodes} nodes, not ${nodes}; give another --dir for a new network`,
    );
  }
  if (mode !== undefined && mode !== record.mode) {
    throw failure(`the network in ${dir} gossips in ${record.mode} mode, not ${mode}; edit gossip.mode in its configs`);
  }
  return record;
}

/** Ports that are free now: all listeners stay open until every port is chosen, so no two are the same. */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((done, reject) => {
        server.once("error", reject);
        server.listen({ host: HOST, port: 0 }, done);
      });
      const address = server.address();
      if (address === null || typeof address === "string") throw failure("could not find a free port on loopback");
      ports.push(address.port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  }
}

function nodeConfig(
  dir: string,
  i: number,
  binds: Binds,
  seed: string,
  record: NetworkRecord,
  publicKeys: string[],
  keyFiles: string[],
): Record<string, unknown> {
  const dataDir = join(dir, nodeName(i));
  return {
    dataDir,
    network: { name: LOCAL_NETWORK_NAME, minPowScore: MIN_POW_SCORE, milestones: { publicKeys, threshold: 2 } },
    bootstrap: { snapshot: join(dir, GENESIS_FILE) },
    p2p: {
      bind: binds.gossip,
      ...(i === 0 ? {} : { peers: [seed] }),
      // The same NodeId after a restart, so peers that know the node from discovery take it back.
      identityFile: join(dataDir, "identity.pem"),
    },
    gossip: { mode: record.mode },
    api: { bind: binds.api },
    mqtt: { bind: binds.mqtt },
    ...(i === 0 ? { coordinator: { enabled: true, intervalMs: COORDINATOR_INTERVAL_MS, keyFiles } } : {}),
    // "Node started" (info) is how `up` knows a node is up.
    logLevel: "info",
  };
}

function bindsOf(config: unknown, file: string): Binds {
  const c = config as { p2p?: { bind?: unknown }; api?: { bind?: unknown }; mqtt?: { bind?: unknown } } | undefined;
  const binds = { gossip: c?.p2p?.bind, api: c?.api?.bind, mqtt: c?.mqtt?.bind };
  for (const [key, value] of Object.entries(binds)) {
    if (typeof value !== "string") throw failure(`${file} has no ${key === "gossip" ? "p2p" : key}.bind`);
  }
  return binds as Binds;
}

/**
 * Creates what is missing (wallet, keys, genesis, configs) and returns each node's config file with its binds.
 * Everything is kept once written, so a later `up` runs the same network on the same ports.
 */
async function prepareNetwork(dir: string, record: NetworkRecord): Promise<Array<{ config: string; binds: Binds }>> {
  const { wallet, keyFiles } = prepareDevDirectory(dir);
  const genesis = join(dir, GENESIS_FILE);
  if (!existsSync(genesis)) {
    await generateSnapshot(
      { networkName: LOCAL_NETWORK_NAME, mintAddress: wallet.ed25519Address, out: genesis },
      Math.floor(Date.now() / 1000),
    );
  }
  const publicKeys = keyFiles.map((f) => bytesToHex(ed25519PublicKey(hexToBytes(readFileSync(f, "utf8").trim()))));
  const missing = Array.from({ length: record.nodes }, (_, i) => i).filter((i) => !existsSync(configPath(dir, i)));
  const ports = await freePorts(missing.length * 3);
  let next = 0;
  const take = (): string => `${HOST}:${ports[next++]}`;
  const nodes: Array<{ config: string; binds: Binds }> = [];
  for (let i = 0; i < record.nodes; i++) {
    const file = configPath(dir, i);
    if (missing.includes(i)) {
      const binds: Binds = { gossip: take(), api: take(), mqtt: take() };
      const seed = i === 0 ? binds.gossip : (nodes[0]?.binds.gossip ?? "");
      const config = nodeConfig(dir, i, binds, seed, record, publicKeys, keyFiles);
      writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
    }
    nodes.push({ config: file, binds: bindsOf(readJson(file), file) });
  }
  return nodes;
}

async function assertPortFree(bind: string, what: string): Promise<void> {
  const colon = bind.lastIndexOf(":");
  const host = bind.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  const port = Number(bind.slice(colon + 1));
  const server = createServer();
  const error = await new Promise<NodeJS.ErrnoException | null>((done) => {
    server.once("error", done);
    server.listen({ host, port }, () => server.close(() => done(null)));
  });
  if (error?.code === "EADDRINUSE") {
    throw failure(`${bind} (${what}) is in use by another program; free it or change the port in the config`);
  }
  if (error !== null) throw failure(`cannot listen on ${bind} (${what}): ${error.code ?? error.message}`);
}

/**
 * Whether `pid` is a running process whose command line holds every one of `args` (checked where /proc exists), so a
 * pid a stale pids file names is never taken for ours after the system gave it to another program.
 */
function isOurProcess(pid: number, args: readonly string[]): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return true;
  }
  const argv = cmdline.split("\0");
  return args.every((a) => argv.includes(a));
}

const UP_ARGS = ["network", "up"];
const nodeArgs = (config: string): string[] => ["start", "--config", config];

function readPids(dir: string): PidsRecord | null {
  const pids = readJson(join(dir, PIDS_FILE)) as Partial<PidsRecord> | undefined;
  if (typeof pids?.up !== "number" || !Array.isArray(pids.nodes)) return null;
  return pids as PidsRecord;
}

async function waitGone(pids: readonly number[], args: ReadonlyArray<readonly string[]>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (pids.some((pid, i) => isOurProcess(pid, args[i] ?? []))) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return true;
}

/** Follows a node's log file from `offset` until it logs "Node started"; fails if the node exits or hangs first. */
async function waitForStart(
  name: string,
  logFile: string,
  offset: number,
  child: ChildProcess,
): Promise<Omit<NetworkNodeLine, "pid">> {
  const fd = openSync(logFile, "r");
  const deadline = Date.now() + START_TIMEOUT_MS;
  let position = offset;
  let pending = "";
  const seen: string[] = [];
  let mqtt: string | null = null;
  try {
    for (;;) {
      const size = fstatSync(fd).size;
      if (size > position) {
        const buffer = Buffer.alloc(size - position);
        position += readSync(fd, buffer, 0, buffer.length, position);
        pending += buffer.toString("utf8");
        const lines = pending.split("\n");
        pending = lines.pop() ?? "";
        for (const line of lines) {
          seen.push(line);
          const entry = parseLogLine(line);
          if (entry?.msg === "MQTT listening" && typeof entry.tcp === "string") mqtt = entry.tcp;
          if (entry?.msg === "Node started" && typeof entry.api === "string" && typeof entry.listen === "string") {
            return { name, api: entry.api, mqtt: mqtt ?? "", gossip: entry.listen };
          }
        }
      } else if (child.exitCode !== null || child.signalCode !== null) {
        throw failure(`${name} exited before it started; ${logFile} ends:\n${tail([...seen, pending])}`);
      } else if (Date.now() > deadline) {
        throw failure(`${name} did not start within ${START_TIMEOUT_MS / 1000} s; ${logFile} ends:\n${tail(seen)}`);
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  } finally {
    closeSync(fd);
  }
}

function parseLogLine(line: string): Record<string, unknown> | null {
  if (!line.startsWith("{")) return null;
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function tail(lines: string[]): string {
  return lines
    .filter((l) => l.trim() !== "")
    .slice(-LOG_TAIL_LINES)
    .map((l) => `  ${l}`)
    .join("\n");
}

/** The nodes get their options from their config files alone: a WEAVER_* variable would apply to every node. */
function nodeEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("WEAVER_")));
}

const WEAVER_BIN = fileURLToPath(new URL("../../../bin/weaver.js", import.meta.url));

interface RunningNode {
  name: string;
  config: string;
  logFile: string;
  child: ChildProcess;
  exited: Promise<void>;
  /** Its JSON line is out: it started. */
  announced: boolean;
}

const isRunning = (child: ChildProcess): boolean => child.exitCode === null && child.signalCode === null;

/** Runs the prepared nodes until a signal (exit status 0), a node that fails to start or the end of every node (1). */
async function runNetwork(dir: string, nodes: ReadonlyArray<{ config: string }>): Promise<number> {
  const running: RunningNode[] = [];
  const pidsFile = join(dir, PIDS_FILE);
  let stopping: Promise<void> | null = null;
  let wake: (reason: "signal" | "all exited") => void = () => {};
  const woken = new Promise<"signal" | "all exited">((done) => {
    wake = done;
  });

  const writePids = (): void => {
    const record: PidsRecord = {
      up: process.pid,
      nodes: running.map((n) => ({ name: n.name, pid: n.child.pid ?? 0, config: n.config })),
    };
    writeFileSync(pidsFile, `${JSON.stringify(record, null, 2)}\n`);
  };
  const stopAll = (): Promise<void> => {
    stopping ??= (async () => {
      for (const n of running) if (isRunning(n.child)) n.child.kill("SIGTERM");
      const timer = setTimeout(() => {
        for (const n of running) if (isRunning(n.child)) n.child.kill("SIGKILL");
      }, STOP_GRACE_MS);
      await Promise.all(running.map((n) => n.exited));
      clearTimeout(timer);
      rmSync(pidsFile, { force: true });
    })();
    return stopping;
  };
  const onSignal = (): void => {
    if (stopping !== null) {
      // A second Ctrl-C: the user does not want to wait for clean closes.
      for (const n of running) if (isRunning(n.child)) n.child.kill("SIGKILL");
      return;
    }
    process.stderr.write("weaver network: stopping the nodes\n");
    void stopAll();
    wake("signal");
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  const start = (i: number, config: string): { node: RunningNode; ready: Promise<Omit<NetworkNodeLine, "pid">> } => {
    const name = nodeName(i);
    const logFile = join(dir, `${name}.log`);
    const fd = openSync(logFile, "a");
    const offset = fstatSync(fd).size;
    // Its own process group: Ctrl-C in the terminal reaches `up` alone, which then gives each node one SIGTERM.
    const child = spawn(process.execPath, [WEAVER_BIN, ...nodeArgs(config)], {
      detached: true,
      stdio: ["ignore", fd, fd],
      env: nodeEnv(),
    });
    closeSync(fd);
    const exited = new Promise<void>((done) => {
      child.once("exit", (code, sig) => {
        done();
        // One that never started is reported by the start itself.
        if (stopping !== null || !node.announced) return;
        process.stderr.write(
          `weaver network: ${name} (pid ${child.pid}) exited (${sig ?? `code ${code}`}); the other nodes keep running. Log: ${logFile}; restart it with: weaver start --config ${config}\n`,
        );
        if (running.length === nodes.length && !running.some((n) => isRunning(n.child))) wake("all exited");
      });
    });
    const node: RunningNode = { name, config, logFile, child, exited, announced: false };
    running.push(node);
    writePids();
    const ready = waitForStart(name, logFile, offset, child);
    // Awaited in node order below; a node that fails while an earlier one is awaited is reported when its turn comes.
    ready.catch(() => {});
    return { node, ready };
  };

  const signalled = woken.then(() => null);
  const announce = (node: RunningNode, line: Omit<NetworkNodeLine, "pid">): void => {
    node.announced = true;
    process.stdout.write(`${JSON.stringify({ ...line, pid: node.child.pid ?? 0 } satisfies NetworkNodeLine)}\n`);
  };
  try {
    // The seed first, so that the others reach it on their first dial.
    const seed = start(0, nodes[0]?.config ?? "");
    const first = await Promise.race([seed.ready, signalled]);
    if (first !== null) {
      announce(seed.node, first);
      for (const other of nodes.slice(1).map((n, j) => start(j + 1, n.config))) {
        const line = await Promise.race([other.ready, signalled]);
        if (line === null) break;
        announce(other.node, line);
      }
    }
  } catch (e) {
    if (!(e instanceof NetworkCommandFailure)) throw e;
    if (stopping === null) {
      process.stderr.write(`weaver network: ${e.message}\n`);
      await stopAll();
      return 1;
    }
  }
  let status = 0;
  if (stopping === null) {
    process.stderr.write(
      `weaver network: ${nodes.length} node(s) of ${LOCAL_NETWORK_NAME} running in ${dir} (wallet ${join(dir, DEV_WALLET_FILE)}, logs node-<i>.log); Ctrl-C stops them\n`,
    );
    if ((await woken) === "all exited") {
      process.stderr.write("weaver network: every node has exited\n");
      status = 1;
    }
  }
  await stopAll();
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  return status;
}

async function networkUp(flags: { dir: string; nodes?: string; mode?: string }): Promise<number> {
  const dir = resolve(flags.dir);
  const nodes = parseNodeCount(flags.nodes);
  const mode = parseMode(flags.mode);
  const record = networkRecord(dir, nodes, mode);
  const pids = readPids(dir);
  if (pids !== null) {
    if (isOurProcess(pids.up, UP_ARGS)) {
      throw failure(
        `the network in ${dir} is running already (pid ${pids.up}); \`weaver network down --dir ${flags.dir}\` stops it`,
      );
    }
    const left = pids.nodes.filter((n) => isOurProcess(n.pid, nodeArgs(n.config)));
    if (left.length > 0) {
      throw failure(
        `nodes of the network in ${dir} still run (${left.map((n) => `${n.name} pid ${n.pid}`).join(", ")}); \`weaver network down --dir ${flags.dir}\` stops them`,
      );
    }
  }
  const prepared = await prepareNetwork(dir, record);
  for (const [i, n] of prepared.entries()) {
    for (const [key, bind] of Object.entries(n.binds)) {
      await assertPortFree(bind, `${nodeName(i)} ${key === "gossip" ? "p2p" : key}.bind in ${n.config}`);
    }
  }
  return runNetwork(dir, prepared);
}

async function networkDown(flags: { dir: string }): Promise<number> {
  const dir = resolve(flags.dir);
  const pids = readPids(dir);
  if (pids === null) {
    process.stdout.write(`weaver network: no network is running in ${dir}\n`);
    return 0;
  }
  const nodes = pids.nodes.filter((n) => isOurProcess(n.pid, nodeArgs(n.config)));
  const nodeArgsList = nodes.map((n) => nodeArgs(n.config));
  // A running `up` stops its own nodes (one SIGTERM each: a second one would cut a node's clean close short).
  if (isOurProcess(pids.up, UP_ARGS)) {
    process.kill(pids.up, "SIGTERM");
    await waitGone([pids.up], [UP_ARGS], STOP_GRACE_MS * 2);
  } else {
    for (const n of nodes) process.kill(n.pid, "SIGTERM");
  }
  if (
    !(await waitGone(
      nodes.map((n) => n.pid),
      nodeArgsList,
      STOP_GRACE_MS,
    ))
  ) {
    for (const n of nodes) if (isOurProcess(n.pid, nodeArgs(n.config))) process.kill(n.pid, "SIGKILL");
    await waitGone(
      nodes.map((n) => n.pid),
      nodeArgsList,
      STOP_GRACE_MS,
    );
  }
  rmSync(join(dir, PIDS_FILE), { force: true });
  process.stdout.write(`weaver network: stopped ${nodes.length} node(s) in ${dir}\n`);
  return 0;
}

async function report(action: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await action();
  } catch (e) {
    if (!(e instanceof NetworkCommandFailure)) throw e;
    process.stderr.write(`weaver network: ${e.message}\n`);
    process.exitCode = 1;
  }
}

export function registerNetworkCommand(program: Command): void {
  const network = program
    .command("network")
    .description("run a local network of several node processes on loopback (one of them the coordinator)");
  network
    .command("up")
    .description(
      "create (first run) and run a local network: one JSON line per node on stdout ({name, api, mqtt, gossip, pid}), until Ctrl-C",
    )
    .option("--dir <dir>", "directory for the network's configs, data, logs, wallet and keys", NETWORK_DIR)
    .option("--nodes <n>", `number of nodes, 1..${MAX_NODES} (default: ${DEFAULT_NODES}, or the network's own)`)
    .option("--mode <mode>", `gossip mode of a new network: ${GOSSIP_MODES.join(" or ")} (default: infect)`)
    .action((flags: { dir: string; nodes?: string; mode?: string }) => report(() => networkUp(flags)));
  network
    .command("down")
    .description("stop the network running in --dir (its `up`, or nodes an interrupted `up` left behind)")
    .option("--dir <dir>", "the network's directory", NETWORK_DIR)
    .action((flags: { dir: string }) => report(() => networkDown(flags)));
}
