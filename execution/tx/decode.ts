// Stateless tx checks: everything that can be decided from the tx bytes and the chain params alone,
// in a fixed order so a tx with several faults always gets the same code. The signature is checked
// separately (execution/tx/verify.ts) so many can be verified at once on every core.
import { addressFromPublicKey, encodeAddress } from "../../crypto/address.js";
import { PUBLIC_KEY_LENGTH, SIGNATURE_LENGTH } from "../../crypto/keys.js";
import { decodeCanonical, type MessageCodec } from "../../proto/canonical.js";
import { type KeyType, type Msg, Tx, TxBody } from "../../proto/index.js";
import { parseAmount } from "../amount.js";
import { ExecutionError } from "../errors.js";
import { intrinsicGas } from "../gas.js";
import { accountStateKey } from "../modules/accounts/index.js";
import { MSG_HANDLERS } from "../modules/registry.js";
import type { MsgHandler, MsgKind, MsgPayload } from "../modules/types.js";
import type { ChainParams } from "../params.js";
import { keyId, type StateKey } from "../store.js";
import { fastDecodeTx, fastDecodeTxBody } from "./fast-decode.js";

/**
 * Signer addresses by key type and public key. Senders repeat across txs, and deriving an address
 * costs a sha256 plus a bech32 encoding; bounded so a flood of new keys cannot grow memory.
 */
const SENDER_CACHE_LIMIT = 100_000;
interface Sender {
  address: Uint8Array;
  bech32: string;
  key: StateKey;
}
const senderCache = new Map<string, Sender>();

function senderOf(keyType: KeyType, publicKey: Uint8Array): Sender {
  const id = String.fromCharCode(keyType) + keyId(publicKey);
  let entry = senderCache.get(id);
  if (entry === undefined) {
    const address = addressFromPublicKey(keyType, publicKey);
    entry = { address, bech32: encodeAddress(address), key: accountStateKey(address) };
    if (senderCache.size >= SENDER_CACHE_LIMIT) {
      // A chunk at a time: deleted Map entries stay as holes keys() walks over until V8 rehashes.
      let excess = senderCache.size - SENDER_CACHE_LIMIT + 1 + (SENDER_CACHE_LIMIT >> 4);
      for (const oldest of senderCache.keys()) {
        senderCache.delete(oldest);
        if (--excess <= 0) break;
      }
    }
    senderCache.set(id, entry);
  }
  return entry;
}

export interface DecodedTx {
  /** The tx as received; its sha256 is the tx hash. */
  readonly bytes: Uint8Array;
  readonly hash: Uint8Array;
  /** The hash as a Map/Set key. */
  readonly hashId: string;
  readonly keyType: KeyType;
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
  /** The signed bytes. */
  readonly bodyBytes: Uint8Array;
  /** 20-byte signer address, addressFromPublicKey(keyType, publicKey). */
  readonly sender: Uint8Array;
  /** The same address as bech32 (for events). */
  readonly senderBech32: string;
  /** The signer's account key. */
  readonly senderKey: StateKey;
  readonly nonce: number;
  readonly fee: bigint;
  readonly gasLimit: number;
  readonly messages: readonly Msg[];
  readonly memo: string;
  /** Gas charged before any message runs (see gas.ts). */
  readonly intrinsicGas: number;
}

export interface TxCheckContext {
  chainId: string;
  params: ChainParams;
}

/** A message resolved to its handler (the registry guarantees the pair matches). */
export interface DispatchedMsg {
  handler: MsgHandler<MsgKind>;
  payload: MsgPayload<MsgKind>;
}

export function dispatch(msg: Msg): DispatchedMsg {
  const kind = msg.sum;
  if (kind === undefined) throw new ExecutionError("TX_UNKNOWN_MESSAGE", "message has no known type");
  const handler = MSG_HANDLERS[kind] as MsgHandler<MsgKind> | undefined;
  const payload = msg[kind];
  if (handler === undefined || payload === undefined || payload === null) {
    throw new ExecutionError("TX_UNKNOWN_MESSAGE", `message type ${kind} has no handler`);
  }
  return { handler, payload };
}

/**
 * Malformed (not protobuf at all) and non-canonical (protobuf, but not the one encoding) get
 * different codes. The happy path decodes once; only a rejected input is decoded a second time
 * to tell the two apart.
 */
function decodeStrict<T>(codec: MessageCodec<T>, bytes: Uint8Array, what: string): T {
  try {
    return decodeCanonical(codec, bytes, what);
  } catch (err) {
    try {
      codec.decode(bytes);
    } catch (decodeErr) {
      throw new ExecutionError(
        "TX_MALFORMED",
        `${what} is not valid protobuf: ${(decodeErr as Error).message}`,
      );
    }
    throw new ExecutionError("TX_NON_CANONICAL", (err as Error).message);
  }
}

