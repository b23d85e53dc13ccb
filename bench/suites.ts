/** Every benchmark suite, in run order. Add a new `*.bench.ts` here. */
import { blake2bSuite } from "./blake2b.bench.js";
import type { Suite } from "./harness.js";

export const SUITES: Suite[] = [blake2bSuite];
