/**
 * Bodies of the fixed and discovery packets (protocol/network.md §3, chrysalis.md §12), all integers little-endian.
 * Bodies come from unauthenticated peers, so every decoder checks lengths before reading, takes the exact length
 * (no trailing bytes), and fails only with GossipError GOSSIP_ERROR_PACKET_MALFORMED; encode(decode(x)) gives x back.
 * Encoders refuse values that do not fit the wire with the same code, so nothing invalid is ever sent.
 */
import { ID_LENGTH } from "../params/protocol.js";
import { bytesToHex, hexToBytes, isHex } from "../primitives/hex.js";
import { isValidHost } from "./endpoint.js";
import { GossipError } from "./gossipError.js";
import { HEARTBEAT_LENGTH } from "./packets.js";
import type { Endpoint, Heartbeat } from "./peerTypes.js";

const U8_MAX = 0xff;
const U16_MAX = 0xffff;
const U32_MAX = 0xffff_ffff;
const U64_MAX = 0xffff_ffff_ffff_ffffn;
const NODE_ID_LENGTH = 32;
/** A host on the wire is a u8 length and that many bytes: DNS names stop at 253 anyway. */
const HOST_WIRE_LENGTH_MAX = U8_MAX;

const UTF8_DECODER = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const UTF8_ENCODER = new TextEncoder();

function isUint(v: number, max: number): boolean {
  return Number.isInteger(v) && v >= 0 && v <= max;
}

/** Bounds-checked little-endian reads over one packet body; every failure names the packet and the field. */
export class BodyReader {
  private readonly packet: string;
  private readonly body: Uint8Array;
  private pos = 0;

  constructor(packet: string, body: Uint8Array) {
    this.packet = packet;
    this.body = body;
  }

  fail(why: string): never {
    throw new GossipError("GOSSIP_ERROR_PACKET_MALFORMED", `malformed ${this.packet} packet: ${why}`);
  }

  private need(n: number, field: string): number {
    const p = this.pos;
    if (n > this.body.length - p) {
      this.fail(`${field} needs ${n} bytes at offset ${p}, but the body ends after ${this.body.length - p} more`);
    }
    this.pos = p + n;
    return p;
  }

  u8(field: string): number {
    return this.body[this.need(1, field)]!;
  }

  u16(field: string): number {
    const p = this.need(2, field);
    return this.body[p]! | (this.body[p + 1]! << 8);
  }

  u32(field: string): number {
    const p = this.need(4, field);
    const b = this.body;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x100_0000;
  }

  u64(field: string): bigint {
    const lo = this.u32(field);
    const hi = this.u32(field);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** A copy, so that a kept value does not pin the body. */
  bytes(n: number, field: string): Uint8Array {
    const p = this.need(n, field);
    return this.body.slice(p, p + n);
  }

  /** A bool byte: 0 or 1, anything else is invalid (chrysalis.md §0.3). */
  flag(field: string): boolean {
    const v = this.u8(field);
    if (v > 1) this.fail(`${field} is ${v}, must be 0 or 1`);
    return v === 1;
  }

  /** u8 byte length, then that many bytes of well-formed UTF-8 (no byte-order mark stripped, so it re-encodes). */
  utf8(field: string, minBytes: number, maxBytes: number): string {
    const length = this.u8(`${field} length`);
    if (length < minBytes || length > maxBytes) {
      this.fail(`${field} is ${length} bytes, must be ${minBytes}..${maxBytes}`);
    }
    const p = this.need(length, field);
    try {
      return UTF8_DECODER.decode(this.body.subarray(p, p + length));
    } catch {
      return this.fail(`${field} is not valid UTF-8`);
    }
  }

  /** u8 length, then an ASCII host that isValidHost accepts. */
  host(field: string): string {
    const length = this.u8(`${field} length`);
    if (length === 0) this.fail(`${field} is empty`);
    const p = this.need(length, field);
    const b = this.body;
    for (let i = p; i < p + length; i++) {
      if (b[i]! < 0x21 || b[i]! > 0x7e) {
        this.fail(
          `${field} has byte 0x${b[i]!.toString(16).padStart(2, "0")} at offset ${i}, hosts are printable ASCII`,
        );
      }
    }
    const host = String.fromCharCode(...b.subarray(p, p + length));
    if (!isValidHost(host))
      this.fail(`${field} ${JSON.stringify(host)} is not an IPv4 address, IPv6 address or DNS name`);
    return host;
  }

  port(field: string): number {
    const port = this.u16(field);
    if (port === 0) this.fail(`${field} is 0, must be 1..65535`);
    return port;
  }

  /** Refuses trailing bytes. */
  end(): void {
    const left = this.body.length - this.pos;
    if (left !== 0) this.fail(`${left} trailing bytes after the last field (body is ${this.body.length} bytes)`);
  }

  /** Refuses a fixed-size body of any other length before reading it. */
  exactLength(length: number): void {
    if (this.body.length !== length) this.fail(`body is ${this.body.length} bytes, expected exactly ${length}`);
  }
}

/** Little-endian writes into a buffer of fixed capacity; each write checks the value against its wire width first. */
export class BodyWriter {
  private readonly packet: string;
  private readonly buffer: Uint8Array;
  private pos = 0;

