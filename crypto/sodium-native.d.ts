// The part of sodium-native (libsodium bindings, no types of its own for v5) that Kyochi uses.
declare module "sodium-native" {
  interface Sodium {
    /**
     * libsodium's Ed25519 verification: true when `signature` is valid for `message` under
     * `publicKey` (32 bytes); refuses non-canonical S, non-canonical or small-order keys and R.
     */
    crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  }
  const sodium: Sodium;
  export default sodium;
}
