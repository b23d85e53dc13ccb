/** `weaver tool …`: developer and operator utilities that work without a running node. */
import type { Command } from "commander";
import { registerJwtTool } from "./jwtTool.js";
import { registerMessageTool } from "./messageTool.js";
import { registerPowTool } from "./powTool.js";

export function registerToolCommands(program: Command): void {
  const tool = program.command("tool").description("utilities that work without a running node");
  registerJwtTool(tool);
  registerMessageTool(tool);
  registerPowTool(tool);
}
