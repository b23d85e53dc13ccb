import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { compareBytes } from "../../../src/primitives/bytes.js";
import { prefixUpperBound, resolveBounds, resolveLimit } from "../../../src/storage/keyRange.js";
import { errorCodeOf } from "../../utils/errorCode.js";

describe("keyRange", () => {
  it("prefixUpperBound is above every extension of the prefix and at or below every larger key", () => {
    assert.deepEqual(prefixUpperBound(Uint8Array.of(1, 2)), Uint8Array.of(1, 3));
    assert.deepEqual(prefixUpperBound(Uint8Array.of(1, 0xff, 0xff)), Uint8Array.of(2));
    assert.equal(prefixUpperBound(Uint8Array.of(0xff)), undefined);
    assert.equal(prefixUpperBound(new Uint8Array(0)), undefined);
    const bytes = fc.uint8Array({ minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(bytes, bytes, (prefix, key) => {
        const upper = prefixUpperBound(prefix);
        const extends_ = compareBytes(key.subarray(0, prefix.length), prefix) === 0 && key.length >= prefix.length;
        if (upper === undefined) return;
        if (extends_) assert.ok(compareBytes(key, upper) < 0);
        else if (compareBytes(key, prefix) > 0) assert.ok(compareBytes(key, upper) >= 0);
      }),
    );
  });

  it("resolves empty ranges and checks limits", () => {
    assert.equal(resolveBounds({ start: Uint8Array.of(5), end: Uint8Array.of(5) }), undefined);
    assert.equal(resolveBounds({ prefix: Uint8Array.of(1), start: Uint8Array.of(2) }), undefined);
    assert.equal(resolveBounds({ end: new Uint8Array(0) }), undefined);
    assert.deepEqual(resolveBounds({}), { lower: undefined, upper: undefined });
    assert.equal(resolveLimit({}), Number.POSITIVE_INFINITY);
    assert.equal(
      errorCodeOf(() => resolveLimit({ limit: -1 })),
      "STORAGE_ERROR_INVALID_OP",
    );
    assert.equal(
      errorCodeOf(() => resolveLimit({ limit: 1.5 })),
      "STORAGE_ERROR_INVALID_OP",
    );
  });
});
