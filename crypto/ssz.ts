// Identities of consensus objects (block hash, vote and proposal sign bytes, commit and validator-set
// hashes) as SSZ hash_tree_root, so that an Ethereum-style light client can recompute and verify them
// with any SSZ library. Containers are built from @lodestar/types primitives and @chainsafe/ssz.
//
// Conventions shared by every container below:
// - uint64 protobuf fields are SSZ uint64 (little-endian, one 32-byte chunk each).
// - A hash field is Bytes32; an empty protobuf bytes field means "none" and is hashed as 32 zero bytes.
//   Any other length than 0 or 32 is rejected (CryptoError "INVALID_SSZ_FIELD").
// - An address is Bytes20 (empty = 20 zero bytes); a signature is ByteVector[64] (empty = zeros).
// - chain_id is ByteList[64] of its UTF-8 bytes.
import { ByteListType, ByteVectorType, ContainerType, ListCompositeType } from "@chainsafe/ssz";
import { ssz } from "@lodestar/types";
import {
  type BlockHeader,
  type Commit,
  type Proposal,
  type ValidatorInfo,
  type Vote,
  VoteType,
} from "../proto/index.js";
import { CryptoError } from "./errors.js";
import { sha256 } from "./hash.js";

/** Most UTF-8 bytes of a chain id. */
export const CHAIN_ID_MAX_BYTES = 64;
/** List limit of the validator set and of a commit's signatures (fixes the SSZ tree depth). */
export const VALIDATOR_LIST_LIMIT = 2 ** 16;
/** List limit of hashListRoot (tx hashes of a block, results of a block). */
export const HASH_LIST_LIMIT = 2 ** 20;

/**
 * Signed-message type bytes, the first field of every signed container (values as in CometBFT's
 * SignedMsgType). Votes may only carry PREVOTE or PRECOMMIT, proposals always carry PROPOSAL, so a
 * signature over one kind of message never verifies as another kind.
 */
export const SignedMsgType = {
  Prevote: 1,
  Precommit: 2,
  Proposal: 32,
} as const;

const ChainId = new ByteListType(CHAIN_ID_MAX_BYTES);
const Bytes64 = new ByteVectorType(64);

const BlockHeaderSsz = new ContainerType(
  {
    chainId: ChainId,
    height: ssz.UintNum64,
    timeMs: ssz.UintNum64,
    lastBlockHash: ssz.Bytes32,
    lastCommitHash: ssz.Bytes32,
    dataHash: ssz.Bytes32,
    validatorsHash: ssz.Bytes32,
    nextValidatorsHash: ssz.Bytes32,
    appHash: ssz.Bytes32,
    lastResultsHash: ssz.Bytes32,
    evidenceHash: ssz.Bytes32,
    proposerAddress: ssz.Bytes20,
  },
  { typeName: "KyochiBlockHeader" },
);

const VoteSsz = new ContainerType(
  {
    type: ssz.Uint8,
    height: ssz.UintNum64,
    round: ssz.Uint32,
    blockHash: ssz.Bytes32,
    timestampMs: ssz.UintNum64,
    validatorAddress: ssz.Bytes20,
    chainId: ChainId,
  },
  { typeName: "KyochiVoteSignBytes" },
);

const ProposalSsz = new ContainerType(
  {
    type: ssz.Uint8,
    height: ssz.UintNum64,
    round: ssz.Uint32,
    polRoundPlusOne: ssz.UintNum64,
    blockHash: ssz.Bytes32,
    timestampMs: ssz.UintNum64,
    chainId: ChainId,
  },
  { typeName: "KyochiProposalSignBytes" },
);

const CommitSigSsz = new ContainerType(
  {
    flag: ssz.Uint8,
    validatorAddress: ssz.Bytes20,
    timestampMs: ssz.UintNum64,
    signature: Bytes64,
  },
  { typeName: "KyochiCommitSig" },
);

