import { hash } from "node:crypto";

/**
 * sha256 over the concatenation of `parts`. Node's one-shot `crypto.hash` is about twice as fast
 * as createHash().update().digest() for the small inputs hashed on the hot paths (tree nodes, tx
 * hashes), so the parts are joined and hashed in one call.
 */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const input = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  const d = hash("sha256", input, "buffer") as unknown as Buffer;
  return new Uint8Array(d.buffer, d.byteOffset, d.length);
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("hex");
}

/** Strict hex decoding (even length, [0-9a-fA-F] only, optional 0x). Throws on anything else. */
export function fromHex(hex: string): Uint8Array {
  const s = hex.startsWith("0x") || hex.startsWith("0X") ? hex.slice(2) : hex;
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) throw new TypeError("invalid hex string");
  return new Uint8Array(Buffer.from(s, "hex"));
}
