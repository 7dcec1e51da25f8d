// The RPC's view of a test chain (execution/test-chain.ts): module queries and accounts are
// answered by its real application, everything else by MemoryChain's defaults. Tests of the
// module methods serve it over JSON-RPC or gRPC and compare what comes back with the app.
import type { TestChain } from "../../execution/test-chain.js";
import { KyochiRpcClient } from "../client/client.js";
import { type JsonRpcServer, startJsonRpcServer } from "../jsonrpc/server.js";
import { MemoryChain } from "./memory-chain.js";

export function appBackend(chain: TestChain): MemoryChain {
  const backend = new MemoryChain();
  backend.latestHeight = () => chain.height;
  backend.queryApp = async (path, height) => {
    const r = await chain.app.query({ path, height: height ?? 0 });
    return {
      code: r.code,
      codename: r.codename,
      log: r.log,
      height: r.height,
      ...(r.value ? { value: r.value } : {}),
    };
  };
  backend.getAccount = async (address, height) => {
    const a = await chain.app.getAccount(address, height);
    return {
      height: a.height,
      ...(a.exists ? { account: { nonce: a.nonce, balance: BigInt(a.balance) } } : {}),
    };
  };
  return backend;
}

export interface ServedJsonRpc {
  server: JsonRpcServer;
  client: KyochiRpcClient;
}

/** A JSON-RPC server on a free loopback port over `appBackend(chain)`, and an SDK client of it. */
export async function serveAppJsonRpc(chain: TestChain): Promise<ServedJsonRpc> {
  const server = await startJsonRpcServer({
    backend: appBackend(chain),
    host: "127.0.0.1",
    port: 0,
    maxBodyBytes: 65536,
    commitTimeoutMs: 1000,
  });
  return { server, client: new KyochiRpcClient(server.url, { timeoutMs: 5000 }) };
}
