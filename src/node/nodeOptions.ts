/**
 * The options of a node: one table of paths with a description and a default (what `weaver start --help` prints,
 * and what configuration files and environment variables will map onto), and validateNodeOptions, which turns
 * whatever a user gave (command line, JSON) into a complete, checked NodeOptions or refuses with a message that names
 * the option. Numbers may arrive as decimal strings (command line, environment); lists as one string or an array.
 */
import { JWT_SECRET_MIN_BYTES, jwtKey } from "../api/jwt.js";
import { decodeBech32Address } from "../crypto/bech32.js";
import { blake2b256 } from "../crypto/blake2b.js";
import { ED25519_PUBLIC_KEY_LENGTH, ed25519AddressFromPublicKey, ed25519PublicKey } from "../crypto/ed25519.js";
import { isValidHost, parseEndpoint } from "../gossip/endpoint.js";
import type { Endpoint } from "../gossip/peerTypes.js";
import { LOG_LEVELS, type LogLevel } from "../logger/pinoLogger.js";
import { type MilestoneKeyRange, parseKeyRanges } from "../milestones/keyRanges.js";
import {
  MILESTONE_KEY_RANGES_DEVNET,
  MILESTONE_KEY_RANGES_MAINNET,
  MILESTONE_KEY_RANGES_PRIVATE_TANGLE,
  MILESTONE_PUBLIC_KEY_COUNT_DEVNET,
  MILESTONE_PUBLIC_KEY_COUNT_MAINNET,
  MILESTONE_PUBLIC_KEY_COUNT_PRIVATE_TANGLE,
  type MilestoneKeyRangeConfig,
} from "../params/milestoneKeys.js";
import { DUST_ALLOWANCE_MINIMUM, TOKEN_SUPPLY } from "../params/protocol.js";
import { utf8ToBytes } from "../primitives/bytes.js";
import { bytesToHex, hexToBytes, isHex } from "../primitives/hex.js";
import { DEFAULT_PRUNING_OPTIONS, SEP_CHECK_ADDITIONAL_THRESHOLD } from "../tangle/pruner.js";
import { NodeError } from "../util/nodeError.js";
import { WeaverNodeError } from "./nodeError.js";

export const MILESTONE_PRESETS = ["mainnet", "devnet", "private-tangle"] as const;
export type MilestonePreset = (typeof MILESTONE_PRESETS)[number];

export const GOSSIP_MODES = ["infect", "flood"] as const;
export type GossipMode = (typeof GOSSIP_MODES)[number];

export interface HostPort {
  host: string;
  port: number;
}

export type BootstrapOptions =
  /** A full snapshot file, loaded into an empty database. */
  | { kind: "snapshot"; path: string }
  /** The genesis snapshot of a new network, made by the node itself (chrysalis.md §11.4). */
  | { kind: "genesis"; address: Uint8Array; development: boolean }
  /** Nothing: the database must already hold a ledger. */
  | { kind: "none" };

export interface NodeOptions {
  dataDir: string;
  network: {
    name: string;
    minPowScore: number;
    milestones: {
      /** The preset the key ranges came from, or null for keys given one by one. */
      preset: MilestonePreset | null;
      keyRanges: readonly MilestoneKeyRange[];
      threshold: number;
    };
  };
  bootstrap: BootstrapOptions;
  p2p: {
    bind: HostPort;
    announce: HostPort | null;
    peers: readonly Endpoint[];
    identityFile: string | null;
    maxPeers: number;
  };
  gossip: { mode: GossipMode; infectionTarget: number };
  /** This node issues the network's milestones (chrysalis.md §5.4); private networks only. */
  coordinator: {
    enabled: boolean;
    intervalMs: number;
    /** Ed25519 private seeds (64 hex digits each); prefer keyFiles or the environment. */
    keys: string[];
    /** Files that each hold one 64-hex-digit Ed25519 private seed. */
    keyFiles: string[];
  };
  api: {
    bind: HostPort;
    /** HS256 secret of the API tokens (≥ 32 bytes); null = the protected routes are closed (403). */
    jwtSecret: string | null;
    /** Allow requests from any origin (CORS), as Hornet does. */
    cors: boolean;
    maxResults: number;
    /** Worker threads of the node's PoW engine for remote PoW (feature "PoW"); 0 = node PoW off. */
    powWorkers: number;
  };
  mqtt: {
    bind: HostPort;
  };
  pruning: {
    /** Milestones kept below the confirmed milestone index; 0 = no pruning by depth. */
    milestonesToKeep: number;
    /** Database size above which the node prunes further; 0 = no pruning by size. */
    targetDatabaseSizeBytes: number;
  };
  /** Hornet's faucet plugin: `/api/plugins/faucet/v1`. */
  faucet: {
    enabled: boolean;
    /** The wallet seed (hex, or a dev wallet JSON); set whenever enabled is. */
    seedFile: string | null;
    /** Iotas per request. */
    amount: number;
    /** An address may ask again after this many milliseconds. */
    perAddressIntervalMs: number;
  };
  /** Hornet's spammer plugin: `/api/plugins/spammer/v1` (protected routes). */
  spammer: { enabled: boolean };
  logLevel: LogLevel;
}

