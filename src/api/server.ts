/**
 * The REST API server (chrysalis.md §10, TIP-13 as Hornet 1.2.8 serves it) on fastify 5: route plugins under
 * `/api/v1`, `/api/routes` and `/health`, and one error path so that every failure, including unknown routes, bad
 * URLs, unreadable or oversized bodies and broken HTTP, is answered with the JSON envelope
 * `{"error":{"code":"<status>","message":…}}`. iota.js throws a SyntaxError instead of a ClientError on any other
 * error body (client-compat.md §8.4).
 *
 * createApiServer builds the instance without listening: the composition root calls `listen`, tests call `inject`.
 * The only effects of building it are its event subscriptions (info's message rates), removed by `close()`.
 */
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from "fastify";
import { type Logger, silentLogger } from "../logger/logger.js";
import { type ApiContext, type ApiDependencies, type ApiOptions, DEFAULT_API_OPTIONS } from "./apiContext.js";
import { ApiError, errorEnvelope } from "./apiError.js";
import { registerAccessControl } from "./auth.js";
import { ConfirmationRates } from "./confirmationRates.js";
import { metricsRoute } from "./metricsRoute.js";
import { pluginRoutes } from "./plugins/pluginRoutes.js";
import { registerRequestMetrics } from "./requestMetrics.js";
import { addressesRoutes } from "./routes/addresses.js";
import { apiRoutesRoutes } from "./routes/apiRoutes.js";
import { controlRoutes } from "./routes/control.js";
import { healthRoutes } from "./routes/health.js";
import { infoRoutes } from "./routes/info.js";
import { messagesRoutes } from "./routes/messages.js";
import { milestonesRoutes } from "./routes/milestones.js";
import { openApiRoutes } from "./routes/openapi.js";
import { outputsRoutes } from "./routes/outputs.js";
import { peersRoutes } from "./routes/peers.js";
import { receiptsRoutes } from "./routes/receipts.js";
import { submitMessageRoutes } from "./routes/submitMessage.js";
import { tipsRoutes } from "./routes/tips.js";
import { transactionsRoutes } from "./routes/transactions.js";
import { treasuryRoutes } from "./routes/treasury.js";

/** Base path of the TIP-13 routes. */
export const API_V1_PREFIX = "/api/v1";

/**
 * Longest path parameter the router accepts (fastify's default is 100). Every parameter we take is far shorter; a
 * longer one is answered 400 without being looked at.
 */
export const MAX_PARAM_LENGTH = 256;

/** How much of a requested path an error message repeats. */
const PATH_ECHO_LIMIT = 200;

const JSON_TYPE = "application/json; charset=utf-8";

export type ApiOptionsInput = Partial<ApiOptions>;

/** A fastify or Node error as far as the API looks at it. */
interface FrameworkError {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
}

function echoPath(url: string): string {
  const path = url.split("?", 1)[0] ?? "";
  return path.length > PATH_ECHO_LIMIT ? `${path.slice(0, PATH_ECHO_LIMIT)}…` : path;
}

/** The ApiError for what fastify or a route threw; null for a failure of the node (answered 500 and logged). */
function classify(error: unknown, options: Readonly<ApiOptions>): ApiError | null {
  if (error instanceof ApiError) return error;
  const e = (typeof error === "object" && error !== null ? error : {}) as FrameworkError;
  switch (e.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new ApiError("API_ERROR_BODY_TOO_LARGE", `the request body is larger than ${options.bodyLimit} bytes`);
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new ApiError(
        "API_ERROR_UNSUPPORTED_MEDIA_TYPE",
        "the Content-Type of the request body is not one this route reads",
      );
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new ApiError("API_ERROR_INVALID_BODY", "the request body is empty although its Content-Type is JSON");
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return new ApiError("API_ERROR_INVALID_BODY", "the request body is not valid JSON");
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new ApiError("API_ERROR_INVALID_BODY", "the request body's size does not match its Content-Length");
    case "FST_ERR_BAD_URL":
      return new ApiError("API_ERROR_BAD_REQUEST", "the URL is not validly percent-encoded");
    case "FST_ERR_MAX_PARAM_LENGTH":
      return new ApiError(
        "API_ERROR_INVALID_PARAMETER",
        `a path parameter is longer than ${MAX_PARAM_LENGTH} characters`,
      );
  }
  // Any other refusal fastify makes of the request itself (4xx) is the client's fault.
  if (typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 500) {
    return new ApiError("API_ERROR_BAD_REQUEST", `the request was refused: ${String(e.message)}`);
  }
  return null;
}

