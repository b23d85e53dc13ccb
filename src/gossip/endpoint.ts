/**
 * Peer endpoints as operators write them and as maps key them (protocol/network.md §1: `{nodeId?, host, port}`).
 * parseEndpoint and formatEndpoint keep the host exactly as written; endpointKey and canonicalHost fold the spellings
 * of one address (letter case, IPv6 zero compression, IPv4-mapped IPv6) into one, so that two ways of naming the same
 * peer cannot get two connections or dodge a block.
 */
import { isIPv4, isIPv6 } from "node:net";
import { isHex } from "../primitives/hex.js";
import { GossipError } from "./gossipError.js";
import type { Endpoint } from "./peerTypes.js";

const DNS_NAME_LENGTH_MAX = 253;
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;
/**
 * A last label that the resolver would read as a number: getaddrinfo falls back to inet_aton, which takes "127.1",
 * "2130706433" and "0x7f000001" as IPv4 addresses. Such a name would be an address in disguise (and slip past the
 * loopback check), so it is not a DNS name; RFC 3696 §2 rules out all-numeric top-level labels as well.
 */
const NUMERIC_LABEL = /^(?:[0-9]+|0x[0-9a-f]*)$/i;
const PORT_TEXT = /^[1-9][0-9]{0,4}$/;
const NODE_ID_HEX_LENGTH = 64;
const IPV4_MAPPED_PREFIX = "::ffff:";

function isIPv6Address(host: string): boolean {
  // node:net accepts a zone suffix ("fe80::1%eth0"); a zone only means something on the host that wrote it.
  return isIPv6(host) && !host.includes("%");
}

function isDnsName(host: string): boolean {
  if (host.length === 0 || host.length > DNS_NAME_LENGTH_MAX) return false;
  const labels = host.split(".");
  for (const label of labels) if (!DNS_LABEL.test(label)) return false;
  return !NUMERIC_LABEL.test(labels[labels.length - 1]!);
}

/** IPv4 (dotted quad, no leading zeros), IPv6 (without brackets or zone), or a DNS name (letters in either case). */
export function isValidHost(host: string): boolean {
  if (typeof host !== "string") return false;
  if (isIPv4(host)) return true;
  if (host.includes(":")) return isIPv6Address(host);
  return isDnsName(host);
}

/**
 * One spelling per address: DNS names in lower case, IPv6 in RFC 5952 form (lower case, longest zero run
 * compressed), and an IPv4-mapped IPv6 address as plain IPv4 (a dual-stack listener reports IPv4 peers as
 * `::ffff:a.b.c.d`). Anything else comes back lower-cased.
 */
export function canonicalHost(host: string): string {
  if (isIPv4(host)) return host;
  if (!isIPv6Address(host)) return host.toLowerCase();
  const compressed = new URL(`http://[${host}]`).hostname.slice(1, -1);
  if (compressed.startsWith(IPV4_MAPPED_PREFIX)) {
    // The URL parser writes the embedded IPv4 as two hex groups ("::ffff:7f00:1").
    const groups = compressed.slice(IPV4_MAPPED_PREFIX.length).split(":");
    if (groups.length === 2) {
      const hi = Number.parseInt(groups[0]!, 16);
      const lo = Number.parseInt(groups[1]!, 16);
      return `${hi >>> 8}.${hi & 0xff}.${lo >>> 8}.${lo & 0xff}`;
    }
  }
  return compressed;
}

function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The quoted input for an error message, cut short so that a huge config value cannot flood the log. */
function quote(text: string): string {
  return JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text);
}

/**
 * Parses "host:port", "[v6]:port", or "<64-hex nodeId>@host:port"; throws GossipError GOSSIP_ERROR_ENDPOINT_INVALID
 * with a message quoting the input. Hosts: IPv4, IPv6, or DNS names (≤ 253 chars, labels [a-z0-9-], no
 * leading/trailing hyphen). Port 1..65535. The NodeId is returned in lower case; the host as written.
 */
export function parseEndpoint(text: string): Endpoint {
  const fail = (why: string): never => {
    throw new GossipError(
      "GOSSIP_ERROR_ENDPOINT_INVALID",
      `invalid endpoint ${quote(String(text))}: ${why} (expected "host:port", "[ipv6]:port" or "<64-hex NodeId>@host:port")`,
    );
  };
  if (typeof text !== "string") return fail("not a string");

  let rest = text;
  let nodeIdHex: string | undefined;
  const at = text.indexOf("@");
  if (at >= 0) {
    const id = text.slice(0, at);
    if (id.length !== NODE_ID_HEX_LENGTH || !isHex(id))
      fail(`the NodeId before "@" must be ${NODE_ID_HEX_LENGTH} hex digits`);
    nodeIdHex = id.toLowerCase();
    rest = text.slice(at + 1);
  }

  let host: string;
  let portText: string;
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0) return fail(`"[" without a closing "]"`);
    host = rest.slice(1, close);
    if (!isIPv6Address(host)) fail(`${quote(host)} in brackets is not an IPv6 address`);
    if (rest[close + 1] !== ":") fail(`missing ":port" after "]"`);
    portText = rest.slice(close + 2);
  } else {
    const colon = rest.lastIndexOf(":");
    if (colon < 0) return fail(`missing ":port"`);
    host = rest.slice(0, colon);
    portText = rest.slice(colon + 1);
    if (host.includes(":")) fail("an IPv6 address must be written in brackets, as in [::1]:15600");
    if (!isValidHost(host)) fail(`host ${quote(host)} is not an IPv4 address or a DNS name`);
  }

  const port = Number(portText);
  if (!PORT_TEXT.test(portText) || port > 0xffff) fail(`port ${quote(portText)} is not an integer in 1..65535`);
  return nodeIdHex === undefined ? { host, port } : { host, port, nodeIdHex };
}

/** The inverse of parseEndpoint: `[nodeId@]host:port`, IPv6 in brackets. */
export function formatEndpoint(e: Endpoint): string {
  const address = hostPort(e.host, e.port);
  return e.nodeIdHex === undefined ? address : `${e.nodeIdHex}@${address}`;
}

/** Canonical "host:port" for maps (canonicalHost; IPv6 in brackets). */
export function endpointKey(e: { host: string; port: number }): string {
  return hostPort(canonicalHost(e.host), e.port);
}

/** 127.0.0.0/8 (also IPv4-mapped), ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  const c = canonicalHost(host);
  if (c === "localhost" || c === "::1") return true;
  return isIPv4(c) && c.startsWith("127.");
}
