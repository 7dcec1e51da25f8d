// Test fixture for governance: four validators of 10 power (10,000,000 stake each) whose operators
// vote, funded accounts that propose and deposit, fee-free txs (balances move only by deposits),
// short periods (deposit 5 blocks, voting 4), and helpers to build proposals and read queries.
import { afterEach } from "vitest";
import type { FinalizeBlockResult } from "../../../proto/application.js";
import { kyochi, Msg, VoteOption } from "../../../proto/index.js";
import type { GenesisAttestation, GovGenesisParams } from "../../genesis-types.js";
import { codes, type FixtureValidator, fixtureGenesis } from "../../staking-fixture.js";
import { startTestChain, type TestChain } from "../../test-chain.js";
import { newAccount, signedMsgs, type TestAccount } from "../../test-helpers.js";
import type { UpgradeHandler } from "../../upgrades.js";

export const STAKE = 10_000_000n;
export const FUNDS = 1_000_000_000n;
export const GOV_TEST_PARAMS: GovGenesisParams = {
  min_deposit: "1000",
  max_deposit_blocks: 5,
  voting_blocks: 4,
  quorum_bps: 5_000,
  threshold_bps: 5_000,
  veto_threshold_bps: 3_340,
};

type Content = kyochi.gov.v1.ProposalContent.$Properties;
const gov = kyochi.gov.v1;

export const content = {
  text: (): Content => ({ text: {} }),
  params: (effectiveHeight: number, changes: [string, string, unknown][]): Content => ({
    paramChange: {
      effectiveHeight,
      changes: changes.map(([module, key, value]) => ({ module, key, value: JSON.stringify(value) })),
    },
  }),
  addRoot: (certificateDer: Uint8Array, evidenceClass = "dev", label = "test root"): Content => ({
    addTrustedRoot: { evidenceClass, label, certificateDer },
  }),
  removeRoot: (rootId: Uint8Array): Content => ({ removeTrustedRoot: { rootId } }),
  measurement: (evidenceClass: string, index: number, value: Uint8Array, allowed: boolean): Content => ({
    setMeasurement: { evidenceClass, index, value, allowed },
  }),
  upgrade: (name: string, height: number, info = ""): Content => ({
    softwareUpgrade: { name, height, info },
  }),
  cancelUpgrade: (): Content => ({ cancelSoftwareUpgrade: {} }),
};

export function submitMsg(c: Content, deposit: bigint | string, title = "a proposal"): Msg {
  return Msg.create({
    govSubmitProposal: gov.MsgSubmitProposal.create({
      title,
      summary: "",
      content: gov.ProposalContent.create(c),
      initialDeposit: String(deposit),
    }),
  });
}

export function depositMsg(proposalId: number, amount: bigint): Msg {
  return Msg.create({ govDeposit: gov.MsgDeposit.create({ proposalId, amount: amount.toString() }) });
}

export const OPTIONS = {
  yes: VoteOption.VOTE_OPTION_YES,
  no: VoteOption.VOTE_OPTION_NO,
  abstain: VoteOption.VOTE_OPTION_ABSTAIN,
  veto: VoteOption.VOTE_OPTION_NO_WITH_VETO,
} as const;

export function voteMsg(proposalId: number, option: keyof typeof OPTIONS | VoteOption): Msg {
  return Msg.create({
    govVote: gov.MsgVote.create({
      proposalId,
      option: typeof option === "number" ? option : OPTIONS[option],
    }),
  });
}

export interface GovFixture {
  chain: TestChain;
  validators: FixtureValidator[];
  alice: TestAccount;
  bob: TestAccount;
  /** Signs `messages` from `from` with its next nonce (tracked here), fee 0. */
  tx(from: TestAccount, ...messages: Msg[]): Uint8Array;
  /** One block with these txs; returns the block and its tx result code names. */
  run(...txs: Uint8Array[]): Promise<{ result: FinalizeBlockResult; codes: string[] }>;
  /** The JSON answer of a query (throws with the codename when it fails). */
  query<T = Record<string, unknown>>(path: string, height?: number): Promise<T>;
  /** The codename a failing query answers with. */
  queryError(path: string): Promise<string>;
  /** Each of `voters` (default: every validator) votes `option` on `id`, in one block. */
  vote(id: number, option: keyof typeof OPTIONS, voters?: FixtureValidator[]): Promise<string[]>;
}

export interface GovFixtureOptions {
  gov?: Partial<GovGenesisParams>;
  attestation?: GenesisAttestation;
  knownUpgrades?: ReadonlyMap<string, UpgradeHandler>;
}

export async function startGovFixture(opts: GovFixtureOptions = {}): Promise<GovFixture> {
  const alice = newAccount();
  const bob = newAccount();
  const built = fixtureGenesis({
    accounts: [
      { account: alice, balance: FUNDS },
      { account: bob, balance: FUNDS },
    ],
  });
  built.genesis.params.gov = { ...GOV_TEST_PARAMS, ...opts.gov };
  if (opts.attestation) built.genesis.attestation = opts.attestation;
  const chain = await startTestChain(built.genesis, { knownUpgrades: opts.knownUpgrades });
  const nonces = new Map<string, number>();
  const decode = (bytes: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(bytes));
  const f: GovFixture = {
    chain,
    validators: built.validators,
    alice,
    bob,
    tx(from, ...messages) {
      const nonce = nonces.get(from.bech32) ?? 0;
      nonces.set(from.bech32, nonce + 1);
      return signedMsgs(from, messages, { nonce, fee: 0n, gasLimit: 2_000_000 });
    },
    async run(...txs) {
      const result = await chain.block({ txs });
      return { result, codes: codes(result.txResults) };
    },
    async query(path, height) {
      const answer = await chain.app.query({ path, ...(height === undefined ? {} : { height }) });
      if (answer.code !== 0) throw new Error(`${answer.codename}: ${answer.log}`);
      return decode(answer.value);
    },
    async queryError(path) {
      return (await chain.app.query({ path })).codename;
    },
    async vote(id, option, voters = built.validators) {
      return (await f.run(...voters.map((v) => f.tx(v.operator, voteMsg(id, option))))).codes;
    },
  };
  return f;
}

/**
 * A `fixture(opts)` for one test file: each fixture's chain is closed (and its LevelDB directory
 * removed) after the test that opened it.
 */
export function useGovFixtures(): (opts?: GovFixtureOptions) => Promise<GovFixture> {
  const open: GovFixture[] = [];
  afterEach(async () => {
    for (const f of open.splice(0)) await f.chain.close();
  });
  return async (opts = {}) => {
    const f = await startGovFixture(opts);
    open.push(f);
    return f;
  };
}
