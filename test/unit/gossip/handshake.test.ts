/**
 * The handshake of protocol/network.md §2: its body layout and every malformed input class, the verdict for each
 * way two nodes can disagree (and which of them block), and the rules hash: pinned to its documented encoding,
 * sensitive to every field, blind to configuration order.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { blake2b } from "@noble/hashes/blake2.js";
import fc from "fast-check";
import { encodeFrame } from "../../../src/gossip/framing.js";
import { GossipError } from "../../../src/gossip/gossipError.js";
import {
  checkHandshake,
  decodeHandshake,
  encodeHandshake,
  type Handshake,
  type NetworkRules,
  PROTOCOL_VERSION,
  rulesHash,
  sepHash,
} from "../../../src/gossip/handshake.js";
import { HANDSHAKE_LENGTH_MAX, PacketType } from "../../../src/gossip/packets.js";
import type { MilestoneKeyRange } from "../../../src/milestones/keyRanges.js";
import { bytesToHex, hexToBytes } from "../../../src/primitives/hex.js";

const MALFORMED = "GOSSIP_ERROR_PACKET_MALFORMED";

function malformed(pattern?: RegExp): (e: unknown) => boolean {
  return (e) => e instanceof GossipError && e.code === MALFORMED && (pattern === undefined || pattern.test(e.message));
}

const utf8 = (s: string): number[] => [...new TextEncoder().encode(s)];
const u16 = (v: number): number[] => [v & 0xff, v >>> 8];
const u64 = (v: bigint): number[] => Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));

const RULES_HASH = Uint8Array.from({ length: 32 }, (_, i) => 0x40 + i);

const OURS: Handshake = {
  protocolVersion: PROTOCOL_VERSION,
  networkName: "weaver-test",
  networkId: 0x0102_0304_0506_0708n,
  rulesHash: RULES_HASH,
  endpoint: { host: "node1.example", port: 15600 },
};

/** A handshake body built by hand from the documented layout. */
function body(o: { version?: number; name?: number[]; id?: bigint; hash?: number[]; host?: number[]; port?: number }) {
  const name = o.name ?? utf8(OURS.networkName);
  const host = o.host ?? utf8(OURS.endpoint.host);
  return Uint8Array.from([
    ...u16(o.version ?? PROTOCOL_VERSION),
    name.length,
    ...name,
    ...u64(o.id ?? OURS.networkId),
    ...(o.hash ?? RULES_HASH),
    host.length,
    ...host,
    ...u16(o.port ?? 15600),
  ]);
}

const arbNetworkName = fc.string({ unit: "grapheme", minLength: 1, maxLength: 64 }).filter((s) => {
  const n = utf8(s).length;
  return n >= 1 && n <= 64;
});

const arbHandshake: fc.Arbitrary<Handshake> = fc.record(
  {
    protocolVersion: fc.nat({ max: 0xffff }),
    networkName: arbNetworkName,
    networkId: fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
    rulesHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
    endpoint: fc.record(
      { host: fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain()), port: fc.integer({ min: 1, max: 0xffff }) },
      { noNullPrototype: true },
    ),
  },
  { noNullPrototype: true },
);

