/**
 * The coordinator of a private network (chrysalis.md §5.4): every interval it issues milestone LMI + 1 with the
 * white-flag Merkle root of the cone it references (TIP-2, TIP-4), N-of-M Ed25519 signatures (TIP-8) and PoW (TIP-12),
 * and hands it to the node's ingestion like any message; gossip spreads it. Milestone 1 of a new network stands on
 * the genesis solid entry point.
 *
 * Parents (Hornet 1.2.8 `plugins/coordinator`): the previous milestone, the last checkpoint and up to 6 tips from the
 * heaviest-branch selection (heaviestSelector.ts). Tips that do not fit go into checkpoints first: data-less messages
 * chained one on the other, each on the previous checkpoint and up to 7 tips, which the milestone then references
 * through the last one. A checkpoint is also issued between milestones whenever the selection tracks
 * `maxTrackedMessages`, so that its work stays bounded under load.
 *
 * Safety: the state file (coordinatorState.ts) records each milestone's bytes before the milestone leaves, and the
 * next milestone is only built once the previous one is confirmed locally (its cone is then marked referenced, so
 * the next cone — and Merkle root — starts where it ended). On start the state must agree with the database.
 * Checkpoints need no record: they are ordinary messages, stored before the milestone that references them is built.
 */
import { encodeMessage, messageId } from "../codec/index.js";
import { ed25519Verify } from "../crypto/ed25519.js";
import type { LedgerView } from "../ledger/types.js";
import { computeWhiteFlagMutations } from "../ledger/whiteFlag.js";
import { type Logger, silentLogger } from "../logger/logger.js";
import { buildMilestoneMessage, buildMilestonePayload, type MilestoneSigner } from "../milestones/milestoneBuilder.js";
import { milestoneCone } from "../pipeline/confirmer.js";
import type { NodeEventBus } from "../pipeline/events.js";
import type { Ingress } from "../pipeline/ingress.js";
import { compareBytes, equalBytes } from "../primitives/bytes.js";
import { bytesToHex } from "../primitives/hex.js";
import { coneRootIndexes } from "../tangle/coneRootIndexes.js";
import type { Tangle } from "../tangle/tangle.js";
import { isBelowMaxDepth, type TipSelectionParams } from "../tangle/tipScore.js";
import {
  CoordinatorError,
  type CoordinatorState,
  readCoordinatorState,
  writeCoordinatorState,
} from "./coordinatorState.js";
import { type HeaviestSelectionOptions, HeaviestSelector } from "./heaviestSelector.js";

/** TIP-6: at most 8 parents. A checkpoint has the previous checkpoint (or milestone) and up to 7 tips. */
const CHECKPOINT_MAX_TIPS = 7;
/** A milestone has the previous milestone, the last checkpoint and up to 6 tips (Hornet `MilestoneMaxAdditionalTipsLimit`). */
const MILESTONE_MAX_TIPS = 6;
const MIN_SIGNERS = 2;
/** The genesis solid entry point (chrysalis.md §11.4). */
const GENESIS_SEP = new Uint8Array(32);

export interface CoordinatorModules {
  tangle: Tangle;
  ledger: LedgerView;
  ingress: Pick<Ingress, "submit">;
  /** The node's events: solid messages feed the tip selection, confirmed milestones prune it. */
  events: Pick<NodeEventBus, "on">;
  /** Messages below max depth (chrysalis.md §7) are not tracked: no node may approve them any more. */
  tipSelectionParams: Readonly<TipSelectionParams>;
  /** Heaviest-branch selection tuning; Hornet's defaults otherwise. */
  heaviestSelection?: Partial<HeaviestSelectionOptions>;
  /** Uniform in [0, 1), for the random picks of the tip selection. */
  random?: () => number;
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
  private checkpointing: Promise<void> | null = null;
  /** Milestones and checkpoints are built one at a time, in the order asked. */
  private work: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private readonly logger: Logger;
  private readonly selector: HeaviestSelector;
  /** The last checkpoint since the last milestone, or null (the next chain then starts on the last milestone). */
  private lastCheckpoint: Uint8Array | null = null;
  /** Ids of the checkpoints and milestones issued here: they are not tips to track. */
  private readonly own = new Set<string>();
  private readonly unsubscribe: Array<() => void>;

