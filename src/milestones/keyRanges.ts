/**
 * Coordinator key ranges (TIP-8, chrysalis.md §5.2): which Ed25519 keys may sign milestone i. A key applies when
 * start ≤ i and (end = 0 or i ≤ end), as Hornet's `keymanager` decides.
 */
import { ED25519_PUBLIC_KEY_LENGTH } from "../crypto/ed25519.js";
import type { MilestoneKeyRangeConfig } from "../params/milestoneKeys.js";
import { bytesToHex, hexToBytes, isHex } from "../primitives/hex.js";
import { MilestoneError } from "./milestoneError.js";

export interface MilestoneKeyRange {
  publicKey: Uint8Array;
  startIndex: number;
  /** 0 = open-ended. */
  endIndex: number;
}

const MAX_MILESTONE_INDEX = 0xffff_ffff;

function isMilestoneIndex(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= MAX_MILESTONE_INDEX;
}

function checkIndex(v: unknown, path: string): number {
  if (!isMilestoneIndex(v)) {
    throw new MilestoneError(
      "MILESTONE_ERROR_KEY_RANGE_INDEX",
      path,
      `expected an integer milestone index in 0..${MAX_MILESTONE_INDEX}, got ${JSON.stringify(v) ?? String(v)}`,
    );
  }
  return v;
}

function checkOrder(start: number, end: number, path: string): void {
  if (end !== 0 && end < start) {
    throw new MilestoneError(
      "MILESTONE_ERROR_KEY_RANGE_ORDER",
      path,
      `range ends at ${end} before it starts at ${start} (use end 0 for an open-ended range)`,
    );
  }
}

function checkNoDuplicates(ranges: readonly MilestoneKeyRange[], path: string): void {
  const seen = new Map<string, number>();
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    const id = `${bytesToHex(r.publicKey)}:${r.startIndex}:${r.endIndex}`;
    const first = seen.get(id);
    if (first !== undefined) {
      throw new MilestoneError(
        "MILESTONE_ERROR_KEY_RANGE_DUPLICATE",
        `${path}[${i}]`,
        `same key and range as ${path}[${first}]`,
      );
    }
    seen.set(id, i);
  }
}

/**
 * Parses Hornet's `protocol.publicKeyRanges` config (`[{key, start, end}]`, key as 64 hex characters without `0x`,
 * either case). Throws MilestoneError on the first problem, naming the entry. Extra properties are ignored.
 */
export function parseKeyRanges(json: unknown): MilestoneKeyRange[] {
  const path = "keyRanges";
  if (!Array.isArray(json) || json.length === 0) {
    throw new MilestoneError(
      "MILESTONE_ERROR_KEY_RANGES_FORMAT",
      path,
      "expected a non-empty array of {key, start, end} objects",
    );
  }
  const ranges: MilestoneKeyRange[] = [];
  for (let i = 0; i < json.length; i++) {
    const entryPath = `${path}[${i}]`;
    const entry: unknown = json[i];
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      throw new MilestoneError("MILESTONE_ERROR_KEY_RANGES_FORMAT", entryPath, "expected a {key, start, end} object");
    }
    const e = entry as Partial<Record<keyof MilestoneKeyRangeConfig, unknown>>;
    if (typeof e.key !== "string" || e.key.length !== ED25519_PUBLIC_KEY_LENGTH * 2 || !isHex(e.key)) {
      throw new MilestoneError(
        "MILESTONE_ERROR_KEY_RANGE_KEY",
        `${entryPath}.key`,
        `expected an Ed25519 public key as ${ED25519_PUBLIC_KEY_LENGTH * 2} hex characters without 0x`,
      );
    }
    const startIndex = checkIndex(e.start, `${entryPath}.start`);
    const endIndex = checkIndex(e.end, `${entryPath}.end`);
    checkOrder(startIndex, endIndex, entryPath);
    ranges.push({ publicKey: hexToBytes(e.key), startIndex, endIndex });
  }
  checkNoDuplicates(ranges, path);
  return ranges;
}

/** The same rules as parseKeyRanges, for ranges built in code (the validator checks what it is given). */
export function validateKeyRanges(ranges: readonly MilestoneKeyRange[]): void {
  const path = "keyRanges";
  if (ranges.length === 0) {
    throw new MilestoneError("MILESTONE_ERROR_KEY_RANGES_FORMAT", path, "no key range configured");
  }
  for (let i = 0; i < ranges.length; i++) {
    const r = ranges[i]!;
    const entryPath = `${path}[${i}]`;
    if (!(r.publicKey instanceof Uint8Array) || r.publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) {
      throw new MilestoneError(
        "MILESTONE_ERROR_KEY_RANGE_KEY",
        `${entryPath}.publicKey`,
        `expected ${ED25519_PUBLIC_KEY_LENGTH} bytes`,
      );
    }
    checkIndex(r.startIndex, `${entryPath}.startIndex`);
    checkIndex(r.endIndex, `${entryPath}.endIndex`);
    checkOrder(r.startIndex, r.endIndex, entryPath);
  }
  checkNoDuplicates(ranges, path);
}

/** Hornet keymanager: start ≤ index and (end = 0, meaning open-ended, or index ≤ end). */
export function keyRangeApplies(range: MilestoneKeyRange, index: number): boolean {
  return range.startIndex <= index && (range.endIndex === 0 || index <= range.endIndex);
}

/** The lowercase-hex public keys allowed to sign milestone `index`. */
export function applicableKeys(ranges: readonly MilestoneKeyRange[], index: number): Set<string> {
  const keys = new Set<string>();
  for (const r of ranges) if (keyRangeApplies(r, index)) keys.add(bytesToHex(r.publicKey));
  return keys;
}
