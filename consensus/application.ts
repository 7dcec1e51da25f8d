// The one seam between consensus and the state machine (CometBFT's ABCI++). Consensus declares
// it and drives it; execution satisfies it structurally; node/ wires the two. Only plain data and
// proto types cross it.
import type {
  AppInfo,
  CheckTxMode,
  CheckTxResult,
  CommitResult,
  FinalizeBlockRequest,
  FinalizeBlockResult,
  PrepareProposalRequest,
  ProcessProposalRequest,
  QueryRequest,
  QueryResult,
} from "../proto/application.js";
import type { WriteBatch } from "../state/db.js";

export type {
  AppInfo,
  BlockContext,
  CheckTxMode,
  CheckTxResult,
  CommitInfo,
  CommitResult,
  CommitVoteInfo,
  FinalizeBlockRequest,
  FinalizeBlockResult,
  HaltRequest,
  Misbehavior,
  PrepareProposalRequest,
  ProcessProposalRequest,
  QueryRequest,
  QueryResult,
} from "../proto/application.js";

export interface Application {
  info(): Promise<AppInfo>;
  /**
   * `hash`: the tx's sha256 when the caller already holds it (the mempool hashed it on arrival),
   * so a check or recheck does not hash the bytes again. It must be sha256(tx): it is not checked.
   */
  checkTx(tx: Uint8Array, mode: CheckTxMode, hash?: Uint8Array): Promise<CheckTxResult>;
  /** Chooses the block's txs (drops invalid ones, respects limits). */
  prepareProposal(req: PrepareProposalRequest): Promise<Uint8Array[]>;
  /** Accepts or rejects a proposed block without changing state. */
  processProposal(req: ProcessProposalRequest): Promise<boolean>;
  /** Executes the decided block; nothing is written until `commit`. */
  finalizeBlock(req: FinalizeBlockRequest): Promise<FinalizeBlockResult>;
  /**
   * Adds the finalized block's state, results and index writes to `batch`, which the caller
   * writes atomically together with the block and its commit. After this the app serves the new
   * height; if the batch write fails the process must exit (the handshake repairs on restart).
   * `haltAt` asks consensus to stop before that height (see HaltRequest).
   */
  commit(batch: WriteBatch): Promise<CommitResult>;
  query(req: QueryRequest): Promise<QueryResult>;
  /**
   * True when `commit` itself stores the block's BlockResults (the results finalizeBlock returned,
   * under the block store's key for the height). Consensus then leaves them to it instead of
   * encoding and writing them a second time in the same batch.
   */
  readonly storesBlockResults?: boolean;
}
