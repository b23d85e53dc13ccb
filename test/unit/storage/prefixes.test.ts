import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { compareBytes } from "../../../src/primitives/bytes.js";
import {
  childrenKey,
  childrenPrefix,
  decodeChildrenKey,
  decodeIndexationKey,
  decodeMessageMetadata,
  decodeMilestoneKey,
  decodeMilestoneValue,
  decodeU32,
  encodeMessageMetadata,
  encodeMilestoneValue,
  encodeU32,
  HEALTH_FIELD_DIRTY,
  healthKey,
  indexationKey,
  indexationPrefix,
  LEDGER_INCLUSION_CONFLICTING,
  MESSAGE_METADATA_LENGTH,
  MILESTONE_VALUE_LENGTH,
  messageIdOfKey,
  messageKey,
  messageMetadataKey,
  milestoneKey,
  STORE_PREFIXES,
  type StoredMessageMetadata,
  solidEntryPointKey,
  tablePrefix,
} from "../../../src/storage/prefixes.js";
import { errorCodeOf } from "../../utils/errorCode.js";

const id = fc.uint8Array({ minLength: 32, maxLength: 32 });
const u32 = fc.nat({ max: 0xffff_ffff });
const metadata: fc.Arbitrary<StoredMessageMetadata> = fc.record({
  solid: fc.boolean(),
  referenced: fc.boolean(),
  milestone: fc.boolean(),
  conflicting: fc.boolean(),
  referencedByMilestoneIndex: u32,
  milestoneIndex: u32,
  ledgerInclusionState: fc.constantFrom(0 as const, 1 as const, 2 as const),
  conflictReason: fc.nat({ max: 255 }),
  ocri: u32,
  ycri: u32,
  coneRootCalculationIndex: u32,
});
const startsWith = (k: Uint8Array, p: Uint8Array) => compareBytes(k.subarray(0, p.length), p) === 0;

