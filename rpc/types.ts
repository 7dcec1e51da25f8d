// The JSON the RPC serves, method by method: the server's renderers return these types and the
// client's methods resolve to them, so both sides agree at compile time.
//
// Encoding: integers that fit 2^53 are numbers; amounts (and any larger integer) are decimal
// strings; bytes are 0x-prefixed lowercase hex; account addresses are bech32 (kyo1...);
// consensus (validator) addresses are 0x-hex, as in CometBFT.
import type { TreeProof } from "../state/tree/types.js";
import type { ModuleResults } from "./module-json.js";

export type * from "./module-json.js";

export interface StatusJson {
  chainId: string;
  nodeVersion: string;
  latestBlockHeight: number;
  latestBlockHash: string;
  latestAppHash: string;
  latestBlockTimeMs: number;
  /** ISO 8601 form of latestBlockTimeMs. */
  latestBlockTime: string;
  earliestBlockHeight: number;
  catchingUp: boolean;
  validatorAddress: string;
  mempool?: { size: number; bytes: number };
}

export interface EventJson {
  type: string;
  attributes: { key: string; value: string }[];
}

export interface TxResultJson {
  code: number;
  /** Stable name of `code` (e.g. "OK", "INSUFFICIENT_FUNDS"). */
  codename: string;
  codespace: string;
  log: string;
  gasWanted: number;
  gasUsed: number;
  events: EventJson[];
}

export interface MessageJson {
  /** Full protobuf type name, e.g. "kyochi.bank.v1.MsgSend". */
  type: string;
  value: Record<string, unknown>;
}

export interface TxBodyJson {
  chainId: string;
  nonce: number;
  /** Total fee, base units. */
  fee: string;
  gasLimit: number;
  messages: MessageJson[];
  memo: string;
}

/** A tx as stored in a block, decoded. `error` is set (and body absent) if the bytes do not decode. */
export interface DecodedTxJson {
  hash: string;
  size: number;
  signer?: string;
  keyType?: string;
  publicKey?: string;
  signature?: string;
  body?: TxBodyJson;
  error?: string;
  /** The raw bytes, only when they do not decode. */
  raw?: string;
}

export interface BlockHeaderJson {
  chainId: string;
  height: number;
  timeMs: number;
  time: string;
  lastBlockHash: string;
  lastCommitHash: string;
  dataHash: string;
  validatorsHash: string;
  nextValidatorsHash: string;
  /** State root after block height-1. */
  appHash: string;
  lastResultsHash: string;
  evidenceHash: string;
  proposerAddress: string;
}

export interface CommitSigJson {
  flag: string;
  validatorAddress: string;
  timestampMs: number;
  signature: string;
}

export interface CommitJson {
  height: number;
  round: number;
  blockHash: string;
  signatures: CommitSigJson[];
}

export interface BlockJson {
  blockHash: string;
  header: BlockHeaderJson;
  txs: DecodedTxJson[];
  /** The commit of height-1 carried in this block (null in the first block). */
  lastCommit: CommitJson | null;
}

/**
 * chain_getBlock with `txs: "hashes"`: the block with each tx as its hash only (as Ethereum's
 * eth_getBlockByNumber without full transactions), for clients that follow blocks for their own
 * txs and would otherwise have every tx decoded and rendered.
 */
export interface BlockTxHashesJson extends Omit<BlockJson, "txs"> {
  txs: string[];
}

/** How chain_getBlock renders txs: decoded (default) or as hashes only. */
export type BlockTxsDetail = "full" | "hashes";

/** One block of an explorer's block list (chain_getBlocks). */
export interface BlockSummaryJson {
  height: number;
  /** The header hash. */
  hash: string;
  timeMs: number;
  /** ISO 8601 form of timeMs. */
  time: string;
  /** Consensus address of the validator that proposed it, 0x-hex. */
  proposerAddress: string;
  txCount: number;
  /** State root after block height-1. */
  appHash: string;
  lastBlockHash: string;
}

/** chain_getBlocks params: a height range, read one page at a time. */
export interface GetBlocksParams {
  /** Lowest height (default: the earliest stored); clamped to the stored blocks. */
  minHeight?: number | string;
  /** Highest height (default: the latest committed); clamped likewise. */
  maxHeight?: number | string;
  /** "desc" (default: newest first) or "asc". */
  order?: "asc" | "desc";
  /** 1..100, default 20. */
  limit?: number;
  /** The previous page's nextCursor (the next height to read). */
  cursor?: string;
}

export interface BlocksJson {
  blocks: BlockSummaryJson[];
  /** The `cursor` of the next page (a height, as a string); null on the last page. */
  nextCursor: string | null;
}

export interface BlockResultsJson {
  height: number;
  /** State root after this block. */
  appHash: string;
  /** One per tx, in block order; `hash` is set when the block is still stored. */
  txResults: (TxResultJson & { hash?: string })[];
  finalizeEvents: EventJson[];
  validatorUpdates: { pubKey: string; power: number }[];
}

export interface TxRecordJson {
  hash: string;
  height: number;
  index: number;
  tx: DecodedTxJson;
  /** The tx bytes as included, hex. */
  txBytes: string;
  result: TxResultJson;
}

