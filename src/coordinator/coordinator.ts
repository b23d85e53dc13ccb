/**
 * The coordinator of a private network (chrysalis.md §5.4): every interval it issues milestone LMI + 1 on the
 * previous milestone and the current tips, with the white-flag Merkle root of the cone it references (TIP-2, TIP-4),
 * N-of-M Ed25519 signatures (TIP-8) and PoW (TIP-12), and hands it to the node's ingestion like any message; gossip
 * spreads it. Milestone 1 of a new network stands on the genesis solid entry point.
 *
 * Safety: the state file (coordinatorState.ts) records each milestone's bytes before the milestone leaves, and the
 * next milestone is only built once the previous one is confirmed locally (its cone is then marked referenced, so
 * the next cone — and Merkle root — starts where it ended). On start the state must agree with the database.
 */
import { messageId } from "../codec/index.js";
import { ed25519Verify } from "../crypto/ed25519.js";
import type { LedgerView } from "../ledger/types.js";
import { computeWhiteFlagMutations } from "../ledger/whiteFlag.js";
import { type Logger, silentLogger } from "../logger/logger.js";
import { buildMilestoneMessage, buildMilestonePayload, type MilestoneSigner } from "../milestones/milestoneBuilder.js";
import { milestoneCone } from "../pipeline/confirmer.js";
import type { Ingress } from "../pipeline/ingress.js";
import { compareBytes, equalBytes } from "../primitives/bytes.js";
import { bytesToHex } from "../primitives/hex.js";
import type { Tangle } from "../tangle/tangle.js";
import {
  CoordinatorError,
  type CoordinatorState,
  readCoordinatorState,
  writeCoordinatorState,
} from "./coordinatorState.js";

/** TIP-6: at most 8 parents; one is the previous milestone. */
const MAX_PARENTS = 8;
const MIN_SIGNERS = 2;
/** The genesis solid entry point (chrysalis.md §11.4). */
const GENESIS_SEP = new Uint8Array(32);

export interface CoordinatorModules {
  tangle: Tangle;
  ledger: LedgerView;
  ingress: Pick<Ingress, "submit">;
  /** Tips to approve (TIP-3); may throw while the node has none (before milestone 1). */
  selectTips(): Uint8Array[];
  signers: readonly MilestoneSigner[];
  networkId: bigint;
  minPowScore: number;
  pow: { mine(message: Uint8Array, targetScore: number): Promise<{ nonce: bigint }> };
  /** Milliseconds since the epoch (the milestone timestamp). */
  now(): number;
  stateFile: string;
  logger?: Logger;
}

export interface IssuedMilestone {
  index: number;
  messageId: Uint8Array;
}

export class Coordinator {
  private state: CoordinatorState;
  private issuing: Promise<IssuedMilestone | null> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly logger: Logger;

  private constructor(
    private readonly modules: CoordinatorModules,
    state: CoordinatorState,
  ) {
    this.state = state;
    this.logger = modules.logger ?? silentLogger;
  }

  /**
   * Reads the state file and checks it against the database. If the last milestone was recorded but never reached
   * the database (a crash between the two), it is submitted again, byte for byte. Throws
   * COORDINATOR_ERROR_STATE_MISMATCH, changing nothing, when the two disagree in any other way.
   */
  static async open(modules: CoordinatorModules): Promise<Coordinator> {
    // A milestone with one signature and one parent (milestone 1 has only the genesis SEP) is 191 bytes, which
    // iota.js 1.8.6 cannot read (client-compat.md): two signers make every milestone at least 218 bytes.
    if (modules.signers.length < MIN_SIGNERS) {
      throw new CoordinatorError(
        "COORDINATOR_ERROR_KEYS",
        `the coordinator has ${modules.signers.length} signing key(s); it needs at least ${MIN_SIGNERS}`,
      );
    }
    const state = readCoordinatorState(modules.stateFile);
    const { tangle } = modules;
    const lmi = tangle.latestMilestoneIndex;
    const mismatch = (detail: string): never => {
      throw new CoordinatorError(
        "COORDINATOR_ERROR_STATE_MISMATCH",
        `the coordinator state (${modules.stateFile}, last milestone ${state.lastIndex}) disagrees with the database: ${detail}; refusing to issue milestones`,
      );
    };
    if (state.lastIndex === 0) {
      if (lmi !== 0) mismatch(`the database already holds milestones up to ${lmi}`);
    } else if (lmi > state.lastIndex) {
      mismatch(`the database holds milestone ${lmi}, issued by someone else`);
    } else if (lmi === state.lastIndex) {
      const stored = tangle.getMilestone(lmi);
      if (stored === undefined || !equalBytes(stored.messageId, state.lastMessageId!)) {
        mismatch(`milestone ${lmi} in the database is another message`);
      }
    } else if (lmi === state.lastIndex - 1) {
      const result = await modules.ingress.submit(state.lastMessageBytes!, { source: "coordinator" });
      if (result.status === "rejected") mismatch(`re-sending milestone ${state.lastIndex} failed: ${result.detail}`);
    } else {
      mismatch(`the database stops at milestone ${lmi}`);
    }
    return new Coordinator(modules, state);
  }

