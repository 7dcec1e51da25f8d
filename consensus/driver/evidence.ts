// Duplicate-vote evidence: two votes a validator signed for the same height, round and type with
// different block hashes. Built when this node sees the second vote (the core reports it), or
// received from peers; checked against the validator set of its height; kept in a bounded pool;
// proposed in blocks; and recorded as committed in the block's batch so it is never included twice.
//
// Evidence for the height still being decided waits in the pool until that height is committed:
// its timestamp is the block time of its height, which only exists then (as in CometBFT).
import { sha256, toHex } from "../../crypto/hash.js";
import { verifySignature } from "../../crypto/keys.js";
import { voteSignBytes } from "../../crypto/ssz.js";
import { bytesEqual, encode } from "../../proto/canonical.js";
import {
  DuplicateVoteEvidence,
  Evidence,
  EvidenceList,
  KeyType,
  type kyochi,
  Vote,
  VoteType,
} from "../../proto/index.js";
import { type KyochiDb, Prefix, prefixed, type WriteBatch } from "../../state/db.js";
import { compareBytes } from "../core/proposer.js";
import type { ConsensusValidatorSet } from "./validator-set.js";

/** Evidence a proposer puts in one block at most (the rest waits for the next one). */
export const MAX_EVIDENCE_PER_BLOCK = 32;
/** Pending evidence kept at most; a flood of (verified) evidence cannot grow memory further. */
const MAX_PENDING = 1_000;

const NOT_COMMITTED_YET = "its height is not committed here (yet)";

const COMMITTED_PREFIX = new TextEncoder().encode("consensus/evidence/");

type VoteFields = kyochi.types.v1.Vote.$Properties;
type DuplicateVoteFields = kyochi.types.v1.DuplicateVoteEvidence.$Properties;

function asVote(v: VoteFields | null | undefined): Vote | null {
  if (!v) return null;
  return v instanceof Vote ? v : Vote.create(v);
}

/** The first vote of a piece of evidence (its offence), or null when it has none. */
export function offenceVote(evidence: Evidence): Vote | null {
  return asVote(evidence.duplicateVote?.voteA);
}

/** One offence per validator, height, round and vote type (never the signatures: they vary). */
export function offenceKey(vote: Vote): string {
  return `${toHex(vote.validatorAddress)}/${vote.height}/${vote.round}/${vote.type}`;
}

function committedKey(offence: string): Uint8Array {
  const id = sha256(new TextEncoder().encode(offence));
  const key = new Uint8Array(COMMITTED_PREFIX.length + id.length);
  key.set(COMMITTED_PREFIX, 0);
  key.set(id, COMMITTED_PREFIX.length);
  return prefixed(Prefix.NodeMeta, key);
}

/** The pair in canonical order: the vote whose block hash sorts first (nil first) is vote_a. */
export function duplicateVote(
  first: Vote,
  second: Vote,
  set: ConsensusValidatorSet,
  timeMs: number,
): DuplicateVoteEvidence {
  const [a, b] = compareBytes(first.blockHash, second.blockHash) <= 0 ? [first, second] : [second, first];
  const validator = set.at(set.indexOf(first.validatorAddress));
  return DuplicateVoteEvidence.create({
    voteA: a,
    voteB: b,
    totalVotingPower: set.totalPower,
    validatorPower: Number(validator?.power ?? 0),
    timestampMs: timeMs,
  });
}

/**
 * Why `ev` is not valid evidence against `set` (the set of the votes' height), or null. `timeMs`
 * is the block time of that height.
 */
export function checkDuplicateVote(
  chainId: string,
  ev: DuplicateVoteFields,
  set: ConsensusValidatorSet,
  timeMs: number,
): string | null {
  const a = asVote(ev.voteA);
  const b = asVote(ev.voteB);
  if (!a || !b) return "evidence lacks a vote";
  if (Number(a.height) !== Number(b.height) || Number(a.round) !== Number(b.round) || a.type !== b.type)
    return "the votes are for different steps";
  if (a.type !== VoteType.VOTE_TYPE_PREVOTE && a.type !== VoteType.VOTE_TYPE_PRECOMMIT)
    return "unknown vote type";
  if (
    !bytesEqual(a.validatorAddress, b.validatorAddress) ||
    Number(a.validatorIndex) !== Number(b.validatorIndex)
  )
    return "the votes are from different validators";
  if (compareBytes(a.blockHash, b.blockHash) >= 0) return "the votes are equal or not in canonical order";
  const index = set.indexOf(a.validatorAddress);
  const validator = set.at(index);
  if (!validator || index !== Number(a.validatorIndex)) return "not a validator at that height";
  if (Number(ev.validatorPower) !== Number(validator.power)) return "validator_power does not match the set";
  if (Number(ev.totalVotingPower) !== set.totalPower) return "total_voting_power does not match the set";
  if (Number(ev.timestampMs) !== timeMs) return "timestamp is not the block time of that height";
  for (const vote of [a, b]) {
    let ok = false;
    try {
      ok = verifySignature(
        KeyType.KEY_TYPE_ED25519,
        validator.pubKey,
        voteSignBytes(chainId, vote),
        vote.signature,
      );
    } catch {
      ok = false;
    }
    if (!ok) return "a vote's signature does not verify";
  }
  return null;
}

