import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PayloadRouter } from "../../../src/pipeline/payloadRouter.js";
import { utf8ToBytes } from "../../../src/primitives/bytes.js";
import { TangleBuilder } from "../../utils/tangleBuilder.js";

describe("PayloadRouter", () => {
  it("hands each stored message's payload to the handlers of its type, inside the ingestion step", async () => {
    const tb = await TangleBuilder.create();
    const indexes: string[] = [];
    const off = tb.pipeline.router.on(2, (m) => {
      // Inside the step the message is already staged, so handlers can read it and stage more.
      assert.equal(tb.tangle.hasMessage(m.messageId), true);
      indexes.push(new TextDecoder().decode(m.payload.index));
    });
    let milestones = 0;
    tb.pipeline.router.on(1, () => milestones++);
    await tb.message("A").index("one").store();
    await tb.message("B").store();
    off();
    await tb.message("C").index("two").store();
    assert.deepEqual(indexes, ["one"]);
    assert.equal(milestones, 0);
    await tb.close();
  });

  it("ignores messages without a payload and types without handlers", () => {
    const r = new PayloadRouter();
    let calls = 0;
    r.on(0, () => calls++);
    const id = new Uint8Array(32);
    r.route(id, "00", { networkId: 0n, parents: [id], payload: null, nonce: 0n }, new Uint8Array());
    r.route(
      id,
      "00",
      {
        networkId: 0n,
        parents: [id],
        payload: { type: 2, index: utf8ToBytes("i"), data: new Uint8Array() },
        nonce: 0n,
      },
      new Uint8Array(),
    );
    assert.equal(calls, 0);
  });
});
