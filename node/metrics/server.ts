// The metrics endpoint: GET /metrics answers the Prometheus text format; every other path is 404
// and every other method on /metrics 405. It is a plain node:http server of its own (not a route
// of the JSON-RPC server) so that it can listen on another interface and port, as CometBFT's
// prometheus_listen_addr does, and a scraper never competes with RPC limits.
import { createServer, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../logger.js";

export interface MetricsServerOptions {
  /** Renders the exposition text (NodeMetrics.render). */
  render(): Promise<{ contentType: string; body: string }>;
  host: string;
  /** 0 picks a free port (see the returned `port`). */
  port: number;
  logger?: Pick<Logger, "info" | "error">;
}

export interface MetricsServer {
  readonly host: string;
  readonly port: number;
  /** http://host:port/metrics */
  readonly url: string;
  close(): Promise<void>;
}

export const METRICS_PATH = "/metrics";

export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path !== METRICS_PATH) return sendText(res, 404, "not found: metrics are served on /metrics\n");
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("allow", "GET, HEAD");
      return sendText(res, 405, "method not allowed\n");
    }
    opts.render().then(
      ({ contentType, body }) => {
        res.writeHead(200, { "content-type": contentType, "content-length": Buffer.byteLength(body) });
        res.end(req.method === "HEAD" ? undefined : body);
      },
      (err: unknown) => {
        opts.logger?.error({ err }, "rendering metrics failed");
        sendText(res, 500, "metrics unavailable\n");
      },
    );
  });
  // Scrapes are short; an idle or stalled client must not hold a socket.
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const hostPort = `${opts.host.includes(":") ? `[${opts.host}]` : opts.host}:${port}`;
  opts.logger?.info({ host: opts.host, port }, "metrics server listening");
  return {
    host: opts.host,
    port,
    url: `http://${hostPort}${METRICS_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    "content-type": "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}
