/**
 * `weaver tool network-id <name>`: the network id nodes derive from a network name (chrysalis.md §1.4), as the
 * decimal string JSON uses and as the 8 little-endian bytes that open every message and snapshot header.
 */
import type { Command } from "commander";
import { networkIdFromName } from "../../crypto/networkId.js";
import { bytesToHex } from "../../primitives/hex.js";
import { runTool } from "../runTool.js";
import { ToolError } from "../toolError.js";

export interface NetworkIdReport {
  name: string;
  networkId: string;
  /** The u64 little-endian, as it appears in message and snapshot bytes. */
  hex: string;
}

export function describeNetworkId(name: string): NetworkIdReport {
  if (name.length === 0) throw new ToolError("TOOL_ERROR_INVALID_INPUT", "the network name is empty");
  const id = networkIdFromName(name);
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigUint64(0, id, true);
  return { name, networkId: id.toString(), hex: bytesToHex(bytes) };
}

export function registerNetworkIdTool(tool: Command): void {
  tool
    .command("network-id")
    .description("the network id of a network name (first 8 bytes of BLAKE2b-256(name), little-endian)")
    .argument("<name>", "network name, e.g. chrysalis-mainnet or testnet7")
    .action((name: string) =>
      runTool(() => {
        process.stdout.write(`${JSON.stringify(describeNetworkId(name), null, 2)}\n`);
      }),
    );
}
