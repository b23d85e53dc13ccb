/**
 * A full-scan check of every cross-table invariant the layout of src/storage/prefixes.ts promises, for crash tests
 * and debugging. It reads the raw tables and decodes them with its own logic where that is cheap, so a bug in the
 * Tangle facade cannot hide itself. An empty result means consistent; otherwise one line per violation.
 */
import { decodeMessage, type Message, messageId } from "../../src/codec/index.js";
import { ID_LENGTH } from "../../src/params/protocol.js";
import { equalBytes } from "../../src/primitives/bytes.js";
import {
  decodeArrivalKey,
  decodeChildrenKey,
  decodeIndexationKey,
  decodeMessageMetadata,
  decodeMilestoneKey,
  decodeMilestoneValue,
  decodeReferencedKey,
  decodeUnsolidValue,
  HEALTH_FIELD_DIRTY,
  healthValueLength,
  STORE_PREFIXES,
  type StoredMessageMetadata,
  tablePrefix,
} from "../../src/storage/prefixes.js";
import type { KvReader } from "../../src/storage/stagedStore.js";

interface ScannedMessage {
  parents: string[];
  /** Hex of each indexation index the message carries (top-level or inside a transaction essence). */
  indexes: string[];
}

const KNOWN_PREFIXES = new Set<number>(Object.values(STORE_PREFIXES));

/** Node's native hex: flat strings, several times faster than a JS loop over 24k keys. */
function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("hex");
}

