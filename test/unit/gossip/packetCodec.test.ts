/**
 * Packet bodies of protocol/network.md §3: exact little-endian layouts, every malformed input class refused with
 * GOSSIP_ERROR_PACKET_MALFORMED, round trips both ways, and random or mutated bytes never throwing anything else.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { encodeFrame } from "../../../src/gossip/framing.js";
import { GossipError } from "../../../src/gossip/gossipError.js";
import {
  decodeEndpoints,
  decodeGossipResponse,
  decodeHeartbeat,
  decodeMessageId,
  decodeMilestoneRequest,
  ENDPOINTS_COUNT_MAX,
  encodeEndpoints,
  encodeGossipResponse,
  encodeHeartbeat,
  encodeMilestoneRequest,
} from "../../../src/gossip/packetCodec.js";
import { PacketType } from "../../../src/gossip/packets.js";
import type { Endpoint, Heartbeat } from "../../../src/gossip/peerTypes.js";
import { bytesToHex } from "../../../src/primitives/hex.js";

const MALFORMED = "GOSSIP_ERROR_PACKET_MALFORMED";

function malformed(pattern?: RegExp): (e: unknown) => boolean {
  return (e) => e instanceof GossipError && e.code === MALFORMED && (pattern === undefined || pattern.test(e.message));
}

/** Runs `decode`; any throw other than GossipError PACKET_MALFORMED fails the property. */
function decodeOrNull<T>(decode: (b: Uint8Array) => T, bytes: Uint8Array): T | null {
  try {
    return decode(bytes);
  } catch (e) {
    if (e instanceof GossipError && e.code === MALFORMED) return null;
    throw e;
  }
}

const u32 = fc.nat({ max: 0xffff_ffff });
const arbHeartbeat: fc.Arbitrary<Heartbeat> = fc.record(
  {
    confirmedIndex: u32,
    prunedIndex: u32,
    latestIndex: u32,
    connectedPeers: fc.nat({ max: 255 }),
    syncedPeers: fc.nat({ max: 255 }),
  },
  { noNullPrototype: true },
);
const arbHost = fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain());
const arbEndpoint: fc.Arbitrary<Required<Endpoint>> = fc.record(
  {
    host: arbHost,
    port: fc.integer({ min: 1, max: 0xffff }),
    nodeIdHex: fc.uint8Array({ minLength: 32, maxLength: 32 }).map(bytesToHex),
  },
  { noNullPrototype: true },
);
const arbEndpoints = fc.array(arbEndpoint, { maxLength: ENDPOINTS_COUNT_MAX });

/** A valid encoding with one byte replaced, one byte cut or one byte appended. */
function mutated(valid: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(valid, fc.nat(), fc.nat({ max: 255 }), fc.constantFrom("set", "cut", "append"))
    .map(([b, i, v, op]) => {
      if (op === "append") return Uint8Array.of(...b, v);
      if (b.length === 0) return b;
      const at = i % b.length;
      if (op === "cut") return Uint8Array.of(...b.subarray(0, at), ...b.subarray(at + 1));
      const out = b.slice();
      out[at] = v;
      return out;
    });
}

const ID = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
const NODE_ID = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 + (i % 16));

/** One Endpoints entry built by hand: nodeId · u8 host length · host bytes · u16 LE port. */
function entry(host: number[] | string, port: number, nodeId = NODE_ID): number[] {
  const h = typeof host === "string" ? Array.from(host, (c) => c.charCodeAt(0)) : host;
  return [...nodeId, h.length, ...h, port & 0xff, port >>> 8];
}

