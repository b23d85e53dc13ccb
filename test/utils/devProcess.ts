/**
 * A `weaver dev` process from the built CLI (bin/weaver.js) for end-to-end tests: every port bound to 0 on loopback,
 * JSON log lines at level info handed to the caller as they arrive, the endpoints read from the start-up lines
 * ("MQTT listening", then "Node started"), and SIGKILL or SIGTERM to end it. WEAVER_TEST_LOG_LEVEL=debug in the test's
 * environment makes the process log more (e.g. which part a slow shutdown waits for).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { onLines } from "./polling.js";
import { WEAVER_CLI } from "./weaverProcess.js";

/** The environment of a test dev network: loopback, ports chosen by the system, info logs. */
export function devEnv(intervalMs: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    WEAVER_API_BIND: "127.0.0.1:0",
    WEAVER_MQTT_BIND: "127.0.0.1:0",
    WEAVER_P2P_BIND: "127.0.0.1:0",
    WEAVER_COORDINATOR_INTERVAL_MS: String(intervalMs),
    WEAVER_LOG_LEVEL: process.env.WEAVER_TEST_LOG_LEVEL ?? "info",
  };
}

export interface DevLogRecord {
  msg?: string;
  component?: string;
  [field: string]: unknown;
}

export interface ProcessEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface DevProcess {
  child: ChildProcess;
  /** `http://host:port` of the REST API. */
  apiUrl: string;
  /** `ws://host:port/mqtt`. */
  mqttWsUrl: string;
  exited: Promise<ProcessEnd>;
  /** The last lines of stdout and stderr, for failure messages. */
  tail(lines?: number): string;
  /** Throws with the output's tail if the process has exited. */
  assertAlive(): void;
  /** SIGKILL; resolves once the process is gone. */
  kill(): Promise<ProcessEnd>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<ProcessEnd>;
}

const KEPT_LINES = 400;

/**
 * Spawns `weaver dev --dir <dir>` and resolves once it logged "Node started"; rejects if it exits or hangs first.
 * `onRecord` sees every JSON log line, also those before the start.
 */
export function startDevProcess(
  dir: string,
  env: NodeJS.ProcessEnv,
  onRecord: (record: DevLogRecord) => void = () => undefined,
  timeoutMs = 20_000,
): Promise<DevProcess> {
  const child = spawn(process.execPath, [WEAVER_CLI, "dev", "--dir", dir], { env, stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  const keep = (line: string): void => {
    output.push(line);
    if (output.length > KEPT_LINES) output.splice(0, output.length - KEPT_LINES);
  };
  const exited = new Promise<ProcessEnd>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const tail = (lines = 30): string => output.slice(-lines).join("\n");
  const assertAlive = (): void => {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`weaver dev exited (${child.exitCode ?? child.signalCode}):\n${tail()}`);
    }
  };
  const kill = async (): Promise<ProcessEnd> => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    return exited;
  };
  const stop = async (graceMs = 10_000): Promise<ProcessEnd> => {
    if (child.exitCode !== null || child.signalCode !== null) return exited;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };
  return new Promise((resolve, reject) => {
    let mqttWsUrl: string | null = null;
    let started = false;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`weaver dev did not start within ${timeoutMs} ms:\n${tail()}`));
    }, timeoutMs);
    child.stderr?.setEncoding("utf8");
    child.stderr?.on("data", (chunk: string) => keep(chunk));
    onLines(child.stdout!, (line) => {
      keep(line);
      if (!line.startsWith("{")) return;
      const record = JSON.parse(line) as DevLogRecord;
      onRecord(record);
      if (record.msg === "MQTT listening" && typeof record.websocket === "string") mqttWsUrl = record.websocket;
      if (record.msg !== "Node started" || started) return;
      started = true;
      clearTimeout(timer);
      if (typeof record.api !== "string" || mqttWsUrl === null) {
        child.kill("SIGKILL");
        reject(new Error(`"Node started" without an API URL or no "MQTT listening" before it:\n${tail()}`));
        return;
      }
      resolve({ child, apiUrl: record.api, mqttWsUrl, exited, tail, assertAlive, kill, stop });
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      if (!started) reject(new Error(`weaver dev exited (${code ?? signal}) before it started:\n${tail()}`));
    });
  });
}
