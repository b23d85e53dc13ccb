/**
 * The coordinator's memory of what it issued (chrysalis.md §5.4): the index and ids of its last milestone and that
 * milestone's complete bytes. It is written atomically (temporary file, fsync, rename, fsync of the directory)
 * BEFORE the milestone is handed to the network, so after a crash at any moment the coordinator either never issued
 * that index, or knows exactly which message it issued and sends the same bytes again — never a second, different
 * milestone with the same index.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { bytesToHex, hexToBytes, isHex } from "../primitives/hex.js";
import { NodeError } from "../util/nodeError.js";

export const COORDINATOR_ERROR_CODES = [
  /** The state file cannot be read or does not hold a valid state. */
  "COORDINATOR_ERROR_STATE_FILE",
  /** The state file and the database disagree about the milestones issued. */
  "COORDINATOR_ERROR_STATE_MISMATCH",
  /** Too few signing keys: a milestone needs at least two signatures to be readable by iota.js 1.8.6. */
  "COORDINATOR_ERROR_KEYS",
] as const;

export type CoordinatorErrorCode = (typeof COORDINATOR_ERROR_CODES)[number];

export class CoordinatorError extends NodeError<{ code: CoordinatorErrorCode }> {
  constructor(code: CoordinatorErrorCode, message: string) {
    super({ code }, message);
  }
}

export interface CoordinatorState {
  /** Index of the last milestone issued (0: none yet). */
  lastIndex: number;
  /** Message id of that milestone (32 bytes), absent before the first. */
  lastMessageId: Uint8Array | null;
  /** The complete message bytes, so a restart re-sends exactly what was issued. */
  lastMessageBytes: Uint8Array | null;
}

export const EMPTY_COORDINATOR_STATE: CoordinatorState = Object.freeze({
  lastIndex: 0,
  lastMessageId: null,
  lastMessageBytes: null,
});

interface StateJson {
  lastIndex: number;
  lastMessageId: string | null;
  lastMessageBytes: string | null;
}

/** Reads the state file; a missing file is the empty state (a coordinator that never issued anything). */
export function readCoordinatorState(file: string): CoordinatorState {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return EMPTY_COORDINATOR_STATE;
    throw new CoordinatorError("COORDINATOR_ERROR_STATE_FILE", `cannot read ${file}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new CoordinatorError("COORDINATOR_ERROR_STATE_FILE", `${file} is not valid JSON`);
  }
  const o = json as Partial<StateJson>;
  const idOk = o.lastMessageId === null || (typeof o.lastMessageId === "string" && o.lastMessageId.length === 64);
  const bytesOk = o.lastMessageBytes === null || typeof o.lastMessageBytes === "string";
  if (
    typeof json !== "object" ||
    json === null ||
    !Number.isInteger(o.lastIndex) ||
    (o.lastIndex as number) < 0 ||
    (o.lastIndex as number) > 0xffffffff ||
    !idOk ||
    !bytesOk ||
    (o.lastIndex === 0) !== (o.lastMessageId === null) ||
    (o.lastMessageId === null) !== (o.lastMessageBytes === null) ||
    (typeof o.lastMessageId === "string" && !isHex(o.lastMessageId)) ||
    (typeof o.lastMessageBytes === "string" && !isHex(o.lastMessageBytes))
  ) {
    throw new CoordinatorError(
      "COORDINATOR_ERROR_STATE_FILE",
      `${file} must hold {"lastIndex": u32, "lastMessageId": 64 hex digits | null, "lastMessageBytes": hex | null}, both null exactly when lastIndex is 0`,
    );
  }
  return {
    lastIndex: o.lastIndex as number,
    lastMessageId: o.lastMessageId === null ? null : hexToBytes(o.lastMessageId as string),
    lastMessageBytes: o.lastMessageBytes === null ? null : hexToBytes(o.lastMessageBytes as string),
  };
}

/** Writes the state durably: after this returns, a crash still finds it; before, the old state stays whole. */
export function writeCoordinatorState(file: string, state: CoordinatorState): void {
  const json: StateJson = {
    lastIndex: state.lastIndex,
    lastMessageId: state.lastMessageId === null ? null : bytesToHex(state.lastMessageId),
    lastMessageBytes: state.lastMessageBytes === null ? null : bytesToHex(state.lastMessageBytes),
  };
  const tmp = `${file}.tmp`;
  const fd = openSync(tmp, "w", 0o600);
  try {
    writeFileSync(fd, `${JSON.stringify(json)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
  // The rename itself must survive a power cut: sync the directory entry too.
  const dir = openSync(dirname(file), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
