/**
 * The gossip dependency of the REST API as a node sees it with `peers.count` connected peers (all synced) and no
 * peer management: for API tests and the API benchmark, which run the server without a gossip service.
 */
import type { ApiDependencies } from "../../src/api/apiContext.js";
import type { Tangle } from "../../src/tangle/tangle.js";
import { isNodeAlmostSynced } from "../../src/tangle/tipSelector.js";

export function peerlessGossip(
  tangle: Pick<Tangle, "confirmedMilestoneIndex" | "latestMilestoneIndex">,
  peers: { count: number } = { count: 0 },
): ApiDependencies["gossip"] {
  return {
    syncStatus: () => {
      const cmi = tangle.confirmedMilestoneIndex;
      const lmi = tangle.latestMilestoneIndex;
      return {
        confirmedIndex: cmi,
        latestIndex: lmi,
        synced: lmi !== 0 && cmi >= lmi,
        almostSynced: isNodeAlmostSynced(cmi, lmi),
        connectedPeers: peers.count,
        syncedPeers: peers.count,
      };
    },
    peers: () => [],
    endpoints: () => [],
    addPeer: () => undefined,
    removePeer: () => false,
  };
}
