/**
 * The OpenAPI 3.0.3 description of the REST API this node serves (chrysalis.md §10, TIP-13 as Hornet 1.2.8 serves
 * it, plus Weaver's own routes), served at `GET /api/openapi.json` (routes/openapi.ts).
 *
 * Paths are written as fastify registers them (`:param`) and turned into OpenAPI templates (`{param}`) when the
 * document is built, so that which operations need a token is decided by auth.ts's own isProtectedRoute on the very
 * pattern the access check sees. The data shapes are those of the mappers and codec/json.ts; hex in answers is always
 * lowercase, while ids in paths are accepted in either case (routes/params.ts).
 */
import {
  ID_LENGTH,
  INDEXATION_INDEX_LENGTH_MAX,
  LEGACY_TAIL_HASH_LENGTH,
  MAX_INPUTS,
  MAX_MIGRATED_FUNDS_ENTRIES,
  MAX_MILESTONE_KEYS,
  MAX_OUTPUT_INDEX,
  MAX_OUTPUTS,
  MAX_PARENTS,
  MESSAGE_LENGTH_MAX,
  MIN_PARENTS,
  OUTPUT_ID_LENGTH,
  TOKEN_SUPPLY,
} from "../params/protocol.js";
import { DEFAULT_API_OPTIONS } from "./apiContext.js";
import { isProtectedRoute } from "./auth.js";
import { METRICS_PATH } from "./metricsRoute.js";

/** Where the document is served (outside `/api/v1/`, so public: auth.ts). */
export const OPENAPI_PATH = "/api/openapi.json";

export interface OpenApiInfo {
  /** The node software's version. */
  version: string;
  /** Whether the node serves `GET /metrics` (it has metrics); default true. */
  metrics?: boolean;
  /** Whether the faucet plugin's routes are served (faucet enabled); default false. */
  faucet?: boolean;
  /** Whether the spammer plugin's routes are served (spammer enabled); default false. */
  spammer?: boolean;
}

type Json = Record<string, unknown>;

/** A type alias rather than an interface, so that it is assignable to a plain JSON record. */
export type OpenApiDocument = {
  openapi: string;
  info: Json;
  tags: Json[];
  paths: Record<string, Record<string, Json>>;
  components: {
    schemas: Record<string, Json>;
    parameters: Record<string, Json>;
    responses: Record<string, Json>;
  } & Json;
};

const SECURITY_SCHEME = "apiToken";
const U32_MAX = 0xffff_ffff;
const JSON_TYPE = "application/json";

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const paramRef = (name: string): Json => ({ $ref: `#/components/parameters/${name}` });
const responseRef = (name: string): Json => ({ $ref: `#/components/responses/${name}` });

/** OpenAPI 3.0 has no null type: `nullable` adds null to a schema that names a type (3.0.3, Schema Object). */
const NULL_ONLY: Json = { type: "object", nullable: true, enum: [null], description: "null" };

function orNull(...names: string[]): Json {
  return { oneOf: [...names.map(ref), NULL_ONLY] };
}

function object(
  properties: Record<string, Json>,
  required: string[] = Object.keys(properties),
  extra: Json = {},
): Json {
  return { type: "object", required, properties, additionalProperties: false, ...extra };
}

function arrayOf(items: Json, minItems?: number, maxItems?: number): Json {
  return {
    type: "array",
    items,
    ...(minItems === undefined ? {} : { minItems }),
    ...(maxItems === undefined ? {} : { maxItems }),
  };
}

function fixedHex(bytes: number, description: string): Json {
  return { type: "string", pattern: `^[0-9a-f]{${2 * bytes}}$`, description };
}

function typeCode(code: number): Json {
  return { type: "integer", enum: [code] };
}

function integer(minimum: number, maximum?: number, description?: string): Json {
  return {
    type: "integer",
    minimum,
    ...(maximum === undefined ? {} : { maximum }),
    ...(description === undefined ? {} : { description }),
  };
}

