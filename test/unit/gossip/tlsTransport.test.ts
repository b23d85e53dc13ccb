/**
 * The TLS transport of protocol/network.md §2 on loopback: both sides learn each other's NodeId, a dialer that
 * expected another NodeId gives up, anything but the pinned TLS 1.3 parameters and Ed25519 certificates fails
 * (no downgrade), and failures, timeouts and close() all end promptly with typed codes.
 */
import "reflect-metadata";
import assert from "node:assert/strict";
import { KeyObject, webcrypto, X509Certificate } from "node:crypto";
import { once } from "node:events";
import { createServer, type Server, Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { type ConnectionOptions, connect, createServer as createTlsServer, type TLSSocket } from "node:tls";
import * as x509 from "@peculiar/x509";
import { GossipError } from "../../../src/gossip/gossipError.js";
import { createIdentity, type NodeIdentity } from "../../../src/gossip/identity.js";
import {
  type AuthenticatedSocket,
  dialTls,
  listenTls,
  PINNED_TLS_OPTIONS,
  type TlsListener,
  verifyPeerCertificate,
} from "../../../src/gossip/tlsTransport.js";

x509.cryptoProvider.set(webcrypto);

const LOOPBACK = "127.0.0.1";

interface KeyAndCert {
  key: string;
  cert: string;
}

type Algorithm = { name: "Ed25519" } | { name: "ECDSA"; namedCurve: "P-256" };

/** A certificate made with @peculiar/x509 directly: of another key type, or signed by another key than its own. */
async function foreignCertificate(
  algorithm: Algorithm,
  options: { signedByOther?: boolean } = {},
): Promise<KeyAndCert> {
  const generate = async (): Promise<webcrypto.CryptoKeyPair> =>
    (await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const keys = await generate();
  const signing = algorithm.name === "ECDSA" ? { name: "ECDSA", hash: "SHA-256" } : algorithm;
  const now = Date.now();
  const base = {
    serialNumber: "01",
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 86_400_000),
    signingAlgorithm: signing,
  };
  const cert = options.signedByOther
    ? await x509.X509CertificateGenerator.create({
        ...base,
        subject: "CN=weaver",
        issuer: "CN=weaver",
        publicKey: keys.publicKey,
        signingKey: (await generate()).privateKey,
      })
    : await x509.X509CertificateGenerator.createSelfSigned({ ...base, name: "CN=weaver", keys });
  return {
    key: KeyObject.from(keys.privateKey).export({ type: "pkcs8", format: "pem" }).toString(),
    cert: cert.toString("pem"),
  };
}

/** An RSA certificate, signed with RSA-PSS: a common TLS 1.3 certificate that is not ours. */
async function rsaCertificate(): Promise<KeyAndCert> {
  const algorithm = {
    name: "RSA-PSS",
    hash: "SHA-256",
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 2048,
  };
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=weaver",
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 86_400_000),
    keys,
    signingAlgorithm: { name: "RSA-PSS", saltLength: 32 },
  });
  return {
    key: KeyObject.from(keys.privateKey).export({ type: "pkcs8", format: "pem" }).toString(),
    cert: cert.toString("pem"),
  };
}

function codeOf(code: string): (e: unknown) => boolean {
  return (e) => e instanceof GossipError && e.code === code;
}

interface Recorder {
  accepted: AuthenticatedSocket[];
  rejected: { error: GossipError; address: string | undefined }[];
  onSocket(s: AuthenticatedSocket): void;
  onRejected(error: GossipError, address: string | undefined): void;
  /** Resolves at the next accept or rejection. */
  next(): Promise<void>;
}

function recorder(): Recorder {
  const waiters: (() => void)[] = [];
  const wake = (): void => {
    for (const w of waiters.splice(0)) w();
  };
  const r: Recorder = {
    accepted: [],
    rejected: [],
    onSocket: (s) => {
      s.socket.on("error", () => undefined);
      r.accepted.push(s);
      wake();
    },
    onRejected: (error, address) => {
      r.rejected.push({ error, address });
      wake();
    },
    next: () => new Promise<void>((resolve) => waiters.push(resolve)),
  };
  return r;
}

