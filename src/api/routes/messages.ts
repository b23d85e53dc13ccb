/**
 * The message routes of chrysalis.md §10.2: lookup by indexation index, and by id the message as JSON, its metadata,
 * its raw bytes and its children. Submission (POST) is not here yet. The by-id answers are exported for the
 * `transactions/{id}/included-message…` routes, which answer the same for the message that included a transaction.
 */
import type { FastifyPluginCallback, FastifyReply } from "fastify";
import { decodeMessage, type MessageJson, messageToJson } from "../../codec/index.js";
import { bytesToHex } from "../../primitives/hex.js";
import { isNodeAlmostSynced } from "../../tangle/tipSelector.js";
import type { ApiContext, RoutePluginOptions } from "../apiContext.js";
import { ApiError } from "../apiError.js";
import { type MessageMetadataJson, readMessageMetadata } from "../mappers/messageMetadata.js";
import { parseIdParam, parseIndexQuery, type RawParams } from "./params.js";

const MESSAGE_ID = "messageId";

export interface ChildrenJson {
  messageId: string;
  maxResults: number;
  count: number;
  childrenMessageIds: string[];
}

function notFound(id: Uint8Array): ApiError {
  return new ApiError("API_ERROR_NOT_FOUND", `message ${bytesToHex(id)} is not known`);
}

function messageBytes(ctx: ApiContext, id: Uint8Array): Uint8Array {
  const bytes = ctx.deps.tangle.getMessageBytes(id);
  if (bytes === undefined) throw notFound(id);
  return bytes;
}

/**
 * Throws API_ERROR_NOT_SYNCED unless the node is almost synced (CMI ≥ LMI − 2, a milestone known): Hornet answers 503
 * where an answer from a lagging node would be stale (metadata, address balances and outputs).
 */
export function assertAlmostSynced(ctx: ApiContext): void {
  const { tangle } = ctx.deps;
  if (!isNodeAlmostSynced(tangle.confirmedMilestoneIndex, tangle.latestMilestoneIndex)) {
    throw new ApiError(
      "API_ERROR_NOT_SYNCED",
      `the node is not synced (confirmed milestone ${tangle.confirmedMilestoneIndex}, latest ${tangle.latestMilestoneIndex})`,
    );
  }
}

/** The message as JSON (chrysalis.md §10.3); 404 if it is not stored. */
export function messageJsonById(ctx: ApiContext, id: Uint8Array): MessageJson {
  // Stored bytes passed the untrusted decode when they arrived.
  return messageToJson(decodeMessage(messageBytes(ctx, id), "trusted"));
}

/** The message's metadata; 503 while not almost synced (solidity and the hints would be stale), 404 if unknown. */
export function messageMetadataById(ctx: ApiContext, id: Uint8Array): MessageMetadataJson {
  assertAlmostSynced(ctx);
  const metadata = readMessageMetadata(ctx.deps.tangle, id, ctx.deps.tipSelector.options.params);
  if (metadata === undefined) throw notFound(id);
  return metadata;
}

/** Sends the stored bytes as `application/octet-stream`; 404 (as JSON, like every error) if unknown. */
export function sendMessageRaw(ctx: ApiContext, id: Uint8Array, reply: FastifyReply): FastifyReply {
  const bytes = messageBytes(ctx, id);
  return reply.type("application/octet-stream").send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/** The message's children in id order, capped at maxResults. */
export function childrenById(ctx: ApiContext, id: Uint8Array): ChildrenJson {
  const { maxResults } = ctx.options;
  // As Hornet: no 404 for an unknown message; children of a missing parent are stored and worth listing.
  const children = ctx.deps.tangle.childrenOf(id, maxResults);
  return {
    messageId: bytesToHex(id),
    maxResults,
    count: children.length,
    childrenMessageIds: children.map(bytesToHex),
  };
}

export const messagesRoutes: FastifyPluginCallback<RoutePluginOptions> = (app, { ctx }, done) => {
  const { tangle } = ctx.deps;
  const { maxResults } = ctx.options;

  app.get("/messages", async (request) => {
    const index = parseIndexQuery(request.query as RawParams, "index");
    const ids = tangle.messageIdsByIndex(index.bytes, maxResults);
    return { data: { index: index.text, maxResults, count: ids.length, messageIds: ids.map(bytesToHex) } };
  });

  app.get(`/messages/:${MESSAGE_ID}`, async (request) => ({
    data: messageJsonById(ctx, parseIdParam(request.params as RawParams, MESSAGE_ID)),
  }));

  app.get(`/messages/:${MESSAGE_ID}/metadata`, async (request) => ({
    data: messageMetadataById(ctx, parseIdParam(request.params as RawParams, MESSAGE_ID)),
  }));

  app.get(`/messages/:${MESSAGE_ID}/raw`, async (request, reply) =>
    sendMessageRaw(ctx, parseIdParam(request.params as RawParams, MESSAGE_ID), reply),
  );

  app.get(`/messages/:${MESSAGE_ID}/children`, async (request) => ({
    data: childrenById(ctx, parseIdParam(request.params as RawParams, MESSAGE_ID)),
  }));

  done();
};