/** The data shapes (what `data` holds) and the objects inside them. */
function dataSchemas(): Record<string, Json> {
  const count = integer(0, undefined, "How many ids the list holds (at most maxResults).");
  const maxResults = integer(
    1,
    undefined,
    `The node's cap on result lists (default ${DEFAULT_API_OPTIONS.maxResults}).`,
  );
  const ledgerIndex = { ...ref("MilestoneIndex"), description: "The confirmed milestone the answer reflects." };
  const inclusion = ["noTransaction", "included", "conflicting"];
  return {
    FaucetInfo: object({
      address: { type: "string", pattern: BECH32_ADDRESS },
      balance: integer(0),
      amount: integer(1),
      waitingRequests: integer(0),
    }),
    FaucetEnqueued: object({ address: { type: "string", pattern: BECH32_ADDRESS }, waitingRequests: integer(0) }),
    SpammerStatus: object({
      running: { type: "boolean" },
      mps: integer(0, 1000),
      valueTransactions: { type: "boolean" },
      sent: integer(0),
      sentValue: integer(0),
      failed: integer(0),
      achievedMps: { type: "number", minimum: 0 },
    }),
    Id: fixedHex(ID_LENGTH, "32 bytes as 64 lowercase hex digits: a message, transaction, milestone or peer id."),
    OutputId: fixedHex(OUTPUT_ID_LENGTH, "Transaction id ‖ output index (u16 little-endian): 68 lowercase hex digits."),
    HexBytes: { type: "string", pattern: "^([0-9a-f]{2})*$", description: "Bytes as lowercase hex, without 0x." },
    DecimalU64: {
      type: "string",
      pattern: "^[0-9]{1,20}$",
      description: "An unsigned 64-bit integer as a decimal string (at most 2^64 − 1).",
    },
    MilestoneIndex: integer(0, U32_MAX, "A milestone index (u32)."),
    Amount: integer(0, TOKEN_SUPPLY, "IOTA tokens; a JSON number, exact because the supply is below 2^53."),
    ConflictReason: {
      type: "integer",
      enum: [0, 1, 2, 3, 4, 5, 6, 255],
      description:
        "Why a transaction conflicted: 0 none, 1 input already spent, 2 input spent earlier in the same milestone, " +
        "3 input not found, 4 input and output sums differ, 5 invalid signature, 6 invalid dust allowance, " +
        "255 other semantic failure.",
    },
    Ed25519Address: object({
      type: typeCode(0),
      address: fixedHex(ID_LENGTH, "The BLAKE2b-256 hash of the Ed25519 public key."),
    }),
    IndexationPayload: object(
      {
        type: typeCode(2),
        index: {
          type: "string",
          pattern: `^([0-9a-f]{2}){1,${INDEXATION_INDEX_LENGTH_MAX}}$`,
          description: `1 to ${INDEXATION_INDEX_LENGTH_MAX} bytes as hex.`,
        },
        data: ref("HexBytes"),
      },
      undefined,
      { description: "TIP-6 indexation payload." },
    ),
    UtxoInput: object({
      type: typeCode(0),
      transactionId: ref("Id"),
      transactionOutputIndex: integer(0, MAX_OUTPUT_INDEX),
    }),
    Output: object(
      { type: { type: "integer", enum: [0, 1] }, address: ref("Ed25519Address"), amount: ref("Amount") },
      undefined,
      { description: "Type 0: SigLockedSingleOutput; type 1: SigLockedDustAllowanceOutput (TIP-7, TIP-15)." },
    ),
    TransactionEssence: object({
      type: typeCode(0),
      inputs: arrayOf(ref("UtxoInput"), 1, MAX_INPUTS),
      outputs: arrayOf(ref("Output"), 1, MAX_OUTPUTS),
      payload: orNull("IndexationPayload"),
    }),
    SignatureUnlockBlock: object({
      type: typeCode(0),
      signature: object({
        type: typeCode(0),
        publicKey: fixedHex(32, "Ed25519 public key."),
        signature: fixedHex(64, "Ed25519 signature."),
      }),
    }),
    ReferenceUnlockBlock: object({ type: typeCode(1), reference: integer(0, MAX_INPUTS - 1) }),
    UnlockBlock: { oneOf: [ref("SignatureUnlockBlock"), ref("ReferenceUnlockBlock")] },
    TransactionPayload: object(
      {
        type: typeCode(0),
        essence: ref("TransactionEssence"),
        unlockBlocks: arrayOf(ref("UnlockBlock"), 1, MAX_INPUTS),
      },
      undefined,
      { description: "TIP-7 transaction payload." },
    ),
    TreasuryTransactionPayload: object({
      type: typeCode(4),
      input: object({ type: typeCode(1), milestoneId: ref("Id") }),
      output: object({ type: typeCode(2), amount: ref("Amount") }),
    }),
    MigratedFundsEntry: object({
      tailTransactionHash: fixedHex(LEGACY_TAIL_HASH_LENGTH, "The legacy tail transaction hash (t5b1)."),
      address: ref("Ed25519Address"),
      deposit: ref("Amount"),
    }),
    ReceiptPayload: object(
      {
        type: typeCode(3),
        migratedAt: ref("MilestoneIndex"),
        final: { type: "boolean" },
        funds: arrayOf(ref("MigratedFundsEntry"), 1, MAX_MIGRATED_FUNDS_ENTRIES),
        transaction: ref("TreasuryTransactionPayload"),
      },
      undefined,
      { description: "TIP-17 receipt of migrated legacy funds." },
    ),
    MilestonePayload: object(
      {
        type: typeCode(1),
        index: ref("MilestoneIndex"),
        timestamp: integer(0, undefined, "Unix seconds."),
        parentMessageIds: arrayOf(ref("Id"), MIN_PARENTS, MAX_PARENTS),
        inclusionMerkleProof: fixedHex(32, "Merkle root of the included transactions (TIP-4)."),
        nextPoWScore: integer(0),
        nextPoWScoreMilestoneIndex: ref("MilestoneIndex"),
        publicKeys: arrayOf(fixedHex(32, "Ed25519 public key."), 1, MAX_MILESTONE_KEYS),
        receipt: orNull("ReceiptPayload"),
        signatures: arrayOf(fixedHex(64, "Ed25519 signature."), 1, MAX_MILESTONE_KEYS),
      },
      undefined,
      { description: "TIP-8 milestone payload." },
    ),
    Message: object(
      {
        networkId: ref("DecimalU64"),
        parentMessageIds: arrayOf(ref("Id"), MIN_PARENTS, MAX_PARENTS),
        payload: orNull("TransactionPayload", "MilestonePayload", "IndexationPayload"),
        nonce: ref("DecimalU64"),
      },
      undefined,
      { description: "A message (TIP-6) as JSON." },
    ),
    NodeInfo: object({
      name: { type: "string" },
      version: { type: "string" },
      isHealthy: { type: "boolean" },
      networkId: { type: "string", description: "The network name; clients hash it into the numeric network id." },
      bech32HRP: { type: "string" },
      minPoWScore: { type: "number", minimum: 0 },
      messagesPerSecond: { type: "number", minimum: 0 },
      referencedMessagesPerSecond: { type: "number", minimum: 0 },
      referencedRate: { type: "number", minimum: 0 },
      latestMilestoneTimestamp: integer(0, undefined, "Unix seconds; 0 while no milestone is known."),
      latestMilestoneIndex: ref("MilestoneIndex"),
      confirmedMilestoneIndex: ref("MilestoneIndex"),
      pruningIndex: ref("MilestoneIndex"),
      features: arrayOf({ type: "string", enum: ["PoW"] }),
    }),
    Tips: object({ tipMessageIds: arrayOf(ref("Id"), 1) }),
    MessageCreated: object({ messageId: ref("Id") }),
    MessagesByIndex: object({
      index: { type: "string", description: "The index as the request gave it." },
      maxResults,
      count,
      messageIds: arrayOf(ref("Id")),
    }),
    MessageMetadata: object(
      {
        messageId: ref("Id"),
        parentMessageIds: arrayOf(ref("Id"), MIN_PARENTS, MAX_PARENTS),
        isSolid: { type: "boolean" },
        referencedByMilestoneIndex: ref("MilestoneIndex"),
        milestoneIndex: ref("MilestoneIndex"),
        ledgerInclusionState: { type: "string", enum: inclusion },
        conflictReason: ref("ConflictReason"),
        shouldPromote: { type: "boolean" },
        shouldReattach: { type: "boolean" },
      },
      ["messageId", "parentMessageIds", "isSolid"],
      {
        description:
          "Absent fields are left out: referencedByMilestoneIndex and ledgerInclusionState once referenced, " +
          "conflictReason when conflicting, milestoneIndex for a valid milestone, shouldPromote and shouldReattach " +
          "for a solid message not yet referenced.",
      },
    ),
    Children: object({
      messageId: ref("Id"),
      maxResults,
      count,
      childrenMessageIds: arrayOf(ref("Id")),
    }),
    Milestone: object({
      index: ref("MilestoneIndex"),
      messageId: ref("Id"),
      timestamp: integer(0, undefined, "Unix seconds."),
    }),
    UtxoChanges: object({
      index: ref("MilestoneIndex"),
      createdOutputs: arrayOf(ref("OutputId")),
      consumedOutputs: arrayOf(ref("OutputId")),
    }),
    OutputResponse: object(
      {
        messageId: ref("Id"),
        transactionId: ref("Id"),
        outputIndex: integer(0, MAX_OUTPUT_INDEX),
        isSpent: { type: "boolean" },
        milestoneIndexSpent: ref("MilestoneIndex"),
        transactionIdSpent: ref("Id"),
        ledgerIndex,
        output: ref("Output"),
      },
      ["messageId", "transactionId", "outputIndex", "isSpent", "ledgerIndex", "output"],
      { description: "milestoneIndexSpent and transactionIdSpent are present only when the output is spent." },
    ),
    AddressBalance: object({
      addressType: typeCode(0),
      address: ref("Id"),
      balance: ref("Amount"),
      dustAllowed: { type: "boolean", description: "One more dust output would be accepted (TIP-15)." },
      ledgerIndex,
    }),
    AddressOutputs: object({
      addressType: typeCode(0),
      address: ref("Id"),
      maxResults,
      count,
      outputIds: { ...arrayOf(ref("OutputId")), description: "Unspent outputs first, then spent ones if asked for." },
      ledgerIndex,
    }),
    TxHistoryItem: object(
      {
        messageId: ref("Id"),
        transactionId: ref("Id"),
        referencedByMilestoneIndex: ref("MilestoneIndex"),
        milestoneTimestampReferenced: integer(0, undefined, "Unix seconds."),
        ledgerInclusionState: { type: "string", enum: ["included", "conflicting"] },
        conflictReason: ref("ConflictReason"),
        inputsCount: integer(1, MAX_INPUTS),
        outputsCount: integer(1, MAX_OUTPUTS),
        addressBalanceChange: {
          type: "integer",
          description: "What the outputs gave the address minus what the inputs took; 0 when conflicting.",
        },
      },
      [
        "messageId",
        "transactionId",
        "referencedByMilestoneIndex",
        "milestoneTimestampReferenced",
        "ledgerInclusionState",
        "inputsCount",
        "outputsCount",
        "addressBalanceChange",
      ],
      { description: "conflictReason is present only for a conflicting transaction." },
    ),
    TxHistory: object({
      addressType: typeCode(0),
      address: ref("Id"),
      maxResults,
      count,
      history: { ...arrayOf(ref("TxHistoryItem")), description: "Newest milestone first." },
      ledgerIndex,
    }),
    ReceiptTuple: object({ receipt: ref("ReceiptPayload"), milestoneIndex: ref("MilestoneIndex") }),
    Receipts: object({ receipts: arrayOf(ref("ReceiptTuple")) }),
    Treasury: object({ milestoneId: ref("Id"), amount: ref("Amount") }),
    PeerHeartbeat: object(
      Object.fromEntries(
        [
          "solidMilestoneIndex",
          "prunedMilestoneIndex",
          "latestMilestoneIndex",
          "connectedNeighbors",
          "syncedNeighbors",
        ].map((k) => [k, integer(0)]),
      ),
    ),
    PeerMetrics: object(
      Object.fromEntries(
        [
          "newMessages",
          "knownMessages",
          "receivedMessages",
          "receivedMessageRequests",
          "receivedMilestoneRequests",
          "receivedHeartbeats",
          "sentMessages",
          "sentMessageRequests",
          "sentMilestoneRequests",
          "sentHeartbeats",
          "droppedPackets",
        ].map((k) => [k, integer(0)]),
      ),
      undefined,
      { description: "Counts since the peer's connection was paired." },
    ),
    Peer: object(
      {
        id: {
          type: "string",
          pattern: `^([0-9a-f]{${2 * ID_LENGTH}})?$`,
          description: "The peer's NodeId; empty for an address added without one that the node has not reached yet.",
        },
        multiAddresses: arrayOf({ type: "string" }),
        alias: { type: "string", maxLength: 256 },
        relation: {
          type: "string",
          enum: ["known", "unknown"],
          description: "known: configured or added through the API; unknown: it dialed this node.",
        },
        connected: { type: "boolean" },
        gossip: object({ heartbeat: orNull("PeerHeartbeat"), metrics: ref("PeerMetrics") }, undefined, {
          description: "Present while the peer has a connection; heartbeat is null until its first one arrives.",
        }),
      },
      ["id", "multiAddresses", "relation", "connected"],
    ),
    Pruned: object({ index: { ...ref("MilestoneIndex"), description: "The pruning index after the run." } }),
    CreatedSnapshots: object(
      {
        fullIndex: ref("MilestoneIndex"),
        deltaIndex: ref("MilestoneIndex"),
        fullFilePath: { type: "string" },
        deltaFilePath: { type: "string" },
      },
      ["fullIndex", "fullFilePath"],
      { description: "deltaIndex and deltaFilePath are present only when a delta snapshot was written." },
    ),
    ApiRoutes: object({
      routes: { ...arrayOf({ type: "string" }), description: "The API groups served under /api/, e.g. v1." },
    }),
  };
}