describe("heartbeat", () => {
  it("is u32 confirmed · u32 pruned · u32 latest · u8 connected · u8 synced, little-endian", () => {
    const body = encodeHeartbeat({
      confirmedIndex: 0x0403_0201,
      prunedIndex: 0x0807_0605,
      latestIndex: 0xfffe_fdfc,
      connectedPeers: 7,
      syncedPeers: 3,
    });
    assert.deepEqual([...body], [1, 2, 3, 4, 5, 6, 7, 8, 0xfc, 0xfd, 0xfe, 0xff, 7, 3]);
    assert.deepEqual(decodeHeartbeat(body), {
      confirmedIndex: 0x0403_0201,
      prunedIndex: 0x0807_0605,
      latestIndex: 0xfffe_fdfc,
      connectedPeers: 7,
      syncedPeers: 3,
    });
    // Fits its frame.
    assert.equal(encodeFrame(PacketType.HEARTBEAT, body).length, 17);
  });

  it("clamps peer counts above 255 instead of failing", () => {
    const body = encodeHeartbeat({
      confirmedIndex: 1,
      prunedIndex: 0,
      latestIndex: 2,
      connectedPeers: 300,
      syncedPeers: 256,
    });
    assert.equal(body[12], 255);
    assert.equal(body[13], 255);
  });

  it("refuses values that do not fit the wire", () => {
    const ok: Heartbeat = { confirmedIndex: 1, prunedIndex: 0, latestIndex: 2, connectedPeers: 1, syncedPeers: 1 };
    for (const bad of [
      { confirmedIndex: -1 },
      { prunedIndex: 2 ** 32 },
      { latestIndex: 1.5 },
      { latestIndex: Number.NaN },
      { connectedPeers: -1 },
      { syncedPeers: 2.5 },
      { connectedPeers: Number.POSITIVE_INFINITY },
    ]) {
      assert.throws(
        () => encodeHeartbeat({ ...ok, ...bad }),
        malformed(/cannot encode Heartbeat/),
        JSON.stringify(bad),
      );
    }
  });

  it("refuses any length but 14", () => {
    for (const length of [0, 1, 13, 15, 64]) {
      assert.throws(() => decodeHeartbeat(new Uint8Array(length)), malformed(/exactly 14/), `length ${length}`);
    }
  });

  it("round-trips both ways", () => {
    fc.assert(fc.property(arbHeartbeat, (h) => assert.deepEqual(decodeHeartbeat(encodeHeartbeat(h)), h)));
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 14, maxLength: 14 }), (b) =>
        assert.deepEqual(encodeHeartbeat(decodeHeartbeat(b)), b),
      ),
    );
  });
});

describe("milestone request", () => {
  it("is a u32 LE index, 0 meaning the latest", () => {
    assert.deepEqual([...encodeMilestoneRequest(0x1234_5678)], [0x78, 0x56, 0x34, 0x12]);
    assert.deepEqual([...encodeMilestoneRequest(0)], [0, 0, 0, 0]);
    assert.equal(decodeMilestoneRequest(Uint8Array.of(0xff, 0xff, 0xff, 0xff)), 0xffff_ffff);
  });

  it("refuses bad indexes and lengths", () => {
    for (const index of [-1, 2 ** 32, 0.5, Number.NaN]) {
      assert.throws(() => encodeMilestoneRequest(index), malformed(), String(index));
    }
    for (const length of [0, 3, 5]) {
      assert.throws(() => decodeMilestoneRequest(new Uint8Array(length)), malformed(/exactly 4/));
    }
  });

  it("round-trips", () => {
    fc.assert(fc.property(u32, (i) => assert.equal(decodeMilestoneRequest(encodeMilestoneRequest(i)), i)));
  });
});

describe("gossip response and message ids", () => {
  it("is the id then a 0/1 flag", () => {
    const body = encodeGossipResponse(ID, true);
    assert.deepEqual([...body], [...ID, 1]);
    assert.deepEqual(decodeGossipResponse(body), { id: ID, alreadyHeld: true });
    assert.deepEqual(decodeGossipResponse(Uint8Array.of(...ID, 0)), { id: ID, alreadyHeld: false });
  });

  it("refuses a flag other than 0 or 1", () => {
    for (const flag of [2, 0x80, 0xff]) {
      assert.throws(() => decodeGossipResponse(Uint8Array.of(...ID, flag)), malformed(/must be 0 or 1/));
    }
  });

  it("refuses bad lengths, on both sides", () => {
    for (const length of [0, 32, 34]) {
      assert.throws(() => decodeGossipResponse(new Uint8Array(length)), malformed(/exactly 33/));
    }
    assert.throws(() => encodeGossipResponse(new Uint8Array(31), false), malformed(/32 bytes/));
  });

  it("decodeMessageId takes exactly 32 bytes and returns a copy", () => {
    for (const length of [0, 31, 33])
      assert.throws(() => decodeMessageId(new Uint8Array(length)), malformed(/exactly 32/));
    const body = ID.slice();
    const id = decodeMessageId(body);
    body[0] = 0xee;
    assert.deepEqual(id, ID);
  });

  it("round-trips", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 33, maxLength: 33 }), (b) => {
        const last = b[32]! & 1;
        const body = Uint8Array.of(...b.subarray(0, 32), last);
        const r = decodeGossipResponse(body);
        assert.deepEqual(encodeGossipResponse(r.id, r.alreadyHeld), body);
      }),
    );
  });
});

