/**
 * Layer rules of ARCHITECTURE.md §2.3, checked on every `npm run lint`.
 *
 * Each layer may import only from layers below it. util, logger and metrics are cross-cutting leaves:
 * anyone may import them, and they import nothing from the domain.
 */
const ORDER = [
  "params",
  "primitives",
  "crypto",
  "codec",
  "storage",
  "tangle|milestones|ledger",
  "gossip|pipeline|pow",
  "coordinator|api|mqtt|dashboard",
  "node",
  "cli",
];
const LEAVES = "util|logger|metrics";

/** For layer i, every layer at or above i+1 is forbidden (siblings in one group may not import each other either,
 * except pipeline, which is the hub the edges talk to). */
const layerRules = ORDER.map((group, i) => {
  const above = ORDER.slice(i + 1).join("|");
  return above
    ? {
        name: `layer-${group.split("|")[0]}`,
        comment: `src/{${group}} must not import from higher layers (${above})`,
        severity: "error",
        from: { path: `^src/(${group})/` },
        to: { path: `^src/(${above})/` },
      }
    : null;
}).filter(Boolean);

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: "leaves-are-domain-free",
      comment: "util, logger and metrics import nothing from the domain",
      severity: "error",
      from: { path: `^src/(${LEAVES})/` },
      to: { path: `^src/(?!(${LEAVES})/)` },
    },
    {
      name: "pure-core-no-node-modules",
      comment:
        "params, primitives and codec are pure: no node: modules (ARCHITECTURE.md §2.3). " +
        "crypto may use node:crypto only for the Ed25519 fast path (documented exception, docs/architecture-notes.md).",
      severity: "error",
      from: { path: "^src/(params|primitives|codec)/" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "crypto-only-node-crypto",
      severity: "error",
      from: { path: "^src/crypto/" },
      to: { dependencyTypes: ["core"], pathNot: "^(node:)?crypto$" },
    },
    {
      name: "no-circular",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "ledger-sees-no-network",
      severity: "error",
      from: { path: "^src/ledger/" },
      to: { path: "^src/(gossip|pipeline|api|mqtt)/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsConfig: { fileName: "tsconfig.json" },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
