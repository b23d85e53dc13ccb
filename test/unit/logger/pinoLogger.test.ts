/**
 * The pino-backed Logger writes one JSON object per line: level by name, ISO time, the message under `msg`, the
 * context, and the bindings of every child logger; bigints as decimal strings; nothing below the chosen level.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createPinoLogger, type LogLevel } from "../../../src/logger/pinoLogger.js";

type Line = Record<string, unknown>;

function recording(level: LogLevel) {
  const chunks: string[] = [];
  const logger = createPinoLogger({ level, destination: { write: (s: string) => void chunks.push(s) } });
  const lines = (): Line[] => {
    const text = chunks.join("");
    assert.ok(text === "" || text.endsWith("\n"), "every line ends with a newline");
    return text
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as Line);
  };
  return { logger, lines, chunks };
}

describe("createPinoLogger", () => {
  it("writes one JSON line per call with level name, ISO time, message and context", () => {
    const { logger, lines, chunks } = recording("debug");
    logger.info("Node started", { nodeId: "ab12", port: 15600, synced: false, missing: undefined, none: null });
    logger.warn("Careful");
    assert.equal(chunks.join("").split("\n").length, 3, "two lines and the final newline");
    const [first, second] = lines();
    assert.equal(first?.level, "info");
    assert.equal(first?.msg, "Node started");
    assert.equal(first?.nodeId, "ab12");
    assert.equal(first?.port, 15600);
    assert.equal(first?.synced, false);
    assert.equal(first?.none, null);
    assert.equal("missing" in (first ?? {}), false, "undefined context values are left out");
    assert.equal("pid" in (first ?? {}) || "hostname" in (first ?? {}), false);
    assert.match(String(first?.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual({ level: second?.level, msg: second?.msg }, { level: "warn", msg: "Careful" });
  });

  it("children add their bindings to every line, nested bindings accumulate", () => {
    const { logger, lines } = recording("info");
    const gossip = logger.child({ component: "gossip" });
    gossip.info("Peer connected", { peer: "12345678" });
    gossip.child({ peer: "12345678" }).error("Peer dropped", { reason: "timeout" });
    logger.info("Root line");
    const [a, b, c] = lines();
    assert.equal(a?.component, "gossip");
    assert.equal(a?.peer, "12345678");
    assert.deepEqual(
      { component: b?.component, peer: b?.peer, reason: b?.reason, level: b?.level },
      { component: "gossip", peer: "12345678", reason: "timeout", level: "error" },
    );
    assert.equal("component" in (c ?? {}), false, "the parent is not changed by its children");
  });

  it("writes bigints as exact decimal strings", () => {
    const { logger, lines } = recording("info");
    const id = 13408713410505752399n;
    logger.child({ networkId: id }).info("Network", { other: 2n ** 64n - 1n });
    const [line] = lines();
    assert.equal(line?.networkId, "13408713410505752399");
    assert.equal(line?.other, "18446744073709551615");
  });

  it("drops lines below the level; silent drops everything", () => {
    const info = recording("info");
    info.logger.debug("hidden");
    info.logger.child({ component: "x" }).debug("hidden too");
    info.logger.error("shown");
    assert.deepEqual(
      info.lines().map((l) => l.msg),
      ["shown"],
    );
    const silent = recording("silent");
    silent.logger.error("nothing");
    silent.logger.child({ component: "x" }).warn("nothing");
    assert.deepEqual(silent.lines(), []);
    const warn = recording("warn");
    warn.logger.info("no");
    warn.logger.warn("yes");
    assert.deepEqual(
      warn.lines().map((l) => l.level),
      ["warn"],
    );
  });
});
