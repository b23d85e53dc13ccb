/**
 * Mutually authenticated TLS connections between nodes (protocol/network.md §2). Both sides pin the same TLS 1.3
 * parameters, so a peer that offers anything else fails the handshake instead of negotiating down; certificates are
 * self-signed, so instead of a CA chain we check right after the handshake that the peer's certificate is
 * self-signed with an Ed25519 key and derive its NodeId from that key. TLS proves the peer holds the key: both
 * sides sign the handshake (CertificateVerify) with it.
 *
 * The dialer is the TLS client and presents its certificate as the client certificate. In TLS 1.3 the client
 * finishes its handshake before the listener has looked at that certificate, so a dialed socket can still be
 * closed by the listener right after dialTls resolves; the owner sees that as an ordinary close.
 */
import type { X509Certificate } from "node:crypto";
import { type AddressInfo, createServer, isIPv6, type Socket } from "node:net";
import { connect, createSecureContext, TLSSocket } from "node:tls";
import { bytesToHex } from "../primitives/hex.js";
import { GossipError } from "./gossipError.js";
import { type NodeIdentity, nodeIdOfPublicKey, shortNodeId } from "./identity.js";
import type { Endpoint } from "./peerTypes.js";

/** network.md §2: TLS 1.3 only, one cipher suite, one group, one signature algorithm, on both sides. */
export const PINNED_TLS_OPTIONS: Readonly<{
  minVersion: "TLSv1.3";
  maxVersion: "TLSv1.3";
  ciphers: string;
  ecdhCurve: string;
  sigalgs: string;
  rejectUnauthorized: false;
}> = Object.freeze({
  minVersion: "TLSv1.3",
  maxVersion: "TLSv1.3",
  ciphers: "TLS_AES_256_GCM_SHA384",
  ecdhCurve: "X25519",
  sigalgs: "ed25519",
  // Self-signed certificates have no chain to check; verifyPeerCertificate does the check that matters.
  rejectUnauthorized: false,
});

export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;
export const DEFAULT_DIAL_TIMEOUT_MS = 10_000;

/**
 * A connection whose peer proved its NodeId. The socket carries a no-op `error` listener so that an error before
 * the owner attaches its own cannot crash the process (a `close` always follows); the owner closes the socket.
 */
export interface AuthenticatedSocket {
  socket: TLSSocket;
  /** SHA-256 of the peer certificate's SubjectPublicKeyInfo, 64 lower-case hex digits. */
  remoteNodeIdHex: string;
  remoteAddress: string;
  remotePort: number;
}

export interface TlsListener {
  /** The bound address and port (the actual port when 0 was asked for). */
  readonly host: string;
  readonly port: number;
  /** Stops accepting and destroys connections still in the TLS handshake; handed-out sockets stay open. */
  close(): Promise<void>;
}

export interface ListenOptions {
  host: string;
  /** 0 = any free port. */
  port: number;
  /** Time a connection gets, from TCP accept, to finish the TLS handshake; default 10000. */
  handshakeTimeoutMs?: number;
  /**
   * TLS handshakes in progress at most; connections beyond are closed at once (network.md §7: nothing unbounded, and
   * a flood of half-open connections must not cost memory or CPU). Default 64.
   */
  maxPendingHandshakes?: number;
}

export const DEFAULT_MAX_PENDING_HANDSHAKES = 64;

