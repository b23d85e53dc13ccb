/**
 * Milestone confirmation of value transactions on durable lmdb (issue 4: "confirming milestones that reference 1,000
 * and 10,000 value transactions (1 input, 2 outputs each): ≥ 2,000 transactions/s on 2 cores including signature
 * checks").
 *
 * Setup (not timed): a fresh lmdb database whose genesis ledger holds one output per sender wallet (N distinct keys,
 * so the verifier's key cache helps no more than on a real network); N transactions, each spending its sender's
 * output into a payment and a change output, signed, stored as messages through the real pipeline (each approving the
 * previous message and a random recent one, so the last message's cone holds them all); the coordinator's milestone
 * on the last message, with its Merkle root from a white-flag dry run.
 *
 * Timed: from submitting the milestone message to the durable end of its confirmation: milestone validation (two
 * signatures), the TIP-2 walk, decoding, white flag with N Ed25519 verifications, the Merkle root, staging the
 * ledger diff, tx-history and the metadata of N + 1 messages, and the lmdb commit.
 *
 *  - `confirmation.lmdb.1k` / `.10k`: transactions confirmed per second (median of the samples), with the node's
 *    SignaturePool checking the milestone's signatures on every core before white flag runs.
 *  - `confirmation.lmdb.10k.oneThread`: the same without the pool (every check on the confirming thread): what the
 *    pool buys.
 *  - `confirmation.ed25519.anchor`: single-core Ed25519 verifications per second on the same keys and messages in
 *    the same run (the hardware anchor of PERFORMANCE.md): confirmation can never beat it without parallel checks.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { essenceHash } from "../src/codec/index.js";
import { blake2b256 } from "../src/crypto/blake2b.js";
import { ed25519Verify } from "../src/crypto/ed25519.js";
import { SignaturePool } from "../src/ledger/signaturePool.js";
import { TOKEN_SUPPLY } from "../src/params/protocol.js";
import { utf8ToBytes } from "../src/primitives/bytes.js";
import { LmdbKvStore } from "../src/storage/backends/lmdb.js";
import { ConsensusBuilder } from "../test/utils/consensusBuilder.js";
import { Wallet } from "../test/utils/ledgerFixtures.js";
import { seededRandom } from "../test/utils/seededRandom.js";
import { atLeast, type Suite } from "./harness.js";

const AMOUNT = 10_000_000;
const PAYMENT = 4_000_000;
const RECENT_WINDOW = 32;
/** One pool for the whole suite, as the node keeps one: worker start-up is not part of a confirmation. */
const POOL = new SignaturePool();

interface Prepared {
  cb: ConsensusBuilder;
  dir: string;
  milestoneBytes: Uint8Array;
  signatures: Array<{ publicKey: Uint8Array; message: Uint8Array; signature: Uint8Array }>;
}

