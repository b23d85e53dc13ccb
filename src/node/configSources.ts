/**
 * Where node options come from, in rising priority: built-in defaults < a JSON config file (`--config`) < environment
 * variables (`WEAVER_…`) < command-line flags. Each source is read into the same nested shape that
 * validateNodeOptions() checks, so one validator gives every source the same errors; a value a source leaves out
 * (undefined) never hides a lower source's value.
 */
import { readFileSync } from "node:fs";
import { WeaverNodeError } from "./nodeError.js";
import { NODE_OPTION_DOCS, type NodeOptionPath } from "./nodeOptions.js";

/** Options whose value is a list: comma-separated in environment variables. */
const LIST_OPTIONS: ReadonlySet<NodeOptionPath> = new Set(["network.milestones.publicKeys", "p2p.peers"]);

/** `p2p.maxPeers` → `WEAVER_P2P_MAX_PEERS`. */
export function envVarName(path: NodeOptionPath): string {
  return `WEAVER_${path
    .split(".")
    .map((part) => part.replace(/([a-z0-9])([A-Z])/g, "$1_$2"))
    .join("_")
    .toUpperCase()}`;
}

/** Every option path with its environment variable, in documentation order. */
export function envVarNames(): Array<[NodeOptionPath, string]> {
  return (Object.keys(NODE_OPTION_DOCS) as NodeOptionPath[]).map((path) => [path, envVarName(path)]);
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next === "object" && next !== null && !Array.isArray(next)) node = next as Record<string, unknown>;
    else {
      const created: Record<string, unknown> = {};
      node[part] = created;
      node = created;
    }
  }
  node[parts[parts.length - 1]!] = value;
}

/** The `WEAVER_…` variables of `env` as options input (unset and empty variables are left out). */
export function optionsFromEnv(env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, name] of envVarNames()) {
    const raw = env[name];
    if (raw === undefined || raw.trim() === "") continue;
    const value = LIST_OPTIONS.has(path)
      ? raw
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== "")
      : raw.trim();
    setPath(out, path, value);
  }
  return out;
}

/** Reads a JSON config file; a missing, unreadable or malformed file is NODE_ERROR_CONFIG_INVALID naming the file. */
export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new WeaverNodeError(
      "NODE_ERROR_CONFIG_INVALID",
      `cannot read the config file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new WeaverNodeError(
      "NODE_ERROR_CONFIG_INVALID",
      `the config file ${file} is not valid JSON: ${(e as Error).message}`,
    );
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new WeaverNodeError("NODE_ERROR_CONFIG_INVALID", `the config file ${file} must hold one JSON object`);
  }
  return parsed as Record<string, unknown>;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Layers option inputs, later ones winning. Objects merge key by key; any other value (including a list) replaces;
 * undefined never replaces. Values that are not plain objects where an object is expected are kept as they are, so
 * the validator reports them.
 */
export function mergeOptionInputs(...layers: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const layer of layers) {
    if (!isPlainObject(layer)) continue;
    for (const [key, value] of Object.entries(layer)) {
      if (value === undefined) continue;
      const current = out[key];
      out[key] = isPlainObject(value) ? mergeOptionInputs(isPlainObject(current) ? current : {}, value) : value;
    }
  }
  return out;
}
