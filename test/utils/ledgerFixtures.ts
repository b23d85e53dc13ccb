/**
 * Wallets and signed transactions for ledger tests (Hornet's testsuite wallets, in small): a Wallet is an Ed25519 key
 * from a seed; `transfer` and `buildTransaction` produce TransactionPayloads that pass the TIP-7 syntax rules (inputs
 * and outputs sorted by their serialized bytes, one signature unlock block per distinct key and references for the
 * repeats) and are signed over the real essence hash. Signing goes through OpenSSL (RFC 8032 signatures are
 * deterministic, so they equal noble's) because property tests sign thousands of transactions.
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign } from "node:crypto";
import {
  encodeMessage,
  essenceHash,
  type IndexationPayload,
  type Message,
  type MessagePayload,
  messageId,
  type Output,
  outputId,
  parseOutputId,
  type TransactionPayload,
  transactionId,
  type UnlockBlock,
  type UtxoInput,
} from "../../src/codec/index.js";
import { blake2b256 } from "../../src/crypto/blake2b.js";
import type { ConeMessage, LedgerOutput } from "../../src/ledger/types.js";
import { compareBytes, equalBytes, utf8ToBytes } from "../../src/primitives/bytes.js";
import { bytesToHex, hexToBytes } from "../../src/primitives/hex.js";

/** The null message id: the genesis solid entry point (chrysalis.md §11.4). */
export const NULL_ID = new Uint8Array(32);
export const LEDGER_TEST_NETWORK_ID = 4242n;

/** PKCS#8 prefix of an Ed25519 private key (RFC 8410): the 32-byte seed follows. */
const PKCS8_ED25519_PREFIX = hexToBytes("302e020100300506032b657004220420");

export class Wallet {
  readonly publicKey: Uint8Array;
  /** BLAKE2b-256 of the public key: the Ed25519 address hash (TIP-7). */
  readonly address: Uint8Array;
  readonly addressHex: string;
  private readonly key: KeyObject;

  constructor(
    readonly name: string,
    readonly seed: Uint8Array,
  ) {
    const der = new Uint8Array(PKCS8_ED25519_PREFIX.length + 32);
    der.set(PKCS8_ED25519_PREFIX);
    der.set(seed, PKCS8_ED25519_PREFIX.length);
    this.key = createPrivateKey({ key: Buffer.from(der), format: "der", type: "pkcs8" });
    const jwk = createPublicKey(this.key).export({ format: "jwk" });
    this.publicKey = new Uint8Array(Buffer.from(jwk.x ?? "", "base64url"));
    this.address = blake2b256(this.publicKey);
    this.addressHex = bytesToHex(this.address);
  }

  /** A wallet whose seed is BLAKE2b-256 of its name, so every run gets the same keys. */
  static named(name: string): Wallet {
    return new Wallet(name, blake2b256(utf8ToBytes(`weaver-test-wallet:${name}`)));
  }

  sign(message: Uint8Array): Uint8Array {
    return new Uint8Array(sign(null, message, this.key));
  }

  /** A transaction spending `inputs` (all owned by this wallet) into `outputs`. */
  transfer(
    inputs: ReadonlyArray<{ outputId: Uint8Array }>,
    outputs: OutputSpec[],
    options?: TxOptions,
  ): TransactionPayload {
    return buildTransaction(
      inputs.map((i) => ({ outputId: i.outputId, signer: this })),
      outputs,
      options,
    );
  }
}

export interface OutputSpec {
  address: Uint8Array | Wallet;
  amount: number;
  /** 0 SigLockedSingleOutput (default), 1 SigLockedDustAllowanceOutput. */
  type?: 0 | 1;
}

export interface SignedInput {
  outputId: Uint8Array;
  signer: Wallet;
}

export interface TxOptions {
  /** An indexation payload inside the essence. */
  index?: string;
}

function addressOf(a: Uint8Array | Wallet): Uint8Array {
  return a instanceof Wallet ? a.address : a;
}

export function makeOutput(address: Uint8Array | Wallet, amount: number, type: 0 | 1 = 0): Output {
  return { type, address: { type: 0, address: addressOf(address) }, amount };
}

