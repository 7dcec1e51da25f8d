import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addressFromPublicKey } from "../../crypto/address.js";
import { generateSigningKey, type SigningKey, verifySignature } from "../../crypto/keys.js";
import { proposalSignBytes, voteSignBytes } from "../../crypto/ssz.js";
import { KeyType, Proposal, Vote, VoteType } from "../../proto/index.js";
import { ConsensusError } from "../errors.js";
import { FileSigner } from "./signer.js";

const CHAIN = "kyochi-test";
let dir: string;
let key: SigningKey;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "kyochi-signer-"));
  key = generateSigningKey(KeyType.KEY_TYPE_ED25519);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const open = (audit = false) =>
  FileSigner.open({
    key,
    chainId: CHAIN,
    statePath: join(dir, "data", "priv_validator_state.json"),
    auditLogPath: audit ? join(dir, "data", "signer_audit.jsonl") : undefined,
  });

function vote(
  height: number,
  round: number,
  type: VoteType,
  hashByte: number | null,
  timestampMs = 1000,
): Vote {
  return Vote.create({
    type,
    height,
    round,
    blockHash: hashByte === null ? new Uint8Array(0) : new Uint8Array(32).fill(hashByte),
    timestampMs,
    validatorAddress: addressFromPublicKey(key.type, key.publicKey),
    validatorIndex: 0,
    signature: new Uint8Array(0),
  });
}

function proposal(height: number, round: number, hashByte: number, timestampMs = 1000): Proposal {
  return Proposal.create({
    height,
    round,
    polRound: -1,
    blockHash: new Uint8Array(32).fill(hashByte),
    timestampMs,
    signature: new Uint8Array(0),
  });
}

async function refusal(p: Promise<unknown>): Promise<ConsensusError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConsensusError);
  expect((err as ConsensusError).code).toBe("SIGNER_DOUBLE_SIGN");
  return err as ConsensusError;
}

describe("FileSigner", () => {
  it("signs votes and proposals that verify, persisting the last height/round/step first", async () => {
    const signer = await open();
    const v = await signer.signVote(vote(5, 0, VoteType.VOTE_TYPE_PREVOTE, 1));
    expect(verifySignature(key.type, key.publicKey, voteSignBytes(CHAIN, v), v.signature)).toBe(true);
    const p = await signer.signProposal(proposal(6, 1, 2));
    expect(verifySignature(key.type, key.publicKey, proposalSignBytes(CHAIN, p), p.signature)).toBe(true);
    const state = JSON.parse(readFileSync(join(dir, "data", "priv_validator_state.json"), "utf8"));
    expect(state).toMatchObject({
      height: 6,
      round: 1,
      step: 1,
      signature: Buffer.from(p.signature).toString("hex"),
    });
  });

  it("refuses a different block at the same height/round/step, also after reopening", async () => {
    const signer = await open();
    const first = await signer.signVote(vote(3, 0, VoteType.VOTE_TYPE_PRECOMMIT, 0xaa));
    const err = await refusal(signer.signVote(vote(3, 0, VoteType.VOTE_TYPE_PRECOMMIT, 0xbb)));
    expect(err.message).toMatch(/conflicting/);
    await refusal(signer.signVote(vote(3, 0, VoteType.VOTE_TYPE_PRECOMMIT, null)));

    const reopened = await open();
    await refusal(reopened.signVote(vote(3, 0, VoteType.VOTE_TYPE_PRECOMMIT, 0xbb)));
    // The identical request gets the very signature that already left.
    const again = await reopened.signVote(vote(3, 0, VoteType.VOTE_TYPE_PRECOMMIT, 0xaa));
    expect(Buffer.from(again.signature).equals(Buffer.from(first.signature))).toBe(true);
  });

  it("returns the stored signature and timestamp when only the timestamp differs", async () => {
    const signer = await open();
    const first = await signer.signVote(vote(4, 2, VoteType.VOTE_TYPE_PREVOTE, 7, 1000));
    const again = await (await open()).signVote(vote(4, 2, VoteType.VOTE_TYPE_PREVOTE, 7, 5000));
    expect(Number(again.timestampMs)).toBe(1000);
    expect(Buffer.from(again.signature).equals(Buffer.from(first.signature))).toBe(true);
    expect(verifySignature(key.type, key.publicKey, voteSignBytes(CHAIN, again), again.signature)).toBe(true);
  });

  it("refuses to go back in height, round or step", async () => {
    const signer = await open();
    await signer.signVote(vote(10, 2, VoteType.VOTE_TYPE_PREVOTE, 1));
    expect((await refusal(signer.signVote(vote(9, 5, VoteType.VOTE_TYPE_PRECOMMIT, 1)))).message).toMatch(
      /height regression/,
    );
    expect((await refusal(signer.signVote(vote(10, 1, VoteType.VOTE_TYPE_PRECOMMIT, 1)))).message).toMatch(
      /round regression/,
    );
    expect((await refusal(signer.signProposal(proposal(10, 2, 1)))).message).toMatch(/step regression/);
    // Forward is fine: precommit after prevote, a later round, a later height.
    await signer.signVote(vote(10, 2, VoteType.VOTE_TYPE_PRECOMMIT, 1));
    await signer.signProposal(proposal(10, 3, 4));
    await signer.signVote(vote(11, 0, VoteType.VOTE_TYPE_PREVOTE, null));
    expect(signer.lastSignState).toMatchObject({ height: 11, round: 0, step: 2 });
  });

  it("appends one fsynced audit line per new signature", async () => {
    const signer = await open(true);
    await signer.signProposal(proposal(1, 0, 0x11));
    await signer.signVote(vote(1, 0, VoteType.VOTE_TYPE_PREVOTE, 0x11));
    await signer.signVote(vote(1, 0, VoteType.VOTE_TYPE_PREVOTE, 0x11)); // re-sign: same signature, no new line
    await signer.signVote(vote(1, 0, VoteType.VOTE_TYPE_PRECOMMIT, null));
    const lines = readFileSync(join(dir, "data", "signer_audit.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { height: 1, round: 0, step: 1, blockHash: "11".repeat(32) },
      { height: 1, round: 0, step: 2, blockHash: "11".repeat(32) },
      { height: 1, round: 0, step: 3, blockHash: "" },
    ]);
  });

  it("refuses to start from an unreadable state file rather than guess", async () => {
    const signer = await open();
    await signer.signVote(vote(1, 0, VoteType.VOTE_TYPE_PREVOTE, 1));
    writeFileSync(join(dir, "data", "priv_validator_state.json"), "{ not json");
    await expect(open()).rejects.toMatchObject({ code: "SIGNER_STATE_CORRUPT" });
  });

  it("rejects a secp256k1 validator key", async () => {
    key = generateSigningKey(KeyType.KEY_TYPE_SECP256K1);
    await expect(open()).rejects.toMatchObject({ code: "SIGNER_BAD_KEY" });
  });
});