/** Request bodies: what a client may leave out is filled in by the node. */
function requestSchemas(): Record<string, Json> {
  const nullable = (schema: Json): Json => ({ ...schema, nullable: true });
  const decimal = { type: "string", pattern: "^[0-9]{1,20}$" };
  return {
    SubmitMessage: {
      type: "object",
      description:
        "A message as JSON whose networkId, parentMessageIds and nonce may be absent or null (hex in either " +
        "case). The node fills in its own network id (for an absent or 0 one; a nonce with network id 0 is " +
        "refused), parents by tip selection (needs node PoW) and a nonce by PoW when the score is too low " +
        "(needs node PoW).",
      properties: {
        networkId: nullable(decimal),
        parentMessageIds: nullable(
          arrayOf({ type: "string", pattern: `^[0-9a-fA-F]{${2 * ID_LENGTH}}$` }, 0, MAX_PARENTS),
        ),
        payload: orNull("TransactionPayload", "MilestonePayload", "IndexationPayload"),
        nonce: nullable(decimal),
      },
    },
    FaucetRequest: object({ address: { type: "string", pattern: BECH32_ADDRESS } }),
    SpammerStart: object(
      {
        mps: integer(1, 1000, "Messages per second to aim for."),
        valueTransactions: { type: "boolean", description: "Send value transfers instead of indexation messages." },
      },
      ["mps"],
    ),
    PruneDatabase: {
      type: "object",
      description: "Exactly one of the three fields; null counts as absent, and no other field is accepted.",
      additionalProperties: false,
      properties: {
        index: { ...integer(0, U32_MAX, "Prune up to this milestone index."), nullable: true },
        depth: { ...integer(0, U32_MAX, "Prune up to this many milestones below the confirmed one."), nullable: true },
        targetDatabaseSize: {
          description: 'Prune until the database is below this size: a byte count, or a size such as "30GB".',
          oneOf: [integer(1), { type: "string", pattern: "^\\s*[0-9]" }, NULL_ONLY],
        },
      },
    },
    CreateSnapshots: {
      type: "object",
      description: "Both fields optional (0 or null = the node's default); a delta continues the full snapshot.",
      additionalProperties: false,
      properties: {
        fullIndex: { ...integer(0, U32_MAX, "The full snapshot's milestone index."), nullable: true },
        deltaIndex: { ...integer(0, U32_MAX, "Also write a delta snapshot up to this index."), nullable: true },
      },
    },
    AddPeer: {
      type: "object",
      required: ["multiAddress"],
      properties: {
        multiAddress: {
          type: "string",
          minLength: 1,
          maxLength: 512,
          description:
            '"host:port", "<64-hex NodeId>@host:port" or "/ip4/<address>/tcp/<port>[/p2p/<NodeId>]" ' +
            "(also /ip6/, /dns/, /dns4/, /dns6/).",
        },
        alias: { type: "string", maxLength: 256, description: "An empty alias removes the peer's alias." },
      },
    },
  };
}

