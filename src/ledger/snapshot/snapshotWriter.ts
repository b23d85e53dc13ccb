/**
 * Writes snapshot files (chrysalis.md §11) from streams of records, so that a caller can stream a million outputs
 * out of the database. Like Hornet, it writes the counts as zeros first and seeks back to fill them in once the
 * records are out. The file is built under `path + ".tmp"`, synced, renamed over `path` and the directory synced:
 * a crash or a failure never leaves a half-written file under the final name.
 */
import { type FileHandle, open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { TOKEN_SUPPLY } from "../../params/protocol.js";
import type { LedgerOutput } from "../types.js";
import { SnapshotError } from "./snapshotError.js";
import {
  COUNT_LENGTH,
  COUNTS_OFFSET,
  checkMilestonePayloadLength,
  decodeDiffMilestone,
  encodeOutputRecord,
  encodeSnapshotCounts,
  encodeSnapshotHeader,
  encodeSpentRecord,
  encodeTreasuryRecord,
  OUTPUT_RECORD_LENGTH,
  SEP_LENGTH,
  type SnapshotCounts,
  type SnapshotDiffRecord,
  type SnapshotHeaderFields,
  SPENT_RECORD_LENGTH,
  supplyExceededError,
  TREASURY_RECORD_LENGTH,
  writeU32,
  writeU64Number,
} from "./snapshotFormat.js";

/** Bytes gathered before each write to the file; also bounds a diff's milestone payload (≤ 32 KiB) with room. */
export const SNAPSHOT_WRITE_BUFFER_SIZE = 1 << 20;

export type RecordSource<T> = Iterable<T> | AsyncIterable<T>;

export interface SnapshotSources {
  solidEntryPoints: RecordSource<Uint8Array>;
  /** The unspent outputs of a full snapshot; a delta snapshot has none. */
  outputs?: RecordSource<LedgerOutput>;
  milestoneDiffs?: RecordSource<SnapshotDiffRecord>;
}

export interface WriteSnapshotOptions {
  /** Aborting stops the write between records: the temporary file is removed and the final path left as it was. */
  signal?: AbortSignal;
}

export interface WriteSnapshotResult extends SnapshotCounts {
  /** Size of the file written. */
  bytes: number;
}

/** Gathers bytes in one buffer and writes it to the file when full. */
class BufferedFile {
  readonly buf: Uint8Array;
  len = 0;
  /** File offset of buf[0]. */
  flushed = 0;

  constructor(
    readonly fh: FileHandle,
    readonly path: string,
    size: number,
  ) {
    this.buf = new Uint8Array(size);
  }

  /** Whether n more bytes fit before the buffer must be flushed. */
  fits(n: number): boolean {
    return this.len + n <= this.buf.length;
  }

  /** The position in buf for the next n bytes (after checking fits(n)). */
  take(n: number): number {
    const at = this.len;
    this.len += n;
    return at;
  }

  async reserve(n: number): Promise<number> {
    if (!this.fits(n)) await this.flush();
    return this.take(n);
  }

  async flush(): Promise<void> {
    await writeFully(this.fh, this.buf.subarray(0, this.len), this.flushed, this.path);
    this.flushed += this.len;
    this.len = 0;
  }
}

async function writeFully(fh: FileHandle, bytes: Uint8Array, position: number, path: string): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    try {
      const { bytesWritten } = await fh.write(bytes, done, bytes.length - done, position + done);
      done += bytesWritten;
    } catch (e) {
      throw ioError(`cannot write ${path} at byte ${position + done}`, e);
    }
  }
}

function ioError(message: string, cause: unknown): SnapshotError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new SnapshotError("SNAPSHOT_ERROR_IO", `${message}: ${reason}`, undefined, { cause });
}

function checkAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new SnapshotError("SNAPSHOT_ERROR_ABORTED", "writing the snapshot was aborted", undefined, {
      cause: signal.reason,
    });
  }
}

/**
 * Writes each record of `src` with `write` into `recordLength` bytes of the buffer. A synchronous source is walked
 * with a plain loop: `for await` would cost a promise per record, and awaiting happens only when the buffer is full.
 */
async function writeEach<T>(
  out: BufferedFile,
  src: RecordSource<T>,
  recordLength: number,
  signal: AbortSignal | undefined,
  write: (item: T, at: number) => void,
): Promise<void> {
  if (Symbol.asyncIterator in src) {
    for await (const item of src) {
      checkAborted(signal);
      if (!out.fits(recordLength)) await out.flush();
      write(item, out.take(recordLength));
    }
  } else {
    for (const item of src) {
      checkAborted(signal);
      if (!out.fits(recordLength)) await out.flush();
      write(item, out.take(recordLength));
    }
  }
}

