// Byte-level assembly of the BlockResults commit writes for every block: each TxResult is written
// straight into the block's buffer by the hand encoder of proto/tx-result-encoding.ts (the
// generated encoders, then a buffer per result, were a visible share of commit time). The output
// is byte-for-byte what the generated encoders write (fields in number order, proto3 defaults
// omitted, minimal varints); result-encoding.test.ts checks that against them.
import { Event, type TxResult, ValidatorUpdate } from "../proto/index.js";
import { type Lengths, sizeTxResult, writeTxResult } from "../proto/tx-result-encoding.js";
import { varintLength, writeVarint } from "../proto/varint.js";
import { YIELD_EVERY, yieldToEventLoop } from "../state/event-loop.js";

/** Size of a length-delimited field: tag, length, bytes. */
function delimitedLength(tagByte: number, bytes: Uint8Array): number {
  return varintLength(tagByte) + varintLength(bytes.length) + bytes.length;
}

function writeDelimited(out: Uint8Array, at: number, tagByte: number, bytes: Uint8Array): number {
  at = writeVarint(out, at, tagByte);
  at = writeVarint(out, at, bytes.length);
  out.set(bytes, at);
  return at + bytes.length;
}

/**
 * The bytes of BlockResults{height, txResults, finalizeEvents, validatorUpdates, appHash}, with
 * every TxResult written straight into the one output buffer (sized first): no buffer per result
 * and no second copy. It yields to the event loop every YIELD_EVERY results in both passes, as the
 * rest of commit does, so a large block does not hold the node's event loop.
 */
export async function encodeBlockResults(
  height: number,
  txResults: readonly TxResult[],
  finalizeEvents: readonly Event[],
  appHash: Uint8Array,
  validatorUpdates: readonly ValidatorUpdate[] = [],
): Promise<Uint8Array> {
  const eventBytes = finalizeEvents.map((e) => Event.encode(e).finish());
  const updateBytes = validatorUpdates.map((u) => ValidatorUpdate.encode(u).finish());
  const lengths: Lengths = [];
  const resultSizes = new Array<number>(txResults.length);
  let size = 0;
  if (height !== 0) size += 1 + varintLength(height);
  for (let i = 0; i < txResults.length; i++) {
    if (i > 0 && i % YIELD_EVERY === 0) await yieldToEventLoop();
    const resultSize = sizeTxResult(txResults[i] as TxResult, lengths);
    resultSizes[i] = resultSize;
    size += 1 + varintLength(resultSize) + resultSize;
  }
  for (const e of eventBytes) size += delimitedLength(26, e);
  for (const u of updateBytes) size += delimitedLength(34, u);
  if (appHash.length > 0) size += delimitedLength(42, appHash);
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  if (height !== 0) {
    out[at++] = 8;
    at = writeVarint(out, at, height);
  }
  const cursor = { at: 0 };
  for (let i = 0; i < txResults.length; i++) {
    if (i > 0 && i % YIELD_EVERY === 0) await yieldToEventLoop();
    out[at++] = 18;
    at = writeVarint(out, at, resultSizes[i] as number);
    const end = at + (resultSizes[i] as number);
    at = writeTxResult(txResults[i] as TxResult, out, at, lengths, cursor);
    if (at !== end) throw new Error(`TxResult ${i} encoding wrote ${at - end} bytes more than sized`);
  }
  for (const e of eventBytes) at = writeDelimited(out, at, 26, e);
  for (const u of updateBytes) at = writeDelimited(out, at, 34, u);
  if (appHash.length > 0) at = writeDelimited(out, at, 42, appHash);
  if (at !== size) throw new Error(`BlockResults encoding wrote ${at} bytes, sized ${size}`);
  return out;
}