describe("handshake body", () => {
  it("is version u16 · name (u8 length, UTF-8) · id u64 · rules hash · host (u8 length) · port u16, little-endian", () => {
    const encoded = encodeHandshake(OURS);
    assert.deepEqual(encoded, body({}));
    assert.deepEqual([...encoded.subarray(0, 3)], [1, 0, 11]);
    assert.deepEqual([...encoded.subarray(14, 22)], [8, 7, 6, 5, 4, 3, 2, 1]);
    assert.deepEqual(decodeHandshake(encoded), OURS);
  });

  it("the largest handshake fits HANDSHAKE_LENGTH_MAX and its frame", () => {
    const label = "a".repeat(63);
    const big: Handshake = {
      ...OURS,
      protocolVersion: 0xffff,
      networkName: "é".repeat(32),
      networkId: 2n ** 64n - 1n,
      endpoint: { host: [label, label, label, "b".repeat(61)].join("."), port: 0xffff },
    };
    const encoded = encodeHandshake(big);
    assert.equal(encoded.length, 2 + 1 + 64 + 8 + 32 + 1 + 253 + 2);
    assert.ok(encoded.length <= HANDSHAKE_LENGTH_MAX);
    assert.deepEqual(decodeHandshake(encoded), big);
    encodeFrame(PacketType.HANDSHAKE, encoded);
  });

  it("keeps a leading byte-order mark in the network name (the bytes round-trip)", () => {
    const bytes = body({ name: [0xef, 0xbb, 0xbf, 0x61] });
    const h = decodeHandshake(bytes);
    assert.equal(h.networkName, "\uFEFFa");
    assert.deepEqual(encodeHandshake(h), bytes);
  });

  it("refuses every malformed body", () => {
    const valid = body({});
    const cases: [string, Uint8Array, RegExp][] = [
      ["empty", new Uint8Array(0), /protocolVersion needs 2 bytes/],
      ["trailing byte", Uint8Array.of(...valid, 0), /1 trailing bytes/],
      ["over the maximum length", new Uint8Array(HANDSHAKE_LENGTH_MAX + 1), /at most 1024/],
      ["empty network name", body({ name: [] }), /networkName is 0 bytes, must be 1..64/],
      ["65-byte network name", body({ name: utf8("n".repeat(65)) }), /networkName is 65 bytes/],
      ["invalid UTF-8 (0xff)", body({ name: [0x61, 0xff] }), /networkName is not valid UTF-8/],
      ["overlong UTF-8 (C0 80)", body({ name: [0xc0, 0x80] }), /not valid UTF-8/],
      ["UTF-8 encoded surrogate (ED A0 80)", body({ name: [0xed, 0xa0, 0x80] }), /not valid UTF-8/],
      ["truncated UTF-8 sequence", body({ name: [0x61, 0xe2, 0x82] }), /not valid UTF-8/],
      ["empty host", body({ host: [] }), /endpoint host is empty/],
      ["invalid host", body({ host: utf8("-bad-.example") }), /"-bad-.example" is not an IPv4/],
      ["non-ASCII host", body({ host: utf8("bücher.example") }), /byte 0xc3/],
      ["numeric-looking name", body({ host: utf8("0x7f000001") }), /not an IPv4/],
      ["port 0", body({ port: 0 }), /endpoint port is 0/],
    ];
    for (const [name, bytes, pattern] of cases) {
      assert.throws(() => decodeHandshake(bytes), malformed(pattern), name);
    }
    // Every proper prefix is short somewhere.
    for (let n = 0; n < valid.length; n++) {
      assert.throws(() => decodeHandshake(valid.subarray(0, n)), malformed(/needs \d+ bytes/), `prefix ${n}`);
    }
  });

  it("refuses to encode what could not be decoded", () => {
    const cases: [string, Partial<Handshake>, RegExp][] = [
      ["version 65536", { protocolVersion: 65536 }, /protocolVersion must be an integer in 0..65535/],
      ["negative version", { protocolVersion: -1 }, /protocolVersion/],
      ["empty name", { networkName: "" }, /networkName is 0 UTF-8 bytes/],
      ["65-byte name", { networkName: `${"é".repeat(32)}a` }, /networkName is 65 UTF-8 bytes/],
      ["lone surrogate", { networkName: "a\uD800" }, /lone UTF-16 surrogate/],
      ["negative network id", { networkId: -1n }, /networkId must be a u64/],
      ["network id 2^64", { networkId: 2n ** 64n }, /networkId/],
      ["31-byte rules hash", { rulesHash: new Uint8Array(31) }, /rulesHash must be 32 bytes, got 31/],
      ["invalid host", { endpoint: { host: "a..b", port: 1 } }, /endpoint host "a..b"/],
      ["port 0", { endpoint: { host: "1.2.3.4", port: 0 } }, /endpoint port is 0/],
      ["port 65536", { endpoint: { host: "1.2.3.4", port: 65536 } }, /endpoint port/],
    ];
    for (const [name, patch, pattern] of cases) {
      assert.throws(() => encodeHandshake({ ...OURS, ...patch }), malformed(pattern), name);
    }
  });

  it("round-trips both ways, and random or mutated bytes only ever fail with PACKET_MALFORMED", () => {
    fc.assert(
      fc.property(arbHandshake, (h) => assert.deepEqual(decodeHandshake(encodeHandshake(h)), h)),
      {
        numRuns: 300,
      },
    );
    const mutatedBodies = fc
      .tuple(arbHandshake.map(encodeHandshake), fc.nat(), fc.nat({ max: 255 }), fc.boolean())
      .map(([b, i, v, cut]) => {
        const at = i % b.length;
        if (cut) return Uint8Array.of(...b.subarray(0, at), ...b.subarray(at + 1));
        const out = b.slice();
        out[at] = v;
        return out;
      });
    let decoded = 0;
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 1100 }), mutatedBodies), (bytes) => {
        let h: Handshake;
        try {
          h = decodeHandshake(bytes);
        } catch (e) {
          assert.ok(e instanceof GossipError && e.code === MALFORMED, String(e));
          return;
        }
        decoded++;
        assert.deepEqual(encodeHandshake(h), bytes);
      }),
      { numRuns: 2000 },
    );
    assert.ok(decoded > 0, "some mutated bodies still decode");
  });
});