function hostPort(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

function describeEndpoint(endpoint: Endpoint): string {
  const address = hostPort(endpoint.host, endpoint.port);
  return endpoint.nodeIdHex === undefined ? address : `node ${shortNodeId(endpoint.nodeIdHex)} at ${address}`;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function ignoreLateError(): void {
  // Errors after authentication (or after we gave up on a socket) end in `close`; nothing else to do here.
}

/**
 * Checks a peer certificate (present, self-signed and verifying with its own key, Ed25519 key) and returns its
 * NodeId hex; throws GossipError GOSSIP_ERROR_PEER_CERTIFICATE otherwise.
 */
export function verifyPeerCertificate(cert: X509Certificate | undefined): string {
  if (cert === undefined) {
    throw new GossipError("GOSSIP_ERROR_PEER_CERTIFICATE", "the peer presented no certificate");
  }
  const key = cert.publicKey;
  if (key.asymmetricKeyType !== "ed25519") {
    throw new GossipError(
      "GOSSIP_ERROR_PEER_CERTIFICATE",
      `the peer's certificate is for a ${key.asymmetricKeyType ?? "unknown"} key, not an Ed25519 key`,
    );
  }
  if (!cert.checkIssued(cert) || !cert.verify(key)) {
    throw new GossipError("GOSSIP_ERROR_PEER_CERTIFICATE", "the peer's certificate is not self-signed by its own key");
  }
  return bytesToHex(nodeIdOfPublicKey(key));
}

/** verifyPeerCertificate on a socket that just finished its handshake; the certificate is read once (network.md §2). */
function authenticate(socket: TLSSocket, peer: string): string {
  try {
    return verifyPeerCertificate(socket.getPeerX509Certificate());
  } catch (e) {
    if (e instanceof GossipError) throw new GossipError(e.code, `${peer}: ${e.message}`);
    throw new GossipError("GOSSIP_ERROR_PEER_CERTIFICATE", `${peer}: unreadable certificate (${messageOf(e)})`);
  }
}

/** A TLS handshake being waited for: the peer's NodeId once it is done and authenticated. */
interface Handshake {
  result: Promise<string>;
  /** Gives up on a handshake still running (the listener closes): the socket is destroyed, `result` never settles. */
  abort(): void;
}

/**
 * Waits for `socket`'s handshake (`secureEvent`) and authenticates the peer. An error, a close or the absolute
 * deadline first (a socket idle timeout would let a peer that trickles bytes hold the slot forever) destroys the
 * socket and rejects with GOSSIP_ERROR_CONNECT_FAILED, a bad certificate with authenticate()'s error.
 */
function awaitHandshake(
  socket: TLSSocket,
  secureEvent: "secure" | "secureConnect",
  peer: string,
  timeoutMs: number,
  texts: { failed(err: Error): string; timedOut: string },
): Handshake {
  let abort = (): void => undefined;
  const result = new Promise<string>((resolve, reject) => {
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      socket.off(secureEvent, onSecure);
      socket.off("error", onError);
      socket.off("close", onClose);
      socket.on("error", ignoreLateError);
      return true;
    };
    const fail = (error: GossipError): void => {
      if (!settle()) return;
      socket.destroy();
      reject(error);
    };
    const onSecure = (): void => {
      if (settled) return;
      let remoteNodeIdHex: string;
      try {
        remoteNodeIdHex = authenticate(socket, peer);
      } catch (e) {
        fail(e as GossipError);
        return;
      }
      settle();
      resolve(remoteNodeIdHex);
    };
    const onError = (err: Error): void => fail(new GossipError("GOSSIP_ERROR_CONNECT_FAILED", texts.failed(err)));
    const onClose = (): void =>
      fail(new GossipError("GOSSIP_ERROR_CONNECT_FAILED", `${peer} closed the connection during the TLS handshake`));
    const timer = setTimeout(() => fail(new GossipError("GOSSIP_ERROR_CONNECT_FAILED", texts.timedOut)), timeoutMs);
    abort = () => {
      if (settle()) socket.destroy();
    };
    socket.on(secureEvent, onSecure);
    socket.on("error", onError);
    socket.on("close", onClose);
  });
  return { result, abort };
}

/**
 * Listens; for every inbound connection that passes verifyPeerCertificate calls onSocket; failures (bad cert, TLS
 * errors, timeouts) call onRejected (optional) and destroy the socket. Never throws out of an event handler; a listen
 * error (EADDRINUSE) rejects the returned promise with GossipError GOSSIP_ERROR_CONNECT_FAILED naming host:port.
 */
export function listenTls(
  identity: NodeIdentity,
  options: ListenOptions,
  onSocket: (s: AuthenticatedSocket) => void,
  onRejected?: (error: GossipError, remoteAddress: string | undefined) => void,
): Promise<TlsListener> {
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  const maxPending = options.maxPendingHandshakes ?? DEFAULT_MAX_PENDING_HANDSHAKES;
  const secureContext = createSecureContext({
    ...PINNED_TLS_OPTIONS,
    key: identity.privateKeyPem,
    cert: identity.certificatePem,
  });
  /** Sockets still in the handshake, with the function that gives up on them. */
  const pending = new Map<TLSSocket, () => void>();
  const where = hostPort(options.host, options.port);

  const report = (error: GossipError, remoteAddress: string | undefined): void => {
    try {
      onRejected?.(error, remoteAddress);
    } catch {
      // The rejection is already handled (socket destroyed); a failing observer must not break the listener.
    }
  };

  const accept = (raw: Socket): void => {
    const remoteAddress = raw.remoteAddress;
    const remotePort = raw.remotePort;
    raw.on("error", ignoreLateError);
    if (remoteAddress === undefined || remotePort === undefined) {
      // Already reset by the peer before we got to it.
      raw.destroy();
      return;
    }
    const peer = hostPort(remoteAddress, remotePort);
    if (pending.size >= maxPending) {
      raw.destroy();
      report(
        new GossipError("GOSSIP_ERROR_CONNECT_FAILED", `${maxPending} TLS handshakes in progress: refused ${peer}`),
        remoteAddress,
      );
      return;
    }
    raw.setNoDelay(true);
    // A server-side TLSSocket of our own (rather than tls.Server) so that the listener holds every socket from the
    // first byte and can time out or destroy it; it emits `secure` when the handshake is done.
    const socket = new TLSSocket(raw, { isServer: true, secureContext, requestCert: true, rejectUnauthorized: false });
    const handshake = awaitHandshake(socket, "secure", peer, handshakeTimeoutMs, {
      failed: (err) => `TLS handshake with ${peer} failed: ${err.message}`,
      timedOut: `${peer} did not finish the TLS handshake within ${handshakeTimeoutMs} ms`,
    });
    pending.set(socket, handshake.abort);
    handshake.result.then(
      (remoteNodeIdHex) => {
        pending.delete(socket);
        try {
          onSocket({ socket, remoteNodeIdHex, remoteAddress, remotePort });
        } catch (e) {
          socket.destroy();
          report(
            new GossipError(
              "GOSSIP_ERROR_CONNECT_FAILED",
              `the handler of the connection from ${peer} failed: ${messageOf(e)}`,
            ),
            remoteAddress,
          );
        }
      },
      (error: GossipError) => {
        pending.delete(socket);
        report(error, remoteAddress);
      },
    );
  };

  const server = createServer(accept);
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      // server.close() stops accepting at once; its callback would also wait for the handed-out sockets, which
      // belong to their owners, so we do not wait for it.
      server.close();
      const gone = [...pending].map(([socket, abort]) => {
        const closed = new Promise<void>((done) => socket.once("close", () => done()));
        abort();
        return closed;
      });
      Promise.all(gone).then(() => resolve());
    });
    return closing;
  };

  return new Promise<TlsListener>((resolve, reject) => {
    const onListenError = (err: Error): void => {
      const error = new GossipError("GOSSIP_ERROR_CONNECT_FAILED", `cannot listen on ${where}: ${err.message}`);
      // Kept so that the node can tell a port in use (EADDRINUSE) from other failures.
      error.cause = err;
      reject(error);
    };
    server.once("error", onListenError);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off("error", onListenError);
      server.on("error", (err: Error) =>
        report(
          new GossipError("GOSSIP_ERROR_CONNECT_FAILED", `listener on ${where} failed: ${err.message}`),
          undefined,
        ),
      );
      const address = server.address() as AddressInfo;
      resolve({ host: address.address, port: address.port, close });
    });
  });
}

