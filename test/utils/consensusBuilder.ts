/**
 * The TangleBuilder with consensus (ARCHITECTURE.md habit 14, Hornet's testsuite): a real UtxoLedger bootstrapped
 * with genesis funds, the milestone tracker and confirmer wired as the node wires them, and a test coordinator that
 * issues signed milestones whose Merkle root comes from the same white-flag code.
 *
 *   const cb = await ConsensusBuilder.create();                  // the genesis wallet holds the whole supply
 *   const tx = cb.genesisWallet.transfer([cb.genesisOutput], [{ address: bob, amount: SUPPLY }]);
 *   await cb.tb.message("A").withPayload(tx).store();
 *   await cb.milestone(["A"]);                                    // milestone 1 confirms A
 *   cb.ledger.balance(bob.address)
 */

import { messageId, outputId, type ReceiptPayload } from "../../src/codec/index.js";
import { blake2b256 } from "../../src/crypto/blake2b.js";
import { ed25519Verify } from "../../src/crypto/ed25519.js";
import type { BatchSignatureVerifier } from "../../src/ledger/signaturePool.js";
import type { LedgerOutput, WhiteFlagMutations } from "../../src/ledger/types.js";
import { UtxoLedger } from "../../src/ledger/utxoLedger.js";
import { computeWhiteFlagMutations } from "../../src/ledger/whiteFlag.js";
import {
  buildMilestoneMessage,
  buildMilestonePayload,
  type MilestoneSigner,
  seedSigner,
} from "../../src/milestones/milestoneBuilder.js";
import { MilestoneValidator } from "../../src/milestones/milestoneValidator.js";
import { TOKEN_SUPPLY } from "../../src/params/protocol.js";
import { milestoneCone } from "../../src/pipeline/confirmer.js";
import { attachConsensus, type Consensus } from "../../src/pipeline/consensus.js";
import type { IngressResult } from "../../src/pipeline/ingress.js";
import { compareBytes, utf8ToBytes } from "../../src/primitives/bytes.js";
import { bytesToHex } from "../../src/primitives/hex.js";
import { Wallet } from "./ledgerFixtures.js";
import { TangleBuilder, type TangleBuilderOptions } from "./tangleBuilder.js";

export interface ConsensusBuilderOptions extends TangleBuilderOptions {
  /** Genesis outputs (ignored when the database already holds a ledger). Default: the genesis wallet holds it all. */
  genesis?: Array<{ address: Uint8Array | Wallet; amount: number }>;
  /** Treasury at genesis (TIP-17); the genesis outputs and the treasury add up to the supply. */
  treasury?: number;
  /** Coordinator key seeds; default two, open-ended from milestone 1, threshold 2. */
  coordinatorSeeds?: Uint8Array[];
  threshold?: number;
  /** Check each milestone's signatures in parallel (worker threads) as the node does. */
  signaturePool?: BatchSignatureVerifier;
}

export interface MilestoneOptions {
  merkleRoot?: Uint8Array;
  receipt?: ReceiptPayload;
  label?: string;
  signers?: MilestoneSigner[];
}

export interface PreparedMilestone {
  index: number;
  messageId: Uint8Array;
  bytes: Uint8Array;
  /** The mutations the coordinator computed for its Merkle root (null when the root was given). */
  preview: WhiteFlagMutations | null;
}

export interface IssuedMilestone extends PreparedMilestone {
  result: IngressResult;
}

export class ConsensusBuilder {
  readonly genesisWallet = Wallet.named("genesis");
  private lastMilestoneMessage: Uint8Array | null = null;

  private constructor(
    readonly tb: TangleBuilder,
    readonly ledger: UtxoLedger,
    readonly consensus: Consensus,
    readonly signers: MilestoneSigner[],
    readonly genesisOutputs: LedgerOutput[],
  ) {}