/** What a user may give; every field is optional and checked by validateNodeOptions. */
export interface NodeOptionsInput {
  dataDir?: string;
  network?: {
    name?: string;
    minPowScore?: number | string;
    milestones?: { preset?: string; publicKeys?: string | string[]; threshold?: number | string };
  };
  bootstrap?: { snapshot?: string; genesisAddress?: string };
  p2p?: {
    bind?: string;
    announce?: string;
    peers?: string | string[];
    identityFile?: string;
    maxPeers?: number | string;
  };
  gossip?: { mode?: string; infectionTarget?: number | string };
  mqtt?: { bind?: string };
  coordinator?: { enabled?: boolean | string; intervalMs?: number | string; keys?: string[]; keyFiles?: string[] };
  pruning?: { milestonesToKeep?: number | string; targetDatabaseSizeBytes?: number | string };
  faucet?: {
    enabled?: boolean | string;
    seedFile?: string;
    amount?: number | string;
    perAddressIntervalMs?: number | string;
  };
  spammer?: { enabled?: boolean | string };
  api?: {
    bind?: string;
    jwtSecret?: string;
    cors?: boolean | string;
    maxResults?: number | string;
    powWorkers?: number | string;
  };
  logLevel?: string;
}

/** `bootstrap.genesisAddress` value that stands for the development genesis address. */
export const DEVELOPMENT_GENESIS = "development";
/** The text whose BLAKE2b-256 is the Ed25519 seed of the development genesis address. */
export const DEVELOPMENT_GENESIS_SEED_TEXT = "weaver-dev-genesis";

/**
 * The address that holds the whole supply in a development network: Ed25519 seed BLAKE2b-256(utf8
 * "weaver-dev-genesis"), so anyone can spend from it. For local networks only.
 */
export function developmentGenesisAddress(): Uint8Array {
  return ed25519AddressFromPublicKey(ed25519PublicKey(blake2b256(utf8ToBytes(DEVELOPMENT_GENESIS_SEED_TEXT))));
}