const CommitSsz = new ContainerType(
  {
    height: ssz.UintNum64,
    round: ssz.Uint32,
    blockHash: ssz.Bytes32,
    signatures: new ListCompositeType(CommitSigSsz, VALIDATOR_LIST_LIMIT),
  },
  { typeName: "KyochiCommit" },
);

const ValidatorSsz = new ContainerType(
  {
    address: ssz.Bytes20,
    pubKey: ssz.Bytes32,
    power: ssz.UintNum64,
  },
  { typeName: "KyochiValidator" },
);
const ValidatorListSsz = new ListCompositeType(ValidatorSsz, VALIDATOR_LIST_LIMIT);

/**
 * Block hash: hash_tree_root of
 * `Container { chain_id: ByteList[64], height: uint64, time_ms: uint64, last_block_hash: Bytes32,
 * last_commit_hash: Bytes32, data_hash: Bytes32, validators_hash: Bytes32, next_validators_hash: Bytes32,
 * app_hash: Bytes32, last_results_hash: Bytes32, evidence_hash: Bytes32, proposer_address: Bytes20 }`
 * (protobuf field order; empty hashes/addresses are zeros).
 */
export function blockHeaderHash(header: BlockHeader): Uint8Array {
  return BlockHeaderSsz.hashTreeRoot({
    chainId: chainIdBytes(header.chainId),
    height: uint64(header.height, "header.height"),
    timeMs: uint64(header.timeMs, "header.timeMs"),
    lastBlockHash: fixedBytes(header.lastBlockHash, 32, "header.lastBlockHash"),
    lastCommitHash: fixedBytes(header.lastCommitHash, 32, "header.lastCommitHash"),
    dataHash: fixedBytes(header.dataHash, 32, "header.dataHash"),
    validatorsHash: fixedBytes(header.validatorsHash, 32, "header.validatorsHash"),
    nextValidatorsHash: fixedBytes(header.nextValidatorsHash, 32, "header.nextValidatorsHash"),
    appHash: fixedBytes(header.appHash, 32, "header.appHash"),
    lastResultsHash: fixedBytes(header.lastResultsHash, 32, "header.lastResultsHash"),
    evidenceHash: fixedBytes(header.evidenceHash, 32, "header.evidenceHash"),
    proposerAddress: fixedBytes(header.proposerAddress, 20, "header.proposerAddress"),
  });
}

/**
 * Bytes a validator signs for a prevote/precommit: hash_tree_root of
 * `Container { type: uint8 (1 prevote, 2 precommit), height: uint64, round: uint32, block_hash: Bytes32
 * (zeros = nil), timestamp_ms: uint64, validator_address: Bytes20, chain_id: ByteList[64] }`.
 * validator_index and signature are not signed. Any other vote type throws.
 */
export function voteSignBytes(chainId: string, vote: Vote): Uint8Array {
  const type = vote.type as number;
  if (type !== VoteType.VOTE_TYPE_PREVOTE && type !== VoteType.VOTE_TYPE_PRECOMMIT) {
    throw new CryptoError("INVALID_SSZ_FIELD", `vote.type must be prevote or precommit, got ${type}`);
  }
  return VoteSsz.hashTreeRoot({
    type: type === VoteType.VOTE_TYPE_PREVOTE ? SignedMsgType.Prevote : SignedMsgType.Precommit,
    height: uint64(vote.height, "vote.height"),
    round: uint32(vote.round, "vote.round"),
    blockHash: fixedBytes(vote.blockHash, 32, "vote.blockHash"),
    timestampMs: uint64(vote.timestampMs, "vote.timestampMs"),
    validatorAddress: fixedBytes(vote.validatorAddress, 20, "vote.validatorAddress"),
    chainId: chainIdBytes(chainId),
  });
}

/**
 * Bytes a proposer signs: hash_tree_root of
 * `Container { type: uint8 (= 32), height: uint64, round: uint32, pol_round_plus_one: uint64
 * (pol_round + 1, so -1 encodes as 0), block_hash: Bytes32, timestamp_ms: uint64, chain_id: ByteList[64] }`.
 */
