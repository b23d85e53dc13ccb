/** `weaver tool …`: developer and operator utilities that work without a running node. */
import type { Command } from "commander";
import { registerAddressTool } from "./addressTool.js";
import { registerEd25519KeyTool } from "./ed25519KeyTool.js";
import { registerJwtTool } from "./jwtTool.js";
import { registerMessageTool } from "./messageTool.js";
import { registerNetworkIdTool } from "./networkIdTool.js";
import { registerPowTool } from "./powTool.js";
import { registerSnapshotGenTool } from "./snapshotGenTool.js";
import { registerSnapshotInfoTool } from "./snapshotInfoTool.js";

export function registerToolCommands(program: Command): void {
  const tool = program.command("tool").description("utilities that work without a running node");
  registerJwtTool(tool);
  registerMessageTool(tool);
  registerPowTool(tool);
  registerEd25519KeyTool(tool);
  registerAddressTool(tool);
  registerNetworkIdTool(tool);
  registerSnapshotGenTool(tool);
  registerSnapshotInfoTool(tool);
}