describe("endpoints", () => {
  it("is count u8 · (nodeId[32] · u8 host length · host · u16 LE port) × count", () => {
    const list = [
      { host: "10.0.0.1", port: 15600, nodeIdHex: bytesToHex(NODE_ID) },
      { host: "::1", port: 1, nodeIdHex: bytesToHex(NODE_ID) },
    ];
    const body = encodeEndpoints(list);
    assert.deepEqual([...body], [2, ...entry("10.0.0.1", 15600), ...entry("::1", 1)]);
    assert.deepEqual(decodeEndpoints(body), list);
    assert.deepEqual([...encodeEndpoints([])], [0]);
    assert.deepEqual(decodeEndpoints(Uint8Array.of(0)), []);
  });

  it("decodes NodeIds as lower-case hex and hosts as sent", () => {
    const [e] = decodeEndpoints(Uint8Array.of(1, ...entry("Node-1.Example.org", 443)));
    assert.equal(e?.nodeIdHex, bytesToHex(NODE_ID));
    assert.match(e?.nodeIdHex ?? "", /^[0-9a-f]{64}$/);
    assert.equal(e?.host, "Node-1.Example.org");
  });

  it("the largest packet (32 entries, 253-character names) fits one frame", () => {
    const label = "a".repeat(63);
    const host = [label, label, label, "b".repeat(61)].join(".");
    assert.equal(host.length, 253);
    const list = Array.from({ length: ENDPOINTS_COUNT_MAX }, (_, i) => ({
      host,
      port: i + 1,
      nodeIdHex: bytesToHex(NODE_ID),
    }));
    const body = encodeEndpoints(list);
    assert.equal(body.length, 1 + 32 * (32 + 1 + 253 + 2));
    assert.deepEqual(decodeEndpoints(body), list);
    encodeFrame(PacketType.ENDPOINTS, body);
  });

  it("refuses every malformed body", () => {
    const cases: [string, number[], RegExp][] = [
      ["empty", [], /count needs 1 bytes/],
      ["count over the maximum", [33, ...entry("1.2.3.4", 1)], /count 33 is above the maximum of 32/],
      ["count 255", [255], /count 255/],
      ["count says more than present", [2, ...entry("1.2.3.4", 1)], /endpoint 1 nodeId needs 32 bytes/],
      ["cut in the node id", [1, ...NODE_ID.subarray(0, 10)], /endpoint 0 nodeId/],
      ["cut in the host", [1, ...entry("example.com", 1).slice(0, 36)], /endpoint 0 host needs/],
      ["cut in the port", [1, ...entry("example.com", 1).slice(0, -1)], /endpoint 0 port needs 2 bytes/],
      ["trailing bytes", [1, ...entry("1.2.3.4", 1), 0], /1 trailing bytes/],
      ["count 0 with trailing bytes", [0, 1, 2], /2 trailing bytes/],
      ["empty host", [1, ...entry([], 1)], /endpoint 0 host is empty/],
      ["host with a space", [1, ...entry("a b", 1)], /byte 0x20/],
      ["host with a NUL", [1, ...entry([0x61, 0], 1)], /byte 0x00/],
      ["non-ASCII host (UTF-8 é)", [1, ...entry([0x61, 0xc3, 0xa9], 1)], /byte 0xc3/],
      ["invalid host (leading hyphen)", [1, ...entry("-a.example", 1)], /"-a.example" is not an IPv4/],
      ["invalid host (underscore)", [1, ...entry("a_b.example", 1)], /not an IPv4/],
      ["invalid host (IPv4 octet 256)", [1, ...entry("1.2.3.256", 1)], /not an IPv4/],
      ["invalid host (bracketed IPv6)", [1, ...entry("[::1]", 1)], /not an IPv4/],
      ["invalid host (IPv6 zone)", [1, ...entry("fe80::1%eth0", 1)], /not an IPv4/],
      ["port 0", [1, ...entry("1.2.3.4", 0)], /endpoint 0 port is 0/],
      ["second entry bad", [2, ...entry("1.2.3.4", 1), ...entry("1.2.3.4", 0)], /endpoint 1 port is 0/],
    ];
    for (const [name, bytes, pattern] of cases) {
      assert.throws(() => decodeEndpoints(Uint8Array.from(bytes)), malformed(pattern), name);
    }
  });

  it("refuses to encode what could not be decoded", () => {
    const ok = { host: "1.2.3.4", port: 1, nodeIdHex: bytesToHex(NODE_ID) };
    const cases: [string, Required<Endpoint>[], RegExp][] = [
      ["33 entries", Array.from({ length: 33 }, () => ok), /33 endpoints, at most 32/],
      ["short node id", [{ ...ok, nodeIdHex: "ab" }], /nodeIdHex must be 64 hex digits/],
      ["non-hex node id", [{ ...ok, nodeIdHex: "z".repeat(64) }], /nodeIdHex/],
      ["invalid host", [{ ...ok, host: "bad host" }], /endpoint 0 host "bad host"/],
      ["non-ASCII host", [{ ...ok, host: "é.example" }], /endpoint 0 host/],
      ["too long host", [{ ...ok, host: `${"a".repeat(250)}.com` }], /endpoint 0 host/],
      ["port 0", [{ ...ok, port: 0 }], /port is 0/],
      ["port 65536", [{ ...ok, port: 65536 }], /port must be an integer/],
      ["fractional port", [ok, { ...ok, port: 1.5 }], /endpoint 1 port/],
    ];
    for (const [name, list, pattern] of cases) {
      assert.throws(() => encodeEndpoints(list), malformed(pattern), name);
    }
  });

  it("round-trips both ways", () => {
    fc.assert(
      fc.property(arbEndpoints, (list) => assert.deepEqual(decodeEndpoints(encodeEndpoints(list)), list)),
      {
        numRuns: 300,
      },
    );
  });
});

