/**
 * The faucet (Hornet's faucet plugin): a wallet that sends a fixed amount to each address that asks.
 *
 * Requests wait in a queue; a worker sends them in batches, one transaction per batch: inputs are the faucet's
 * confirmed unspent outputs, outputs one per requester plus the remainder back to the faucet (TIP-7: at most 127
 * outputs, so at most 126 requests a batch), signed with the faucet's key over the essence hash, attached on tips
 * with the node's PoW. Only one transaction is out at a time: the next batch is built once the previous one is
 * confirmed, from the ledger that then holds its remainder, so the faucet never spends its own unconfirmed change.
 *
 * A transaction the milestones leave behind (not referenced within below-max-depth milestones) is attached again in a
 * new message with the same payload: at most one attachment can be included, so nobody is paid twice. A transaction
 * that turns out conflicting (someone else spent the faucet's outputs: the dev wallet's owner holds the same seed)
 * puts its requests back at the front of the queue.
 */
import type { MessagePayload, TransactionPayload } from "../../../codec/index.js";
import { decodeBech32Address } from "../../../crypto/bech32.js";
import { CryptoError } from "../../../crypto/cryptoError.js";
import type { UtxoLedger } from "../../../ledger/utxoLedger.js";
import { type Logger, silentLogger } from "../../../logger/logger.js";
import { DUST_ALLOWANCE_MINIMUM, MAX_INPUTS, MAX_OUTPUTS } from "../../../params/protocol.js";
import type { NodeEventBus } from "../../../pipeline/events.js";
import type { IngressResult } from "../../../pipeline/ingress.js";
import { equalBytes, utf8ToBytes } from "../../../primitives/bytes.js";
import { bytesToHex } from "../../../primitives/hex.js";
import { Lru } from "../../../util/lru.js";
import type { FaucetOptions } from "../../apiContext.js";
import { ApiError } from "../../apiError.js";
import { type AttachPayload, messageParents } from "../payloadAttacher.js";
import { SeedWallet } from "../seedWallet.js";
import { buildSignedTransaction, type TransferOutput } from "../signedTransaction.js";

/** The index of the indexation payload in each faucet transaction's essence (Hornet writes "HORNET FAUCET"). */
export const FAUCET_INDEX = "WEAVER FAUCET";
export const DEFAULT_FAUCET_BATCH_DELAY_MS = 250;
/** Waiting requests the queue takes at most: a bound on memory however many addresses ask. */
export const FAUCET_WAITING_MAX = 10_000;
/** TIP-7: one of the 127 outputs is the remainder. */
export const FAUCET_REQUESTS_PER_TRANSACTION = MAX_OUTPUTS - 1;
/** Addresses whose last request time is remembered; beyond this the oldest are forgotten. */
const RATE_LIMIT_ADDRESSES = 100_000;
/** After a failed attempt (no tips, not synced, the message refused), the next one. */
const RETRY_DELAY_MS = 1_000;

export interface FaucetModules {
  ledger: Pick<UtxoLedger, "balance" | "outputIdsOfAddress" | "getOutput" | "getOutputWithSpent">;
  events: Pick<NodeEventBus, "on">;
  /** Parents for the faucet's messages (TIP-3); throws when the node is not almost synced or has no tips. */
  selectTips(): Uint8Array[];
  attach: AttachPayload;
  confirmedMilestoneIndex(): number;
  /** A message not referenced this many milestones after it was attached is attached again. */
  belowMaxDepth: number;
  /** bech32 human-readable part of the node's network: requests for other networks' addresses are refused. */
  hrp: string;
  /** Milliseconds since the epoch (the per-address interval). */
  now(): number;
  logger?: Logger;
}

/** `GET /api/plugins/faucet/v1/info`. */
export interface FaucetInfo {
  address: string;
  /** The faucet address's confirmed balance. */
  balance: number;
  /** What each request receives. */
  amount: number;
  /** Requests not sent yet. */
  waitingRequests: number;
}

/** `POST /api/plugins/faucet/v1/enqueue`, as Hornet answers it. */
export interface FaucetEnqueued {
  address: string;
  waitingRequests: number;
}

