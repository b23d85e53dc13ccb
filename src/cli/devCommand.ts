/**
 * `weaver dev` (`npm start`): a single-node development network in one command. The first run creates, in
 * `./.weaver-dev/` (or `--dir`): a development wallet whose address (seed at m/44'/4218'/0'/0'/0', as iota.js derives
 * it) receives the whole genesis supply, two coordinator keys, and the database bootstrapped from the genesis; then
 * it runs the node with its own coordinator (a milestone every 1.5 s), the REST API with node PoW, MQTT, gossip and
 * the faucet, which hands out 10 Mi per request from the dev wallet.
 * Later runs reuse everything; `--reset` deletes the directory first (only if it is a dev directory). `WEAVER_*`
 * variables override any option (ports, log level, interval).
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { ed25519PublicKey } from "../crypto/ed25519.js";
import { mergeOptionInputs, optionsFromEnv } from "../node/configSources.js";
import type { WeaverNode } from "../node/node.js";
import { bytesToHex, hexToBytes, isHex } from "../primitives/hex.js";
import { runNodeProcess } from "./startCommand.js";
import { addressFromSeed, DEFAULT_ADDRESS_PATH } from "./tools/addressTool.js";

export const DEV_DIR = ".weaver-dev";
export const DEV_WALLET_FILE = "dev-wallet.json";
export const DEV_NETWORK = "weaver-dev";
/** Dev PoW: real Curl-P-81 work for every message, yet quick on a laptop (score 4000 would be ~4× the work). */
const DEV_MIN_POW_SCORE = 1000;
const DEV_INTERVAL_MS = 1500;
const DEV_HRP = "atoi";
/** Hornet's faucet amount; the dev wallet holds the whole supply, so this is only a convention. */
const DEV_FAUCET_AMOUNT = 10_000_000;

export interface DevWallet {
  seedHex: string;
  bech32Address: string;
  ed25519Address: string;
  path: string;
}

function fail(message: string): never {
  process.stderr.write(`weaver dev: ${message}\n`);
  process.exit(1);
}

function readWallet(file: string): DevWallet {
  const w = JSON.parse(readFileSync(file, "utf8")) as Partial<DevWallet>;
  if (typeof w.seedHex !== "string" || !isHex(w.seedHex) || typeof w.ed25519Address !== "string") {
    fail(`${file} is not a development wallet; run \`weaver dev --reset\` to start over`);
  }
  return w as DevWallet;
}

/** Creates the wallet and the coordinator keys on the first run; returns the wallet and the key files. */
export function prepareDevDirectory(dir: string): { wallet: DevWallet; keyFiles: string[] } {
  mkdirSync(join(dir, "keys"), { recursive: true });
  const walletFile = join(dir, DEV_WALLET_FILE);
  const keyFiles = [1, 2].map((i) => join(dir, "keys", `coordinator-${i}.key`));
  for (const file of keyFiles) {
    if (!existsSync(file)) writeFileSync(file, `${bytesToHex(randomBytes(32))}\n`, { mode: 0o600 });
  }
  if (!existsSync(walletFile)) {
    const seed = randomBytes(32);
    const address = addressFromSeed(seed, DEFAULT_ADDRESS_PATH, DEV_HRP);
    const wallet: DevWallet = {
      seedHex: bytesToHex(seed),
      bech32Address: address.bech32Address,
      ed25519Address: address.ed25519Address,
      path: DEFAULT_ADDRESS_PATH,
    };
    writeFileSync(walletFile, `${JSON.stringify(wallet, null, 2)}\n`, { mode: 0o600 });
  }
  return { wallet: readWallet(walletFile), keyFiles };
}

/** The node options of the dev network; WEAVER_* variables override them. */
export function devOptionsInput(
  dir: string,
  wallet: DevWallet,
  keyFiles: string[],
  env: Readonly<Record<string, string | undefined>>,
): unknown {
  const publicKeys = keyFiles.map((f) => bytesToHex(ed25519PublicKey(hexToBytes(readFileSync(f, "utf8").trim()))));
  return mergeOptionInputs(
    {
      dataDir: dir,
      network: { name: DEV_NETWORK, minPowScore: DEV_MIN_POW_SCORE, milestones: { publicKeys, threshold: 2 } },
      bootstrap: { genesisAddress: wallet.ed25519Address },
      coordinator: { enabled: true, intervalMs: DEV_INTERVAL_MS, keyFiles },
      // The faucet spends from the dev wallet itself (the wallet file holds its seed).
      faucet: { enabled: true, seedFile: join(dir, DEV_WALLET_FILE), amount: DEV_FAUCET_AMOUNT },
      logLevel: "warn",
    },
    optionsFromEnv(env),
  );
}

function printBanner(node: WeaverNode, dir: string): void {
  const s = node.status();
  const host = (h: string) => (h === "0.0.0.0" || h === "::" ? "127.0.0.1" : h);
  const api = `http://${host(s.api.host)}:${s.api.port}`;
  process.stdout.write(
    [
      "Weaver development network is running.",
      `  REST API   ${api}   (health: ${api}/health, OpenAPI: ${api}/api/openapi.json)`,
      `  MQTT       mqtt://${host(s.mqtt.host)}:${s.mqtt.port}   and ${api.replace(/^http/, "ws")}/mqtt`,
      `  Gossip     ${host(s.listen.host)}:${s.listen.port}`,
      `  Wallet     ${resolve(dir, DEV_WALLET_FILE)}   (holds the whole supply)`,
      `  Faucet     ${api}/api/plugins/faucet/v1/info   (POST {"address": "atoi1…"} to …/enqueue)`,
      `  Data       ${resolve(dir)}   (\`weaver dev --reset\` starts over)`,
      "Press Ctrl-C to stop.",
      "",
    ].join("\n"),
  );
}

export function registerDevCommand(program: Command): void {
  program
    .command("dev")
    .description("run a single-node development network with its own coordinator and a funded wallet (npm start)")
    .option("--dir <dir>", "directory for the network's data, wallet and keys", DEV_DIR)
    .option("--reset", "delete the directory first and start a new network")
    .action(async (flags: { dir: string; reset?: boolean }) => {
      const dir = flags.dir;
      if (flags.reset === true && existsSync(dir)) {
        const entries = readdirSync(dir);
        if (entries.length > 0 && !entries.includes(DEV_WALLET_FILE)) {
          fail(`${resolve(dir)} is not a weaver dev directory (no ${DEV_WALLET_FILE}); refusing to delete it`);
        }
        rmSync(dir, { recursive: true, force: true });
      }
      const { wallet, keyFiles } = prepareDevDirectory(dir);
      await runNodeProcess(
        "weaver dev",
        () => devOptionsInput(dir, wallet, keyFiles, process.env),
        (node) => printBanner(node, dir),
      );
    });
}