/**
 * Decodes `bytes` and applies every stateless rule; throws ExecutionError with the first failing
 * rule's code. `hash` is sha256(bytes), computed by the caller once per tx.
 */
export function decodeTx(
  bytes: Uint8Array,
  hash: Uint8Array,
  hashId: string,
  ctx: TxCheckContext,
): DecodedTx {
  const { params } = ctx;
  if (bytes.length > params.tx.maxTxBytes) {
    throw new ExecutionError(
      "TX_TOO_LARGE",
      `tx is ${bytes.length} bytes; the limit is ${params.tx.maxTxBytes}`,
    );
  }
  if (bytes.length === 0) throw new ExecutionError("TX_MALFORMED", "tx is empty");
  const tx = fastDecodeTx(bytes) ?? decodeStrict<Tx>(Tx, bytes, "Tx");

  const keyType = tx.keyType;
  const expectedKeyLength = PUBLIC_KEY_LENGTH[keyType];
  if (expectedKeyLength === undefined) {
    throw new ExecutionError(
      "TX_UNSUPPORTED_KEY_TYPE",
      `key type ${keyType} is not supported (ed25519=1, secp256k1=2)`,
    );
  }
  const publicKey = tx.publicKey ?? new Uint8Array(0);
  if (publicKey.length !== expectedKeyLength) {
    throw new ExecutionError(
      "TX_INVALID_PUBLIC_KEY",
      `public key is ${publicKey.length} bytes; expected ${expectedKeyLength}`,
    );
  }
  const signature = tx.signature ?? new Uint8Array(0);
  if (signature.length !== SIGNATURE_LENGTH) {
    throw new ExecutionError(
      "TX_BAD_SIGNATURE",
      `signature is ${signature.length} bytes; expected ${SIGNATURE_LENGTH}`,
    );
  }

  const bodyBytes = tx.body ?? new Uint8Array(0);
  const body = fastDecodeTxBody(bodyBytes) ?? decodeStrict<TxBody>(TxBody, bodyBytes, "TxBody");
  if (body.chainId !== ctx.chainId) {
    throw new ExecutionError(
      "TX_WRONG_CHAIN_ID",
      `chain id ${JSON.stringify(body.chainId)} is not ${ctx.chainId}`,
    );
  }
  if (!Number.isSafeInteger(body.nonce) || !Number.isSafeInteger(body.gasLimit)) {
    throw new ExecutionError("TX_MALFORMED", "nonce and gas_limit must be at most 2^53-1");
  }

  const messages = body.messages as Msg[];
  if (messages.length === 0) throw new ExecutionError("TX_NO_MESSAGES", "tx has no messages");
  if (messages.length > params.tx.maxMsgs) {
    throw new ExecutionError(
      "TX_TOO_MANY_MESSAGES",
      `tx has ${messages.length} messages; the limit is ${params.tx.maxMsgs}`,
    );
  }
  const memoBytes = Buffer.byteLength(body.memo, "utf8");
  if (memoBytes > params.tx.maxMemoBytes) {
    throw new ExecutionError(
      "TX_MEMO_TOO_LONG",
      `memo is ${memoBytes} bytes; the limit is ${params.tx.maxMemoBytes}`,
    );
  }

  // proto3 leaves an unset fee empty: that is a fee of zero.
  const fee = body.fee === "" ? 0n : parseAmount(body.fee, "fee", "TX_INVALID_FEE");
  const gasLimit = body.gasLimit;
  if (gasLimit > params.block.maxGas) {
    throw new ExecutionError(
      "TX_GAS_LIMIT_TOO_HIGH",
      `gas limit ${gasLimit} is above the block limit ${params.block.maxGas}`,
    );
  }
  const intrinsic = intrinsicGas(bytes.length, keyType, messages.length);
  if (gasLimit < intrinsic) {
    throw new ExecutionError(
      "TX_GAS_LIMIT_TOO_LOW",
      `gas limit ${gasLimit} is below the intrinsic gas ${intrinsic}`,
    );
  }
  const minFee = params.bank.minGasPrice * BigInt(gasLimit);
  if (fee < minFee) {
    throw new ExecutionError(
      "TX_FEE_TOO_LOW",
      `fee ${fee} is below min_gas_price ${params.bank.minGasPrice} * gas_limit ${gasLimit} = ${minFee}`,
    );
  }

  for (const msg of messages) {
    const { handler, payload } = dispatch(msg);
    handler.validate(payload);
  }

  const sender = senderOf(keyType, publicKey);
  return {
    bytes,
    hash,
    hashId,
    keyType,
    publicKey,
    signature,
    bodyBytes,
    sender: sender.address,
    senderBech32: sender.bech32,
    senderKey: sender.key,
    nonce: body.nonce,
    fee,
    gasLimit,
    messages,
    memo: body.memo,
    intrinsicGas: intrinsic,
  };
}