interface FaucetRequest {
  address: Uint8Array;
  hex: string;
}

/** The faucet's transaction that is out, until it is included or conflicting. */
interface PendingTransaction {
  payload: TransactionPayload;
  inputIds: Uint8Array[];
  requests: FaucetRequest[];
  /** Every message that carries the payload (the first attachment and any reattachment). */
  messageIds: Set<string>;
  attachedAt: number;
}

interface BatchPlan {
  requests: FaucetRequest[];
  inputIds: Uint8Array[];
  remainder: number;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class Faucet {
  readonly wallet: SeedWallet;
  readonly bech32Address: string;
  private readonly amount: number;
  private readonly intervalMs: number;
  private readonly batchDelayMs: number;
  private readonly logger: Logger;
  /** Not sent yet, oldest first. */
  private readonly queue: FaucetRequest[] = [];
  /** Hex addresses queued or in the pending transaction. */
  private readonly waiting = new Set<string>();
  private readonly lastRequest = new Lru<number>(RATE_LIMIT_ADDRESSES);
  private pending: PendingTransaction | null = null;
  /** The attempt running (a send or a reattachment): one at a time. */
  private busy: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** The last attempt found no funds for the next request (logged once). */
  private stalled = false;
  private readonly stop = new AbortController();
  private readonly unsubscribe: Array<() => void>;

  constructor(
    options: FaucetOptions,
    private readonly modules: FaucetModules,
  ) {
    if (!Number.isSafeInteger(options.amount) || options.amount < DUST_ALLOWANCE_MINIMUM) {
      throw new RangeError(
        `the faucet amount must be a whole number ≥ ${DUST_ALLOWANCE_MINIMUM}, got ${options.amount}`,
      );
    }
    this.wallet = SeedWallet.fromSeed(options.seed);
    this.bech32Address = this.wallet.bech32(modules.hrp);
    this.amount = options.amount;
    this.intervalMs = options.perAddressIntervalMs;
    this.batchDelayMs = options.batchDelayMs ?? DEFAULT_FAUCET_BATCH_DELAY_MS;
    this.logger = modules.logger ?? silentLogger;
    this.unsubscribe = [
      modules.events.on("message.referenced", (e) => this.onReferenced(e.messageIdHex, e.inclusion)),
      modules.events.on("ledger.updated", () => this.onLedgerUpdated()),
    ];
    this.logger.info("Faucet ready", { address: this.bech32Address, amount: this.amount });
  }

  info(): FaucetInfo {
    return {
      address: this.bech32Address,
      balance: this.modules.ledger.balance(this.wallet.address).balance,
      amount: this.amount,
      waitingRequests: this.queue.length,
    };
  }

  /**
   * Queues a request from a client. Refuses (ApiError) an address that is not a bech32 Ed25519 address of this
   * network or is the faucet's own (400), one that asked within the interval or is still waiting (429), a full queue
   * (503 busy) and a request the faucet's balance cannot cover (503 empty).
   */
  enqueue(addressText: unknown): FaucetEnqueued {
    const { address, bech32 } = this.parseAddress(addressText);
    const hex = bytesToHex(address);
    if (this.waiting.has(hex)) {
      throw new ApiError("API_ERROR_RATE_LIMITED", "this address is already waiting for funds from the faucet");
    }
    const last = this.lastRequest.get(hex);
    const now = this.modules.now();
    if (last !== undefined && now - last < this.intervalMs) {
      const seconds = Math.ceil((this.intervalMs - (now - last)) / 1000);
      throw new ApiError(
        "API_ERROR_RATE_LIMITED",
        `this address asked the faucet less than ${Math.ceil(this.intervalMs / 1000)} s ago; it may ask again in ${seconds} s`,
      );
    }
    this.admit({ address, hex });
    this.lastRequest.set(hex, now);
    return { address: bech32, waitingRequests: this.queue.length };
  }

  /**
   * Queues a request of the node itself (the spammer's value transfers), without the per-address interval: true when
   * the address now waits for funds (or already did), false when the faucet cannot take it.
   */
  requestFunds(address: Uint8Array): boolean {
    const hex = bytesToHex(address);
    if (this.waiting.has(hex)) return true;
    if (equalBytes(address, this.wallet.address)) return false;
    try {
      this.admit({ address, hex });
      return true;
    } catch (e) {
      if (e instanceof ApiError) return false;
      throw e;
    }
  }

  /** Stops sending and waits for an attempt in progress (its PoW is aborted). */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    for (const off of this.unsubscribe) off();
    this.stop.abort();
    await this.busy;
  }

