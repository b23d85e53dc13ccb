/**
 * How the node's plugins issue messages: the payload in a message of the node's network on the given parents, PoW
 * up to the network's minimum score (TIP-12) on the node's engine, then into the ingestion pipeline as an API
 * message (so the below-max-depth check of submitted parents applies), exactly like `POST /api/v1/messages`.
 */
import { encodeMessage, type MessagePayload } from "../../codec/index.js";
import { powScore } from "../../crypto/powScore.js";
import { MAX_PARENTS } from "../../params/protocol.js";
import type { IngressResult, SubmitOptions } from "../../pipeline/ingress.js";
import { compareBytes } from "../../primitives/bytes.js";
import { bytesToHex } from "../../primitives/hex.js";
import type { PowEngine } from "../apiContext.js";

export interface AttachModules {
  networkId: bigint;
  minPowScore: number;
  /** Needed whenever minPowScore > 0 (the plugins refuse to start without it). */
  pow: PowEngine | null;
  submit(bytes: Uint8Array, options: SubmitOptions): Promise<IngressResult>;
}

/** Issues a message around `payload`; `signal` stops its PoW (the promise then rejects). */
export type AttachPayload = (
  payload: MessagePayload,
  parents: readonly Uint8Array[],
  signal?: AbortSignal,
) => Promise<IngressResult>;

/**
 * TIP-6 parents from tips and the messages a payload must approve: `required` first (a value transfer approves the
 * message whose output it spends, so that white flag applies that one first), then tips, unique, at most 8, sorted.
 */
export function messageParents(tips: readonly Uint8Array[], required: readonly Uint8Array[] = []): Uint8Array[] {
  const unique = new Map<string, Uint8Array>();
  for (const id of [...required, ...tips]) {
    if (unique.size === MAX_PARENTS) break;
    unique.set(bytesToHex(id), id);
  }
  return [...unique.values()].sort(compareBytes);
}

export function payloadAttacher(modules: AttachModules): AttachPayload {
  return async (payload, parents, signal) => {
    const message = { networkId: modules.networkId, parents: [...parents], payload };
    let bytes = encodeMessage({ ...message, nonce: 0n });
    if (modules.pow !== null && modules.minPowScore > 0 && powScore(bytes) < modules.minPowScore) {
      const { nonce } = await modules.pow.mine(bytes, modules.minPowScore, signal === undefined ? {} : { signal });
      bytes = encodeMessage({ ...message, nonce });
    }
    return modules.submit(bytes, { source: "api" });
  };
}