function listenWith(identity: NodeIdentity, r: Recorder, handshakeTimeoutMs?: number): Promise<TlsListener> {
  const options = handshakeTimeoutMs === undefined ? {} : { handshakeTimeoutMs };
  return listenTls(identity, { host: LOOPBACK, port: 0, ...options }, r.onSocket, r.onRejected);
}

/** A raw TLS client with the given options; resolves how it ended: "secure" then closed, or the error code. */
function rawClient(port: number, options: ConnectionOptions): Promise<{ secure: boolean; error: string | undefined }> {
  return new Promise((resolve) => {
    const socket = connect({ host: LOOPBACK, port, ...options });
    let secure = false;
    let error: string | undefined;
    socket.on("secureConnect", () => {
      secure = true;
    });
    socket.on("error", (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    socket.on("close", () => resolve({ secure, error }));
  });
}

/** A port that nothing listens on (bound once, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function roundTrip(from: TLSSocket, to: TLSSocket, text: string): Promise<string> {
  const received = once(to, "data").then(([chunk]) => String(chunk));
  from.write(text);
  return received;
}

describe("verifyPeerCertificate", () => {
  it("returns the NodeId of a good certificate", async () => {
    const identity = await createIdentity();
    assert.equal(verifyPeerCertificate(new X509Certificate(identity.certificatePem)), identity.nodeIdHex);
  });

  it("refuses a missing certificate, a non-Ed25519 key, and a certificate not signed by its own key", async () => {
    assert.throws(() => verifyPeerCertificate(undefined), codeOf("GOSSIP_ERROR_PEER_CERTIFICATE"));
    const ecdsa = await foreignCertificate({ name: "ECDSA", namedCurve: "P-256" });
    assert.throws(
      () => verifyPeerCertificate(new X509Certificate(ecdsa.cert)),
      codeOf("GOSSIP_ERROR_PEER_CERTIFICATE"),
    );
    const rsa = await rsaCertificate();
    assert.throws(() => verifyPeerCertificate(new X509Certificate(rsa.cert)), codeOf("GOSSIP_ERROR_PEER_CERTIFICATE"));
    const forged = await foreignCertificate({ name: "Ed25519" }, { signedByOther: true });
    const forgedCert = new X509Certificate(forged.cert);
    assert.ok(forgedCert.checkIssued(forgedCert), "same subject and issuer: only the signature gives it away");
    assert.throws(() => verifyPeerCertificate(forgedCert), codeOf("GOSSIP_ERROR_PEER_CERTIFICATE"));
  });
});

describe("TLS transport", () => {
  let server: NodeIdentity;
  let client: NodeIdentity;
  before(async () => {
    [server, client] = await Promise.all([createIdentity(), createIdentity()]);
  });

  it("authenticates both sides: each learns the other's NodeId, and bytes flow both ways", async () => {
    const rec = recorder();
    const listener = await listenWith(server, rec);
    try {
      assert.equal(listener.host, LOOPBACK);
      assert.ok(listener.port > 0);
      const accepted = rec.next();
      const dialed = await dialTls(client, { host: LOOPBACK, port: listener.port, nodeIdHex: server.nodeIdHex });
      await accepted;
      const inbound = rec.accepted[0]!;
      assert.equal(dialed.remoteNodeIdHex, server.nodeIdHex);
      assert.equal(inbound.remoteNodeIdHex, client.nodeIdHex);
      assert.equal(dialed.remoteAddress, LOOPBACK);
      assert.equal(dialed.remotePort, listener.port);
      assert.equal(inbound.remoteAddress, LOOPBACK);
      assert.equal(inbound.remotePort, dialed.socket.localPort);
      assert.equal(dialed.socket.getProtocol(), "TLSv1.3");
      assert.equal(dialed.socket.getCipher().standardName, "TLS_AES_256_GCM_SHA384");
      assert.equal(await roundTrip(dialed.socket, inbound.socket, "ping"), "ping");
      assert.equal(await roundTrip(inbound.socket, dialed.socket, "pong"), "pong");
      assert.equal(rec.rejected.length, 0);
      dialed.socket.destroy();
      inbound.socket.destroy();
    } finally {
      await listener.close();
    }
  });

  it("dials without an expected NodeId (bootstrap peer) and learns it", async () => {
    const rec = recorder();
    const listener = await listenWith(server, rec);
    try {
      const dialed = await dialTls(client, { host: LOOPBACK, port: listener.port });
      assert.equal(dialed.remoteNodeIdHex, server.nodeIdHex);
      dialed.socket.destroy();
    } finally {
      await listener.close();
    }
  });

  it("rejects a listener whose NodeId is not the expected one with GOSSIP_ERROR_NODE_ID_MISMATCH", async () => {
    const rec = recorder();
    const listener = await listenWith(server, rec);
    try {
      const other = await createIdentity();
      await assert.rejects(
        dialTls(client, { host: LOOPBACK, port: listener.port, nodeIdHex: other.nodeIdHex }),
        (e: unknown) =>
          codeOf("GOSSIP_ERROR_NODE_ID_MISMATCH")(e) && (e as Error).message.includes(String(listener.port)),
      );
    } finally {
      await listener.close();
    }
  });

  describe("no downgrade: clients off the pinned parameters are refused", () => {
    let listener: TlsListener;
    const rec = recorder();
    let ecdsa: KeyAndCert;
    let rsa: KeyAndCert;
    before(async () => {
      listener = await listenWith(server, rec);
      [ecdsa, rsa] = await Promise.all([foreignCertificate({ name: "ECDSA", namedCurve: "P-256" }), rsaCertificate()]);
    });
    after(() => listener.close());

    const own = (): KeyAndCert => ({ key: client.privateKeyPem, cert: client.certificatePem });
    const cases: [string, () => ConnectionOptions, string][] = [
      [
        "TLS 1.2 only",
        () => ({
          ...own(),
          rejectUnauthorized: false,
          minVersion: "TLSv1.2",
          maxVersion: "TLSv1.2",
        }),
        "GOSSIP_ERROR_CONNECT_FAILED",
      ],
      ["an ECDSA P-256 certificate", () => ({ ...PINNED_TLS_OPTIONS, ...ecdsa }), "GOSSIP_ERROR_PEER_CERTIFICATE"],
      [
        "an ECDSA certificate and ECDSA signatures",
        () => ({ ...PINNED_TLS_OPTIONS, ...ecdsa, sigalgs: "ecdsa_secp256r1_sha256:ed25519" }),
        "GOSSIP_ERROR_PEER_CERTIFICATE",
      ],
      [
        "an RSA certificate and RSA-PSS signatures",
        () => ({ ...PINNED_TLS_OPTIONS, ...rsa, sigalgs: "rsa_pss_pss_sha256:rsa_pss_rsae_sha256:ed25519" }),
        "GOSSIP_ERROR_PEER_CERTIFICATE",
      ],
      [
        "other signature algorithms",
        () => ({ ...PINNED_TLS_OPTIONS, ...own(), sigalgs: "ecdsa_secp256r1_sha256:rsa_pss_rsae_sha256" }),
        "GOSSIP_ERROR_CONNECT_FAILED",
      ],
      [
        "another cipher suite",
        () => ({ ...PINNED_TLS_OPTIONS, ...own(), ciphers: "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256" }),
        "GOSSIP_ERROR_CONNECT_FAILED",
      ],
      [
        "another key-exchange group",
        () => ({ ...PINNED_TLS_OPTIONS, ...own(), ecdhCurve: "P-256:P-384" }),
        "GOSSIP_ERROR_CONNECT_FAILED",
      ],
      ["no certificate", () => ({ ...PINNED_TLS_OPTIONS }), "GOSSIP_ERROR_PEER_CERTIFICATE"],
    ];
    for (const [name, options, code] of cases) {
      it(`refuses a client with ${name} (${code})`, async () => {
        const before = rec.accepted.length;
        const rejected = rec.next();
        const outcome = await rawClient(listener.port, options());
        await rejected;
        assert.equal(rec.accepted.length, before, "no socket was handed out");
        const last = rec.rejected.at(-1)!;
        assert.equal(last.error.code, code);
        assert.equal(last.address, LOOPBACK);
        // Either the handshake failed at the client too, or it finished there and the listener closed it at once.
        assert.ok(outcome.error !== undefined || outcome.secure);
      });
    }

    it("still accepts a good client afterwards", async () => {
      const dialed = await dialTls(client, { host: LOOPBACK, port: listener.port, nodeIdHex: server.nodeIdHex });
      assert.equal(dialed.remoteNodeIdHex, server.nodeIdHex);
      dialed.socket.destroy();
    });
  });

  describe("no downgrade: listeners off the pinned parameters are refused", () => {
    const rogue = async (options: Record<string, unknown>, run: (port: number) => Promise<void>): Promise<void> => {
      const tlsServer = createTlsServer(options, (s) => s.on("error", () => undefined));
      tlsServer.on("tlsClientError", () => undefined);
      await new Promise<void>((resolve) => tlsServer.listen(0, LOOPBACK, resolve));
      try {
        await run((tlsServer.address() as { port: number }).port);
      } finally {
        await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
      }
    };

    it("refuses a listener with an ECDSA certificate", async () => {
      const ecdsa = await foreignCertificate({ name: "ECDSA", namedCurve: "P-256" });
      await rogue({ ...ecdsa, requestCert: true, rejectUnauthorized: false }, (port) =>
        assert.rejects(dialTls(client, { host: LOOPBACK, port }), codeOf("GOSSIP_ERROR_CONNECT_FAILED")),
      );
    });

    it("refuses a TLS 1.2 listener", async () => {
      await rogue(
        {
          key: server.privateKeyPem,
          cert: server.certificatePem,
          minVersion: "TLSv1.2",
          maxVersion: "TLSv1.2",
          requestCert: true,
          rejectUnauthorized: false,
        },
        (port) => assert.rejects(dialTls(client, { host: LOOPBACK, port }), codeOf("GOSSIP_ERROR_CONNECT_FAILED")),
      );
    });

    it("refuses a listener whose certificate is not signed by its own key", async () => {
      const forged = await foreignCertificate({ name: "Ed25519" }, { signedByOther: true });
      await rogue({ ...PINNED_TLS_OPTIONS, ...forged, requestCert: true }, (port) =>
        assert.rejects(dialTls(client, { host: LOOPBACK, port }), codeOf("GOSSIP_ERROR_PEER_CERTIFICATE")),
      );
    });
  });

  it("fails fast with GOSSIP_ERROR_CONNECT_FAILED on a closed port, naming the endpoint", async () => {
    const port = await closedPort();
    const started = performance.now();
    await assert.rejects(
      dialTls(client, { host: LOOPBACK, port }),
      (e: unknown) => codeOf("GOSSIP_ERROR_CONNECT_FAILED")(e) && (e as Error).message.includes(`127.0.0.1:${port}`),
    );
    assert.ok(performance.now() - started < 1_000);
  });

  it("times out a dial to a server that never answers the handshake, after about timeoutMs", async () => {
    const silent: Server = createServer(() => undefined);
    const held: Socket[] = [];
    silent.on("connection", (s: Socket) => held.push(s));
    await new Promise<void>((resolve) => silent.listen(0, LOOPBACK, resolve));
    try {
      const port = (silent.address() as { port: number }).port;
      const started = performance.now();
      await assert.rejects(
        dialTls(client, { host: LOOPBACK, port }, { timeoutMs: 300 }),
        (e: unknown) => codeOf("GOSSIP_ERROR_CONNECT_FAILED")(e) && (e as Error).message.includes("300 ms"),
      );
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= 290 && elapsed < 2_000, `gave up after ${elapsed} ms`);
    } finally {
      for (const s of held) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it("rejects listening on a port in use with GOSSIP_ERROR_CONNECT_FAILED naming host:port", async () => {
    const rec = recorder();
    const first = await listenWith(server, rec);
    try {
      await assert.rejects(
        listenTls(server, { host: LOOPBACK, port: first.port }, () => undefined),
        (e: unknown) =>
          codeOf("GOSSIP_ERROR_CONNECT_FAILED")(e) &&
          (e as Error).message.includes(`127.0.0.1:${first.port}`) &&
          (e as Error).message.includes("EADDRINUSE"),
      );
    } finally {
      await first.close();
    }
  });

  it("times out an inbound connection that never sends a handshake", async () => {
    const rec = recorder();
    const listener = await listenWith(server, rec, 200);
    try {
      const rejected = rec.next();
      const idle = new Socket();
      idle.on("error", () => undefined);
      const closed = once(idle, "close");
      idle.connect(listener.port, LOOPBACK);
      await rejected;
      await closed;
      assert.equal(rec.rejected[0]?.error.code, "GOSSIP_ERROR_CONNECT_FAILED");
      assert.match(rec.rejected[0]?.error.message ?? "", /200 ms/);
      assert.equal(rec.accepted.length, 0);
    } finally {
      await listener.close();
    }
  });

  it("destroys a socket whose onSocket handler throws, and reports it", async () => {
    const rejected: GossipError[] = [];
    const listener = await listenTls(
      server,
      { host: LOOPBACK, port: 0 },
      () => {
        throw new Error("handler bug");
      },
      (e) => rejected.push(e),
    );
    try {
      const dialed = await dialTls(client, { host: LOOPBACK, port: listener.port });
      dialed.socket.on("error", () => undefined);
      await once(dialed.socket, "close");
      assert.equal(rejected.length, 1);
      assert.match(rejected[0]!.message, /handler bug/);
    } finally {
      await listener.close();
    }
  });

  it("refuses connections beyond maxPendingHandshakes while others are still in their handshake", async () => {
    const rec = recorder();
    const listener = await listenTls(
      server,
      { host: LOOPBACK, port: 0, maxPendingHandshakes: 2 },
      rec.onSocket,
      rec.onRejected,
    );
    const silent: Socket[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const s = new Socket();
        s.on("error", () => undefined);
        await new Promise<void>((resolve) => s.connect(listener.port, LOOPBACK, resolve));
        silent.push(s);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
      const third = new Socket();
      third.on("error", () => undefined);
      const closed = once(third, "close");
      third.connect(listener.port, LOOPBACK);
      await closed;
      assert.equal(rec.rejected.length, 1);
      assert.match(rec.rejected[0]!.error.message, /2 TLS handshakes in progress/);
      // Once the silent ones are gone, a real peer gets in.
      for (const s of silent) s.destroy();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const ok = await dialTls(client, { host: LOOPBACK, port: listener.port });
      ok.socket.destroy();
    } finally {
      for (const s of silent) s.destroy();
      await listener.close();
    }
  });

  it("closes promptly with a half-open client, but leaves handed-out sockets to their owner", async () => {
    const rec = recorder();
    const listener = await listenWith(server, rec);
    const accepted = rec.next();
    const dialed = await dialTls(client, { host: LOOPBACK, port: listener.port });
    await accepted;
    const inbound = rec.accepted[0]!;

    const halfOpen = new Socket();
    halfOpen.on("error", () => undefined);
    const halfOpenClosed = once(halfOpen, "close");
    await new Promise<void>((resolve) => halfOpen.connect(listener.port, LOOPBACK, resolve));
    // Let the listener accept it before closing.
    await new Promise((resolve) => setTimeout(resolve, 50));

    const started = performance.now();
    await listener.close();
    assert.ok(performance.now() - started < 500, "close() waited for connections it does not own");
    await halfOpenClosed;
    assert.equal(rec.rejected.length, 0, "closing is not a rejection");

    assert.equal(await roundTrip(dialed.socket, inbound.socket, "still here"), "still here");
    await assert.rejects(
      dialTls(client, { host: LOOPBACK, port: listener.port }),
      codeOf("GOSSIP_ERROR_CONNECT_FAILED"),
    );
    // close() is idempotent.
    await listener.close();
    dialed.socket.destroy();
    inbound.socket.destroy();
  });
});