  /** The address and its bech32 form in lower case. */
  private parseAddress(text: unknown): { address: Uint8Array; bech32: string } {
    const shape = `a bech32 Ed25519 address of this network (${this.modules.hrp}1…)`;
    if (typeof text !== "string") throw new ApiError("API_ERROR_INVALID_PARAMETER", `address must be ${shape}`);
    let address: Uint8Array;
    try {
      address = decodeBech32Address(text, { expectedHrp: this.modules.hrp }).address.slice(1);
    } catch (e) {
      if (!(e instanceof CryptoError)) throw e;
      throw new ApiError("API_ERROR_INVALID_PARAMETER", `address must be ${shape}: ${e.message}`);
    }
    if (equalBytes(address, this.wallet.address)) {
      throw new ApiError("API_ERROR_INVALID_PARAMETER", "address is the faucet's own address");
    }
    return { address, bech32: text.toLowerCase() };
  }

  private admit(request: FaucetRequest): void {
    if (this.queue.length >= FAUCET_WAITING_MAX) {
      throw new ApiError("API_ERROR_FAUCET_BUSY", `the faucet already holds ${this.queue.length} waiting requests`);
    }
    const owed = (this.queue.length + (this.pending?.requests.length ?? 0) + 1) * this.amount;
    if (!this.covers(this.spendable(), owed)) {
      throw new ApiError(
        "API_ERROR_FAUCET_EMPTY",
        `the faucet's balance does not cover another ${this.amount} iotas after the waiting requests`,
      );
    }
    this.queue.push(request);
    this.waiting.add(request.hex);
    this.schedule(this.batchDelayMs);
  }

  /** Confirmed funds on SigLockedSingle outputs (dust allowance outputs are never spent: TIP-15). */
  private spendable(): number {
    const b = this.modules.ledger.balance(this.wallet.address);
    return b.balance - b.dustAllowanceSum;
  }

  /** `funds` pay `owed` and leave nothing or a remainder that is not dust (TIP-15). */
  private covers(funds: number, owed: number): boolean {
    const rest = funds - owed;
    return rest === 0 || rest >= DUST_ALLOWANCE_MINIMUM;
  }

