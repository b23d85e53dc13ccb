import { NodeError } from "../../src/util/nodeError.js";

/** The `code` of the typed error `fn` throws; fails the test if it throws nothing or an untyped error. */
export function errorCodeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof NodeError) return e.code;
    throw e;
  }
  throw new Error("expected a typed error, but nothing was thrown");
}