function serializedInput(i: UtxoInput): Uint8Array {
  const b = new Uint8Array(35);
  b.set(i.transactionId, 1);
  b[33] = i.transactionOutputIndex & 0xff;
  b[34] = i.transactionOutputIndex >>> 8;
  return b;
}

function serializedOutput(o: Output): Uint8Array {
  const b = new Uint8Array(42);
  b[0] = o.type;
  b.set(o.address.address, 2);
  new DataView(b.buffer).setBigUint64(34, BigInt(o.amount), true);
  return b;
}

/**
 * A signed transaction: inputs and outputs sorted by serialized bytes (TIP-7), the unlock block of each input a
 * signature by its signer if the signer has not signed yet, else a reference to the signer's first block.
 */
export function buildTransaction(
  inputs: SignedInput[],
  outputs: OutputSpec[],
  options: TxOptions = {},
): TransactionPayload {
  const sortedInputs = inputs
    .map((i) => {
      const { transactionId, outputIndex } = parseOutputId(i.outputId);
      const input: UtxoInput = { type: 0, transactionId, transactionOutputIndex: outputIndex };
      return { input, signer: i.signer, bytes: serializedInput(input) };
    })
    .sort((a, b) => compareBytes(a.bytes, b.bytes));
  const sortedOutputs = outputs
    .map((o) => makeOutput(o.address, o.amount, o.type ?? 0))
    .map((output) => ({ output, bytes: serializedOutput(output) }))
    .sort((a, b) => compareBytes(a.bytes, b.bytes))
    .map((o) => o.output);
  const payload: IndexationPayload | null =
    options.index === undefined ? null : { type: 2, index: utf8ToBytes(options.index), data: new Uint8Array(0) };
  const essence = { type: 0 as const, inputs: sortedInputs.map((i) => i.input), outputs: sortedOutputs, payload };
  const hash = essenceHash(essence);
  const firstBlock = new Map<Wallet, number>();
  const unlockBlocks: UnlockBlock[] = sortedInputs.map(({ signer }, i) => {
    const first = firstBlock.get(signer);
    if (first !== undefined) return { type: 1, reference: first };
    firstBlock.set(signer, i);
    return { type: 0, signature: { type: 0, publicKey: signer.publicKey, signature: signer.sign(hash) } };
  });
  return { type: 0, essence, unlockBlocks };
}

/** The output id of the output of `tx` to `address` (of the given type): outputs are sorted, so look it up. */
export function outputIdTo(tx: TransactionPayload, address: Uint8Array | Wallet, type: 0 | 1 = 0): Uint8Array {
  const target = addressOf(address);
  const index = tx.essence.outputs.findIndex((o) => o.type === type && equalBytes(o.address.address, target));
  if (index < 0) throw new Error("the transaction has no such output");
  return outputId(transactionId(tx), index);
}

let syntheticCounter = 0;

/**
 * A ledger output that came from nowhere in particular (a snapshot, say): a fresh synthetic output id, the null
 * message id. For seeding a MemoryLedger.
 */
export function syntheticOutput(owner: Uint8Array | Wallet, amount: number, type: 0 | 1 = 0): LedgerOutput {
  const counter = new Uint8Array(4);
  new DataView(counter.buffer).setUint32(0, ++syntheticCounter, true);
  return { outputId: outputId(blake2b256(counter), 0), messageId: NULL_ID, output: makeOutput(owner, amount, type) };
}

let nonceCounter = 0n;

/** A message around `payload` with its real id (TIP-6); parents default to the null id, sorted as TIP-6 wants. */
export function coneMessage(
  payload: MessagePayload | null,
  options: { parents?: Uint8Array[]; nonce?: bigint } = {},
): ConeMessage {
  const parents = [...(options.parents ?? [NULL_ID])].sort(compareBytes);
  const message: Message = {
    networkId: LEDGER_TEST_NETWORK_ID,
    parents,
    payload,
    nonce: options.nonce ?? ++nonceCounter,
  };
  return { messageId: messageId(encodeMessage(message)), message };
}
