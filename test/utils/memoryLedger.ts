/**
 * An in-memory LedgerView for white-flag tests, plus `apply(mutations)` so tests can chain milestones. `apply`
 * re-derives every address's balance and dust state from the outputs it creates and spends and throws when the
 * mutations' addressDiffs disagree, when an output is spent twice or never existed, or when the treasury does not
 * match: the double bookkeeping is what lets property tests catch a wrong diff.
 */
import { OUTPUT_TYPE_SIG_LOCKED_DUST_ALLOWANCE } from "../../src/codec/limits.js";
import { isDustOutput } from "../../src/ledger/dust.js";
import type {
  AddressDustState,
  LedgerOutput,
  LedgerView,
  SpentOutput,
  TreasuryOutputState,
  WhiteFlagMutations,
} from "../../src/ledger/types.js";
import { equalBytes } from "../../src/primitives/bytes.js";
import { bytesToHex } from "../../src/primitives/hex.js";

interface AddressStats {
  address: Uint8Array;
  balance: number;
  dustAllowanceSum: number;
  dustOutputCount: number;
}

export interface MemoryLedgerOptions {
  outputs: LedgerOutput[];
  treasury?: TreasuryOutputState;
  ledgerIndex?: number;
  lastReceipt?: { migratedAt: number; final: boolean };
}

export class MemoryLedger implements LedgerView {
  ledgerIndex: number;
  private readonly outputs = new Map<string, LedgerOutput>();
  private readonly spents = new Map<string, SpentOutput>();
  private readonly stats = new Map<string, AddressStats>();
  private treasuryOutput: TreasuryOutputState | undefined;
  private last: { migratedAt: number; final: boolean } | undefined;

  constructor(options: MemoryLedgerOptions) {
    this.ledgerIndex = options.ledgerIndex ?? 0;
    this.treasuryOutput = options.treasury;
    this.last = options.lastReceipt;
    for (const o of options.outputs) this.create(o);
  }

  getOutput(outputId: Uint8Array): LedgerOutput | undefined {
    return this.outputs.get(bytesToHex(outputId));
  }

  isSpent(outputId: Uint8Array): boolean {
    return this.spents.has(bytesToHex(outputId));
  }

  dustState(address: Uint8Array): AddressDustState {
    const s = this.stats.get(bytesToHex(address));
    return { dustAllowanceSum: s?.dustAllowanceSum ?? 0, dustOutputCount: s?.dustOutputCount ?? 0 };
  }

  treasury(): TreasuryOutputState | undefined {
    return this.treasuryOutput;
  }

  lastReceipt(): { migratedAt: number; final: boolean } | undefined {
    return this.last;
  }

  balance(address: Uint8Array): number {
    return this.stats.get(bytesToHex(address))?.balance ?? 0;
  }

  unspentOutputs(): LedgerOutput[] {
    return [...this.outputs.entries()].filter(([k]) => !this.spents.has(k)).map(([, o]) => o);
  }

  spentOutput(outputId: Uint8Array): SpentOutput | undefined {
    return this.spents.get(bytesToHex(outputId));
  }

  /** Sum of every unspent output plus the treasury: must stay the token supply. */
  totalSupply(): number {
    let sum = this.treasuryOutput?.amount ?? 0;
    for (const o of this.unspentOutputs()) sum += o.output.amount;
    return sum;
  }

  /** Books one milestone's mutations, checking them against what the outputs themselves say. */
  apply(m: WhiteFlagMutations): void {
    if (m.milestoneIndex !== this.ledgerIndex + 1) {
      throw new Error(`MemoryLedger: milestone ${m.milestoneIndex} after ledger index ${this.ledgerIndex}`);
    }
    const before = new Map<string, AddressStats>();
    const remember = (o: LedgerOutput) => {
      const hex = bytesToHex(o.output.address.address);
      if (!before.has(hex)) before.set(hex, { ...this.statsOf(hex, o.output.address.address) });
    };
    for (const o of m.createdOutputs) {
      if (this.outputs.has(bytesToHex(o.outputId))) {
        throw new Error(`MemoryLedger: output ${bytesToHex(o.outputId)} is created twice`);
      }
      remember(o);
      this.create(o);
    }
    for (const s of m.consumedOutputs) {
      const key = bytesToHex(s.outputId);
      const held = this.outputs.get(key);
      if (held === undefined) throw new Error(`MemoryLedger: spent output ${key} does not exist`);
      if (this.spents.has(key)) throw new Error(`MemoryLedger: output ${key} is spent twice`);
      if (
        !equalBytes(held.output.address.address, s.output.address.address) ||
        held.output.amount !== s.output.amount
      ) {
        throw new Error(`MemoryLedger: spent output ${key} does not match the ledger's`);
      }
      if (s.milestoneIndexSpent !== m.milestoneIndex) throw new Error(`MemoryLedger: ${key} spent at the wrong index`);
      remember(held);
      this.spents.set(key, s);
      this.account(held, -1);
    }
    for (const [hex, old] of before) {
      const now = this.statsOf(hex, old.address);
      const derived = [
        now.balance - old.balance,
        now.dustAllowanceSum - old.dustAllowanceSum,
        now.dustOutputCount - old.dustOutputCount,
      ];
      const diff = m.addressDiffs.get(hex);
      // white flag leaves out the addresses whose changes cancel out.
      const reported = diff === undefined ? [0, 0, 0] : [diff.balance, diff.dustAllowanceSum, diff.dustOutputCount];
      const netZero = derived.every((x) => x === 0);
      if ((netZero && diff !== undefined) || derived.some((x, k) => x !== reported[k])) {
        throw new Error(`MemoryLedger: address ${hex} diff [${reported}], its outputs say [${derived}]`);
      }
    }
    for (const hex of m.addressDiffs.keys()) {
      if (!before.has(hex)) throw new Error(`MemoryLedger: diff for address ${hex} that no output touched`);
    }
    if (m.receipt !== null) {
      const t = this.treasuryOutput;
      if (t === undefined || !equalBytes(t.milestoneId, m.receipt.spentTreasury.milestoneId)) {
        throw new Error("MemoryLedger: the receipt spends a treasury the ledger does not hold");
      }
      this.treasuryOutput = m.receipt.newTreasury;
      this.last = { migratedAt: m.receipt.receipt.migratedAt, final: m.receipt.receipt.final };
    }
    this.ledgerIndex = m.milestoneIndex;
  }

  private statsOf(hex: string, address: Uint8Array): AddressStats {
    let s = this.stats.get(hex);
    if (s === undefined) {
      s = { address, balance: 0, dustAllowanceSum: 0, dustOutputCount: 0 };
      this.stats.set(hex, s);
    }
    return s;
  }

  private create(o: LedgerOutput): void {
    this.outputs.set(bytesToHex(o.outputId), o);
    this.account(o, 1);
  }

  private account(o: LedgerOutput, sign: 1 | -1): void {
    const s = this.statsOf(bytesToHex(o.output.address.address), o.output.address.address);
    s.balance += sign * o.output.amount;
    if (o.output.type === OUTPUT_TYPE_SIG_LOCKED_DUST_ALLOWANCE) s.dustAllowanceSum += sign * o.output.amount;
    if (isDustOutput(o.output)) s.dustOutputCount += sign;
  }
}
