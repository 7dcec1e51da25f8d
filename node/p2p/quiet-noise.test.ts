import { generateKeyPair } from "@libp2p/crypto/keys";
import type { ComponentLogger, Logger, Upgrader } from "@libp2p/interface";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { LengthPrefixedDecoder, multiaddrConnectionPair } from "@libp2p/utils";
import { describe, expect, it } from "vitest";
import { noiseFrameLength, quietNoise } from "./quiet-noise.js";

function frame(payload: Uint8Array): Uint8Array {
  return Uint8Array.from([payload.length >> 8, payload.length & 0xff, ...payload]);
}

const silent: Logger = Object.assign(() => undefined, {
  enabled: false,
  error: () => undefined,
  trace: () => undefined,
  newScope: () => silent,
});
const logger: ComponentLogger = { forComponent: () => silent };

describe("quiet Noise framing", () => {
  it("reads frame lengths without throwing, whatever the reads' boundaries", () => {
    expect(noiseFrameLength(new Uint8Array(0))).toBe(0);
    expect(noiseFrameLength(Uint8Array.of(1))).toBe(0);
    expect(noiseFrameLength(Uint8Array.of(0x12, 0x34, 9))).toBe(0x1234);
    const payloads = [Uint8Array.of(1, 2, 3), new Uint8Array(300).fill(7), Uint8Array.of(9)];
    const wire = Uint8Array.from(payloads.flatMap((p) => [...frame(p)]));
    for (const step of [1, 2, 3, 5, wire.length]) {
      const decoder = new LengthPrefixedDecoder({ lengthDecoder: noiseFrameLength, encodingLength: () => 2 });
      const got: number[][] = [];
      for (let at = 0; at < wire.length; at += step) {
        for (const f of decoder.decode(wire.subarray(at, at + step))) got.push([...f.subarray()]);
      }
      expect(got).toEqual(payloads.map((p) => [...p]));
    }
  });

  it("secures a connection whose decoder uses it, and carries data both ways", async () => {
    const [aKey, bKey] = await Promise.all([generateKeyPair("Ed25519"), generateKeyPair("Ed25519")]);
    const upgrader = { getStreamMuxers: () => new Map() } as unknown as Upgrader;
    const encrypter = (key: typeof aKey) =>
      quietNoise()({ privateKey: key, peerId: peerIdFromPrivateKey(key), logger, upgrader });
    const [outbound, inbound] = multiaddrConnectionPair();
    const [a, b] = await Promise.all([
      encrypter(aKey).secureOutbound(outbound, { remotePeer: peerIdFromPrivateKey(bKey) }),
      encrypter(bKey).secureInbound(inbound),
    ]);
    expect(b.remotePeer.equals(peerIdFromPrivateKey(aKey))).toBe(true);
    for (const side of [a, b]) {
      const decoder = (side.connection as unknown as { decoder: { lengthDecoder: unknown } }).decoder;
      expect(decoder.lengthDecoder).toBe(noiseFrameLength);
    }
    const received = new Promise<Uint8Array>((resolve) => {
      b.connection.addEventListener("message", (evt) => resolve(evt.data.subarray()), { once: true });
    });
    const big = new Uint8Array(100_000).map((_, i) => i & 0xff); // several Noise frames
    a.connection.send(big);
    const got: number[] = [...(await received)];
    expect(got.length).toBeGreaterThan(0);
    expect(got).toEqual([...big.subarray(0, got.length)]);
  });
});
