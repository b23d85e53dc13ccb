/**
 * Streaming reader of snapshot files (chrysalis.md §11). A file is read through one bounded window (1 MiB by
 * default), so a full snapshot of a million outputs (108 MB) never sits in memory whole. Every count is checked
 * against the bytes left in the file before anything is allocated for it, and the reader insists that the last
 * milestone diff ends exactly at the end of the file.
 *
 * The sections come in file order: solidEntryPoints(), then outputs() (or outputBatches()), then milestoneDiffs().
 * Asking for a later section skips (and still checks) what is left of the earlier ones; going back is refused.
 * The file has been checked to its last byte once milestoneDiffs() has run to its end.
 */
import { type FileHandle, open } from "node:fs/promises";
import type { LedgerOutput, TreasuryOutputState } from "../types.js";
import { SnapshotError } from "./snapshotError.js";
import {
  type AmountTally,
  COUNT_LENGTH,
  COUNTS_OFFSET,
  checkMilestonePayloadLength,
  DELTA_HEADER_LENGTH,
  decodeDiffMilestone,
  decodeOutputRecords,
  decodeSnapshotHeader,
  decodeSpentRecords,
  decodeTreasuryRecord,
  FULL_HEADER_LENGTH,
  MILESTONE_DIFF_LENGTH_MIN,
  OUTPUT_RECORD_LENGTH,
  readU32,
  readU64Number,
  SEP_LENGTH,
  type SnapshotHeader,
  type SnapshotMilestoneDiff,
  type SnapshotType,
  SPENT_RECORD_LENGTH,
  snapshotHeaderLength,
  TREASURY_RECORD_LENGTH,
} from "./snapshotFormat.js";

export const SNAPSHOT_READ_CHUNK_SIZE = 1 << 20;

export interface OpenSnapshotOptions {
  /** Refuse a file of another network (SNAPSHOT_ERROR_NETWORK_ID_MISMATCH). */
  expectedNetworkId?: bigint;
  /** Refuse a file of the other type (SNAPSHOT_ERROR_INVALID_TYPE). */
  expectedType?: SnapshotType;
  /** Bytes read from the file at a time (default 1 MiB); the window grows only for a record longer than this. */
  chunkSize?: number;
}

/** Everything in a snapshot file, in file order (readWholeSnapshot, parseSnapshotBytes). */
export interface WholeSnapshot {
  header: SnapshotHeader;
  solidEntryPoints: Uint8Array[];
  outputs: LedgerOutput[];
  milestoneDiffs: SnapshotMilestoneDiff[];
}

/**
 * The bytes of the file around the read position: buf[pos..end) holds file bytes base+pos .. base+end. Backed by a
 * bounded buffer refilled from a file handle, or by the whole file in memory (handle null).
 */
class ByteWindow {
  buf: Uint8Array;
  pos = 0;
  end: number;
  base = 0;

  constructor(
    private readonly fh: FileHandle | null,
    private readonly path: string,
    readonly size: number,
    buf: Uint8Array,
  ) {
    this.buf = buf;
    this.end = fh === null ? buf.length : 0;
  }

  /** File offset of the read position. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Makes n bytes available at buf[pos]; TRUNCATED if the file ends first (`what` names the field). */
  async need(n: number, what: string): Promise<void> {
    if (this.end - this.pos >= n) return;
    const offset = this.offset;
    if (offset + n > this.size) {
      throw new SnapshotError(
        "SNAPSHOT_ERROR_TRUNCATED",
        `the file ends ${this.size - offset} bytes into ${what}, which needs ${n} bytes`,
        offset,
      );
    }
    const fh = this.fh;
    if (fh === null) return;
    if (this.pos > 0) {
      this.buf.copyWithin(0, this.pos, this.end);
      this.end -= this.pos;
      this.base = offset;
      this.pos = 0;
    }
    if (n > this.buf.length) {
      const grown = new Uint8Array(Math.max(n, this.buf.length * 2));
      grown.set(this.buf.subarray(0, this.end));
      this.buf = grown;
    }
    while (this.end < n) {
      const at = this.base + this.end;
      const want = Math.min(this.buf.length - this.end, this.size - at);
      let bytesRead: number;
      try {
        ({ bytesRead } = await fh.read(this.buf, this.end, want, at));
      } catch (e) {
        throw ioError(`cannot read ${this.path} at byte ${at}`, e);
      }
      if (bytesRead === 0) {
        throw new SnapshotError("SNAPSHOT_ERROR_TRUNCATED", `${this.path} shrank to ${at} bytes while being read`, at);
      }
      this.end += bytesRead;
    }
  }

