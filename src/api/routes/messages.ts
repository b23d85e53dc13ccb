/**
 * The message routes of chrysalis.md §10.2: lookup by indexation index, and by id the message as JSON, its metadata,
 * its raw bytes and its children. Submission (POST) is not here yet.
 */
import type { FastifyPluginCallback } from "fastify";
import { decodeMessage, messageToJson } from "../../codec/index.js";
import { bytesToHex } from "../../primitives/hex.js";
import { isNodeAlmostSynced } from "../../tangle/tipSelector.js";
import type { ApiContext, RoutePluginOptions } from "../apiContext.js";
import { ApiError } from "../apiError.js";
import { readMessageMetadata } from "../mappers/messageMetadata.js";
import { parseIdParam, parseIndexQuery, type RawParams } from "./params.js";

const MESSAGE_ID = "messageId";

function notFound(id: Uint8Array): ApiError {
  return new ApiError("API_ERROR_NOT_FOUND", `message ${bytesToHex(id)} is not known`);
}

function messageBytes(ctx: ApiContext, id: Uint8Array): Uint8Array {
  const bytes = ctx.deps.tangle.getMessageBytes(id);
  if (bytes === undefined) throw notFound(id);
  return bytes;
}

export const messagesRoutes: FastifyPluginCallback<RoutePluginOptions> = (app, { ctx }, done) => {
  const { tangle, tipSelector } = ctx.deps;
  const { maxResults } = ctx.options;

  app.get("/messages", async (request) => {
    const index = parseIndexQuery(request.query as RawParams, "index");
    const ids = tangle.messageIdsByIndex(index.bytes, maxResults);
    return { data: { index: index.text, maxResults, count: ids.length, messageIds: ids.map(bytesToHex) } };
  });

  app.get(`/messages/:${MESSAGE_ID}`, async (request) => {
    const id = parseIdParam(request.params as RawParams, MESSAGE_ID);
    // Stored bytes passed the untrusted decode when they arrived.
    return { data: messageToJson(decodeMessage(messageBytes(ctx, id), "trusted")) };
  });

  app.get(`/messages/:${MESSAGE_ID}/metadata`, async (request) => {
    const id = parseIdParam(request.params as RawParams, MESSAGE_ID);
    // Hornet answers 503 here while not almost synced: solidity and the promote/reattach hints would be stale.
    if (!isNodeAlmostSynced(tangle.confirmedMilestoneIndex, tangle.latestMilestoneIndex)) {
      throw new ApiError(
        "API_ERROR_NOT_SYNCED",
        `the node is not synced (confirmed milestone ${tangle.confirmedMilestoneIndex}, latest ${tangle.latestMilestoneIndex})`,
      );
    }
    const metadata = readMessageMetadata(tangle, id, tipSelector.options.params);
    if (metadata === undefined) throw notFound(id);
    return { data: metadata };
  });

  app.get(`/messages/:${MESSAGE_ID}/raw`, async (request, reply) => {
    const id = parseIdParam(request.params as RawParams, MESSAGE_ID);
    const bytes = messageBytes(ctx, id);
    return reply.type("application/octet-stream").send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  });

  app.get(`/messages/:${MESSAGE_ID}/children`, async (request) => {
    const id = parseIdParam(request.params as RawParams, MESSAGE_ID);
    // As Hornet: no 404 for an unknown message; children of a missing parent are stored and worth listing.
    const children = tangle.childrenOf(id, maxResults);
    return {
      data: {
        messageId: bytesToHex(id),
        maxResults,
        count: children.length,
        childrenMessageIds: children.map(bytesToHex),
      },
    };
  });

  done();
};
