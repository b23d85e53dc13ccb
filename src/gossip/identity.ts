/**
 * A node's peer identity (protocol/network.md §1): an Ed25519 key and a self-signed X.509 certificate for it, which
 * the TLS transport presents on both sides of every connection. The NodeId is the SHA-256 of the key's DER
 * SubjectPublicKeyInfo, so it stays the same however often the certificate is re-made from the key.
 */
// @peculiar/x509 relies on decorator metadata: reflect-metadata must be loaded before it.
import "reflect-metadata";
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  type KeyObject,
  randomBytes,
  webcrypto,
} from "node:crypto";
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { promisify } from "node:util";
import * as x509 from "@peculiar/x509";
import { bytesToHex } from "../primitives/hex.js";
import { GossipError } from "./gossipError.js";

x509.cryptoProvider.set(webcrypto);

export interface NodeIdentity {
  /** SHA-256 of the DER SubjectPublicKeyInfo of our public key. */
  nodeId: Uint8Array;
  /** nodeId as 64 lower-case hex digits. */
  nodeIdHex: string;
  /** The Ed25519 private key, PKCS#8 PEM. */
  privateKeyPem: string;
  /** The self-signed certificate for that key, PEM. */
  certificatePem: string;
}

const SHORT_NODE_ID_LENGTH = 8;
/** network.md §1: notBefore lies a minute in the past so that a peer whose clock runs behind accepts it. */
const NOT_BEFORE_SLACK_MS = 60_000;
const VALIDITY_YEARS = 10;
const CERTIFICATE_SUBJECT = "CN=weaver";
const CERTIFICATE_SERIAL = "01";
const IDENTITY_FILE_MODE = 0o600;
const IDENTITY_DIR_MODE = 0o700;
const ED25519 = { name: "Ed25519" } as const;
const generateEd25519KeyPair = promisify(generateKeyPair);

/** NodeId = SHA-256 of the DER SubjectPublicKeyInfo of the public key (network.md §1), NOT the cert fingerprint. */
export function nodeIdOfPublicKey(key: KeyObject): Uint8Array {
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  const spki = publicKey.export({ type: "spki", format: "der" });
  return new Uint8Array(createHash("sha256").update(spki).digest());
}

/** The short form operators see in logs: the first 8 hex digits. */
export function shortNodeId(nodeIdHex: string): string {
  return nodeIdHex.slice(0, SHORT_NODE_ID_LENGTH);
}

/** The certificate for `privateKey` (an Ed25519 private KeyObject) and the identity around both. */
async function identityOfKey(privateKey: KeyObject, now: number): Promise<NodeIdentity> {
  const publicKey = createPublicKey(privateKey);
  const keys = {
    privateKey: await webcrypto.subtle.importKey(
      "pkcs8",
      privateKey.export({ type: "pkcs8", format: "der" }),
      ED25519,
      false,
      ["sign"],
    ),
    publicKey: await webcrypto.subtle.importKey(
      "spki",
      publicKey.export({ type: "spki", format: "der" }),
      ED25519,
      true,
      ["verify"],
    ),
  };
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + VALIDITY_YEARS);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: CERTIFICATE_SERIAL,
    name: CERTIFICATE_SUBJECT,
    notBefore: new Date(now - NOT_BEFORE_SLACK_MS),
    notAfter,
    keys,
    signingAlgorithm: ED25519,
  });
  const nodeId = nodeIdOfPublicKey(publicKey);
  return {
    nodeId,
    nodeIdHex: bytesToHex(nodeId),
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    certificatePem: certificate.toString("pem"),
  };
}

/** A fresh Ed25519 key and self-signed certificate (serial 1, notBefore now−60 s, notAfter +10 years). `now` in ms. */
export async function createIdentity(now: number = Date.now()): Promise<NodeIdentity> {
  const { privateKey } = await generateEd25519KeyPair("ed25519");
  return identityOfKey(privateKey, now);
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isMissingFile(e: unknown): boolean {
  return e instanceof Error && (e as NodeJS.ErrnoException).code === "ENOENT";
}

function parseIdentityKey(file: string, pem: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch (e) {
    throw new GossipError(
      "GOSSIP_ERROR_IDENTITY_FILE",
      `identity file ${file} does not hold a PEM private key (${messageOf(e)}); fix or remove it`,
    );
  }
  if (key.asymmetricKeyType !== "ed25519") {
    throw new GossipError(
      "GOSSIP_ERROR_IDENTITY_FILE",
      `identity file ${file} holds a ${key.asymmetricKeyType ?? "unknown"} key, but a node identity is an Ed25519 key`,
    );
  }
  return key;
}

/** Writes `text` to `file` so that a crash leaves either no file or the whole one, never a torn key. */
async function writeFileAtomically(file: string, text: string): Promise<void> {
  const dir = dirname(file);
  await mkdir(dir, { recursive: true, mode: IDENTITY_DIR_MODE });
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    const handle = await open(tmp, "wx", IDENTITY_FILE_MODE);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  // The rename is durable only once the directory entry is on disk.
  const dirHandle = await open(dir, "r");
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}

/**
 * Without a file: createIdentity(). With a file: load the PKCS#8 PEM private key if the file exists (must be an
 * Ed25519 key, else GossipError GOSSIP_ERROR_IDENTITY_FILE naming the file), else create a key and persist it
 * atomically (tmp file in the same dir, fsync, rename, mode 0o600). The certificate is re-made from the key on each
 * start. A file that cannot be used is never overwritten: the operator decides what happens to it.
 */
export async function loadOrCreateIdentity(file: string | undefined, now: number = Date.now()): Promise<NodeIdentity> {
  if (file === undefined) return createIdentity(now);
  let pem: string | undefined;
  try {
    pem = await readFile(file, "utf8");
  } catch (e) {
    if (!isMissingFile(e)) {
      throw new GossipError("GOSSIP_ERROR_IDENTITY_FILE", `cannot read identity file ${file}: ${messageOf(e)}`);
    }
  }
  if (pem !== undefined) return identityOfKey(parseIdentityKey(file, pem), now);
  const identity = await createIdentity(now);
  try {
    await writeFileAtomically(file, identity.privateKeyPem);
  } catch (e) {
    throw new GossipError("GOSSIP_ERROR_IDENTITY_FILE", `cannot write identity file ${file}: ${messageOf(e)}`);
  }
  return identity;
}
