/**
 * The spammer's value transfers: one output moved back and forth between two spammer-owned addresses (keys 1 and 2
 * of the faucet's seed), funded once by the faucet. Each transfer spends the output of the previous one before any
 * milestone confirmed it, so its message approves the previous transfer's message: white flag walks parents first
 * (TIP-2), so in any milestone cone the output exists before it is spent.
 *
 * A conflicting transfer breaks the chain (every later one spends an output that never came to be); the chain then
 * starts again from the ledger once the transfers still out are referenced or left behind (below max depth).
 */
import { outputId, type TransactionPayload, transactionId } from "../../../codec/index.js";
import type { UtxoLedger } from "../../../ledger/utxoLedger.js";
import { DUST_ALLOWANCE_MINIMUM } from "../../../params/protocol.js";
import type { NodeEventBus } from "../../../pipeline/events.js";
import type { IngressResult } from "../../../pipeline/ingress.js";
import type { SeedWallet } from "../seedWallet.js";
import { buildSignedTransaction } from "../signedTransaction.js";

export interface ValueChainModules {
  /** The two addresses the transfers move between. */
  wallets: readonly [SeedWallet, SeedWallet];
  ledger: Pick<UtxoLedger, "outputIdsOfAddress" | "getOutput">;
  events: Pick<NodeEventBus, "on">;
  /** Asks the faucet to fund `address`; false when it cannot. */
  requestFunds(address: Uint8Array): boolean;
  confirmedMilestoneIndex(): number;
  belowMaxDepth: number;
}

/** One transfer to attach: its payload and the message it must approve (null for an output already confirmed). */
export interface ValueStep {
  payload: TransactionPayload;
  parent: Uint8Array | null;
}

interface ChainHead {
  outputId: Uint8Array;
  amount: number;
  /** Index into `wallets` of the owner. */
  owner: 0 | 1;
  /** The message that created the output while it is not known to be confirmed. */
  messageId: Uint8Array | null;
  messageIdHex: string | null;
}

/** Outputs of a spammer address looked at when the chain starts again. */
const OUTPUTS_SCANNED = 16;

export class ValueChain {
  private head: ChainHead | null = null;
  /** A transfer is being attached: the next one needs its message id. */
  private stepOut = false;
  /** Transfers attached and not referenced yet (hex message ids). */
  private readonly open = new Set<string>();
  private lastAttachedAt = 0;
  private fundingRequested = false;
  private readonly unsubscribe: Array<() => void>;

  constructor(private readonly modules: ValueChainModules) {
    this.unsubscribe = [
      modules.events.on("message.referenced", (e) => {
        if (!this.open.delete(e.messageIdHex)) return;
        // MUST (TIP-7 via white flag): a conflicting transfer created nothing, so the chain after it is dead.
        if (e.inclusion === 1) this.head = null;
        // Confirmed: the next transfer no longer needs to approve it (and could not once it is below max depth).
        else if (this.head !== null && this.head.messageIdHex === e.messageIdHex) {
          this.head = { ...this.head, messageId: null, messageIdHex: null };
        }
      }),
      modules.events.on("ledger.updated", () => {
        if (this.head === null && !this.stepOut) this.restart();
      }),
    ];
    this.restart();
  }

  /** The next transfer, or null when the chain is not ready; every step taken must be finished with `finish`. */
  take(): ValueStep | null {
    const head = this.head;
    if (head === null || this.stepOut) return null;
    this.stepOut = true;
    const to = this.modules.wallets[head.owner === 0 ? 1 : 0];
    const from = this.modules.wallets[head.owner];
    return {
      payload: buildSignedTransaction([head.outputId], [{ address: to.address, amount: head.amount }], from),
      parent: head.messageId,
    };
  }

  /**
   * Records what became of `step`: attached (the chain moves on), refused by the node (the chain starts again from
   * the ledger: its head may be a message that can no longer be approved) or not sent (the same output is tried
   * again).
   */
  finish(step: ValueStep, result: IngressResult | null): void {
    this.stepOut = false;
    const head = this.head;
    if (result === null || head === null) return;
    if (result.status === "rejected") {
      this.head = null;
      return;
    }
    this.head = {
      // One output only: it is output 0 of the transaction.
      outputId: outputId(transactionId(step.payload), 0),
      amount: head.amount,
      owner: head.owner === 0 ? 1 : 0,
      messageId: result.messageId,
      messageIdHex: result.messageIdHex,
    };
    this.open.add(result.messageIdHex);
    this.lastAttachedAt = this.modules.confirmedMilestoneIndex();
  }

  close(): void {
    for (const off of this.unsubscribe) off();
  }

  /**
   * Starts from a confirmed output of either address, once no transfer is out (or those out were left below max
   * depth and can no longer be referenced by tip selection); asks the faucet for funds when there is none.
   */
  private restart(): void {
    const { modules } = this;
    if (this.open.size > 0) {
      if (modules.confirmedMilestoneIndex() - this.lastAttachedAt <= modules.belowMaxDepth) return;
      this.open.clear();
    }
    for (const owner of [0, 1] as const) {
      const address = modules.wallets[owner].address;
      for (const id of modules.ledger.outputIdsOfAddress(address, {
        includeSpent: false,
        type: 0,
        limit: OUTPUTS_SCANNED,
      })) {
        const amount = modules.ledger.getOutput(id)?.output.amount ?? 0;
        // TIP-15: the whole output moves on, and below 1 Mi it would be dust.
        if (amount >= DUST_ALLOWANCE_MINIMUM) {
          this.head = { outputId: id, amount, owner, messageId: null, messageIdHex: null };
          this.fundingRequested = false;
          return;
        }
      }
    }
    if (!this.fundingRequested) this.fundingRequested = modules.requestFunds(modules.wallets[0].address);
  }
}