export function proposalSignBytes(chainId: string, proposal: Proposal): Uint8Array {
  const polRound = proposal.polRound;
  if (!Number.isInteger(polRound) || polRound < -1 || polRound > 0x7fffffff) {
    throw new CryptoError("INVALID_SSZ_FIELD", `proposal.polRound must be -1 or a round, got ${polRound}`);
  }
  return ProposalSsz.hashTreeRoot({
    type: SignedMsgType.Proposal,
    height: uint64(proposal.height, "proposal.height"),
    round: uint32(proposal.round, "proposal.round"),
    polRoundPlusOne: polRound + 1,
    blockHash: fixedBytes(proposal.blockHash, 32, "proposal.blockHash"),
    timestampMs: uint64(proposal.timestampMs, "proposal.timestampMs"),
    chainId: chainIdBytes(chainId),
  });
}

/**
 * Commit hash (the header's last_commit_hash): hash_tree_root of
 * `Container { height: uint64, round: uint32, block_hash: Bytes32, signatures: List[CommitSig, 2^16] }`
 * with `CommitSig = Container { flag: uint8 (BlockIdFlag), validator_address: Bytes20, timestamp_ms: uint64,
 * signature: ByteVector[64] (zeros when absent) }`.
 */
export function commitHash(commit: Commit): Uint8Array {
  if (commit.signatures.length > VALIDATOR_LIST_LIMIT) {
    throw new CryptoError("INVALID_SSZ_FIELD", `commit has more than ${VALIDATOR_LIST_LIMIT} signatures`);
  }
  return CommitSsz.hashTreeRoot({
    height: uint64(commit.height, "commit.height"),
    round: uint32(commit.round, "commit.round"),
    blockHash: fixedBytes(commit.blockHash, 32, "commit.blockHash"),
    signatures: commit.signatures.map((sig, i) => ({
      flag: uint8(sig.flag as number, `commit.signatures[${i}].flag`),
      validatorAddress: fixedBytes(sig.validatorAddress, 20, `commit.signatures[${i}].validatorAddress`),
      timestampMs: uint64(sig.timestampMs, `commit.signatures[${i}].timestampMs`),
      signature: fixedBytes(sig.signature, 64, `commit.signatures[${i}].signature`),
    })),
  });
}

/**
 * Validator-set hash (validators_hash, next_validators_hash): hash_tree_root of
 * `List[Container { address: Bytes20, pub_key: Bytes32, power: uint64 }, 2^16]` in the given order.
 * proposer_priority is left out on purpose: it changes every block while the set does not.
 */
export function validatorSetHash(validators: ValidatorInfo[]): Uint8Array {
  if (validators.length > VALIDATOR_LIST_LIMIT) {
    throw new CryptoError("INVALID_SSZ_FIELD", `validator set has more than ${VALIDATOR_LIST_LIMIT} entries`);
  }
  return ValidatorListSsz.hashTreeRoot(
    validators.map((v, i) => ({
      address: fixedBytes(v.address, 20, `validators[${i}].address`),
      pubKey: fixedBytes(v.pubKey, 32, `validators[${i}].pubKey`),
      power: uint64(v.power, `validators[${i}].power`),
    })),
  );
}

/**
 * hash_tree_root of `List[Bytes32, 2^20]` (data_hash = root of the block's tx hashes in block order;
 * last_results_hash). An empty list gives the SSZ empty-list root (zero subtree root mixed with length 0).
 * Every hash must be exactly 32 bytes.
 */
export function hashListRoot(hashes: Uint8Array[]): Uint8Array {
  if (hashes.length > HASH_LIST_LIMIT) {
    throw new CryptoError("INVALID_SSZ_FIELD", `hash list has more than ${HASH_LIST_LIMIT} entries`);
  }
  for (let i = 0; i < hashes.length; i++) {
    if (hashes[i]?.length !== 32) {
      throw new CryptoError("INVALID_SSZ_FIELD", `hashes[${i}] must be 32 bytes, got ${hashes[i]?.length}`);
    }
  }
  return merkleizeHashList(hashes);
}