/** `{data: <name>}` for each data shape answered in the envelope (chrysalis.md §10.1). */
function envelopeSchemas(names: readonly string[]): Record<string, Json> {
  const envelopes: Record<string, Json> = {};
  for (const name of names) envelopes[`${name}Response`] = object({ data: ref(name) });
  envelopes.PeerListResponse = object({ data: arrayOf(ref("Peer")) });
  envelopes.ErrorResponse = object(
    {
      error: object({
        code: { type: "string", pattern: "^[1-5][0-9]{2}$", description: "The HTTP status as a string." },
        message: { type: "string", minLength: 1 },
      }),
    },
    undefined,
    { description: "Every failure, including unknown routes and unreadable requests, is answered with this body." },
  );
  return envelopes;
}

const ENVELOPED = [
  "NodeInfo",
  "Tips",
  "MessageCreated",
  "MessagesByIndex",
  "Message",
  "MessageMetadata",
  "Children",
  "Milestone",
  "UtxoChanges",
  "OutputResponse",
  "AddressBalance",
  "AddressOutputs",
  "TxHistory",
  "Receipts",
  "Treasury",
  "Peer",
  "Pruned",
  "CreatedSnapshots",
  "ApiRoutes",
  "FaucetInfo",
  "FaucetEnqueued",
  "SpammerStatus",
] as const;

