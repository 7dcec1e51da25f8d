// Commit certificates: +2/3 signed precommits for a block, one CommitSig per validator in set
// order (COMMIT: precommit for the block; NIL: precommit for nil; ABSENT: none, or for another
// block). The signature of each COMMIT/NIL entry is over the precommit's vote sign bytes.
import { toHex } from "../../crypto/hash.js";
import { verifySignature } from "../../crypto/keys.js";
import { voteSignBytes } from "../../crypto/ssz.js";
import { bytesEqual } from "../../proto/canonical.js";
import { BlockIdFlag, Commit, CommitSig, KeyType, type kyochi, Vote, VoteType } from "../../proto/index.js";
import { ConsensusError } from "../errors.js";
import type { ConsensusValidatorSet } from "./validator-set.js";

const EMPTY = new Uint8Array(0);

type CommitSigFields = kyochi.types.v1.CommitSig.$Properties;

/** Builds the commit for `blockHash` from the counted precommits of its round (indexed by validator). */
export function buildCommit(
  height: number,
  round: number,
  blockHash: Uint8Array,
  validators: ConsensusValidatorSet,
  precommitOf: (index: number) => Vote | undefined,
): Commit {
  const signatures = validators.validators.map((v, i) => {
    const vote = precommitOf(i);
    if (vote && vote.blockHash.length === 0) {
      return CommitSig.create({
        flag: BlockIdFlag.BLOCK_ID_FLAG_NIL,
        validatorAddress: v.address,
        timestampMs: Number(vote.timestampMs),
        signature: vote.signature,
      });
    }
    if (vote && bytesEqual(vote.blockHash, blockHash)) {
      return CommitSig.create({
        flag: BlockIdFlag.BLOCK_ID_FLAG_COMMIT,
        validatorAddress: v.address,
        timestampMs: Number(vote.timestampMs),
        signature: vote.signature,
      });
    }
    return CommitSig.create({
      flag: BlockIdFlag.BLOCK_ID_FLAG_ABSENT,
      validatorAddress: EMPTY,
      timestampMs: 0,
      signature: EMPTY,
    });
  });
  return Commit.create({ height, round, blockHash, signatures });
}

/** The precommit a CommitSig stands for (to check its signature). */
export function precommitOfCommitSig(commit: Commit, sig: CommitSigFields, index: number): Vote {
  return Vote.create({
    type: VoteType.VOTE_TYPE_PRECOMMIT,
    height: Number(commit.height),
    round: Number(commit.round),
    blockHash: sig.flag === BlockIdFlag.BLOCK_ID_FLAG_COMMIT ? commit.blockHash : EMPTY,
    timestampMs: Number(sig.timestampMs ?? 0),
    validatorAddress: sig.validatorAddress ?? EMPTY,
    validatorIndex: index,
    signature: sig.signature ?? EMPTY,
  });
}

/**
 * Verifies that `commit` certifies `blockHash` at `height`: one entry per validator, every
 * signature valid, and more than 2/3 of the power committing. Throws ConsensusError("INVALID_COMMIT").
 */
export function verifyCommit(
  chainId: string,
  validators: ConsensusValidatorSet,
  commit: Commit,
  height: number,
  blockHash: Uint8Array,
): void {
  const fail = (why: string) => new ConsensusError("INVALID_COMMIT", `commit for height ${height}: ${why}`);
  if (Number(commit.height) !== height) throw fail(`is for height ${commit.height}`);
  if (!bytesEqual(commit.blockHash, blockHash))
    throw fail(`is for block ${toHex(commit.blockHash)}, not ${toHex(blockHash)}`);
  if (commit.signatures.length !== validators.size) {
    throw fail(`has ${commit.signatures.length} signatures for ${validators.size} validators`);
  }
  let power = 0;
  commit.signatures.forEach((sig, i) => {
    const v = validators.at(i)!;
    const flag = (sig.flag ?? 0) as number;
    const address = sig.validatorAddress ?? EMPTY;
    const signature = sig.signature ?? EMPTY;
    if (flag === BlockIdFlag.BLOCK_ID_FLAG_ABSENT) {
      if (address.length || signature.length || Number(sig.timestampMs ?? 0))
        throw fail(`absent entry ${i} is not empty`);
      return;
    }
    if (flag !== BlockIdFlag.BLOCK_ID_FLAG_COMMIT && flag !== BlockIdFlag.BLOCK_ID_FLAG_NIL)
      throw fail(`entry ${i} has flag ${flag}`);
    if (!bytesEqual(address, v.address)) throw fail(`entry ${i} is not validator ${toHex(v.address)}`);
    let ok: boolean;
    try {
      ok = verifySignature(
        KeyType.KEY_TYPE_ED25519,
        v.pubKey,
        voteSignBytes(chainId, precommitOfCommitSig(commit, sig, i)),
        signature,
      );
    } catch {
      ok = false;
    }
    if (!ok) throw fail(`signature ${i} does not verify`);
    if (flag === BlockIdFlag.BLOCK_ID_FLAG_COMMIT) power += Number(v.power);
  });
  if (3 * power <= 2 * validators.totalPower)
    throw fail(`only ${power} of ${validators.totalPower} power committed`);
}
