import { CodedError } from "../proto/coded-error.js";
export type NodeErrorCode =
  | "CONFIG_INVALID"
  | "CONFIG_NOT_FOUND"
  | "DEVNET_INVALID"
  | "DEVNET_MISMATCH"
  | "HOME_EXISTS"
  | "HOME_NOT_INITIALIZED"
  | "KEY_NOT_FOUND"
  | "KEY_EXISTS"
  | "KEY_FILE_INVALID"
  | "NOT_A_VALIDATOR"
  | "RPC_ADDRESS_IN_USE"
  | "GRPC_ADDRESS_IN_USE"
  | "METRICS_ADDRESS_IN_USE";

/** Errors of the node process (config, home, keys); `code` is stable. */
export class NodeError extends CodedError<NodeErrorCode> {}
