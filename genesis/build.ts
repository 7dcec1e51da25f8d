// Builds genesis documents for `kyochi init` and devnets.
import { addressFromPublicKey, encodeAddress } from "../crypto/address.js";
import { toHex } from "../crypto/hash.js";
import type { SigningKey } from "../crypto/keys.js";
import type { GenesisAttestation } from "../execution/genesis-types.js";
import { KeyType } from "../proto/index.js";
import { DEFAULT_BLOCK_LIMITS, DEFAULT_PARAMS } from "./defaults.js";
import { parseGenesis } from "./load.js";
import type { GenesisDoc } from "./schema.js";

export interface GenesisValidatorInput {
  /** The validator's Ed25519 consensus key. */
  consensusKey: SigningKey;
  /** Operator account (receives fees). */
  operator: string;
  stake: bigint;
  moniker: string;
}

export interface BuildGenesisInput {
  chainId: string;
  genesisTime: Date;
  validators: GenesisValidatorInput[];
  accounts: { address: string; balance: bigint }[];
  /** Trusted attestation roots, allowed measurements, allow_dev (none when absent). */
  attestation?: GenesisAttestation;
}

export function buildGenesis(input: BuildGenesisInput): GenesisDoc {
  for (const v of input.validators) {
    if (v.consensusKey.type !== KeyType.KEY_TYPE_ED25519)
      throw new TypeError("consensus keys must be ed25519");
  }
  return parseGenesis({
    chain_id: input.chainId,
    genesis_time: input.genesisTime.toISOString(),
    initial_height: 1,
    consensus: { block: { ...DEFAULT_BLOCK_LIMITS } },
    app_state: {
      accounts: input.accounts.map((a) => ({ address: a.address, balance: a.balance.toString() })),
      validators: input.validators.map((v) => ({
        operator: v.operator,
        consensus_pubkey: `0x${toHex(v.consensusKey.publicKey)}`,
        stake: v.stake.toString(),
        moniker: v.moniker,
      })),
      params: structuredClone(DEFAULT_PARAMS),
      ...(input.attestation ? { attestation: input.attestation } : {}),
    },
  });
}

export function accountAddress(key: SigningKey): string {
  return encodeAddress(addressFromPublicKey(key.type, key.publicKey));
}