  constructor(packet: string, capacity: number) {
    this.packet = packet;
    this.buffer = new Uint8Array(capacity);
  }

  fail(why: string): never {
    throw new GossipError("GOSSIP_ERROR_PACKET_MALFORMED", `cannot encode ${this.packet}: ${why}`);
  }

  private uint(v: number, max: number, field: string): void {
    if (typeof v !== "number" || !isUint(v, max))
      this.fail(`${field} must be an integer in 0..${max}, got ${String(v)}`);
  }

  u8(v: number, field: string): void {
    this.uint(v, U8_MAX, field);
    this.buffer[this.pos++] = v;
  }

  u16(v: number, field: string): void {
    this.uint(v, U16_MAX, field);
    this.buffer[this.pos++] = v & 0xff;
    this.buffer[this.pos++] = v >>> 8;
  }

  u32(v: number, field: string): void {
    this.uint(v, U32_MAX, field);
    this.writeU32(v);
  }

  private writeU32(v: number): void {
    const b = this.buffer;
    b[this.pos++] = v & 0xff;
    b[this.pos++] = (v >>> 8) & 0xff;
    b[this.pos++] = (v >>> 16) & 0xff;
    b[this.pos++] = v >>> 24;
  }

  u64(v: bigint, field: string): void {
    if (typeof v !== "bigint" || v < 0n || v > U64_MAX) this.fail(`${field} must be a u64 bigint, got ${String(v)}`);
    this.writeU32(Number(v & 0xffff_ffffn));
    this.writeU32(Number(v >> 32n));
  }

  bytes(v: Uint8Array, length: number, field: string): void {
    if (!(v instanceof Uint8Array) || v.length !== length) {
      this.fail(`${field} must be ${length} bytes, got ${v instanceof Uint8Array ? v.length : typeof v}`);
    }
    this.buffer.set(v, this.pos);
    this.pos += length;
  }

  flag(v: boolean, field: string): void {
    if (typeof v !== "boolean") this.fail(`${field} must be a boolean, got ${typeof v}`);
    this.buffer[this.pos++] = v ? 1 : 0;
  }