  async close(): Promise<void> {
    if (this.fh === null) return;
    try {
      await this.fh.close();
    } catch (e) {
      throw ioError(`cannot close ${this.path}`, e);
    }
  }
}

function ioError(message: string, cause: unknown): SnapshotError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new SnapshotError("SNAPSHOT_ERROR_IO", `${message}: ${reason}`, undefined, { cause });
}

function countError(message: string, offset: number): SnapshotError {
  return new SnapshotError("SNAPSHOT_ERROR_COUNT", message, offset);
}

const SECTION_SEPS = 0;
const SECTION_OUTPUTS = 1;
const SECTION_DIFFS = 2;
const SECTION_END = 3;
const SECTION_NAMES = ["solidEntryPoints()", "outputs()", "milestoneDiffs()"];

/** An open snapshot file: the header, then its three sections read in file order. */
export class SnapshotReader {
  /** Which section the window is in, and how many of its records are left. */
  private section = SECTION_SEPS;
  private left: number;
  private readonly claimed = [false, false, false];
  private closed = false;
  /** Treasury plus every output read so far: never more than the supply. */
  private readonly outputTally: AmountTally;

  private constructor(
    readonly header: SnapshotHeader,
    private readonly window: ByteWindow,
  ) {
    this.left = header.sepCount;
    this.outputTally = { total: header.treasury?.amount ?? 0, what: "the treasury and the outputs up to here" };
  }

  /** Reads and checks the header through `window`; closes the window when the header is refused. */
  static async open(window: ByteWindow, options: OpenSnapshotOptions): Promise<SnapshotReader> {
    try {
      const available = Math.min(window.size, FULL_HEADER_LENGTH);
      await window.need(available, "the snapshot header");
      const header = decodeSnapshotHeader(window.buf.subarray(window.pos, window.pos + available));
      checkExpectations(header, options);
      const headerLength = snapshotHeaderLength(header.type);
      checkHeaderCounts(header, window.size - headerLength);
      window.pos += headerLength;
      return new SnapshotReader(header, window);
    } catch (e) {
      await window.close();
      throw e;
    }
  }

  /** The solid entry points (32-byte message ids), each a copy. */
  solidEntryPoints(): AsyncGenerator<Uint8Array> {
    this.claim(SECTION_SEPS);
    return this.readSolidEntryPoints();
  }

  /** The unspent outputs of a full snapshot (none in a delta), one at a time. Their byte fields are views into
   * shared 64 KiB blocks (snapshotFormat.ts RECORD_BLOCK_LENGTH): slice an id that is kept for long. */
  async *outputs(): AsyncGenerator<LedgerOutput> {
    for await (const batch of this.outputBatches()) {
      for (let i = 0; i < batch.length; i++) yield batch[i]!;
    }
  }

  /** The same outputs in batches of what one read window holds (about 9,700 per MiB): what a bulk import wants,
   * and about twice as fast as outputs() (bench/snapshot.bench.ts). */
  outputBatches(): AsyncGenerator<LedgerOutput[]> {
    this.claim(SECTION_OUTPUTS);
    return this.readOutputBatches();
  }

  /** The milestone diffs in file order (full: descending from the ledger index; delta: ascending). When this ends,
   * the file has been checked to its last byte. */
  milestoneDiffs(): AsyncGenerator<SnapshotMilestoneDiff> {
    this.claim(SECTION_DIFFS);
    return this.readMilestoneDiffs();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.window.close();
  }