describe("storage prefixes", () => {
  it("every table has its own byte and none uses 0x00", () => {
    const bytes = Object.values(STORE_PREFIXES);
    assert.equal(new Set(bytes).size, bytes.length);
    assert.ok(bytes.every((x) => x > 0 && x <= 0xff));
    assert.deepEqual(tablePrefix("CHILDREN"), Uint8Array.of(0x04));
    assert.deepEqual(healthKey(HEALTH_FIELD_DIRTY), Uint8Array.of(0x01, 0x02));
  });

  it("message metadata round-trips in 23 bytes with the documented offsets", () => {
    fc.assert(
      fc.property(metadata, (m) => {
        const bytes = encodeMessageMetadata(m);
        assert.equal(bytes.length, MESSAGE_METADATA_LENGTH);
        assert.deepEqual(decodeMessageMetadata(bytes), { ...m });
      }),
    );
    const bytes = encodeMessageMetadata({
      solid: true,
      referenced: true,
      milestone: false,
      conflicting: true,
      referencedByMilestoneIndex: 0x01020304,
      milestoneIndex: 5,
      ledgerInclusionState: LEDGER_INCLUSION_CONFLICTING,
      conflictReason: 255,
      ocri: 0x0a0b0c0d,
      ycri: 0xffffffff,
      coneRootCalculationIndex: 0x11223344,
    });
    assert.deepEqual(
      Array.from(bytes),
      [0x0b, 1, 2, 3, 4, 0, 0, 0, 5, 1, 255, 0x0a, 0x0b, 0x0c, 0x0d, 0xff, 0xff, 0xff, 0xff, 0x11, 0x22, 0x33, 0x44],
    );
  });

  it("metadata decode rejects wrong sizes, unknown flags and unknown states; encode rejects out-of-range fields", () => {
    const ok = encodeMessageMetadata(fc.sample(metadata, { numRuns: 1, seed: 1 })[0]!);
    assert.equal(
      errorCodeOf(() => decodeMessageMetadata(ok.subarray(1))),
      "STORAGE_ERROR_CORRUPT_VALUE",
    );
    const flags = ok.slice();
    flags[0] = 0x10;
    assert.equal(
      errorCodeOf(() => decodeMessageMetadata(flags)),
      "STORAGE_ERROR_CORRUPT_VALUE",
    );
    const state = ok.slice();
    state[9] = 3;
    assert.equal(
      errorCodeOf(() => decodeMessageMetadata(state)),
      "STORAGE_ERROR_CORRUPT_VALUE",
    );
    const base = decodeMessageMetadata(ok);
    assert.equal(
      errorCodeOf(() => encodeMessageMetadata({ ...base, ocri: 2 ** 32 })),
      "STORAGE_ERROR_INVALID_VALUE",
    );
    assert.equal(
      errorCodeOf(() => encodeMessageMetadata({ ...base, conflictReason: 256 })),
      "STORAGE_ERROR_INVALID_VALUE",
    );
    assert.equal(
      errorCodeOf(() => encodeMessageMetadata({ ...base, milestoneIndex: -1 })),
      "STORAGE_ERROR_INVALID_VALUE",
    );
  });

  it("message, metadata and solid entry point keys are prefix ‖ id", () => {
    fc.assert(
      fc.property(id, (mid) => {
        for (const [key, prefix] of [
          [messageKey(mid), STORE_PREFIXES.MESSAGES],
          [messageMetadataKey(mid), STORE_PREFIXES.MESSAGE_METADATA],
          [solidEntryPointKey(mid), STORE_PREFIXES.SOLID_ENTRY_POINTS],
        ] as const) {
          assert.equal(key.length, 33);
          assert.equal(key[0], prefix);
          assert.deepEqual(messageIdOfKey(key), mid);
        }
      }),
    );
    assert.equal(
      errorCodeOf(() => messageKey(new Uint8Array(31))),
      "STORAGE_ERROR_INVALID_KEY",
    );
  });

  it("children keys round-trip and fall under their parent's prefix", () => {
    fc.assert(
      fc.property(id, id, (parent, child) => {
        const key = childrenKey(parent, child);
        assert.equal(key.length, 65);
        assert.ok(startsWith(key, childrenPrefix(parent)));
        assert.deepEqual(decodeChildrenKey(key), { parentId: parent, childId: child });
      }),
    );
    assert.equal(
      errorCodeOf(() => decodeChildrenKey(new Uint8Array(65))),
      "STORAGE_ERROR_INVALID_KEY",
    );
  });

  it("indexation keys round-trip; one index's prefix never covers another index's keys", () => {
    const index = fc.uint8Array({ minLength: 1, maxLength: 64 });
    fc.assert(
      fc.property(index, index, id, (a, c, mid) => {
        const key = indexationKey(a, mid);
        assert.equal(key.length, 2 + a.length + 32);
        assert.deepEqual(decodeIndexationKey(key), { index: a, messageId: mid });
        assert.ok(startsWith(key, indexationPrefix(a)));
        if (compareBytes(a, c) !== 0) assert.ok(!startsWith(key, indexationPrefix(c)));
      }),
    );
    // "ab" is a byte prefix of "abc", yet their scans stay apart.
    const ab = Uint8Array.of(0x61, 0x62);
    const abc = Uint8Array.of(0x61, 0x62, 0x63);
    assert.ok(!startsWith(indexationKey(abc, new Uint8Array(32)), indexationPrefix(ab)));
    assert.equal(
      errorCodeOf(() => indexationPrefix(new Uint8Array(0))),
      "STORAGE_ERROR_INVALID_KEY",
    );
    assert.equal(
      errorCodeOf(() => indexationPrefix(new Uint8Array(65))),
      "STORAGE_ERROR_INVALID_KEY",
    );
  });

  it("milestone keys sort in numeric order and round-trip", () => {
    fc.assert(
      fc.property(u32, u32, (a, c) => {
        assert.equal(milestoneKey(a).length, 5);
        assert.equal(decodeMilestoneKey(milestoneKey(a)), a);
        assert.equal(Math.sign(compareBytes(milestoneKey(a), milestoneKey(c))), Math.sign(a - c));
      }),
    );
    assert.equal(
      errorCodeOf(() => milestoneKey(2 ** 32)),
      "STORAGE_ERROR_INVALID_VALUE",
    );
    assert.equal(
      errorCodeOf(() => decodeMilestoneKey(Uint8Array.of(0x06, 0, 0, 1))),
      "STORAGE_ERROR_INVALID_KEY",
    );
  });

  it("milestone values round-trip in 72 bytes", () => {
    fc.assert(
      fc.property(id, id, fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), (messageId, milestoneId, timestamp) => {
        const bytes = encodeMilestoneValue({ messageId, milestoneId, timestamp });
        assert.equal(bytes.length, MILESTONE_VALUE_LENGTH);
        assert.equal(MILESTONE_VALUE_LENGTH, 72);
        assert.deepEqual(decodeMilestoneValue(bytes), { messageId, milestoneId, timestamp });
      }),
    );
    const m = { messageId: new Uint8Array(32), milestoneId: new Uint8Array(32), timestamp: 2n ** 64n };
    assert.equal(
      errorCodeOf(() => encodeMilestoneValue(m)),
      "STORAGE_ERROR_INVALID_VALUE",
    );
    assert.equal(
      errorCodeOf(() => decodeMilestoneValue(new Uint8Array(71))),
      "STORAGE_ERROR_CORRUPT_VALUE",
    );
  });

  it("u32 values are big-endian and sized", () => {
    assert.deepEqual(encodeU32(0x01020304), Uint8Array.of(1, 2, 3, 4));
    fc.assert(fc.property(u32, (n) => assert.equal(decodeU32(encodeU32(n)), n)));
    assert.equal(
      errorCodeOf(() => decodeU32(new Uint8Array(3))),
      "STORAGE_ERROR_CORRUPT_VALUE",
    );
    assert.equal(
      errorCodeOf(() => encodeU32(1.5)),
      "STORAGE_ERROR_INVALID_VALUE",
    );
  });
});
