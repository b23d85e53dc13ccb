/**
 * `GET /api/v1/peers`, `POST /api/v1/peers`, `GET /api/v1/peers/{peerId}` and `DELETE /api/v1/peers/{peerId}`
 * (chrysalis.md §10.2; protected routes, auth.ts). A peer's id is its NodeId (64 hex digits, protocol/network.md §1).
 *
 * The list holds every peer with a connection (paired or pairing) and every endpoint the operator configured or added,
 * connected or not. An endpoint added without a NodeId has no id until the node first reaches it (the TLS handshake
 * tells), so until then it is listed with the id "" and can be found neither by id nor removed.
 *
 * Aliases live in this server only: they are not written anywhere and are gone after a restart.
 */
import { isIPv4, isIPv6 } from "node:net";
import type { FastifyPluginCallback } from "fastify";
import { endpointKey, parseEndpoint } from "../../gossip/endpoint.js";
import { GossipError } from "../../gossip/gossipError.js";
import type { PeerInfo, PeerMetrics } from "../../gossip/peerManager.js";
import type { Endpoint, Heartbeat } from "../../gossip/peerTypes.js";
import { bytesToHex } from "../../primitives/hex.js";
import type { ApiDependencies, RoutePluginOptions } from "../apiContext.js";
import { ApiError } from "../apiError.js";
import { parseIdParam, type RawParams } from "./params.js";

/** A peer's last heartbeat (chrysalis.md §12) under Hornet's names. */
export interface PeerHeartbeatJson {
  solidMilestoneIndex: number;
  prunedMilestoneIndex: number;
  latestMilestoneIndex: number;
  connectedNeighbors: number;
  syncedNeighbors: number;
}

/** Counts since the peer's connection was paired (Hornet's names, which PeerMetrics already uses). */
export interface PeerMetricsJson extends PeerMetrics {
  /** Gossip frames dropped because the peer's send queue was full (network.md §7). */
  droppedPackets: number;
}

/** iota.js `IPeer`. */
export interface PeerJson {
  id: string;
  multiAddresses: string[];
  alias?: string;
  /** "known": configured or added through the API; "unknown": it dialed us, or we found it through discovery. */
  relation: "known" | "unknown";
  connected: boolean;
  /** Present while the peer has a connection; heartbeat is null until its first heartbeat arrives. */
  gossip?: { heartbeat: PeerHeartbeatJson | null; metrics: PeerMetricsJson };
}

/** Longest alias kept. */
export const PEER_ALIAS_LENGTH_MAX = 256;
/** Longer multiAddress texts are refused without being parsed. */
const MULTI_ADDRESS_LENGTH_MAX = 512;
const PEER_ID = "peerId";
const ADDRESS_FORMS =
  '"host:port", "<64-hex NodeId>@host:port" or "/ip4/<address>/tcp/<port>[/p2p/<NodeId>]" (also /ip6/, /dns/, /dns4/, /dns6/)';
const MULTI_ADDRESS = /^\/(ip4|ip6|dns|dns4|dns6)\/([^/]+)\/tcp\/([^/]+)(?:\/p2p\/([^/]+))?$/;

function invalid(message: string): ApiError {
  return new ApiError("API_ERROR_INVALID_PARAMETER", message);
}

/** The multiaddress of an endpoint, without the NodeId (Hornet lists addresses without their `/p2p/` part). */
export function multiAddressOf(endpoint: { host: string; port: number }): string {
  const protocol = isIPv4(endpoint.host) ? "ip4" : isIPv6(endpoint.host) ? "ip6" : "dns";
  return `/${protocol}/${endpoint.host}/tcp/${endpoint.port}`;
}

/** The `host:port` form of a multiaddress, checked against its protocol; null when it is not one. */
function endpointTextOfMultiAddress(text: string): string | null {
  const m = MULTI_ADDRESS.exec(text);
  if (m === null) return null;
  const [, protocol, host = "", port, id] = m;
  const ok = protocol === "ip4" ? isIPv4(host) : protocol === "ip6" ? isIPv6(host) : !isIPv4(host) && !isIPv6(host);
  if (!ok) return null;
  const address = protocol === "ip6" ? `[${host}]:${port}` : `${host}:${port}`;
  return id === undefined ? address : `${id}@${address}`;
}

/** A peer address as the API takes it: our endpoint syntax or a multiaddress; ApiError 400 otherwise. */
export function parsePeerAddress(text: string): Endpoint {
  if (text.length > MULTI_ADDRESS_LENGTH_MAX) {
    throw invalid(`multiAddress is longer than ${MULTI_ADDRESS_LENGTH_MAX} characters; it must be ${ADDRESS_FORMS}`);
  }
  const endpointText = text.startsWith("/") ? endpointTextOfMultiAddress(text) : text;
  if (endpointText === null) throw invalid(`multiAddress ${JSON.stringify(text)} must be ${ADDRESS_FORMS}`);
  try {
    return parseEndpoint(endpointText);
  } catch (e) {
    if (!(e instanceof GossipError)) throw e;
    throw invalid(`multiAddress ${JSON.stringify(text)} is not a peer address: ${e.message}`);
  }
}

function parseAddPeerBody(body: unknown): { endpoint: Endpoint; alias: string | undefined } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ApiError("API_ERROR_INVALID_BODY", 'the body must be a JSON object {"multiAddress": …, "alias": …}');
  }
  const { multiAddress, alias } = body as Record<string, unknown>;
  if (typeof multiAddress !== "string" || multiAddress === "") {
    throw invalid(`multiAddress is required: ${ADDRESS_FORMS}`);
  }
  if (alias !== undefined && (typeof alias !== "string" || alias.length > PEER_ALIAS_LENGTH_MAX)) {
    throw invalid(`alias must be a string of at most ${PEER_ALIAS_LENGTH_MAX} characters`);
  }
  return { endpoint: parsePeerAddress(multiAddress), alias };
}

