// A loopback TCP port nobody listens on right now, for benchmarks that start node processes. The
// system may hand the same port to two bind(0) calls once the first socket is closed, and a
// benchmark asks for all its nodes' ports before any node binds them: a port is never handed out
// twice by one process (a devnet-load run had failed on two nodes given one port).
import { findFreePorts } from "../../node/init.js";

const handedOut: number[] = [];

export async function freePort(): Promise<number> {
  const [port] = await findFreePorts(1, handedOut);
  if (port === undefined) throw new Error("bench: no free loopback port");
  handedOut.push(port);
  return port;
}
