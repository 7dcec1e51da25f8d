// Request/response over a libp2p 3 stream: one length-prefixed request, one length-prefixed
// response, then both sides close. libp2p 3 streams are event-based message streams (send(),
// 'message' events), not it-pipe duplexes; lpStream from @libp2p/utils frames them.
import type { Libp2p, PeerId, Stream, StreamHandler } from "@libp2p/interface";
import { lpStream } from "@libp2p/utils";
import { P2PError } from "./errors.js";

export interface RequestOptions {
  timeoutMs: number;
  /** Largest response accepted; a larger one fails the request (P2P_BAD_RESPONSE). */
  maxResponseBytes: number;
}

/** Sends `request` on `protocol` to `peer` and returns the response bytes. Throws P2PError. */
export async function request(
  libp2p: Libp2p,
  peer: PeerId,
  protocol: string,
  requestBytes: Uint8Array,
  opts: RequestOptions,
): Promise<Uint8Array> {
  const signal = AbortSignal.timeout(opts.timeoutMs);
  let stream: Stream | undefined;
  try {
    stream = await libp2p.dialProtocol(peer, protocol, { signal });
    const lp = lpStream(stream, {
      maxDataLength: opts.maxResponseBytes,
      maxBufferSize: opts.maxResponseBytes + 16,
    });
    await lp.write(requestBytes, { signal });
    const response = await lp.read({ signal });
    await stream.close({ signal }).catch(() => undefined);
    return response.subarray();
  } catch (err) {
    stream?.abort(err instanceof Error ? err : new Error(String(err)));
    throw requestError(err, signal, peer, protocol);
  }
}

function requestError(err: unknown, signal: AbortSignal, peer: PeerId, protocol: string): P2PError {
  const what = `${protocol} to ${peer.toString()}`;
  if (signal.aborted) return new P2PError("P2P_TIMEOUT", `${what} timed out`, { cause: err });
  const e = err instanceof Error ? err : new Error(String(err));
  if (e.name === "InvalidDataLengthError" || e.name === "StreamBufferError") {
    return new P2PError("P2P_BAD_RESPONSE", `${what}: response too large`, { cause: err });
  }
  return new P2PError("P2P_REQUEST_FAILED", `${what} failed: ${e.name}: ${e.message}`, { cause: err });
}

export interface ServeOptions {
  timeoutMs: number;
  maxRequestBytes: number;
  /** Called when a request fails (malformed, too large, stream error): for logs and scoring. */
  onError(peer: string, err: Error): void;
}

/**
 * A stream handler answering each request with `handler`'s response. A handler that throws ends
 * the stream without a response (the requester sees a failed request).
 */
export function serve(
  handler: (request: Uint8Array, peer: string) => Promise<Uint8Array>,
  opts: ServeOptions,
): StreamHandler {
  return async (stream, connection) => {
    const peer = connection.remotePeer.toString();
    const signal = AbortSignal.timeout(opts.timeoutMs);
    try {
      const lp = lpStream(stream, { maxDataLength: opts.maxRequestBytes });
      const req = await lp.read({ signal });
      const response = await handler(req.subarray(), peer);
      await lp.write(response, { signal });
      await stream.close({ signal });
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      stream.abort(e);
      opts.onError(peer, e);
    }
  };
}
