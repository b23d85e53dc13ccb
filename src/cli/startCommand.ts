/**
 * `weaver start`: runs a node until SIGINT or SIGTERM. Flags map one to one onto NodeOptions (src/node/nodeOptions.ts,
 * which also supplies their descriptions and defaults); logs are JSON lines on stdout. Without --snapshot and
 * --genesis-address a node with an empty database creates the development genesis, so `npm start` on a fresh clone
 * gives a running node.
 *
 * Exit status: 0 after a shutdown on a signal; 1 on bad options, a failed start, or a halt of the node.
 */
import type { Command } from "commander";
import { createPinoLogger } from "../logger/pinoLogger.js";
import { envVarName, envVarNames, mergeOptionInputs, optionsFromEnv, readConfigFile } from "../node/configSources.js";
import { WeaverNode } from "../node/node.js";
import { WeaverNodeError } from "../node/nodeError.js";
import {
  DEVELOPMENT_GENESIS,
  describeOption,
  type NodeOptionPath,
  type NodeOptions,
  validateNodeOptions,
} from "../node/nodeOptions.js";
import { NodeError } from "../util/nodeError.js";
import { VERSION } from "./version.js";

/** The flag of each option, in the order --help lists them. */
const FLAGS: ReadonlyArray<[NodeOptionPath, string]> = [
  ["dataDir", "--data-dir <dir>"],
  ["network.name", "--network-name <name>"],
  ["network.minPowScore", "--min-pow-score <score>"],
  ["network.milestones.preset", "--coo-preset <name>"],
  ["network.milestones.publicKeys", "--coo-public-key <hex...>"],
  ["network.milestones.threshold", "--coo-threshold <n>"],
  ["bootstrap.snapshot", "--snapshot <file>"],
  ["bootstrap.genesisAddress", "--genesis-address <address>"],
  ["p2p.bind", "--gossip-bind <host:port>"],
  ["p2p.announce", "--gossip-announce <host:port>"],
  ["p2p.peers", "--peer <endpoint...>"],
  ["p2p.identityFile", "--identity-file <file>"],
  ["p2p.maxPeers", "--max-peers <n>"],
  ["gossip.mode", "--gossip-mode <mode>"],
  ["gossip.infectionTarget", "--infection-target <n>"],
  ["api.bind", "--api-bind <host:port>"],
  ["mqtt.bind", "--mqtt-bind <host:port>"],
  ["coordinator.enabled", "--coordinator <true|false>"],
  ["coordinator.intervalMs", "--coordinator-interval <ms>"],
  ["coordinator.keys", "--coordinator-key <hex...>"],
  ["coordinator.keyFiles", "--coordinator-key-file <file...>"],
  ["api.jwtSecret", "--api-jwt-secret <secret>"],
  ["api.cors", "--api-cors <true|false>"],
  ["api.maxResults", "--api-max-results <n>"],
  ["api.powWorkers", "--api-pow-workers <n>"],
  ["pruning.milestonesToKeep", "--pruning-milestones-to-keep <n>"],
  ["pruning.targetDatabaseSizeBytes", "--pruning-target-database-size <bytes>"],
  ["faucet.enabled", "--faucet <true|false>"],
  ["faucet.seedFile", "--faucet-seed-file <file>"],
  ["faucet.amount", "--faucet-amount <iotas>"],
  ["faucet.perAddressIntervalMs", "--faucet-interval <ms>"],
  ["spammer.enabled", "--spammer <true|false>"],
  ["logLevel", "--log-level <level>"],
];

/** What commander hands the action (camel-cased flag names; variadic flags as arrays). */
interface StartFlags {
  config?: string;
  dataDir?: string;
  networkName?: string;
  minPowScore?: string;
  cooPreset?: string;
  cooPublicKey?: string[];
  cooThreshold?: string;
  snapshot?: string;
  genesisAddress?: string;
  gossipBind?: string;
  gossipAnnounce?: string;
  peer?: string[];
  identityFile?: string;
  maxPeers?: string;
  gossipMode?: string;
  infectionTarget?: string;
  apiBind?: string;
  mqttBind?: string;
  coordinator?: string;
  coordinatorInterval?: string;
  coordinatorKey?: string[];
  coordinatorKeyFile?: string[];
  apiJwtSecret?: string;
  apiCors?: string;
  apiMaxResults?: string;
  apiPowWorkers?: string;
  pruningMilestonesToKeep?: string;
  pruningTargetDatabaseSize?: string;
  faucet?: string;
  faucetSeedFile?: string;
  faucetAmount?: string;
  faucetInterval?: string;
  spammer?: string;
  logLevel?: string;
}

/** If the node has not exited this long after it closed, something still holds the event loop: exit anyway. */
const EXIT_GRACE_MS = 2_000;

