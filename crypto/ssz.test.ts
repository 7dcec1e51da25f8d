import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  BlockHeader,
  BlockIdFlag,
  Commit,
  CommitSig,
  Proposal,
  ValidatorInfo,
  Vote,
  VoteType,
} from "../proto/index.js";
import { CryptoError } from "./errors.js";
import { toHex } from "./hash.js";
import {
  blockHeaderHash,
  commitHash,
  HASH_LIST_LIMIT,
  hashListRoot,
  proposalSignBytes,
  validatorSetHash,
  voteSignBytes,
} from "./ssz.js";

// ---- An independent SSZ merkleization, written from the spec (no @chainsafe/ssz), for known answers ----
const ZERO = new Uint8Array(32);
const sha = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};
const zeroHashes: Uint8Array[] = [ZERO];
for (let i = 1; i <= 40; i++)
  zeroHashes.push(sha(zeroHashes[i - 1] as Uint8Array, zeroHashes[i - 1] as Uint8Array));

/** A basic value or short byte string right-padded into one 32-byte chunk. */
function chunk(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  out.set(bytes);
  return out;
}
function uintChunk(n: number, byteLength: number): Uint8Array {
  const out = new Uint8Array(32);
  let v = BigInt(n);
  for (let i = 0; i < byteLength; i++) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}
/** merkleize(chunks, limit): pad to the next power of two of `limit` with zero chunks. */
function merkleize(chunks: Uint8Array[], limit: number): Uint8Array {
  const depth = Math.ceil(Math.log2(Math.max(limit, 1)));
  let layer = chunks.slice();
  for (let d = 0; d < depth; d++) {
    if (layer.length === 0) return zeroHashes[depth] as Uint8Array;
    if (layer.length % 2 === 1) layer.push(zeroHashes[d] as Uint8Array);
    const next: Uint8Array[] = [];
    for (let i = 0; i < layer.length; i += 2)
      next.push(sha(layer[i] as Uint8Array, layer[i + 1] as Uint8Array));
    layer = next;
  }
  return layer[0] ?? (zeroHashes[depth] as Uint8Array);
}
const mixInLength = (root: Uint8Array, length: number): Uint8Array => sha(root, uintChunk(length, 8));
function byteListRoot(bytes: Uint8Array, maxBytes: number): Uint8Array {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += 32) chunks.push(chunk(bytes.subarray(i, i + 32)));
  return mixInLength(merkleize(chunks, Math.ceil(maxBytes / 32)), bytes.length);
}
const utf8 = (s: string) => new TextEncoder().encode(s);
const filled = (length: number, byte: number) => new Uint8Array(length).fill(byte);
// -------------------------------------------------------------------------------------------------------

function sampleHeader(): BlockHeader {
  return BlockHeader.create({
    chainId: "kyochi-test-1",
    height: 42,
    timeMs: 1_700_000_000_123,
    lastBlockHash: filled(32, 1),
    lastCommitHash: filled(32, 2),
    dataHash: filled(32, 3),
    validatorsHash: filled(32, 4),
    nextValidatorsHash: filled(32, 5),
    appHash: filled(32, 6),
    lastResultsHash: filled(32, 7),
    evidenceHash: filled(32, 8),
    proposerAddress: filled(20, 9),
  });
}

function sampleVote(): Vote {
  return Vote.create({
    type: VoteType.VOTE_TYPE_PRECOMMIT,
    height: 7,
    round: 3,
    blockHash: filled(32, 0xaa),
    timestampMs: 1_700_000_000_000,
    validatorAddress: filled(20, 0xbb),
    validatorIndex: 5,
    signature: filled(64, 0xcc),
  });
}

function sampleProposal(): Proposal {
  return Proposal.create({
    height: 7,
    round: 3,
    polRound: -1,
    blockHash: filled(32, 0xaa),
    timestampMs: 1_700_000_000_000,
    signature: filled(64, 0xcc),
  });
}

function expectSszError(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CryptoError);
    expect((err as CryptoError).code).toBe("INVALID_SSZ_FIELD");
    return;
  }
  throw new Error("expected a CryptoError INVALID_SSZ_FIELD");
}

