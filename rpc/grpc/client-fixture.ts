// A bare gRPC client for the tests: calls a method by its path with bytes the test encodes (with
// the static classes, or malformed on purpose) and hands back the response bytes decoded by the
// test, so nothing of the server's own code sits between the test and the wire.
import { Client, type ClientReadableStream, credentials, Metadata, type ServiceError } from "@grpc/grpc-js";
import { ERROR_CODE_METADATA } from "./errors.js";

interface Encoder<T> {
  encode(message: T): { finish(): Uint8Array };
}
interface Decoder<T> {
  decode(bytes: Uint8Array): T;
}

const identity = (b: Buffer) => b;

export class RawGrpcClient {
  readonly client: Client;

  constructor(address: string, options: Record<string, number> = {}) {
    this.client = new Client(address, credentials.createInsecure(), options);
  }

  bytes(path: string, request: Uint8Array): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.client.makeUnaryRequest(
        path,
        identity,
        identity,
        Buffer.from(request),
        new Metadata(),
        {},
        (err, res) => (err ? reject(err) : resolve(res as Buffer)),
      );
    });
  }

  async call<Req, Res>(path: string, req: Encoder<Req>, request: Req, res: Decoder<Res>): Promise<Res> {
    return res.decode(await this.bytes(path, req.encode(request).finish()));
  }

  stream(path: string, request: Uint8Array): ClientReadableStream<Buffer> {
    return this.client.makeServerStreamRequest(
      path,
      identity,
      identity,
      Buffer.from(request),
      new Metadata(),
      {},
    );
  }

  close(): void {
    this.client.close();
  }
}

/** The failure of `promise` (which must fail), with its stable code from the trailing metadata. */
export async function failureOf(
  promise: Promise<unknown>,
): Promise<{ code: number; details: string; stable: string }> {
  try {
    await promise;
  } catch (err) {
    const e = err as ServiceError;
    const stable = e.metadata?.get(ERROR_CODE_METADATA)[0];
    return { code: e.code, details: e.details, stable: typeof stable === "string" ? stable : "" };
  }
  throw new Error("expected the call to fail, it succeeded");
}