  private claim(section: number): void {
    const name = SECTION_NAMES[section]!;
    if (this.closed) throw new SnapshotError("SNAPSHOT_ERROR_READ_ORDER", `${name} called after close()`);
    if (this.claimed[section]) throw new SnapshotError("SNAPSHOT_ERROR_READ_ORDER", `${name} was already called`);
    if (this.section > section) {
      throw new SnapshotError(
        "SNAPSHOT_ERROR_READ_ORDER",
        `${name} called after a later section was read (sections come in file order: ${SECTION_NAMES.join(", ")})`,
      );
    }
    this.claimed[section] = true;
  }

  /** Throws when a later section took over (a suspended iterator resumed after the reader moved on). */
  private stillIn(section: number): void {
    if (this.closed || this.section !== section) {
      throw new SnapshotError(
        "SNAPSHOT_ERROR_READ_ORDER",
        `${SECTION_NAMES[section]} resumed after ${this.closed ? "close()" : "a later section was read"}`,
      );
    }
  }

  /** Reads (and checks) whatever is left of the sections before `section`. */
  private async skipTo(section: number): Promise<void> {
    if (this.section < section && this.section === SECTION_SEPS) {
      for await (const _ of this.readSolidEntryPoints());
    }
    if (this.section < section && this.section === SECTION_OUTPUTS) {
      for await (const _ of this.readOutputBatches());
    }
  }

  private enter(section: number, count: number): void {
    this.section = section;
    this.left = count;
  }

  private async *readSolidEntryPoints(): AsyncGenerator<Uint8Array> {
    const w = this.window;
    const count = this.header.sepCount;
    while (this.left > 0) {
      this.stillIn(SECTION_SEPS);
      await w.need(SEP_LENGTH, `solid entry point ${count - this.left}`);
      const k = Math.min(this.left, Math.floor((w.end - w.pos) / SEP_LENGTH));
      const seps = new Array<Uint8Array>(k);
      for (let i = 0; i < k; i++) {
        seps[i] = w.buf.slice(w.pos, w.pos + SEP_LENGTH);
        w.pos += SEP_LENGTH;
      }
      this.left -= k;
      for (let i = 0; i < k; i++) yield seps[i]!;
    }
    if (this.section === SECTION_SEPS) this.enter(SECTION_OUTPUTS, this.header.outputCount);
  }

  private async *readOutputBatches(): AsyncGenerator<LedgerOutput[]> {
    await this.skipTo(SECTION_OUTPUTS);
    const w = this.window;
    const count = this.header.outputCount;
    while (this.left > 0) {
      this.stillIn(SECTION_OUTPUTS);
      await w.need(OUTPUT_RECORD_LENGTH, `output ${count - this.left}`);
      const k = Math.min(this.left, Math.floor((w.end - w.pos) / OUTPUT_RECORD_LENGTH));
      const batch = decodeOutputRecords(w.buf, w.pos, k, w.offset, this.outputTally);
      w.pos += k * OUTPUT_RECORD_LENGTH;
      this.left -= k;
      yield batch;
    }
    if (this.section === SECTION_OUTPUTS) this.enter(SECTION_DIFFS, this.header.milestoneDiffCount);
  }

  private async *readMilestoneDiffs(): AsyncGenerator<SnapshotMilestoneDiff> {
    await this.skipTo(SECTION_DIFFS);
    const count = this.header.milestoneDiffCount;
    while (this.left > 0) {
      this.stillIn(SECTION_DIFFS);
      const diff = await this.readMilestoneDiff(count - this.left);
      this.left--;
      yield diff;
    }
    if (this.section !== SECTION_DIFFS) return;
    const w = this.window;
    if (w.offset !== w.size) {
      throw new SnapshotError(
        "SNAPSHOT_ERROR_TRAILING_BYTES",
        `${w.size - w.offset} bytes follow the last of the ${count} milestone diffs`,
        w.offset,
      );
    }
    this.section = SECTION_END;
  }