describe("blockHeaderHash", () => {
  it("matches an independent hand merkleization of the header container", () => {
    const h = sampleHeader();
    const leaves = [
      byteListRoot(utf8(h.chainId), 64),
      uintChunk(h.height, 8),
      uintChunk(h.timeMs, 8),
      h.lastBlockHash,
      h.lastCommitHash,
      h.dataHash,
      h.validatorsHash,
      h.nextValidatorsHash,
      h.appHash,
      h.lastResultsHash,
      h.evidenceHash,
      chunk(h.proposerAddress),
    ];
    expect(toHex(blockHeaderHash(h))).toBe(toHex(merkleize(leaves, leaves.length)));
  });

  it("is deterministic, 32 bytes, and treats empty hash fields as zeros", () => {
    expect(blockHeaderHash(sampleHeader())).toEqual(blockHeaderHash(sampleHeader()));
    expect(blockHeaderHash(sampleHeader())).toHaveLength(32);
    const empty = sampleHeader();
    empty.evidenceHash = new Uint8Array(0);
    empty.proposerAddress = new Uint8Array(0);
    const zeros = sampleHeader();
    zeros.evidenceHash = new Uint8Array(32);
    zeros.proposerAddress = new Uint8Array(20);
    expect(blockHeaderHash(empty)).toEqual(blockHeaderHash(zeros));
  });

  it("changes when any single field changes", () => {
    const base = toHex(blockHeaderHash(sampleHeader()));
    const mutations: Array<(h: BlockHeader) => void> = [
      (h) => {
        h.chainId = "kyochi-test-2";
      },
      (h) => {
        h.height += 1;
      },
      (h) => {
        h.timeMs += 1;
      },
    ];
    const byteFields = [
      "lastBlockHash",
      "lastCommitHash",
      "dataHash",
      "validatorsHash",
      "nextValidatorsHash",
      "appHash",
      "lastResultsHash",
      "evidenceHash",
      "proposerAddress",
    ] as const;
    for (const field of byteFields) {
      mutations.push((h) => {
        const v = Uint8Array.from(h[field]);
        v[v.length - 1] ^= 1;
        h[field] = v;
      });
    }
    const seen = new Set([base]);
    for (const mutate of mutations) {
      const h = sampleHeader();
      mutate(h);
      const hash = toHex(blockHeaderHash(h));
      expect(seen.has(hash)).toBe(false);
      seen.add(hash);
    }
    expect(seen.size).toBe(13);
  });

  it("rejects hash fields of the wrong length, long chain ids and bad integers", () => {
    for (const len of [1, 31, 33, 64]) {
      const h = sampleHeader();
      h.appHash = new Uint8Array(len);
      expectSszError(() => blockHeaderHash(h));
    }
    const addr = sampleHeader();
    addr.proposerAddress = new Uint8Array(32);
    expectSszError(() => blockHeaderHash(addr));
    const longId = sampleHeader();
    longId.chainId = "x".repeat(65);
    expectSszError(() => blockHeaderHash(longId));
    const maxId = sampleHeader();
    maxId.chainId = "x".repeat(64);
    expect(blockHeaderHash(maxId)).toHaveLength(32);
    for (const height of [-1, 1.5, 2 ** 53]) {
      const h = sampleHeader();
      h.height = height;
      expectSszError(() => blockHeaderHash(h));
    }
  });
});

