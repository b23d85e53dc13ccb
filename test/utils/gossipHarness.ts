/**
 * An in-process network of Weaver nodes (protocol/network.md §8): each node is the real pipeline, ledger, confirmer
 * and gossip service on its own storage, talking to the others over real TLS on 127.0.0.1. A test coordinator signs
 * milestones on whichever node a test picks; everything else has to travel over the wire.
 *
 *   const net = await HarnessNetwork.create();
 *   const seed = await net.startNode({ name: "seed" });
 *   const a = await net.startNode({ name: "a", peers: [seed.endpoint()] });
 *   await net.waitFor(() => a.connectedPeers() === 1, "a connects");
 *   const m = net.message([GENESIS_ID], "hello");
 *   await a.submit(m.bytes);
 *   await net.waitFor(() => seed.has(m.id), "seed holds the message");
 */
import { encodeMessage, messageId } from "../../src/codec/index.js";
import { blake2b256 } from "../../src/crypto/blake2b.js";
import { ed25519Verify } from "../../src/crypto/ed25519.js";
import { GossipService, type GossipServiceOptions } from "../../src/gossip/gossipService.js";
import { type NetworkRules, sepHash } from "../../src/gossip/handshake.js";
import { createIdentity, type NodeIdentity } from "../../src/gossip/identity.js";
import type { Endpoint } from "../../src/gossip/peerTypes.js";
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
import { createMessagePipeline, type MessagePipeline } from "../../src/pipeline/messagePipeline.js";
import { compareBytes, utf8ToBytes } from "../../src/primitives/bytes.js";
import { bytesToHex } from "../../src/primitives/hex.js";
import { LmdbKvStore } from "../../src/storage/backends/lmdb.js";
import { MemoryKvStore } from "../../src/storage/backends/memory.js";
import type { KvStore } from "../../src/storage/kv.js";
import type { Requester } from "../../src/tangle/solidifier.js";
import { Tangle } from "../../src/tangle/tangle.js";
import { Wallet } from "./ledgerFixtures.js";
import { GENESIS_ID, TEST_NETWORK_ID } from "./tangleBuilder.js";

export interface HarnessNodeOptions {
  name: string;
  peers?: Endpoint[];
  /** Keep the database in LMDB in this directory (restart with the same database); default: memory. */
  dataDir?: string;
  /** Reuse an identity (restart with the same NodeId). */
  identity?: NodeIdentity;
  /** Listen port; 0 = any free port. */
  port?: number;
  gossip?: Partial<GossipServiceOptions>;
  /** Rules as this node sees them (to test a peer with other rules); default: the network's. */
  rules?: NetworkRules;
  networkName?: string;
}

export interface BuiltMessage {
  id: Uint8Array;
  idHex: string;
  bytes: Uint8Array;
}

export interface IssuedMilestone extends BuiltMessage {
  index: number;
}

export class HarnessNode {
  private constructor(
    readonly name: string,
    readonly dataDir: string | undefined,
    readonly identity: NodeIdentity,
    readonly tangle: Tangle,
    readonly ledger: UtxoLedger,
    readonly pipeline: MessagePipeline,
    readonly consensus: Consensus,
    readonly gossip: GossipService,
  ) {}

  static async start(network: HarnessNetwork, options: HarnessNodeOptions): Promise<HarnessNode> {
    const kv: KvStore =
      options.dataDir === undefined ? new MemoryKvStore() : LmdbKvStore.open({ path: options.dataDir });
    const identity = options.identity ?? (await createIdentity());
    const { tangle } = await Tangle.open(kv);
    const ledger = new UtxoLedger(tangle.store);
    if (ledger.isEmpty()) {
      // The genesis of chrysalis.md §11.4: one output of the whole supply, the null id as the solid entry point.
      tangle.addSolidEntryPoint(GENESIS_ID, 0);
      ledger.importUnspentOutputs([
        {
          outputId: new Uint8Array(34),
          messageId: new Uint8Array(32),
          output: { type: 0, address: { type: 0, address: network.genesisWallet.address }, amount: TOKEN_SUPPLY },
        },
      ]);
      ledger.setTreasury({ milestoneId: new Uint8Array(32), amount: 0 });
      ledger.setLedgerIndex(0);
      await tangle.durable();
    }
    let gossip: GossipService | null = null;
    const requester: Requester = { request: (id, hint) => gossip?.request(id, hint) };
    const pipeline = createMessagePipeline(
      { networkId: network.rules.networkId, minPowScore: network.rules.minPowScore },
      { tangle, requester, now: Date.now },
    );
    pipeline.solidifier.load({ milestoneIndex: tangle.latestMilestoneIndex });
    const consensus = attachConsensus(pipeline, {
      tangle,
      ledger,
      validator: network.validator,
      now: Date.now,
      milestoneRequester: { requestMilestone: (index) => gossip?.requestMilestone(index) },
    });
    gossip = new GossipService(
      {
        networkName: options.networkName ?? network.networkName,
        rules: options.rules ?? network.rules,
        bind: { host: "127.0.0.1", port: options.port ?? 0 },
        peers: options.peers ?? [],
        discoveryFirstMs: 200,
        discoveryIntervalMs: 1_000,
        reconnectBaseMs: 200,
        ...options.gossip,
      },
      { identity, tangle, ingress: pipeline.ingress, events: pipeline.events, now: Date.now },
    );
    await gossip.start();
    const node = new HarnessNode(options.name, options.dataDir, identity, tangle, ledger, pipeline, consensus, gossip);
    network.nodes.push(node);
    return node;
  }

