/**
 * A REST API over a real tangle, ledger and pipeline built with ConsensusBuilder, answered through fastify's
 * `inject` (no sockets). The gossip service is a stub whose peer count the test sets; the clock is the builder's.
 */
import assert from "node:assert/strict";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import type { ApiDependencies } from "../../../src/api/apiContext.js";
import { type ApiOptionsInput, createApiServer } from "../../../src/api/server.js";
import type { LogContext, Logger } from "../../../src/logger/logger.js";
import { ConsensusBuilder } from "../../utils/consensusBuilder.js";
import { peerlessGossip } from "../../utils/peerlessGossip.js";
import { TEST_NETWORK_ID } from "../../utils/tangleBuilder.js";

export const NODE_INFO = Object.freeze({
  name: "weaver",
  version: "0.1.0",
  networkName: "weaver-test",
  networkId: TEST_NETWORK_ID,
  bech32Hrp: "atoi",
  minPowScore: 0,
});

export interface LoggedLine {
  level: "debug" | "info" | "warn" | "error";
  message: string;
  context: LogContext | undefined;
}

export function recordingLogger(lines: LoggedLine[]): Logger {
  const logger: Logger = {
    debug: (message, context) => lines.push({ level: "debug", message, context }),
    info: (message, context) => lines.push({ level: "info", message, context }),
    warn: (message, context) => lines.push({ level: "warn", message, context }),
    error: (message, context) => lines.push({ level: "error", message, context }),
    child: () => logger,
  };
  return logger;
}

export interface ApiHarness {
  cb: ConsensusBuilder;
  app: FastifyInstance;
  /** Connected peers the gossip stub reports. */
  peers: { count: number };
  logged: LoggedLine[];
  get(url: string): Promise<LightMyRequestResponse>;
}

export interface HarnessOptions {
  api?: ApiOptionsInput;
  deps?: Partial<ApiDependencies>;
}

export async function apiHarness(options: HarnessOptions = {}): Promise<ApiHarness> {
  const cb = await ConsensusBuilder.create();
  const { tangle } = cb.tb;
  const peers = { count: 0 };
  const logged: LoggedLine[] = [];
  const gossip = peerlessGossip(tangle, peers);
  const app = createApiServer(
    {
      tangle,
      pipeline: cb.tb.pipeline,
      tipSelector: cb.tb.tipSelector,
      gossip,
      ledger: cb.ledger,
      ingress: cb.tb.pipeline.ingress,
      now: () => cb.tb.now,
      node: { ...NODE_INFO },
      logger: recordingLogger(logged),
      ...options.deps,
    },
    { healthNeedsPeers: false, ...options.api },
  );
  return { cb, app, peers, logged, get: (url) => app.inject({ method: "GET", url }) };
}

/** The body of a 200 JSON answer: `{data}` and nothing else. */
export function dataOf(res: LightMyRequestResponse): unknown {
  assert.equal(res.statusCode, 200, `expected 200, got ${res.statusCode}: ${res.body}`);
  assert.match(String(res.headers["content-type"]), /^application\/json/);
  const body = res.json() as Record<string, unknown>;
  assert.deepEqual(Object.keys(body), ["data"]);
  return body.data;
}

/** Checks the error envelope of chrysalis.md §10.1 and returns its message. */
export function assertErrorEnvelope(res: LightMyRequestResponse, status: number): string {
  assert.equal(res.statusCode, status, `expected ${status}, got ${res.statusCode}: ${res.body.slice(0, 300)}`);
  assert.match(String(res.headers["content-type"]), /^application\/json/);
  const body = res.json() as { error?: { code?: unknown; message?: unknown } };
  assert.deepEqual(Object.keys(body), ["error"]);
  const error = body.error ?? {};
  assert.deepEqual(Object.keys(error).sort(), ["code", "message"]);
  assert.equal(error.code, String(status));
  assert.equal(typeof error.message, "string");
  const message = String(error.message);
  assert.ok(message.length > 0);
  return message;
}