async function prepare(n: number, run: number, pool: SignaturePool | null): Promise<Prepared> {
  const dir = mkdtempSync(join(tmpdir(), "weaver-confirmation-bench-"));
  const senders = Array.from({ length: n }, (_, i) => Wallet.named(`sender-${run}-${i}`));
  const receivers = Array.from({ length: 64 }, (_, i) => Wallet.named(`receiver-${i}`));
  const cb = await ConsensusBuilder.create({
    kv: LmdbKvStore.open({ path: dir }),
    genesis: senders.map((w) => ({ address: w, amount: AMOUNT })),
    treasury: TOKEN_SUPPLY - n * AMOUNT,
    ...(pool === null ? {} : { signaturePool: pool }),
  });
  const random = seededRandom(run + 1);
  const recent: string[] = [];
  const signatures: Prepared["signatures"] = [];
  for (let i = 0; i < n; i++) {
    const sender = senders[i]!;
    const tx = sender.transfer(
      [cb.genesisOutputs[i]!],
      [
        { address: receivers[i % receivers.length]!, amount: PAYMENT },
        { address: sender, amount: AMOUNT - PAYMENT },
      ],
    );
    const unlock = tx.unlockBlocks[0]!;
    if (unlock.type === 0) {
      signatures.push({
        publicKey: unlock.signature.publicKey,
        message: essenceHash(tx.essence),
        signature: unlock.signature.signature,
      });
    }
    const parents = recent.length === 0 ? ["genesis"] : [recent[recent.length - 1]!];
    if (recent.length > 1) parents.push(recent[Math.floor(random() * (recent.length - 1))]!);
    const label = `tx${i}`;
    const spec = cb.tb
      .message(label)
      .parents(...parents)
      .withPayload(tx);
    const result = cb.tb.pipeline.ingress.process(spec.build().bytes, { source: "peer" });
    if (result.status !== "new") throw new Error(`message ${label} was ${result.status}`);
    recent.push(label);
    if (recent.length > RECENT_WINDOW) recent.shift();
    if (i % 1000 === 999) await cb.tb.tangle.store.drain();
  }
  await cb.tb.tangle.durable();
  const milestone = cb.prepareMilestone([recent[recent.length - 1]!]);
  const preview = milestone.preview;
  if (preview === null || preview.includedMessageIds.length !== n) {
    throw new Error(`the dry run includes ${preview?.includedMessageIds.length} of ${n} transactions`);
  }
  return { cb, dir, milestoneBytes: milestone.bytes, signatures };
}

async function confirmOnce(
  n: number,
  run: number,
  pool: SignaturePool | null = POOL,
): Promise<{ txPerSecond: number; prepared: Prepared }> {
  const prepared = await prepare(n, run, pool);
  const { cb } = prepared;
  const started = performance.now();
  await cb.tb.pipeline.ingress.submit(prepared.milestoneBytes, { source: "coordinator" });
  await cb.consensus.confirmer.idle();
  const seconds = (performance.now() - started) / 1000;
  if (cb.tb.tangle.confirmedMilestoneIndex !== 1 || cb.consensus.confirmer.halted !== null) {
    throw new Error(`milestone 1 did not confirm: ${JSON.stringify(cb.consensus.confirmer.halted)}`);
  }
  if (cb.ledger.totalSupplyCheck() !== TOKEN_SUPPLY) throw new Error("supply invariant broken");
  return { txPerSecond: n / seconds, prepared };
}

async function cleanup(p: Prepared): Promise<void> {
  await p.cb.tb.tangle.close();
  rmSync(p.dir, { recursive: true, force: true });
}

export const confirmationSuite: Suite = {
  name: "confirmation",
  async run(ctx) {
    let anchorInput: Prepared["signatures"] = [];
    let run = 0;
    await ctx.sampled(
      "confirmation.lmdb.1k",
      "tx/s",
      async () => {
        const { txPerSecond, prepared } = await confirmOnce(1000, run++);
        anchorInput = prepared.signatures;
        await cleanup(prepared);
        return txPerSecond;
      },
      5,
      atLeast(2000),
    );
    await ctx.sampled(
      "confirmation.lmdb.10k",
      "tx/s",
      async () => {
        const { txPerSecond, prepared } = await confirmOnce(10_000, run++);
        await cleanup(prepared);
        return txPerSecond;
      },
      2,
      atLeast(2000),
    );
    await ctx.sampled(
      "confirmation.lmdb.10k.oneThread",
      "tx/s",
      async () => {
        const { txPerSecond, prepared } = await confirmOnce(10_000, run++, null);
        await cleanup(prepared);
        return txPerSecond;
      },
      1,
    );
    if (anchorInput.length === 0) {
      anchorInput = Array.from({ length: 1000 }, (_, i) => {
        const w = Wallet.named(`anchor-${i}`);
        const message = blake2b256(utf8ToBytes(`anchor-${i}`));
        return { publicKey: w.publicKey, message, signature: w.sign(message) };
      });
    }
    const input = anchorInput;
    await ctx.throughput(
      "confirmation.ed25519.anchor",
      "verify/s",
      () => {
        for (const s of input) if (!ed25519Verify(s.publicKey, s.message, s.signature)) throw new Error("bad sig");
      },
      { opsPerCall: input.length },
    );
  },
};