export const DEFAULT_DATA_DIR = "./.weaver";
export const DEFAULT_NETWORK_NAME = "weaver-private";
/** Hornet's mainnet minimum (TIP-12); a private network may lower it, down to 0 (no PoW). */
export const DEFAULT_MIN_POW_SCORE = 4000;
/** Hornet's published private-tangle test keys: anyone can sign with them, which is what a dev network wants. */
export const DEFAULT_MILESTONE_PRESET: MilestonePreset = "private-tangle";
export const DEFAULT_GOSSIP_PORT = 15600;
export const DEFAULT_BIND = `0.0.0.0:${DEFAULT_GOSSIP_PORT}`;
/** protocol/network.md §2. */
export const DEFAULT_MAX_PEERS = 32;
export const MAX_PEERS_LIMIT = 1024;
/** protocol/network.md §4. */
export const DEFAULT_GOSSIP_MODE: GossipMode = "infect";
export const DEFAULT_INFECTION_TARGET = 3;
export const DEFAULT_LOG_LEVEL: LogLevel = "info";
/** Hornet's REST API port (chrysalis.md §10.1). */
export const DEFAULT_API_PORT = 14265;
export const DEFAULT_API_BIND = `0.0.0.0:${DEFAULT_API_PORT}`;
/** Hornet's coordinator default: a milestone every 10 s; `weaver dev` uses a shorter one. */
export const DEFAULT_COORDINATOR_INTERVAL_MS = 10_000;
export const COORDINATOR_INTERVAL_MIN_MS = 100;
export const COORDINATOR_INTERVAL_MAX_MS = 3_600_000;
/** TIP-16 / Hornet: the MQTT broker's TCP port; the same broker also answers WebSockets at /mqtt on the API port. */
export const DEFAULT_MQTT_BIND = "0.0.0.0:1883";
/** One PoW worker keeps a core for ingestion and confirmation on a small machine; remote PoW is a convenience. */
export const DEFAULT_API_POW_WORKERS = 1;
export const API_POW_WORKERS_MAX = 64;
/** Hornet `restAPI.limits.maxResults` (chrysalis.md §10.1). */
export const DEFAULT_API_MAX_RESULTS = 1000;
/** Every result list is built in memory before it is sent; this keeps one request from building a huge one. */
export const API_MAX_RESULTS_LIMIT = 100_000;
/** Hornet's faucet default: 10 Mi a request. */
export const DEFAULT_FAUCET_AMOUNT = 10_000_000;
/** TIP-15: smaller outputs are dust, which the requester's address could not receive without an allowance. */
export const FAUCET_AMOUNT_MIN = DUST_ALLOWANCE_MINIMUM;
export const DEFAULT_FAUCET_INTERVAL_MS = 60_000;
/** Hornet's pruning.milestones.maxMilestonesToKeep: one week of 10-second milestones. */
export const DEFAULT_PRUNING_MILESTONES_TO_KEEP = DEFAULT_PRUNING_OPTIONS.milestonesToKeep;
/** The pruner never goes above CMI − (BMD + 5): its solid entry points need those milestones (tangle/pruner.ts). */
const PRUNING_MILESTONES_ALWAYS_KEPT = DEFAULT_PRUNING_OPTIONS.belowMaxDepth + SEP_CHECK_ADDITIONAL_THRESHOLD;
const U32_MAX = 0xffff_ffff;
const NETWORK_NAME_MAX_LENGTH = 64;
/** TIP-8 allows up to 255 signatures per milestone. */
const MAX_MILESTONE_KEYS = 255;

export interface NodeOptionDoc {
  describe: string;
  /** The default as a user would write it; absent when the option has none. */
  default?: string;
}