describe("decoders under random and mutated input", () => {
  const decoders: [string, (b: Uint8Array) => unknown, (v: never) => Uint8Array, fc.Arbitrary<Uint8Array>][] = [
    ["heartbeat", decodeHeartbeat, encodeHeartbeat, arbHeartbeat.map(encodeHeartbeat)],
    ["milestone request", decodeMilestoneRequest, encodeMilestoneRequest, u32.map(encodeMilestoneRequest)],
    [
      "gossip response",
      decodeGossipResponse,
      (r: { id: Uint8Array; alreadyHeld: boolean }) => encodeGossipResponse(r.id, r.alreadyHeld),
      fc
        .tuple(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.boolean())
        .map(([id, f]) => encodeGossipResponse(id, f)),
    ],
    ["message id", decodeMessageId, (id: Uint8Array) => id, fc.uint8Array({ minLength: 32, maxLength: 32 })],
    ["endpoints", decodeEndpoints, encodeEndpoints, arbEndpoints.map(encodeEndpoints)],
  ];

  for (const [name, decode, encode, valid] of decoders) {
    it(`${name}: throws only GossipError PACKET_MALFORMED, and what decodes re-encodes to the same bytes`, () => {
      const inputs = fc.oneof(fc.uint8Array({ maxLength: 600 }), mutated(valid), valid);
      fc.assert(
        fc.property(inputs, (bytes) => {
          const v = decodeOrNull(decode, bytes);
          if (v !== null) assert.deepEqual(encode(v as never), bytes);
        }),
        { numRuns: 1000 },
      );
    });
  }

  it("endpoints: mutated bodies reach the host and port checks, not only the first bytes", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(mutated(arbEndpoints.filter((l) => l.length > 0).map(encodeEndpoints)), (bytes) => {
        try {
          decodeEndpoints(bytes);
          seen.add("ok");
        } catch (e) {
          assert.ok(e instanceof GossipError && e.code === MALFORMED);
          seen.add(e.message.replace(/^.*?: (endpoint \d+ )?/, "").split(" ")[0] ?? "");
        }
      }),
      { numRuns: 2000, seed: 5 },
    );
    for (const kind of ["ok", "host", "port"])
      assert.ok(
        [...seen].some((s) => s.startsWith(kind)),
        `${kind}: ${[...seen]}`,
      );
  });
});
