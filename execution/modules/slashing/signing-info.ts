// Liveness of one validator over the last `window` blocks: a bit array (bit h % window set = missed
// the block at height h) and the count of set bits, one leaf per consensus address at
// [0x05, 0x02] ++ address. A validator that misses nothing has no leaf at all, and one that keeps
// signing changes nothing: the leaf is written only when a bit flips.
import { encode } from "../../../proto/canonical.js";
import { kyochi } from "../../../proto/index.js";
import { ExecutionError } from "../../errors.js";
import { type KvReader, type KvStore, type StateKey, stateKey } from "../../store.js";
import { SLASHING_PREFIX } from "./params.js";

const SigningInfo = kyochi.staking.v1.SigningInfo;
type SigningInfo = kyochi.staking.v1.SigningInfo;

export interface SigningInfoState {
  window: number;
  bits: Uint8Array;
  missed: number;
}

export function signingInfoKey(consensusAddress: Uint8Array): StateKey {
  const key = new Uint8Array(2 + consensusAddress.length);
  key[0] = SLASHING_PREFIX;
  key[1] = 0x02;
  key.set(consensusAddress, 2);
  return stateKey(key);
}

function fresh(window: number): SigningInfoState {
  return { window, bits: new Uint8Array(Math.ceil(window / 8)), missed: 0 };
}

/** The info for `window` (a leaf recorded with another window size starts over). */
export async function loadSigningInfo(
  reader: KvReader,
  consensusAddress: Uint8Array,
  window: number,
): Promise<SigningInfoState> {
  const bytes = await reader.get(signingInfoKey(consensusAddress));
  if (bytes === undefined) return fresh(window);
  let info: SigningInfo;
  try {
    info = SigningInfo.decode(bytes);
  } catch (err) {
    throw new ExecutionError("INTERNAL", `stored SigningInfo does not decode: ${(err as Error).message}`);
  }
  if (info.window !== window) return fresh(window);
  return { window, bits: Uint8Array.from(info.missedBits), missed: info.missedCount };
}

export function saveSigningInfo(store: KvStore, consensusAddress: Uint8Array, info: SigningInfoState): void {
  const key = signingInfoKey(consensusAddress);
  if (info.missed === 0) {
    store.delete(key);
    return;
  }
  store.set(
    key,
    encode(
      SigningInfo,
      SigningInfo.create({ missedBits: info.bits, missedCount: info.missed, window: info.window }),
    ),
  );
}

/** Forgets the validator's misses (after a jail): its window starts empty. */
export async function resetSigningInfo(store: KvStore, consensusAddress: Uint8Array): Promise<void> {
  const key = signingInfoKey(consensusAddress);
  if ((await store.get(key)) !== undefined) store.delete(key);
}

/**
 * Records whether the validator missed the block counted at `height` (slot height % window,
 * which held the block `window` heights earlier). Returns true when the info changed.
 */
export function recordSignature(info: SigningInfoState, height: number, missed: boolean): boolean {
  const slot = height % info.window;
  const byte = slot >> 3;
  const mask = 1 << (slot & 7);
  const was = ((info.bits[byte] as number) & mask) !== 0;
  if (was === missed) return false;
  info.bits[byte] = missed ? (info.bits[byte] as number) | mask : (info.bits[byte] as number) & ~mask;
  info.missed += missed ? 1 : -1;
  return true;
}