function sendError(reply: FastifyReply, error: ApiError): FastifyReply {
  return reply.code(error.status).type(JSON_TYPE).send(errorEnvelope(error.status, error.message));
}

/**
 * Answers an HTTP-level client error (a request Node cannot parse, headers too large, a request timeout) with the JSON
 * envelope, then closes the socket, as Node's and fastify's defaults do with their own bodies.
 */
export function writeClientError(error: Error & { code?: string }, socket: Socket): void {
  // The peer is gone: nothing to answer (fastify's default does the same).
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const apiError =
    error.code === "HPE_HEADER_OVERFLOW"
      ? new ApiError("API_ERROR_HEADERS_TOO_LARGE", "the request headers are too large")
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? new ApiError("API_ERROR_REQUEST_TIMEOUT", "the request did not arrive in time")
        : new ApiError("API_ERROR_BAD_REQUEST", "the request is not valid HTTP");
  const body = JSON.stringify(errorEnvelope(apiError.status, apiError.message));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${apiError.status} ${STATUS_CODES[apiError.status]}\r\nContent-Type: ${JSON_TYPE}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

export function createApiServer(deps: ApiDependencies, input: ApiOptionsInput = {}): FastifyInstance {
  const options: Readonly<ApiOptions> = Object.freeze({ ...DEFAULT_API_OPTIONS, ...input });
  const logger: Logger = (deps.logger ?? silentLogger).child({ component: "api" });

  const onError = (error: unknown, method: string, url: string, reply: FastifyReply): FastifyReply => {
    const apiError = classify(error, options);
    if (apiError !== null) return sendError(reply, apiError);
    logger.error("API request failed", {
      method,
      path: echoPath(url),
      error: error instanceof Error ? error.message : String(error),
    });
    return sendError(reply, new ApiError("API_ERROR_INTERNAL", "the node failed to answer this request"));
  };

  const app = Fastify({
    logger: false,
    bodyLimit: options.bodyLimit,
    keepAliveTimeout: options.keepAliveTimeoutMs,
    // Fastify's own 503 while closing has another body shape. Requests that still arrive on open keep-alive
    // connections are answered as usual: the composition root closes the API before the database.
    return503OnClosing: false,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: (error: FastifyError, request, reply) => onError(error, request.method, request.url, reply),
    clientErrorHandler: writeClientError,
  });

  const rates = new ConfirmationRates(deps.pipeline.events, (index) => deps.tangle.getMilestone(index));
  const ctx: ApiContext = { deps, options, rates };

  // Keep-alive connections must not outlive a close: fastify marks requests that start after close() with
  // `Connection: close`, but one already running when it began would leave its connection open (and the close
  // waiting) for the whole keep-alive timeout. Every answer sent from then on closes its connection.
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  app.addHook("onSend", (_request, reply, payload, done) => {
    if (closing) reply.header("connection", "close");
    done(null, payload);
  });
  app.addHook("onClose", (_instance, done) => {
    rates.close();
    done();
  });

  app.setErrorHandler((error, request, reply) => onError(error, request.method, request.url, reply));
  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      new ApiError("API_ERROR_ROUTE_NOT_FOUND", `there is no route ${request.method} ${echoPath(request.url)}`),
    ),
  );

  const metrics = deps.metrics ?? null;
  if (metrics !== null) {
    registerRequestMetrics(app, metrics);
    app.register(metricsRoute, { metrics });
  }
  registerAccessControl(app, { jwtKey: options.jwtKey, cors: options.cors, now: deps.now });
  app.register(healthRoutes, { ctx });
  app.register(apiRoutesRoutes, { prefix: "/api", ctx });
  app.register(openApiRoutes, { ctx });
  for (const plugin of [
    infoRoutes,
    tipsRoutes,
    messagesRoutes,
    milestonesRoutes,
    outputsRoutes,
    addressesRoutes,
    receiptsRoutes,
    treasuryRoutes,
    transactionsRoutes,
    peersRoutes,
    submitMessageRoutes,
    controlRoutes,
  ]) {
    app.register(plugin, { prefix: API_V1_PREFIX, ctx });
  }
  app.register(pluginRoutes, { prefix: "/api/plugins", ctx });
  return app;
}
