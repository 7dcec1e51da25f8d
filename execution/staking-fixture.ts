// Test fixture for staking and slashing: a chain with funded validator operators, fee-free txs (so
// balances move only by staking) and small, readable params.
import { toHex } from "../crypto/hash.js";
import { generateSigningKey, type SigningKey } from "../crypto/keys.js";
import type { CommitVoteInfo, Misbehavior } from "../proto/application.js";
import { KeyType, kyochi, Msg, type TxResult, type ValidatorUpdate } from "../proto/index.js";
import { RESULT_CODES } from "./errors.js";
import {
  DEFAULT_GENESIS_PARAMS,
  type GenesisAppState,
  type SlashingGenesisParams,
  type StakingGenesisParams,
} from "./genesis-types.js";
import { consensusAddressOf } from "./modules/staking/records.js";
import { startTestChain, type TestChain } from "./test-chain.js";
import { newAccount, signedMsgs, type TestAccount, testGenesis } from "./test-helpers.js";

export const REDUCTION = 1_000_000n;
export const OPERATOR_FUNDS = 1_000_000_000n;

export interface FixtureValidator {
  operator: TestAccount;
  consensus: SigningKey;
  consensusAddress: Uint8Array;
}

export interface Fixture {
  chain: TestChain;
  validators: FixtureValidator[];
  /** Signs `messages` from `from` with its next nonce (tracked here), fee 0. */
  tx(from: TestAccount, ...messages: Msg[]): Uint8Array;
  /** Every vote of `validators` (default: all genesis ones) signed, except those in `missing`. */
  votes(missing?: FixtureValidator[], validators?: FixtureValidator[]): CommitVoteInfo[];
  /** Forgets a tracked nonce (after a tx that failed its stateless checks and never used it). */
  rewindNonce(from: TestAccount): void;
}

export interface FixtureOptions {
  powers?: number[];
  staking?: Partial<StakingGenesisParams>;
  slashing?: Partial<SlashingGenesisParams>;
  /** Extra funded accounts. */
  accounts?: { account: TestAccount; balance: bigint }[];
}

export interface FixtureGenesis {
  genesis: GenesisAppState;
  validators: FixtureValidator[];
}

/** The genesis of a fixture (random keys): build once to start several identical chains. */
export function fixtureGenesis(opts: FixtureOptions = {}): FixtureGenesis {
  const { genesis, validators } = testGenesis(
    (opts.accounts ?? []).map((a) => ({ account: a.account, balance: a.balance })),
    opts.powers ?? [10, 10, 10, 10],
    {
      bank: { min_gas_price: "0" },
      staking: { ...DEFAULT_GENESIS_PARAMS.staking, ...opts.staking },
      slashing: { ...DEFAULT_GENESIS_PARAMS.slashing, ...opts.slashing },
    },
  );
  for (const v of validators)
    genesis.accounts.push({ address: v.operator.bech32, balance: OPERATOR_FUNDS.toString() });
  return { genesis, validators };
}

export async function startFixture(
  opts: FixtureOptions = {},
  built: FixtureGenesis = fixtureGenesis(opts),
): Promise<Fixture> {
  const { genesis, validators } = built;
  const chain = await startTestChain(genesis);
  const nonces = new Map<string, number>();
  return {
    chain,
    validators,
    tx(from, ...messages) {
      const nonce = nonces.get(from.bech32) ?? 0;
      nonces.set(from.bech32, nonce + 1);
      return signedMsgs(from, messages, { nonce, fee: 0n, gasLimit: 200_000 });
    },
    votes(missing = [], list = validators) {
      return list.map((v) => ({
        validatorAddress: v.consensusAddress,
        power: 1,
        signed: !missing.includes(v),
      }));
    },
    rewindNonce(from) {
      nonces.set(from.bech32, (nonces.get(from.bech32) ?? 1) - 1);
    },
  };
}

/** A new operator account and consensus key (not in genesis). */
export function newValidatorKeys(): FixtureValidator {
  const consensus = generateSigningKey(KeyType.KEY_TYPE_ED25519);
  return { operator: newAccount(), consensus, consensusAddress: consensusAddressOf(consensus.publicKey) };
}

export function codeName(result: { code: number }): string {
  const entry = Object.entries(RESULT_CODES).find(([, info]) => info.code === result.code);
  return entry ? entry[0] : `unknown ${result.code}`;
}

export function codes(results: TxResult[]): string[] {
  return results.map(codeName);
}

/** Updates as {key hex, power}, easy to compare. */
export function updatesOf(updates: ValidatorUpdate[]): { key: string; power: number }[] {
  return updates.map((u) => ({ key: toHex(u.pubKey), power: u.power }));
}

export function doubleSign(v: FixtureValidator, height: number): Misbehavior {
  return {
    type: "duplicate_vote",
    validatorAddress: v.consensusAddress,
    height,
    timeMs: 1_700_000_000_000 + height * 1000,
    totalVotingPower: 40,
    validatorPower: 10,
  };
}

export function stakingCreateValidator(consensusPubkey: Uint8Array, selfStake: bigint, moniker: string): Msg {
  return Msg.create({
    stakingCreateValidator: kyochi.staking.v1.MsgCreateValidator.create({
      consensusPubkey,
      selfStake: selfStake.toString(),
      moniker,
    }),
  });
}

export function stakingAddStake(amount: bigint): Msg {
  return Msg.create({ stakingAddStake: kyochi.staking.v1.MsgAddStake.create({ amount: amount.toString() }) });
}

export function stakingUnbond(amount: bigint): Msg {
  return Msg.create({ stakingUnbond: kyochi.staking.v1.MsgUnbond.create({ amount: amount.toString() }) });
}

export function stakingUnjail(): Msg {
  return Msg.create({ stakingUnjail: kyochi.staking.v1.MsgUnjail.create() });
}
