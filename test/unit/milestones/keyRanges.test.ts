import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  applicableKeys,
  keyRangeApplies,
  type MilestoneKeyRange,
  parseKeyRanges,
  validateKeyRanges,
} from "../../../src/milestones/keyRanges.js";
import { MilestoneError } from "../../../src/milestones/milestoneError.js";
import {
  MILESTONE_KEY_RANGES_DEVNET,
  MILESTONE_KEY_RANGES_MAINNET,
  MILESTONE_KEY_RANGES_PRIVATE_TANGLE,
  MILESTONE_PUBLIC_KEY_COUNT_MAINNET,
} from "../../../src/params/milestoneKeys.js";
import { bytesToHex } from "../../../src/primitives/hex.js";
import { errorCodeOf } from "../../utils/errorCode.js";

const A = "7205c145525cee64f1c9363696811d239919d830ad964b4e29359e6475848f5a";
const B = "e468e82df33d10dea3bd0eadcd7867946a674d207c39f5af4cc44365d268a7e6";

function pathOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof MilestoneError) return e.type.path;
    throw e;
  }
  throw new Error("expected a MilestoneError");
}

describe("parseKeyRanges", () => {
  it("parses Hornet's publicKeyRanges shape into bytes and indexes", () => {
    const ranges = parseKeyRanges([
      { key: A, start: 0, end: 0 },
      { key: B, start: 10, end: 20 },
    ]);
    assert.equal(ranges.length, 2);
    assert.equal(bytesToHex(ranges[0]!.publicKey), A);
    assert.deepEqual(
      ranges.map((r) => [r.startIndex, r.endIndex]),
      [
        [0, 0],
        [10, 20],
      ],
    );
  });

  it("accepts upper-case hex (as Go's hex decoder does) and ignores extra properties", () => {
    const [r] = parseKeyRanges([{ key: A.toUpperCase(), start: 1, end: 1, comment: "x" }]);
    assert.equal(bytesToHex(r!.publicKey), A);
    assert.equal(r!.endIndex, 1);
  });

  it("parses every preset, and the presets have the documented sizes", () => {
    assert.equal(parseKeyRanges(MILESTONE_KEY_RANGES_MAINNET).length, 8);
    assert.equal(parseKeyRanges(MILESTONE_KEY_RANGES_DEVNET).length, 2);
    assert.equal(parseKeyRanges(MILESTONE_KEY_RANGES_PRIVATE_TANGLE).length, 2);
  });

  it("refuses anything that is not a non-empty array of objects (FORMAT)", () => {
    for (const bad of [null, {}, "[]", [], [null], [42], [[A, 0, 0]]]) {
      assert.equal(
        errorCodeOf(() => parseKeyRanges(bad)),
        "MILESTONE_ERROR_KEY_RANGES_FORMAT",
        JSON.stringify(bad),
      );
    }
  });

  it("refuses keys that are not 64 hex characters without 0x (KEY)", () => {
    for (const key of [undefined, 7, A.slice(2), `${A}00`, `0x${A.slice(2)}`, `${A.slice(0, 63)}g`, ""]) {
      assert.equal(
        errorCodeOf(() => parseKeyRanges([{ key, start: 0, end: 0 }])),
        "MILESTONE_ERROR_KEY_RANGE_KEY",
        String(key),
      );
    }
    assert.equal(
      pathOf(() =>
        parseKeyRanges([
          { key: A, start: 0, end: 0 },
          { key: "zz", start: 0, end: 0 },
        ]),
      ),
      "keyRanges[1].key",
    );
  });

  it("refuses start and end that are not milestone indexes (INDEX), naming the field", () => {
    for (const v of [undefined, -1, 1.5, "3", 2 ** 32, Number.NaN, null]) {
      assert.equal(
        errorCodeOf(() => parseKeyRanges([{ key: A, start: v, end: 0 }])),
        "MILESTONE_ERROR_KEY_RANGE_INDEX",
      );
      assert.equal(
        pathOf(() => parseKeyRanges([{ key: A, start: 0, end: v }])),
        "keyRanges[0].end",
      );
    }
    assert.equal(parseKeyRanges([{ key: A, start: 2 ** 32 - 1, end: 2 ** 32 - 1 }]).length, 1);
  });

  it("refuses a range that ends before it starts, but end 0 means open (ORDER)", () => {
    assert.equal(
      errorCodeOf(() => parseKeyRanges([{ key: A, start: 10, end: 9 }])),
      "MILESTONE_ERROR_KEY_RANGE_ORDER",
    );
    assert.equal(parseKeyRanges([{ key: A, start: 10, end: 0 }])[0]!.endIndex, 0);
    assert.equal(parseKeyRanges([{ key: A, start: 10, end: 10 }])[0]!.endIndex, 10);
  });

  it("refuses the same key with the same range twice (DUPLICATE) but allows the same key with other ranges", () => {
    const dup = [
      { key: A, start: 0, end: 5 },
      { key: B, start: 0, end: 5 },
      { key: A.toUpperCase(), start: 0, end: 5 },
    ];
    assert.equal(
      errorCodeOf(() => parseKeyRanges(dup)),
      "MILESTONE_ERROR_KEY_RANGE_DUPLICATE",
    );
    assert.equal(
      pathOf(() => parseKeyRanges(dup)),
      "keyRanges[2]",
    );
    const rotation = [
      { key: A, start: 0, end: 5 },
      { key: A, start: 10, end: 0 },
    ];
    assert.equal(parseKeyRanges(rotation).length, 2);
  });
});

