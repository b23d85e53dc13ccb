/**
 * A deterministic milestone script for the confirmation crash test (test/e2e/crashConfirmation.test.ts): rounds of
 * value transactions between a few wallets, each round closed by a milestone that confirms it with real white flag.
 * The rounds include spends of outputs spent by an earlier milestone, double spends inside one milestone, spends of
 * outputs that never existed, wrong sums and plain data messages, so every kind of verdict reaches the ledger.
 *
 * A planner (a ConsensusBuilder on a MemoryKvStore, never interrupted) builds the script from a seed: it needs the
 * ledger of milestone k - 1 to pick round k's inputs and the real white flag to sign milestone k's Merkle root. The
 * result is plain bytes in delivery order (encodeRounds hands them to the crash child, which would otherwise spend
 * most of each short run planning), so the child can replay them against LMDB from any point: what a killed run
 * stored comes back as "known".
 */
import { messageId, outputId, type TransactionPayload } from "../../src/codec/index.js";
import { blake2b256 } from "../../src/crypto/blake2b.js";
import type { LedgerOutput } from "../../src/ledger/types.js";
import type { UtxoLedger } from "../../src/ledger/utxoLedger.js";
import { TOKEN_SUPPLY } from "../../src/params/protocol.js";
import { compareBytes, utf8ToBytes } from "../../src/primitives/bytes.js";
import { bytesToHex, hexToBytes } from "../../src/primitives/hex.js";
import { MemoryKvStore } from "../../src/storage/backends/memory.js";
import type { KvStore } from "../../src/storage/kv.js";
import { ConsensusBuilder, type ConsensusBuilderOptions } from "./consensusBuilder.js";
import { buildTransaction, type OutputSpec, type SignedInput, Wallet } from "./ledgerFixtures.js";
import { seededRandom } from "./seededRandom.js";

const MI = 1_000_000;
export const CONFIRM_WALLETS: readonly Wallet[] = Array.from({ length: 6 }, (_, i) =>
  Wallet.named(`crash-confirm-${i}`),
);
const GENESIS_AMOUNT = 40 * MI;

/** The genesis every run of the script starts from (applied only to an empty ledger). */
export function confirmScriptOptions(kv: KvStore): ConsensusBuilderOptions {
  return {
    kv,
    genesis: CONFIRM_WALLETS.map((w) => ({ address: w, amount: GENESIS_AMOUNT })),
    treasury: TOKEN_SUPPLY - CONFIRM_WALLETS.length * GENESIS_AMOUNT,
  };
}

export interface ScriptStep {
  kind: "message" | "milestone";
  id: Uint8Array;
  idHex: string;
  bytes: Uint8Array;
}

export interface ScriptRound {
  /** The milestone that closes the round. */
  index: number;
  /** Delivery order: the round's messages and its milestone, sometimes ahead of the round's last messages. */
  steps: ScriptStep[];
}

/** What the ledger holds after a milestone, in a form that compares with deepEqual. */
export interface LedgerState {
  /** Per wallet: `address=balance/dustAllowanceSum/dustOutputCount`. */
  balances: string[];
  /** Unspent output ids (hex), in key order. */
  unspent: string[];
  treasury: number | null;
}

export interface ConfirmScript {
  rounds: ScriptRound[];
  /** The uninterrupted run that built the script. */
  planner: ConsensusBuilder;
  /** ledgerStates[k]: the planner's ledger after milestone k (0: genesis). */
  ledgerStates: LedgerState[];
}

export function ledgerState(ledger: UtxoLedger): LedgerState {
  const treasury = ledger.treasury();
  return {
    balances: CONFIRM_WALLETS.map((w) => {
      const b = ledger.balance(w.address);
      return `${w.addressHex}=${b.balance}/${b.dustAllowanceSum}/${b.dustOutputCount}`;
    }),
    unspent: [...ledger.unspentOutputs()].map((o) => bytesToHex(o.outputId)),
    treasury: treasury?.amount ?? null,
  };
}

interface Owned {
  output: LedgerOutput;
  owner: Wallet;
}

/** Draws one round's transactions against the ledger of the previous milestone. */
class RoundPlanner {
  /** Inputs already spent by a transaction of this round (the material for double spends). */
  private readonly usedThisRound: Owned[] = [];
  private readonly used = new Set<string>();