const ANY_CASE_ID = `^[0-9a-fA-F]{${2 * ID_LENGTH}}$`;
const DECIMAL_INDEX = "^[0-9]{1,10}$";
/** BIP-173: all lower or all upper case; an Ed25519 address (33 bytes) takes 53 data and 6 checksum characters. */
const BECH32_ADDRESS = "^([!-@\\[-~]{1,30}1[02-9ac-hj-np-z]{59}|[!-`{-~]{1,30}1[02-9AC-HJ-NP-Z]{59})$";

function pathParameter(name: string, pattern: string, description: string): Json {
  return { name, in: "path", required: true, description, schema: { type: "string", pattern } };
}

function parameters(): Record<string, Json> {
  return {
    MessageId: pathParameter("messageId", ANY_CASE_ID, "A message id: 64 hex digits."),
    TransactionId: pathParameter("transactionId", ANY_CASE_ID, "A transaction id: 64 hex digits."),
    MilestoneIndex: pathParameter("index", DECIMAL_INDEX, `A milestone index: a decimal number from 0 to ${U32_MAX}.`),
    MigratedAt: pathParameter(
      "migratedAt",
      DECIMAL_INDEX,
      `The legacy milestone index the funds were migrated at: a decimal number from 0 to ${U32_MAX}.`,
    ),
    OutputId: pathParameter(
      "outputId",
      `^[0-9a-fA-F]{${2 * OUTPUT_ID_LENGTH}}$`,
      "An output id: 68 hex digits (transaction id, then the output index as u16 little-endian).",
    ),
    Bech32Address: pathParameter(
      "address",
      BECH32_ADDRESS,
      "An Ed25519 address in bech32 (TIP-11) whose human-readable part is this node's (bech32HRP of /api/v1/info).",
    ),
    Ed25519Address: pathParameter("address", ANY_CASE_ID, "An Ed25519 address: 64 hex digits."),
    PeerId: pathParameter("peerId", ANY_CASE_ID, "A peer's NodeId: 64 hex digits."),
    Index: {
      name: "index",
      in: "query",
      required: true,
      description: `The indexation index as hex: 1 to ${INDEXATION_INDEX_LENGTH_MAX} bytes.`,
      schema: { type: "string", pattern: `^([0-9a-fA-F]{2}){1,${INDEXATION_INDEX_LENGTH_MAX}}$` },
    },
    IncludeSpent: {
      name: "include-spent",
      in: "query",
      required: false,
      description: "Also list spent outputs, after the unspent ones (true/false; also t/f/1/0 in any case).",
      schema: { type: "boolean", default: false },
    },
    OutputType: {
      name: "type",
      in: "query",
      required: false,
      description: "Only outputs of this type: 0 SigLockedSingleOutput, 1 SigLockedDustAllowanceOutput.",
      schema: { type: "integer", enum: [0, 1] },
    },
    SpammerTips: {
      name: "spammerTips",
      in: "query",
      required: false,
      allowEmptyValue: true,
      description: "When present (any value), the tips come from the spammer's pools.",
      schema: { type: "string" },
    },
  };
}

function errorResponse(description: string): Json {
  return { description, content: { [JSON_TYPE]: { schema: ref("ErrorResponse") } } };
}

function responses(): Record<string, Json> {
  return {
    Forbidden: errorResponse(
      "The route is protected and the request has no valid API token, or the node has no API secret.",
    ),
    PayloadTooLarge: errorResponse(
      `The request body is larger than the node's limit (default ${DEFAULT_API_OPTIONS.bodyLimit} bytes).`,
    ),
    UnsupportedMediaType: errorResponse("The request body has a Content-Type this route does not read."),
    InternalError: errorResponse("A failure of the node; the message says nothing about internals."),
  };
}

function dataResponse(schema: string, description = "Success."): Json {
  return { description, content: { [JSON_TYPE]: { schema: ref(`${schema}Response`) } } };
}

const RAW_MESSAGE: Json = {
  description: "The message's bytes (TIP-6).",
  content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
};

const BAD_ID = errorResponse("A path or query parameter is malformed.");
const NOT_SYNCED = errorResponse("The node is not almost synced (confirmed milestone below latest − 2).");

interface Operation {
  method: "get" | "post" | "delete";
  /** As fastify registers it: `:name` for a path parameter. */
  path: string;
  operationId: string;
  tag: string;
  summary: string;
  description?: string;
  parameters?: Json[];
  requestBody?: Json;
  responses: Record<string, Json>;
}

/**
 * The four answers about one message, under the message routes and the included-message routes. Children of an
 * unknown message are listed, not refused (Hornet), so only a transaction without an including message makes
 * `children` a 404.
 */
function messageOperations(
  base: string,
  idParameter: string,
  notFound: string,
  by: string,
  childrenNotFound: boolean,
): Operation[] {
  const common = { tag: "messages", parameters: [paramRef(idParameter)] };
  const missing = errorResponse(notFound);
  return [
    {
      ...common,
      method: "get",
      path: base,
      operationId: `get${by}`,
      summary: "The message as JSON.",
      responses: { 200: dataResponse("Message"), 400: BAD_ID, 404: missing },
    },
    {
      ...common,
      method: "get",
      path: `${base}/metadata`,
      operationId: `get${by}Metadata`,
      summary: "The message's metadata: solidity, referencing milestone, ledger inclusion, promote/reattach hints.",
      responses: { 200: dataResponse("MessageMetadata"), 400: BAD_ID, 404: missing, 503: NOT_SYNCED },
    },
    {
      ...common,
      method: "get",
      path: `${base}/raw`,
      operationId: `get${by}Raw`,
      summary: "The message's bytes.",
      responses: { 200: RAW_MESSAGE, 400: BAD_ID, 404: missing },
    },
    {
      ...common,
      method: "get",
      path: `${base}/children`,
      operationId: `get${by}Children`,
      summary: "The ids of the messages that approve the message, in id order.",
      responses: {
        200: dataResponse("Children"),
        400: BAD_ID,
        ...(childrenNotFound ? { 404: missing } : {}),
      },
    },
  ];
}

