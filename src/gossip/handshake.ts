/**
 * The handshake, the first frame on every connection (protocol/network.md §2): protocol version, network name and
 * id, a hash that pins the network's rules, and the endpoint the sender listens on (the listener dials back to it).
 * A peer on another network or with other rules is closed and blocked; one on another protocol version is only
 * closed and backed off from, since both sides may be honest nodes of different releases.
 */
import { blake2b256 } from "../crypto/blake2b.js";
import { ED25519_PUBLIC_KEY_LENGTH } from "../crypto/ed25519.js";
import type { MilestoneKeyRange } from "../milestones/keyRanges.js";
import { ID_LENGTH } from "../params/protocol.js";
import { compareBytes, equalBytes } from "../primitives/bytes.js";
import { bytesToHex } from "../primitives/hex.js";
import { GossipError } from "./gossipError.js";
import { BodyReader, BodyWriter } from "./packetCodec.js";
import { HANDSHAKE_LENGTH_MAX } from "./packets.js";

export const PROTOCOL_VERSION = 1;

const NETWORK_NAME_BYTES_MIN = 1;
const NETWORK_NAME_BYTES_MAX = 64;
const HASH_LENGTH = 32;
const U32_MAX = 0xffff_ffff;
const U64_MAX = 0xffff_ffff_ffff_ffffn;
/** TIP-8: a milestone carries at most 255 signatures (u8 count), so no larger threshold can ever be met. */
const THRESHOLD_MAX = 0xff;

export interface Handshake {
  /** u16 */
  protocolVersion: number;
  /** UTF-8, 1..64 bytes. */
  networkName: string;
  /** u64 */
  networkId: bigint;
  /** 32 bytes, see rulesHash. */
  rulesHash: Uint8Array;
  /** The announced public endpoint; port 1..65535. */
  endpoint: { host: string; port: number };
}

/**
 * Body layout (integers little-endian, chrysalis.md §0.3):
 * `protocolVersion u16 · nameLength u8 · networkName (UTF-8, 1..64 bytes) · networkId u64 · rulesHash[32] ·
 * hostLength u8 · host (ASCII) · port u16`, at most 363 bytes. The version comes first so that a later version can
 * change the rest of the layout and still be told apart.
 */
export function encodeHandshake(h: Handshake): Uint8Array {
  const w = new BodyWriter("Handshake", HANDSHAKE_LENGTH_MAX);
  w.u16(h.protocolVersion, "protocolVersion");
  w.utf8(h.networkName, "networkName", NETWORK_NAME_BYTES_MIN, NETWORK_NAME_BYTES_MAX);
  w.u64(h.networkId, "networkId");
  w.bytes(h.rulesHash, HASH_LENGTH, "rulesHash");
  w.host(h.endpoint.host, "endpoint host");
  w.port(h.endpoint.port, "endpoint port");
  return w.finish();
}

export function decodeHandshake(body: Uint8Array): Handshake {
  const r = new BodyReader("Handshake", body);
  if (body.length > HANDSHAKE_LENGTH_MAX) r.fail(`body is ${body.length} bytes, at most ${HANDSHAKE_LENGTH_MAX}`);
  const protocolVersion = r.u16("protocolVersion");
  const networkName = r.utf8("networkName", NETWORK_NAME_BYTES_MIN, NETWORK_NAME_BYTES_MAX);
  const networkId = r.u64("networkId");
  const rulesHash = r.bytes(HASH_LENGTH, "rulesHash");
  const host = r.host("endpoint host");
  const port = r.port("endpoint port");
  r.end();
  return { protocolVersion, networkName, networkId, rulesHash, endpoint: { host, port } };
}

export type HandshakeVerdict =
  | { ok: true }
  | {
      ok: false;
      code:
        | "GOSSIP_ERROR_HANDSHAKE_WRONG_NETWORK"
        | "GOSSIP_ERROR_HANDSHAKE_WRONG_RULES"
        | "GOSSIP_ERROR_HANDSHAKE_VERSION";
      detail: string;
      /** block the peer (wrong network/rules) or only back off (version) — network.md §2 */
      block: boolean;
    };

/** Version first (another release is no fault), then network name and id, then the rules hash. */
export function checkHandshake(ours: Handshake, theirs: Handshake): HandshakeVerdict {
  if (theirs.protocolVersion !== ours.protocolVersion) {
    return {
      ok: false,
      code: "GOSSIP_ERROR_HANDSHAKE_VERSION",
      detail: `peer speaks protocol version ${theirs.protocolVersion}, we speak ${ours.protocolVersion}`,
      block: false,
    };
  }
  if (theirs.networkName !== ours.networkName || theirs.networkId !== ours.networkId) {
    return {
      ok: false,
      code: "GOSSIP_ERROR_HANDSHAKE_WRONG_NETWORK",
      detail:
        `peer is on network ${JSON.stringify(theirs.networkName)} (id ${theirs.networkId}), ` +
        `we are on ${JSON.stringify(ours.networkName)} (id ${ours.networkId})`,
      block: true,
    };
  }
  if (!equalBytes(theirs.rulesHash, ours.rulesHash)) {
    return {
      ok: false,
      code: "GOSSIP_ERROR_HANDSHAKE_WRONG_RULES",
      detail:
        `peer's rules hash ${bytesToHex(theirs.rulesHash)} differs from ours ${bytesToHex(ours.rulesHash)} ` +
        "(min PoW score, milestone keys, signature threshold or solid entry points differ)",
      block: true,
    };
  }
  return { ok: true };
}

