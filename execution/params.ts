// Chain parameters as execution uses them (bigints for amounts). Each module stores its own part
// under its prefix; the app loads the whole set after every commit.

export interface TxLimits {
  maxTxBytes: number;
  maxMemoBytes: number;
  maxMsgs: number;
  maxNonceGap: number;
}

export interface BlockLimits {
  maxBytes: number;
  maxGas: number;
}

export interface ChainParams {
  bank: { minGasPrice: bigint };
  staking: { powerReduction: bigint; maxValidators: number };
  tx: TxLimits;
  block: BlockLimits;
}

/** JSON-friendly view of the params (amounts as decimal strings), as the `params` query serves it. */
export interface ParamsView {
  bank: { min_gas_price: string };
  staking: { power_reduction: string; max_validators: number };
  tx: { max_tx_bytes: number; max_memo_bytes: number; max_msgs: number; max_nonce_gap: number };
  block: { max_bytes: number; max_gas: number };
}

export function paramsView(p: ChainParams): ParamsView {
  return {
    bank: { min_gas_price: p.bank.minGasPrice.toString() },
    staking: {
      power_reduction: p.staking.powerReduction.toString(),
      max_validators: p.staking.maxValidators,
    },
    tx: {
      max_tx_bytes: p.tx.maxTxBytes,
      max_memo_bytes: p.tx.maxMemoBytes,
      max_msgs: p.tx.maxMsgs,
      max_nonce_gap: p.tx.maxNonceGap,
    },
    block: { max_bytes: p.block.maxBytes, max_gas: p.block.maxGas },
  };
}
