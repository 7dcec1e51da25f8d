// One load-generating process of the API benchmark (scripts/bench/api.ts starts several, so the
// client side is not one event loop that saturates before the server does). It keeps `concurrency`
// requests in flight against one target from `startAt` (epoch ms, shared by every process) for
// `seconds`, after a warm-up that opens its connections, and prints one JSON line: the latencies
// in ms of the requests that succeeded, and how many failed.
//
// Usage: node api-load-client.js '<LoadSpec as JSON>'
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { Client, credentials, Metadata } from "@grpc/grpc-js";
import { kyochi } from "../../proto/index.js";
import { CHAIN_SERVICE } from "../../rpc/grpc/chain-service.js";

export interface LoadSpec {
  /** "http": a JSON-RPC POST to `address` (the bare server answers any POST the same way). */
  target: "http" | "grpc";
  /** http: the URL; grpc: host:port. */
  address: string;
  /** JSON-RPC method, or gRPC ChainService method ("GetStatus" | "GetBlock"). */
  method: string;
  /** Heights 1..top are walked for block requests. */
  top: number;
  concurrency: number;
  seconds: number;
  startAt: number;
  warmupMs: number;
}

export interface LoadReport {
  latencies: number[];
  failed: number;
}

type Call = (i: number) => Promise<void>;

/** One keep-alive POST of a JSON body; resolves with the status and the answer's text. */
export function postJson(agent: Agent, url: URL, body: string): Promise<{ status: number; text: string }> {
  return new Promise((ok, fail) => {
    const req = request(
      url,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          ok({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", fail);
      },
    );
    req.on("error", fail);
    req.end(body);
  });
}

function httpCall(spec: LoadSpec): { call: Call; close(): void } {
  const url = new URL(spec.address);
  const agent = new Agent({ keepAlive: true, maxSockets: spec.concurrency });
  const params = (i: number) => (spec.method === "chain_getBlock" ? { height: 1 + (i % spec.top) } : {});
  const call: Call = async (i) => {
    const body = JSON.stringify({ jsonrpc: "2.0", id: i, method: spec.method, params: params(i) });
    const res = await postJson(agent, url, body);
    // Parsed, as a real client would: both APIs pay their decoding on this side.
    const answer = JSON.parse(res.text) as { error?: unknown };
    if (res.status !== 200 || answer.error !== undefined) throw new Error("bad answer");
  };
  return { call, close: () => agent.destroy() };
}

const identity = (b: Buffer) => b;

function grpcCall(spec: LoadSpec): { call: Call; close(): void } {
  const pb = kyochi.chain.v1;
  const client = new Client(spec.address, credentials.createInsecure());
  const path = `/${CHAIN_SERVICE}/${spec.method}`;
  const encode =
    spec.method === "GetBlock"
      ? (i: number) => pb.GetBlockRequest.encode({ height: 1 + (i % spec.top) }).finish()
      : () => pb.GetStatusRequest.encode({}).finish();
  const decode =
    spec.method === "GetBlock"
      ? (b: Uint8Array) => pb.GetBlockResponse.decode(b)
      : (b: Uint8Array) => pb.GetStatusResponse.decode(b);
  const call: Call = (i) =>
    new Promise((ok, fail) => {
      client.makeUnaryRequest(
        path,
        identity,
        identity,
        Buffer.from(encode(i)),
        new Metadata(),
        {},
        (err, bytes) => {
          if (err || !bytes) return fail(err ?? new Error("empty answer"));
          decode(bytes);
          ok();
        },
      );
    });
  return { call, close: () => client.close() };
}

export async function runLoad(spec: LoadSpec): Promise<LoadReport> {
  const { call, close } = spec.target === "grpc" ? grpcCall(spec) : httpCall(spec);
  try {
    const warmEnd = performance.now() + spec.warmupMs;
    await Promise.all(
      Array.from({ length: spec.concurrency }, async (_, w) => {
        while (performance.now() < warmEnd) await call(w).catch(() => undefined);
      }),
    );
    const wait = spec.startAt - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const end = performance.now() + spec.seconds * 1000;
    const latencies: number[] = [];
    let failed = 0;
    let seq = 0;
    await Promise.all(
      Array.from({ length: spec.concurrency }, async () => {
        while (performance.now() < end) {
          const t = performance.now();
          try {
            await call(seq++);
            latencies.push(performance.now() - t);
          } catch {
            failed++;
          }
        }
      }),
    );
    return { latencies, failed };
  } finally {
    close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const spec = JSON.parse(process.argv[2] ?? "") as LoadSpec;
  runLoad(spec).then(
    (report) => process.stdout.write(`${JSON.stringify(report)}\n`),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