  utf8(s: string, field: string, minBytes: number, maxBytes: number): void {
    if (typeof s !== "string") this.fail(`${field} must be a string, got ${typeof s}`);
    const bytes = UTF8_ENCODER.encode(s);
    if (bytes.length < minBytes || bytes.length > maxBytes) {
      this.fail(`${field} is ${bytes.length} UTF-8 bytes, must be ${minBytes}..${maxBytes}`);
    }
    // A lone surrogate would go out as U+FFFD and come back as another string.
    if (UTF8_DECODER.decode(bytes) !== s) this.fail(`${field} contains a lone UTF-16 surrogate`);
    this.buffer[this.pos++] = bytes.length;
    this.buffer.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  host(host: string, field: string): void {
    if (!isValidHost(host)) {
      this.fail(`${field} ${JSON.stringify(host)} is not an IPv4 address, IPv6 address or DNS name`);
    }
    // Valid hosts are ASCII and at most 253 characters: one byte per character fits the u8 length.
    this.buffer[this.pos++] = host.length;
    for (let i = 0; i < host.length; i++) this.buffer[this.pos++] = host.charCodeAt(i);
  }

  port(v: number, field: string): void {
    if (v === 0) this.fail(`${field} is 0, must be 1..65535`);
    this.u16(v, field);
  }

  /** The bytes written (a copy only when the capacity was not used up). */
  finish(): Uint8Array {
    return this.pos === this.buffer.length ? this.buffer : this.buffer.slice(0, this.pos);
  }
}

/** Connected and synced peer counts travel as u8 (chrysalis.md §12); a larger count is sent as 255. */
function peerCount(v: number): number {
  return Number.isInteger(v) && v > U8_MAX ? U8_MAX : v;
}

/** u32 confirmed · u32 pruned · u32 latest · u8 connected · u8 synced (14 bytes); peer counts clamp to 255. */
export function encodeHeartbeat(h: Heartbeat): Uint8Array {
  const w = new BodyWriter("Heartbeat", HEARTBEAT_LENGTH);
  w.u32(h.confirmedIndex, "confirmedIndex");
  w.u32(h.prunedIndex, "prunedIndex");
  w.u32(h.latestIndex, "latestIndex");
  w.u8(peerCount(h.connectedPeers), "connectedPeers");
  w.u8(peerCount(h.syncedPeers), "syncedPeers");
  return w.finish();
}

export function decodeHeartbeat(body: Uint8Array): Heartbeat {
  const r = new BodyReader("Heartbeat", body);
  r.exactLength(HEARTBEAT_LENGTH);
  return {
    confirmedIndex: r.u32("confirmedIndex"),
    prunedIndex: r.u32("prunedIndex"),
    latestIndex: r.u32("latestIndex"),
    connectedPeers: r.u8("connectedPeers"),
    syncedPeers: r.u8("syncedPeers"),
  };
}

/** u32 milestone index; 0 asks for the peer's latest milestone (chrysalis.md §12). */
export function encodeMilestoneRequest(index: number): Uint8Array {
  const w = new BodyWriter("MilestoneRequest", 4);
  w.u32(index, "index");
  return w.finish();
}

export function decodeMilestoneRequest(body: Uint8Array): number {
  const r = new BodyReader("MilestoneRequest", body);
  r.exactLength(4);
  return r.u32("index");
}

/** 32-byte message id · u8 alreadyHeld (network.md §4). */
export function encodeGossipResponse(id: Uint8Array, alreadyHeld: boolean): Uint8Array {
  const w = new BodyWriter("GossipResponse", ID_LENGTH + 1);
  w.bytes(id, ID_LENGTH, "message id");
  w.flag(alreadyHeld, "alreadyHeld");
  return w.finish();
}

export function decodeGossipResponse(body: Uint8Array): { id: Uint8Array; alreadyHeld: boolean } {
  const r = new BodyReader("GossipResponse", body);
  r.exactLength(ID_LENGTH + 1);
  return { id: r.bytes(ID_LENGTH, "message id"), alreadyHeld: r.flag("alreadyHeld") };
}

/** Gossip and MessageRequest bodies: exactly one 32-byte message id (a copy). */
export function decodeMessageId(body: Uint8Array): Uint8Array {
  const r = new BodyReader("message id", body);
  r.exactLength(ID_LENGTH);
  return r.bytes(ID_LENGTH, "message id");
}

/** Most endpoints in one Endpoints packet: enough to spread a mesh, small enough to check cheaply (≤ 9.3 KB). */
export const ENDPOINTS_COUNT_MAX = 32;

/** count u8 · (nodeId[32] · host (u8 length + ASCII) · u16 port) × count, count ≤ ENDPOINTS_COUNT_MAX. */
export function encodeEndpoints(list: readonly Required<Endpoint>[]): Uint8Array {
  if (list.length > ENDPOINTS_COUNT_MAX) {
    throw new GossipError(
      "GOSSIP_ERROR_PACKET_MALFORMED",
      `cannot encode Endpoints: ${list.length} endpoints, at most ${ENDPOINTS_COUNT_MAX} fit one packet`,
    );
  }
  const w = new BodyWriter("Endpoints", 1 + list.length * (NODE_ID_LENGTH + 1 + HOST_WIRE_LENGTH_MAX + 2));
  w.u8(list.length, "count");
  list.forEach((e, i) => {
    const id = e.nodeIdHex;
    if (typeof id !== "string" || id.length !== NODE_ID_LENGTH * 2 || !isHex(id)) {
      w.fail(`endpoint ${i} nodeIdHex must be ${NODE_ID_LENGTH * 2} hex digits`);
    }
    w.bytes(hexToBytes(id), NODE_ID_LENGTH, `endpoint ${i} nodeId`);
    w.host(e.host, `endpoint ${i} host`);
    w.port(e.port, `endpoint ${i} port`);
  });
  return w.finish();
}

export function decodeEndpoints(body: Uint8Array): Required<Endpoint>[] {
  const r = new BodyReader("Endpoints", body);
  const count = r.u8("count");
  if (count > ENDPOINTS_COUNT_MAX) r.fail(`count ${count} is above the maximum of ${ENDPOINTS_COUNT_MAX}`);
  const list: Required<Endpoint>[] = [];
  for (let i = 0; i < count; i++) {
    const nodeIdHex = bytesToHex(r.bytes(NODE_ID_LENGTH, `endpoint ${i} nodeId`));
    const host = r.host(`endpoint ${i} host`);
    const port = r.port(`endpoint ${i} port`);
    list.push({ host, port, nodeIdHex });
  }
  r.end();
  return list;
}
