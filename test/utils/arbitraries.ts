/**
 * fast-check arbitraries for syntactically valid Chrysalis objects (every rule of chrysalis.md §1.2, §3.3, §5.1, §9
 * holds), so `decodeX(encodeX(v), "untrusted")` must succeed. Built from the rules, not from our encoder: sorting
 * uses a local serialization of the fixed-size elements.
 */
import fc from "fast-check";
import type {
  IndexationPayload,
  Message,
  MigratedFundsEntry,
  MilestonePayload,
  Output,
  ReceiptPayload,
  TransactionEssence,
  TransactionPayload,
  TreasuryTransactionPayload,
  UnlockBlock,
  UtxoInput,
} from "../../src/codec/types.js";
import { TOKEN_SUPPLY } from "../../src/params/protocol.js";
import { compareBytes } from "../../src/primitives/bytes.js";
import { bytesToHex } from "../../src/primitives/hex.js";

const MIN_DEPOSIT = 1_000_000;

/** fc.record with ordinary objects: decoded values have Object.prototype, and deepStrictEqual compares prototypes. */
const record = <T>(model: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> =>
  fc.record(model, { noNullPrototype: true });

export const arbBytes = (length: number): fc.Arbitrary<Uint8Array> =>
  fc.uint8Array({ minLength: length, maxLength: length });

/** `count` distinct byte strings of `length`, in strictly ascending byte order. */
const sortedUnique = (length: number, minLength: number, maxLength: number): fc.Arbitrary<Uint8Array[]> =>
  fc
    .uniqueArray(arbBytes(length), { minLength, maxLength, selector: bytesToHex })
    .map((xs) => [...xs].sort(compareBytes));

export const arbParents = (): fc.Arbitrary<Uint8Array[]> => sortedUnique(32, 1, 8);

const u64le = (v: number): number[] => {
  const out: number[] = [];
  let x = v;
  for (let i = 0; i < 8; i++) {
    out.push(x % 256);
    x = Math.floor(x / 256);
  }
  return out;
};

const inputKey = (i: UtxoInput): Uint8Array =>
  Uint8Array.from([0, ...i.transactionId, i.transactionOutputIndex & 0xff, i.transactionOutputIndex >> 8]);
const outputKey = (o: Output): Uint8Array => Uint8Array.from([o.type, 0, ...o.address.address, ...u64le(o.amount)]);
const fundsKey = (f: MigratedFundsEntry): Uint8Array =>
  Uint8Array.from([...f.tailTransactionHash, 0, ...f.address.address, ...u64le(f.deposit)]);

export const arbIndexationPayload = (maxData = 400): fc.Arbitrary<IndexationPayload> =>
  record({
    type: fc.constant(2 as const),
    index: fc.uint8Array({ minLength: 1, maxLength: 64 }),
    data: fc.uint8Array({ maxLength: maxData }),
  });

const arbInputs = (): fc.Arbitrary<UtxoInput[]> =>
  fc
    .uniqueArray(
      record({
        type: fc.constant(0 as const),
        transactionId: arbBytes(32),
        transactionOutputIndex: fc.integer({ min: 0, max: 126 }),
      }),
      { minLength: 1, maxLength: 127, selector: (i) => bytesToHex(inputKey(i)) },
    )
    .map((xs) => [...xs].sort((a, b) => compareBytes(inputKey(a), inputKey(b))));

const arbOutputs = (): fc.Arbitrary<Output[]> =>
  fc
    .uniqueArray(record({ type: fc.constantFrom(0 as const, 1 as const), address: arbBytes(32) }), {
      minLength: 1,
      maxLength: 127,
      selector: (o) => `${o.type}${bytesToHex(o.address)}`,
    })
    .chain((slots) => {
      // Each amount ≤ supply / count keeps the running sum ≤ supply; dust allowances need ≥ 1 Mi.
      const max = Math.floor(TOKEN_SUPPLY / slots.length);
      return fc.tuple(
        ...slots.map((s) =>
          fc
            .oneof(fc.integer({ min: 1, max }), fc.constant(max), fc.integer({ min: 1, max: 2_000_000 }))
            .map((amount): Output => {
              const a = s.type === 1 ? Math.max(amount, MIN_DEPOSIT) : amount;
              return { type: s.type, address: { type: 0, address: s.address }, amount: a };
            }),
        ),
      );
    })
    .map((xs) => [...xs].sort((a, b) => compareBytes(outputKey(a), outputKey(b))));

export const arbTransactionEssence = (): fc.Arbitrary<TransactionEssence> =>
  record({
    type: fc.constant(0 as const),
    inputs: arbInputs(),
    outputs: arbOutputs(),
    payload: fc.option(arbIndexationPayload(100), { nil: null }),
  });

const arbUnlockBlocks = (count: number): fc.Arbitrary<UnlockBlock[]> =>
  fc
    .tuple(
      fc.uniqueArray(arbBytes(32), { minLength: count, maxLength: count, selector: bytesToHex }),
      fc.array(arbBytes(64), { minLength: count, maxLength: count }),
      fc.array(fc.option(fc.nat(), { nil: undefined }), { minLength: count, maxLength: count }),
    )
    .map(([keys, sigs, refs]) => {
      const blocks: UnlockBlock[] = [];
      const signatureIndexes: number[] = [];
      for (let i = 0; i < count; i++) {
        const ref = refs[i];
        if (i > 0 && ref !== undefined) {
          blocks.push({ type: 1, reference: signatureIndexes[ref % signatureIndexes.length]! });
        } else {
          signatureIndexes.push(i);
          blocks.push({ type: 0, signature: { type: 0, publicKey: keys[i]!, signature: sigs[i]! } });
        }
      }
      return blocks;
    });

export const arbTransactionPayload = (): fc.Arbitrary<TransactionPayload> =>
  arbTransactionEssence().chain((essence) =>
    arbUnlockBlocks(essence.inputs.length).map((unlockBlocks) => ({ type: 0 as const, essence, unlockBlocks })),
  );

export const arbTreasuryTransactionPayload = (): fc.Arbitrary<TreasuryTransactionPayload> =>
  record({
    type: fc.constant(4 as const),
    input: record({ type: fc.constant(1 as const), milestoneId: arbBytes(32) }),
    output: record({ type: fc.constant(2 as const), amount: fc.integer({ min: 0, max: TOKEN_SUPPLY }) }),
  });

export const arbReceiptPayload = (): fc.Arbitrary<ReceiptPayload> =>
  record({
    type: fc.constant(3 as const),
    migratedAt: fc.integer({ min: 0, max: 0xffff_ffff }),
    final: fc.boolean(),
    funds: fc
      .uniqueArray(
        record({
          tailTransactionHash: arbBytes(49),
          address: record({ type: fc.constant(0 as const), address: arbBytes(32) }),
          deposit: fc.integer({ min: MIN_DEPOSIT, max: Math.floor(TOKEN_SUPPLY / 127) }),
        }),
        { minLength: 1, maxLength: 127, selector: (f) => bytesToHex(f.tailTransactionHash) },
      )
      .map((xs) => [...xs].sort((a, b) => compareBytes(fundsKey(a), fundsKey(b)))),
    transaction: arbTreasuryTransactionPayload(),
  });

export const arbMilestonePayload = (): fc.Arbitrary<MilestonePayload> =>
  fc
    .record({
      index: fc.integer({ min: 0, max: 0xffff_ffff }),
      timestamp: fc.maxSafeNat(),
      parents: arbParents(),
      inclusionMerkleProof: arbBytes(32),
      nextPoWScore: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff_ffff })),
      nextPoWScoreMilestoneIndex: fc.integer({ min: 0, max: 0xffff_ffff }),
      publicKeys: sortedUnique(32, 1, 12),
      receipt: fc.option(arbReceiptPayload(), { nil: null, freq: 3 }),
      signatureSeed: fc.array(arbBytes(64), { minLength: 12, maxLength: 12 }),
    })
    .map(({ signatureSeed, ...m }) => ({
      ...m,
      type: 1 as const,
      // TIP-8: a non-zero next PoW score needs a non-zero start index.
      nextPoWScoreMilestoneIndex:
        m.nextPoWScore !== 0 && m.nextPoWScoreMilestoneIndex === 0 ? 1 : m.nextPoWScoreMilestoneIndex,
      signatures: signatureSeed.slice(0, m.publicKeys.length),
    }));

export const arbMessage = (): fc.Arbitrary<Message> =>
  record({
    networkId: fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }),
    parents: arbParents(),
    payload: fc.oneof(fc.constant(null), arbIndexationPayload(), arbTransactionPayload(), arbMilestonePayload()),
    nonce: fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }),
  });
