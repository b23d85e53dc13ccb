/**
 * A test DSL for tangles (ARCHITECTURE.md habit 14, after Hornet's pkg/testsuite): name messages, say what they
 * approve, push them through the real ingestion pipeline, confirm cones, and dump the DAG as DOT when a test fails.
 *
 *   const tb = await TangleBuilder.create();
 *   await tb.message("A").store();                         // approves the genesis solid entry point
 *   await tb.message("B").parents("A").index("weaver").store();
 *   tb.confirmMilestoneOn(["B"]);                          // A and B referenced by milestone 1
 *
 * Messages are real TIP-6 bytes (network id of the builder, unique nonces); PoW is not checked (minimum score 0)
 * unless `minPowScore` is given.
 */
import { encodeMessage, type Message, type MessagePayload, messageId } from "../../src/codec/index.js";
import type { NodeEvents } from "../../src/pipeline/events.js";
import type { IngressResult, SubmitOptions } from "../../src/pipeline/ingress.js";
import { createMessagePipeline, type MessagePipeline } from "../../src/pipeline/messagePipeline.js";
import { compareBytes, utf8ToBytes } from "../../src/primitives/bytes.js";
import { bytesToHex } from "../../src/primitives/hex.js";
import { MemoryKvStore } from "../../src/storage/backends/memory.js";
import type { KvStore } from "../../src/storage/kv.js";
import { LEDGER_INCLUSION_NO_TRANSACTION } from "../../src/storage/prefixes.js";
import type { Requester, RequestHint, SolidifierOptions } from "../../src/tangle/solidifier.js";
import { checkParentsForSubmission } from "../../src/tangle/submissionCheck.js";
import { Tangle } from "../../src/tangle/tangle.js";
import { TipSelector, type TipSelectorOptionsInput } from "../../src/tangle/tipSelector.js";
import { unreferencedPastCone } from "../../src/tangle/traversal.js";
import { seededRandom } from "./seededRandom.js";

/** The all-zero id: the genesis solid entry point of every new network (chrysalis.md §11.4). */
export const GENESIS_ID = new Uint8Array(32);
export const TEST_NETWORK_ID = 4242n;

/** A Requester that records what was asked for. */
export class RecordingRequester implements Requester {
  readonly requests: Array<{ idHex: string; hint: RequestHint }> = [];
  request(messageId: Uint8Array, hint: RequestHint): void {
    this.requests.push({ idHex: bytesToHex(messageId), hint });
  }
  get requestedHex(): string[] {
    return this.requests.map((r) => r.idHex);
  }
}

export interface TangleBuilderOptions {
  kv?: KvStore;
  networkId?: bigint;
  minPowScore?: number;
  solidifier?: Partial<SolidifierOptions>;
  /** Milliseconds; the builder's clock starts at 1,000,000 and moves only through advanceTime(). */
  startTime?: number;
  tipSelector?: TipSelectorOptionsInput;
}

type EventLogEntry = { [K in keyof NodeEvents]: { name: K; event: NodeEvents[K] } }[keyof NodeEvents];

export class MessageSpec {
  private parentRefs: Array<string | Uint8Array> = [];
  private payload: MessagePayload | null = null;
  private networkId: bigint;

  constructor(
    private readonly tb: TangleBuilder,
    readonly label: string,
  ) {
    this.networkId = tb.networkId;
  }

  /** Parents by label or id; sorted and deduplicated as TIP-6 requires. Default: the genesis entry point. */
  parents(...refs: Array<string | Uint8Array>): this {
    this.parentRefs = refs;
    return this;
  }

  /** An indexation payload (TIP-6 type 2). */
  index(index: string, data = ""): this {
    this.payload = { type: 2, index: utf8ToBytes(index), data: utf8ToBytes(data) };
    return this;
  }

  withPayload(payload: MessagePayload): this {
    this.payload = payload;
    return this;
  }

  withNetworkId(networkId: bigint): this {
    this.networkId = networkId;
    return this;
  }

  /** Encodes the message and registers its label, without submitting it. */
  build(): { id: Uint8Array; bytes: Uint8Array; message: Message } {
    const refs = this.parentRefs.length === 0 ? [GENESIS_ID] : this.parentRefs;
    const parents = [...new Map(refs.map((r) => this.tb.idOf(r)).map((id) => [bytesToHex(id), id])).values()].sort(
      compareBytes,
    );
    const message: Message = { networkId: this.networkId, parents, payload: this.payload, nonce: this.tb.nextNonce() };
    const bytes = encodeMessage(message);
    const id = messageId(bytes);
    this.tb.register(this.label, id, bytes);
    return { id, bytes, message };
  }

  /** Builds and submits the message through the pipeline (as a peer's, unrequested unless told). */
  async store(opts: Partial<SubmitOptions> = {}): Promise<IngressResult> {
    const { bytes } = this.build();
    return this.tb.pipeline.ingress.submit(bytes, { source: "peer", ...opts });
  }
}

export class TangleBuilder {
  private readonly ids = new Map<string, Uint8Array>();
  private readonly labels = new Map<string, string>();
  private readonly raw = new Map<string, Uint8Array>();
  private nonce = 0n;
  private time: number;
  readonly log: EventLogEntry[] = [];

  private constructor(
    readonly tangle: Tangle,
    readonly pipeline: MessagePipeline,
    readonly requester: RecordingRequester,
    readonly tipSelector: TipSelector,
    readonly networkId: bigint,
    startTime: number,
    private readonly clock: { now: number },
  ) {
    this.time = startTime;
    this.labels.set(bytesToHex(GENESIS_ID), "genesis");
    for (const name of ["message.received", "message.solid", "message.rejected", "message.evicted"] as const) {
      pipeline.events.on(name, (event) => this.log.push({ name, event } as EventLogEntry));
    }
  }