/** tx_simulate: what the tx would do as the next block's first tx; nothing was committed. */
export interface TxSimulateJson {
  gasWanted: number;
  gasUsed: number;
  /** 0 when the tx would succeed. */
  code: number;
  codename: string;
  log: string;
  events: EventJson[];
}

/** tx_search's event selector: txs that emitted an event `type` with attribute `key` = `value`. */
export interface TxSearchEventJson {
  type: string;
  key: string;
  value: string;
}

/** tx_search params: at least one of sender, recipient, event; all given must match. */
export interface TxSearchParams {
  /** Signer (kyo1...). */
  sender?: string;
  /** An address the tx names other than as signer: bank send `to`, address-valued event attributes. */
  recipient?: string;
  event?: TxSearchEventJson;
  fromHeight?: number | string;
  toHeight?: number | string;
  /** The previous page's nextCursor ("height:index", the position to continue after). */
  cursor?: string;
  /** 1..100, default 30. */
  limit?: number;
  /** By (height, index): "asc" (default) or "desc". */
  order?: "asc" | "desc";
}

export interface TxSearchJson {
  txs: TxRecordJson[];
  /** The `cursor` of the next page ("height:index"); null on the last page. */
  nextCursor: string | null;
}

export type BroadcastMode = "sync" | "commit";

/** tx_broadcast in sync mode: the tx passed checkTx and waits in the mempool. */
export interface BroadcastSyncJson {
  mode: "sync";
  hash: string;
  code: 0;
  codename: "OK";
  log: string;
  gasWanted: number;
}

/** tx_broadcast in commit mode: the tx is in a committed block; `result` is how it executed. */
export interface BroadcastCommitJson {
  mode: "commit";
  hash: string;
  height: number;
  index: number;
  checkTx: { code: 0; codename: "OK"; log: string; gasWanted: number };
  result: TxResultJson;
}

export interface AccountJson {
  address: string;
  /** The height whose state answered. */
  height: number;
  /** False when the account was never written (then nonce 0, balance "0"). */
  exists: boolean;
  nonce: number;
  balance: string;
}

export interface ProofJson {
  /** The state root `appHash` is the one after this block. */
  height: number;
  key: string;
  /** Null when the key is absent (then `proof.kind` is "exclusion"). */
  value: string | null;
  appHash: string;
  proof: TreeProof;
  /** Set for an account key that holds an account: the decoded value. */
  account?: { address: string; nonce: number; balance: string };
}

export interface ValidatorJson {
  /** 20-byte consensus address, 0x-hex. */
  address: string;
  /** Ed25519 consensus public key, 0x-hex. */
  pubKey: string;
  votingPower: string;
  /** Proposer priority at round 0 of the height (signed). */
  proposerPriority: string;
}

export interface ValidatorsJson {
  /** The height whose validators (the ones that sign that block) these are. */
  height: number;
  /** One page of the set, in set order (by address, the order of commit signatures). */
  validators: ValidatorJson[];
  /** Size of the whole set. */
  total: number;
  /** The `cursor` of the next page; null on the last one. */
  nextCursor: number | null;
}

/** A validator as staking keeps it (staking_getValidator, staking_listValidators). */
export interface StakingValidatorJson {
  /** Operator account (kyo1...). */
  operator: string;
  /** Ed25519 consensus public key, 0x-hex. */
  consensusPubkey: string;
  /** 20-byte consensus address, 0x-hex. */
  consensusAddress: string;
  moniker: string;
  /** bonded: in the active set; unbonded: outside it; jailed; tombstoned: out for good. */
  status: "bonded" | "unbonded" | "jailed" | "tombstoned";
  /** Bonded stake, base units. */
  stake: string;
  /** Power in the active set (0 when not in it). */
  power: number;
  /** stake / power_reduction: the power it would have if selected. */
  potentialPower: number;
  jailed: boolean;
  /** First height at which unjail is accepted; 0 when not jailed for downtime. */
  jailedUntil: number;
  tombstoned: boolean;
  /** Stake on its way out, oldest first. */
  unbonding: { amount: string; creationHeight: number; completionHeight: number }[];
  createdHeight: number;
}

export interface StakingValidatorsJson {
  height: number;
  /** One page, by operator address. */
  validators: StakingValidatorJson[];
  /** How many validators match the status filter. */
  total: number;
  /** The `cursor` of the next page (the last operator of this one); null on the last page. */
  nextCursor: string | null;
}

/** A member of the active set staking decided (what consensus applies two blocks later). */
export interface ActiveValidatorJson {
  operator: string;
  consensusPubkey: string;
  /** "ed25519". */
  consensusKeyType: string;
  stake: string;
  power: number;
  moniker: string;
}

export interface StakingValidatorSetJson {
  height: number;
  /** Sorted by operator. */
  validators: ActiveValidatorJson[];
}

/** A connected peer, as the p2p host sees it. */
export interface NetInfoPeer {
  peerId: string;
  /** The peer's remote address (a multiaddr, e.g. "/ip4/127.0.0.1/tcp/26656"). */
  address: string;
  direction: "inbound" | "outbound";
  /** The last chain height the peer reported; 0 when it has not reported one. */
  height: number;
  /** Its peer score (higher is better; negative ones get banned). */
  score: number;
}