describe("checkHandshake", () => {
  it("accepts the same network, rules and version", () => {
    assert.deepEqual(checkHandshake(OURS, { ...OURS, endpoint: { host: "10.0.0.2", port: 1 } }), { ok: true });
  });

  it("a version mismatch only backs off, and is checked first", () => {
    const v = checkHandshake(OURS, {
      ...OURS,
      protocolVersion: 2,
      networkName: "other",
      rulesHash: new Uint8Array(32),
    });
    assert.equal(v.ok, false);
    assert.ok(!v.ok);
    assert.equal(v.code, "GOSSIP_ERROR_HANDSHAKE_VERSION");
    assert.equal(v.block, false);
    assert.match(v.detail, /version 2, we speak 1/);
  });

  it("another network name or id blocks, before the rules are compared", () => {
    for (const theirs of [
      { ...OURS, networkName: "mainnet", rulesHash: new Uint8Array(32) },
      { ...OURS, networkId: OURS.networkId + 1n },
    ]) {
      const v = checkHandshake(OURS, theirs);
      assert.ok(!v.ok);
      assert.equal(v.code, "GOSSIP_ERROR_HANDSHAKE_WRONG_NETWORK");
      assert.equal(v.block, true);
      assert.match(v.detail, new RegExp(`id ${theirs.networkId}\\), we are on "weaver-test"`));
    }
  });

  it("another rules hash blocks", () => {
    const other = RULES_HASH.slice();
    other[31] = other[31]! ^ 1;
    const v = checkHandshake(OURS, { ...OURS, rulesHash: other });
    assert.ok(!v.ok);
    assert.equal(v.code, "GOSSIP_ERROR_HANDSHAKE_WRONG_RULES");
    assert.equal(v.block, true);
    assert.ok(v.detail.includes(bytesToHex(other)));
  });
});

const KEY_A = hexToBytes("ed3c3f1a319ff4e909cf2771d79fece0ac9bd9fd2ee49ea6c0885c9cb3b1248c");
const KEY_B = hexToBytes("f6752f5f46a53364e2ee9c4d662d762a81efd51010282a75cd6bd03f28ef349c");
const SEP_HASH = sepHash([new Uint8Array(32)]);
const RULES: NetworkRules = {
  networkId: 1_454_675_179_895_816_119n,
  minPowScore: 4000,
  keyRanges: [
    { publicKey: KEY_B, startIndex: 0, endIndex: 0 },
    { publicKey: KEY_A, startIndex: 10, endIndex: 20 },
    { publicKey: KEY_A, startIndex: 0, endIndex: 9 },
  ],
  threshold: 2,
  sepHash: SEP_HASH,
};