  constructor(
    private readonly ledger: UtxoLedger,
    private readonly rnd: () => number,
    private readonly round: number,
  ) {}

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)]!;
  }

  private owned(spent: boolean): Owned[] {
    const out: Owned[] = [];
    for (const owner of CONFIRM_WALLETS) {
      const ids = this.ledger.outputIdsOfAddress(owner.address, { includeSpent: spent, limit: 1000 });
      for (const id of ids) {
        if (this.ledger.isSpent(id) !== spent) continue;
        const output = this.ledger.getOutput(id);
        if (output !== undefined) out.push({ output, owner });
      }
    }
    return out;
  }

  private recipient(owner: Wallet): Wallet {
    return this.pick(CONFIRM_WALLETS.filter((w) => w !== owner));
  }

  /** A payload for message `n` of the round: a transaction of some kind, or null for a plain data message. */
  next(n: number): TransactionPayload | null {
    const r = this.rnd();
    if (r < 0.12) return null;
    if (r < 0.22) {
      // Spends an output an earlier milestone spent: conflict 1.
      const spent = this.owned(true);
      if (spent.length > 0) {
        const s = this.pick(spent);
        return this.transfer([s], s.output.output.amount, 0);
      }
    } else if (r < 0.29) {
      // An output that never existed: conflict 3.
      const owner = this.pick(CONFIRM_WALLETS);
      const missing = outputId(blake2b256(utf8ToBytes(`crash-confirm-missing-${this.round}-${n}`)), 0);
      return buildTransaction([{ outputId: missing, signer: owner }], [{ address: this.recipient(owner), amount: MI }]);
    } else if (r < 0.43 && this.usedThisRound.length > 0) {
      // Spends an input another transaction of this round spends: unless that one fails for another reason, one of
      // the two conflicts with reason 2 (which one depends on white-flag order).
      const s = this.pick(this.usedThisRound);
      return this.transfer([s], s.output.output.amount, 0);
    }
    const free = this.owned(false).filter((o) => !this.used.has(bytesToHex(o.output.outputId)));
    if (free.length === 0) return null;
    const first = this.pick(free);
    const chosen = [first];
    const more = free.filter((o) => o.owner === first.owner && o !== first);
    if (more.length > 0 && this.rnd() < 0.3) chosen.push(this.pick(more));
    for (const c of chosen) {
      this.used.add(bytesToHex(c.output.outputId));
      this.usedThisRound.push(c);
    }
    const total = chosen.reduce((s, c) => s + c.output.output.amount, 0);
    // Mostly a sound transfer; now and then outputs worth more than the inputs: conflict 4.
    return this.transfer(chosen, total, this.rnd() < 0.08 ? MI : 0);
  }

  /** Sends part or all of `total` to another wallet, the rest back to the owner (amounts stay whole Mi: no dust). */
  private transfer(inputs: readonly Owned[], total: number, excess: number): TransactionPayload {
    const owner = inputs[0]!.owner;
    const to = this.recipient(owner);
    const quarters = 1 + Math.floor(this.rnd() * 4);
    const sent = Math.max(MI, Math.floor((total * quarters) / 4 / MI) * MI);
    const outputs: OutputSpec[] =
      sent >= total
        ? [{ address: to, amount: total + excess }]
        : [
            { address: to, amount: sent + excess },
            { address: owner, amount: total - sent },
          ];
    const signed: SignedInput[] = inputs.map((i) => ({ outputId: i.output.outputId, signer: i.owner }));
    return buildTransaction(signed, outputs, this.rnd() < 0.3 ? { index: `crash-confirm-${this.round}` } : {});
  }
}

/**
 * Builds `milestones` rounds from `seed` by running them on a fresh in-memory ConsensusBuilder. Each round has 5–9
 * messages forming a small DAG on the previous milestone; about one message in ten (never in the last round) is held
 * back from the round's milestone (nothing in the round approves it) and confirmed by the next one instead.
 */
export async function planConfirmScript(seed: number, milestones: number): Promise<ConfirmScript> {
  const rnd = seededRandom(seed);
  const planner = await ConsensusBuilder.create(confirmScriptOptions(new MemoryKvStore()));
  const { tb, ledger } = planner;
  const ledgerStates = [ledgerState(ledger)];
  const rounds: ScriptRound[] = [];
  let carried: string[] = [];
  for (let k = 1; k <= milestones; k++) {
    const txs = new RoundPlanner(ledger, rnd, k);
    const base = k === 1 ? "genesis" : `ms${k - 1}`;
    const steps: ScriptStep[] = [];
    /** Messages of the round no other message of the round (held back ones aside) approves yet. */
    let tips: string[] = [];
    const all: string[] = [];
    const heldBack: string[] = [];
    const count = 5 + Math.floor(rnd() * 5);
    for (let n = 0; n < count; n++) {
      const label = `r${k}.${n}`;
      let parents: string[];
      if (n === 0) parents = [base, ...carried];
      else {
        // Either a side branch off any earlier message (one more tip) or a merge of one or two tips; at most five
        // tips, so the milestone stays within TIP-6's eight parents.
        const branch = tips.length < 5 && rnd() < 0.35;
        parents = branch ? [all[Math.floor(rnd() * all.length)]!] : tips.slice(0, 1 + Math.floor(rnd() * 2));
        if (rnd() < 0.3) parents.push(all[Math.floor(rnd() * all.length)]!);
      }
      const hold = k < milestones && n > 0 && n < count - 1 && rnd() < 0.1;
      if (!hold) tips = [...tips.filter((t) => !parents.includes(t)), label];
      (hold ? heldBack : all).push(label);
      const payload = txs.next(n);
      const spec = tb.message(label).parents(...parents);
      if (payload === null) spec.index(`crash-confirm-data-${k}`, `${n}`);
      else spec.withPayload(payload);
      const result = await spec.store();
      if (result.status !== "new") throw new Error(`planner: ${label} was ${result.status}`);
      const id = tb.id(label);
      steps.push({ kind: "message", id, idHex: bytesToHex(id), bytes: tb.bytes(label) });
    }
    // Sorted as the payload will list them: prepareMilestone walks the cone in the order it is given, the
    // confirmer in the payload's (TIP-2), and a double spend across two tips gets another verdict in another order.
    const ms = await planner.milestone(tips.map((l) => tb.id(l)).sort(compareBytes));
    if (tb.tangle.confirmedMilestoneIndex !== k) {
      throw new Error(`planner: milestone ${k} did not confirm (${planner.consensus.confirmer.halted?.message})`);
    }
    const milestoneStep: ScriptStep = {
      kind: "milestone",
      id: ms.messageId,
      idHex: bytesToHex(ms.messageId),
      bytes: ms.bytes,
    };
    // A quarter of the milestones arrive before the round's last one or two messages: the confirmer then waits for
    // the milestone to turn solid (or confirms at once when the late ones are held back).
    const early = rnd() < 0.25 ? 1 + Math.floor(rnd() * 2) : 0;
    steps.splice(steps.length - early, 0, milestoneStep);
    rounds.push({ index: k, steps });
    ledgerStates.push(ledgerState(ledger));
    carried = heldBack;
  }
  return { rounds, planner, ledgerStates };
}

