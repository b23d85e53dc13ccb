/**
 * Milestone solidification and confirmation (chrysalis.md §6 and §13 step 3; ARCHITECTURE.md §2.5 steps 10-12).
 * Milestones confirm strictly in index order: milestone CMI + 1 is confirmed as soon as it is recorded and its
 * message is solid (our solidifier marks a message solid only when its whole past cone is stored or behind solid
 * entry points, so a solid milestone message is a complete cone). Missing data is requested by the solidifier, which
 * asks for every missing parent; a milestone we have not even heard of while later ones are known is asked for
 * through the MilestoneRequester.
 *
 * Confirming one milestone: walk its cone in TIP-2 order, run white flag (pure) against the ledger, compare the
 * Merkle root with the milestone's inclusion proof (TIP-4), then stage in ONE synchronous step the ledger diff, the
 * metadata of every referenced message and the new confirmed milestone index, so they commit as one atomic batch.
 * Events fire once that batch is durable (events.ts guarantee 6).
 *
 * A Merkle mismatch, a broken invariant or a failed write halts the confirmer for good and emits `node.halted`: the
 * ledger would otherwise drift from the network's (Hornet stops the node with LogPanic in the same case).
 */
import {
  decodeMessage,
  essenceHash,
  essenceHashOfTransactionBytes,
  type Message,
  type MilestonePayload,
  messagePayloadBytes,
} from "../codec/index.js";
import { ed25519Verify } from "../crypto/ed25519.js";
import { LedgerError } from "../ledger/ledgerError.js";
import type { BatchSignatureVerifier, SignatureCheck } from "../ledger/signaturePool.js";
import type {
  ConeMessage,
  LedgerView,
  SignatureVerifier,
  WhiteFlagInput,
  WhiteFlagMutations,
} from "../ledger/types.js";
import { computeWhiteFlagMutations } from "../ledger/whiteFlag.js";
import { equalBytes } from "../primitives/bytes.js";
import { bytesToHex } from "../primitives/hex.js";
import { LEDGER_INCLUSION_NO_TRANSACTION, type StoredMilestone } from "../storage/prefixes.js";
import type { Tangle } from "../tangle/tangle.js";
import { unreferencedPastCone } from "../tangle/traversal.js";
import type { DurableEventQueue } from "./durableEvents.js";
import type { MilestoneConfirmedEvent, NodeEventBus } from "./events.js";

/** The ledger as the confirmer uses it: white flag reads it, the diff is staged into it. */
export interface ConfirmationLedger extends LedgerView {
  applyMilestone(
    mutations: WhiteFlagMutations,
    milestone: { index: number; timestamp: number; milestonePayloadBytes?: Uint8Array },
  ): void;
}

/** Asks peers for the milestone with this index (gossip, issue 5). */
export interface MilestoneRequester {
  requestMilestone(index: number): void;
}

/**
 * The unreferenced past cone of a milestone's parents in TIP-2 white-flag order, decoded: what white flag runs on.
 * The coordinator uses it too, to compute the Merkle root of the milestone it is about to issue.
 */
export function milestoneCone(tangle: Tangle, index: number, parents: readonly Uint8Array[]): ConeMessage[] {
  const order = unreferencedPastCone(
    {
      getParents: (id) => tangle.getParents(id),
      isBoundary: (id, hex) =>
        tangle.solidEntryPointIndexByHex(hex) !== undefined || tangle.getMetadata(id)?.referenced === true,
    },
    parents,
  );
  // MUST (chrysalis.md §6.1): white flag never runs on partial data.
  if (!Array.isArray(order)) {
    throw new LedgerError(
      "LEDGER_ERROR_CORRUPT",
      `the cone of milestone ${index} misses message ${bytesToHex(order.missing)}`,
    );
  }
  return order.map((messageId) => {
    const bytes = tangle.getMessageBytes(messageId);
    if (bytes === undefined) {
      throw new LedgerError("LEDGER_ERROR_CORRUPT", `cone message ${bytesToHex(messageId)} is not stored`);
    }
    const payloadBytes = messagePayloadBytes(bytes);
    const message = decodeMessage(bytes, "trusted");
    return payloadBytes === null ? { messageId, message } : { messageId, message, payloadBytes };
  });
}

function checkKey(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): string {
  return bytesToHex(signature) + bytesToHex(publicKey) + bytesToHex(message);
}

export interface ConfirmerModules {
  tangle: Tangle;
  ledger: ConfirmationLedger;
  events: NodeEventBus;
  durableEvents: DurableEventQueue;
  now: () => number;
  /** Defaults to the TIP-14 verifier of src/crypto. */
  verify?: SignatureVerifier;
  /** Checks a milestone's signatures in parallel before white flag runs (ledger/signaturePool.ts). */
  signaturePool?: BatchSignatureVerifier;
  milestoneRequester?: MilestoneRequester;
}

export interface ConfirmerStats {
  confirmed: number;
  lastDurationMs: number;
  halted: { code: string; message: string } | null;
}

