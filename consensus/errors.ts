// One error class for consensus/, with stable string codes (Lodestar style). Callers branch on
// `code`, never on the message.
import { CodedError } from "../proto/coded-error.js";
export type ConsensusErrorCode =
  /** The signer refused: a lower height/round/step, or different bytes at the same one. */
  | "SIGNER_DOUBLE_SIGN"
  /** priv_validator_state.json exists but cannot be read or parsed. */
  | "SIGNER_STATE_CORRUPT"
  /** The validator key is not one the signer can use (wrong type). */
  | "SIGNER_BAD_KEY"
  /** The WAL file cannot be read, written or repaired. */
  | "WAL_IO"
  /** Block store and application disagree on the last height by more than one block. */
  | "HANDSHAKE_HEIGHT_MISMATCH"
  /** Replaying or checking a stored block gave a different app hash than the one recorded. */
  | "HANDSHAKE_APP_HASH_MISMATCH"
  /** The block store lacks a block, commit or results it should have. */
  | "BLOCK_STORE_INCONSISTENT"
  /** The validator set is empty, unsorted, duplicated, or its power is out of bounds. */
  | "INVALID_VALIDATOR_SET"
  /** A configuration value is out of range. */
  | "INVALID_CONFIG"
  /** A proposed block does not match this node's state (the message names the field). */
  | "INVALID_BLOCK"
  /** A stored commit or a block's last commit does not verify. */
  | "INVALID_COMMIT"
  /** start() called twice, or after stop(). */
  | "ALREADY_STARTED"
  /** Writing a decided block failed; the node must stop (the handshake repairs on restart). */
  | "COMMIT_FAILED"
  /** The application returned a validator update consensus cannot apply (bad key or power, empty set). */
  | "INVALID_VALIDATOR_UPDATE"
  /** Consensus's own stored records (validator sets) are unreadable or for another height. */
  | "CORRUPT_STATE"
  /** Evidence that does not prove misbehaviour (the message says why). */
  | "INVALID_EVIDENCE"
  /** Block sync received a block or commit that does not verify, or could not make progress. */
  | "BLOCK_SYNC_FAILED"
  /** The application asked to halt before this height (a software upgrade this release lacks). */
  | "UPGRADE_NEEDED";

export class ConsensusError extends CodedError<ConsensusErrorCode> {}
