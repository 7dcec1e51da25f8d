// Weighted round-robin proposer selection, exactly as CometBFT's ValidatorSet does it
// (types/validator_set.go: IncrementProposerPriority, RescalePriorities,
// shiftByAvgProposerPriority, incrementProposerPriority, CompareProposerPriority).
//
// Each step every validator's priority grows by its power, the one with the highest priority
// (ties: the smaller address) becomes proposer and pays back the total power. Before the steps,
// priorities are rescaled so that max - min <= 2 * total power and centred around zero, which keeps
// a validator that joined late or was idle from dominating. Over any long window a validator
// proposes in proportion to its power.
//
// Priorities are int64 in CometBFT; here they are bigints clipped to the int64 range the same way,
// so results match CometBFT bit for bit.
import { ConsensusError } from "../errors.js";

/** CometBFT caps total power at MaxInt64/8; we cap at Number.MAX_SAFE_INTEGER/8 so tallies stay exact numbers. */
export const MAX_TOTAL_VOTING_POWER = Math.floor(Number.MAX_SAFE_INTEGER / 8);
/** Priorities are kept within PRIORITY_WINDOW_SIZE_FACTOR * total power of each other. */
export const PRIORITY_WINDOW_SIZE_FACTOR = 2n;

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);

export interface WeightedValidator {
  readonly address: Uint8Array;
  readonly power: number;
}

export class ProposerPriorities {
  readonly validators: readonly WeightedValidator[];
  readonly totalPower: number;
  private readonly priorities: bigint[];
  private proposer: number;

  private constructor(validators: readonly WeightedValidator[], priorities: bigint[], proposer: number) {
    this.validators = validators;
    this.priorities = priorities;
    this.proposer = proposer;
    this.totalPower = validators.reduce((sum, v) => sum + v.power, 0);
  }

  /**
   * The state of a new validator set (CometBFT's NewValidatorSet): every priority starts equal,
   * then one increment picks the first proposer. This is the set of the first height.
   */
  static initial(validators: readonly WeightedValidator[]): ProposerPriorities {
    checkValidators(validators);
    const set = new ProposerPriorities(
      validators.map((v) => ({ address: Uint8Array.from(v.address), power: v.power })),
      validators.map(() => 0n),
      -1,
    );
    set.increment(1);
    return set;
  }

  /** Rebuilds a set from stored priorities and proposer index (as persisted between heights). */
  static restore(
    validators: readonly WeightedValidator[],
    priorities: readonly bigint[],
    proposerIndex: number,
  ): ProposerPriorities {
    checkValidators(validators);
    if (priorities.length !== validators.length) {
      throw new ConsensusError("INVALID_VALIDATOR_SET", "one priority per validator is required");
    }
    if (!Number.isInteger(proposerIndex) || proposerIndex < 0 || proposerIndex >= validators.length) {
      throw new ConsensusError("INVALID_VALIDATOR_SET", `proposer index ${proposerIndex} is out of range`);
    }
    for (const p of priorities) {
      if (p < INT64_MIN || p > INT64_MAX)
        throw new ConsensusError("INVALID_VALIDATOR_SET", "priority out of int64 range");
    }
    return new ProposerPriorities(
      validators.map((v) => ({ address: Uint8Array.from(v.address), power: v.power })),
      [...priorities],
      proposerIndex,
    );
  }

  /** Index (in `validators`) of the proposer chosen by the last increment. */
  get proposerIndex(): number {
    return this.proposer;
  }

  priority(index: number): bigint {
    const p = this.priorities[index];
    if (p === undefined) throw new RangeError(`no validator at index ${index}`);
    return p;
  }

  allPriorities(): bigint[] {
    return [...this.priorities];
  }

  copy(): ProposerPriorities {
    return new ProposerPriorities(this.validators, [...this.priorities], this.proposer);
  }

  /** A copy advanced by `times` steps (the set of a later round, or of the next height with times = 1). */
  incremented(times: number): ProposerPriorities {
    const next = this.copy();
    if (times > 0) next.increment(times);
    return next;
  }

  /** CometBFT's IncrementProposerPriority(times): rescale, centre, then `times` selection steps. */
  increment(times: number): void {
    if (!Number.isInteger(times) || times <= 0) throw new RangeError("times must be a positive integer");
    const total = BigInt(this.totalPower);
    this.rescale(PRIORITY_WINDOW_SIZE_FACTOR * total);
    this.shiftByAverage();
    for (let i = 0; i < times; i++) this.proposer = this.step(total);
  }

  private rescale(diffMax: bigint): void {
    if (diffMax <= 0n) return;
    let max = INT64_MIN;
    let min = INT64_MAX;
    for (const p of this.priorities) {
      if (p > max) max = p;
      if (p < min) min = p;
    }
    let diff = max - min;
    if (diff < 0n) diff = -diff;
    if (diff <= diffMax) return;
    const ratio = (diff + diffMax - 1n) / diffMax;
    // bigint division truncates toward zero, like Go's int64 division.
    for (let i = 0; i < this.priorities.length; i++) this.priorities[i] = this.priorities[i]! / ratio;
  }

  private shiftByAverage(): void {
    const n = BigInt(this.priorities.length);
    let sum = 0n;
    for (const p of this.priorities) sum += p;
    // Go's big.Int.Div is Euclidean: for a positive divisor it rounds toward negative infinity.
    let avg = sum / n;
    if (sum % n !== 0n && sum < 0n) avg -= 1n;
    for (let i = 0; i < this.priorities.length; i++) this.priorities[i] = clip(this.priorities[i]! - avg);
  }

  private step(total: bigint): number {
    let best = -1;
    for (let i = 0; i < this.priorities.length; i++) {
      this.priorities[i] = clip(this.priorities[i]! + BigInt(this.validators[i]!.power));
      if (best < 0 || this.beats(i, best)) best = i;
    }
    this.priorities[best] = clip(this.priorities[best]! - total);
    return best;
  }

  private beats(a: number, b: number): boolean {
    const pa = this.priorities[a]!;
    const pb = this.priorities[b]!;
    if (pa !== pb) return pa > pb;
    return compareBytes(this.validators[a]!.address, this.validators[b]!.address) < 0;
  }
}

function clip(value: bigint): bigint {
  if (value > INT64_MAX) return INT64_MAX;
  if (value < INT64_MIN) return INT64_MIN;
  return value;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}

function checkValidators(validators: readonly WeightedValidator[]): void {
  if (validators.length === 0)
    throw new ConsensusError("INVALID_VALIDATOR_SET", "the validator set is empty");
  let total = 0;
  const seen = new Set<string>();
  for (const v of validators) {
    if (!Number.isSafeInteger(v.power) || v.power <= 0) {
      throw new ConsensusError(
        "INVALID_VALIDATOR_SET",
        `validator power must be a positive integer, got ${v.power}`,
      );
    }
    const key = Buffer.from(v.address).toString("hex");
    if (seen.has(key))
      throw new ConsensusError("INVALID_VALIDATOR_SET", `duplicate validator address ${key}`);
    seen.add(key);
    total += v.power;
    if (total > MAX_TOTAL_VOTING_POWER) {
      throw new ConsensusError(
        "INVALID_VALIDATOR_SET",
        `total voting power exceeds the maximum ${MAX_TOTAL_VOTING_POWER}`,
      );
    }
  }
}