/** Every option by its path, with what it does and its default. */
export const NODE_OPTION_DOCS = {
  dataDir: {
    describe: "directory for the database (db/), the genesis snapshot and network.json; created when missing",
    default: DEFAULT_DATA_DIR,
  },
  "network.name": {
    describe: `network name; its BLAKE2b-256 gives the network id every message carries (1..${NETWORK_NAME_MAX_LENGTH} printable ASCII characters)`,
    default: DEFAULT_NETWORK_NAME,
  },
  "network.minPowScore": {
    describe: "minimum TIP-12 PoW score of unrequested messages (0 = no PoW, for private networks)",
    default: String(DEFAULT_MIN_POW_SCORE),
  },
  "network.milestones.preset": {
    describe: `coordinator keys and threshold of a known network: ${MILESTONE_PRESETS.join(", ")}; used when no public keys are given`,
    default: DEFAULT_MILESTONE_PRESET,
  },
  "network.milestones.publicKeys": {
    describe: "coordinator Ed25519 public keys (64 hex digits each), valid from milestone 1 on; replaces the preset",
  },
  "network.milestones.threshold": {
    describe: "signatures every milestone needs (default: the preset's count, or 1 with explicit keys)",
  },
  "bootstrap.snapshot": {
    describe: "full snapshot file loaded into an empty database",
  },
  "bootstrap.genesisAddress": {
    describe: `Ed25519 address (bech32 or 64 hex digits) that receives the whole supply in a new network's genesis, made by the node for an empty database; "${DEVELOPMENT_GENESIS}" = the development address of the seed BLAKE2b-256("${DEVELOPMENT_GENESIS_SEED_TEXT}")`,
  },
  "p2p.bind": {
    describe: "host:port the peer-to-peer listener binds (port 0 = any free port)",
    default: DEFAULT_BIND,
  },
  "p2p.announce": {
    describe: "host:port other nodes should dial to reach this one (default: the bound address and port)",
  },
  "p2p.peers": {
    describe: "peers to dial: host:port or <nodeIdHex>@host:port",
  },
  "p2p.identityFile": {
    describe: "file that keeps the node's TLS key across restarts (default: a new identity every start)",
  },
  "p2p.maxPeers": {
    describe: `most connected peers (1..${MAX_PEERS_LIMIT})`,
    default: String(DEFAULT_MAX_PEERS),
  },
  "gossip.mode": {
    describe: `how new messages spread: ${GOSSIP_MODES.join(" or ")}`,
    default: DEFAULT_GOSSIP_MODE,
  },
  "gossip.infectionTarget": {
    describe: "peers each new message is pushed to in infect mode",
    default: String(DEFAULT_INFECTION_TARGET),
  },
  "coordinator.enabled": {
    describe:
      "issue this network's milestones (private networks; the keys' public keys must be network.milestones keys)",
    default: "false",
  },
  "coordinator.intervalMs": {
    describe: `milliseconds between milestones (${COORDINATOR_INTERVAL_MIN_MS}..${COORDINATOR_INTERVAL_MAX_MS})`,
    default: String(DEFAULT_COORDINATOR_INTERVAL_MS),
  },
  "coordinator.keys": {
    describe:
      "coordinator signing keys: Ed25519 private seeds of 64 hex digits (at least two). Prefer the environment variable or key files: flags show in the process list",
  },
  "coordinator.keyFiles": {
    describe: "files holding one 64-hex-digit Ed25519 private seed each (at least two keys with coordinator.keys)",
  },
  "mqtt.bind": {
    describe:
      "host:port of the MQTT event API over TCP (TIP-16; also served as a WebSocket at /mqtt on the API port; port 0 = any free port)",
    default: DEFAULT_MQTT_BIND,
  },
  "api.bind": {
    describe: "host:port the REST API listens on (port 0 = any free port)",
    default: DEFAULT_API_BIND,
  },
  "api.jwtSecret": {
    describe: `secret (at least ${JWT_SECRET_MIN_BYTES} bytes) that signs the API tokens of the protected routes (peers, control); without it those routes answer 403. Prefer the environment variable or the config file: flags show in the process list`,
  },
  "api.cors": {
    describe: "answer browsers from any origin (CORS): true or false",
    default: "true",
  },
  "api.maxResults": {
    describe: `most entries of a result list (1..${API_MAX_RESULTS_LIMIT})`,
    default: String(DEFAULT_API_MAX_RESULTS),
  },
  "api.powWorkers": {
    describe: `worker threads that do PoW for submitted messages without a nonce (remote PoW, feature "PoW"; 0 = off, max ${API_POW_WORKERS_MAX})`,
    default: String(DEFAULT_API_POW_WORKERS),
  },
  "pruning.milestonesToKeep": {
    describe: `milestones kept below the confirmed one: after each confirmed milestone, older messages, milestones and ledger diffs are deleted (0 = never by depth; the newest ${PRUNING_MILESTONES_ALWAYS_KEPT} are always kept)`,
    default: String(DEFAULT_PRUNING_MILESTONES_TO_KEEP),
  },
  "pruning.targetDatabaseSizeBytes": {
    describe:
      "database size in bytes above which the node prunes further than pruning.milestonesToKeep, at most every 5 minutes (0 = off)",
    default: "0",
  },
  "faucet.enabled": {
    describe:
      "run the faucet (POST /api/plugins/faucet/v1/enqueue, GET …/info, public routes) that sends faucet.amount to each address that asks, from the wallet of faucet.seedFile",
    default: "false",
  },
  "faucet.seedFile": {
    describe:
      "file holding the faucet's wallet seed: 16..64 bytes of hex, or a weaver dev wallet JSON (seedHex); the faucet spends from the seed's address m/44'/4218'/0'/0'/0', as iota.js derives it",
  },
  "faucet.amount": {
    describe: `iotas the faucet sends per request (${FAUCET_AMOUNT_MIN}..${TOKEN_SUPPLY}: smaller outputs are dust)`,
    default: String(DEFAULT_FAUCET_AMOUNT),
  },
  "faucet.perAddressIntervalMs": {
    describe: "milliseconds before the faucet serves the same address again",
    default: String(DEFAULT_FAUCET_INTERVAL_MS),
  },
  "spammer.enabled": {
    describe:
      "serve the spammer for benchmarks (POST /api/plugins/spammer/v1/start {mps, valueTransactions}, …/stop, GET …/status; protected routes); value transfers need the faucet",
    default: "false",
  },
  logLevel: {
    describe: `log level: ${LOG_LEVELS.join(", ")}`,
    default: DEFAULT_LOG_LEVEL,
  },
} as const satisfies Record<string, NodeOptionDoc>;

