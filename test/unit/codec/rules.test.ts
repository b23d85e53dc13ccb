/**
 * One hand-made negative case per CodecError code: valid objects broken in exactly one way (encoded with our
 * encoder, which checks only wire widths) or valid bytes mutated by hand. Rule violations must be accepted in
 * trusted mode; structural ones must fail in both modes. The last test checks every code was exercised here.
 */
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import {
  CODEC_ERROR_CODES,
  CodecError,
  type CodecErrorCode,
  decodeMessage,
  decodeReceiptPayload,
  decodeTransactionEssence,
  encodeMessage,
  encodeReceiptPayload,
  type Message,
  type MessagePayload,
  type MilestonePayload,
  messageFromJson,
  parseOutputId,
  type ReceiptPayload,
  type TransactionPayload,
} from "../../../src/codec/index.js";
import { hexToBytes } from "../../../src/primitives/hex.js";
import { TIP6_EXAMPLE_HEX } from "../../utils/codecFixtures.js";

const seen = new Set<CodecErrorCode>();
const SUPPLY = 2_779_530_283_277_761;

const id = (b: number, len = 32): Uint8Array => new Uint8Array(len).fill(b);
const sig = (b: number) => ({
  type: 0 as const,
  signature: { type: 0 as const, publicKey: id(b), signature: id(b, 64) },
});

function baseTx(): TransactionPayload {
  return {
    type: 0,
    essence: {
      type: 0,
      inputs: [
        { type: 0, transactionId: id(1), transactionOutputIndex: 0 },
        { type: 0, transactionId: id(2), transactionOutputIndex: 0 },
      ],
      outputs: [
        { type: 0, address: { type: 0, address: id(3) }, amount: 1_000_000 },
        { type: 1, address: { type: 0, address: id(3) }, amount: 1_000_000 },
      ],
      payload: null,
    },
    unlockBlocks: [sig(5), { type: 1, reference: 0 }],
  };
}

function baseReceipt(): ReceiptPayload {
  return {
    type: 3,
    migratedAt: 1,
    final: false,
    funds: [
      { tailTransactionHash: id(1, 49), address: { type: 0, address: id(3) }, deposit: 1_000_000 },
      { tailTransactionHash: id(2, 49), address: { type: 0, address: id(3) }, deposit: 1_000_000 },
    ],
    transaction: { type: 4, input: { type: 1, milestoneId: id(4) }, output: { type: 2, amount: 5 } },
  };
}

function baseMilestone(): MilestonePayload {
  return {
    type: 1,
    index: 1,
    timestamp: 1,
    parents: [id(1), id(2)],
    inclusionMerkleProof: id(0),
    nextPoWScore: 0,
    nextPoWScoreMilestoneIndex: 0,
    publicKeys: [id(7), id(8)],
    receipt: null,
    signatures: [id(9, 64), id(10, 64)],
  };
}

const msgWith = (payload: MessagePayload | null, parents = [id(1), id(2)]): Message => ({
  networkId: 1n,
  parents,
  payload,
  nonce: 0n,
});
const enc = (payload: MessagePayload | null): Uint8Array => encodeMessage(msgWith(payload));