/** The three address routes under one spelling of the address. */
function addressOperations(base: string, parameter: string, form: string): Operation[] {
  const common = { tag: "ledger", parameters: [paramRef(parameter)] };
  return [
    {
      ...common,
      method: "get",
      path: base,
      operationId: `getAddressBalance${form}`,
      summary: "The address's balance and whether it may receive another dust output.",
      responses: { 200: dataResponse("AddressBalance"), 400: BAD_ID, 503: NOT_SYNCED },
    },
    {
      ...common,
      method: "get",
      path: `${base}/outputs`,
      operationId: `getAddressOutputs${form}`,
      summary: "The ids of the address's outputs: unspent first, then spent ones if asked for.",
      parameters: [paramRef(parameter), paramRef("IncludeSpent"), paramRef("OutputType")],
      responses: { 200: dataResponse("AddressOutputs"), 400: BAD_ID, 503: NOT_SYNCED },
    },
    {
      ...common,
      method: "get",
      path: `${base}/tx-history`,
      operationId: `getAddressTxHistory${form}`,
      summary: "The confirmed transactions that touched the address, newest first (Hornet 1.2 extra).",
      responses: { 200: dataResponse("TxHistory"), 400: BAD_ID },
    },
  ];
}

function operations(withMetrics: boolean): Operation[] {
  const v1 = "/api/v1";
  return [
    {
      method: "get",
      path: "/health",
      operationId: "getHealth",
      tag: "node",
      summary: "Whether the node is healthy; no body.",
      description:
        "Healthy: almost synced (confirmed milestone ≥ latest − 2), a connected peer (unless the node runs without " +
        "peers by configuration) and a latest milestone at most 5 minutes old.",
      responses: { 200: { description: "The node is healthy." }, 503: { description: "The node is not healthy." } },
    },
    {
      method: "get",
      path: "/api/routes",
      operationId: "getApiRoutes",
      tag: "node",
      summary: "The API groups this node serves under /api/.",
      responses: { 200: dataResponse("ApiRoutes") },
    },
    {
      method: "get",
      path: OPENAPI_PATH,
      operationId: "getOpenApiDocument",
      tag: "node",
      summary: "This document (not wrapped in the data envelope).",
      responses: {
        200: {
          description: "The OpenAPI 3.0 document of this node's API.",
          content: {
            [JSON_TYPE]: {
              schema: {
                type: "object",
                required: ["openapi", "info", "paths"],
                properties: {
                  openapi: { type: "string", enum: ["3.0.3"] },
                  info: { type: "object" },
                  paths: { type: "object" },
                },
              },
            },
          },
        },
      },
    },
    ...(withMetrics
      ? [
          {
            method: "get",
            path: METRICS_PATH,
            operationId: "getMetrics",
            tag: "node",
            summary: "The node's metrics in the Prometheus text format (not wrapped in the data envelope).",
            responses: {
              200: {
                description: "Prometheus text exposition format 0.0.4.",
                content: { "text/plain": { schema: { type: "string" } } },
              },
            },
          } satisfies Operation,
        ]
      : []),
    {
      method: "get",
      path: `${v1}/info`,
      operationId: "getInfo",
      tag: "node",
      summary: "Who the node is and where its view of the Tangle stands.",
      responses: { 200: dataResponse("NodeInfo") },
    },
    {
      method: "get",
      path: `${v1}/tips`,
      operationId: "getTips",
      tag: "messages",
      summary: "Up to 4 tips to attach a new message to, sorted.",
      parameters: [paramRef("SpammerTips")],
      responses: {
        200: dataResponse("Tips"),
        503: errorResponse("The node is not almost synced, or tip selection found no tip."),
      },
    },
    {
      method: "post",
      path: `${v1}/messages`,
      operationId: "submitMessage",
      tag: "messages",
      summary: "Submits a message; the node completes it, validates it and gossips it.",
      description:
        `A message of at most ${MESSAGE_LENGTH_MAX} bytes. Remote PoW is limited per client and by the node's ` +
        "PoW queue.",
      requestBody: {
        required: true,
        content: {
          [JSON_TYPE]: { schema: ref("SubmitMessage") },
          "application/octet-stream": {
            schema: { type: "string", format: "binary", description: "The complete message's bytes (TIP-6)." },
          },
        },
      },
      responses: {
        201: {
          ...dataResponse("MessageCreated", "The message is stored."),
          headers: { Location: { description: "The new message's id.", schema: ref("Id") } },
        },
        400: errorResponse("The body is unreadable, or the message is malformed, cannot be completed or was rejected."),
        413: responseRef("PayloadTooLarge"),
        415: responseRef("UnsupportedMediaType"),
        429: errorResponse("The client asked for remote PoW more often than the node allows per minute."),
        503: errorResponse("The node is not almost synced, its PoW queue is full, or tip selection failed."),
      },
    },
    {
      method: "get",
      path: `${v1}/messages`,
      operationId: "getMessagesByIndex",
      tag: "messages",
      summary: "The ids of messages with an indexation payload of this index.",
      parameters: [paramRef("Index")],
      responses: { 200: dataResponse("MessagesByIndex"), 400: BAD_ID },
    },
    ...messageOperations(`${v1}/messages/:messageId`, "MessageId", "The message is not known.", "Message", false),
    ...messageOperations(
      `${v1}/transactions/:transactionId/included-message`,
      "TransactionId",
      "No included transaction with this id is in the ledger (unknown, conflicting, or pruned).",
      "IncludedMessage",
      true,
    ),
    {
      method: "get",
      path: `${v1}/milestones/:index`,
      operationId: "getMilestone",
      tag: "milestones",
      summary: "The milestone's message id and timestamp.",
      parameters: [paramRef("MilestoneIndex")],
      responses: { 200: dataResponse("Milestone"), 400: BAD_ID, 404: errorResponse("The milestone is not known.") },
    },
    {
      method: "get",
      path: `${v1}/milestones/:index/utxo-changes`,
      operationId: "getMilestoneUtxoChanges",
      tag: "milestones",
      summary: "The outputs the milestone's confirmation created and consumed.",
      parameters: [paramRef("MilestoneIndex")],
      responses: {
        200: dataResponse("UtxoChanges"),
        400: BAD_ID,
        404: errorResponse("No ledger changes are known for the milestone (not confirmed yet, or pruned)."),
      },
    },
    {
      method: "get",
      path: `${v1}/outputs/:outputId`,
      operationId: "getOutput",
      tag: "ledger",
      summary: "An output of the ledger, spent or not.",
      parameters: [paramRef("OutputId")],
      responses: {
        200: dataResponse("OutputResponse"),
        400: BAD_ID,
        404: errorResponse("The output is not in the ledger."),
      },
    },
    ...addressOperations(`${v1}/addresses/:address`, "Bech32Address", "Bech32"),
    ...addressOperations(`${v1}/addresses/ed25519/:address`, "Ed25519Address", "Ed25519"),
    {
      method: "get",
      path: `${v1}/receipts`,
      operationId: "getReceipts",
      tag: "ledger",
      summary: "The receipts of confirmed milestones (TIP-17), in migratedAt order.",
      responses: { 200: dataResponse("Receipts") },
    },
    {
      method: "get",
      path: `${v1}/receipts/:migratedAt`,
      operationId: "getReceiptsMigratedAt",
      tag: "ledger",
      summary: "The receipts of funds migrated at one legacy milestone.",
      parameters: [paramRef("MigratedAt")],
      responses: { 200: dataResponse("Receipts"), 400: BAD_ID },
    },
    {
      method: "get",
      path: `${v1}/treasury`,
      operationId: "getTreasury",
      tag: "ledger",
      summary: "The unspent treasury output (TIP-17).",
      responses: { 200: dataResponse("Treasury"), 404: errorResponse("The ledger holds no treasury output yet.") },
    },
    {
      method: "get",
      path: `${v1}/peers`,
      operationId: "getPeers",
      tag: "peers",
      summary: "Every connected peer and every configured peer address.",
      responses: { 200: { description: "Success.", content: { [JSON_TYPE]: { schema: ref("PeerListResponse") } } } },
    },
    {
      method: "post",
      path: `${v1}/peers`,
      operationId: "addPeer",
      tag: "peers",
      summary: "Adds a peer address to dial; the alias lives until the node restarts.",
      requestBody: { required: true, content: { [JSON_TYPE]: { schema: ref("AddPeer") } } },
      responses: {
        200: dataResponse("Peer", "The peer as it is now listed."),
        400: errorResponse("The body is not an object, or multiAddress or alias is invalid."),
        413: responseRef("PayloadTooLarge"),
        415: responseRef("UnsupportedMediaType"),
      },
    },
    {
      method: "get",
      path: `${v1}/peers/:peerId`,
      operationId: "getPeer",
      tag: "peers",
      summary: "One peer.",
      parameters: [paramRef("PeerId")],
      responses: { 200: dataResponse("Peer"), 400: BAD_ID, 404: errorResponse("The peer is not known.") },
    },
    {
      method: "delete",
      path: `${v1}/peers/:peerId`,
      operationId: "removePeer",
      tag: "peers",
      summary: "Disconnects the peer and forgets its address.",
      parameters: [paramRef("PeerId")],
      responses: {
        204: { description: "The peer was removed." },
        400: BAD_ID,
        404: errorResponse("The peer is not known."),
      },
    },
    ...controlOperations(`${v1}/control`),
  ];
}

