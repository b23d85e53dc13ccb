/**
 * `weaver start`: the node's main job. The node process itself arrives with a later issue; until then this says
 * what the build offers and exits 0, so that `npm start` on a fresh clone is never a dead end.
 */
import type { Command } from "commander";

export function registerStartCommand(program: Command): void {
  program
    .command("start")
    .description("start the node (the node process is not part of this build yet; lists what is available)")
    .action(() => {
      process.stdout.write(
        [
          "Weaver is built and ready. The full node process is not part of this build yet; available now:",
          "",
          "  npx weaver tool pow --score 4000 --size 300      mine a random indexation message (Curl-P-81 PoW)",
          "  npx weaver tool message --hex <hex>              decode and validate a serialized message",
          "  echo <hex> | npx weaver tool message --hex -     the same, reading the hex from stdin",
          "  npm test                                         run every test",
          "  npm run bench                                    measure our kernels beside iota.js 1.8.6",
          "",
          "Run `npx weaver --help` for all commands.",
          "",
        ].join("\n"),
      );
    });
}
