import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  DEFAULT_TIP_SELECTION_PARAMS,
  isBelowMaxDepth,
  messageHints,
  TIP_SCORE_LAZY,
  TIP_SCORE_NON_LAZY,
  TIP_SCORE_SEMI_LAZY,
  tipScore,
} from "../../../src/tangle/tipScore.js";

const CMI = 100;

describe("tipScore", () => {
  it("uses Hornet 1.2.8's defaults C1 = 8, C2 = 13, BMD = 15", () => {
    assert.deepEqual(
      { ...DEFAULT_TIP_SELECTION_PARAMS },
      { maxDeltaMsgYoungestConeRootIndexToCMI: 8, maxDeltaMsgOldestConeRootIndexToCMI: 13, belowMaxDepth: 15 },
    );
  });

  // [CMI − YCRI, CMI − OCRI, expected score]
  const table: Array<[number, number, number]> = [
    [0, 0, TIP_SCORE_NON_LAZY],
    [8, 8, TIP_SCORE_NON_LAZY],
    [8, 13, TIP_SCORE_NON_LAZY],
    [9, 9, TIP_SCORE_LAZY],
    [0, 14, TIP_SCORE_SEMI_LAZY],
    [8, 15, TIP_SCORE_SEMI_LAZY],
    [0, 16, TIP_SCORE_LAZY],
    [9, 14, TIP_SCORE_LAZY],
    [100, 100, TIP_SCORE_LAZY],
    // Signed differences: a cone touching a milestone above CMI is fresh (Hornet's uint32 would wrap to lazy).
    [-1, 0, TIP_SCORE_NON_LAZY],
  ];
  for (const [dy, dOld, expected] of table) {
    it(`scores CMI−YCRI=${dy}, CMI−OCRI=${dOld} as ${expected}`, () => {
      assert.equal(tipScore(CMI, { ycri: CMI - dy, ocri: CMI - dOld }), expected);
    });
  }

  it("takes other parameters (Hornet's private-tangle 2 / 7 / 15)", () => {
    const params = {
      maxDeltaMsgYoungestConeRootIndexToCMI: 2,
      maxDeltaMsgOldestConeRootIndexToCMI: 7,
      belowMaxDepth: 15,
    };
    assert.equal(tipScore(CMI, { ycri: CMI - 2, ocri: CMI - 7 }, params), TIP_SCORE_NON_LAZY);
    assert.equal(tipScore(CMI, { ycri: CMI - 3, ocri: CMI - 3 }, params), TIP_SCORE_LAZY);
    assert.equal(tipScore(CMI, { ycri: CMI, ocri: CMI - 8 }, params), TIP_SCORE_SEMI_LAZY);
  });
});

describe("isBelowMaxDepth", () => {
  it("is true only when CMI − OCRI exceeds 15", () => {
    assert.equal(isBelowMaxDepth(CMI, CMI - 15), false);
    assert.equal(isBelowMaxDepth(CMI, CMI - 16), true);
    assert.equal(isBelowMaxDepth(CMI, CMI), false);
    assert.equal(isBelowMaxDepth(20, 0), true);
    assert.equal(isBelowMaxDepth(CMI, CMI - 3, { ...DEFAULT_TIP_SELECTION_PARAMS, belowMaxDepth: 2 }), true);
  });
});

describe("messageHints", () => {
  const solid = (dy: number, dOld: number) => ({ solid: true, referenced: false, ycri: CMI - dy, ocri: CMI - dOld });

  it("gives no hints for referenced or unsolid messages", () => {
    assert.equal(messageHints({ ...solid(50, 50), referenced: true }, CMI), null);
    assert.equal(messageHints({ ...solid(50, 50), solid: false }, CMI), null);
  });

  // [CMI − YCRI, CMI − OCRI, shouldPromote, shouldReattach]
  const table: Array<[number, number, boolean, boolean]> = [
    [0, 0, false, false],
    [8, 13, false, false],
    [9, 9, true, false],
    [0, 14, true, false],
    [0, 15, true, false],
    [0, 16, false, true],
    [20, 16, false, true],
  ];
  for (const [dy, dOld, shouldPromote, shouldReattach] of table) {
    it(`hints CMI−YCRI=${dy}, CMI−OCRI=${dOld} as promote=${shouldPromote} reattach=${shouldReattach}`, () => {
      assert.deepEqual(messageHints(solid(dy, dOld), CMI), { shouldPromote, shouldReattach });
    });
  }

  it("hints exactly when the score is not non-lazy, and reattach exactly when below max depth", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 40 }), (dy, dOld) => {
        const input = solid(dy, dOld);
        const hints = messageHints(input, CMI)!;
        const score = tipScore(CMI, input);
        assert.equal(hints.shouldPromote || hints.shouldReattach, score !== TIP_SCORE_NON_LAZY);
        assert.equal(hints.shouldReattach, isBelowMaxDepth(CMI, input.ocri));
        assert.ok(!(hints.shouldPromote && hints.shouldReattach));
      }),
    );
  });
});