export interface NetworkRules {
  networkId: bigint;
  minPowScore: number;
  keyRanges: readonly MilestoneKeyRange[];
  threshold: number;
  /** BLAKE2b-256 over the genesis/snapshot solid entry points, see sepHash */
  sepHash: Uint8Array;
}

function invalidRules(why: string): never {
  throw new GossipError("GOSSIP_ERROR_PACKET_MALFORMED", `cannot compute the rules hash: ${why}`);
}

function isU32(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= U32_MAX;
}

function compareKeyRanges(a: MilestoneKeyRange, b: MilestoneKeyRange): number {
  return compareBytes(a.publicKey, b.publicKey) || a.startIndex - b.startIndex || a.endIndex - b.endIndex;
}

/**
 * The hash that pins a network's rules (network.md §2): BLAKE2b-256 of a canonical encoding of networkId ‖
 * minPowScore ‖ threshold ‖ key ranges (sorted by public key then start) ‖ sepHash.
 *
 * Exact encoding, integers little-endian:
 * `networkId u64 · minPowScore f64 (IEEE 754 binary64; -0 written as +0) · threshold u8 (1..255) ·
 * (publicKey[32] · startIndex u32 · endIndex u32) × n · sepHash[32]`.
 * The ranges are sorted by public key bytes, then startIndex, then endIndex, so the configured order does not
 * matter; n is not written because every other field has a fixed width (the length fixes n). minPowScore is a
 * float because Hornet's `protocol.minPoWScore` is one. Throws GossipError GOSSIP_ERROR_PACKET_MALFORMED when a field
 * does not fit its width (a configuration error: these rules also go into every handshake).
 */
export function rulesHash(rules: NetworkRules): Uint8Array {
  const { networkId, minPowScore, threshold, keyRanges, sepHash } = rules;
  if (typeof networkId !== "bigint" || networkId < 0n || networkId > U64_MAX) {
    invalidRules(`networkId must be a u64, got ${String(networkId)}`);
  }
  if (!Number.isFinite(minPowScore) || minPowScore < 0) {
    invalidRules(`minPowScore must be a finite number ≥ 0, got ${String(minPowScore)}`);
  }
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > THRESHOLD_MAX) {
    invalidRules(`threshold must be an integer in 1..${THRESHOLD_MAX}, got ${String(threshold)}`);
  }
  keyRanges.forEach((r, i) => {
    if (!(r.publicKey instanceof Uint8Array) || r.publicKey.length !== ED25519_PUBLIC_KEY_LENGTH) {
      invalidRules(`keyRanges[${i}].publicKey must be ${ED25519_PUBLIC_KEY_LENGTH} bytes`);
    }
    if (!isU32(r.startIndex) || !isU32(r.endIndex)) {
      invalidRules(`keyRanges[${i}] start and end must be milestone indexes (u32)`);
    }
  });
  if (!(sepHash instanceof Uint8Array) || sepHash.length !== HASH_LENGTH) {
    invalidRules(`sepHash must be ${HASH_LENGTH} bytes`);
  }

  const sorted = [...keyRanges].sort(compareKeyRanges);
  const RANGE_LENGTH = ED25519_PUBLIC_KEY_LENGTH + 8;
  const out = new Uint8Array(8 + 8 + 1 + sorted.length * RANGE_LENGTH + HASH_LENGTH);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, networkId, true);
  view.setFloat64(8, minPowScore === 0 ? 0 : minPowScore, true);
  view.setUint8(16, threshold);
  let pos = 17;
  for (const r of sorted) {
    out.set(r.publicKey, pos);
    view.setUint32(pos + ED25519_PUBLIC_KEY_LENGTH, r.startIndex, true);
    view.setUint32(pos + ED25519_PUBLIC_KEY_LENGTH + 4, r.endIndex, true);
    pos += RANGE_LENGTH;
  }
  out.set(sepHash, pos);
  return blake2b256(out);
}

/**
 * BLAKE2b-256 over the sorted 32-byte SEP ids concatenated (order-independent). The SEPs are a set, so a repeated
 * id counts once.
 */
export function sepHash(solidEntryPoints: readonly Uint8Array[]): Uint8Array {
  solidEntryPoints.forEach((id, i) => {
    if (!(id instanceof Uint8Array) || id.length !== ID_LENGTH) {
      invalidRules(`solid entry point ${i} must be a ${ID_LENGTH}-byte message id`);
    }
  });
  const sorted = [...solidEntryPoints].sort(compareBytes);
  const out = new Uint8Array(sorted.length * ID_LENGTH);
  let pos = 0;
  sorted.forEach((id, i) => {
    if (i > 0 && equalBytes(id, sorted[i - 1]!)) return;
    out.set(id, pos);
    pos += ID_LENGTH;
  });
  return blake2b256(out.subarray(0, pos));
}
