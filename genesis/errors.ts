export type GenesisErrorCode = "GENESIS_INVALID" | "GENESIS_NOT_FOUND" | "GENESIS_NOT_JSON";

/** A genesis problem; `field` names the offending field as a JSON path (e.g. app_state.accounts[2].balance). */
export class GenesisError extends Error {
  readonly code: GenesisErrorCode;
  readonly field: string;
  constructor(code: GenesisErrorCode, field: string, message: string) {
    super(field ? `genesis ${field}: ${message}` : `genesis: ${message}`);
    this.name = "GenesisError";
    this.code = code;
    this.field = field;
  }
}
