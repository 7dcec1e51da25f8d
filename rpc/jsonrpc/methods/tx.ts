// tx_broadcast (sync and commit modes) and tx_get.
import { RpcError } from "../../errors.js";
import type { BroadcastMode } from "../../types.js";
import { optionalEnum, optionalInteger, readParams, requiredHex } from "../params.js";
import { renderTxRecord } from "../render/tx.js";
import { hex } from "../render/values.js";
import type { MethodHandler } from "./context.js";

const MODES: readonly BroadcastMode[] = ["sync", "commit"];

export const txBroadcast: MethodHandler<"tx_broadcast"> = async (raw, { backend, commitTimeoutMs }) => {
  const params = readParams(raw, ["tx", "mode", "timeoutMs"]);
  const tx = requiredHex(params, "tx", { minLength: 1 });
  const mode = optionalEnum(params, "mode", MODES, "sync");
  const timeoutMs = optionalInteger(params, "timeoutMs", 1, commitTimeoutMs) ?? commitTimeoutMs;
  if (mode === "sync" && params.timeoutMs !== undefined) {
    throw RpcError.invalidParam("timeoutMs", "CONFLICT", '"timeoutMs" only applies to mode "commit"');
  }

  const sent = await backend.broadcastTx(tx);
  const hash = hex(sent.hash);
  if (!sent.accepted) {
    if (sent.rejectedBy === "app") {
      throw new RpcError(
        "TX_REJECTED",
        `tx rejected: ${sent.log !== "" ? sent.log : sent.codename}`,
        { hash, txCode: sent.code, log: sent.log },
        sent.codename,
      );
    }
    throw new RpcError(
      "MEMPOOL_REJECTED",
      `tx not admitted: ${sent.log}`,
      { hash, log: sent.log },
      sent.codename,
    );
  }
  const checkTx = { code: 0, codename: "OK", log: sent.log, gasWanted: sent.gasWanted } as const;
  if (mode === "sync") return { mode, hash, ...checkTx };

  const record = await backend.waitForTxCommit(sent.hash, timeoutMs);
  if (record === undefined) {
    throw new RpcError(
      "TX_COMMIT_TIMEOUT",
      `tx ${hash} passed checkTx but was not committed within ${timeoutMs} ms; it may still be; ask tx_get later`,
      { hash, timeoutMs },
    );
  }
  const rendered = renderTxRecord(record);
  return { mode, hash, height: rendered.height, index: rendered.index, checkTx, result: rendered.result };
};

export const txGet: MethodHandler<"tx_get"> = async (raw, { backend }) => {
  const params = readParams(raw, ["hash"]);
  const hash = requiredHex(params, "hash", { length: 32 });
  const record = await backend.getTx(hash);
  if (record === undefined) {
    throw new RpcError("NOT_FOUND", `no committed tx with hash ${hex(hash)}`, { hash: hex(hash) });
  }
  return renderTxRecord(record);
};
