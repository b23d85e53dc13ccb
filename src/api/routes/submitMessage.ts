/**
 * POST /api/v1/messages (TIP-13; chrysalis.md §10.2, client-compat.md §5): a message as JSON, possibly without
 * `networkId`, `parentMessageIds` and `nonce`, or as raw bytes (`application/octet-stream`). The node fills in what is
 * missing the way Hornet 1.2.8 does — its network id, parents from tip selection, a nonce from its own PoW engine when
 * the score is too low — then hands the bytes to the ingestion pipeline exactly like a message from a peer, and
 * answers 201 `{messageId}` with a `Location` header once the message is stored.
 */
import type { FastifyPluginCallback } from "fastify";
import { CodecError, decodeMessage, encodeMessage, messageFromJsonPartial } from "../../codec/index.js";
import { powScore } from "../../crypto/powScore.js";
import { MESSAGE_LENGTH_MAX } from "../../params/protocol.js";
import type { IngressResult, SubmitOptions } from "../../pipeline/ingress.js";
import { Lru } from "../../util/lru.js";
import type { PowEngine, RoutePluginOptions } from "../apiContext.js";
import { ApiError } from "../apiError.js";

/** What the route needs besides the API context: the ingress and, when node PoW is on, the PoW engine. */
export interface SubmitMessageDependencies {
  submit(bytes: Uint8Array, options: SubmitOptions): Promise<IngressResult>;
  /** Parents from tip selection (TIP-3); throws when the node is not almost synced or has no tips. */
  selectTips(): Uint8Array[];
  /** The node's PoW engine, null when node PoW is off. */
  pow: PowEngine | null;
  networkId: bigint;
  minPowScore: number;
  almostSynced(): boolean;
  /** Admits one remote-PoW job for `client` or throws (rate limit, busy engine); the returned function ends it. */
  admitPow(client: string): () => void;
}

interface PartialFields {
  networkId: bigint | undefined;
  parents: Uint8Array[] | undefined;
  payload: ReturnType<typeof messageFromJsonPartial>["payload"];
  nonce: bigint | undefined;
}

function invalid(message: string): never {
  throw new ApiError("API_ERROR_MESSAGE_INVALID", message);
}

/** The request body as the fields a client gave (JSON) or that the bytes carry (raw). */
function readBody(body: unknown): PartialFields {
  try {
    if (body instanceof Uint8Array) {
      if (body.length === 0) invalid("the request body holds no message bytes");
      if (body.length > MESSAGE_LENGTH_MAX)
        invalid(`the message is ${body.length} bytes, at most ${MESSAGE_LENGTH_MAX}`);
      const m = decodeMessage(body, "untrusted");
      return { networkId: m.networkId, parents: m.parents, payload: m.payload, nonce: m.nonce };
    }
    const m = messageFromJsonPartial(body);
    return { networkId: m.networkId, parents: m.parents, payload: m.payload, nonce: m.nonce };
  } catch (e) {
    if (e instanceof CodecError) invalid(`the message is malformed: ${e.message} (${e.code})`);
    throw e;
  }
}