describe("voteSignBytes and proposalSignBytes", () => {
  it("vote sign bytes match an independent hand merkleization", () => {
    const v = sampleVote();
    const leaves = [
      uintChunk(2, 1), // precommit
      uintChunk(v.height, 8),
      uintChunk(v.round, 4),
      v.blockHash,
      uintChunk(v.timestampMs, 8),
      chunk(v.validatorAddress),
      byteListRoot(utf8("kyochi-test-1"), 64),
    ];
    expect(toHex(voteSignBytes("kyochi-test-1", v))).toBe(toHex(merkleize(leaves, leaves.length)));
  });

  it("proposal sign bytes match an independent hand merkleization (pol_round -1 encodes as 0)", () => {
    const p = sampleProposal();
    p.polRound = -1;
    const leaves = [
      uintChunk(32, 1),
      uintChunk(p.height, 8),
      uintChunk(p.round, 4),
      uintChunk(0, 8),
      p.blockHash,
      uintChunk(p.timestampMs, 8),
      byteListRoot(utf8("kyochi-test-1"), 64),
    ];
    expect(toHex(proposalSignBytes("kyochi-test-1", p))).toBe(toHex(merkleize(leaves, leaves.length)));
  });

  it("does not sign the signature or the validator index", () => {
    const a = sampleVote();
    const b = sampleVote();
    b.signature = filled(64, 0x11);
    b.validatorIndex = 99;
    expect(voteSignBytes("c", a)).toEqual(voteSignBytes("c", b));
    const p = sampleProposal();
    const q = sampleProposal();
    q.signature = new Uint8Array(0);
    expect(proposalSignBytes("c", p)).toEqual(proposalSignBytes("c", q));
  });

  it("separates domains: prevote, precommit, proposal, and chain ids never share sign bytes", () => {
    const prevote = sampleVote();
    prevote.type = VoteType.VOTE_TYPE_PREVOTE;
    const precommit = sampleVote();
    // A vote without an address lines its fields up with a proposal of pol_round -1 as far as possible.
    prevote.validatorAddress = new Uint8Array(0);
    precommit.validatorAddress = new Uint8Array(0);
    const proposal = sampleProposal();
    const all = [
      voteSignBytes("kyochi-1", prevote),
      voteSignBytes("kyochi-1", precommit),
      proposalSignBytes("kyochi-1", proposal),
      voteSignBytes("kyochi-2", precommit),
      proposalSignBytes("kyochi-2", proposal),
    ].map(toHex);
    expect(new Set(all).size).toBe(all.length);
  });

  it("changes the vote sign bytes when any signed field changes", () => {
    const base = toHex(voteSignBytes("c", sampleVote()));
    const mutations: Array<(v: Vote) => void> = [
      (v) => {
        v.height += 1;
      },
      (v) => {
        v.round += 1;
      },
      (v) => {
        v.blockHash = new Uint8Array(0); // nil
      },
      (v) => {
        v.timestampMs += 1;
      },
      (v) => {
        v.validatorAddress = filled(20, 0xbc);
      },
    ];
    for (const mutate of mutations) {
      const v = sampleVote();
      mutate(v);
      expect(toHex(voteSignBytes("c", v))).not.toBe(base);
    }
    const pBase = toHex(proposalSignBytes("c", sampleProposal()));
    for (const polRound of [0, 2]) {
      const p = sampleProposal();
      p.polRound = polRound;
      expect(toHex(proposalSignBytes("c", p))).not.toBe(pBase);
    }
  });

  it("rejects unknown vote types, bad pol rounds and wrong hash lengths", () => {
    const v = sampleVote();
    v.type = VoteType.VOTE_TYPE_UNSPECIFIED;
    expectSszError(() => voteSignBytes("c", v));
    const v32 = sampleVote();
    v32.type = 32 as VoteType;
    expectSszError(() => voteSignBytes("c", v32));
    const shortHash = sampleVote();
    shortHash.blockHash = new Uint8Array(20);
    expectSszError(() => voteSignBytes("c", shortHash));
    const p = sampleProposal();
    p.polRound = -2;
    expectSszError(() => proposalSignBytes("c", p));
    const round = sampleVote();
    round.round = 2 ** 32;
    expectSszError(() => voteSignBytes("c", round));
  });
});

describe("commitHash", () => {
  const sigs = () => [
    CommitSig.create({
      flag: BlockIdFlag.BLOCK_ID_FLAG_COMMIT,
      validatorAddress: filled(20, 1),
      timestampMs: 10,
      signature: filled(64, 2),
    }),
    CommitSig.create({ flag: BlockIdFlag.BLOCK_ID_FLAG_ABSENT }),
  ];
  const sample = () => Commit.create({ height: 5, round: 1, blockHash: filled(32, 3), signatures: sigs() });

  it("matches an independent hand merkleization", () => {
    const c = sample();
    const sigRoot = (s: CommitSig) =>
      merkleize(
        [
          uintChunk(s.flag, 1),
          chunk(s.validatorAddress),
          uintChunk(s.timestampMs, 8),
          s.signature.length
            ? merkleize([s.signature.subarray(0, 32), s.signature.subarray(32)], 2)
            : zeroHashes[1],
        ] as Uint8Array[],
        4,
      );
    const list = mixInLength(
      merkleize(
        c.signatures.map((s) => sigRoot(s as CommitSig)),
        2 ** 16,
      ),
      c.signatures.length,
    );
    const expected = merkleize([uintChunk(5, 8), uintChunk(1, 4), c.blockHash, list], 4);
    expect(toHex(commitHash(c))).toBe(toHex(expected));
  });

  it("depends on each signature, its flag, and their order", () => {
    const base = toHex(commitHash(sample()));
    const flag = sample();
    (flag.signatures[1] as CommitSig).flag = BlockIdFlag.BLOCK_ID_FLAG_NIL;
    const sig = sample();
    (sig.signatures[0] as CommitSig).signature = filled(64, 4);
    const order = sample();
    order.signatures.reverse();
    const fewer = sample();
    fewer.signatures.pop();
    for (const c of [flag, sig, order, fewer]) expect(toHex(commitHash(c))).not.toBe(base);
    // An unset uint64 (a Long prototype default in protobufjs) hashes like an explicit 0.
    const explicit = sample();
    explicit.signatures[1] = CommitSig.create({ flag: BlockIdFlag.BLOCK_ID_FLAG_ABSENT, timestampMs: 0 });
    expect(toHex(commitHash(explicit))).toBe(base);
    const bad = sample();
    (bad.signatures[0] as CommitSig).signature = filled(63, 1);
    expectSszError(() => commitHash(bad));
  });
});

