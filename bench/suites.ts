/** Every benchmark suite, in run order. Add a new `*.bench.ts` here. */
import { apiSuite } from "./api.bench.js";
import { blake2bSuite } from "./blake2b.bench.js";
import { codecSuite } from "./codec.bench.js";
import { confirmationSuite } from "./confirmation.bench.js";
import { cryptoSuite } from "./crypto.bench.js";
import type { Suite } from "./harness.js";
import { ingestionSuite } from "./ingestion.bench.js";
import { networkSuite } from "./network.bench.js";
import { powSuite } from "./pow.bench.js";
import { propagationSuite } from "./propagation.bench.js";
import { pruningSuite } from "./pruning.bench.js";
import { snapshotSuite } from "./snapshot.bench.js";
import { storageSuite } from "./storage.bench.js";
import { tipSelectionSuite } from "./tipSelection.bench.js";

export const SUITES: Suite[] = [
  blake2bSuite,
  codecSuite,
  cryptoSuite,
  powSuite,
  storageSuite,
  ingestionSuite,
  tipSelectionSuite,
  pruningSuite,
  confirmationSuite,
  snapshotSuite,
  propagationSuite,
  apiSuite,
  networkSuite,
];
