// kyochi.tx.v1.TxService: Broadcast (SYNC: after checkTx; COMMIT: once a block includes the tx),
// GetTx, Simulate and Search. A tx the mempool or checkTx refuses is an answer (accepted = false with the
// rejecting component's code), as in tx_broadcast, not a call failure.
import { fromHex } from "../../crypto/hash.js";
import { kyochi } from "../../proto/index.js";
import { RpcError } from "../errors.js";
import { txSearch } from "../jsonrpc/methods/tx-search.js";
import type { RpcLogger } from "../logger.js";
import type { GrpcContext } from "./context.js";
import { type DefinedService, defineService, unary } from "./define.js";
import { GrpcError } from "./errors.js";
import { paramsOf } from "./request-params.js";

const pb = kyochi.tx.v1;
export const TX_SERVICE = "kyochi.tx.v1.TxService";

const HASH_BYTES = 32;

export function txService(ctx: GrpcContext, logger?: RpcLogger): DefinedService {
  const { backend, commitTimeoutMs } = ctx;
  return defineService(
    TX_SERVICE,
    {
      Broadcast: unary(pb.BroadcastRequest, pb.BroadcastResponse, async (req) => {
        if (req.tx.length === 0) throw new GrpcError("INVALID_ARGUMENT", "tx is empty");
        const commit = req.mode === pb.BroadcastMode.BROADCAST_MODE_COMMIT;
        if (!commit && req.timeoutMs !== 0)
          throw new GrpcError("INVALID_ARGUMENT", "timeout_ms only applies to BROADCAST_MODE_COMMIT");
        if (req.timeoutMs > commitTimeoutMs) {
          throw new GrpcError(
            "INVALID_ARGUMENT",
            `timeout_ms ${req.timeoutMs} is above the node's limit of ${commitTimeoutMs}`,
          );
        }
        const sent = await backend.broadcastTx(req.tx);
        if (!sent.accepted) {
          return pb.BroadcastResponse.create({
            hash: sent.hash,
            accepted: false,
            rejectedBy: sent.rejectedBy,
            code: sent.rejectedBy === "app" ? sent.code : 0,
            codename: sent.codename,
            log: sent.log,
          });
        }
        const answer = pb.BroadcastResponse.create({
          hash: sent.hash,
          accepted: true,
          codename: "OK",
          log: sent.log,
          gasWanted: sent.gasWanted,
        });
        if (!commit) return answer;
        const timeoutMs = req.timeoutMs === 0 ? commitTimeoutMs : req.timeoutMs;
        const record = await backend.waitForTxCommit(sent.hash, timeoutMs);
        if (record === undefined) {
          const hash = Buffer.from(sent.hash).toString("hex");
          throw new RpcError(
            "TX_COMMIT_TIMEOUT",
            `tx ${hash} passed checkTx but was not committed within ${timeoutMs} ms; it may still be; ask GetTx later`,
          );
        }
        answer.committed = record;
        return answer;
      }),

      GetTx: unary(pb.GetTxRequest, pb.GetTxResponse, async (req) => {
        if (req.hash.length !== HASH_BYTES)
          throw new GrpcError("INVALID_ARGUMENT", `hash must be ${HASH_BYTES} bytes, got ${req.hash.length}`);
        const record = await backend.getTx(req.hash);
        if (record === undefined) {
          throw new GrpcError(
            "NOT_FOUND",
            `no committed tx with hash ${Buffer.from(req.hash).toString("hex")}`,
          );
        }
        return pb.GetTxResponse.create({ tx: record });
      }),

      Simulate: unary(pb.SimulateRequest, pb.SimulateResponse, async (req) => {
        if (req.tx.length === 0) throw new GrpcError("INVALID_ARGUMENT", "tx is empty");
        return pb.SimulateResponse.create(await backend.simulateTx(req.tx));
      }),

      // The JSON-RPC tx_search checks the params (addresses, event, heights, cursor, limit, order)
      // and finds the page; each tx is then answered as GetTx answers it.
      Search: unary(pb.SearchRequest, pb.SearchResponse, async (req) => {
        const params = paramsOf(pb.SearchRequest, req);
        // Its fields in full: an attribute value may be "" (which protobuf leaves out).
        if (req.event) params.event = { type: req.event.type, key: req.event.key, value: req.event.value };
        const found = await txSearch(params, ctx);
        const txs = await Promise.all(
          found.txs.map(async (t) => {
            const record = await backend.getTx(fromHex(t.hash));
            // Indexed but gone: only a tx pruned between the two reads.
            if (record === undefined) throw new GrpcError("NOT_FOUND", `tx ${t.hash} is no longer stored`);
            return record;
          }),
        );
        return pb.SearchResponse.create({
          txs,
          ...(found.nextCursor !== null ? { nextCursor: found.nextCursor } : {}),
        });
      }),
    },
    logger,
    ctx,
  );
}