export type NodeOptionPath = keyof typeof NODE_OPTION_DOCS;

/** The option's description followed by its default, as help texts show it. */
export function describeOption(path: NodeOptionPath): string {
  const doc: NodeOptionDoc = NODE_OPTION_DOCS[path];
  return doc.default === undefined ? doc.describe : `${doc.describe} (default: ${doc.default})`;
}

// ---- validation ---------------------------------------------------------------------------------------------------

function fail(option: string, problem: string): never {
  throw new WeaverNodeError("NODE_ERROR_CONFIG_INVALID", `${option} ${problem}`, { option });
}

function shown(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
}

function join(prefix: string, key: string): string {
  return prefix === "" ? key : `${prefix}.${key}`;
}

/** The object at `path` (empty when absent), refusing keys that are not options. */
function section(value: unknown, path: string, keys: readonly string[]): Record<string, unknown> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(path === "" ? "the options" : path, `must be an object, got ${shown(value)}`);
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!keys.includes(key)) fail(join(path, key), `is not an option (known here: ${keys.join(", ")})`);
  }
  return record;
}

function optionalString(value: unknown, path: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.length === 0) fail(path, `must be a non-empty string, got ${shown(value)}`);
  return value;
}

function optionalChoice<T extends string>(value: unknown, path: string, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !(choices as readonly string[]).includes(value)) {
    fail(path, `must be one of ${choices.join(", ")}, got ${shown(value)}`);
  }
  return value as T;
}

const DECIMAL = /^\d+(\.\d+)?$/;

/** A number in min..max (an integer when asked), given as a number or as a decimal string. */
function optionalNumber(
  value: unknown,
  path: string,
  range: { min: number; max: number; integer: boolean },
): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === "string" && DECIMAL.test(value.trim()) ? Number(value.trim()) : value;
  const ok =
    typeof n === "number" &&
    Number.isFinite(n) &&
    (!range.integer || Number.isSafeInteger(n)) &&
    n >= range.min &&
    n <= range.max;
  if (!ok) {
    const what = range.integer ? "a whole number" : "a number";
    const bounds = range.max === Number.MAX_VALUE ? `≥ ${range.min}` : `from ${range.min} to ${range.max}`;
    fail(path, `must be ${what} ${bounds}, got ${shown(value)}`);
  }
  return n;
}

/** true or false, also as the strings "true" and "false" (command line, environment). */
function optionalBoolean(value: unknown, path: string): boolean | undefined {
  if (value === undefined || typeof value === "boolean") return value;
  const text = typeof value === "string" ? value.trim().toLowerCase() : null;
  if (text === "true") return true;
  if (text === "false") return false;
  return fail(path, `must be true or false, got ${shown(value)}`);
}

/** One string or a list of strings. */
function optionalStringList(value: unknown, path: string): string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list)) fail(path, `must be a string or a list of strings, got ${shown(value)}`);
  return list.map((item: unknown, i) => {
    if (typeof item !== "string" || item.length === 0) {
      fail(`${path}[${i}]`, `must be a non-empty string, got ${shown(item)}`);
    }
    return item;
  });
}

/** `host:port`, with IPv6 hosts in brackets (`[::1]:15600`). */
function parseHostPort(text: string, path: string, minPort: number): HostPort {
  const colon = text.lastIndexOf(":");
  if (colon < 0) fail(path, `must be host:port, got ${shown(text)}`);
  let host = text.slice(0, colon);
  const portText = text.slice(colon + 1);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  else if (host.includes(":")) fail(path, `must put an IPv6 host in brackets ([::1]:${portText}), got ${shown(text)}`);
  if (!isValidHost(host))
    fail(path, `must start with an IPv4 address, an IPv6 address or a DNS name, got ${shown(text)}`);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= minPort && port <= 65535)) {
    fail(path, `must end in a port from ${minPort} to 65535, got ${shown(text)}`);
  }
  return { host, port };
}

function parseNetworkName(value: unknown): string {
  const path = "network.name";
  const name = optionalString(value, path) ?? DEFAULT_NETWORK_NAME;
  if (name.length > NETWORK_NAME_MAX_LENGTH || !/^[\x21-\x7e]+$/.test(name)) {
    fail(path, `must be 1..${NETWORK_NAME_MAX_LENGTH} printable ASCII characters without spaces, got ${shown(name)}`);
  }
  return name;
}