function short(hex: string): string {
  return hex.slice(0, 16);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function indexesOfMessage(m: Message): Uint8Array[] {
  const p = m.payload;
  if (p === null) return [];
  if (p.type === 2) return [p.index];
  if (p.type === 0 && p.essence.payload !== null) return [p.essence.payload.index];
  return [];
}

/**
 * Every violation of the tangle's storage invariants in `kv` (empty when consistent):
 * - no key outside the tables; HEALTH fields are known and sized, MILESTONES and SOLID_ENTRY_POINTS entries decode;
 * - MESSAGES ⇔ MESSAGE_METADATA; stored bytes decode and hash (BLAKE2b-256) to their key's id; metadata decodes;
 * - CHILDREN: an edge for each parent of each stored message (unless the parent was pruned into a solid entry
 *   point), and every edge names a stored child that approves its parent;
 * - INDEXATION ⇔ indexation payloads of stored messages (top-level or inside a transaction essence);
 * - UNSOLID ⇔ stored messages with solid = false; a solid message's parents are solid or solid entry points, and
 *   no unsolid message has only such parents (solidification cascades within one batch);
 * - exactly one ARRIVALS entry per stored message, none for others, under the LMI its UNSOLID entry recorded;
 * - REFERENCED ⇔ referenced metadata, under the same milestone index.
 */
export function checkTangleConsistency(kv: KvReader): string[] {
  const problems: string[] = [];
  const report = (text: string) => problems.push(text);

  // Keys outside every table: scan only the gaps around and between the known prefixes, not the whole store.
  for (let first = 0; first <= 0x100; ) {
    while (first <= 0xff && KNOWN_PREFIXES.has(first)) first++;
    let last = first;
    while (last <= 0xff && !KNOWN_PREFIXES.has(last)) last++;
    if (first > 0xff) break;
    const range =
      last > 0xff ? { start: Uint8Array.of(first) } : { start: Uint8Array.of(first), end: Uint8Array.of(last) };
    for (const [key] of kv.iterate(range)) report(`key ${toHex(key)} has an unknown table prefix`);
    first = last;
  }

  for (const [key, value] of kv.iterate({ prefix: tablePrefix("HEALTH") })) {
    const expected = healthValueLength(key[1]!);
    if (key.length !== 2) report(`HEALTH key ${toHex(key)} is not 2 bytes`);
    else if (key[1] === HEALTH_FIELD_DIRTY) {
      if (value.length !== 1 || value[0]! > 1) report(`HEALTH DIRTY value ${toHex(value)} is not 00 or 01`);
    } else if (expected === undefined) report(`HEALTH field ${key[1]} is unknown`);
    else if (value.length !== expected) {
      report(`HEALTH field ${key[1]} value is ${value.length} bytes, expected ${expected}`);
    }
  }

  for (const [key, value] of kv.iterate({ prefix: tablePrefix("MILESTONES") })) {
    try {
      decodeMilestoneKey(key);
      decodeMilestoneValue(value);
    } catch (e) {
      report(`MILESTONES entry ${toHex(key)} does not decode: ${errorText(e)}`);
    }
  }

  const seps = new Set<string>();
  for (const [key, value] of kv.iterate({ prefix: tablePrefix("SOLID_ENTRY_POINTS") })) {
    if (key.length !== 1 + ID_LENGTH) {
      report(`SOLID_ENTRY_POINTS key ${toHex(key)} is not 33 bytes`);
      continue;
    }
    const hex = toHex(key.subarray(1));
    seps.add(hex);
    if (value.length !== 4) report(`SOLID_ENTRY_POINTS ${short(hex)} value is ${value.length} bytes, expected 4`);
  }

  const messages = new Map<string, ScannedMessage>();
  for (const [key, bytes] of kv.iterate({ prefix: tablePrefix("MESSAGES") })) {
    if (key.length !== 1 + ID_LENGTH) {
      report(`MESSAGES key ${toHex(key)} is not 33 bytes`);
      continue;
    }
    const id = key.subarray(1);
    const hex = toHex(id);
    if (!equalBytes(messageId(bytes), id)) report(`MESSAGES ${short(hex)}: stored bytes hash to another id`);
    let message: Message;
    try {
      message = decodeMessage(bytes, "trusted");
    } catch (e) {
      report(`MESSAGES ${short(hex)}: stored bytes do not decode: ${errorText(e)}`);
      messages.set(hex, { parents: [], indexes: [] });
      continue;
    }
    messages.set(hex, {
      parents: message.parents.map(toHex),
      indexes: indexesOfMessage(message).map(toHex),
    });
  }

  const metadata = new Map<string, StoredMessageMetadata>();
  const metadataIds = new Set<string>();
  for (const [key, value] of kv.iterate({ prefix: tablePrefix("MESSAGE_METADATA") })) {
    const hex = toHex(key.subarray(1));
    metadataIds.add(hex);
    if (key.length !== 1 + ID_LENGTH) report(`MESSAGE_METADATA key ${toHex(key)} is not 33 bytes`);
    else if (!messages.has(hex)) report(`MESSAGE_METADATA ${short(hex)} has no MESSAGES entry`);
    try {
      metadata.set(hex, decodeMessageMetadata(value));
    } catch (e) {
      report(`MESSAGE_METADATA ${short(hex)} does not decode: ${errorText(e)}`);
    }
  }
  for (const hex of messages.keys()) {
    if (!metadataIds.has(hex)) report(`MESSAGES ${short(hex)} has no MESSAGE_METADATA entry`);
  }

  const edges = new Set<string>();
  for (const [key, value] of kv.iterate({ prefix: tablePrefix("CHILDREN") })) {
    let parent: string;
    let child: string;
    try {
      const decoded = decodeChildrenKey(key);
      parent = toHex(decoded.parentId);
      child = toHex(decoded.childId);
    } catch (e) {
      report(`CHILDREN key ${toHex(key)} does not decode: ${errorText(e)}`);
      continue;
    }
    edges.add(parent + child);
    if (value.length !== 0) report(`CHILDREN ${short(parent)}‖${short(child)} has a non-empty value`);
    const m = messages.get(child);
    if (m === undefined) report(`CHILDREN ${short(parent)}‖${short(child)}: the child is not stored`);
    else if (!m.parents.includes(parent)) {
      report(`CHILDREN ${short(parent)}‖${short(child)}: the child does not approve the parent`);
    }
  }
  // An edge is written with the child, whether or not its parent is stored yet. Only pruning may drop it: a pruned
  // parent is gone for good and, when a kept message still approves it, a solid entry point.
  for (const [hex, m] of messages) {
    for (const parent of m.parents) {
      if (edges.has(parent + hex) || (seps.has(parent) && !messages.has(parent))) continue;
      report(`MESSAGES ${short(hex)}: no CHILDREN edge from its parent ${short(parent)}`);
    }
  }

  const indexed = new Set<string>();
  for (const [key, value] of kv.iterate({ prefix: tablePrefix("INDEXATION") })) {
    let index: string;
    let hex: string;
    try {
      const decoded = decodeIndexationKey(key);
      index = toHex(decoded.index);
      hex = toHex(decoded.messageId);
    } catch (e) {
      report(`INDEXATION key ${toHex(key)} does not decode: ${errorText(e)}`);
      continue;
    }
    indexed.add(`${index}/${hex}`);
    if (value.length !== 0) report(`INDEXATION ${index}/${short(hex)} has a non-empty value`);
    const m = messages.get(hex);
    if (m === undefined) report(`INDEXATION ${index}/${short(hex)}: the message is not stored`);
    else if (!m.indexes.includes(index)) report(`INDEXATION ${index}/${short(hex)}: the message has no such index`);
  }
  for (const [hex, m] of messages) {
    for (const index of m.indexes) {
      if (!indexed.has(`${index}/${hex}`)) report(`MESSAGES ${short(hex)}: no INDEXATION entry for index ${index}`);
    }
  }

  const unsolidLmi = new Map<string, number>();
  for (const [key, value] of kv.iterate({ prefix: tablePrefix("UNSOLID") })) {
    const hex = toHex(key.subarray(1));
    if (key.length !== 1 + ID_LENGTH) report(`UNSOLID key ${toHex(key)} is not 33 bytes`);
    try {
      unsolidLmi.set(hex, decodeUnsolidValue(value).lmiAtArrival);
    } catch (e) {
      report(`UNSOLID ${short(hex)} value does not decode: ${errorText(e)}`);
    }
    const meta = metadata.get(hex);
    if (!messages.has(hex)) report(`UNSOLID ${short(hex)}: the message is not stored`);
    else if (meta?.solid === true) report(`UNSOLID ${short(hex)}: the message is marked solid`);
  }
  for (const [hex, meta] of metadata) {
    if (!meta.solid && messages.has(hex) && !unsolidLmi.has(hex)) {
      report(`MESSAGES ${short(hex)} is not solid but has no UNSOLID marker`);
    }
  }

  // Solidity is exact both ways: the batch that makes a message solid also solidifies every waiting child it
  // completes (the solidifier's cascade), so no stored message is left unsolid on solid parents.
  for (const [hex, meta] of metadata) {
    const parents = messages.get(hex)?.parents;
    if (parents === undefined) continue;
    const unsolidParents = parents.filter((p) => !seps.has(p) && metadata.get(p)?.solid !== true);
    if (!meta.solid && unsolidParents.length === 0) {
      report(`MESSAGES ${short(hex)} is not solid although every parent is solid or a solid entry point`);
    }
    if (!meta.solid) continue;
    for (const parent of unsolidParents) {
      const state = messages.has(parent) ? "not solid" : "not stored";
      report(`MESSAGES ${short(hex)} is solid but its parent ${short(parent)} is ${state} and no solid entry point`);
    }
  }

  const arrivals = new Map<string, number[]>();
  for (const [key, value] of kv.iterate({ prefix: tablePrefix("ARRIVALS") })) {
    let index: number;
    let hex: string;
    try {
      const decoded = decodeArrivalKey(key);
      index = decoded.index;
      hex = toHex(decoded.messageId);
    } catch (e) {
      report(`ARRIVALS key ${toHex(key)} does not decode: ${errorText(e)}`);
      continue;
    }
    if (value.length !== 0) report(`ARRIVALS ${index}/${short(hex)} has a non-empty value`);
    if (!messages.has(hex)) report(`ARRIVALS ${index}/${short(hex)}: the message is not stored`);
    arrivals.set(hex, [...(arrivals.get(hex) ?? []), index]);
  }
  for (const hex of messages.keys()) {
    const at = arrivals.get(hex) ?? [];
    if (at.length !== 1) report(`MESSAGES ${short(hex)} has ${at.length} ARRIVALS entries, expected 1`);
    const lmi = unsolidLmi.get(hex);
    if (lmi !== undefined && at.length === 1 && at[0] !== lmi) {
      report(`UNSOLID ${short(hex)} says LMI ${lmi} at arrival, but its ARRIVALS entry is under ${at[0]}`);
    }
  }

  const referenced = new Set<string>();
  for (const [key, value] of kv.iterate({ prefix: tablePrefix("REFERENCED") })) {
    let index: number;
    let hex: string;
    try {
      const decoded = decodeReferencedKey(key);
      index = decoded.index;
      hex = toHex(decoded.messageId);
    } catch (e) {
      report(`REFERENCED key ${toHex(key)} does not decode: ${errorText(e)}`);
      continue;
    }
    referenced.add(`${index}/${hex}`);
    if (value.length !== 0) report(`REFERENCED ${index}/${short(hex)} has a non-empty value`);
    const meta = metadata.get(hex);
    if (meta === undefined) report(`REFERENCED ${index}/${short(hex)}: the message has no metadata`);
    else if (!meta.referenced || meta.referencedByMilestoneIndex !== index) {
      report(
        `REFERENCED ${index}/${short(hex)}: metadata says ${meta.referenced ? `referenced by ${meta.referencedByMilestoneIndex}` : "not referenced"}`,
      );
    }
  }
  for (const [hex, meta] of metadata) {
    if (meta.referenced && !referenced.has(`${meta.referencedByMilestoneIndex}/${hex}`)) {
      report(
        `MESSAGE_METADATA ${short(hex)} is referenced by ${meta.referencedByMilestoneIndex} but has no REFERENCED entry`,
      );
    }
  }

  return problems;
}