  static async create(options: ConsensusBuilderOptions = {}): Promise<ConsensusBuilder> {
    const tb = await TangleBuilder.create(options);
    const ledger = new UtxoLedger(tb.tangle.store);
    const genesisWallet = Wallet.named("genesis");
    let genesisOutputs: LedgerOutput[] = [];
    if (ledger.isEmpty()) {
      const specs = options.genesis ?? [{ address: genesisWallet, amount: TOKEN_SUPPLY - (options.treasury ?? 0) }];
      // Genesis output ids as the snapshot generator makes them for one output (34 zero bytes), unique for more.
      genesisOutputs = specs.map((s, i) => ({
        outputId: i === 0 ? new Uint8Array(34) : outputId(blake2b256(utf8ToBytes(`genesis-${i}`)), 0),
        messageId: new Uint8Array(32),
        output: {
          type: 0,
          address: { type: 0, address: s.address instanceof Wallet ? s.address.address : s.address },
          amount: s.amount,
        },
      }));
      ledger.importUnspentOutputs(genesisOutputs);
      ledger.setTreasury({ milestoneId: new Uint8Array(32), amount: options.treasury ?? 0 });
      ledger.setLedgerIndex(0);
      await tb.tangle.durable();
    }
    const seeds = options.coordinatorSeeds ?? [
      blake2b256(utf8ToBytes("weaver-test-coordinator-1")),
      blake2b256(utf8ToBytes("weaver-test-coordinator-2")),
    ];
    const signers = seeds.map((s) => seedSigner(s));
    const validator = new MilestoneValidator({
      keyRanges: signers.map((s) => ({ publicKey: s.publicKey, startIndex: 1, endIndex: 0 })),
      threshold: options.threshold ?? Math.min(2, signers.length),
    });
    const consensus = attachConsensus(tb.pipeline, {
      tangle: tb.tangle,
      ledger,
      validator,
      now: () => Date.now(),
      ...(options.signaturePool === undefined ? {} : { signaturePool: options.signaturePool }),
    });
    // As the node does after each confirmation (chrysalis.md §7: tip scores are relative to the CMI).
    tb.pipeline.events.on("milestone.confirmed", () => tb.tipSelector.updateScores());
    return new ConsensusBuilder(tb, ledger, consensus, signers, genesisOutputs);
  }

  /** The genesis output of the genesis wallet (the first genesis output). */
  get genesisOutput(): LedgerOutput {
    const o = this.genesisOutputs[0];
    if (o === undefined) throw new Error("no genesis output (the ledger came from an existing database)");
    return o;
  }

  /**
   * Prepares milestone LMI + 1 on the given parents (labels or ids; the previous milestone message is added) as a
   * coordinator does: white flag on the cone gives the Merkle root, then the payload is signed. `merkleRoot`
   * overrides the computed root (to test a mismatch, or when the cone is incomplete); `receipt` adds a receipt.
   */
  prepareMilestone(parents: Array<string | Uint8Array>, options: MilestoneOptions = {}): PreparedMilestone {
    const tangle = this.tb.tangle;
    const index = tangle.latestMilestoneIndex + 1;
    const ids = parents.map((p) => this.tb.idOf(p));
    if (this.lastMilestoneMessage !== null) ids.push(this.lastMilestoneMessage);
    if (ids.length === 0) ids.push(new Uint8Array(32));
    // TIP-8: the payload's parents are sorted and unique, and white flag walks them in that order; the preview must
    // walk the same order or its Merkle root would differ.
    const parentIds = [...new Map(ids.map((id) => [bytesToHex(id), id])).values()].sort(compareBytes);
    const timestamp = Math.floor(this.tb.now / 1000) + index;
    // A receipt's output ids need the milestone id, unknown before signing; the Merkle root does not depend on
    // them, so placeholder ids are fine for the preview.
    const preview =
      options.merkleRoot !== undefined
        ? null
        : computeWhiteFlagMutations(
            {
              milestoneIndex: index,
              cone: milestoneCone(tangle, index, parentIds),
              receipt:
                options.receipt === undefined
                  ? null
                  : {
                      receipt: options.receipt,
                      milestoneId: new Uint8Array(32),
                      milestoneMessageId: new Uint8Array(32),
                    },
            },
            this.ledger,
            ed25519Verify,
          );
    const payload = buildMilestonePayload(
      {
        index,
        timestamp,
        parents: parentIds,
        inclusionMerkleProof: options.merkleRoot ?? preview!.merkleRoot,
        ...(options.receipt === undefined ? {} : { receipt: options.receipt }),
      },
      options.signers ?? this.signers,
    );
    const { bytes } = buildMilestoneMessage({ networkId: this.tb.networkId, payload, nonce: BigInt(index) });
    const id = messageId(bytes);
    this.tb.register(options.label ?? `ms${index}`, id, bytes);
    this.lastMilestoneMessage = id;
    return { index, messageId: id, bytes, preview };
  }

  /** Prepares milestone LMI + 1 (prepareMilestone), submits it through the ingress and waits for the confirmer. */
  async milestone(parents: Array<string | Uint8Array>, options: MilestoneOptions = {}): Promise<IssuedMilestone> {
    const prepared = this.prepareMilestone(parents, options);
    const result = await this.tb.pipeline.ingress.submit(prepared.bytes, { source: "coordinator" });
    await this.consensus.confirmer.idle();
    // The invariant, checked after every milestone any test confirms: unspent outputs + treasury = supply.
    const total = this.ledger.totalSupplyCheck();
    if (total !== TOKEN_SUPPLY)
      throw new Error(`after milestone ${prepared.index} the ledger holds ${total}, not the supply`);
    return { ...prepared, result };
  }
}
