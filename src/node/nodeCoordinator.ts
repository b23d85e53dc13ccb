/**
 * Runs the coordinator inside the node when `coordinator.enabled` (chrysalis.md §5.4): reads its keys (options or key
 * files), checks that they are keys this network accepts for the next milestone and that they reach the threshold,
 * and opens it on `<data-dir>/coordinator.json` — which refuses to start when that state disagrees with the database.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Coordinator } from "../coordinator/coordinator.js";
import type { LedgerView } from "../ledger/types.js";
import type { Logger } from "../logger/logger.js";
import { applicableKeys } from "../milestones/keyRanges.js";
import { seedSigner } from "../milestones/milestoneBuilder.js";
import type { NodeEventBus } from "../pipeline/events.js";
import type { Ingress } from "../pipeline/ingress.js";
import { PowPool } from "../pow/powPool.js";
import { bytesToHex, hexToBytes, isHex } from "../primitives/hex.js";
import type { Tangle } from "../tangle/tangle.js";
import type { TipSelectionParams } from "../tangle/tipScore.js";
import { WeaverNodeError } from "./nodeError.js";
import type { NodeOptions } from "./nodeOptions.js";

export const COORDINATOR_STATE_FILE = "coordinator.json";

export interface NodeCoordinatorParts {
  dataDir: string;
  tangle: Tangle;
  ledger: LedgerView;
  ingress: Pick<Ingress, "submit">;
  events: Pick<NodeEventBus, "on">;
  tipSelectionParams: Readonly<TipSelectionParams>;
  networkId: bigint;
  logger: Logger;
}

export interface RunningCoordinator {
  coordinator: Coordinator;
  /** Stops issuing and releases what the coordinator owns. */
  close(): Promise<void>;
}

function readKeyFile(file: string, index: number): string {
  let text: string;
  try {
    text = readFileSync(file, "utf8").trim();
  } catch (e) {
    throw new WeaverNodeError(
      "NODE_ERROR_CONFIG_INVALID",
      `coordinator.keyFiles[${index}]: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  if (text.length !== 64 || !isHex(text)) {
    throw new WeaverNodeError(
      "NODE_ERROR_CONFIG_INVALID",
      `coordinator.keyFiles[${index}]: ${file} must hold one Ed25519 private seed of 64 hex digits`,
    );
  }
  return text;
}

export async function startNodeCoordinator(
  options: NodeOptions,
  parts: NodeCoordinatorParts,
): Promise<RunningCoordinator> {
  const seeds = [...options.coordinator.keys, ...options.coordinator.keyFiles.map(readKeyFile)];
  const signers = seeds.map((hex) => seedSigner(hexToBytes(hex)));
  const { keyRanges, threshold } = options.network.milestones;
  const next = parts.tangle.latestMilestoneIndex + 1;
  const accepted = applicableKeys(keyRanges, next);
  for (const signer of signers) {
    const key = bytesToHex(signer.publicKey);
    if (!accepted.has(key)) {
      throw new WeaverNodeError(
        "NODE_ERROR_CONFIG_INVALID",
        `coordinator.keys: public key ${key} is not a milestone key of this network at index ${next} (network.milestones)`,
      );
    }
  }
  if (new Set(signers.map((s) => bytesToHex(s.publicKey))).size < threshold) {
    throw new WeaverNodeError(
      "NODE_ERROR_CONFIG_INVALID",
      `coordinator.keys: ${signers.length} key(s) cannot reach the network's threshold of ${threshold} signatures`,
    );
  }
  // Its own PoW thread, never the node's: a milestone must not wait behind the PoW jobs of API clients, the spammer
  // or the faucet (Hornet gives the coordinator its own `coordinator.powWorkerCount` too).
  const pow = new PowPool({ threads: 1 });
  try {
    const coordinator = await Coordinator.open({
      tangle: parts.tangle,
      ledger: parts.ledger,
      ingress: parts.ingress,
      events: parts.events,
      tipSelectionParams: parts.tipSelectionParams,
      signers,
      networkId: parts.networkId,
      minPowScore: options.network.minPowScore,
      pow,
      now: Date.now,
      stateFile: join(parts.dataDir, COORDINATOR_STATE_FILE),
      logger: parts.logger,
    });
    coordinator.start(options.coordinator.intervalMs);
    parts.logger.info("Coordinator running", {
      intervalMs: options.coordinator.intervalMs,
      keys: signers.length,
      lastIndex: coordinator.lastIndex,
    });
    return {
      coordinator,
      close: async () => {
        await coordinator.stop();
        await pow.close();
      },
    };
  } catch (e) {
    await pow.close();
    throw e;
  }
}