describe("validateKeyRanges (ranges built in code)", () => {
  const good: MilestoneKeyRange = { publicKey: new Uint8Array(32), startIndex: 0, endIndex: 0 };

  it("applies the same rules as the parser", () => {
    assert.doesNotThrow(() => validateKeyRanges([good]));
    assert.equal(
      errorCodeOf(() => validateKeyRanges([])),
      "MILESTONE_ERROR_KEY_RANGES_FORMAT",
    );
    assert.equal(
      errorCodeOf(() => validateKeyRanges([{ ...good, publicKey: new Uint8Array(31) }])),
      "MILESTONE_ERROR_KEY_RANGE_KEY",
    );
    assert.equal(
      errorCodeOf(() => validateKeyRanges([{ ...good, startIndex: -1 }])),
      "MILESTONE_ERROR_KEY_RANGE_INDEX",
    );
    assert.equal(
      errorCodeOf(() => validateKeyRanges([{ ...good, startIndex: 5, endIndex: 4 }])),
      "MILESTONE_ERROR_KEY_RANGE_ORDER",
    );
    assert.equal(
      errorCodeOf(() => validateKeyRanges([good, { ...good }])),
      "MILESTONE_ERROR_KEY_RANGE_DUPLICATE",
    );
  });
});

describe("applicableKeys (Hornet keymanager: start ≤ i and (end = 0 or i ≤ end))", () => {
  const ranges = parseKeyRanges([
    { key: A, start: 10, end: 20 },
    { key: B, start: 15, end: 0 },
  ]);

  it("includes both bounds and treats end 0 as open", () => {
    const at = (i: number): string[] => [...applicableKeys(ranges, i)].sort();
    assert.deepEqual(at(9), []);
    assert.deepEqual(at(10), [A]);
    assert.deepEqual(at(14), [A]);
    assert.deepEqual(at(15), [A, B]);
    assert.deepEqual(at(20), [A, B]);
    assert.deepEqual(at(21), [B]);
    assert.deepEqual(at(2 ** 32 - 1), [B]);
    assert.equal(keyRangeApplies(ranges[0]!, 20), true);
    assert.equal(keyRangeApplies(ranges[0]!, 21), false);
  });

  it("counts a key once even when two of its ranges overlap", () => {
    const overlapping = parseKeyRanges([
      { key: A, start: 0, end: 10 },
      { key: A, start: 5, end: 0 },
    ]);
    assert.equal(applicableKeys(overlapping, 7).size, 1);
  });

  it("mainnet: every index around every range boundary has at least the threshold of keys", () => {
    const mainnet = parseKeyRanges(MILESTONE_KEY_RANGES_MAINNET);
    const boundaries = mainnet.flatMap((r) => [r.startIndex, r.endIndex]).filter((b) => b !== 0);
    for (const b of boundaries) {
      for (const i of [b - 1, b, b + 1]) {
        assert.ok(applicableKeys(mainnet, i).size >= MILESTONE_PUBLIC_KEY_COUNT_MAINNET, `index ${i}`);
      }
    }
    // Hand-checked points of the table in chrysalis.md §5.2.
    const head = (i: number): string[] => [...applicableKeys(mainnet, i)].map((k) => k.slice(0, 4)).sort();
    assert.deepEqual(head(0), ["365f", "a9b4"]);
    assert.deepEqual(head(777600), ["365f", "a9b4", "ba6d"]);
    assert.deepEqual(head(777601), ["365f", "ba6d"]);
    assert.deepEqual(head(3359999), ["7bac", "edd9"]);
    assert.deepEqual(head(3360000), ["47a5", "ae4e"]);
  });
});
