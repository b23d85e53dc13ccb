/** The `weaver` command line. Each subcommand lives in its own module and registers itself on the program. */
import { Command } from "commander";
import { registerDevCommand } from "./devCommand.js";
import { registerNetworkCommand } from "./networkCommand.js";
import { registerStartCommand } from "./startCommand.js";
import { registerToolCommands } from "./tools/index.js";
import { VERSION } from "./version.js";

const program = new Command()
  .name("weaver")
  .description("Weaver: a full node for IOTA Chrysalis-style Tangle networks")
  .version(VERSION)
  .showHelpAfterError();

registerStartCommand(program);
registerDevCommand(program);
registerNetworkCommand(program);
registerToolCommands(program);

await program.parseAsync(process.argv);