/**
 * Dials as TLS client presenting our certificate; resolves after secureConnect and the certificate check. If
 * endpoint.nodeIdHex is set and differs: destroy and reject GOSSIP_ERROR_NODE_ID_MISMATCH. Refused/reset/alert/timeout
 * (timeoutMs default 10000, covering TCP+TLS) → GOSSIP_ERROR_CONNECT_FAILED with the endpoint in the message.
 */
export async function dialTls(
  identity: NodeIdentity,
  endpoint: Endpoint,
  options: { timeoutMs?: number } = {},
): Promise<AuthenticatedSocket> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_DIAL_TIMEOUT_MS;
  const target = describeEndpoint(endpoint);
  const expected = endpoint.nodeIdHex?.toLowerCase();
  const socket = connect({
    ...PINNED_TLS_OPTIONS,
    host: endpoint.host,
    port: endpoint.port,
    key: identity.privateKeyPem,
    cert: identity.certificatePem,
  });
  const remoteNodeIdHex = await awaitHandshake(socket, "secureConnect", target, timeoutMs, {
    failed: (err) => `cannot connect to ${target}: ${err.message}`,
    timedOut: `cannot connect to ${target}: no TLS session within ${timeoutMs} ms`,
  }).result;
  if (expected !== undefined && remoteNodeIdHex !== expected) {
    socket.destroy();
    throw new GossipError(
      "GOSSIP_ERROR_NODE_ID_MISMATCH",
      `${target} answered as node ${shortNodeId(remoteNodeIdHex)} (${remoteNodeIdHex})`,
    );
  }
  socket.setNoDelay(true);
  return {
    socket,
    remoteNodeIdHex,
    remoteAddress: socket.remoteAddress ?? endpoint.host,
    remotePort: socket.remotePort ?? endpoint.port,
  };
}