  private async readMilestoneDiff(n: number): Promise<SnapshotMilestoneDiff> {
    const w = this.window;
    const what = `milestone diff ${n}`;
    await w.need(4, `the milestone payload length of ${what}`);
    const length = readU32(w.buf, w.pos);
    checkMilestonePayloadLength(length, w.offset);
    w.pos += 4;
    await w.need(length, `the milestone payload of ${what}`);
    const payloadOffset = w.offset;
    const milestonePayloadBytes = w.buf.slice(w.pos, w.pos + length);
    w.pos += length;
    const milestone = decodeDiffMilestone(milestonePayloadBytes, payloadOffset);
    const milestoneIndex = milestone.index;
    const label = `${what} (milestone ${milestoneIndex})`;

    // Hornet writes the spent treasury output only for a milestone with a receipt (chrysalis.md §11.2).
    let spentTreasury: TreasuryOutputState | null = null;
    if (milestone.receipt !== null) {
      await w.need(TREASURY_RECORD_LENGTH, `the spent treasury output of ${label}`);
      spentTreasury = decodeTreasuryRecord(w.buf, w.pos, w.offset);
      w.pos += TREASURY_RECORD_LENGTH;
    }

    const createdCount = await this.readCount(OUTPUT_RECORD_LENGTH, COUNT_LENGTH, `created outputs of ${label}`);
    const createdTally = { total: 0, what: `the created outputs of ${label}` };
    const created = await this.readDiffRecords(
      createdCount,
      OUTPUT_RECORD_LENGTH,
      createdTally.what,
      (buf, pos, k, at) => decodeOutputRecords(buf, pos, k, at, createdTally),
    );
    const consumedCount = await this.readCount(SPENT_RECORD_LENGTH, 0, `consumed outputs of ${label}`);
    const consumedTally = { total: 0, what: `the consumed outputs of ${label}` };
    const consumed = await this.readDiffRecords(
      consumedCount,
      SPENT_RECORD_LENGTH,
      consumedTally.what,
      (buf, pos, k, at) => decodeSpentRecords(buf, pos, k, at, consumedTally, milestoneIndex),
    );
    return { milestoneIndex, milestonePayloadBytes, milestone, spentTreasury, created, consumed };
  }

  /** `count` records of a diff, decoded a window at a time. */
  private async readDiffRecords<T>(
    count: number,
    recordLength: number,
    what: string,
    decode: (buf: Uint8Array, pos: number, k: number, offset: number) => T[],
  ): Promise<T[]> {
    const w = this.window;
    let records: T[] = [];
    for (let i = 0; i < count; ) {
      await w.need(recordLength, `record ${i} of ${what}`);
      const k = Math.min(count - i, Math.floor((w.end - w.pos) / recordLength));
      const part = decode(w.buf, w.pos, k, w.offset);
      if (i === 0) records = part;
      else for (const r of part) records.push(r);
      w.pos += k * recordLength;
      i += k;
    }
    return records;
  }

  /** A u64 count of records of `recordLength` bytes, refused when they (plus `after` bytes) cannot fit the rest of
   * the file: checked before anything is allocated for them. */
  private async readCount(recordLength: number, after: number, what: string): Promise<number> {
    const w = this.window;
    await w.need(COUNT_LENGTH, `the count of ${what}`);
    const countOffset = w.offset;
    const count = readU64Number(w.buf, w.pos);
    w.pos += COUNT_LENGTH;
    const rest = w.size - w.offset;
    if (count * recordLength + after > rest) {
      throw countError(
        `${count} ${what} need ${count * recordLength + after} bytes but only ${rest} bytes are left in the file ` +
          "(the file is cut short or the count is corrupt)",
        countOffset,
      );
    }
    return count;
  }
}

