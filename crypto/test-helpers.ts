// Fixtures for crypto's tests.
import { KeyType } from "../proto/index.js";
import { generateSigningKey } from "./keys.js";

/** Edge cases of Ed25519 keys and signatures, where implementations differ. */
export function ed25519EdgeCases(): { key: Uint8Array; message: Uint8Array; signature: Uint8Array }[] {
  const le = (n: bigint) => Buffer.from(n.toString(16).padStart(64, "0"), "hex").reverse();
  const P = 2n ** 255n - 19n;
  const L = 2n ** 252n + 27742317777372353535851937790883648493n;
  const signer = generateSigningKey(KeyType.KEY_TYPE_ED25519);
  const message = new TextEncoder().encode("edge keys");
  const honest = signer.sign(message);
  const s = BigInt(`0x${Buffer.from(honest.subarray(32)).reverse().toString("hex")}`);
  const identity = le(1n);
  const keys: Uint8Array[] = [
    signer.publicKey,
    Uint8Array.from(signer.publicKey, (b, i) => (i === 31 ? b ^ 0x80 : b)), // the other x sign
    new Uint8Array(32).fill(0xff), // y >= p
    new Uint8Array(32), // y = 0: a small-order point
    identity, // y = 1: the identity
    le(P), // non-canonical 0
    le(P + 1n), // non-canonical identity
    ...Array.from({ length: 24 }, (_, i) =>
      Uint8Array.from({ length: 32 }, (_, j) => (i * 37 + j * 11) & 0xff),
    ),
  ];
  const signatures: Uint8Array[] = [
    honest,
    new Uint8Array([...honest.subarray(0, 32), ...le(s + L)]), // S not reduced
    new Uint8Array([...identity, ...new Uint8Array(32)]), // R = identity, S = 0
    new Uint8Array(64),
  ];
  return keys.flatMap((key) => signatures.map((signature) => ({ key, message, signature })));
}