function heartbeatJson(h: Heartbeat | null): PeerHeartbeatJson | null {
  if (h === null) return null;
  return {
    solidMilestoneIndex: h.confirmedIndex,
    prunedMilestoneIndex: h.prunedIndex,
    latestMilestoneIndex: h.latestIndex,
    connectedNeighbors: h.connectedPeers,
    syncedNeighbors: h.syncedPeers,
  };
}

function metricsJson(info: PeerInfo): PeerMetricsJson {
  return { ...info.metrics, droppedPackets: info.gossipDropped };
}

/** Endpoints come from our own parser or a handshake; one that does not parse again is left out of the addresses. */
function endpointOrNull(text: string | null): Endpoint | null {
  if (text === null) return null;
  try {
    return parseEndpoint(text);
  } catch {
    return null;
  }
}

interface Entry {
  /** Fields in Hornet's order; alias is added when the entry is shown. */
  peer: Omit<PeerJson, "alias">;
  /** endpointKey of each of its endpoints (an alias given for an address without NodeId is kept under it). */
  keys: string[];
}

type PeerSource = Pick<ApiDependencies["gossip"], "peers" | "endpoints">;

/** Every peer with a connection, then every configured endpoint not among them; see the module comment. */
function collectPeers(gossip: PeerSource): Entry[] {
  const byId = new Map<string, Entry>();
  const withoutId: Entry[] = [];
  for (const info of gossip.peers()) {
    const endpoint = endpointOrNull(info.endpoint);
    byId.set(info.nodeIdHex, {
      peer: {
        id: info.nodeIdHex,
        multiAddresses: endpoint === null ? [] : [multiAddressOf(endpoint)],
        relation: info.origin === "configured" ? "known" : "unknown",
        connected: info.connected,
        gossip: { heartbeat: heartbeatJson(info.heartbeat), metrics: metricsJson(info) },
      },
      keys: endpoint === null ? [] : [endpointKey(endpoint)],
    });
  }
  for (const state of gossip.endpoints()) {
    if (state.origin !== "configured") continue;
    const endpoint = endpointOrNull(state.endpoint);
    if (endpoint === null) continue;
    const address = multiAddressOf(endpoint);
    const key = endpointKey(endpoint);
    const id = endpoint.nodeIdHex;
    const existing = id === undefined ? undefined : byId.get(id);
    if (existing !== undefined) {
      // A peer that dialed us first, or announced another spelling of the address we configured for it.
      existing.peer.relation = "known";
      if (!existing.peer.multiAddresses.includes(address)) existing.peer.multiAddresses.push(address);
      if (!existing.keys.includes(key)) existing.keys.push(key);
      continue;
    }
    const entry: Entry = {
      peer: { id: id ?? "", multiAddresses: [address], relation: "known", connected: false },
      keys: [key],
    };
    if (id === undefined) withoutId.push(entry);
    else byId.set(id, entry);
  }
  return [...byId.values(), ...withoutId];
}

export const peersRoutes: FastifyPluginCallback<RoutePluginOptions> = (app, { ctx }, done) => {
  const { gossip } = ctx.deps;
  /** By NodeId, or by endpointKey for an address added without one. */
  const aliases = new Map<string, string>();

  const show = ({ peer, keys }: Entry): PeerJson => {
    const alias = [peer.id, ...keys].map((k) => aliases.get(k)).find((a) => a !== undefined);
    const { id, multiAddresses, ...rest } = peer;
    return alias === undefined ? { ...peer } : { id, multiAddresses, alias, ...rest };
  };

  const find = (id: string): Entry | undefined => collectPeers(gossip).find((e) => e.peer.id === id);

  const peerIdParam = (params: unknown): string => bytesToHex(parseIdParam(params as RawParams, PEER_ID));

  app.get("/peers", async () => ({ data: collectPeers(gossip).map(show) }));

  app.post("/peers", async (request) => {
    const { endpoint, alias } = parseAddPeerBody(request.body);
    gossip.addPeer(endpoint);
    const key = endpointKey(endpoint);
    const aliasKey = endpoint.nodeIdHex ?? key;
    if (alias === "") aliases.delete(aliasKey);
    else if (alias !== undefined) aliases.set(aliasKey, alias);
    const entries = collectPeers(gossip);
    const added =
      (endpoint.nodeIdHex === undefined ? undefined : entries.find((e) => e.peer.id === endpoint.nodeIdHex)) ??
      entries.find((e) => e.keys.includes(key));
    const fallback: Entry = {
      peer: {
        id: endpoint.nodeIdHex ?? "",
        multiAddresses: [multiAddressOf(endpoint)],
        relation: "known",
        connected: false,
      },
      keys: [key],
    };
    return { data: show(added ?? fallback) };
  });

  app.get(`/peers/:${PEER_ID}`, async (request) => {
    const id = peerIdParam(request.params);
    const entry = find(id);
    if (entry === undefined) throw new ApiError("API_ERROR_NOT_FOUND", `peer ${id} is not known`);
    return { data: show(entry) };
  });

  app.delete(`/peers/:${PEER_ID}`, async (request, reply) => {
    const id = peerIdParam(request.params);
    const entry = find(id);
    if (!gossip.removePeer(id)) throw new ApiError("API_ERROR_NOT_FOUND", `peer ${id} is not known`);
    for (const key of [id, ...(entry?.keys ?? [])]) aliases.delete(key);
    return reply.code(204).send();
  });

  done();
};
