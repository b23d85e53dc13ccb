/**
 * The parallel signature checks give exactly the verdicts of ed25519Verify, in order, for batches of any size:
 * valid and tampered signatures, the ZIP-215 edge cases of TIP-14 (which OpenSSL alone gets wrong), wrong lengths,
 * and after a worker dies.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { blake2b256 } from "../../../src/crypto/blake2b.js";
import { ed25519Verify } from "../../../src/crypto/ed25519.js";
import { type SignatureCheck, SignaturePool } from "../../../src/ledger/signaturePool.js";
import { utf8ToBytes } from "../../../src/primitives/bytes.js";
import { hexToBytes } from "../../../src/primitives/hex.js";
import { Wallet } from "../../utils/ledgerFixtures.js";
import { readVectorJson } from "../../utils/vectors.js";

interface Tip14Vector {
  message: string;
  pub_key: string;
  signature: string;
  valid: boolean;
}

function mixedChecks(n: number): SignatureCheck[] {
  const wallets = Array.from({ length: 8 }, (_, i) => Wallet.named(`pool-${i}`));
  return Array.from({ length: n }, (_, i) => {
    const w = wallets[i % wallets.length]!;
    const message = blake2b256(utf8ToBytes(`essence-${i}`));
    const signature = w.sign(message);
    // Every third signature is tampered with, every seventh signs another message.
    if (i % 3 === 0) signature[i % 64]! ^= 1;
    return { publicKey: w.publicKey, message: i % 7 === 0 ? blake2b256(message) : message, signature };
  });
}

describe("SignaturePool", () => {
  const pool = new SignaturePool({ workers: 2, minParallelBatch: 16 });
  after(() => pool.close());

  it("gives the verdicts of ed25519Verify, in order, for a large batch across workers", async () => {
    const checks = mixedChecks(600);
    const expected = checks.map((c) => ed25519Verify(c.publicKey, c.message, c.signature));
    assert.ok(expected.includes(true) && expected.includes(false));
    assert.deepEqual(await pool.verifyBatch(checks), expected);
  });

  it("agrees with ed25519Verify on the ZIP-215 vectors of TIP-14", async () => {
    const vectors = readVectorJson<Tip14Vector[]>("tip14-ed25519-zip215.json");
    // The vectors sign messages of other lengths than the 32-byte essence hashes the worker records carry, so they
    // take the in-place path (the workers call the same ed25519Verify).
    const checks = vectors.map((v) => ({
      publicKey: hexToBytes(v.pub_key),
      message: hexToBytes(v.message),
      signature: hexToBytes(v.signature),
    }));
    const small = new SignaturePool({ workers: 2, minParallelBatch: 1_000_000 });
    const verdicts = await small.verifyBatch(checks);
    await small.close();
    assert.deepEqual(
      verdicts,
      checks.map((c) => ed25519Verify(c.publicKey, c.message, c.signature)),
    );
    // Entries 4, 5 and 9 are the ones OpenSSL alone rejects (chrysalis.md §3.6).
    assert.deepEqual([verdicts[4], verdicts[5], verdicts[9]], [true, true, true]);
  });

  it("says false for checks with wrong lengths, even where zeros would pass the cofactored equation", async () => {
    const zero = { publicKey: new Uint8Array(32), message: new Uint8Array(32), signature: new Uint8Array(64) };
    const checks = [
      ...mixedChecks(40),
      { ...zero, publicKey: new Uint8Array(31) },
      { ...zero, signature: new Uint8Array(63) },
    ];
    const verdicts = await pool.verifyBatch(checks);
    assert.equal(verdicts[40], false);
    assert.equal(verdicts[41], false);
  });

  it("checks small batches in place and keeps working after a worker dies", async () => {
    const checks = mixedChecks(200);
    const expected = checks.map((c) => ed25519Verify(c.publicKey, c.message, c.signature));
    assert.deepEqual(await pool.verifyBatch(checks.slice(0, 5)), expected.slice(0, 5));
    const doomed = new SignaturePool({ workers: 1, minParallelBatch: 16 });
    assert.deepEqual(await doomed.verifyBatch(checks), expected);
    // Kill the worker under the pool; the next batch must still give the right verdicts.
    const slots = (doomed as unknown as { slots: Array<{ worker: { terminate(): Promise<number> } }> | null }).slots;
    assert.ok(slots !== null && slots.length === 1);
    await slots[0]!.worker.terminate();
    assert.deepEqual(await doomed.verifyBatch(checks), expected);
    await doomed.close();
    // A closed pool checks in place.
    assert.deepEqual(await doomed.verifyBatch(checks.slice(0, 50)), expected.slice(0, 50));
  });
});
