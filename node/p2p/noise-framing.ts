// Noise (@chainsafe/libp2p-noise) with leaner framing; the wire format is unchanged.
// - Reading: Noise reads its frames through @libp2p/utils' LengthPrefixedDecoder, which asks for
//   the next frame's length until the length reader throws a RangeError for lack of bytes, so
//   every socket read ended in a thrown error and its captured stack: about 4.5 of the 5 µs a read
//   took (measured), and 2% of a loaded validator's main thread. Answering 0 for fewer than two
//   bytes makes the decoder wait for more instead (a frame of length 0 still needs its two bytes).
// - Writing: each frame was handed to TCP as two buffers, its length and its ciphertext, and
//   @libp2p/tcp writes each buffer with its own system call (a loaded validator's socket writes
//   were 6% of its main thread; over half its frames are Yamux window updates of 12 bytes). A
//   small write is now one buffer, so one system call.
import { noise } from "@chainsafe/libp2p-noise";
import type { SecuredConnection } from "@libp2p/interface";

/** What the length reader is given: a Uint8Array, or @libp2p/utils' Uint8ArrayList. */
type Buffered = Uint8Array | { readonly length: number; getUint16(byteOffset: number): number };

/** A Noise frame's big-endian u16 length; 0 until two bytes are there. */
export function noiseFrameLength(data: Buffered): number {
  if (data.length < 2) return 0;
  if (data instanceof Uint8Array) return ((data[0] as number) << 8) | (data[1] as number);
  return data.getUint16(0);
}

/** Encrypted writes up to this size go to TCP as one buffer (copied together); larger ones as they are. */
export const ONE_BUFFER_MAX_BYTES = 16 * 1024;

type NoiseFactory = ReturnType<typeof noise>;

/** noise(), whose secured connections read frame lengths with noiseFrameLength and write small writes whole. */
export function leanFramingNoise(): NoiseFactory {
  const make = noise();
  return (components) => {
    const inner = make(components);
    const encrypter: ReturnType<NoiseFactory> = {
      protocol: inner.protocol,
      secureInbound: async (connection, options) => lean(await inner.secureInbound(connection, options)),
      secureOutbound: async (connection, options) => lean(await inner.secureOutbound(connection, options)),
    };
    return encrypter;
  };
}

/** The parts of noise 17's EncryptedMessageStream (public fields and methods) that are changed. */
interface EncryptedStreamParts {
  decoder?: { lengthDecoder?: unknown };
  encrypt?: (chunk: unknown) => { readonly byteLength: number; subarray(): Uint8Array };
}

/**
 * Swaps the connection's frame-length reader and wraps its encrypt. Either is left as it is where
 * a later version of noise has no such member: only slower.
 */
function lean<E>(secured: SecuredConnection<E>): SecuredConnection<E> {
  const stream = secured.connection as unknown as EncryptedStreamParts;
  const decoder = stream.decoder;
  if (decoder !== undefined && typeof decoder.lengthDecoder === "function") {
    decoder.lengthDecoder = noiseFrameLength;
  }
  const encrypt = stream.encrypt;
  if (typeof encrypt === "function") {
    stream.encrypt = (chunk) => {
      const frames = encrypt.call(stream, chunk);
      return frames.byteLength <= ONE_BUFFER_MAX_BYTES ? frames.subarray() : frames;
    };
  }
  return secured;
}
