// Noise (@chainsafe/libp2p-noise) with a frame-length reader that does not throw. Noise reads its
// frames through @libp2p/utils' LengthPrefixedDecoder, which asks for the next frame's length until
// the length reader throws a RangeError for lack of bytes, so every socket read ended in a thrown
// error and its captured stack: about 4.5 of the 5 µs a read took (measured), and 2% of a loaded
// validator's main thread. Answering 0 for fewer than two bytes makes the decoder wait for more
// instead (a frame of length 0 still needs its two length bytes). The wire format is unchanged.
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

type NoiseFactory = ReturnType<typeof noise>;

/** noise(), whose secured connections read frame lengths with noiseFrameLength. */
export function quietNoise(): NoiseFactory {
  const make = noise();
  return (components) => {
    const inner = make(components);
    const encrypter: ReturnType<NoiseFactory> = {
      protocol: inner.protocol,
      secureInbound: async (connection, options) => quiet(await inner.secureInbound(connection, options)),
      secureOutbound: async (connection, options) => quiet(await inner.secureOutbound(connection, options)),
    };
    return encrypter;
  };
}

/**
 * Swaps the length reader of the connection's frame decoder (a public field of noise 17's
 * EncryptedMessageStream). Left as it is where a later version has no such field: only slower.
 */
function quiet<E>(secured: SecuredConnection<E>): SecuredConnection<E> {
  const decoder = (secured.connection as unknown as { decoder?: { lengthDecoder?: unknown } }).decoder;
  if (decoder !== undefined && typeof decoder.lengthDecoder === "function") {
    decoder.lengthDecoder = noiseFrameLength;
  }
  return secured;
}