function isCode(code: CodecErrorCode) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof CodecError, `expected a CodecError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.ok(e.message.length > 10);
    seen.add(code);
    return true;
  };
}

/** A protocol-rule violation: rejected as untrusted, accepted as trusted. */
function rejectsRule(bytes: Uint8Array, code: CodecErrorCode): void {
  assert.throws(() => decodeMessage(bytes, "untrusted"), isCode(code));
  assert.doesNotThrow(() => decodeMessage(bytes, "trusted"));
}

/** A structural error: the bytes cannot be parsed in either mode. */
function rejectsAlways(bytes: Uint8Array, code: CodecErrorCode): void {
  assert.throws(() => decodeMessage(bytes, "untrusted"), isCode(code));
  assert.throws(() => decodeMessage(bytes, "trusted"), isCode(code));
}

/** Offset of the payload (its u32 type) in a message with `parents` parents. */
const payloadAt = (parents = 2) => 8 + 1 + 32 * parents + 4;

describe("message framing (TIP-6)", () => {
  const tip6 = hexToBytes(TIP6_EXAMPLE_HEX);

  it("the base objects are valid", () => {
    for (const p of [null, baseTx(), baseMilestone(), { ...baseMilestone(), receipt: baseReceipt() }]) {
      assert.doesNotThrow(() => decodeMessage(enc(p), "untrusted"));
    }
  });

  it("CODEC_ERROR_UNEXPECTED_END: a truncated nonce", () => {
    rejectsAlways(tip6.subarray(0, tip6.length - 1), "CODEC_ERROR_UNEXPECTED_END");
  });

  it("CODEC_ERROR_TRAILING_BYTES: one byte after the nonce", () => {
    rejectsAlways(Uint8Array.from([...tip6, 0]), "CODEC_ERROR_TRAILING_BYTES");
  });

  it("CODEC_ERROR_MESSAGE_TOO_LARGE / TOO_SMALL: 32769 and 52 bytes", () => {
    const big = enc({ type: 2, index: id(1, 1), data: new Uint8Array(32768 - 96 + 1) });
    assert.equal(big.length, 32769);
    rejectsRule(big, "CODEC_ERROR_MESSAGE_TOO_LARGE");
    const max = enc({ type: 2, index: id(1, 1), data: new Uint8Array(32768 - 96) });
    assert.equal(max.length, 32768);
    assert.doesNotThrow(() => decodeMessage(max, "untrusted"));
    // No parents and a 31-byte payload: well-formed, but below the 53-byte minimum.
    const small = encodeMessage(msgWith({ type: 2, index: id(1, 21), data: new Uint8Array(0) }, []));
    assert.equal(small.length, 52);
    rejectsRule(small, "CODEC_ERROR_MESSAGE_TOO_SMALL");
  });

  it("CODEC_ERROR_PARENTS_COUNT: 0 and 9 parents", () => {
    const zero = encodeMessage(msgWith({ type: 2, index: id(1, 40), data: new Uint8Array(0) }, []));
    rejectsRule(zero, "CODEC_ERROR_PARENTS_COUNT");
    rejectsRule(
      encodeMessage(
        msgWith(
          null,
          [1, 2, 3, 4, 5, 6, 7, 8, 9].map((b) => id(b)),
        ),
      ),
      "CODEC_ERROR_PARENTS_COUNT",
    );
  });

  it("CODEC_ERROR_PARENTS_NOT_SORTED: descending and duplicate parents", () => {
    rejectsRule(encodeMessage(msgWith(null, [id(2), id(1)])), "CODEC_ERROR_PARENTS_NOT_SORTED");
    rejectsRule(encodeMessage(msgWith(null, [id(1), id(1)])), "CODEC_ERROR_PARENTS_NOT_SORTED");
  });

  it("CODEC_ERROR_INVALID_PAYLOAD_TYPE: type 5 in a message", () => {
    const b = enc({ type: 2, index: id(1, 4), data: id(0, 4) });
    b[payloadAt()] = 5;
    rejectsAlways(b, "CODEC_ERROR_INVALID_PAYLOAD_TYPE");
  });

  it("CODEC_ERROR_PAYLOAD_TYPE_NOT_ALLOWED: a receipt directly in a message, a transaction in an essence", () => {
    const receipt = encodeReceiptPayload(baseReceipt());
    const head = encodeMessage(msgWith(null));
    const b = new Uint8Array(head.length + receipt.length);
    b.set(head.subarray(0, payloadAt() - 4));
    new DataView(b.buffer).setUint32(payloadAt() - 4, receipt.length, true);
    b.set(receipt, payloadAt());
    rejectsAlways(b, "CODEC_ERROR_PAYLOAD_TYPE_NOT_ALLOWED");

    const tx = baseTx();
    const withIndexation = enc({
      ...tx,
      essence: { ...tx.essence, payload: { type: 2, index: id(1, 4), data: id(1, 4) } },
    });
    // Essence payload starts after: payload type(4) + essence type(1) + inputs(2 + 70) + outputs(2 + 84) + length(4).
    withIndexation[payloadAt() + 4 + 1 + 72 + 86 + 4] = 0;
    rejectsAlways(withIndexation, "CODEC_ERROR_PAYLOAD_TYPE_NOT_ALLOWED");
  });

  it("CODEC_ERROR_PAYLOAD_LENGTH_MISMATCH: declared length one too short and one too long", () => {
    const b = enc({ type: 2, index: id(1, 4), data: id(0, 4) });
    const lenAt = payloadAt() - 4;
    const shorter = b.slice();
    shorter[lenAt]! -= 1;
    rejectsAlways(shorter, "CODEC_ERROR_PAYLOAD_LENGTH_MISMATCH");
    const longer = Uint8Array.from([...b, 0]);
    longer[lenAt]! += 1;
    rejectsAlways(longer, "CODEC_ERROR_PAYLOAD_LENGTH_MISMATCH");
  });

  it("CODEC_ERROR_INDEX_LENGTH: 0 and 65 index bytes", () => {
    rejectsRule(enc({ type: 2, index: new Uint8Array(0), data: id(1, 40) }), "CODEC_ERROR_INDEX_LENGTH");
    rejectsRule(enc({ type: 2, index: id(1, 65), data: id(1, 4) }), "CODEC_ERROR_INDEX_LENGTH");
    assert.doesNotThrow(() => decodeMessage(enc({ type: 2, index: id(1, 64), data: id(1, 4) }), "untrusted"));
  });
});

describe("transaction rules (TIP-7)", () => {
  const withEssence = (f: (tx: TransactionPayload) => void): Uint8Array => {
    const tx = baseTx();
    f(tx);
    return enc(tx);
  };
  const essenceAt = payloadAt() + 4;
  const outputsAt = essenceAt + 1 + 2 + 70 + 2;

  it("CODEC_ERROR_INVALID_ESSENCE_TYPE", () => {
    const b = enc(baseTx());
    b[essenceAt] = 1;
    rejectsAlways(b, "CODEC_ERROR_INVALID_ESSENCE_TYPE");
  });

  it("CODEC_ERROR_INPUTS_COUNT: 0 and 128 inputs", () => {
    rejectsRule(
      withEssence((tx) => {
        tx.essence.inputs = [];
        tx.unlockBlocks = [];
      }),
      "CODEC_ERROR_INPUTS_COUNT",
    );
    rejectsRule(
      withEssence((tx) => {
        tx.essence.inputs = Array.from({ length: 128 }, (_, i) => ({
          type: 0 as const,
          transactionId: id(i),
          transactionOutputIndex: 0,
        }));
        tx.unlockBlocks = [sig(1), ...Array.from({ length: 127 }, () => ({ type: 1 as const, reference: 0 }))];
      }),
      "CODEC_ERROR_INPUTS_COUNT",
    );
  });

  it("CODEC_ERROR_INVALID_INPUT_TYPE: a treasury input (1) in an essence", () => {
    const b = enc(baseTx());
    b[essenceAt + 3] = 1;
    rejectsAlways(b, "CODEC_ERROR_INVALID_INPUT_TYPE");
  });

  it("CODEC_ERROR_OUTPUT_INDEX_TOO_LARGE: index 127", () => {
    rejectsRule(
      withEssence((tx) => {
        tx.essence.inputs[1]!.transactionOutputIndex = 127;
      }),
      "CODEC_ERROR_OUTPUT_INDEX_TOO_LARGE",
    );
  });

  it("CODEC_ERROR_INPUTS_NOT_SORTED and CODEC_ERROR_DUPLICATE_INPUT", () => {
    rejectsRule(
      withEssence((tx) => tx.essence.inputs.reverse()),
      "CODEC_ERROR_INPUTS_NOT_SORTED",
    );
    rejectsRule(
      withEssence((tx) => {
        tx.essence.inputs[1] = tx.essence.inputs[0]!;
      }),
      "CODEC_ERROR_DUPLICATE_INPUT",
    );
  });

  it("CODEC_ERROR_OUTPUTS_COUNT: 0 and 128 outputs", () => {
    rejectsRule(
      withEssence((tx) => {
        tx.essence.outputs = [];
      }),
      "CODEC_ERROR_OUTPUTS_COUNT",
    );
    rejectsRule(
      withEssence((tx) => {
        tx.essence.outputs = Array.from({ length: 128 }, (_, i) => ({
          type: 0 as const,
          address: { type: 0 as const, address: id(i) },
          amount: 1,
        }));
      }),
      "CODEC_ERROR_OUTPUTS_COUNT",
    );
  });

  it("CODEC_ERROR_INVALID_OUTPUT_TYPE and CODEC_ERROR_INVALID_ADDRESS_TYPE", () => {
    const b = enc(baseTx());
    b[outputsAt] = 2;
    rejectsAlways(b, "CODEC_ERROR_INVALID_OUTPUT_TYPE");
    const c = enc(baseTx());
    c[outputsAt + 1] = 1;
    rejectsAlways(c, "CODEC_ERROR_INVALID_ADDRESS_TYPE");
  });

  it("CODEC_ERROR_OUTPUTS_NOT_SORTED: byte order, not amount order", () => {
    rejectsRule(
      withEssence((tx) => tx.essence.outputs.reverse()),
      "CODEC_ERROR_OUTPUTS_NOT_SORTED",
    );
    // Same type and address prefix differ only in the amount: 256 (00 01 …) sorts before 1 (01 00 …).
    const numeric = withEssence((tx) => {
      tx.essence.outputs = [
        { type: 0, address: { type: 0, address: id(3) }, amount: 1 },
        { type: 0, address: { type: 0, address: id(4) }, amount: 256 },
      ];
    });
    assert.doesNotThrow(() => decodeMessage(numeric, "untrusted"));
  });

  it("CODEC_ERROR_AMOUNT_ZERO, CODEC_ERROR_AMOUNT_EXCEEDS_SUPPLY, CODEC_ERROR_INTEGER_TOO_LARGE", () => {
    rejectsRule(
      withEssence((tx) => {
        tx.essence.outputs[0]!.amount = 0;
      }),
      "CODEC_ERROR_AMOUNT_ZERO",
    );
    rejectsRule(
      withEssence((tx) => {
        tx.essence.outputs[0]!.amount = SUPPLY + 1;
      }),
      "CODEC_ERROR_AMOUNT_EXCEEDS_SUPPLY",
    );
    const b = enc(baseTx());
    b[outputsAt + 34 + 7] = 0xff;
    rejectsAlways(b, "CODEC_ERROR_INTEGER_TOO_LARGE");
  });

  it("CODEC_ERROR_OUTPUTS_SUM_EXCEEDS_SUPPLY: two outputs of the whole supply", () => {
    rejectsRule(
      withEssence((tx) => {
        tx.essence.outputs[0]!.amount = SUPPLY;
        tx.essence.outputs[1]!.amount = SUPPLY;
      }),
      "CODEC_ERROR_OUTPUTS_SUM_EXCEEDS_SUPPLY",
    );
  });

  it("CODEC_ERROR_DUPLICATE_OUTPUT_ADDRESS: two SigLockedSingle outputs to one address", () => {
    rejectsRule(
      withEssence((tx) => {
        tx.essence.outputs = [
          { type: 0, address: { type: 0, address: id(3) }, amount: 1 },
          { type: 0, address: { type: 0, address: id(3) }, amount: 2 },
        ];
      }),
      "CODEC_ERROR_DUPLICATE_OUTPUT_ADDRESS",
    );
  });

  it("CODEC_ERROR_DUST_ALLOWANCE_TOO_SMALL: 999 999", () => {
    rejectsRule(
      withEssence((tx) => {
        tx.essence.outputs[1]!.amount = 999_999;
      }),
      "CODEC_ERROR_DUST_ALLOWANCE_TOO_SMALL",
    );
  });

  it("CODEC_ERROR_UNLOCK_BLOCKS_COUNT", () => {
    rejectsRule(
      withEssence((tx) => {
        tx.unlockBlocks = [sig(5)];
      }),
      "CODEC_ERROR_UNLOCK_BLOCKS_COUNT",
    );
  });

  it("CODEC_ERROR_INVALID_UNLOCK_BLOCK_TYPE and CODEC_ERROR_INVALID_SIGNATURE_TYPE", () => {
    const b = enc(baseTx());
    const blocksAt = b.length - 8 - 3 - 98;
    b[blocksAt] = 2;
    rejectsAlways(b, "CODEC_ERROR_INVALID_UNLOCK_BLOCK_TYPE");
    const c = enc(baseTx());
    c[blocksAt + 1] = 1;
    rejectsAlways(c, "CODEC_ERROR_INVALID_SIGNATURE_TYPE");
  });

  it("CODEC_ERROR_DUPLICATE_SIGNATURE_UNLOCK_BLOCK", () => {
    rejectsRule(
      withEssence((tx) => {
        tx.unlockBlocks = [sig(5), sig(5)];
      }),
      "CODEC_ERROR_DUPLICATE_SIGNATURE_UNLOCK_BLOCK",
    );
  });

  it("CODEC_ERROR_REFERENCE_NOT_LOWER and CODEC_ERROR_REFERENCE_TO_NON_SIGNATURE", () => {
    rejectsRule(
      withEssence((tx) => {
        tx.unlockBlocks = [sig(5), { type: 1, reference: 1 }];
      }),
      "CODEC_ERROR_REFERENCE_NOT_LOWER",
    );
    rejectsRule(
      withEssence((tx) => {
        tx.essence.inputs.push({ type: 0, transactionId: id(3), transactionOutputIndex: 0 });
        tx.unlockBlocks = [sig(5), { type: 1, reference: 0 }, { type: 1, reference: 1 }];
      }),
      "CODEC_ERROR_REFERENCE_TO_NON_SIGNATURE",
    );
  });

  it("standalone essence decoding also rejects trailing bytes", () => {
    const tx = enc(baseTx());
    const essence = tx.subarray(essenceAt, outputsAt + 84 + 4);
    assert.doesNotThrow(() => decodeTransactionEssence(essence, "untrusted"));
    assert.throws(
      () => decodeTransactionEssence(Uint8Array.from([...essence, 0]), "untrusted"),
      isCode("CODEC_ERROR_TRAILING_BYTES"),
    );
  });
});

describe("milestone rules (TIP-8)", () => {
  const withMilestone = (f: (m: MilestonePayload) => void): Uint8Array => {
    const m = baseMilestone();
    f(m);
    return enc(m);
  };

  it("CODEC_ERROR_PARENTS_NOT_SORTED inside the milestone essence", () => {
    const b = withMilestone((m) => m.parents.reverse());
    assert.throws(
      () => decodeMessage(b, "untrusted"),
      (e: unknown) => {
        isCode("CODEC_ERROR_PARENTS_NOT_SORTED")(e);
        return (e as CodecError).type.path === "payload.parents[1]";
      },
    );
  });

  it("CODEC_ERROR_INVALID_NEXT_POW_SCORE: score without a start index", () => {
    rejectsRule(
      withMilestone((m) => {
        m.nextPoWScore = 5000;
      }),
      "CODEC_ERROR_INVALID_NEXT_POW_SCORE",
    );
    const ok = withMilestone((m) => {
      m.nextPoWScore = 5000;
      m.nextPoWScoreMilestoneIndex = 10;
    });
    assert.doesNotThrow(() => decodeMessage(ok, "untrusted"));
  });

  it("CODEC_ERROR_PUBLIC_KEYS_COUNT, CODEC_ERROR_PUBLIC_KEYS_NOT_SORTED, CODEC_ERROR_SIGNATURES_COUNT", () => {
    rejectsRule(
      withMilestone((m) => {
        m.publicKeys = [];
        m.signatures = [];
      }),
      "CODEC_ERROR_PUBLIC_KEYS_COUNT",
    );
    rejectsRule(
      withMilestone((m) => m.publicKeys.reverse()),
      "CODEC_ERROR_PUBLIC_KEYS_NOT_SORTED",
    );
    rejectsRule(
      withMilestone((m) => {
        m.signatures.pop();
      }),
      "CODEC_ERROR_SIGNATURES_COUNT",
    );
  });

  it("CODEC_ERROR_PAYLOAD_TYPE_NOT_ALLOWED: an indexation payload instead of a receipt", () => {
    const m = baseMilestone();
    const b = enc({ ...m, receipt: baseReceipt() });
    const receiptAt = payloadAt() + 4 + 4 + 8 + 1 + 64 + 32 + 8 + 1 + 64 + 4;
    assert.equal(b[receiptAt], 3);
    b[receiptAt] = 2;
    rejectsAlways(b, "CODEC_ERROR_PAYLOAD_TYPE_NOT_ALLOWED");
  });
});

describe("receipt rules (TIP-17)", () => {
  const withReceipt = (f: (r: ReceiptPayload) => void): Uint8Array => {
    const r = baseReceipt();
    f(r);
    return enc({ ...baseMilestone(), receipt: r });
  };
  const receiptRejects = (f: (r: ReceiptPayload) => void, code: CodecErrorCode) => rejectsRule(withReceipt(f), code);

  it("CODEC_ERROR_MIGRATED_FUNDS_COUNT: 0 entries", () => {
    receiptRejects((r) => {
      r.funds = [];
    }, "CODEC_ERROR_MIGRATED_FUNDS_COUNT");
  });

  it("CODEC_ERROR_MIGRATED_FUNDS_NOT_SORTED and CODEC_ERROR_DUPLICATE_TAIL_TRANSACTION_HASH", () => {
    receiptRejects((r) => r.funds.reverse(), "CODEC_ERROR_MIGRATED_FUNDS_NOT_SORTED");
    receiptRejects((r) => {
      r.funds[1]!.tailTransactionHash = id(1, 49);
      r.funds[1]!.address = { type: 0, address: id(4) };
    }, "CODEC_ERROR_DUPLICATE_TAIL_TRANSACTION_HASH");
  });

  it("CODEC_ERROR_DEPOSIT_TOO_SMALL, CODEC_ERROR_DEPOSIT_EXCEEDS_SUPPLY, CODEC_ERROR_DEPOSITS_SUM_EXCEEDS_SUPPLY", () => {
    receiptRejects((r) => {
      r.funds[0]!.deposit = 999_999;
    }, "CODEC_ERROR_DEPOSIT_TOO_SMALL");
    receiptRejects((r) => {
      r.funds[0]!.deposit = SUPPLY + 1;
    }, "CODEC_ERROR_DEPOSIT_EXCEEDS_SUPPLY");
    receiptRejects((r) => {
      r.funds[0]!.deposit = SUPPLY;
      r.funds[1]!.deposit = SUPPLY;
    }, "CODEC_ERROR_DEPOSITS_SUM_EXCEEDS_SUPPLY");
  });

  it("CODEC_ERROR_AMOUNT_EXCEEDS_SUPPLY in the treasury output", () => {
    receiptRejects((r) => {
      r.transaction.output.amount = SUPPLY + 1;
    }, "CODEC_ERROR_AMOUNT_EXCEEDS_SUPPLY");
  });

  const standalone = encodeReceiptPayload(baseReceipt());
  const txLengthAt = standalone.length - 46 - 4;

  it("CODEC_ERROR_RECEIPT_WITHOUT_TRANSACTION: payload length 0", () => {
    const b = Uint8Array.from([...standalone.subarray(0, txLengthAt), 0, 0, 0, 0]);
    for (const mode of ["untrusted", "trusted"] as const) {
      assert.throws(() => decodeReceiptPayload(b, mode), isCode("CODEC_ERROR_RECEIPT_WITHOUT_TRANSACTION"));
    }
  });

  it("CODEC_ERROR_INVALID_BOOL: final byte 2", () => {
    const b = standalone.slice();
    b[8] = 2;
    assert.throws(() => decodeReceiptPayload(b, "trusted"), isCode("CODEC_ERROR_INVALID_BOOL"));
  });

  it("CODEC_ERROR_INVALID_TREASURY_INPUT_TYPE and CODEC_ERROR_INVALID_TREASURY_OUTPUT_TYPE", () => {
    const b = standalone.slice();
    b[txLengthAt + 8] = 0;
    assert.throws(() => decodeReceiptPayload(b, "trusted"), isCode("CODEC_ERROR_INVALID_TREASURY_INPUT_TYPE"));
    const c = standalone.slice();
    c[txLengthAt + 8 + 33] = 0;
    assert.throws(() => decodeReceiptPayload(c, "trusted"), isCode("CODEC_ERROR_INVALID_TREASURY_OUTPUT_TYPE"));
  });
});

describe("encoder, JSON and output id errors", () => {
  it("CODEC_ERROR_INVALID_VALUE: a 31-byte parent, a negative amount", () => {
    assert.throws(() => encodeMessage(msgWith(null, [id(1, 31)])), isCode("CODEC_ERROR_INVALID_VALUE"));
    const tx = baseTx();
    tx.essence.outputs[0]!.amount = -1;
    assert.throws(() => enc(tx), isCode("CODEC_ERROR_INVALID_VALUE"));
  });

  it("CODEC_ERROR_INVALID_JSON: a nonce that is a number", () => {
    assert.throws(
      () => messageFromJson({ networkId: "1", parentMessageIds: [], payload: null, nonce: 5 }),
      isCode("CODEC_ERROR_INVALID_JSON"),
    );
  });

  it("CODEC_ERROR_INVALID_OUTPUT_ID: 33 bytes", () => {
    assert.throws(() => parseOutputId(new Uint8Array(33)), isCode("CODEC_ERROR_INVALID_OUTPUT_ID"));
  });
});

after(() => {
  const missing = CODEC_ERROR_CODES.filter((c) => !seen.has(c));
  assert.deepEqual(missing, [], `codes without a negative test: ${missing.join(", ")}`);
});
