/**
 * `POST /api/v1/control/database/prune` and `POST /api/v1/control/snapshots/create` (chrysalis.md §10.2, Hornet 1.2.8
 * only; protected routes, auth.ts). The bodies are checked here; the node's NodeControl does the work and refuses what
 * its state rules out (a target above CMI − (BMD + 5), diffs already pruned, another prune or snapshot running).
 *
 * As in Hornet, a field given as null counts as absent, and the snapshot indexes treat 0 as absent too (Hornet's
 * request fields are plain integers there). `targetDatabaseSize` is a byte count, or a string with a unit as Hornet
 * parses it ("30GB", "500 MB", "1.5TiB": K, M, G, T, P, E are powers of 1024, with or without "B" or "iB").
 */
import type { FastifyPluginCallback } from "fastify";
import { SnapshotError } from "../../ledger/snapshot/snapshotError.js";
import { TangleError } from "../../tangle/tangleError.js";
import type {
  CreatedSnapshots,
  NodeControl,
  PruneRequest,
  RoutePluginOptions,
  SnapshotRequest,
} from "../apiContext.js";
import { ApiError } from "../apiError.js";

const U32_MAX = 0xffff_ffff;
const PRUNE_FIELDS = ["index", "depth", "targetDatabaseSize"] as const;
const SNAPSHOT_FIELDS = ["fullIndex", "deltaIndex"] as const;
const SIZE_TEXT = /^(\d{1,20}(?:\.\d{1,20})?) ?(?:([KMGTPE])(?:i?B)?|B)?$/i;
const UNIT_POWER: Readonly<Record<string, number>> = { K: 1, M: 2, G: 3, T: 4, P: 5, E: 6 };

/** `{fullIndex, deltaIndex, fullFilePath, deltaFilePath}`; the delta fields only when a delta was written. */
export interface CreatedSnapshotsJson {
  fullIndex: number;
  deltaIndex?: number;
  fullFilePath: string;
  deltaFilePath?: string;
}

function invalid(message: string): ApiError {
  return new ApiError("API_ERROR_INVALID_PARAMETER", message);
}

/** The body's fields (null = absent), refusing anything but a JSON object with only `fields`. */
function bodyFields<K extends string>(
  body: unknown,
  fields: readonly K[],
  optional: boolean,
): Partial<Record<K, unknown>> {
  const shape = `{${fields.map((f) => `"${f}": …`).join(", ")}}`;
  if (body === undefined && optional) return {};
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ApiError("API_ERROR_INVALID_BODY", `the body must be a JSON object ${shape}`);
  }
  const out: Partial<Record<K, unknown>> = {};
  for (const [key, value] of Object.entries(body)) {
    if (!(fields as readonly string[]).includes(key)) {
      throw invalid(`${JSON.stringify(key.slice(0, 64))} is not a field of this request; it takes ${shape}`);
    }
    if (value !== null) out[key as K] = value;
  }
  return out;
}

/** A milestone index or depth: a JSON integer from 0 to 2^32 − 1. */
function u32Field(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > U32_MAX) {
    throw invalid(`${name} must be a whole number from 0 to ${U32_MAX}`);
  }
  return value;
}

/** A byte count ≥ 1: a JSON integer, or a decimal with an optional unit (see the file comment). */
export function parseDatabaseSize(value: unknown): number {
  const what = 'targetDatabaseSize must be a number of bytes ≥ 1, or a size such as "30GB" or "500MB"';
  let bytes: number;
  if (typeof value === "number") {
    bytes = value;
  } else if (typeof value === "string") {
    const m = SIZE_TEXT.exec(value.trim());
    if (m === null) throw invalid(what);
    bytes = Math.floor(Number(m[1]) * 1024 ** (UNIT_POWER[(m[2] ?? "").toUpperCase()] ?? 0));
  } else {
    throw invalid(what);
  }
  if (!Number.isSafeInteger(bytes) || bytes < 1) throw invalid(what);
  return bytes;
}

/** Exactly one of index, depth and targetDatabaseSize. */
export function parsePruneRequest(body: unknown): PruneRequest {
  const f = bodyFields(body, PRUNE_FIELDS, false);
  const given = PRUNE_FIELDS.filter((name) => f[name] !== undefined);
  if (given.length !== 1) {
    throw invalid(
      `give exactly one of index, depth and targetDatabaseSize${given.length > 1 ? `, not ${given.join(" and ")}` : ""}`,
    );
  }
  if (f.index !== undefined) return { by: "index", index: u32Field(f.index, "index") };
  if (f.depth !== undefined) return { by: "depth", depth: u32Field(f.depth, "depth") };
  return { by: "size", targetBytes: parseDatabaseSize(f.targetDatabaseSize) };
}

/** fullIndex and deltaIndex, each optional (0 = absent, as in Hornet); a delta must lie above the full index. */
export function parseSnapshotRequest(body: unknown): SnapshotRequest {
  const f = bodyFields(body, SNAPSHOT_FIELDS, true);
  const full = f.fullIndex === undefined ? 0 : u32Field(f.fullIndex, "fullIndex");
  const delta = f.deltaIndex === undefined ? 0 : u32Field(f.deltaIndex, "deltaIndex");
  if (full !== 0 && delta !== 0 && delta <= full) {
    throw invalid(`deltaIndex ${delta} must be above fullIndex ${full}: a delta snapshot continues a full one`);
  }
  const request: SnapshotRequest = {};
  if (full !== 0) request.fullIndex = full;
  if (delta !== 0) request.deltaIndex = delta;
  return request;
}

export function createdSnapshotsJson(created: CreatedSnapshots): CreatedSnapshotsJson {
  const { fullIndex, fullFilePath, delta } = created;
  return delta === undefined
    ? { fullIndex, fullFilePath }
    : { fullIndex, deltaIndex: delta.index, fullFilePath, deltaFilePath: delta.filePath };
}

/** The answer to a refusal of the node's (see NodeControl); null for a failure of the node. */
function refusal(e: unknown): ApiError | null {
  if (e instanceof ApiError) return e;
  if (e instanceof TangleError && e.code === "TANGLE_ERROR_PRUNING_TARGET") return invalid(e.message);
  if (e instanceof SnapshotError) {
    switch (e.code) {
      case "SNAPSHOT_ERROR_DIFF_UNAVAILABLE":
        return invalid(e.message);
      case "SNAPSHOT_ERROR_LEDGER_CHANGED":
        return new ApiError("API_ERROR_CONTROL_UNAVAILABLE", `${e.message}; retry`);
      case "SNAPSHOT_ERROR_ABORTED":
        return new ApiError("API_ERROR_CONTROL_UNAVAILABLE", "the node is closing: the snapshot was not written");
    }
  }
  return null;
}

async function answer<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw refusal(e) ?? e;
  }
}

export const controlRoutes: FastifyPluginCallback<RoutePluginOptions> = (app, { ctx }, done) => {
  const control = (): NodeControl => {
    const c = ctx.deps.control ?? null;
    if (c === null) {
      throw new ApiError("API_ERROR_CONTROL_UNAVAILABLE", "this API server is not attached to a node it can control");
    }
    return c;
  };

  app.post("/control/database/prune", async (request) => {
    const c = control();
    const prune = parsePruneRequest(request.body);
    const { index } = await answer(() => c.prune(prune));
    return { data: { index } };
  });

  app.post("/control/snapshots/create", async (request) => {
    const c = control();
    const snapshot = parseSnapshotRequest(request.body);
    const created = await answer(() => c.createSnapshot(snapshot));
    return { data: createdSnapshotsJson(created) };
  });

  done();
};