const PRESETS: Record<MilestonePreset, { ranges: readonly MilestoneKeyRangeConfig[]; threshold: number }> = {
  mainnet: { ranges: MILESTONE_KEY_RANGES_MAINNET, threshold: MILESTONE_PUBLIC_KEY_COUNT_MAINNET },
  devnet: { ranges: MILESTONE_KEY_RANGES_DEVNET, threshold: MILESTONE_PUBLIC_KEY_COUNT_DEVNET },
  "private-tangle": {
    ranges: MILESTONE_KEY_RANGES_PRIVATE_TANGLE,
    threshold: MILESTONE_PUBLIC_KEY_COUNT_PRIVATE_TANGLE,
  },
};

function parseMilestones(value: unknown): NodeOptions["network"]["milestones"] {
  const path = "network.milestones";
  const m = section(value, path, ["preset", "publicKeys", "threshold"]);
  const preset = optionalChoice(m.preset, `${path}.preset`, MILESTONE_PRESETS);
  const keys = optionalStringList(m.publicKeys, `${path}.publicKeys`);
  if (preset !== undefined && keys !== undefined) {
    fail(`${path}.publicKeys`, `cannot be combined with ${path}.preset: give a preset or keys, not both`);
  }
  let keyRanges: MilestoneKeyRange[];
  let defaultThreshold: number;
  if (keys === undefined) {
    const chosen = PRESETS[preset ?? DEFAULT_MILESTONE_PRESET];
    keyRanges = parseKeyRanges(chosen.ranges);
    defaultThreshold = chosen.threshold;
  } else {
    const seen = new Set<string>();
    keyRanges = keys.map((key, i) => {
      const keyPath = `${path}.publicKeys[${i}]`;
      if (key.length !== ED25519_PUBLIC_KEY_LENGTH * 2 || !isHex(key)) {
        fail(
          keyPath,
          `must be an Ed25519 public key of ${ED25519_PUBLIC_KEY_LENGTH * 2} hex digits, got ${shown(key)}`,
        );
      }
      if (seen.has(key.toLowerCase())) fail(keyPath, `repeats the key ${key}`);
      seen.add(key.toLowerCase());
      // Milestone indexes start at 1 (TIP-8), so "from 1, open-ended" covers the whole life of the network.
      return { publicKey: hexToBytes(key), startIndex: 1, endIndex: 0 };
    });
    defaultThreshold = 1;
  }
  const distinctKeys = new Set(keyRanges.map((r) => bytesToHex(r.publicKey))).size;
  const threshold =
    optionalNumber(m.threshold, `${path}.threshold`, {
      min: 1,
      max: Math.min(distinctKeys, MAX_MILESTONE_KEYS),
      integer: true,
    }) ?? defaultThreshold;
  return { preset: keys === undefined ? (preset ?? DEFAULT_MILESTONE_PRESET) : null, keyRanges, threshold };
}

/** An Ed25519 address as bech32 (any human-readable part) or as its 32 bytes in hex. */
function parseAddress(text: string, path: string): Uint8Array {
  if (text.length === 64 && isHex(text)) return hexToBytes(text);
  try {
    return decodeBech32Address(text).address.slice(1);
  } catch (e) {
    const reason = e instanceof NodeError ? ` (${e.message})` : "";
    return fail(path, `must be a bech32 Ed25519 address or 64 hex digits, got ${shown(text)}${reason}`);
  }
}

function parseBootstrap(value: unknown): BootstrapOptions {
  const path = "bootstrap";
  const b = section(value, path, ["snapshot", "genesisAddress"]);
  const snapshot = optionalString(b.snapshot, `${path}.snapshot`);
  const genesis = optionalString(b.genesisAddress, `${path}.genesisAddress`);
  if (snapshot !== undefined && genesis !== undefined) {
    fail(`${path}.genesisAddress`, `cannot be combined with ${path}.snapshot: a database starts from one of them`);
  }
  if (snapshot !== undefined) return { kind: "snapshot", path: snapshot };
  if (genesis === DEVELOPMENT_GENESIS) {
    return { kind: "genesis", address: developmentGenesisAddress(), development: true };
  }
  if (genesis !== undefined) {
    return { kind: "genesis", address: parseAddress(genesis, `${path}.genesisAddress`), development: false };
  }
  return { kind: "none" };
}

