// Builds and signs transactions: the one place that knows the signing rules on the client side.
// The signature covers the canonical TxBody bytes; the tx hash is sha256 of the encoded Tx.

import { sha256 } from "../../crypto/hash.js";
import type { SigningKey } from "../../crypto/keys.js";
import { encode } from "../../proto/canonical.js";
import { kyochi, Msg, MsgSend, Tx, TxBody } from "../../proto/index.js";

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

/** Creates a validator operated by the signer, bonding `selfStake` from its balance. */
export function stakingCreateValidatorMsg(
  consensusPubkey: Uint8Array,
  selfStake: bigint,
  moniker: string,
): Msg {
  return Msg.create({
    stakingCreateValidator: kyochi.staking.v1.MsgCreateValidator.create({
      consensusPubkey,
      selfStake: selfStake.toString(),
      moniker,
    }),
  });
}

/** Bonds `amount` more to the signer's own validator. */
export function stakingAddStakeMsg(amount: bigint): Msg {
  return Msg.create({ stakingAddStake: kyochi.staking.v1.MsgAddStake.create({ amount: amount.toString() }) });
}

/** Starts unbonding `amount` of the signer's validator's stake (paid back after unbonding_blocks). */
export function stakingUnbondMsg(amount: bigint): Msg {
  return Msg.create({ stakingUnbond: kyochi.staking.v1.MsgUnbond.create({ amount: amount.toString() }) });
}

/** Brings the signer's validator back after its downtime jail is over. */
export function stakingUnjailMsg(): Msg {
  return Msg.create({ stakingUnjail: kyochi.staking.v1.MsgUnjail.create() });
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