  get lastIndex(): number {
    return this.state.lastIndex;
  }

  /** Issues a milestone every `intervalMs` (skipping ticks while the previous one is not yet confirmed). */
  start(intervalMs: number): void {
    if (this.timer !== null) return;
    const tick = (): void => {
      void this.issueNext().catch((e: unknown) =>
        this.logger.error("The coordinator failed to issue a milestone", { error: (e as Error).message }),
      );
    };
    this.timer = setInterval(tick, intervalMs);
    tick();
  }

  /** Stops the timer and waits for a milestone being issued. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.issuing?.catch(() => undefined);
  }

  /**
   * Issues the next milestone, or returns null when the previous one is not confirmed yet (its cone must be marked
   * referenced before the next Merkle root is computed). One at a time.
   */
  issueNext(): Promise<IssuedMilestone | null> {
    this.issuing ??= this.build().finally(() => {
      this.issuing = null;
    });
    return this.issuing;
  }

  private async build(): Promise<IssuedMilestone | null> {
    const { tangle, ledger, signers, networkId, minPowScore, pow } = this.modules;
    if (tangle.confirmedMilestoneIndex !== this.state.lastIndex) return null;
    const index = this.state.lastIndex + 1;
    const parents = this.chooseParents();
    const mutations = computeWhiteFlagMutations(
      { milestoneIndex: index, cone: milestoneCone(tangle, index, parents), receipt: null },
      ledger,
      ed25519Verify,
    );
    const payload = buildMilestonePayload(
      {
        index,
        timestamp: Math.floor(this.modules.now() / 1000),
        parents,
        inclusionMerkleProof: mutations.merkleRoot,
      },
      signers,
    );
    let { bytes } = buildMilestoneMessage({ networkId, payload, nonce: 0n });
    if (minPowScore > 0) {
      const { nonce } = await pow.mine(bytes, minPowScore);
      bytes = buildMilestoneMessage({ networkId, payload, nonce }).bytes;
    }
    const id = messageId(bytes);
    // Recorded before it leaves: a crash from here on re-sends these very bytes (open()).
    this.state = { lastIndex: index, lastMessageId: id, lastMessageBytes: bytes };
    writeCoordinatorState(this.modules.stateFile, this.state);
    const result = await this.modules.ingress.submit(bytes, { source: "coordinator" });
    if (result.status === "rejected") {
      throw new CoordinatorError(
        "COORDINATOR_ERROR_STATE_MISMATCH",
        `milestone ${index} was rejected by this node: ${result.detail} (${result.code})`,
      );
    }
    this.logger.info("Milestone issued", {
      index,
      messageId: bytesToHex(id),
      includedTransactions: mutations.includedMessageIds.length,
    });
    return { index, messageId: id };
  }

  /** The previous milestone (or the genesis SEP) plus up to 7 tips, sorted and unique (TIP-6, TIP-8). */
  private chooseParents(): Uint8Array[] {
    const previous = this.state.lastMessageId ?? GENESIS_SEP;
    let tips: Uint8Array[] = [];
    if (this.state.lastIndex > 0) {
      try {
        tips = this.modules.selectTips();
      } catch {
        // No tips (nothing new since the last milestone): the milestone stands on its predecessor alone.
      }
    }
    const unique = new Map<string, Uint8Array>([[bytesToHex(previous), previous]]);
    for (const tip of tips) {
      if (unique.size >= MAX_PARENTS) break;
      unique.set(bytesToHex(tip), tip);
    }
    return [...unique.values()].sort(compareBytes);
  }
}
