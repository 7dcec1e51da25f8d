// The tx and block limits: [0x04, 0x01] TxParams, [0x04, 0x02] BlockParams, and their ParamSpaces
// "tx" and "block". One rule spans both (a tx must fit in a block), so each space checks it
// against the other's stored values.
import { decodeCanonical, encode } from "../../../proto/canonical.js";
import { kyochi } from "../../../proto/index.js";
import { ExecutionError } from "../../errors.js";
import type { GenesisParams } from "../../genesis-types.js";
import type { BlockLimits, TxLimits } from "../../params.js";
import { type KvReader, type KvStore, stateKey } from "../../store.js";
import { checkSection } from "../param-values.js";
import type { ParamSpace } from "../types.js";

export const CHAIN_PREFIX = 0x04;
export const TX_PARAMS_KEY = stateKey(Uint8Array.of(CHAIN_PREFIX, 0x01));
export const BLOCK_PARAMS_KEY = stateKey(Uint8Array.of(CHAIN_PREFIX, 0x02));

const TxParams = kyochi.tx.v1.TxParams;
type TxParams = kyochi.tx.v1.TxParams;
const BlockParams = kyochi.tx.v1.BlockParams;
type BlockParams = kyochi.tx.v1.BlockParams;

type TxSection = GenesisParams["tx"];
type BlockSection = GenesisParams["block"];

export async function loadTxLimits(reader: KvReader): Promise<TxLimits> {
  const bytes = await reader.get(TX_PARAMS_KEY);
  if (bytes === undefined) throw new ExecutionError("NOT_INITIALIZED", "tx params are missing from state");
  const p = decodeCanonical<TxParams>(TxParams, bytes, "stored TxParams");
  return {
    maxTxBytes: p.maxTxBytes,
    maxMemoBytes: p.maxMemoBytes,
    maxMsgs: p.maxMsgs,
    maxNonceGap: p.maxNonceGap,
  };
}

export async function loadBlockLimits(reader: KvReader): Promise<BlockLimits> {
  const bytes = await reader.get(BLOCK_PARAMS_KEY);
  if (bytes === undefined) throw new ExecutionError("NOT_INITIALIZED", "block params are missing from state");
  const p = decodeCanonical<BlockParams>(BlockParams, bytes, "stored BlockParams");
  return { maxBytes: p.maxBytes, maxGas: p.maxGas };
}

function positiveInt(value: number, field: string, min = 1): number {
  if (!Number.isSafeInteger(value) || value < min || value > 0xffffffff) {
    throw new ExecutionError(
      "GENESIS_INVALID",
      `params.${field} must be an integer in ${min}..2^32-1, got ${value}`,
    );
  }
  return value;
}

/** The genesis checks of params.tx, as the proto to store. */
export function checkTxParams(tx: TxSection): TxParams {
  return TxParams.create({
    maxTxBytes: positiveInt(tx.max_tx_bytes, "tx.max_tx_bytes"),
    maxMemoBytes: positiveInt(tx.max_memo_bytes, "tx.max_memo_bytes", 0),
    maxMsgs: positiveInt(tx.max_msgs, "tx.max_msgs"),
    maxNonceGap: positiveInt(tx.max_nonce_gap, "tx.max_nonce_gap", 0),
  });
}

/** The genesis checks of params.block, as the proto to store. */
export function checkBlockParams(block: BlockSection): BlockParams {
  if (!Number.isSafeInteger(block.max_bytes) || block.max_bytes < 1) {
    throw new ExecutionError("GENESIS_INVALID", `params.block.max_bytes must be a positive integer`);
  }
  if (!Number.isSafeInteger(block.max_gas) || block.max_gas < 1) {
    throw new ExecutionError("GENESIS_INVALID", `params.block.max_gas must be a positive integer`);
  }
  return BlockParams.create({ maxBytes: block.max_bytes, maxGas: block.max_gas });
}

export function checkTxFitsBlock(maxTxBytes: number, maxBlockBytes: number): void {
  if (maxTxBytes > maxBlockBytes) {
    throw new ExecutionError(
      "GENESIS_INVALID",
      "params.tx.max_tx_bytes must not exceed params.block.max_bytes",
    );
  }
}

export function writeTxParams(store: KvStore, p: TxParams): void {
  store.set(TX_PARAMS_KEY, encode(TxParams, p));
}

export function writeBlockParams(store: KvStore, p: BlockParams): void {
  store.set(BLOCK_PARAMS_KEY, encode(BlockParams, p));
}

export const txParamSpace: ParamSpace = {
  name: "tx",
  async load(reader) {
    const p = await loadTxLimits(reader);
    return {
      max_tx_bytes: p.maxTxBytes,
      max_memo_bytes: p.maxMemoBytes,
      max_msgs: p.maxMsgs,
      max_nonce_gap: p.maxNonceGap,
    };
  },
  async store(store, values) {
    const v = checkSection<TxSection>("tx", values, {
      max_tx_bytes: "integer",
      max_memo_bytes: "integer",
      max_msgs: "integer",
      max_nonce_gap: "integer",
    });
    const p = checkTxParams(v);
    checkTxFitsBlock(p.maxTxBytes, (await loadBlockLimits(store)).maxBytes);
    writeTxParams(store, p);
  },
};

/**
 * Consensus bounds blocks by genesis consensus.block as well: a max_bytes above that changes
 * nothing (the proposer takes the smaller of the two), a lower one takes effect.
 */
export const blockParamSpace: ParamSpace = {
  name: "block",
  async load(reader) {
    const p = await loadBlockLimits(reader);
    return { max_bytes: p.maxBytes, max_gas: p.maxGas };
  },
  async store(store, values) {
    const v = checkSection<BlockSection>("block", values, { max_bytes: "integer", max_gas: "integer" });
    const p = checkBlockParams(v);
    checkTxFitsBlock((await loadTxLimits(store)).maxTxBytes, p.maxBytes);
    writeBlockParams(store, p);
  },
};
