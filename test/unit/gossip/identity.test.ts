/**
 * Node identity (protocol/network.md §1): the NodeId is the SHA-256 of the SubjectPublicKeyInfo, not of the
 * certificate; an identity file keeps the key across restarts, is written atomically with mode 0600, and a file
 * that does not hold an Ed25519 key is refused without being touched.
 */
import assert from "node:assert/strict";
import { createHash, createPrivateKey, generateKeyPairSync, X509Certificate } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { GossipError } from "../../../src/gossip/gossipError.js";
import { createIdentity, loadOrCreateIdentity, nodeIdOfPublicKey, shortNodeId } from "../../../src/gossip/identity.js";
import { bytesToHex } from "../../../src/primitives/hex.js";

function refusedWith(code: string, fileName?: string): (e: unknown) => boolean {
  return (e) => e instanceof GossipError && e.code === code && (fileName === undefined || e.message.includes(fileName));
}

function spkiSha256Hex(certificatePem: string): string {
  const spki = new X509Certificate(certificatePem).publicKey.export({ type: "spki", format: "der" });
  return createHash("sha256").update(spki).digest("hex");
}

describe("node identity", () => {
  it("derives the NodeId from the SubjectPublicKeyInfo, not from the certificate fingerprint", async () => {
    const identity = await createIdentity();
    const cert = new X509Certificate(identity.certificatePem);
    assert.equal(identity.nodeIdHex, spkiSha256Hex(identity.certificatePem));
    assert.equal(identity.nodeId.length, 32);
    assert.equal(bytesToHex(identity.nodeId), identity.nodeIdHex);
    assert.match(identity.nodeIdHex, /^[0-9a-f]{64}$/);
    assert.notEqual(identity.nodeIdHex, cert.fingerprint256.replaceAll(":", "").toLowerCase());
    assert.deepEqual(nodeIdOfPublicKey(cert.publicKey), identity.nodeId);
    assert.deepEqual(nodeIdOfPublicKey(createPrivateKey(identity.privateKeyPem)), identity.nodeId);
  });

  it("makes a self-signed Ed25519 certificate, serial 1, valid from now−60 s for 10 years", async () => {
    const now = Date.UTC(2024, 1, 29, 12, 0, 0);
    const identity = await createIdentity(now);
    const cert = new X509Certificate(identity.certificatePem);
    assert.equal(cert.publicKey.asymmetricKeyType, "ed25519");
    assert.ok(cert.checkIssued(cert));
    assert.ok(cert.verify(cert.publicKey));
    assert.equal(cert.serialNumber, "01");
    assert.equal(new Date(cert.validFrom).getTime(), now - 60_000);
    assert.equal(new Date(cert.validTo).getTime(), Date.UTC(2034, 1, 28, 12, 0, 0) + 86_400_000);
    assert.equal(createPrivateKey(identity.privateKeyPem).asymmetricKeyType, "ed25519");
    assert.match(identity.privateKeyPem, /^-----BEGIN PRIVATE KEY-----/);
  });

  it("gives every fresh identity its own NodeId, also without an identity file", async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 4; i++) ids.add((await createIdentity()).nodeIdHex);
    ids.add((await loadOrCreateIdentity(undefined)).nodeIdHex);
    ids.add((await loadOrCreateIdentity(undefined)).nodeIdHex);
    assert.equal(ids.size, 6);
  });

  it("shortens a NodeId to its first 8 hex digits", () => {
    assert.equal(shortNodeId("0123456789abcdef".repeat(4)), "01234567");
  });
});

describe("identity file", () => {
  let dir = "";
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "weaver-identity-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("creates the key once (mode 0600, no temporary file left) and keeps the NodeId across loads", async () => {
    const file = join(dir, "round-trip", "identity.key");
    const first = await loadOrCreateIdentity(file, Date.UTC(2024, 0, 1));
    const info = await stat(file);
    assert.equal(info.mode & 0o777, 0o600);
    assert.equal(await readFile(file, "utf8"), first.privateKeyPem);
    assert.deepEqual(await readdir(join(dir, "round-trip")), ["identity.key"]);

    const second = await loadOrCreateIdentity(file, Date.UTC(2025, 0, 1));
    assert.equal(second.nodeIdHex, first.nodeIdHex);
    assert.deepEqual(second.nodeId, first.nodeId);
    assert.equal(second.privateKeyPem, first.privateKeyPem);
    // The certificate is re-made from the key at every start.
    assert.notEqual(second.certificatePem, first.certificatePem);
    assert.equal(spkiSha256Hex(second.certificatePem), first.nodeIdHex);
    assert.equal(
      new Date(new X509Certificate(second.certificatePem).validFrom).getTime(),
      Date.UTC(2025, 0, 1) - 60_000,
    );
  });

  const refusals: [string, () => string][] = [
    ["garbage", () => "this is not a key\n"],
    ["an empty file", () => ""],
    ["a truncated PEM", () => "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI\n-----END PRIVATE KEY-----\n"],
    ["a public key", () => generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "pem" }).toString()],
    [
      "an RSA key",
      () =>
        generateKeyPairSync("rsa", { modulusLength: 2048 })
          .privateKey.export({ type: "pkcs8", format: "pem" })
          .toString(),
    ],
    [
      "an EC P-256 key",
      () =>
        generateKeyPairSync("ec", { namedCurve: "P-256" })
          .privateKey.export({ type: "pkcs8", format: "pem" })
          .toString(),
    ],
    [
      "an X25519 key",
      () => generateKeyPairSync("x25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    ],
  ];
  for (const [name, content] of refusals) {
    it(`refuses ${name} with GOSSIP_ERROR_IDENTITY_FILE and leaves the file as it was`, async () => {
      const file = join(dir, `bad-${name.replaceAll(" ", "-")}.key`);
      const text = content();
      await writeFile(file, text, { mode: 0o600 });
      await assert.rejects(loadOrCreateIdentity(file), refusedWith("GOSSIP_ERROR_IDENTITY_FILE", file));
      assert.equal(await readFile(file, "utf8"), text);
    });
  }

  it("names the key type it found when the key is not Ed25519", async () => {
    const file = join(dir, "ec-named.key");
    const pem = generateKeyPairSync("ec", { namedCurve: "P-256" })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    await writeFile(file, pem);
    await assert.rejects(
      loadOrCreateIdentity(file),
      (e: unknown) => e instanceof GossipError && /\bec\b/.test(e.message),
    );
  });

  it("refuses a path that is a directory", async () => {
    const file = join(dir, "a-directory");
    await mkdir(file);
    await assert.rejects(loadOrCreateIdentity(file), refusedWith("GOSSIP_ERROR_IDENTITY_FILE", file));
  });

  it("refuses a path whose parent is a file, without creating anything", async () => {
    const parent = join(dir, "plain-file");
    await writeFile(parent, "keep me");
    const file = join(parent, "identity.key");
    await assert.rejects(loadOrCreateIdentity(file), refusedWith("GOSSIP_ERROR_IDENTITY_FILE", file));
    assert.equal(await readFile(parent, "utf8"), "keep me");
  });
});
