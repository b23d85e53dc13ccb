/**
 * Small helpers shared by the process-level tests and benches: polling a condition with a deadline, reading a
 * child's output line by line, and asking whether a pid still runs.
 */
import type { Readable } from "node:stream";

export interface PollOptions {
  deadlineMs: number;
  /** Errors that mean "not yet" (an API error while the node catches up); anything else fails at once. */
  isTransient(e: unknown): boolean;
  /** Runs before every try; throws to give up early (the process exited). */
  before?(): void;
  /** Appended to the timeout message (the end of a log). */
  context?(): string;
}

/** Calls `probe` every 50 ms until it returns a value, and returns it. */
export async function pollUntil<T>(what: string, probe: () => Promise<T | undefined>, o: PollOptions): Promise<T> {
  const deadline = Date.now() + o.deadlineMs;
  let last: unknown;
  for (;;) {
    o.before?.();
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (e) {
      if (!o.isTransient(e)) throw e;
      last = e;
    }
    if (Date.now() > deadline) {
      const context = o.context === undefined ? "" : `:\n${o.context()}`;
      throw new Error(`timed out after ${o.deadlineMs} ms waiting for ${what} (last error: ${String(last)})${context}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Calls `onLine` with every complete line `stream` writes (as UTF-8). */
export function onLines(stream: Readable, onLine: (line: string) => void): void {
  let pending = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  });
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