/** Fills in network id, parents and nonce (Hornet `sendMessage`) and returns the bytes to ingest. */
export async function completeMessage(
  body: unknown,
  deps: SubmitMessageDependencies,
  client: string,
  signal?: AbortSignal,
): Promise<Uint8Array> {
  if (!deps.almostSynced()) {
    throw new ApiError("API_ERROR_NOT_SYNCED", "the node is not synced; it accepts messages again once it is");
  }
  const fields = readBody(body);
  const nonce = fields.nonce ?? 0n;
  if ((fields.networkId ?? 0n) === 0n && nonce !== 0n) {
    invalid("the message has a nonce but no networkId: PoW over a message without its network id is worthless");
  }
  const networkId = fields.networkId === undefined || fields.networkId === 0n ? deps.networkId : fields.networkId;
  let parents = fields.parents;
  if (parents === undefined || parents.length === 0) {
    if (deps.pow === null) invalid("parentMessageIds are missing and this node does not do PoW for tip selection");
    try {
      parents = deps.selectTips();
    } catch (e) {
      throw new ApiError("API_ERROR_NO_TIPS", `tip selection failed: ${(e as Error).message}`);
    }
  }
  let bytes: Uint8Array;
  try {
    bytes = encodeMessage({ networkId, parents, payload: fields.payload, nonce });
  } catch (e) {
    if (e instanceof CodecError) invalid(`the message is malformed: ${e.message} (${e.code})`);
    throw e;
  }
  if (bytes.length > MESSAGE_LENGTH_MAX) invalid(`the message is ${bytes.length} bytes, at most ${MESSAGE_LENGTH_MAX}`);
  if (nonce === 0n && deps.minPowScore > 0 && powScore(bytes) < deps.minPowScore) {
    if (deps.pow === null) invalid("the message has no nonce and proof of work is not enabled on this node");
    const release = deps.admitPow(client);
    try {
      const { nonce: mined } = await deps.pow.mine(
        bytes,
        deps.minPowScore,
        signal === undefined ? undefined : { signal },
      );
      bytes = encodeMessage({ networkId, parents, payload: fields.payload, nonce: mined });
    } finally {
      release();
    }
  }
  return bytes;
}

export const submitMessageRoutes: FastifyPluginCallback<RoutePluginOptions> = (app, { ctx }, done) => {
  const { deps } = ctx;
  const submission: SubmitMessageDependencies = {
    submit: (bytes, options) => deps.ingress.submit(bytes, options),
    selectTips: () => deps.tipSelector.selectTips(),
    pow: deps.pow ?? null,
    networkId: deps.node.networkId,
    minPowScore: deps.node.minPowScore,
    almostSynced: () => deps.gossip.syncStatus().almostSynced,
    admitPow: powGate(ctx.options.powJobsMax, ctx.options.powRequestsPerMinute, deps.now),
  };
  // Raw submissions (iota.js messageSubmitRaw): the body as bytes, bounded by the server's body limit.
  app.addContentTypeParser("application/octet-stream", { parseAs: "buffer" }, (_request, body, next) => {
    next(null, new Uint8Array(body as Buffer));
  });
  app.post("/messages", async (request, reply) => {
    // A client that hangs up no longer wants its PoW: the engine's time goes to the next job.
    const gone = new AbortController();
    const onClose = (): void => {
      if (!reply.sent) gone.abort();
    };
    request.raw.socket.once("close", onClose);
    let bytes: Uint8Array;
    try {
      bytes = await completeMessage(request.body, submission, request.ip, gone.signal);
    } finally {
      request.raw.socket.off("close", onClose);
    }
    const result = await submission.submit(bytes, { source: "api" });
    if (result.status === "rejected") {
      invalid(`the message was rejected: ${result.detail} (${result.code})`);
    }
    return reply
      .code(201)
      .header("Location", result.messageIdHex)
      .send({ data: { messageId: result.messageIdHex } });
  });
  done();
};

/**
 * Remote PoW is the one expensive thing a client can ask for (issue: rate limits on the expensive routes): at most
 * `jobsMax` jobs queued or running on the engine (more → 503, the engine is busy), and at most `perMinute` jobs per
 * client address in any minute (more → 429). Clients are tracked in a bounded LRU, so a flood of addresses cannot
 * grow it.
 */
export function powGate(jobsMax: number, perMinute: number, now: () => number): (client: string) => () => void {
  let running = 0;
  const windows = new Lru<{ start: number; count: number }>(10_000);
  return (client) => {
    const t = now();
    const w = windows.get(client);
    const window = w === undefined || t - w.start >= 60_000 ? { start: t, count: 0 } : w;
    if (window.count >= perMinute) {
      throw new ApiError(
        "API_ERROR_RATE_LIMITED",
        `at most ${perMinute} messages per minute may ask this node for PoW; send the nonce or wait`,
      );
    }
    if (running >= jobsMax) {
      throw new ApiError("API_ERROR_POW_BUSY", `the node is already doing PoW for ${running} messages; try again soon`);
    }
    window.count++;
    windows.set(client, window);
    running++;
    let released = false;
    return () => {
      if (!released) running--;
      released = true;
    };
  };
}
