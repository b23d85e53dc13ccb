/**
 * A `weaver start` process from the built CLI (bin/weaver.js), for end-to-end tests: spawned with the given flags,
 * its JSON log lines collected, and its endpoints read from the start-up lines ("MQTT listening", then "Node started"),
 * so a test can bind every port to 0.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { onLines } from "./polling.js";
import { REPO_ROOT } from "./vectors.js";

export const WEAVER_CLI = join(REPO_ROOT, "bin", "weaver.js");

export interface WeaverProcess {
  child: ChildProcess;
  nodeIdHex: string;
  /** The gossip listener's port. */
  gossipPort: number;
  /** `http://host:port` of the REST API. */
  apiUrl: string;
  /** `ws://host:port/mqtt`: the MQTT broker as a WebSocket on the API port. */
  mqttWsUrl: string;
  /** stdout lines and stderr chunks, for failure messages. */
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Throws with the process's output if it has exited. */
  assertAlive(): void;
}

interface StartLine {
  msg?: string;
  nodeId?: string;
  listen?: string;
  api?: string;
  websocket?: string;
}

/** Spawns `weaver start <args>` and resolves once it logged "Node started"; rejects if it exits or hangs first. */
export function startWeaverProcess(args: readonly string[], timeoutMs = 20_000): Promise<WeaverProcess> {
  const child = spawn(process.execPath, [WEAVER_CLI, "start", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  const assertAlive = (): void => {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`weaver exited (${child.exitCode ?? child.signalCode}):\n${output.join("\n")}`);
    }
  };
  return new Promise((resolve, reject) => {
    let mqttWsUrl: string | null = null;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`weaver did not start within ${timeoutMs} ms:\n${output.join("\n")}`));
    }, timeoutMs);
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => output.push(chunk));
    onLines(child.stdout!, (line) => {
      output.push(line);
      if (!line.startsWith("{")) return;
      const record = JSON.parse(line) as StartLine;
      if (record.msg === "MQTT listening" && record.websocket !== undefined) mqttWsUrl = record.websocket;
      if (record.msg !== "Node started") return;
      clearTimeout(timer);
      if (record.nodeId === undefined || record.listen === undefined || record.api === undefined) {
        child.kill("SIGKILL");
        reject(new Error(`"Node started" lacks nodeId, listen or api: ${line}`));
        return;
      }
      if (mqttWsUrl === null) {
        child.kill("SIGKILL");
        reject(new Error(`no "MQTT listening" line with a websocket URL before "Node started":\n${output.join("\n")}`));
        return;
      }
      resolve({
        child,
        nodeIdHex: record.nodeId,
        gossipPort: Number(record.listen.split(":").pop()),
        apiUrl: record.api,
        mqttWsUrl,
        output,
        exited,
        assertAlive,
      });
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`weaver exited (${code ?? signal}) before it started:\n${output.join("\n")}`));
    });
  });
}

/** SIGTERM, then SIGKILL if the process has not exited within `graceMs`; resolves with how it ended. */
export async function stopWeaverProcess(
  p: WeaverProcess,
  graceMs = 5_000,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return p.exited;
  p.child.kill("SIGTERM");
  const timer = setTimeout(() => p.child.kill("SIGKILL"), graceMs);
  try {
    return await p.exited;
  } finally {
    clearTimeout(timer);
  }
}
