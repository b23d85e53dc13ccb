/**
 * The logging interface every component takes (ARCHITECTURE.md habit 13): a message that reads as a sentence and a
 * context object with ids and codes, never payload text. The pino-backed implementation lives in pinoLogger.ts;
 * tests pass `silentLogger` or a recording one.
 */
export type LogContext = Record<string, string | number | boolean | bigint | null | undefined>;

export interface Logger {
  debug(message: string, context?: LogContext): void;
  info(message: string, context?: LogContext): void;
  warn(message: string, context?: LogContext): void;
  error(message: string, context?: LogContext): void;
  /** A logger that adds `bindings` to every line (for example `{ component: "gossip" }`). */
  child(bindings: LogContext): Logger;
}

const noop = (): void => {};

export const silentLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};