/** header.evidence_hash: sha256 of the encoded EvidenceList, zeros when a block has none. */
export function evidenceHash(evidence: readonly Evidence[]): Uint8Array {
  if (evidence.length === 0) return new Uint8Array(32);
  return sha256(encode(EvidenceList, EvidenceList.create({ evidence: [...evidence] })));
}

/** What the pool needs to check evidence of past heights. */
export interface EvidenceContext {
  chainId: string;
  /** The validator set that decided `height` (undefined when not known, e.g. pruned). */
  validatorsAt(height: number): Promise<ConsensusValidatorSet | undefined>;
  /** Block time of committed `height` (undefined when not committed). */
  blockTimeAt(height: number): Promise<number | undefined>;
}

interface RawPair {
  first: Vote;
  second: Vote;
}

export class EvidencePool {
  private readonly db: KyochiDb;
  private readonly ctx: EvidenceContext;
  /** Verified evidence of committed heights, ready to propose, by offence. */
  private readonly ready = new Map<string, Evidence>();
  /** Conflicting votes of the height being decided, finished once that height is committed. */
  private readonly raw = new Map<string, RawPair>();

  constructor(db: KyochiDb, ctx: EvidenceContext) {
    this.db = db;
    this.ctx = ctx;
  }

  get size(): number {
    return this.ready.size + this.raw.size;
  }

  /** Two conflicting votes this node verified itself (both signatures checked on receipt). */
  addConflict(first: Vote, second: Vote): void {
    const key = offenceKey(first);
    if (this.ready.has(key) || this.raw.has(key) || this.size >= MAX_PENDING) return;
    this.raw.set(key, { first, second });
  }

  /**
   * Evidence from a peer: added when it verifies and is new. Returns why it was refused (null when
   * added or already known), so the caller can score the sender down.
   */
  async addFromPeer(evidence: Evidence): Promise<string | null> {
    const vote = offenceVote(evidence);
    if (!vote) return "unknown evidence type";
    const key = offenceKey(vote);
    if (this.ready.has(key)) return null;
    const why = await this.check(evidence);
    // Not wrong, only early (the sender committed that height before this node) or already done.
    if (why === "already committed" || why === NOT_COMMITTED_YET) return null;
    if (why) return why;
    if (this.size < MAX_PENDING) this.ready.set(key, evidence);
    return null;
  }

  /** Why `evidence` may not go into a block now, or null. */
  async check(evidence: Evidence): Promise<string | null> {
    const dv = evidence.duplicateVote;
    const vote = offenceVote(evidence);
    if (!dv || !vote) return "unknown evidence type";
    const height = Number(vote.height);
    const [set, timeMs] = await Promise.all([this.ctx.validatorsAt(height), this.ctx.blockTimeAt(height)]);
    if (!set || timeMs === undefined) return NOT_COMMITTED_YET;
    const why = checkDuplicateVote(this.ctx.chainId, dv, set, timeMs);
    if (why) return why;
    if (await this.db.get(committedKey(offenceKey(vote)))) return "already committed";
    return null;
  }

  /** Checks a block's evidence: each valid, new, and no offence twice. */
  async checkBlock(evidence: readonly Evidence[]): Promise<string | null> {
    if (evidence.length > MAX_EVIDENCE_PER_BLOCK)
      return `more than ${MAX_EVIDENCE_PER_BLOCK} pieces of evidence`;
    const seen = new Set<string>();
    for (const ev of evidence) {
      const why = await this.check(ev);
      if (why) return `evidence: ${why}`;
      const key = offenceKey(offenceVote(ev)!);
      if (seen.has(key)) return "evidence: the same offence twice";
      seen.add(key);
    }
    return null;
  }

  /** Evidence to propose in the next block. */
  pending(): Evidence[] {
    return [...this.ready.values()].slice(0, MAX_EVIDENCE_PER_BLOCK);
  }

  /**
   * After `height` is committed (its block time known): finishes the raw pairs of that height and
   * records the block's evidence as committed (into `batch`, the block's own batch).
   */
  markCommitted(batch: WriteBatch, included: readonly Evidence[]): void {
    for (const ev of included) {
      const vote = offenceVote(ev);
      if (!vote) continue;
      const key = offenceKey(vote);
      batch.put(committedKey(key), Uint8Array.of(1));
      this.ready.delete(key);
      this.raw.delete(key);
    }
  }

  /** Turns the raw pairs of `height` into evidence, now that `height` has a block time. */
  finishHeight(height: number, set: ConsensusValidatorSet, timeMs: number): Evidence[] {
    const finished: Evidence[] = [];
    for (const [key, pair] of this.raw) {
      if (Number(pair.first.height) !== height) continue;
      this.raw.delete(key);
      const ev = Evidence.create({ duplicateVote: duplicateVote(pair.first, pair.second, set, timeMs) });
      this.ready.set(key, ev);
      finished.push(ev);
    }
    return finished;
  }

  /** Drops raw pairs of heights that will never be committed here (the node moved past them). */
  dropRawBelow(height: number): void {
    for (const [key, pair] of this.raw) if (Number(pair.first.height) < height) this.raw.delete(key);
  }
}