  /** Where peers reach this node, with its NodeId. */
  endpoint(): Required<Endpoint> {
    return { ...this.gossip.listenEndpoint(), nodeIdHex: this.identity.nodeIdHex };
  }

  get port(): number {
    return this.gossip.listenEndpoint().port;
  }

  connectedPeers(): number {
    return this.gossip.syncStatus().connectedPeers;
  }

  has(id: Uint8Array): boolean {
    return this.tangle.hasMessage(id);
  }

  get cmi(): number {
    return this.tangle.confirmedMilestoneIndex;
  }

  submit(bytes: Uint8Array): Promise<IngressResult> {
    return this.pipeline.ingress.submit(bytes, { source: "api" });
  }

  private stopped = false;

  /** Stops gossip, lets the confirmer finish and closes the tangle (the kv stays usable for a restart). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.gossip.close();
    await this.consensus.confirmer.idle();
    this.consensus.close();
    await this.tangle.durable();
    await this.tangle.close();
  }
}

export class HarnessNetwork {
  readonly nodes: HarnessNode[] = [];
  readonly genesisWallet = Wallet.named("genesis");
  readonly networkName: string;
  readonly signers: MilestoneSigner[];
  readonly validator: MilestoneValidator;
  readonly rules: NetworkRules;
  private lastMilestone: Uint8Array | null = null;
  private latestIndex = 0;
  private nonce = 0n;

  private constructor(minPowScore: number, networkName: string, networkId: bigint) {
    this.networkName = networkName;
    this.signers = [1, 2].map((i) => seedSigner(blake2b256(utf8ToBytes(`weaver-harness-coordinator-${i}`))));
    const keyRanges = this.signers.map((s) => ({ publicKey: s.publicKey, startIndex: 1, endIndex: 0 }));
    this.validator = new MilestoneValidator({ keyRanges, threshold: 2 });
    this.rules = { networkId, minPowScore, keyRanges, threshold: 2, sepHash: sepHash([GENESIS_ID]) };
  }

  static create(options: { minPowScore?: number; networkName?: string; networkId?: bigint } = {}): HarnessNetwork {
    return new HarnessNetwork(
      options.minPowScore ?? 0,
      options.networkName ?? "weaver-harness",
      options.networkId ?? TEST_NETWORK_ID,
    );
  }

  startNode(options: HarnessNodeOptions): Promise<HarnessNode> {
    return HarnessNode.start(this, options);
  }

  /** An indexation message on `parents` (sorted, deduplicated), unique by its text and a counter. */
  message(parents: Uint8Array[], text: string, networkId = this.rules.networkId): BuiltMessage {
    const sorted = [...new Map(parents.map((p) => [bytesToHex(p), p])).values()].sort(compareBytes);
    const bytes = encodeMessage({
      networkId,
      parents: sorted,
      payload: { type: 2, index: utf8ToBytes("harness"), data: utf8ToBytes(text) },
      nonce: this.nonce++,
    });
    const id = messageId(bytes);
    return { id, idHex: bytesToHex(id), bytes };
  }

  /**
   * Signs milestone latest + 1 on `parents` (plus the previous milestone) with the white-flag root computed on
   * `node`'s tangle and ledger, as a coordinator running there would, and submits it at that node.
   */
  async issueMilestone(node: HarnessNode, parents: Uint8Array[]): Promise<IssuedMilestone> {
    const index = this.latestIndex + 1;
    const ids = [...parents];
    if (this.lastMilestone !== null) ids.push(this.lastMilestone);
    if (ids.length === 0) ids.push(GENESIS_ID);
    const parentIds = [...new Map(ids.map((id) => [bytesToHex(id), id])).values()].sort(compareBytes);
    const mutations = computeWhiteFlagMutations(
      { milestoneIndex: index, cone: milestoneCone(node.tangle, index, parentIds), receipt: null },
      node.ledger,
      ed25519Verify,
    );
    const payload = buildMilestonePayload(
      {
        index,
        timestamp: 1_700_000_000 + index,
        parents: parentIds,
        inclusionMerkleProof: mutations.merkleRoot,
      },
      this.signers,
    );
    const { bytes } = buildMilestoneMessage({ networkId: this.rules.networkId, payload, nonce: BigInt(index) });
    const id = messageId(bytes);
    const result = await node.submit(bytes);
    if (result.status !== "new") throw new Error(`milestone ${index} was not accepted: ${JSON.stringify(result)}`);
    this.lastMilestone = id;
    this.latestIndex = index;
    return { id, idHex: bytesToHex(id), bytes, index };
  }

  /** Polls `predicate` every 20 ms until it holds; throws with `what` after `timeoutMs`. */
  async waitFor(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.stop()));
  }
}