/** Hornet's maintenance routes; the node refuses what its state rules out. */
/** The plugins' routes (Hornet serves plugins under /api/plugins), present only when the plugin is on. */
function pluginOperations(faucet: boolean, spammer: boolean): Operation[] {
  const faucetBase = "/api/plugins/faucet/v1";
  const spammerBase = "/api/plugins/spammer/v1";
  const faucetOps: Operation[] = [
    {
      method: "get",
      path: `${faucetBase}/info`,
      operationId: "getFaucetInfo",
      tag: "plugins",
      summary: "The faucet's address, confirmed balance, amount per request and queued requests.",
      responses: { 200: dataResponse("FaucetInfo") },
    },
    {
      method: "post",
      path: `${faucetBase}/enqueue`,
      operationId: "enqueueFaucetRequest",
      tag: "plugins",
      summary: "Queues one payment of the faucet amount to a bech32 address of this network.",
      requestBody: { required: true, content: { [JSON_TYPE]: { schema: ref("FaucetRequest") } } },
      responses: {
        202: dataResponse("FaucetEnqueued", "Queued; it is sent with the next faucet transaction."),
        400: errorResponse("Not a bech32 address of this network, or the faucet's own address."),
        413: responseRef("PayloadTooLarge"),
        415: responseRef("UnsupportedMediaType"),
        429: errorResponse("This address is already waiting, or asked within the last interval."),
        503: errorResponse("The faucet cannot cover the request, or its queue is full."),
      },
    },
  ];
  const status = { 200: dataResponse("SpammerStatus") };
  const spammerOps: Operation[] = [
    {
      method: "post",
      path: `${spammerBase}/start`,
      operationId: "startSpammer",
      tag: "plugins",
      summary: "Starts (or retunes) the spammer: indexation messages, or value transfers, at a rate.",
      requestBody: { required: true, content: { [JSON_TYPE]: { schema: ref("SpammerStart") } } },
      responses: {
        ...status,
        400: errorResponse("mps is not 1..1000, or value transactions need the faucet."),
        413: responseRef("PayloadTooLarge"),
        415: responseRef("UnsupportedMediaType"),
      },
    },
    {
      method: "post",
      path: `${spammerBase}/stop`,
      operationId: "stopSpammer",
      tag: "plugins",
      summary: "Stops the spammer; answers the final counts.",
      responses: status,
    },
    {
      method: "get",
      path: `${spammerBase}/status`,
      operationId: "getSpammerStatus",
      tag: "plugins",
      summary: "Whether the spammer runs, its target and achieved rate, and its counts since the last start.",
      responses: status,
    },
  ];
  return [...(faucet ? faucetOps : []), ...(spammer ? spammerOps : [])];
}