describe("rulesHash", () => {
  it("is BLAKE2b-256 of the documented encoding", () => {
    const f64 = new Uint8Array(8);
    new DataView(f64.buffer).setFloat64(0, 4000, true);
    const range = (key: Uint8Array, start: number, end: number): number[] => [
      ...key,
      start & 0xff,
      (start >>> 8) & 0xff,
      (start >>> 16) & 0xff,
      start >>> 24,
      end & 0xff,
      (end >>> 8) & 0xff,
      (end >>> 16) & 0xff,
      end >>> 24,
    ];
    const expected = blake2b(
      Uint8Array.from([
        ...u64(RULES.networkId),
        ...f64,
        2,
        ...range(KEY_A, 0, 9),
        ...range(KEY_A, 10, 20),
        ...range(KEY_B, 0, 0),
        ...SEP_HASH,
      ]),
      { dkLen: 32 },
    );
    assert.deepEqual(rulesHash(RULES), expected);
  });

  it("changes with every field", () => {
    const base = bytesToHex(rulesHash(RULES));
    const [r0, r1] = RULES.keyRanges as [MilestoneKeyRange, MilestoneKeyRange];
    const variants: [string, NetworkRules][] = [
      ["networkId", { ...RULES, networkId: RULES.networkId + 1n }],
      ["minPowScore", { ...RULES, minPowScore: 4001 }],
      ["fractional minPowScore", { ...RULES, minPowScore: 4000.5 }],
      ["threshold", { ...RULES, threshold: 1 }],
      ["sepHash", { ...RULES, sepHash: sepHash([new Uint8Array(32).fill(1)]) }],
      ["a key", { ...RULES, keyRanges: [{ ...r0, publicKey: KEY_A }, ...RULES.keyRanges.slice(1)] }],
      ["a start", { ...RULES, keyRanges: [{ ...r0, startIndex: 1 }, ...RULES.keyRanges.slice(1)] }],
      ["an end", { ...RULES, keyRanges: [r0, { ...r1, endIndex: 21 }, ...RULES.keyRanges.slice(2)] }],
      ["one range fewer", { ...RULES, keyRanges: RULES.keyRanges.slice(1) }],
      ["one range more", { ...RULES, keyRanges: [...RULES.keyRanges, { ...r0, startIndex: 5 }] }],
    ];
    const seen = new Set([base]);
    for (const [name, rules] of variants) {
      const h = bytesToHex(rulesHash(rules));
      assert.ok(!seen.has(h), name);
      seen.add(h);
    }
  });

  it("does not depend on the order of the key ranges", () => {
    const base = rulesHash(RULES);
    fc.assert(
      fc.property(fc.shuffledSubarray([...RULES.keyRanges], { minLength: 3, maxLength: 3 }), (ranges) =>
        assert.deepEqual(rulesHash({ ...RULES, keyRanges: ranges }), base),
      ),
      { numRuns: 30 },
    );
  });

  it("treats -0 as 0", () => {
    assert.deepEqual(rulesHash({ ...RULES, minPowScore: -0 }), rulesHash({ ...RULES, minPowScore: 0 }));
  });

  it("refuses rules that do not fit the encoding", () => {
    const cases: [string, Partial<NetworkRules>, RegExp][] = [
      ["negative network id", { networkId: -1n }, /networkId/],
      ["negative score", { minPowScore: -1 }, /minPowScore/],
      ["NaN score", { minPowScore: Number.NaN }, /minPowScore/],
      ["threshold 0", { threshold: 0 }, /threshold must be an integer in 1..255/],
      ["threshold 256", { threshold: 256 }, /threshold/],
      ["short key", { keyRanges: [{ publicKey: new Uint8Array(31), startIndex: 0, endIndex: 0 }] }, /publicKey/],
      ["index 2^32", { keyRanges: [{ publicKey: KEY_A, startIndex: 2 ** 32, endIndex: 0 }] }, /u32/],
      ["short sepHash", { sepHash: new Uint8Array(31) }, /sepHash must be 32 bytes/],
    ];
    for (const [name, patch, pattern] of cases) {
      assert.throws(() => rulesHash({ ...RULES, ...patch }), malformed(pattern), name);
    }
  });
});

describe("sepHash", () => {
  it("of no SEPs is BLAKE2b-256 of nothing; of some, of the sorted ids concatenated", () => {
    assert.equal(bytesToHex(sepHash([])), "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
    const a = new Uint8Array(32).fill(1);
    const b = new Uint8Array(32).fill(2);
    assert.deepEqual(sepHash([b, a]), blake2b(Uint8Array.of(...a, ...b), { dkLen: 32 }));
  });

  it("does not depend on order or repetition, and changes with the set", () => {
    const ids = fc.uniqueArray(fc.uint8Array({ minLength: 32, maxLength: 32 }), {
      minLength: 1,
      maxLength: 20,
      selector: bytesToHex,
    });
    fc.assert(
      fc.property(ids, fc.nat(), (list, seed) => {
        const h = sepHash(list);
        const shuffled = [...list].sort((x, y) => ((x[0]! ^ seed) & 0xff) - ((y[0]! ^ seed) & 0xff));
        assert.deepEqual(sepHash(shuffled), h);
        assert.deepEqual(sepHash([...list, list[seed % list.length]!]), h);
        assert.notDeepEqual(sepHash(list.slice(1)), h);
      }),
      { numRuns: 200 },
    );
  });

  it("refuses an id that is not 32 bytes", () => {
    assert.throws(() => sepHash([new Uint8Array(32), new Uint8Array(31)]), malformed(/solid entry point 1/));
  });
});
