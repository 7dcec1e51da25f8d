import { generateKeyPair } from "@libp2p/crypto/keys";
import type { ComponentLogger, Logger, Upgrader } from "@libp2p/interface";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { LengthPrefixedDecoder, multiaddrConnectionPair } from "@libp2p/utils";
import { describe, expect, it } from "vitest";
import "./polyfills.js";
import { leanFramingNoise, noiseFrameLength, ONE_BUFFER_MAX_BYTES } from "./noise-framing.js";

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

describe("Noise with lean framing", () => {
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
      leanFramingNoise()({ privateKey: key, peerId: peerIdFromPrivateKey(key), logger, upgrader });
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
    // What the encrypted side hands TCP: one buffer for a small write, the frames for a large one.
    const handed: boolean[] = [];
    const send = outbound.send.bind(outbound);
    outbound.send = (data) => {
      handed.push(data instanceof Uint8Array);
      return send(data);
    };
    const chunks: Uint8Array[] = [];
    b.connection.addEventListener("message", (evt) => chunks.push(evt.data.subarray()));
    const small = Uint8Array.of(1, 2, 3);
    const big = new Uint8Array(100_000).map((_, i) => i & 0xff); // several Noise frames
    expect(big.length).toBeGreaterThan(ONE_BUFFER_MAX_BYTES);
    a.connection.send(small);
    a.connection.send(big);
    const total = small.length + big.length;
    for (let i = 0; i < 200 && chunks.reduce((n, c) => n + c.length, 0) < total; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(Buffer.concat(chunks)).toEqual(Buffer.concat([small, big]));
    expect(handed).toEqual([true, false]);
  });
});
