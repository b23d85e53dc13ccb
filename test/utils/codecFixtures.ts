/** Golden messages for codec tests: test/fixtures/messages/*.json (provenance in each file's `source`). */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./vectors.js";

export interface TransactionFixture {
  source: string;
  messageHex: string;
  messageId: string;
  essenceHex: string;
  essenceHash: string;
  transactionId: string;
  json: unknown;
}

export interface MilestoneFixture {
  source: string;
  messageHex: string;
  messageId: string;
  milestoneEssenceHash: string;
  milestoneId: string;
  json: unknown;
}

export function readMessageFixture<T>(name: string): T {
  return JSON.parse(readFileSync(join(REPO_ROOT, "test", "fixtures", "messages", name), "utf8")) as T;
}

/** TIP-6 worked example (chrysalis.md §1.5): indexation "IOTA" / "hello world", network 0, nonce 28110. */
export const TIP6_EXAMPLE_HEX =
  "000000000000000002210fc7bb818639ac48a4c6afa2f1581a8b9525e20fda68927f2b2ff836f73578db0fa54c29f7fd928d92ca43f193dee47f591549f597a811c8fa67ab031ebd9c19000000020000000400494f54410b00000068656c6c6f20776f726c64ce6d000000000000";
export const TIP6_EXAMPLE_ID = "e4a85f984095b4feb1f9e1c03f5baf2f7f5b28920a99fefb539bc5570567cddb";

/** Shape of test/fixtures/vectors/iotajs-1.8.6-test-vectors.json parts the codec tests read. */
export interface IotajsCodecVectors {
  messages: {
    items: Record<
      "indexation_foo_Bar" | "milestone_1087" | "transaction",
      {
        hex: string;
        length: number;
        messageId_computed: string;
        json: unknown;
        transactionId_computed?: string;
        transactionPayloadHex?: string;
        essenceHash_computed?: string;
        outputIds_computed?: string[];
      }
    >;
  };
  essences: Record<"noPayload" | "indexationPayload", { expected: string; essenceHash_computed: string }>;
}
