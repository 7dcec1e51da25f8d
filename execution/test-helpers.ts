// Shared helpers for execution's tests and benchmarks: real keys, real signatures, canonical bytes.
import { addressFromPublicKey, encodeAddress } from "../crypto/address.js";
import { toHex } from "../crypto/hash.js";
import { generateSigningKey, type SigningKey } from "../crypto/keys.js";
import { encode } from "../proto/canonical.js";
import { KeyType, Msg, MsgSend, Tx, TxBody } from "../proto/index.js";
import { DEFAULT_GENESIS_PARAMS, type GenesisAppState, type GenesisParams } from "./genesis-types.js";
import type { ChainParams } from "./params.js";

export const TEST_CHAIN_ID = "kyochi-test-1";

/** Small limits for stateless tx checks in unit tests (1 KiB txs, 2 messages, 16-byte memos). */
export const TEST_TX_PARAMS: ChainParams = {
  bank: { minGasPrice: 1n },
  staking: { powerReduction: 1_000_000n, maxValidators: 100, unbondingBlocks: 100, minSelfStake: 1_000_000n },
  slashing: {
    signedBlocksWindow: 100,
    minSignedPerWindowBps: 5_000,
    slashFractionDoubleSignBps: 500,
    slashFractionDowntimeBps: 1,
    downtimeJailBlocks: 50,
    maxEvidenceAgeBlocks: 100,
  },
  tx: { maxTxBytes: 1024, maxMemoBytes: 16, maxMsgs: 2, maxNonceGap: 16 },
  block: { maxBytes: 1 << 20, maxGas: 1_000_000 },
};

export interface TestAccount {
  key: SigningKey;
  address: Uint8Array;
  bech32: string;
}

export function newAccount(type: KeyType = KeyType.KEY_TYPE_ED25519): TestAccount {
  const key = generateSigningKey(type);
  const address = addressFromPublicKey(key.type, key.publicKey);
  return { key, address, bech32: encodeAddress(address) };
}

export interface TransferOptions {
  to: Uint8Array;
  amount: bigint | string;
  nonce: number;
  fee?: bigint | string;
  gasLimit?: number;
  chainId?: string;
  memo?: string;
}

export const DEFAULT_GAS_LIMIT = 50_000;

export function transferBody(opts: TransferOptions): Uint8Array {
  return encode(
    TxBody,
    TxBody.create({
      chainId: opts.chainId ?? TEST_CHAIN_ID,
      nonce: opts.nonce,
      fee: String(opts.fee ?? BigInt(opts.gasLimit ?? DEFAULT_GAS_LIMIT)),
      gasLimit: opts.gasLimit ?? DEFAULT_GAS_LIMIT,
      messages: [Msg.create({ bankSend: MsgSend.create({ to: opts.to, amount: String(opts.amount) }) })],
      memo: opts.memo ?? "",
    }),
  );
}

/** Signs `body` (the exact bytes) and wraps it in a canonical Tx. */
export function signBody(key: SigningKey, body: Uint8Array): Uint8Array {
  return encode(
    Tx,
    Tx.create({ body, publicKey: key.publicKey, keyType: key.type, signature: key.sign(body) }),
  );
}

export function signedTransfer(from: TestAccount, opts: TransferOptions): Uint8Array {
  return signBody(from.key, transferBody(opts));
}

export interface MsgTxOptions {
  nonce: number;
  fee?: bigint | string;
  gasLimit?: number;
  chainId?: string;
}

/** A signed tx carrying `messages` (fee defaults to 1 per gas, as min_gas_price 1 needs). */
export function signedMsgs(from: TestAccount, messages: Msg[], opts: MsgTxOptions): Uint8Array {
  const gasLimit = opts.gasLimit ?? DEFAULT_GAS_LIMIT;
  return signBody(
    from.key,
    encode(
      TxBody,
      TxBody.create({
        chainId: opts.chainId ?? TEST_CHAIN_ID,
        nonce: opts.nonce,
        fee: String(opts.fee ?? BigInt(gasLimit)),
        gasLimit,
        messages,
        memo: "",
      }),
    ),
  );
}

export interface TestGenesis {
  genesis: GenesisAppState;
  validators: { operator: TestAccount; consensus: SigningKey; consensusAddress: Uint8Array }[];
}

/** A genesis funding `accounts` and bonding `powers.length` validators with those powers. */
export function testGenesis(
  accounts: { account: TestAccount | Uint8Array; balance: bigint | string }[],
  powers: number[] = [1],
  params: Partial<GenesisParams> = {},
): TestGenesis {
  const merged: GenesisParams = { ...structuredClone(DEFAULT_GENESIS_PARAMS), ...params };
  const reduction = BigInt(merged.staking.power_reduction);
  const validators = powers.map((power) => {
    const consensus = generateSigningKey(KeyType.KEY_TYPE_ED25519);
    return {
      operator: newAccount(),
      consensus,
      consensusAddress: addressFromPublicKey(KeyType.KEY_TYPE_ED25519, consensus.publicKey),
      power,
    };
  });
  return {
    genesis: {
      accounts: accounts.map(({ account, balance }) => ({
        address: account instanceof Uint8Array ? encodeAddress(account) : account.bech32,
        balance: String(balance),
      })),
      validators: validators.map((v, i) => ({
        operator: v.operator.bech32,
        consensus_pubkey: `0x${toHex(v.consensus.publicKey)}`,
        stake: (BigInt(v.power) * reduction).toString(),
        power: v.power,
        moniker: `validator-${i}`,
      })),
      params: merged,
    },
    validators,
  };
}
