// account_get.
import { encodeAddress } from "../../../crypto/address.js";
import { optionalHeight, readParams, requiredAddress } from "../params.js";
import type { MethodHandler } from "./context.js";
import { assertCommitted } from "./context.js";

export const accountGet: MethodHandler<"account_get"> = async (raw, ctx) => {
  const params = readParams(raw, ["address", "height"]);
  const address = requiredAddress(params, "address");
  const height = optionalHeight(params, "height");
  if (height !== undefined) assertCommitted(ctx, height);
  const answer = await ctx.backend.getAccount(address, height);
  return {
    address: encodeAddress(address),
    height: answer.height,
    exists: answer.account !== undefined,
    nonce: answer.account?.nonce ?? 0,
    balance: (answer.account?.balance ?? 0n).toString(),
  };
};