/** The rounds as text, for a child process to replay without planning them again. */
export function encodeRounds(rounds: readonly ScriptRound[]): string {
  return JSON.stringify(
    rounds.map((r) => ({ index: r.index, steps: r.steps.map((s) => [s.kind, bytesToHex(s.bytes)]) })),
  );
}

export function decodeRounds(text: string): ScriptRound[] {
  const rounds = JSON.parse(text) as Array<{ index: number; steps: Array<[ScriptStep["kind"], string]> }>;
  return rounds.map((r) => ({
    index: r.index,
    steps: r.steps.map(([kind, hex]) => {
      const bytes = hexToBytes(hex);
      const id = messageId(bytes);
      return { kind, id, idHex: bytesToHex(id), bytes };
    }),
  }));
}

/** Resolves once milestone `index` is confirmed and durable; rejects when the confirmer halts or after `timeoutMs`. */
function confirmedAt(cb: ConsensusBuilder, index: number, timeoutMs: number): Promise<void> {
  const events = cb.tb.pipeline.events;
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      clearTimeout(timer);
      offConfirmed();
      offHalted();
      if (error === undefined) resolve();
      else reject(error);
    };
    const offConfirmed = events.on("milestone.confirmed", (e) => {
      if (e.index >= index) done();
    });
    const offHalted = events.on("node.halted", (e) =>
      done(new Error(`halted before milestone ${index}: ${e.message}`)),
    );
    const timer = setTimeout(() => done(new Error(`milestone ${index} did not confirm in ${timeoutMs} ms`)), timeoutMs);
    const halted = cb.consensus.confirmer.halted;
    if (halted !== null) done(new Error(`halted before milestone ${index}: ${halted.message}`));
    // Durable already: the confirmer awaits the batch before it forgets a milestone, and the CMI moved with it.
    else if (cb.tb.tangle.confirmedMilestoneIndex >= index) void cb.tb.tangle.durable().then(() => done());
  });
}

/**
 * Delivers `rounds` to `cb` as gossip would (milestones as the coordinator's), a few messages at a time, and waits
 * after each round until its milestone is confirmed. Messages the database holds already come back "known".
 * `onMilestone` hears each milestone index just before its message is submitted.
 */
export async function replayRounds(
  cb: ConsensusBuilder,
  rounds: readonly ScriptRound[],
  rnd: () => number,
  onMilestone: (index: number) => void = () => undefined,
): Promise<void> {
  const ingress = cb.tb.pipeline.ingress;
  for (const round of rounds) {
    const confirmed = confirmedAt(cb, round.index, 10_000);
    // A rejection before the round is awaited must not count as unhandled.
    confirmed.catch(() => undefined);
    let chunk: Array<Promise<unknown>> = [];
    const flush = async () => {
      await Promise.all(chunk);
      chunk = [];
    };
    for (const step of round.steps) {
      if (step.kind === "milestone") {
        await flush();
        onMilestone(round.index);
        const r = await ingress.submit(step.bytes, { source: "coordinator" });
        if (r.status === "rejected") throw new Error(`milestone ${round.index} was rejected: ${r.detail}`);
        continue;
      }
      chunk.push(
        ingress.submit(step.bytes, { source: "peer" }).then((r) => {
          if (r.status === "rejected") throw new Error(`message ${step.idHex} was rejected: ${r.detail}`);
        }),
      );
      if (chunk.length >= 1 + Math.floor(rnd() * 4)) await flush();
    }
    await flush();
    await confirmed;
  }
}