function controlOperations(base: string): Operation[] {
  const refusals = {
    413: responseRef("PayloadTooLarge"),
    415: responseRef("UnsupportedMediaType"),
    409: errorResponse("A prune or a snapshot is already running."),
    503: errorResponse("The node cannot do it now: no node control, the node is closing, or the ledger moved."),
  };
  return [
    {
      method: "post",
      path: `${base}/database/prune`,
      operationId: "pruneDatabase",
      tag: "control",
      summary: "Prunes messages, milestones and ledger diffs up to an index, a depth or a database size.",
      requestBody: { required: true, content: { [JSON_TYPE]: { schema: ref("PruneDatabase") } } },
      responses: {
        200: dataResponse("Pruned"),
        400: errorResponse("The body is invalid, or the target is not one the node can prune to."),
        ...refusals,
      },
    },
    {
      method: "post",
      path: `${base}/snapshots/create`,
      operationId: "createSnapshots",
      tag: "control",
      summary: "Writes a full snapshot, and a delta snapshot when asked, into the node's snapshot directory.",
      requestBody: { required: false, content: { [JSON_TYPE]: { schema: ref("CreateSnapshots") } } },
      responses: {
        200: dataResponse("CreatedSnapshots"),
        400: errorResponse("The body is invalid, or the ledger diffs the snapshot needs are gone."),
        ...refusals,
      },
    },
  ];
}

/** `/a/:b/c` → `/a/{b}/c`. */
export function toOpenApiPath(fastifyPath: string): string {
  return fastifyPath.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
}

function operationObject(op: Operation): Json {
  const protectedRoute = isProtectedRoute(op.path);
  return {
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
    ...(op.description === undefined ? {} : { description: op.description }),
    ...(op.parameters === undefined ? {} : { parameters: op.parameters }),
    ...(op.requestBody === undefined ? {} : { requestBody: op.requestBody }),
    ...(protectedRoute ? { security: [{ [SECURITY_SCHEME]: [] }] } : {}),
    responses: {
      ...op.responses,
      ...(protectedRoute ? { 403: responseRef("Forbidden") } : {}),
      500: responseRef("InternalError"),
    },
  };
}

/** The OpenAPI 3.0.3 document of the API as createApiServer builds it. */
export function openApiDocument(info: OpenApiInfo): OpenApiDocument {
  const paths: Record<string, Record<string, Json>> = {};
  for (const op of [
    ...operations(info.metrics ?? true),
    ...pluginOperations(info.faucet ?? false, info.spammer ?? false),
  ]) {
    const path = toOpenApiPath(op.path);
    paths[path] = { ...paths[path], [op.method]: operationObject(op) };
  }
  return {
    openapi: "3.0.3",
    info: {
      title: "Weaver node REST API",
      version: info.version,
      description:
        "The REST API of a Weaver node: TIP-13 (IOTA Chrysalis) as Hornet 1.2.8 serves it, with Weaver's additions. " +
        'Successful JSON answers are {"data": …}; every failure is {"error": {"code": "<HTTP status>", ' +
        '"message": …}}. Every GET route also answers HEAD, and with CORS on every path answers a preflight ' +
        "OPTIONS. Operations marked with the apiToken scheme need a token signed with the node's API secret.",
      license: { name: "Apache-2.0", url: "https://www.apache.org/licenses/LICENSE-2.0" },
    },
    tags: [
      { name: "node", description: "The node itself." },
      { name: "messages", description: "Messages of the Tangle, and submitting them." },
      { name: "milestones", description: "Milestones and what their confirmation changed." },
      { name: "ledger", description: "Outputs, addresses, receipts and the treasury." },
      { name: "peers", description: "The node's gossip peers." },
      { name: "control", description: "Maintenance of the node: pruning and snapshots (Hornet 1.2.8)." },
      { name: "plugins", description: "The faucet and the spammer, when the node runs them." },
    ],
    paths,
    components: {
      schemas: { ...dataSchemas(), ...requestSchemas(), ...envelopeSchemas(ENVELOPED) },
      parameters: parameters(),
      responses: responses(),
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "An HS256 JWT signed with the node's API secret (weaver tool jwt).",
        },
      },
    },
  };
}
