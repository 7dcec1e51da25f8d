// Compute params: stored at [0x0a, 0x01]; set by genesis (params.compute) and changed by governance
// through COMPUTE_PARAM_SPACE, which runs the same checks (a proposal can never set a value a genesis
// file could not).
import { decodeCanonical, encode } from "../../../proto/canonical.js";
import { ComputeParams } from "../../../proto/index.js";
import { MAX_AMOUNT } from "../../amount.js";
import { ExecutionError, type ResultCodeName } from "../../errors.js";
import { type KvReader, type KvStore, stateKey } from "../../store.js";
import type { ParamSpace, ParamValue } from "../types.js";
import { COMPUTE_PREFIX } from "./prefix.js";

export const COMPUTE_PARAMS_KEY = stateKey(Uint8Array.of(COMPUTE_PREFIX, 0x01));

export interface ComputeParamsState {
  /** Least stake a worker registers (and stays assignable) with, base units. */
  minWorkerStake: bigint;
  /** Blocks between an unbond tx and the stake's return (slashable meanwhile). */
  workerUnbondingBlocks: number;
  maxReplication: number;
  commitWindowBlocks: number;
  revealWindowBlocks: number;
  /** Fractions of a worker's stake slashed, basis points. */
  slashMissedBps: number;
  slashMinorityBps: number;
  slashAuditBps: number;
  /** Consecutive faults that jail a worker, and for how many blocks. */
  maxFaults: number;
  jailBlocks: number;
  maxReruns: number;
  rerunExtraReplicas: number;
  /** Probability that a settled single-replica job is audited, basis points. */
  auditBps: number;
  maxAssignmentsPerBlock: number;
  maxParamsBytes: number;
  maxOutputBytes: number;
  maxJobBlocks: number;
}

/** Genesis JSON names of the fields, with their bounds (integers) or "amount". */
const INTEGER_BOUNDS = {
  worker_unbonding_blocks: [0, 10_000_000],
  max_replication: [1, 32],
  commit_window_blocks: [1, 100_000],
  reveal_window_blocks: [1, 100_000],
  slash_missed_bps: [0, 10_000],
  slash_minority_bps: [0, 10_000],
  slash_audit_bps: [0, 10_000],
  max_faults: [1, 1_000],
  jail_blocks: [0, 10_000_000],
  max_reruns: [0, 16],
  rerun_extra_replicas: [0, 32],
  audit_bps: [0, 10_000],
  max_assignments_per_block: [1, 10_000],
  max_params_bytes: [0, 65_536],
  max_output_bytes: [0, 4 * 1024 * 1024],
  max_job_blocks: [1, 10_000_000],
} as const satisfies Record<string, readonly [number, number]>;

type IntegerField = keyof typeof INTEGER_BOUNDS;
const FIELDS: readonly string[] = ["min_worker_stake", ...Object.keys(INTEGER_BOUNDS)];

function toState(p: ComputeParams): ComputeParamsState {
  return {
    minWorkerStake: BigInt(p.minWorkerStake),
    workerUnbondingBlocks: p.workerUnbondingBlocks,
    maxReplication: p.maxReplication,
    commitWindowBlocks: p.commitWindowBlocks,
    revealWindowBlocks: p.revealWindowBlocks,
    slashMissedBps: p.slashMissedBps,
    slashMinorityBps: p.slashMinorityBps,
    slashAuditBps: p.slashAuditBps,
    maxFaults: p.maxFaults,
    jailBlocks: p.jailBlocks,
    maxReruns: p.maxReruns,
    rerunExtraReplicas: p.rerunExtraReplicas,
    auditBps: p.auditBps,
    maxAssignmentsPerBlock: p.maxAssignmentsPerBlock,
    maxParamsBytes: p.maxParamsBytes,
    maxOutputBytes: p.maxOutputBytes,
    maxJobBlocks: p.maxJobBlocks,
  };
}

export async function loadComputeParams(reader: KvReader): Promise<ComputeParamsState> {
  const bytes = await reader.get(COMPUTE_PARAMS_KEY);
  if (bytes === undefined)
    throw new ExecutionError("NOT_INITIALIZED", "compute params are missing from state");
  return toState(decodeCanonical<ComputeParams>(ComputeParams, bytes, "stored compute Params"));
}