/** The node's place in the p2p network: its identity, where it listens, who it is connected to. */
export interface NetInfo {
  /** This node's libp2p peer id ("12D3Koo..."); "" when it runs no p2p host. */
  peerId: string;
  listenAddresses: string[];
  peers: NetInfoPeer[];
}

/** What net_info asks: the p2p host implements it (node/p2p), the RPC backend is given one. */
export interface NetInfoSource {
  netInfo(): NetInfo;
}

/** Any JSON object (the module methods' answers have their own types: rpc/module-json.ts). */
export type JsonObject = { [key: string]: unknown };

/** Params of a list method: a page after `cursor` (from the previous page's nextCursor). */
export interface PageParams {
  cursor?: number;
  limit?: number;
  height?: number | string;
}

/** Params of a method that reads one object by id. */
export interface IdParams {
  id: number | string;
  height?: number | string;
}

/** Params and results of every method, by name. */
export interface RpcMethods {
  chain_status: { params: Record<string, never>; result: StatusJson };
  chain_getBlock: {
    params: { height?: number | string; txs?: BlockTxsDetail };
    result: BlockJson | BlockTxHashesJson;
  };
  chain_getBlocks: { params: GetBlocksParams; result: BlocksJson };
  chain_getBlockResults: { params: { height: number | string }; result: BlockResultsJson };
  chain_getValidators: {
    params: { height?: number | string; cursor?: number; limit?: number };
    result: ValidatorsJson;
  };
  chain_getCommit: { params: { height?: number | string }; result: CommitJson };
  net_info: { params: Record<string, never>; result: NetInfo };
  tx_broadcast: {
    params: { tx: string; mode?: BroadcastMode; timeoutMs?: number };
    result: BroadcastSyncJson | BroadcastCommitJson;
  };
  tx_get: { params: { hash: string }; result: TxRecordJson };
  tx_simulate: { params: { tx: string }; result: TxSimulateJson };
  tx_search: { params: TxSearchParams; result: TxSearchJson };
  account_get: { params: { address: string; height?: number | string }; result: AccountJson };
  state_getProof: {
    params: { key: string; height?: number | string } | { address: string; height?: number | string };
    result: ProofJson;
  };
  chain_getParams: { params: { height?: number | string }; result: ModuleResults["chain_getParams"] };
  data_getDataset: { params: IdParams; result: ModuleResults["data_getDataset"] };
  data_listDatasets: {
    params: PageParams & { owner?: string };
    result: ModuleResults["data_listDatasets"];
  };
  data_getLicense: { params: IdParams; result: ModuleResults["data_getLicense"] };
  data_listLicenses: {
    params: PageParams & ({ licensee: string } | { datasetId: number | string });
    result: ModuleResults["data_listLicenses"];
  };
  model_get: {
    params: IdParams | { name: string; version: string; height?: number | string };
    result: ModuleResults["model_get"];
  };
  model_list: { params: PageParams & { owner?: string }; result: ModuleResults["model_list"] };
  model_getLineage: { params: IdParams; result: ModuleResults["model_getLineage"] };
  gov_getProposal: { params: IdParams; result: ModuleResults["gov_getProposal"] };
  gov_listProposals: {
    params: PageParams & { status?: string };
    result: ModuleResults["gov_listProposals"];
  };
  gov_getVotes: {
    params: PageParams & { proposalId: number | string };
    result: ModuleResults["gov_getVotes"];
  };
  gov_getUpgradePlan: { params: { height?: number | string }; result: ModuleResults["gov_getUpgradePlan"] };
  attestation_getTrustedRoots: {
    params: PageParams & { evidenceClass?: string };
    result: ModuleResults["attestation_getTrustedRoots"];
  };
  compute_getJob: { params: IdParams; result: ModuleResults["compute_getJob"] };
  compute_listJobs: {
    params: PageParams & { state?: string; owner?: string; worker?: string };
    result: ModuleResults["compute_listJobs"];
  };
  compute_getWorker: {
    params: { address: string; height?: number | string };
    result: ModuleResults["compute_getWorker"];
  };
  compute_listWorkers: {
    params: PageParams & { operator?: string; status?: string; attested?: boolean };
    result: ModuleResults["compute_listWorkers"];
  };
  attestation_getAllowedMeasurements: {
    params: PageParams & { evidenceClass: string };
    result: ModuleResults["attestation_getAllowedMeasurements"];
  };
  staking_getValidator: {
    /** Operator (kyo1...) or consensus address (0x + 40 hex). */
    params: { address: string; height?: number | string };
    result: StakingValidatorJson & { height: number };
  };
  staking_listValidators: {
    params: {
      status?: StakingValidatorJson["status"];
      cursor?: string;
      limit?: number;
      height?: number | string;
    };
    result: StakingValidatorsJson;
  };
  staking_getValidatorSet: { params: { height?: number | string }; result: StakingValidatorSetJson };
}

export type RpcMethodName = keyof RpcMethods;
