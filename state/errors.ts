import { CodedError } from "../proto/coded-error.js";
export type StateErrorCode =
  /** the version was pruned: its nodes and values may be gone */
  | "VERSION_PRUNED"
  /** the version was never committed (newer than the latest) */
  | "VERSION_NOT_FOUND"
  /** commit() got a version that is not strictly greater than the latest (or not a safe integer) */
  | "INVALID_VERSION"
  /** a second commit started while one was still loading nodes */
  | "COMMIT_IN_PROGRESS"
  /** prune() got a version outside [oldestVersion, version] */
  | "INVALID_PRUNE"
  /** a stored record does not decode: the database is damaged or was written by other code */
  | "CORRUPT_DATA"
  /** putBlock() got a block whose height is not the next one */
  | "BLOCK_HEIGHT_MISMATCH"
  /** a caller passed an argument outside its range (a bad hash length, a negative height) */
  | "INVALID_ARGUMENT"
  /** the database is held by another process (LevelDB's lock): a node already runs on this home */
  | "DB_LOCKED"
  /** the database could not be opened for another reason (permissions, damage) */
  | "DB_OPEN_FAILED"
  /** a tx search by an event attribute this node does not index (its configuration) */
  | "EVENT_NOT_INDEXED";

/** One error class for state/, with a stable string code (Lodestar style). */
export class StateError extends CodedError<StateErrorCode> {}
