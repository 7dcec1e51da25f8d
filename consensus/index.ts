// Public API of consensus/: create and run the engine for a node, plus the pieces other areas use
// (the Application and TxSource ports, the transport seam, commit checking, error codes).
import { ConsensusDriver, type ConsensusOptions } from "./driver/driver.js";

export type {
  AppInfo,
  Application,
  BlockContext,
  CheckTxMode,
  CheckTxResult,
  FinalizeBlockRequest,
  FinalizeBlockResult,
  PrepareProposalRequest,
  ProcessProposalRequest,
  QueryRequest,
  QueryResult,
} from "./application.js";
export * as core from "./core/index.js";
export { type ChainTip, checkBlock, resultsHash, txsHash, ZERO_HASH } from "./driver/block.js";
export type { BlockStorePort } from "./driver/block-store-port.js";
export { validatorInfosAt } from "./driver/chain-validators.js";
export { type Clock, systemClock } from "./driver/clock.js";
export { buildCommit, precommitOfCommitSig, verifyCommit } from "./driver/commit.js";
export { type ConsensusConfig, DEFAULT_CONSENSUS_CONFIG, resolveConsensusConfig } from "./driver/config.js";
export {
  type CommitEvent,
  type Consensus,
  ConsensusDriver,
  type ConsensusOptions,
  type ConsensusStatus,
  type EvidenceEvent,
  PRIV_VALIDATOR_STATE_FILE,
  type RejectedMessage,
  WAL_FILE,
} from "./driver/driver.js";
export { type HandshakeResult, handshake } from "./driver/handshake.js";
export { FileSigner, type FileSignerOptions, type LastSignState, SignStep } from "./driver/signer.js";
export {
  type ConsensusMessageKind,
  type InboundMessage,
  LocalTransport,
  type MessageHandler,
  type PeerChainStatus,
  type SyncedBlock,
  type SyncNetwork,
  type Transport,
} from "./driver/transport.js";
export { ConsensusValidatorSet } from "./driver/validator-set.js";
export { Wal } from "./driver/wal.js";
export { ConsensusError, type ConsensusErrorCode } from "./errors.js";
export { type Logger, silentLogger } from "./logger.js";
export type { TxSource } from "./mempool-port.js";

/** Creates the engine; nothing runs until `start()`. Throws ConsensusError on a bad validator set or config. */
export function createConsensus(options: ConsensusOptions): ConsensusDriver {
  return new ConsensusDriver(options);
}
