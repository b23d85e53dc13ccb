import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkParentsForSubmission } from "../../../src/tangle/submissionCheck.js";
import { DagBuilder, fakeId } from "./dagBuilder.js";

/** CMI 30; SEP at 20; referenced messages at 15 (exactly BMD old) and 14 (one past it). */
async function setup() {
  const dag = await DagBuilder.open();
  const sep = dag.sep(0, 20);
  const r15 = dag.referenced([sep], 15);
  const r14 = dag.referenced([sep], 14);
  const r30 = dag.referenced([sep], 30);
  dag.synced(30);
  return { dag, t: dag.tangle, sep, r15, r14, r30 };
}

describe("checkParentsForSubmission", () => {
  it("accepts solid parents within max depth and solid entry points", async () => {
    const { dag, t, sep, r15, r30 } = await setup();
    const tip = dag.solid([r30, r15]);
    assert.equal(checkParentsForSubmission(t, [sep, r15, tip]), null);
  });

  it("rejects an unknown parent as not solid", async () => {
    const { t, r30 } = await setup();
    const unknown = fakeId(7);
    assert.deepEqual(checkParentsForSubmission(t, [r30, unknown]), { code: "PARENT_NOT_SOLID", parent: unknown });
  });

  it("rejects a stored but unsolid parent", async () => {
    const { dag, t, r30 } = await setup();
    const unsolid = dag.store([r30]);
    assert.deepEqual(checkParentsForSubmission(t, [unsolid]), { code: "PARENT_NOT_SOLID", parent: unsolid });
  });

  it("rejects a parent whose OCRI is more than 15 below CMI, at exactly 16", async () => {
    const { dag, t, r14, r15, r30 } = await setup();
    const old = dag.solid([r30, r14]);
    const fine = dag.solid([r30, r15]);
    assert.equal(checkParentsForSubmission(t, [fine]), null);
    assert.deepEqual(checkParentsForSubmission(t, [fine, old]), {
      code: "PARENT_BELOW_MAX_DEPTH",
      parent: old,
      ocri: 14,
      cmi: 30,
    });
    assert.equal(checkParentsForSubmission(t, [r14])?.code, "PARENT_BELOW_MAX_DEPTH");
  });

  it("checks a solid entry point against its own index", async () => {
    const { dag, t } = await setup();
    const edge = dag.sep(1, 15);
    const tooOld = dag.sep(2, 14);
    assert.equal(checkParentsForSubmission(t, [edge]), null);
    assert.deepEqual(checkParentsForSubmission(t, [tooOld]), {
      code: "PARENT_BELOW_MAX_DEPTH",
      parent: tooOld,
      ocri: 14,
      cmi: 30,
    });
  });

  it("counts a stored but unsolid solid entry point as solid", async () => {
    const { dag, t, r30 } = await setup();
    const stored = dag.store([r30]);
    t.addSolidEntryPoint(stored, 29);
    assert.equal(checkParentsForSubmission(t, [stored]), null);
  });

  it("reports the first offending parent in the given order and honours other parameters", async () => {
    const { t, r14, r30 } = await setup();
    const unknown = fakeId(8);
    assert.equal(checkParentsForSubmission(t, [unknown, r14])?.code, "PARENT_NOT_SOLID");
    assert.equal(checkParentsForSubmission(t, [r14, unknown])?.code, "PARENT_BELOW_MAX_DEPTH");
    const params = {
      maxDeltaMsgYoungestConeRootIndexToCMI: 8,
      maxDeltaMsgOldestConeRootIndexToCMI: 13,
      belowMaxDepth: 16,
    };
    assert.equal(checkParentsForSubmission(t, [r14, r30], params), null);
  });
});