  static async create(options: TangleBuilderOptions = {}): Promise<TangleBuilder> {
    const kv = options.kv ?? new MemoryKvStore();
    const { tangle } = await Tangle.open(kv);
    if (tangle.solidEntryPointCount === 0) tangle.addSolidEntryPoint(GENESIS_ID, 0);
    const requester = new RecordingRequester();
    const clock = { now: options.startTime ?? 1_000_000 };
    const networkId = options.networkId ?? TEST_NETWORK_ID;
    // Wired as the node wires it: the tip pool hears every solid message, API submissions get the parents check.
    const tipSelector = new TipSelector(options.tipSelector ?? {}, {
      view: tangle,
      now: () => clock.now,
      random: seededRandom(42),
    });
    const pipeline = createMessagePipeline(
      {
        networkId,
        minPowScore: options.minPowScore ?? 0,
        ...(options.solidifier === undefined ? {} : { solidifier: options.solidifier }),
      },
      {
        tangle,
        requester,
        now: () => clock.now,
        tipPool: tipSelector,
        checkSubmission: (parents) => checkParentsForSubmission(tangle, parents),
      },
    );
    pipeline.solidifier.load({ milestoneIndex: tangle.latestMilestoneIndex });
    return new TangleBuilder(tangle, pipeline, requester, tipSelector, networkId, clock.now, clock);
  }

  message(label: string): MessageSpec {
    if (this.ids.has(label)) throw new Error(`label ${label} is already used`);
    return new MessageSpec(this, label);
  }

  /** The builder's clock (milliseconds). */
  get now(): number {
    return this.time;
  }

  /** Moves the builder's clock forward. */
  advanceTime(ms: number): void {
    this.time += ms;
    this.clock.now = this.time;
  }

  id(label: string): Uint8Array {
    const id = this.ids.get(label);
    if (id === undefined) throw new Error(`unknown label ${label}`);
    return id;
  }

  hex(label: string): string {
    return bytesToHex(this.id(label));
  }

  bytes(label: string): Uint8Array {
    const b = this.raw.get(label);
    if (b === undefined) throw new Error(`unknown label ${label}`);
    return b;
  }

  labelOf(idHex: string): string {
    return this.labels.get(idHex) ?? `${idHex.slice(0, 8)}…`;
  }

  idOf(ref: string | Uint8Array): Uint8Array {
    return typeof ref === "string" ? (ref === "genesis" ? GENESIS_ID : this.id(ref)) : ref;
  }

  /** @internal used by MessageSpec */
  register(label: string, id: Uint8Array, bytes: Uint8Array): void {
    this.ids.set(label, id);
    this.labels.set(bytesToHex(id), label);
    this.raw.set(label, bytes);
  }

  /** @internal used by MessageSpec: a fresh nonce per message keeps otherwise equal messages distinct. */
  nextNonce(): bigint {
    return ++this.nonce;
  }

  isSolid(label: string): boolean {
    return this.tangle.getMetadata(this.id(label))?.solid === true;
  }

  /** Labels of the events named `name`, in firing order. */
  eventLabels(name: keyof NodeEvents): string[] {
    return this.log
      .filter((e) => e.name === name)
      .map((e) => ("messageIdHex" in e.event && e.event.messageIdHex ? this.labelOf(e.event.messageIdHex) : "?"));
  }

  /**
   * Marks the unreferenced past cone of `labels` as referenced by the next milestone, in white-flag order, and moves
   * CMI and LMI to it. Ledger verdicts are "no transaction" (the ledger is not part of this DSL yet). Returns the
   * labels in the order they were referenced.
   */
  async confirmMilestoneOn(labels: string[]): Promise<string[]> {
    const index = this.tangle.confirmedMilestoneIndex + 1;
    const tangle = this.tangle;
    const cone = unreferencedPastCone(
      {
        getParents: (id) => tangle.getParents(id),
        isBoundary: (id, hex) =>
          tangle.solidEntryPointIndexByHex(hex) !== undefined || tangle.getMetadata(id)?.referenced === true,
      },
      labels.map((l) => this.id(l)),
    );
    if (!Array.isArray(cone)) throw new Error(`cone of milestone ${index} misses ${bytesToHex(cone.missing)}`);
    for (const id of cone) tangle.markReferenced(id, index, LEDGER_INCLUSION_NO_TRANSACTION);
    if (tangle.latestMilestoneIndex < index) tangle.setLatestMilestoneIndex(index);
    tangle.setConfirmedMilestoneIndex(index);
    // As the node does after each confirmation (chrysalis.md §7: scores are relative to the CMI).
    this.tipSelector.updateScores();
    await tangle.durable();
    return cone.map((id) => this.labelOf(bytesToHex(id)));
  }

  /** The stored DAG (labels, solid/referenced state) as Graphviz DOT, for failing tests to print. */
  toDot(): string {
    const lines = ["digraph tangle {", "  rankdir=RL;"];
    for (const [label, id] of this.ids) {
      const meta = this.tangle.getMetadata(id);
      const state =
        meta === undefined
          ? "absent"
          : meta.referenced
            ? `ref ${meta.referencedByMilestoneIndex}`
            : meta.solid
              ? "solid"
              : "unsolid";
      lines.push(`  "${label}" [label="${label}\\n${state}"];`);
      for (const p of this.tangle.getParents(id) ?? []) lines.push(`  "${label}" -> "${this.labelOf(bytesToHex(p))}";`);
    }
    lines.push("}");
    return lines.join("\n");
  }

  async close(): Promise<void> {
    await this.tangle.close();
  }
}
