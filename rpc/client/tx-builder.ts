// Builds and signs transactions: the one place that knows the signing rules on the client side.
// The signature covers the canonical TxBody bytes; the tx hash is sha256 of the encoded Tx.

import { sha256 } from "../../crypto/hash.js";
import type { SigningKey } from "../../crypto/keys.js";
import { encode } from "../../proto/canonical.js";
import { Msg, MsgSend, Tx, TxBody } from "../../proto/index.js";

export interface TxOptions {
  chainId: string;
  nonce: number;
  /** Total fee in base units. */
  fee: bigint;
  gasLimit: number;
  memo?: string;
}

export interface SignedTx {
  bytes: Uint8Array;
  hash: Uint8Array;
}

export function bankSendMsg(to: Uint8Array, amount: bigint): Msg {
  return Msg.create({ bankSend: MsgSend.create({ to, amount: amount.toString() }) });
}

export function signTx(key: SigningKey, messages: Msg[], opts: TxOptions): SignedTx {
  const body = encode(
    TxBody,
    TxBody.create({
      chainId: opts.chainId,
      nonce: opts.nonce,
      fee: opts.fee.toString(),
      gasLimit: opts.gasLimit,
      messages,
      memo: opts.memo ?? "",
    }),
  );
  const bytes = encode(
    Tx,
    Tx.create({ body, publicKey: key.publicKey, keyType: key.type, signature: key.sign(body) }),
  );
  return { bytes, hash: sha256(bytes) };
}
