/**
 * Why a node refuses to start (src/node). docs/errors.md lists the codes and test/unit/docs/errorsDoc.test.ts keeps
 * it in step.
 */
import { NodeError } from "../util/nodeError.js";

export const NODE_ERROR_CODES = [
  /** An option is unknown, of the wrong type or out of range; the message names the option. */
  "NODE_ERROR_CONFIG_INVALID",
  /** The data directory or its network.json cannot be created, read, parsed or written. */
  "NODE_ERROR_DATA_DIR",
  /** The database is empty and neither a snapshot file nor a genesis address was given. */
  "NODE_ERROR_BOOTSTRAP_MISSING",
  /** The database belongs to another network (name, network id or solid entry points differ). */
  "NODE_ERROR_NETWORK_MISMATCH",
  /** A listener (gossip, REST API, MQTT) cannot bind its address: in use, not permitted or not on this machine. */
  "NODE_ERROR_LISTEN",
] as const;

export type NodeErrorCode = (typeof NODE_ERROR_CODES)[number];

export interface NodeErrorType {
  code: NodeErrorCode;
  /** For NODE_ERROR_CONFIG_INVALID and NODE_ERROR_LISTEN: the option's path (`network.minPowScore`, `api.bind`). */
  option?: string;
}

export class WeaverNodeError extends NodeError<NodeErrorType> {
  constructor(code: NodeErrorCode, message: string, details: { option?: string; cause?: unknown } = {}) {
    super(details.option === undefined ? { code } : { code, option: details.option }, message);
    if (details.cause !== undefined) this.cause = details.cause;
  }
}
