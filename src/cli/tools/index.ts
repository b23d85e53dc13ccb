/** `weaver tool …`: developer and operator utilities that work without a running node. */
import type { Command } from "commander";

export function registerToolCommands(program: Command): void {
  program.command("tool").description("utilities that work without a running node");
}