function parsePeers(value: unknown): Endpoint[] {
  const path = "p2p.peers";
  return (optionalStringList(value, path) ?? []).map((text, i) => {
    try {
      return parseEndpoint(text);
    } catch (e) {
      if (!(e instanceof NodeError)) throw e;
      return fail(`${path}[${i}]`, `is not a peer endpoint: ${e.message}`);
    }
  });
}

function parseP2p(value: unknown): NodeOptions["p2p"] {
  const path = "p2p";
  const p = section(value, path, ["bind", "announce", "peers", "identityFile", "maxPeers"]);
  const announce = optionalString(p.announce, `${path}.announce`);
  return {
    bind: parseHostPort(optionalString(p.bind, `${path}.bind`) ?? DEFAULT_BIND, `${path}.bind`, 0),
    announce: announce === undefined ? null : parseHostPort(announce, `${path}.announce`, 1),
    peers: parsePeers(p.peers),
    identityFile: optionalString(p.identityFile, `${path}.identityFile`) ?? null,
    maxPeers:
      optionalNumber(p.maxPeers, `${path}.maxPeers`, { min: 1, max: MAX_PEERS_LIMIT, integer: true }) ??
      DEFAULT_MAX_PEERS,
  };
}

function parseGossip(value: unknown): NodeOptions["gossip"] {
  const path = "gossip";
  const g = section(value, path, ["mode", "infectionTarget"]);
  return {
    mode: optionalChoice(g.mode, `${path}.mode`, GOSSIP_MODES) ?? DEFAULT_GOSSIP_MODE,
    infectionTarget:
      optionalNumber(g.infectionTarget, `${path}.infectionTarget`, { min: 1, max: MAX_PEERS_LIMIT, integer: true }) ??
      DEFAULT_INFECTION_TARGET,
  };
}

/** The secret itself never appears in an error message: only its length does. */
function parseJwtSecret(value: unknown): string | null {
  const path = "api.jwtSecret";
  if (value === undefined) return null;
  if (typeof value !== "string" || value.length === 0) fail(path, "must be a non-empty string");
  if (jwtKey(value) === null) {
    fail(
      path,
      `must be at least ${JWT_SECRET_MIN_BYTES} bytes (UTF-8), got ${new TextEncoder().encode(value).length}; a random one: openssl rand -hex 32`,
    );
  }
  return value;
}

function parseCoordinator(value: unknown): NodeOptions["coordinator"] {
  const path = "coordinator";
  const c = section(value, path, ["enabled", "intervalMs", "keys", "keyFiles"]);
  const keys = optionalStringList(c.keys, `${path}.keys`) ?? [];
  keys.forEach((key, i) => {
    if (key.length !== 64 || !isHex(key))
      fail(`${path}.keys[${i}]`, "must be an Ed25519 private seed of 64 hex digits");
  });
  const keyFiles = optionalStringList(c.keyFiles, `${path}.keyFiles`) ?? [];
  const enabled = optionalBoolean(c.enabled, `${path}.enabled`) ?? false;
  if (enabled && keys.length + keyFiles.length < 2) {
    fail(`${path}.keys`, "a coordinator needs at least two keys (coordinator.keys or coordinator.keyFiles)");
  }
  return {
    enabled,
    intervalMs:
      optionalNumber(c.intervalMs, `${path}.intervalMs`, {
        min: COORDINATOR_INTERVAL_MIN_MS,
        max: COORDINATOR_INTERVAL_MAX_MS,
        integer: true,
      }) ?? DEFAULT_COORDINATOR_INTERVAL_MS,
    keys,
    keyFiles,
  };
}

function parseMqtt(value: unknown): NodeOptions["mqtt"] {
  const m = section(value, "mqtt", ["bind"]);
  return { bind: parseHostPort(optionalString(m.bind, "mqtt.bind") ?? DEFAULT_MQTT_BIND, "mqtt.bind", 0) };
}