async function writeRecords(
  out: BufferedFile,
  header: SnapshotHeaderFields,
  sources: SnapshotSources,
  signal: AbortSignal | undefined,
): Promise<SnapshotCounts> {
  const counts: SnapshotCounts = { sepCount: 0, outputCount: 0, milestoneDiffCount: 0 };
  const headerBytes = encodeSnapshotHeader(header, counts);
  out.buf.set(headerBytes, await out.reserve(headerBytes.length));
  const buf = out.buf;

  await writeEach(out, sources.solidEntryPoints, SEP_LENGTH, signal, (sep, at) => {
    if (!(sep instanceof Uint8Array) || sep.length !== SEP_LENGTH) {
      throw new SnapshotError(
        "SNAPSHOT_ERROR_INVALID_RECORD",
        `solid entry point ${counts.sepCount} must be a ${SEP_LENGTH}-byte message id`,
      );
    }
    buf.set(sep, at);
    counts.sepCount++;
  });

  let sum = header.treasury?.amount ?? 0;
  await writeEach(out, sources.outputs ?? [], OUTPUT_RECORD_LENGTH, signal, (o, at) => {
    if (header.type === "delta") {
      throw new SnapshotError("SNAPSHOT_ERROR_INVALID_RECORD", "a delta snapshot has no outputs section");
    }
    sum += encodeOutputRecord(o, buf, at, "output", counts.outputCount);
    if (sum > TOKEN_SUPPLY) throw supplyExceededError(sum, `the treasury and outputs 0..${counts.outputCount}`);
    counts.outputCount++;
  });

  for await (const diff of sources.milestoneDiffs ?? []) {
    checkAborted(signal);
    await writeMilestoneDiff(out, diff, counts.milestoneDiffCount, signal);
    counts.milestoneDiffCount++;
  }
  return counts;
}

async function writeMilestoneDiff(
  out: BufferedFile,
  diff: SnapshotDiffRecord,
  n: number,
  signal: AbortSignal | undefined,
): Promise<void> {
  const payload = diff.milestonePayloadBytes;
  checkMilestonePayloadLength(payload.length, 0);
  // Decoded with the reader's rules, so that every file written here reads back.
  const milestone = decodeDiffMilestone(payload, 0);
  const label = `milestone diff ${n} (milestone ${milestone.index})`;
  if ((milestone.receipt === null) !== (diff.spentTreasury === null)) {
    throw new SnapshotError(
      "SNAPSHOT_ERROR_INVALID_MILESTONE",
      `${label}: a spent treasury output must be given exactly when the milestone has a receipt (chrysalis.md §11.2)`,
    );
  }
  const buf = out.buf;
  const head = await out.reserve(4 + payload.length);
  writeU32(buf, head, payload.length);
  buf.set(payload, head + 4);
  const spentTreasury = diff.spentTreasury;
  if (spentTreasury !== null) {
    const at = await out.reserve(TREASURY_RECORD_LENGTH);
    encodeTreasuryRecord(spentTreasury, buf, at, `the spent treasury output of ${label}`);
  }

  writeU64Number(buf, await out.reserve(COUNT_LENGTH), diff.created.length);
  const createdLabel = `${label} created`;
  const consumedLabel = `${label} consumed`;
  let sum = 0;
  let i = 0;
  await writeEach(out, diff.created, OUTPUT_RECORD_LENGTH, signal, (o, at) => {
    sum += encodeOutputRecord(o, buf, at, createdLabel, i++);
    if (sum > TOKEN_SUPPLY) throw supplyExceededError(sum, `the created outputs of ${label}`);
  });

  writeU64Number(buf, await out.reserve(COUNT_LENGTH), diff.consumed.length);
  sum = 0;
  i = 0;
  await writeEach(out, diff.consumed, SPENT_RECORD_LENGTH, signal, (s, at) => {
    sum += encodeSpentRecord(s, buf, at, consumedLabel, i++);
    if (sum > TOKEN_SUPPLY) throw supplyExceededError(sum, `the consumed outputs of ${label}`);
  });
}

async function syncDirectory(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, "r");
    await fh.sync();
  } catch (e) {
    throw ioError(`cannot sync the directory ${dir}`, e);
  } finally {
    await fh?.close();
  }
}

/**
 * Writes a snapshot to `path` atomically (see the file comment). Records are validated as they are written (the
 * reader's rules), so a file this writes always reads back; the first bad record aborts the write.
 */
export async function writeSnapshot(
  path: string,
  header: SnapshotHeaderFields,
  sources: SnapshotSources,
  options: WriteSnapshotOptions = {},
): Promise<WriteSnapshotResult> {
  const { signal } = options;
  checkAborted(signal);
  const tmp = `${path}.tmp`;
  let fh: FileHandle;
  try {
    fh = await open(tmp, "w");
  } catch (e) {
    throw ioError(`cannot create ${tmp}`, e);
  }
  let handleOpen = true;
  try {
    const out = new BufferedFile(fh, tmp, SNAPSHOT_WRITE_BUFFER_SIZE);
    const counts = await writeRecords(out, header, sources, signal);
    await out.flush();
    // As Hornet does: the counts go in last, at their place in the header.
    await writeFully(fh, encodeSnapshotCounts(header.type, counts), COUNTS_OFFSET, tmp);
    checkAborted(signal);
    try {
      await fh.sync();
    } catch (e) {
      throw ioError(`cannot sync ${tmp}`, e);
    }
    handleOpen = false;
    try {
      await fh.close();
    } catch (e) {
      throw ioError(`cannot close ${tmp}`, e);
    }
    try {
      await rename(tmp, path);
    } catch (e) {
      throw ioError(`cannot rename ${tmp} to ${path}`, e);
    }
    await syncDirectory(dirname(path));
    return { ...counts, bytes: out.flushed };
  } catch (e) {
    if (handleOpen) await fh.close().catch(() => undefined);
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}