// SSZ List[Bytes32, HASH_LIST_LIMIT] root computed directly with native sha256: the same root as
// @chainsafe/ssz's List[Bytes32, 2^20] hashTreeRoot (the tests compare both) but ~10x faster,
// which matters because every proposal and every block check hashes all of a block's txs.
const LIST_DEPTH = Math.log2(HASH_LIST_LIMIT);
const ZERO_HASHES: Uint8Array[] = [new Uint8Array(32)];
for (let i = 1; i <= LIST_DEPTH; i++) ZERO_HASHES.push(sha256(ZERO_HASHES[i - 1]!, ZERO_HASHES[i - 1]!));

function merkleizeHashList(hashes: Uint8Array[]): Uint8Array {
  let layer = hashes;
  for (let depth = 0; depth < LIST_DEPTH; depth++) {
    if (layer.length === 0) {
      layer = [ZERO_HASHES[LIST_DEPTH]!];
      break;
    }
    const next: Uint8Array[] = new Array(Math.ceil(layer.length / 2));
    for (let i = 0; i < layer.length; i += 2) {
      next[i >> 1] = sha256(layer[i]!, layer[i + 1] ?? ZERO_HASHES[depth]!);
    }
    layer = next;
  }
  const length = new Uint8Array(32);
  new DataView(length.buffer).setUint32(0, hashes.length, true);
  return sha256(layer[0]!, length);
}

const utf8 = new TextEncoder();

function chainIdBytes(chainId: string): Uint8Array {
  const bytes = utf8.encode(chainId);
  if (bytes.length > CHAIN_ID_MAX_BYTES) {
    throw new CryptoError(
      "INVALID_SSZ_FIELD",
      `chain id is ${bytes.length} bytes, at most ${CHAIN_ID_MAX_BYTES}`,
    );
  }
  return bytes;
}

// Empty protobuf bytes mean "none" and hash as zeros; anything else must already have the exact length,
// so two different byte strings can never hash alike through padding or truncation.
function fixedBytes(value: Uint8Array | null | undefined, length: number, what: string): Uint8Array {
  if (value == null || value.length === 0) return new Uint8Array(length);
  if (value.length !== length) {
    throw new CryptoError(
      "INVALID_SSZ_FIELD",
      `${what} must be ${length} bytes (or empty), got ${value.length}`,
    );
  }
  return value;
}

// protobufjs gives decoded uint64 fields as numbers (--force-number), but the prototype default of an
// unset uint64 field on a created message is a Long (because the \`long\` package is installed). Both
// mean the same number; an unset field (null/undefined) is 0 as in proto3.
function protoNumber(field: unknown): number {
  if (typeof field === "number") return field;
  if (field == null) return 0;
  if (typeof field === "object" && typeof (field as { toString?: unknown }).toString === "function") {
    const text = String(field);
    if (/^-?[0-9]+$/.test(text)) {
      const big = BigInt(text);
      return big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER)
        ? Number(big)
        : Number.NaN;
    }
  }
  return Number.NaN;
}

function uint64(field: unknown, what: string): number {
  const value = protoNumber(field);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new CryptoError("INVALID_SSZ_FIELD", `${what} must be an integer in [0, 2^53-1], got ${value}`);
  }
  return value;
}

function uint32(field: unknown, what: string): number {
  const value = protoNumber(field);
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
    throw new CryptoError("INVALID_SSZ_FIELD", `${what} must be a uint32, got ${value}`);
  }
  return value;
}

function uint8(field: unknown, what: string): number {
  const value = protoNumber(field);
  if (!Number.isInteger(value) || value < 0 || value > 0xff) {
    throw new CryptoError("INVALID_SSZ_FIELD", `${what} must be a uint8, got ${value}`);
  }
  return value;
}
