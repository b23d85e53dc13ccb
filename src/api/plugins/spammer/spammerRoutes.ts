/**
 * `/api/plugins/spammer/v1` (Hornet's spammer plugin; protected routes, auth.ts): `POST /start {mps,
 * valueTransactions}`, `POST /stop` and `GET /status`, each answered with the spammer's status.
 */
import type { FastifyPluginCallback } from "fastify";
import { ApiError } from "../../apiError.js";
import { SPAMMER_MPS_MAX, SPAMMER_MPS_MIN, type Spammer, type SpammerStart } from "./spammer.js";

const START_FIELDS = ["mps", "valueTransactions"];

export interface SpammerRouteOptions {
  spammer: Spammer;
}

function invalid(message: string): ApiError {
  return new ApiError("API_ERROR_INVALID_PARAMETER", message);
}

/** `{"mps": 1..1000, "valueTransactions": bool}`; valueTransactions may be left out (or null) for false. */
export function parseSpammerStart(body: unknown): SpammerStart {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ApiError("API_ERROR_INVALID_BODY", 'the body must be a JSON object {"mps": …, "valueTransactions": …}');
  }
  const fields = body as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!START_FIELDS.includes(key)) {
      throw invalid(
        `${JSON.stringify(key.slice(0, 64))} is not a field of this request; it takes mps and valueTransactions`,
      );
    }
  }
  const { mps, valueTransactions } = fields;
  if (typeof mps !== "number" || !Number.isFinite(mps) || mps < SPAMMER_MPS_MIN || mps > SPAMMER_MPS_MAX) {
    throw invalid(`mps must be a number of messages per second from ${SPAMMER_MPS_MIN} to ${SPAMMER_MPS_MAX}`);
  }
  if (valueTransactions !== undefined && valueTransactions !== null && typeof valueTransactions !== "boolean") {
    throw invalid("valueTransactions must be true or false");
  }
  return { mps, valueTransactions: valueTransactions === true };
}

export const spammerRoutes: FastifyPluginCallback<SpammerRouteOptions> = (app, { spammer }, done) => {
  app.post("/start", async (request) => ({ data: spammer.start(parseSpammerStart(request.body)) }));
  app.post("/stop", async () => ({ data: await spammer.halt() }));
  app.get("/status", async () => ({ data: spammer.status() }));
  done();
};
