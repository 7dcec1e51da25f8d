// The validator set as the driver uses it: genesis ValidatorInfo[] checked (sorted by address,
// addresses derived from Ed25519 consensus keys, positive powers), indexed, and hashed once.
import { addressFromPublicKey } from "../../crypto/address.js";
import { toHex } from "../../crypto/hash.js";
import { validatorSetHash } from "../../crypto/ssz.js";
import { bytesEqual } from "../../proto/canonical.js";
import { KeyType, ValidatorInfo } from "../../proto/index.js";
import { compareBytes, MAX_TOTAL_VOTING_POWER, ProposerPriorities } from "../core/proposer.js";
import { ConsensusError } from "../errors.js";

export class ConsensusValidatorSet {
  /** Validators in address order, proposer priority left at 0 (priorities live in ProposerPriorities). */
  readonly validators: readonly ValidatorInfo[];
  /** validators_hash / next_validators_hash of block headers. */
  readonly hash: Uint8Array;
  readonly totalPower: number;
  private readonly indexByAddress: Map<string, number>;

  private constructor(validators: ValidatorInfo[]) {
    this.validators = validators;
    this.hash = validatorSetHash(validators);
    this.totalPower = validators.reduce((sum, v) => sum + Number(v.power), 0);
    this.indexByAddress = new Map(validators.map((v, i) => [toHex(v.address), i]));
  }

  /** Checks and adopts a genesis validator list; ConsensusError("INVALID_VALIDATOR_SET") names the problem. */
  static fromValidators(infos: readonly ValidatorInfo[]): ConsensusValidatorSet {
    if (infos.length === 0) throw new ConsensusError("INVALID_VALIDATOR_SET", "the validator set is empty");
    let total = 0;
    const validators = infos.map((v, i) => {
      const pubKey = v.pubKey ?? new Uint8Array(0);
      const address = v.address ?? new Uint8Array(0);
      const power = Number(v.power);
      if (pubKey.length !== 32) throw invalid(`validator ${i}: public key must be 32 bytes (Ed25519)`);
      if (!bytesEqual(address, addressFromPublicKey(KeyType.KEY_TYPE_ED25519, pubKey))) {
        throw invalid(`validator ${i}: address ${toHex(address)} is not the address of its public key`);
      }
      if (!Number.isSafeInteger(power) || power <= 0)
        throw invalid(`validator ${i}: power must be a positive integer`);
      total += power;
      if (total > MAX_TOTAL_VOTING_POWER)
        throw invalid(`total voting power exceeds ${MAX_TOTAL_VOTING_POWER}`);
      const prev = infos[i - 1];
      if (prev && compareBytes(prev.address, address) >= 0) {
        throw invalid(`validators must be sorted by address without duplicates (index ${i})`);
      }
      return ValidatorInfo.create({
        address: Uint8Array.from(address),
        pubKey: Uint8Array.from(pubKey),
        power,
        proposerPriority: 0,
      });
    });
    return new ConsensusValidatorSet(validators);
  }

  get size(): number {
    return this.validators.length;
  }

  at(index: number): ValidatorInfo | undefined {
    return this.validators[index];
  }

  indexOf(address: Uint8Array): number {
    return this.indexByAddress.get(toHex(address)) ?? -1;
  }

  /** Proposer priorities of the first height (CometBFT's NewValidatorSet). */
  initialPriorities(): ProposerPriorities {
    return ProposerPriorities.initial(
      this.validators.map((v) => ({ address: v.address, power: Number(v.power) })),
    );
  }

  /** Priorities of `height`, recomputed from genesis one height at a time (as CometBFT advances them). */
  prioritiesAt(height: number): ProposerPriorities {
    const set = this.initialPriorities();
    for (let h = 1; h < height; h++) set.increment(1);
    return set;
  }

  restorePriorities(priorities: readonly bigint[], proposerIndex: number): ProposerPriorities {
    return ProposerPriorities.restore(
      this.validators.map((v) => ({ address: v.address, power: Number(v.power) })),
      priorities,
      proposerIndex,
    );
  }
}

function invalid(message: string): ConsensusError {
  return new ConsensusError("INVALID_VALIDATOR_SET", message);
}