  private schedule(delayMs: number): void {
    if (this.timer !== null || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.kick();
    }, delayMs);
    this.timer.unref();
  }

  /** Starts the next attempt unless one runs, a transaction is out, nothing waits or the faucet closed. */
  private kick(): void {
    if (this.busy !== null || this.pending !== null || this.queue.length === 0 || this.closed) return;
    this.busy = this.send().finally(() => {
      this.busy = null;
    });
  }

  /**
   * The first requests that the faucet's outputs can pay: inputs taken in ledger order until they pay them and leave
   * no dust remainder; a request that cannot be paid waits for the next batch. Null when not even one can be paid.
   */
  private plan(): BatchPlan | null {
    const { ledger } = this.modules;
    const outputs = ledger
      .outputIdsOfAddress(this.wallet.address, { includeSpent: false, type: 0, limit: MAX_INPUTS })
      .map((id) => ({ id, amount: ledger.getOutput(id)?.output.amount ?? 0 }));
    for (let n = Math.min(this.queue.length, FAUCET_REQUESTS_PER_TRANSACTION); n > 0; n--) {
      const owed = n * this.amount;
      let funds = 0;
      const inputIds: Uint8Array[] = [];
      for (const o of outputs) {
        funds += o.amount;
        inputIds.push(o.id);
        if (this.covers(funds, owed)) return { requests: this.queue.slice(0, n), inputIds, remainder: funds - owed };
      }
    }
    return null;
  }

  private async send(): Promise<void> {
    const plan = this.plan();
    if (plan === null) {
      // Funds left the faucet address after these requests were admitted; retried after each milestone.
      if (!this.stalled) {
        this.logger.warn("The faucet's confirmed outputs cannot pay the next request", {
          waitingRequests: this.queue.length,
        });
      }
      this.stalled = true;
      return;
    }
    this.stalled = false;
    const outputs: TransferOutput[] = plan.requests.map((r) => ({ address: r.address, amount: this.amount }));
    if (plan.remainder > 0) outputs.push({ address: this.wallet.address, amount: plan.remainder });
    const payload = buildSignedTransaction(plan.inputIds, outputs, this.wallet, {
      type: 2,
      index: utf8ToBytes(FAUCET_INDEX),
      data: new Uint8Array(0),
    });
    const result = await this.attach(payload);
    if (result === null || this.closed) return;
    this.queue.splice(0, plan.requests.length);
    this.pending = {
      payload,
      inputIds: plan.inputIds,
      requests: plan.requests,
      messageIds: new Set([result.messageIdHex]),
      attachedAt: this.modules.confirmedMilestoneIndex(),
    };
    this.logger.info("Faucet transaction sent", {
      messageId: result.messageIdHex,
      requests: plan.requests.length,
      inputs: plan.inputIds.length,
    });
  }

  /** Attaches `payload` on fresh tips; null (and a retry scheduled) when that fails. */
  private async attach(payload: MessagePayload): Promise<{ messageIdHex: string } | null> {
    let result: IngressResult;
    try {
      result = await this.modules.attach(payload, messageParents(this.modules.selectTips()), this.stop.signal);
    } catch (e) {
      if (this.closed) return null;
      this.logger.warn("The faucet could not attach its transaction; retrying", { error: messageOf(e) });
      this.schedule(RETRY_DELAY_MS);
      return null;
    }
    if (result.status === "rejected") {
      this.logger.error("The node refused the faucet's transaction; retrying", {
        code: result.code,
        detail: result.detail,
      });
      this.schedule(RETRY_DELAY_MS);
      return null;
    }
    return result;
  }

  private onReferenced(messageIdHex: string, inclusion: number): void {
    const pending = this.pending;
    if (pending === null || !pending.messageIds.has(messageIdHex)) return;
    this.pending = null;
    if (inclusion === 2) {
      for (const r of pending.requests) this.waiting.delete(r.hex);
      this.logger.info("Faucet transaction confirmed", { messageId: messageIdHex, requests: pending.requests.length });
    } else {
      this.queue.unshift(...pending.requests);
      this.logger.warn("Faucet transaction conflicting; its requests wait for the next one", {
        messageId: messageIdHex,
        requests: pending.requests.length,
      });
    }
  }

  /** After each confirmation: the next batch, or a reattachment of a transaction left behind. */
  private onLedgerUpdated(): void {
    const pending = this.pending;
    if (pending === null) {
      this.kick();
      return;
    }
    if (this.busy !== null || this.modules.confirmedMilestoneIndex() - pending.attachedAt <= this.modules.belowMaxDepth)
      return;
    if (pending.inputIds.some((id) => this.isSpent(id))) {
      // Spent by another transaction (ours would have been referenced): this one can never be included.
      this.pending = null;
      this.queue.unshift(...pending.requests);
      this.kick();
      return;
    }
    this.busy = this.reattach(pending).finally(() => {
      this.busy = null;
    });
  }

  private isSpent(outputId: Uint8Array): boolean {
    const o = this.modules.ledger.getOutputWithSpent(outputId);
    return o !== undefined && o.spent !== null;
  }

  private async reattach(pending: PendingTransaction): Promise<void> {
    const result = await this.attach(pending.payload);
    if (result === null || this.pending !== pending) return;
    pending.messageIds.add(result.messageIdHex);
    pending.attachedAt = this.modules.confirmedMilestoneIndex();
    this.logger.info("Faucet transaction attached again", { messageId: result.messageIdHex });
  }
}
