/**
 * Endpoint text of protocol/network.md §1 (`[nodeId@]host:port`): what parses, what is refused with a message that
 * quotes the input, the inverse formatting, one map key per address however it is spelled, and loopback detection.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  canonicalHost,
  endpointKey,
  formatEndpoint,
  isLoopbackHost,
  isValidHost,
  parseEndpoint,
} from "../../../src/gossip/endpoint.js";
import { GossipError } from "../../../src/gossip/gossipError.js";
import type { Endpoint } from "../../../src/gossip/peerTypes.js";
import { bytesToHex } from "../../../src/primitives/hex.js";

const ID = "0123456789abcdef".repeat(4);
const LABEL_63 = "a".repeat(63);
const NAME_253 = [LABEL_63, LABEL_63, LABEL_63, "b".repeat(61)].join(".");

describe("parseEndpoint", () => {
  it("parses host:port, [v6]:port and nodeId@host:port", () => {
    const cases: [string, Endpoint][] = [
      ["1.2.3.4:15600", { host: "1.2.3.4", port: 15600 }],
      ["node-1.example.org:1", { host: "node-1.example.org", port: 1 }],
      ["localhost:65535", { host: "localhost", port: 65535 }],
      ["[::1]:15600", { host: "::1", port: 15600 }],
      ["[2001:db8::7]:443", { host: "2001:db8::7", port: 443 }],
      ["[::ffff:1.2.3.4]:80", { host: "::ffff:1.2.3.4", port: 80 }],
      [`${ID}@10.0.0.1:15600`, { host: "10.0.0.1", port: 15600, nodeIdHex: ID }],
      [`${ID.toUpperCase()}@[fe80::1]:9`, { host: "fe80::1", port: 9, nodeIdHex: ID }],
      [`${NAME_253}:1`, { host: NAME_253, port: 1 }],
    ];
    for (const [text, expected] of cases) assert.deepEqual(parseEndpoint(text), expected, text);
  });

  it("refuses everything else with GOSSIP_ERROR_ENDPOINT_INVALID quoting the input", () => {
    const cases: [string, RegExp][] = [
      ["", /missing ":port"/],
      ["example.org", /missing ":port"/],
      ["example.org:", /port "" is not an integer in 1..65535/],
      ["example.org:0", /port "0"/],
      ["example.org:65536", /port "65536"/],
      ["example.org:015600", /port "015600"/],
      ["example.org:+1", /port/],
      ["example.org:1.5", /port/],
      ["example.org: 1", /port/],
      [":15600", /host "" is not/],
      ["::1:15600", /IPv6 address must be written in brackets/],
      ["[::1]15600", /missing ":port" after "]"/],
      ["[::1:15600", /without a closing "]"/],
      ["[1.2.3.4]:1", /"1.2.3.4" in brackets is not an IPv6 address/],
      ["[fe80::1%eth0]:1", /not an IPv6 address/],
      ["-a.example:1", /host "-a.example"/],
      ["a-.example:1", /host/],
      ["a..b:1", /host/],
      ["a_b.example:1", /host/],
      ["bücher.example:1", /host/],
      ["1.2.3.256:1", /host/],
      ["01.2.3.4:1", /host/],
      ["127.1:1", /host/],
      ["0x7f000001:1", /host/],
      [`${"a".repeat(64)}.example:1`, /host/],
      [`${NAME_253}a:1`, /host/],
      [" 1.2.3.4:1", /host/],
      ["abc@1.2.3.4:1", /NodeId before "@" must be 64 hex digits/],
      [`${ID.slice(1)}@1.2.3.4:1`, /NodeId/],
      [`${ID.slice(1)}g@1.2.3.4:1`, /NodeId/],
      [`${ID}@:1`, /host "" is not/],
      [`${ID}@${ID}@1.2.3.4:1`, /host/],
    ];
    for (const [text, pattern] of cases) {
      assert.throws(
        () => parseEndpoint(text),
        (e: unknown) =>
          e instanceof GossipError &&
          e.code === "GOSSIP_ERROR_ENDPOINT_INVALID" &&
          e.message.includes(`invalid endpoint ${JSON.stringify(text)}`) &&
          pattern.test(e.message),
        text,
      );
    }
  });

  it("cuts an absurdly long input short in the message", () => {
    const text = "x".repeat(10_000);
    assert.throws(
      () => parseEndpoint(text),
      (e: unknown) => e instanceof GossipError && e.message.length < 600,
    );
  });
});

describe("formatEndpoint", () => {
  it("is the inverse of parseEndpoint", () => {
    for (const text of ["1.2.3.4:15600", "[::1]:1", `${ID}@example.org:443`, `${ID}@[2001:db8::1]:80`]) {
      assert.equal(formatEndpoint(parseEndpoint(text)), text);
    }
    const arbEndpoint = fc.record(
      {
        host: fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain()),
        port: fc.integer({ min: 1, max: 0xffff }),
        nodeIdHex: fc.uint8Array({ minLength: 32, maxLength: 32 }).map(bytesToHex),
      },
      { requiredKeys: ["host", "port"], noNullPrototype: true },
    );
    fc.assert(
      fc.property(arbEndpoint, (e) => assert.deepEqual(parseEndpoint(formatEndpoint(e)), e)),
      {
        numRuns: 500,
      },
    );
  });
});

describe("isValidHost", () => {
  it("takes IPv4, IPv6 and DNS names within their limits", () => {
    for (const host of [
      "0.0.0.0",
      "255.255.255.255",
      "::",
      "::1",
      "1:2:3:4:5:6:7:8",
      "::ffff:10.0.0.1",
      "localhost",
      "a",
      "x-1.example",
      "EXAMPLE.org",
      "1a.example",
      "example.0xg",
      `${LABEL_63}.com`,
      NAME_253,
    ]) {
      assert.equal(isValidHost(host), true, host);
    }
  });

  it("refuses the rest", () => {
    for (const host of [
      "",
      " ",
      "1.2.3.4.",
      ".example",
      "example.",
      "a..b",
      "-a",
      "a-",
      "a_b",
      "a b",
      "ex*mple",
      `${"a".repeat(64)}.com`,
      `${NAME_253}a`,
      "256.0.0.1",
      "1.2.3",
      "1.2.3.04",
      "4294967295",
      "0x7f.1",
      "0X7F000001",
      "[::1]",
      "fe80::1%eth0",
      "1::2::3",
      "::1:",
      "bücher.example",
    ]) {
      assert.equal(isValidHost(host), false, JSON.stringify(host));
    }
  });
});

describe("endpointKey", () => {
  it("gives one key per address however it is spelled", () => {
    const groups: [string, string[]][] = [
      ["example.org:1", ["example.org", "EXAMPLE.org", "Example.Org"]],
      ["[::1]:1", ["::1", "0:0:0:0:0:0:0:1", "0::1"]],
      ["[2001:db8::1]:1", ["2001:DB8::1", "2001:0db8:0:0:0:0:0:1"]],
      ["1.2.3.4:1", ["1.2.3.4", "::ffff:1.2.3.4", "::FFFF:102:304", "0:0:0:0:0:ffff:1.2.3.4"]],
    ];
    for (const [key, hosts] of groups) {
      for (const host of hosts) assert.equal(endpointKey({ host, port: 1 }), key, host);
    }
    assert.notEqual(endpointKey({ host: "1.2.3.4", port: 1 }), endpointKey({ host: "1.2.3.4", port: 2 }));
    assert.equal(canonicalHost("::ffff:0:1"), "0.0.0.1");
  });
});

describe("isLoopbackHost", () => {
  it("is 127.0.0.0/8, ::1 and localhost in any spelling", () => {
    for (const host of [
      "127.0.0.1",
      "127.255.255.254",
      "127.0.0.0",
      "::1",
      "0:0:0:0:0:0:0:1",
      "::ffff:127.0.0.1",
      "::ffff:7f12:3456",
      "localhost",
      "LocalHost",
    ]) {
      assert.equal(isLoopbackHost(host), true, host);
    }
    for (const host of [
      "128.0.0.1",
      "126.255.255.255",
      "10.0.0.1",
      "0.0.0.0",
      "::",
      "::2",
      "::ffff:128.0.0.1",
      "localhost.example",
      "mylocalhost",
      "example.org",
    ]) {
      assert.equal(isLoopbackHost(host), false, host);
    }
  });
});
