// The messages of /kyochi/<chain>/txs/1, which fetches the txs of a compact block its receiver
// lacks, and the rules both ends apply to them. Decoded canonically; anything malformed throws,
// and the host scores the peer that sent it. A tx in a response must hash to what was asked.
import { sha256 } from "../../crypto/hash.js";
import { bytesEqual, decodeCanonical, encode } from "../../proto/canonical.js";
import { TX_HASH_BYTES } from "./compact-block.js";
import { TxsRequest, TxsResponse } from "./wire.js";

/** The largest encoded request for `maxTxs` hashes. */
export function txsRequestMaxBytes(maxTxs: number): number {
  return maxTxs * TX_HASH_BYTES + 16;
}

export function encodeTxsRequest(hashes: readonly Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(hashes.length * TX_HASH_BYTES);
  for (const [i, h] of hashes.entries()) joined.set(h, i * TX_HASH_BYTES);
  return encode(TxsRequest, TxsRequest.create({ hashes: joined }));
}

export function parseTxsRequest(bytes: Uint8Array, maxTxs: number): Uint8Array[] {
  const r = decodeCanonical<TxsRequest>(TxsRequest, bytes, "txs request");
  const n = r.hashes.length / TX_HASH_BYTES;
  if (!Number.isInteger(n) || n === 0) throw new Error(`txs request of ${r.hashes.length} hash bytes`);
  if (n > maxTxs) throw new Error(`txs request for ${n} txs (limit ${maxTxs})`);
  const hashes: Uint8Array[] = [];
  for (let i = 0; i < n; i++) hashes.push(r.hashes.subarray(i * TX_HASH_BYTES, (i + 1) * TX_HASH_BYTES));
  return hashes;
}

/**
 * The answer to a txs request: each tx found, in request order, an empty entry for one not found
 * or past `maxBytes` (the requester asks again, or another peer, for those).
 */
export function encodeTxsResponse(txs: readonly (Uint8Array | undefined)[], maxBytes: number): Uint8Array {
  let bytes = 0;
  const out = txs.map((tx) => {
    if (tx === undefined || bytes + tx.length + 8 > maxBytes) return new Uint8Array(0);
    bytes += tx.length + 8;
    return tx;
  });
  return encode(TxsResponse, TxsResponse.create({ txs: out }));
}

/** The txs of a response to a request for `hashes` (undefined where the peer had none). */
export function parseTxsResponse(
  bytes: Uint8Array,
  hashes: readonly Uint8Array[],
): (Uint8Array | undefined)[] {
  const r = decodeCanonical<TxsResponse>(TxsResponse, bytes, "txs response");
  const txs = r.txs ?? [];
  if (txs.length !== hashes.length) throw new Error(`${txs.length} txs for ${hashes.length} asked`);
  return txs.map((tx, i) => {
    if (tx.length === 0) return undefined;
    if (!bytesEqual(sha256(tx), hashes[i]!)) throw new Error(`tx ${i} does not hash to what was asked`);
    return new Uint8Array(tx.buffer, tx.byteOffset, tx.length);
  });
}