describe("validatorSetHash", () => {
  const set = () => [
    ValidatorInfo.create({ address: filled(20, 1), pubKey: filled(32, 2), power: 10, proposerPriority: 0 }),
    ValidatorInfo.create({ address: filled(20, 3), pubKey: filled(32, 4), power: 20, proposerPriority: 5 }),
  ];

  it("matches an independent hand merkleization and ignores proposer priority", () => {
    const vs = set();
    const roots = vs.map((v) => merkleize([chunk(v.address), v.pubKey, uintChunk(v.power, 8)], 3));
    expect(toHex(validatorSetHash(vs))).toBe(toHex(mixInLength(merkleize(roots, 2 ** 16), 2)));
    const moved = set();
    (moved[0] as ValidatorInfo).proposerPriority = -7;
    expect(validatorSetHash(moved)).toEqual(validatorSetHash(vs));
  });

  it("changes with power, key, or membership", () => {
    const base = toHex(validatorSetHash(set()));
    const power = set();
    (power[1] as ValidatorInfo).power = 21;
    const key = set();
    (key[0] as ValidatorInfo).pubKey = filled(32, 9);
    expect(toHex(validatorSetHash(power))).not.toBe(base);
    expect(toHex(validatorSetHash(key))).not.toBe(base);
    expect(toHex(validatorSetHash(set().slice(0, 1)))).not.toBe(base);
    const longKey = set();
    (longKey[0] as ValidatorInfo).pubKey = filled(33, 9);
    expectSszError(() => validatorSetHash(longKey));
  });
});

describe("hashListRoot", () => {
  it("matches an independent hand merkleization of List[Bytes32, 2^20]", () => {
    const hashes = [sha(utf8("tx1")), sha(utf8("tx2")), sha(utf8("tx3"))];
    expect(toHex(hashListRoot(hashes))).toBe(toHex(mixInLength(merkleize(hashes, 2 ** 20), 3)));
  });

  it("gives the SSZ empty-list root for no hashes", () => {
    expect(toHex(hashListRoot([]))).toBe(toHex(sha(zeroHashes[20] as Uint8Array, ZERO)));
  });

  it("depends on order and rejects hashes that are not 32 bytes", () => {
    const a = sha(utf8("a"));
    const b = sha(utf8("b"));
    expect(hashListRoot([a, b])).not.toEqual(hashListRoot([b, a]));
    expect(hashListRoot([a])).not.toEqual(hashListRoot([a, ZERO]));
    expectSszError(() => hashListRoot([a, a.subarray(0, 31)]));
  });
});

describe("hashListRoot against @chainsafe/ssz", () => {
  it("gives the library's List[Bytes32, 2^20] root for every size, odd ones included", async () => {
    const { ListCompositeType } = await import("@chainsafe/ssz");
    const { ssz: lodestar } = await import("@lodestar/types");
    const reference = new ListCompositeType(lodestar.Bytes32, HASH_LIST_LIMIT);
    for (const n of [0, 1, 2, 3, 5, 16, 17, 255, 1000]) {
      const hashes = Array.from({ length: n }, (_, i) => new Uint8Array(32).fill((i * 7 + 1) & 0xff));
      expect(Buffer.from(hashListRoot(hashes)).toString("hex"), `n=${n}`).toBe(
        Buffer.from(reference.hashTreeRoot(hashes)).toString("hex"),
      );
    }
  });
});
