/**
 * Why the REST API refused a request: one stable code per cause (ARCHITECTURE.md habit 4), each tied to the HTTP
 * status it is answered with. Clients see only the status (as a string) and the message, in the envelope of
 * chrysalis.md §10.1; the code is for logs and tests. docs/errors.md lists the codes.
 */
import { NodeError } from "../util/nodeError.js";

export const API_ERROR_CODES = [
  /** A path or query parameter is malformed: wrong length, not hex, not a number, out of range, repeated. */
  "API_ERROR_INVALID_PARAMETER",
  /** The request body cannot be read: invalid or empty JSON, or a size that disagrees with Content-Length. */
  "API_ERROR_INVALID_BODY",
  /** A submitted message is malformed, cannot be completed (no PoW, no tips) or was rejected by validation. */
  "API_ERROR_MESSAGE_INVALID",
  /** The request itself is malformed: a URL with bad percent-encoding, broken HTTP. */
  "API_ERROR_BAD_REQUEST",
  /** The message, milestone or milestone diff asked for is not known (or was pruned). */
  "API_ERROR_NOT_FOUND",
  /** No route has this method and path. */
  "API_ERROR_ROUTE_NOT_FOUND",
  /** The request took too long to arrive. */
  "API_ERROR_REQUEST_TIMEOUT",
  /** The request body is larger than the limit (1 MB, chrysalis.md §10.1). */
  "API_ERROR_BODY_TOO_LARGE",
  /** The request body has a Content-Type no route reads. */
  "API_ERROR_UNSUPPORTED_MEDIA_TYPE",
  /** The request headers are larger than the HTTP server accepts. */
  "API_ERROR_HEADERS_TOO_LARGE",
  /** A failure of the node, not of the request; the message says nothing about internals. */
  "API_ERROR_INTERNAL",
  /** A client asked for remote PoW more often than the node allows per minute. */
  "API_ERROR_RATE_LIMITED",
  /** The node's PoW engine has as many jobs as it takes; the client may retry or do PoW itself. */
  "API_ERROR_POW_BUSY",
  /** The node is not almost synced (CMI < LMI − 2, or no milestone known), so the answer would be stale. */
  "API_ERROR_NOT_SYNCED",
  /** Tip selection found no tip to return. */
  "API_ERROR_NO_TIPS",
  /** A control route (prune, snapshot) was asked while a prune or a snapshot is already running. */
  "API_ERROR_CONTROL_BUSY",
  /** A control route cannot run now: this server has no node control, the node is closing, or the ledger kept
   * moving while the snapshot was written. */
  "API_ERROR_CONTROL_UNAVAILABLE",
  /** The faucet's balance does not cover one more request (with the requests already waiting). */
  "API_ERROR_FAUCET_EMPTY",
  /** The faucet already holds as many waiting requests as it takes. */
  "API_ERROR_FAUCET_BUSY",
] as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** The HTTP status each code is answered with (chrysalis.md §10.1, Hornet 1.2.8's choices). */
export const API_ERROR_STATUS: Readonly<Record<ApiErrorCode, number>> = Object.freeze({
  API_ERROR_INVALID_PARAMETER: 400,
  API_ERROR_INVALID_BODY: 400,
  API_ERROR_MESSAGE_INVALID: 400,
  API_ERROR_BAD_REQUEST: 400,
  API_ERROR_NOT_FOUND: 404,
  API_ERROR_ROUTE_NOT_FOUND: 404,
  API_ERROR_REQUEST_TIMEOUT: 408,
  API_ERROR_BODY_TOO_LARGE: 413,
  API_ERROR_UNSUPPORTED_MEDIA_TYPE: 415,
  API_ERROR_HEADERS_TOO_LARGE: 431,
  API_ERROR_INTERNAL: 500,
  API_ERROR_RATE_LIMITED: 429,
  API_ERROR_POW_BUSY: 503,
  API_ERROR_NOT_SYNCED: 503,
  API_ERROR_NO_TIPS: 503,
  API_ERROR_CONTROL_BUSY: 409,
  API_ERROR_CONTROL_UNAVAILABLE: 503,
  API_ERROR_FAUCET_EMPTY: 503,
  API_ERROR_FAUCET_BUSY: 503,
});

export class ApiError extends NodeError<{ code: ApiErrorCode; status: number }> {
  constructor(code: ApiErrorCode, message: string) {
    super({ code, status: API_ERROR_STATUS[code] }, message);
  }

  get status(): number {
    return this.type.status;
  }
}

/** The error body of chrysalis.md §10.1: the status as a string (as Hornet sends it) and a message. */
export interface ErrorEnvelope {
  error: { code: string; message: string };
}

export function errorEnvelope(status: number, message: string): ErrorEnvelope {
  return { error: { code: String(status), message } };
}