function intField(
  values: Readonly<Record<string, ParamValue | undefined>>,
  field: IntegerField,
  code: ResultCodeName,
): number {
  const [min, max] = INTEGER_BOUNDS[field];
  const v = values[field];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min || v > max) {
    throw new ExecutionError(
      code,
      `params.compute.${field} must be an integer in ${min}..${max}, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

function stakeField(values: Readonly<Record<string, ParamValue | undefined>>, code: ResultCodeName): bigint {
  const v = values.min_worker_stake;
  if (typeof v !== "string" || !/^[1-9][0-9]{0,38}$/.test(v) || BigInt(v) > MAX_AMOUNT) {
    throw new ExecutionError(
      code,
      `params.compute.min_worker_stake must be a decimal amount in 1..2^128-1, got ${JSON.stringify(v)}`,
    );
  }
  return BigInt(v);
}

/**
 * Checks a whole `compute` params section (every field, no others) and stores it. `code` is
 * GENESIS_INVALID at genesis and COMPUTE_PARAM_INVALID for a governance change.
 */
export function storeComputeParams(
  store: KvStore,
  values: Readonly<Record<string, ParamValue | undefined>>,
  code: ResultCodeName,
): ComputeParamsState {
  for (const key of Object.keys(values)) {
    if (!FIELDS.includes(key))
      throw new ExecutionError(code, `params.compute has no field ${JSON.stringify(key)}`);
  }
  const int = (field: IntegerField) => intField(values, field, code);
  const proto = ComputeParams.create({
    minWorkerStake: stakeField(values, code).toString(),
    workerUnbondingBlocks: int("worker_unbonding_blocks"),
    maxReplication: int("max_replication"),
    commitWindowBlocks: int("commit_window_blocks"),
    revealWindowBlocks: int("reveal_window_blocks"),
    slashMissedBps: int("slash_missed_bps"),
    slashMinorityBps: int("slash_minority_bps"),
    slashAuditBps: int("slash_audit_bps"),
    maxFaults: int("max_faults"),
    jailBlocks: int("jail_blocks"),
    maxReruns: int("max_reruns"),
    rerunExtraReplicas: int("rerun_extra_replicas"),
    auditBps: int("audit_bps"),
    maxAssignmentsPerBlock: int("max_assignments_per_block"),
    maxParamsBytes: int("max_params_bytes"),
    maxOutputBytes: int("max_output_bytes"),
    maxJobBlocks: int("max_job_blocks"),
  });
  store.set(COMPUTE_PARAMS_KEY, encode(ComputeParams, proto));
  return toState(proto);
}

/** The params as genesis JSON spells them. */
export function computeParamsJson(p: ComputeParamsState): Record<string, ParamValue> {
  return {
    min_worker_stake: p.minWorkerStake.toString(),
    worker_unbonding_blocks: p.workerUnbondingBlocks,
    max_replication: p.maxReplication,
    commit_window_blocks: p.commitWindowBlocks,
    reveal_window_blocks: p.revealWindowBlocks,
    slash_missed_bps: p.slashMissedBps,
    slash_minority_bps: p.slashMinorityBps,
    slash_audit_bps: p.slashAuditBps,
    max_faults: p.maxFaults,
    jail_blocks: p.jailBlocks,
    max_reruns: p.maxReruns,
    rerun_extra_replicas: p.rerunExtraReplicas,
    audit_bps: p.auditBps,
    max_assignments_per_block: p.maxAssignmentsPerBlock,
    max_params_bytes: p.maxParamsBytes,
    max_output_bytes: p.maxOutputBytes,
    max_job_blocks: p.maxJobBlocks,
  };
}

/** What governance changes `params.compute` through. */
export const COMPUTE_PARAM_SPACE: ParamSpace = {
  name: "compute",
  async load(reader) {
    return computeParamsJson(await loadComputeParams(reader));
  },
  async store(store, values) {
    storeComputeParams(store, values, "COMPUTE_PARAM_INVALID");
  },
};
