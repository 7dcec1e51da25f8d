// The SDK tests' way to look at a refusal: the RpcClientError (with the server's stable code) that
// a client call rejects with. Anything else it rejects with is rethrown as it is, and a call that
// succeeds is an error of its own, so a test cannot pass by accident on a call that went through.
import { RpcClientError } from "../client/errors.js";

export async function clientFailure(promise: Promise<unknown>): Promise<RpcClientError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof RpcClientError) return err;
    throw err;
  }
  throw new Error("expected an RpcClientError");
}
