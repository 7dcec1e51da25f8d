import { addressFromPublicKey, encodeAddress } from "../../../crypto/address.js";
import { sha256 } from "../../../crypto/hash.js";
import { keyTypeName } from "../../../crypto/keys.js";
import { resultCodeInfo } from "../../../execution/errors.js";
import { type kyochi, Tx, TxBody, type TxRecord } from "../../../proto/index.js";
import type { DecodedTxJson, TxRecordJson, TxResultJson } from "../../types.js";
import { renderEvents } from "./events.js";
import { renderMessage } from "./messages.js";
import { hex, protoNumber } from "./values.js";

/** Stable name of a tx result code, from execution's table. */
export function resultCodename(code: number): string {
  return resultCodeInfo(code)?.name ?? `UNKNOWN_CODE_${code}`;
}

export function renderTxResult(
  result: kyochi.types.v1.TxResult.$Properties | null | undefined,
): TxResultJson {
  const code = protoNumber(result?.code);
  return {
    code,
    codename: resultCodename(code),
    codespace: result?.codespace ?? "",
    log: result?.log ?? "",
    gasWanted: protoNumber(result?.gasWanted),
    gasUsed: protoNumber(result?.gasUsed),
    events: renderEvents(result?.events),
  };
}

/** A tx's bytes as JSON: hash, signer, body with its messages. Never throws. */
export function renderTx(bytes: Uint8Array): DecodedTxJson {
  const hash = hex(sha256(bytes));
  try {
    const tx = Tx.decode(bytes);
    const body = TxBody.decode(tx.body);
    let keyType: string;
    try {
      keyType = keyTypeName(tx.keyType);
    } catch {
      keyType = `unknown(${tx.keyType})`;
    }
    return {
      hash,
      size: bytes.length,
      signer: encodeAddress(addressFromPublicKey(tx.keyType, tx.publicKey)),
      keyType,
      publicKey: hex(tx.publicKey),
      signature: hex(tx.signature),
      body: {
        chainId: body.chainId,
        nonce: protoNumber(body.nonce),
        fee: body.fee === "" ? "0" : body.fee,
        gasLimit: protoNumber(body.gasLimit),
        messages: body.messages.map((msg) => renderMessage(msg)),
        memo: body.memo,
      },
    };
  } catch (err) {
    return {
      hash,
      size: bytes.length,
      error: `tx does not decode: ${(err as Error).message}`,
      raw: hex(bytes),
    };
  }
}

export function renderTxRecord(record: TxRecord): TxRecordJson {
  return {
    hash: hex(record.hash),
    height: protoNumber(record.height),
    index: protoNumber(record.index),
    tx: renderTx(record.tx),
    txBytes: hex(record.tx),
    result: renderTxResult(record.result),
  };
}