function checkExpectations(header: SnapshotHeader, options: OpenSnapshotOptions): void {
  if (options.expectedType !== undefined && header.type !== options.expectedType) {
    throw new SnapshotError(
      "SNAPSHOT_ERROR_INVALID_TYPE",
      `this is a ${header.type} snapshot, a ${options.expectedType} snapshot was expected`,
      1,
    );
  }
  // MUST (Hornet snapshot_read.go): a node loads only snapshots of its own network.
  if (options.expectedNetworkId !== undefined && header.networkId !== options.expectedNetworkId) {
    throw new SnapshotError(
      "SNAPSHOT_ERROR_NETWORK_ID_MISMATCH",
      `the snapshot is of network id ${header.networkId}, this node runs network id ${options.expectedNetworkId}`,
      10,
    );
  }
}

/** The three counts together must fit what follows the header: each SEP and output at its size, each diff at the
 * smallest size a diff can have. */
function checkHeaderCounts(header: SnapshotHeader, available: number): void {
  const { sepCount, outputCount, milestoneDiffCount } = header;
  const least =
    sepCount * SEP_LENGTH + outputCount * OUTPUT_RECORD_LENGTH + milestoneDiffCount * MILESTONE_DIFF_LENGTH_MIN;
  if (least > available) {
    const outputs = header.type === "full" ? `${outputCount} outputs, ` : "";
    throw countError(
      `the header announces ${sepCount} solid entry points, ${outputs}${milestoneDiffCount} milestone diffs: at least ` +
        `${least} bytes, but only ${available} bytes follow the header (the file is cut short or the counts are corrupt)`,
      COUNTS_OFFSET,
    );
  }
}

/** Opens a snapshot file and reads its header. Close the reader when done (readWholeSnapshot does). */
export async function openSnapshot(path: string, options: OpenSnapshotOptions = {}): Promise<SnapshotReader> {
  let fh: FileHandle;
  let size: number;
  try {
    fh = await open(path, "r");
  } catch (e) {
    throw ioError(`cannot open ${path}`, e);
  }
  try {
    size = (await fh.stat()).size;
  } catch (e) {
    await fh.close().catch(() => undefined);
    throw ioError(`cannot stat ${path}`, e);
  }
  const chunk = Math.max(options.chunkSize ?? SNAPSHOT_READ_CHUNK_SIZE, FULL_HEADER_LENGTH);
  const buf = new Uint8Array(Math.min(chunk, Math.max(size, DELTA_HEADER_LENGTH)));
  return SnapshotReader.open(new ByteWindow(fh, path, size, buf), options);
}

/** A reader over a whole file already in memory (records are still copied out of `bytes`). */
export function openSnapshotBytes(bytes: Uint8Array, options: OpenSnapshotOptions = {}): Promise<SnapshotReader> {
  return SnapshotReader.open(new ByteWindow(null, "snapshot bytes", bytes.length, bytes), options);
}

/** The header of a snapshot file (checked as openSnapshot checks it), without reading the records. */
export async function readSnapshotHeader(path: string, options: OpenSnapshotOptions = {}): Promise<SnapshotHeader> {
  const reader = await openSnapshot(path, options);
  await reader.close();
  return reader.header;
}

async function collect(reader: SnapshotReader): Promise<WholeSnapshot> {
  try {
    const solidEntryPoints: Uint8Array[] = [];
    for await (const sep of reader.solidEntryPoints()) solidEntryPoints.push(sep);
    const outputs: LedgerOutput[] = [];
    for await (const batch of reader.outputBatches()) for (const o of batch) outputs.push(o);
    const milestoneDiffs: SnapshotMilestoneDiff[] = [];
    for await (const diff of reader.milestoneDiffs()) milestoneDiffs.push(diff);
    return { header: reader.header, solidEntryPoints, outputs, milestoneDiffs };
  } finally {
    await reader.close();
  }
}

/** Reads a whole snapshot file into memory, checked to its last byte (for tests and tools, not for big files). */
export async function readWholeSnapshot(path: string, options: OpenSnapshotOptions = {}): Promise<WholeSnapshot> {
  return collect(await openSnapshot(path, options));
}

/** The in-memory twin of readWholeSnapshot, through the same reader. */
export async function parseSnapshotBytes(bytes: Uint8Array, options: OpenSnapshotOptions = {}): Promise<WholeSnapshot> {
  return collect(await openSnapshotBytes(bytes, options));
}