/** The flags as NodeOptions input; an option whose flag is absent is left out, so a lower source or the default applies. */
function flagsInput(f: StartFlags): Record<string, unknown> {
  return {
    dataDir: f.dataDir,
    network: {
      name: f.networkName,
      minPowScore: f.minPowScore,
      milestones: { preset: f.cooPreset, publicKeys: f.cooPublicKey, threshold: f.cooThreshold },
    },
    bootstrap: { snapshot: f.snapshot, genesisAddress: f.genesisAddress },
    p2p: {
      bind: f.gossipBind,
      announce: f.gossipAnnounce,
      peers: f.peer,
      identityFile: f.identityFile,
      maxPeers: f.maxPeers,
    },
    gossip: { mode: f.gossipMode, infectionTarget: f.infectionTarget },
    mqtt: { bind: f.mqttBind },
    coordinator: {
      enabled: f.coordinator,
      intervalMs: f.coordinatorInterval,
      keys: f.coordinatorKey,
      keyFiles: f.coordinatorKeyFile,
    },
    api: {
      bind: f.apiBind,
      jwtSecret: f.apiJwtSecret,
      cors: f.apiCors,
      maxResults: f.apiMaxResults,
      powWorkers: f.apiPowWorkers,
    },
    pruning: { milestonesToKeep: f.pruningMilestonesToKeep, targetDatabaseSizeBytes: f.pruningTargetDatabaseSize },
    faucet: {
      enabled: f.faucet,
      seedFile: f.faucetSeedFile,
      amount: f.faucetAmount,
      perAddressIntervalMs: f.faucetInterval,
    },
    spammer: { enabled: f.spammer },
    logLevel: f.logLevel,
  };
}

const START_COMMAND = "weaver start";

/** `CODE: message`, with the flag (`weaver start`) or else the environment variable that sets a refused option. */
function errorLine(e: unknown, command: string, hasFlags: boolean): string {
  if (!(e instanceof NodeError)) return `${command}: ${e instanceof Error ? e.message : String(e)}`;
  const option = e instanceof WeaverNodeError ? e.type.option?.replace(/\[\d+\]$/, "") : undefined;
  const flag = hasFlags ? FLAGS.find(([path]) => path === option)?.[1].split(" ")[0] : undefined;
  const env = envVarNames().find(([path]) => path === option)?.[1];
  const hint = flag !== undefined ? ` (flag ${flag})` : env !== undefined ? ` (environment variable ${env})` : "";
  return `${e.code}: ${e.message}${hint}`;
}

function exitSoon(code: number): void {
  process.exitCode = code;
  setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
}

/**
 * Defaults < config file < WEAVER_* environment variables < flags. Without any bootstrap source an empty database gets
 * the development genesis, so `npm start` on a fresh clone runs a node.
 */
function optionsInput(flags: StartFlags, env: Readonly<Record<string, string | undefined>>): unknown {
  const file = flags.config ?? env.WEAVER_CONFIG;
  const merged = mergeOptionInputs(
    file === undefined || file === "" ? {} : readConfigFile(file),
    optionsFromEnv(env),
    flagsInput(flags),
  );
  const bootstrap = merged.bootstrap;
  const hasBootstrap =
    typeof bootstrap === "object" && bootstrap !== null && ("snapshot" in bootstrap || "genesisAddress" in bootstrap);
  return hasBootstrap ? merged : mergeOptionInputs(merged, { bootstrap: { genesisAddress: DEVELOPMENT_GENESIS } });
}

async function runStart(flags: StartFlags): Promise<void> {
  await runNodeProcess(START_COMMAND, () => optionsInput(flags, process.env));
}

/**
 * Runs a node in this process until SIGINT/SIGTERM (exit 0) or a halt (exit 1): options from `readInput`, checked by
 * the one validator; a refused option or a failed start is one `CODE: message` line on stderr and exit 1. `weaver
 * start` and `weaver dev` share it; `onStarted` runs once the node is up.
 */
export async function runNodeProcess(
  command: string,
  readInput: () => unknown,
  onStarted?: (node: WeaverNode) => void,
): Promise<void> {
  let options: NodeOptions;
  try {
    options = validateNodeOptions(readInput());
  } catch (e) {
    process.stderr.write(`${errorLine(e, command, command === START_COMMAND)}\n`);
    exitSoon(1);
    return;
  }
  const rootLogger = createPinoLogger({ level: options.logLevel });
  const logger = rootLogger.child({ component: "cli" });
  // Installed before the start so that a signal during it (bootstrap, binding) closes the node once it is up
  // instead of killing the process halfway.
  let node: WeaverNode | null = null;
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      logger.warn("Second signal while closing: exiting without a clean close", { signal });
      process.exit(1);
    }
    logger.info("Shutting down", { signal });
    void node?.close();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    node = await WeaverNode.start(options, { logger: rootLogger, version: VERSION });
  } catch (e) {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    logger.error("The node could not start", {
      code: e instanceof NodeError ? e.code : null,
      error: e instanceof Error ? e.message : String(e),
    });
    process.stderr.write(`${errorLine(e, command, command === START_COMMAND)}\n`);
    exitSoon(1);
    return;
  }
  if (signals > 0) void node.close();
  else onStarted?.(node);
  const stopped = await node.stopped;
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
  if (stopped.halted !== null) process.stderr.write(`${command}: the node halted: ${stopped.halted.message}\n`);
  exitSoon(stopped.halted === null ? 0 : 1);
}

export function registerStartCommand(program: Command): void {
  const command = program
    .command("start")
    .description(
      "run a node until Ctrl-C: open the database in --data-dir (bootstrapping it when empty), listen for peers and dial --peer, serve the REST API on --api-bind",
    );
  for (const [path, flag] of FLAGS) {
    const note =
      path === "bootstrap.genesisAddress" ? `; without --snapshot and --genesis-address: "${DEVELOPMENT_GENESIS}"` : "";
    command.option(flag, `${describeOption(path)}${note} [env ${envVarName(path)}]`);
  }
  command.option(
    "--config <file>",
    'JSON file with the same options as nested keys (e.g. {"p2p": {"maxPeers": 8}}); environment variables and flags override it [env WEAVER_CONFIG]',
  );
  command.action((flags: StartFlags) => runStart(flags));
}
