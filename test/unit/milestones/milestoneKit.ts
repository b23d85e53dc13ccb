/** Keys, ids and helpers shared by the milestone tests: deterministic seeds, signers and hand-signed payloads. */
import { milestoneEssenceHash } from "../../../src/codec/ids.js";
import type { Message, MilestonePayload } from "../../../src/codec/types.js";
import { blake2b256 } from "../../../src/crypto/blake2b.js";
import { ed25519Sign } from "../../../src/crypto/ed25519.js";
import type { MilestoneKeyRange } from "../../../src/milestones/keyRanges.js";
import { type MilestoneFields, type MilestoneSigner, seedSigner } from "../../../src/milestones/milestoneBuilder.js";
import { utf8ToBytes } from "../../../src/primitives/bytes.js";

export const SEEDS: readonly Uint8Array[] = Array.from({ length: 8 }, (_, i) =>
  blake2b256(utf8ToBytes(`weaver milestone test key ${i}`)),
);
export const SIGNERS: readonly MilestoneSigner[] = SEEDS.map(seedSigner);

/** A deterministic 32-byte id. */
export function id(n: number): Uint8Array {
  return blake2b256(utf8ToBytes(`message ${n}`));
}

/** Every signer's key valid from milestone 0 on. */
export function openRanges(signers: readonly MilestoneSigner[]): MilestoneKeyRange[] {
  return signers.map((s) => ({ publicKey: s.publicKey.slice(), startIndex: 0, endIndex: 0 }));
}

export function baseFields(overrides: Partial<MilestoneFields> = {}): MilestoneFields {
  return {
    index: 1000,
    timestamp: 1_700_000_000,
    parents: [id(1), id(2), id(3)],
    inclusionMerkleProof: id(99),
    ...overrides,
  };
}

/** Replaces the signatures by signatures of the payload's own essence with `seeds`, in order (no rule checks). */
export function signWith(payload: MilestonePayload, seeds: readonly Uint8Array[]): MilestonePayload {
  const hash = milestoneEssenceHash(payload);
  return { ...payload, signatures: seeds.map((s) => ed25519Sign(s, hash)) };
}

/** The message carrying `payload`, with the milestone's parents (TIP-8). */
export function messageOf(payload: MilestonePayload, networkId = 1n): Message {
  return { networkId, parents: payload.parents, payload, nonce: 0n };
}