interface LoadedMilestone {
  stored: StoredMilestone;
  message: Message;
  payload: MilestonePayload;
  payloadBytes: Uint8Array;
}

export class Confirmer {
  private running: Promise<void> | null = null;
  private again = false;
  private halt: { code: string; message: string } | null = null;
  private confirmedCount = 0;
  private lastDurationMs = 0;
  private readonly requested = new Set<number>();
  /** Message ids (hex) of recorded milestones above the CMI: only their turning solid can unblock a confirmation. */
  private readonly pendingMilestoneMessages = new Map<string, number>();

  constructor(private readonly modules: ConfirmerModules) {
    const { tangle, ledger } = modules;
    if (ledger.ledgerIndex !== tangle.confirmedMilestoneIndex) {
      // Both are written in the same batch; a difference means the database was changed behind our back.
      throw new LedgerError(
        "LEDGER_ERROR_CORRUPT",
        `ledger index ${ledger.ledgerIndex} differs from the confirmed milestone index ${tangle.confirmedMilestoneIndex}`,
      );
    }
    // Milestones recorded before a restart but not confirmed yet.
    for (let i = tangle.confirmedMilestoneIndex + 1; i <= tangle.latestMilestoneIndex; i++) {
      const stored = tangle.getMilestone(i);
      if (stored !== undefined) this.pendingMilestoneMessages.set(bytesToHex(stored.messageId), i);
    }
  }

  /** MilestoneTracker recorded milestone `index`. */
  onMilestone(index: number): void {
    const stored = this.modules.tangle.getMilestone(index);
    if (stored !== undefined) this.pendingMilestoneMessages.set(bytesToHex(stored.messageId), index);
    this.poke();
  }

  /** A message turned solid (after its batch is durable). */
  onMessageSolid(messageIdHex: string): void {
    if (this.pendingMilestoneMessages.has(messageIdHex)) this.poke();
  }

  get halted(): { code: string; message: string } | null {
    return this.halt;
  }

  stats(): ConfirmerStats {
    return { confirmed: this.confirmedCount, lastDurationMs: this.lastDurationMs, halted: this.halt };
  }

  /** Sees whether milestone CMI + 1 can confirm now (and the ones after it). */
  poke(): void {
    if (this.halt !== null) return;
    if (this.running !== null) {
      this.again = true;
      return;
    }
    this.running = this.run().finally(() => {
      this.running = null;
    });
  }

  /** Resolves when no confirmation is running (tests and shutdown). */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  private async run(): Promise<void> {
    do {
      this.again = false;
      while (this.halt === null) {
        const next = this.nextConfirmable();
        if (next === null) break;
        try {
          await this.confirm(next.index, next.loaded);
        } catch (e) {
          this.stop(e);
        }
      }
    } while (this.again && this.halt === null);
  }

  /** Milestone CMI + 1 if it is recorded and solid; requests it when later milestones are known but it is not. */
  private nextConfirmable(): { index: number; loaded: LoadedMilestone } | null {
    const { tangle } = this.modules;
    const index = tangle.confirmedMilestoneIndex + 1;
    const stored = tangle.getMilestone(index);
    if (stored === undefined) {
      if (tangle.latestMilestoneIndex > index - 1 && !this.requested.has(index)) {
        this.requested.add(index);
        this.modules.milestoneRequester?.requestMilestone(index);
      }
      return null;
    }
    this.requested.delete(index);
    if (tangle.getMetadata(stored.messageId)?.solid !== true) return null;
    const bytes = tangle.getMessageBytes(stored.messageId);
    if (bytes === undefined) throw new LedgerError("LEDGER_ERROR_CORRUPT", `milestone ${index} message is not stored`);
    const message = decodeMessage(bytes, "trusted");
    const payload = message.payload;
    if (payload === null || payload.type !== 1) {
      throw new LedgerError("LEDGER_ERROR_CORRUPT", `milestone ${index} message carries no milestone payload`);
    }
    const payloadBytes = messagePayloadBytes(bytes);
    if (payloadBytes === null) throw new LedgerError("LEDGER_ERROR_CORRUPT", `milestone ${index} has no payload bytes`);
    return { index, loaded: { stored, message, payload, payloadBytes } };
  }