function parsePruning(value: unknown): NodeOptions["pruning"] {
  const path = "pruning";
  const p = section(value, path, ["milestonesToKeep", "targetDatabaseSizeBytes"]);
  return {
    milestonesToKeep:
      optionalNumber(p.milestonesToKeep, `${path}.milestonesToKeep`, { min: 0, max: U32_MAX, integer: true }) ??
      DEFAULT_PRUNING_MILESTONES_TO_KEEP,
    targetDatabaseSizeBytes:
      optionalNumber(p.targetDatabaseSizeBytes, `${path}.targetDatabaseSizeBytes`, {
        min: 0,
        max: Number.MAX_SAFE_INTEGER,
        integer: true,
      }) ?? 0,
  };
}

function parseFaucet(value: unknown): NodeOptions["faucet"] {
  const path = "faucet";
  const f = section(value, path, ["enabled", "seedFile", "amount", "perAddressIntervalMs"]);
  const enabled = optionalBoolean(f.enabled, `${path}.enabled`) ?? false;
  const seedFile = optionalString(f.seedFile, `${path}.seedFile`) ?? null;
  const amount =
    optionalNumber(f.amount, `${path}.amount`, { min: FAUCET_AMOUNT_MIN, max: TOKEN_SUPPLY, integer: true }) ??
    DEFAULT_FAUCET_AMOUNT;
  const perAddressIntervalMs =
    optionalNumber(f.perAddressIntervalMs, `${path}.perAddressIntervalMs`, { min: 0, max: U32_MAX, integer: true }) ??
    DEFAULT_FAUCET_INTERVAL_MS;
  if (enabled && seedFile === null) fail(`${path}.seedFile`, "is needed when faucet.enabled is true");
  return { enabled, seedFile, amount, perAddressIntervalMs };
}

function parseSpammer(value: unknown): NodeOptions["spammer"] {
  const s = section(value, "spammer", ["enabled"]);
  return { enabled: optionalBoolean(s.enabled, "spammer.enabled") ?? false };
}

function parseApi(value: unknown): NodeOptions["api"] {
  const path = "api";
  const a = section(value, path, ["bind", "jwtSecret", "cors", "maxResults", "powWorkers"]);
  return {
    bind: parseHostPort(optionalString(a.bind, `${path}.bind`) ?? DEFAULT_API_BIND, `${path}.bind`, 0),
    jwtSecret: parseJwtSecret(a.jwtSecret),
    cors: optionalBoolean(a.cors, `${path}.cors`) ?? true,
    maxResults:
      optionalNumber(a.maxResults, `${path}.maxResults`, { min: 1, max: API_MAX_RESULTS_LIMIT, integer: true }) ??
      DEFAULT_API_MAX_RESULTS,
    powWorkers:
      optionalNumber(a.powWorkers, `${path}.powWorkers`, { min: 0, max: API_POW_WORKERS_MAX, integer: true }) ??
      DEFAULT_API_POW_WORKERS,
  };
}

/**
 * Checks `input` (a NodeOptionsInput from any source) and fills in the defaults. Throws WeaverNodeError
 * NODE_ERROR_CONFIG_INVALID on the first problem; the message starts with the option's path and the error's
 * `type.option` holds it.
 */
export function validateNodeOptions(input: unknown): NodeOptions {
  const top = section(input, "", [
    "dataDir",
    "network",
    "bootstrap",
    "p2p",
    "gossip",
    "api",
    "mqtt",
    "pruning",
    "coordinator",
    "faucet",
    "spammer",
    "logLevel",
  ]);
  const network = section(top.network, "network", ["name", "minPowScore", "milestones"]);
  return {
    dataDir: optionalString(top.dataDir, "dataDir") ?? DEFAULT_DATA_DIR,
    network: {
      name: parseNetworkName(network.name),
      minPowScore:
        optionalNumber(network.minPowScore, "network.minPowScore", { min: 0, max: Number.MAX_VALUE, integer: false }) ??
        DEFAULT_MIN_POW_SCORE,
      milestones: parseMilestones(network.milestones),
    },
    bootstrap: parseBootstrap(top.bootstrap),
    p2p: parseP2p(top.p2p),
    gossip: parseGossip(top.gossip),
    api: parseApi(top.api),
    mqtt: parseMqtt(top.mqtt),
    pruning: parsePruning(top.pruning),
    coordinator: parseCoordinator(top.coordinator),
    faucet: parseFaucet(top.faucet),
    spammer: parseSpammer(top.spammer),
    logLevel: optionalChoice(top.logLevel, "logLevel", LOG_LEVELS) ?? DEFAULT_LOG_LEVEL,
  };
}
