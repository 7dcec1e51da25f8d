// A loopback TCP port nobody listens on right now, for benchmarks that start node processes.
import { createServer } from "node:net";

export async function freePort(): Promise<number> {
  return await new Promise((ok, fail) => {
    const server = createServer();
    server.on("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const a = server.address();
      const port = typeof a === "object" && a ? a.port : 0;
      server.close(() => ok(port));
    });
  });
}