  private async confirm(index: number, ms: LoadedMilestone): Promise<void> {
    const { tangle, ledger, now } = this.modules;
    const started = now();
    const cone = milestoneCone(tangle, index, ms.message.parents);
    const receipt = ms.payload.receipt;
    const input: WhiteFlagInput = {
      milestoneIndex: index,
      cone,
      receipt:
        receipt === null
          ? null
          : { receipt, milestoneId: ms.stored.milestoneId, milestoneMessageId: ms.stored.messageId },
    };
    const verify = await this.preverify(cone);
    const mutations = computeWhiteFlagMutations(input, ledger, verify);
    // MUST (TIP-4): our Merkle root over the included messages equals the coordinator's; else our ledger is wrong.
    if (!equalBytes(mutations.merkleRoot, ms.payload.inclusionMerkleProof)) {
      throw new LedgerError(
        "LEDGER_ERROR_MERKLE_MISMATCH",
        `milestone ${index}: computed inclusion Merkle root ${bytesToHex(mutations.merkleRoot)} but the milestone ` +
          `says ${bytesToHex(ms.payload.inclusionMerkleProof)}; the local ledger disagrees with the coordinator, ` +
          "so the node stops instead of confirming anything further",
      );
    }

    // One synchronous block: everything below lands in the same batch (StagedStore group commit).
    const timestamp = ms.payload.timestamp;
    ledger.applyMilestone(mutations, { index, timestamp, milestonePayloadBytes: ms.payloadBytes });
    let included = 0;
    let conflicting = 0;
    for (const r of mutations.referenced) {
      tangle.markReferenced(r.messageId, index, r.inclusion, r.conflictReason);
      if (r.inclusion === 2) included++;
      else if (r.inclusion === 1) conflicting++;
    }
    tangle.markReferenced(ms.stored.messageId, index, LEDGER_INCLUSION_NO_TRANSACTION);
    tangle.setConfirmedMilestoneIndex(index);
    this.queueEvents(index, ms, mutations, included, conflicting, started);
    await tangle.durable();
    this.pendingMilestoneMessages.delete(bytesToHex(ms.stored.messageId));
    this.confirmedCount++;
    this.lastDurationMs = now() - started;
  }

  /**
   * The verifier white flag uses. With a pool, every signature unlock block of the cone is checked up front in
   * parallel and white flag reads the verdicts; a check it asks for that was not collected (none should be) is done
   * in place.
   */
  private async preverify(cone: readonly ConeMessage[]): Promise<SignatureVerifier> {
    const fallback = this.modules.verify ?? ed25519Verify;
    const pool = this.modules.signaturePool;
    if (pool === undefined) return fallback;
    const checks: SignatureCheck[] = [];
    for (const { message, payloadBytes } of cone) {
      const p = message.payload;
      if (p === null || p.type !== 0) continue;
      const hash = payloadBytes === undefined ? essenceHash(p.essence) : essenceHashOfTransactionBytes(payloadBytes);
      for (const u of p.unlockBlocks) {
        if (u.type === 0)
          checks.push({ publicKey: u.signature.publicKey, message: hash, signature: u.signature.signature });
      }
    }
    if (checks.length === 0) return fallback;
    const verdicts = await pool.verifyBatch(checks);
    const known = new Map<string, boolean>();
    for (let i = 0; i < checks.length; i++) {
      const c = checks[i]!;
      known.set(checkKey(c.publicKey, c.message, c.signature), verdicts[i] === true);
    }
    return (publicKey, message, signature) =>
      known.get(checkKey(publicKey, message, signature)) ?? fallback(publicKey, message, signature);
  }

  private queueEvents(
    index: number,
    ms: LoadedMilestone,
    mutations: WhiteFlagMutations,
    included: number,
    conflicting: number,
    started: number,
  ): void {
    const { events, durableEvents, now } = this.modules;
    const referenced = mutations.referenced.length + 1;
    durableEvents.queue(() => {
      const confirmed: MilestoneConfirmedEvent = {
        index,
        messageId: ms.stored.messageId,
        messageIdHex: bytesToHex(ms.stored.messageId),
        milestoneId: ms.stored.milestoneId,
        timestamp: ms.payload.timestamp,
        referenced,
        included,
        conflicting,
        noTransaction: referenced - included - conflicting,
        durationMs: now() - started,
      };
      events.emit("milestone.confirmed", confirmed);
      for (const r of mutations.referenced) {
        events.emit("message.referenced", {
          messageId: r.messageId,
          messageIdHex: bytesToHex(r.messageId),
          milestoneIndex: index,
          inclusion: r.inclusion,
          conflictReason: r.conflictReason,
        });
      }
      events.emit("message.referenced", {
        messageId: ms.stored.messageId,
        messageIdHex: confirmed.messageIdHex,
        milestoneIndex: index,
        inclusion: LEDGER_INCLUSION_NO_TRANSACTION,
        conflictReason: 0,
      });
      events.emit("ledger.updated", {
        ledgerIndex: index,
        createdOutputs: mutations.createdOutputs.length,
        consumedOutputs: mutations.consumedOutputs.length,
      });
      for (const output of mutations.createdOutputs) events.emit("output.created", { output, ledgerIndex: index });
      for (const output of mutations.consumedOutputs) events.emit("output.spent", { output, ledgerIndex: index });
      if (mutations.receipt !== null) {
        events.emit("receipt.applied", { milestoneIndex: index, receipt: mutations.receipt.receipt });
      }
    });
  }

  private stop(e: unknown): void {
    const code = e instanceof LedgerError ? e.code : ((e as { code?: string }).code ?? "LEDGER_ERROR_CORRUPT");
    const message = e instanceof Error ? e.message : String(e);
    this.halt = { code, message };
    this.modules.events.emit("node.halted", this.halt);
  }
}