  private constructor(
    private readonly modules: CoordinatorModules,
    state: CoordinatorState,
  ) {
    this.state = state;
    this.logger = modules.logger ?? silentLogger;
    this.selector = new HeaviestSelector(modules.heaviestSelection ?? {}, modules.random ?? Math.random, () =>
      performance.now(),
    );
    this.unsubscribe = [
      modules.events.on("message.solid", (e) => this.onSolid(e.messageId, e.messageIdHex)),
      modules.events.on("milestone.confirmed", () => this.onConfirmed()),
    ];
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

  /** Stops the timer and the event subscriptions, and waits for a milestone or checkpoint being issued. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    for (const off of this.unsubscribe.splice(0)) off();
    await this.work;
  }

  /** Messages the tip selection tracks. */
  get trackedMessages(): number {
    return this.selector.size;
  }

  private belowMaxDepth(id: Uint8Array): boolean {
    const { tangle, tipSelectionParams } = this.modules;
    return isBelowMaxDepth(tangle.confirmedMilestoneIndex, coneRootIndexes(tangle, id).ocri, tipSelectionParams);
  }

  private onSolid(id: Uint8Array, hex: string): void {
    if (this.own.has(hex) || this.belowMaxDepth(id)) return;
    const tracked = this.selector.track(id, this.modules.tangle.getParents(id) ?? []);
    if (tracked >= this.selector.options.maxTrackedMessages && this.checkpointing === null) {
      this.checkpointing = this.serially(() => this.checkpointNow())
        .catch((e: unknown) =>
          this.logger.warn("The coordinator failed to issue a checkpoint", { error: (e as Error).message }),
        )
        .finally(() => {
          this.checkpointing = null;
        });
    }
  }

  /** What a confirmed milestone referenced, and what sank below max depth, is no tip to track any more. */
  private onConfirmed(): void {
    const { tangle } = this.modules;
    this.selector.retain((id) => tangle.getMetadata(id)?.referenced === false && !this.belowMaxDepth(id));
    this.own.clear();
  }

  private serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.work.then(task);
    this.work = run.catch(() => undefined);
    return run;
  }

  /** A checkpoint between milestones (the selection reached maxTrackedMessages). */
  private async checkpointNow(): Promise<void> {
    if (this.selector.size < this.selector.options.maxTrackedMessages) return;
    await this.issueCheckpoints(this.selector.selectTips(0));
  }

  /**
   * Chains checkpoints over `tips`: each on the previous checkpoint (or the last milestone) and up to 7 tips, with
   * PoW, stored before the next one is built. A refused checkpoint ends the chain (its tips are left to others).
   */
  private async issueCheckpoints(tips: readonly Uint8Array[]): Promise<void> {
    const { networkId, minPowScore, pow, ingress } = this.modules;
    for (let start = 0; start < tips.length; start += CHECKPOINT_MAX_TIPS) {
      const base = this.lastCheckpoint ?? this.state.lastMessageId ?? GENESIS_SEP;
      const parents = uniqueSorted([base, ...tips.slice(start, start + CHECKPOINT_MAX_TIPS)]);
      let bytes = encodeMessage({ networkId, parents, payload: null, nonce: 0n });
      if (minPowScore > 0) {
        const { nonce } = await pow.mine(bytes, minPowScore);
        bytes = encodeMessage({ networkId, parents, payload: null, nonce });
      }
      const id = messageId(bytes);
      this.own.add(bytesToHex(id));
      const result = await ingress.submit(bytes, { source: "coordinator" });
      if (result.status === "rejected") {
        this.logger.warn("This node refused a checkpoint", { detail: result.detail, code: result.code });
        return;
      }
      this.lastCheckpoint = id;
    }
  }

  /**
   * Issues the next milestone, or returns null when the previous one is not confirmed yet (its cone must be marked
   * referenced before the next Merkle root is computed). One at a time.
   */
  issueNext(): Promise<IssuedMilestone | null> {
    this.issuing ??= this.serially(() => this.build()).finally(() => {
      this.issuing = null;
    });
    return this.issuing;
  }

  private async build(): Promise<IssuedMilestone | null> {
    const { tangle, ledger, signers, networkId, minPowScore, pow } = this.modules;
    if (tangle.confirmedMilestoneIndex !== this.state.lastIndex) return null;
    const index = this.state.lastIndex + 1;
    const parents = await this.chooseParents();
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
    this.own.add(bytesToHex(id));
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
    // The checkpoints are referenced now; the next ones chain on this milestone.
    this.lastCheckpoint = null;
    this.logger.info("Milestone issued", {
      index,
      messageId: bytesToHex(id),
      includedTransactions: mutations.includedMessageIds.length,
    });
    return { index, messageId: id };
  }

  /**
   * The previous milestone (or the genesis SEP), the last checkpoint and up to 6 selected tips; selected tips beyond
   * 6 go into checkpoints first. Sorted and unique (TIP-6).
   *
   * Parent slots the selection leaves free are filled by a second, smaller selection (not in Hornet): they cost no
   * extra message, and under a steady load of lone tips they keep each waiting fewer milestones.
   */
  private async chooseParents(): Promise<Uint8Array[]> {
    const previous = this.state.lastMessageId ?? GENESIS_SEP;
    const tips = this.selector.selectTips(1);
    if (tips.length > 0 && tips.length < MILESTONE_MAX_TIPS) {
      tips.push(...this.selector.selectTips(0, MILESTONE_MAX_TIPS - tips.length));
    }
    if (tips.length > MILESTONE_MAX_TIPS) await this.issueCheckpoints(tips.slice(MILESTONE_MAX_TIPS));
    return uniqueSorted([previous, this.lastCheckpoint ?? previous, ...tips.slice(0, MILESTONE_MAX_TIPS)]);
  }
}

function uniqueSorted(ids: readonly Uint8Array[]): Uint8Array[] {
  const unique = new Map<string, Uint8Array>();
  for (const id of ids) unique.set(bytesToHex(id), id);
  return [...unique.values()].sort(compareBytes);
}
