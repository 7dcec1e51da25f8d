// Governance's params, stored at [0x08, 0x01]; its ParamSpace "gov" (governance can change its
// own rules, through the same checks genesis runs).
import { decodeCanonical, encode } from "../../../proto/canonical.js";
import { GovParams } from "../../../proto/index.js";
import { parseAmount } from "../../amount.js";
import { ExecutionError } from "../../errors.js";
import type { GovGenesisParams } from "../../genesis-types.js";
import { type KvReader, type KvStore, stateKey } from "../../store.js";
import { checkSection } from "../param-values.js";
import type { ParamSpace } from "../types.js";

export const GOV_PREFIX = 0x08;
export const GOV_PARAMS_KEY = stateKey(Uint8Array.of(GOV_PREFIX, 0x01));
/** Periods are bounded so that heights computed from them stay far below 2^53. */
export const MAX_PERIOD_BLOCKS = 2 ** 40;

export interface GovParamsState {
  minDeposit: bigint;
  maxDepositBlocks: number;
  votingBlocks: number;
  quorumBps: number;
  thresholdBps: number;
  vetoThresholdBps: number;
}

export async function loadGovParams(reader: KvReader): Promise<GovParamsState> {
  const bytes = await reader.get(GOV_PARAMS_KEY);
  if (bytes === undefined) throw new ExecutionError("NOT_INITIALIZED", "gov params are missing from state");
  const p = decodeCanonical<GovParams>(GovParams, bytes, "stored gov Params");
  return {
    minDeposit: parseAmount(p.minDeposit, "stored min_deposit", "INTERNAL"),
    maxDepositBlocks: p.maxDepositBlocks,
    votingBlocks: p.votingBlocks,
    quorumBps: p.quorumBps,
    thresholdBps: p.thresholdBps,
    vetoThresholdBps: p.vetoThresholdBps,
  };
}

function intIn(value: number, field: string, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ExecutionError(
      "GENESIS_INVALID",
      `params.gov.${field} must be an integer in ${min}..${max}, got ${value}`,
    );
  }
  return value;
}

/** Checks the section as genesis does and stores it. */
export function storeGovParams(store: KvStore, p: GovGenesisParams): GovParamsState {
  const minDeposit = parseAmount(p.min_deposit, "params.gov.min_deposit", "GENESIS_INVALID");
  if (minDeposit === 0n)
    throw new ExecutionError("GENESIS_INVALID", "params.gov.min_deposit must be greater than zero");
  const state: GovParamsState = {
    minDeposit,
    maxDepositBlocks: intIn(p.max_deposit_blocks, "max_deposit_blocks", 1, MAX_PERIOD_BLOCKS),
    votingBlocks: intIn(p.voting_blocks, "voting_blocks", 1, MAX_PERIOD_BLOCKS),
    quorumBps: intIn(p.quorum_bps, "quorum_bps", 0, 10_000),
    thresholdBps: intIn(p.threshold_bps, "threshold_bps", 0, 10_000),
    vetoThresholdBps: intIn(p.veto_threshold_bps, "veto_threshold_bps", 0, 10_000),
  };
  store.set(
    GOV_PARAMS_KEY,
    encode(
      GovParams,
      GovParams.create({
        minDeposit: minDeposit.toString(),
        maxDepositBlocks: state.maxDepositBlocks,
        votingBlocks: state.votingBlocks,
        quorumBps: state.quorumBps,
        thresholdBps: state.thresholdBps,
        vetoThresholdBps: state.vetoThresholdBps,
      }),
    ),
  );
  return state;
}

export const govParamSpace: ParamSpace = {
  name: "gov",
  async load(reader) {
    const p = await loadGovParams(reader);
    return {
      min_deposit: p.minDeposit.toString(),
      max_deposit_blocks: p.maxDepositBlocks,
      voting_blocks: p.votingBlocks,
      quorum_bps: p.quorumBps,
      threshold_bps: p.thresholdBps,
      veto_threshold_bps: p.vetoThresholdBps,
    };
  },
  async store(store, values) {
    const v = checkSection<GovGenesisParams>("gov", values, {
      min_deposit: "amount",
      max_deposit_blocks: "integer",
      voting_blocks: "integer",
      quorum_bps: "integer",
      threshold_bps: "integer",
      veto_threshold_bps: "integer",
    });
    storeGovParams(store, v);
  },
};
