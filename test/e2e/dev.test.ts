/**
 * `weaver dev` as a user runs it (the built CLI as a child process): a new development network whose coordinator
 * confirms milestones by itself, /health 200, the dev wallet holding the whole supply as iota.js 1.8.6 reads it,
 * data sent with iota.js referenced by a milestone, a clean stop, a restart on the same network, and --reset.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { SingleNodeClient } from "@iota/iota.js";
import { Converter } from "@iota/util.js";
import { TOKEN_SUPPLY } from "../../src/params/protocol.js";
import { REPO_ROOT } from "../utils/vectors.js";

const CLI = join(REPO_ROOT, "bin", "weaver.js");
const root = mkdtempSync(join(tmpdir(), "weaver-dev-e2e-"));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  rmSync(root, { recursive: true, force: true });
});

const ENV = {
  ...process.env,
  WEAVER_API_BIND: "127.0.0.1:0",
  WEAVER_MQTT_BIND: "127.0.0.1:0",
  WEAVER_P2P_BIND: "127.0.0.1:0",
  WEAVER_COORDINATOR_INTERVAL_MS: "400",
};

interface Dev {
  child: ChildProcess;
  api: string;
  exited: Promise<unknown[]>;
}

function startDev(dir: string, extra: string[] = []): Promise<Dev> {
  const child = spawn(process.execPath, [CLI, "dev", "--dir", dir, ...extra], {
    env: ENV,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const exited = once(child, "exit");
  let out = "";
  let err = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (c: string) => {
    err += c;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`weaver dev did not start:\n${out}\n${err}`)), 30_000);
    child.stdout!.setEncoding("utf8");
    child.stdout!.on("data", (c: string) => {
      out += c;
      const m = /REST API\s+(http:\/\/\S+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, api: m[1]!, exited });
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`weaver dev exited:\n${out}\n${err}`));
    });
  });
}

async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(dev: Dev): Promise<void> {
  dev.child.kill("SIGTERM");
  const [code] = (await dev.exited) as [number | null];
  assert.equal(code, 0);
}

describe("weaver dev", () => {
  it("runs a healthy development network with a funded wallet, survives a restart, and --reset starts over", async () => {
    const dir = join(root, "net");
    let dev = await startDev(dir);
    await until("/health 200", async () => (await fetch(`${dev.api}/health`)).status === 200);
    const wallet = JSON.parse(readFileSync(join(dir, "dev-wallet.json"), "utf8")) as {
      seedHex: string;
      bech32Address: string;
      ed25519Address: string;
      path: string;
    };
    assert.equal(wallet.path, "m/44'/4218'/0'/0'/0'");
    const client = new SingleNodeClient(dev.api);
    const info = await client.info();
    assert.equal(info.networkId, "weaver-dev");
    assert.ok(info.features.includes("PoW"));
    const balance = await client.address(wallet.bech32Address);
    assert.equal(balance.balance, TOKEN_SUPPLY, "the dev wallet holds the genesis supply");

    const id = await client.messageSubmit({
      payload: { type: 2, index: Converter.utf8ToHex("dev"), data: Converter.utf8ToHex("hello") },
    });
    await until(
      "the message is referenced",
      async () => (await client.messageMetadata(id)).referencedByMilestoneIndex !== undefined,
    );
    const cmi = (await client.info()).confirmedMilestoneIndex;
    await stop(dev);

    dev = await startDev(dir);
    const again = JSON.parse(readFileSync(join(dir, "dev-wallet.json"), "utf8")) as { seedHex: string };
    assert.equal(again.seedHex, wallet.seedHex, "the same network and wallet after a restart");
    const client2 = new SingleNodeClient(dev.api);
    await until("milestones continue", async () => (await client2.info()).confirmedMilestoneIndex > cmi + 1);
    assert.ok((await client2.messageMetadata(id)).referencedByMilestoneIndex !== undefined);
    await stop(dev);

    dev = await startDev(dir, ["--reset"]);
    const fresh = JSON.parse(readFileSync(join(dir, "dev-wallet.json"), "utf8")) as { seedHex: string };
    assert.notEqual(fresh.seedHex, wallet.seedHex, "--reset makes a new network");
    await until("new network healthy", async () => (await fetch(`${dev.api}/health`)).status === 200);
    await stop(dev);
  });

  it("--reset refuses to delete a directory that is not a dev directory", async () => {
    const dir = join(root, "precious");
    mkdirSync(dir);
    writeFileSync(join(dir, "important.txt"), "keep me");
    const child = spawn(process.execPath, [CLI, "dev", "--dir", dir, "--reset"], { env: ENV });
    let err = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (c: string) => {
      err += c;
    });
    const [code] = (await once(child, "exit")) as [number | null];
    assert.equal(code, 1);
    assert.match(err, /not a weaver dev directory/);
    assert.equal(readFileSync(join(dir, "important.txt"), "utf8"), "keep me");
  });
});
