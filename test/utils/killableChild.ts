/**
 * Runs a compiled test child (`node <script> <args>`) that reports progress as stdout lines, for the SIGKILL
 * crash tests: the caller reads each line and may ask for the child to be killed a little later.
 */
import { spawn } from "node:child_process";

export interface ChildExit {
  /** Killed by the guard: the child hung. */
  timedOut: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * Runs the child until it exits. Each complete stdout line goes to `onLine`, split on spaces, with `killAfter`, which
 * SIGKILLs the child `delayMs` later (only the first call counts). A child still running after `timeoutMs` is killed
 * and reported as timed out.
 */
export function runKillableChild(
  script: string,
  args: readonly string[],
  onLine: (words: string[], killAfter: (delayMs: number) => void) => void,
  timeoutMs = 20_000,
): Promise<ChildExit> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const exit: ChildExit = { timedOut: false, code: null, signal: null, stderr: "" };
  let pending = "";
  let triggered = false;
  const killAfter = (delayMs: number): void => {
    if (triggered) return;
    triggered = true;
    setTimeout(() => child.kill("SIGKILL"), delayMs);
  };
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) onLine(line.split(" "), killAfter);
  });
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    exit.stderr += chunk;
  });
  const guard = setTimeout(() => {
    exit.timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      clearTimeout(guard);
      exit.code = code;
      exit.signal = signal;
      resolve(exit);
    });
  });
}
