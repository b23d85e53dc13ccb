/**
 * URTS tip selection (chrysalis.md §7). selectTips runs for every GET /api/v1/tips and every API message submitted
 * without parents, so it must stay far below a request's budget: 100 µs with a pool of 1000 tips. The cone root walk
 * is what scoring a tip costs once a milestone has made every cached pair stale: here a fresh tip above 1000
 * unreferenced messages, each approving the two before it. Each walked message costs a metadata read, a message read
 * and a metadata write (about 2.5 + 2.3 + 3.3 µs on the memory Tangle when measured alone), so the target is 10 µs per
 * message: the unreferenced messages of one milestone interval (about 1000 at 100 messages/s and 10 s milestones)
 * are re-scored in 10 ms, once, since later walks stop at the pairs this one cached. All on a memory Tangle.
 */

import { messageId } from "../src/codec/ids.js";
import { encodeMessage } from "../src/codec/index.js";
import { compareBytes } from "../src/primitives/bytes.js";
import { MemoryKvStore } from "../src/storage/backends/memory.js";
import { coneRootIndexes } from "../src/tangle/coneRootIndexes.js";
import { Tangle } from "../src/tangle/tangle.js";
import { TipSelector } from "../src/tangle/tipSelector.js";
import { atMost, type Suite } from "./harness.js";

const POOL = 1000;
const CONE = 1000;

function storeSolid(tangle: Tangle, parents: Uint8Array[], nonce: bigint): Uint8Array {
  const message = { networkId: 0n, parents: [...parents].sort(compareBytes), payload: null, nonce };
  const bytes = encodeMessage(message);
  const id = messageId(bytes);
  tangle.storeMessage({ id, bytes, message, arrivedAt: 0 });
  tangle.markSolid(id);
  return id;
}

export const tipSelectionSuite: Suite = {
  name: "tip selection",
  async run(ctx) {
    const { tangle } = await Tangle.open(new MemoryKvStore());
    const sep = new Uint8Array(32);
    tangle.addSolidEntryPoint(sep, 1);
    let nonce = 0n;
    const root = storeSolid(tangle, [sep], nonce++);
    tangle.markReferenced(root, 10, 0);
    tangle.setLatestMilestoneIndex(10);
    tangle.setConfirmedMilestoneIndex(10);

    if (ctx.wants("tangle.tipSelector.selectTips.pool1000")) {
      let state = 0x2545f491;
      const random = () => {
        state = (Math.imul(state, 1103515245) + 12345) >>> 0;
        return state / 4294967296;
      };
      const ts = new TipSelector({}, { view: tangle, now: () => 0, random });
      for (let i = 0; i < POOL; i++) ts.onSolid(storeSolid(tangle, [root], nonce++), [root]);
      if (ts.tipCount.nonLazy !== POOL) throw new Error(`pool holds ${ts.tipCount.nonLazy} tips, expected ${POOL}`);
      let sink = 0;
      await ctx.latency(
        "tangle.tipSelector.selectTips.pool1000",
        () => {
          sink += ts.selectTips().length;
        },
        { target: atMost(100, "100 µs") },
      );
      if (sink === 0) throw new Error("selectTips returned nothing");
    }

    let previous = root;
    let last = root;
    for (let i = 0; i < CONE; i++) {
      const id = storeSolid(tangle, previous === last ? [last] : [previous, last], nonce++);
      previous = last;
      last = id;
    }
    const tip = storeSolid(tangle, [last], nonce++);
    let cmi = 10;
    let sink = 0;
    await ctx.latency(
      "tangle.coneRootIndexes.stale1000",
      () => {
        // A new CMI makes every cached pair stale, so each call walks all 1000 messages and re-caches them.
        tangle.setConfirmedMilestoneIndex(++cmi);
        sink += coneRootIndexes(tangle, tip).ocri;
      },
      { target: atMost(10_000, "10 ms") },
    );
    await ctx.latency(
      "tangle.coneRootIndexes.cached",
      () => {
        sink += coneRootIndexes(tangle, tip).ocri;
      },
      { target: atMost(10, "10 µs") },
    );
    const measured = ctx.wants("tangle.coneRootIndexes.stale1000") || ctx.wants("tangle.coneRootIndexes.cached");
    if (measured && sink === 0) throw new Error("coneRootIndexes found nothing");
    await tangle.close();
  },
};
