// state_getProof: a raw state-tree key (or an account address) with its value and its inclusion
// or exclusion proof against the state root of a height (format: state/tree/PROOFS.md).
import { encodeAddress } from "../../../crypto/address.js";
import { ACCOUNTS_PREFIX, accountKey } from "../../../execution/modules/accounts/index.js";
import { Account } from "../../../proto/index.js";
import { RpcError } from "../../errors.js";
import type { ProofJson } from "../../types.js";
import { optionalHeight, readParams, requiredAddress, requiredHex } from "../params.js";
import { hex, protoNumber } from "../render/values.js";
import { assertCommitted, type MethodHandler } from "./context.js";

/** State keys are short (a prefix byte and an id); anything longer cannot be in the tree. */
const MAX_KEY_BYTES = 1024;
const ADDRESS_BYTES = 20;

export const stateGetProof: MethodHandler<"state_getProof"> = async (raw, ctx) => {
  const params = readParams(raw, ["key", "address", "height"]);
  if (params.key !== undefined && params.address !== undefined) {
    throw RpcError.invalidParam("key", "CONFLICT", 'give either "key" or "address", not both');
  }
  const key =
    params.address !== undefined
      ? accountKey(requiredAddress(params, "address"))
      : requiredHex(params, "key", { minLength: 1, maxLength: MAX_KEY_BYTES });
  const height = optionalHeight(params, "height");
  if (height !== undefined) assertCommitted(ctx, height);

  const answer = await ctx.backend.getProof(key, height);
  const out: ProofJson = {
    height: answer.height,
    key: hex(answer.key),
    value: answer.value === undefined ? null : hex(answer.value),
    appHash: hex(answer.appHash),
    proof: answer.proof,
  };
  const account = decodeAccountLeaf(answer.key, answer.value);
  if (account !== undefined) out.account = account;
  return out;
};

/** The account stored under an account key, for convenience; undefined for any other key. */
function decodeAccountLeaf(key: Uint8Array, value: Uint8Array | undefined): ProofJson["account"] {
  if (value === undefined || key.length !== 1 + ADDRESS_BYTES || key[0] !== ACCOUNTS_PREFIX) return undefined;
  try {
    const account = Account.decode(value);
    return {
      address: encodeAddress(key.subarray(1)),
      nonce: protoNumber(account.nonce),
      balance: account.balance === "" ? "0" : account.balance,
    };
  } catch {
    return undefined;
  }
}
