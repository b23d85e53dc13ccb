/**
 * The Logger (logger.ts) of a running node: one JSON object per line through pino, with the level as its name, an
 * ISO time, the bindings of every child (`component`, …) and the message under `msg`. Lines go to stdout unless
 * another destination is given; stdout is written synchronously, so the lines logged just before an exit (a halt, a
 * start failure) are not lost in a buffer.
 */
import { type DestinationStream, type Logger as PinoInstance, pino } from "pino";
import type { LogContext, Logger } from "./logger.js";

/** The levels an operator can choose; `silent` logs nothing. */
export const LOG_LEVELS = ["debug", "info", "warn", "error", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface PinoLoggerOptions {
  level: LogLevel;
  /** Where the JSON lines go; default stdout. */
  destination?: DestinationStream;
}

type JsonContext = Record<string, string | number | boolean | null>;

/**
 * JSON has no bigint, and a u64 such as a network id loses digits as a number: bigints become decimal strings.
 * Undefined values are left out, as JSON.stringify would.
 */
function toJson(context: LogContext): JsonContext {
  const out: JsonContext = {};
  for (const [key, value] of Object.entries(context)) {
    if (value === undefined) continue;
    out[key] = typeof value === "bigint" ? value.toString() : value;
  }
  return out;
}

class PinoLogger implements Logger {
  constructor(private readonly pino: PinoInstance) {}

  debug(message: string, context?: LogContext): void {
    this.pino.debug(context === undefined ? {} : toJson(context), message);
  }

  info(message: string, context?: LogContext): void {
    this.pino.info(context === undefined ? {} : toJson(context), message);
  }

  warn(message: string, context?: LogContext): void {
    this.pino.warn(context === undefined ? {} : toJson(context), message);
  }

  error(message: string, context?: LogContext): void {
    this.pino.error(context === undefined ? {} : toJson(context), message);
  }

  child(bindings: LogContext): Logger {
    return new PinoLogger(this.pino.child(toJson(bindings)));
  }
}

export function createPinoLogger(options: PinoLoggerOptions): Logger {
  const instance = pino(
    {
      level: options.level,
      // Neither pid nor hostname: one node per process, and the line's consumer knows the machine.
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
  return new PinoLogger(instance);
}
