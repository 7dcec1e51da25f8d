// The validator's signer, after CometBFT's FilePV: the last signed height/round/step (HRS) and what
// was signed are persisted (write temp, fsync, rename, fsync dir) BEFORE a signature is returned, so
// after any crash it still refuses to sign anything that could conflict with what already left:
// - a lower HRS than the last one (height, round or step regression);
// - different bytes at the same HRS (a double sign), except that bytes differing only in the
//   timestamp get the stored signature and timestamp back (a restarted node re-voting).
// Steps: 1 proposal, 2 prevote, 3 precommit (a node proposes, then prevotes, then precommits).
import { mkdir, open, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { addressFromPublicKey } from "../../crypto/address.js";
import { fromHex, toHex } from "../../crypto/hash.js";
import type { SigningKey } from "../../crypto/keys.js";
import { proposalSignBytes, voteSignBytes } from "../../crypto/ssz.js";
import { bytesEqual } from "../../proto/canonical.js";
import { KeyType, Proposal, Vote, VoteType } from "../../proto/index.js";
import { ConsensusError } from "../errors.js";
import { writeFileDurable } from "./fsync.js";

export const SignStep = { Proposal: 1, Prevote: 2, Precommit: 3 } as const;
export type SignStep = (typeof SignStep)[keyof typeof SignStep];

export interface LastSignState {
  height: number;
  round: number;
  step: number;
  signBytes: Uint8Array;
  signature: Uint8Array;
  /** Timestamp of the signed vote or proposal (to recognise a re-sign that differs only in time). */
  timestampMs: number;
}

export interface FileSignerOptions {
  key: SigningKey;
  chainId: string;
  /** data/priv_validator_state.json */
  statePath: string;
  /** Optional: append one JSON line per new signature {height, round, step, blockHash}, fsynced. */
  auditLogPath?: string;
}

interface StateFile {
  height: number;
  round: number;
  step: number;
  signBytes: string;
  signature: string;
  timestampMs: number;
}

export class FileSigner {
  readonly address: Uint8Array;
  readonly publicKey: Uint8Array;
  private readonly key: SigningKey;
  private readonly chainId: string;
  private readonly statePath: string;
  private readonly auditLogPath: string | undefined;
  private last: LastSignState | null;
  /** Signing is serialised: check, persist and return happen as one step. */
  private lock: Promise<unknown> = Promise.resolve();

  private constructor(opts: FileSignerOptions, last: LastSignState | null) {
    this.key = opts.key;
    this.chainId = opts.chainId;
    this.statePath = opts.statePath;
    this.auditLogPath = opts.auditLogPath;
    this.last = last;
    this.publicKey = opts.key.publicKey;
    this.address = addressFromPublicKey(opts.key.type, opts.key.publicKey);
  }

  static async open(opts: FileSignerOptions): Promise<FileSigner> {
    if (opts.key.type !== KeyType.KEY_TYPE_ED25519) {
      throw new ConsensusError("SIGNER_BAD_KEY", "the validator key must be an Ed25519 key");
    }
    await mkdir(dirname(opts.statePath), { recursive: true });
    if (opts.auditLogPath) await mkdir(dirname(opts.auditLogPath), { recursive: true });
    return new FileSigner(opts, await readState(opts.statePath));
  }

  get lastSignState(): LastSignState | null {
    return this.last ? { ...this.last } : null;
  }

  /** Returns `vote` signed (a copy; its timestamp may be the earlier one, see the file comment). */
  signVote(vote: Vote): Promise<Vote> {
    const type = vote.type as number;
    if (type !== VoteType.VOTE_TYPE_PREVOTE && type !== VoteType.VOTE_TYPE_PRECOMMIT) {
      return Promise.reject(
        new ConsensusError("SIGNER_DOUBLE_SIGN", `refusing to sign a vote of type ${type}`),
      );
    }
    const step = type === VoteType.VOTE_TYPE_PREVOTE ? SignStep.Prevote : SignStep.Precommit;
    return this.serialised(async () => {
      const base = Vote.create({ ...plainVote(vote), signature: new Uint8Array(0) });
      const { signature, timestampMs } = await this.sign(
        vote.height,
        vote.round,
        step,
        base.timestampMs,
        (ts) => voteSignBytes(this.chainId, Vote.create({ ...plainVote(base), timestampMs: ts })),
        base.blockHash,
      );
      return Vote.create({ ...plainVote(base), timestampMs, signature });
    });
  }

  signProposal(proposal: Proposal): Promise<Proposal> {
    return this.serialised(async () => {
      const base = plainProposal(proposal);
      const { signature, timestampMs } = await this.sign(
        proposal.height,
        proposal.round,
        SignStep.Proposal,
        base.timestampMs,
        (ts) => proposalSignBytes(this.chainId, Proposal.create({ ...base, timestampMs: ts })),
        base.blockHash,
      );
      return Proposal.create({ ...base, timestampMs, signature });
    });
  }

  private async sign(
    height: number,
    round: number,
    step: SignStep,
    timestampMs: number,
    signBytesAt: (timestampMs: number) => Uint8Array,
    blockHash: Uint8Array,
  ): Promise<{ signature: Uint8Array; timestampMs: number }> {
    const signBytes = signBytesAt(timestampMs);
    const last = this.last;
    if (last) {
      const what = `${height}/${round}/${step}`;
      const was = `${last.height}/${last.round}/${last.step}`;
      if (height < last.height) throw doubleSign(`height regression: asked ${what}, last signed ${was}`);
      if (height === last.height) {
        if (round < last.round) throw doubleSign(`round regression: asked ${what}, last signed ${was}`);
        if (round === last.round) {
          if (step < last.step) throw doubleSign(`step regression: asked ${what}, last signed ${was}`);
          if (step === last.step) {
            if (bytesEqual(signBytes, last.signBytes))
              return { signature: last.signature, timestampMs: last.timestampMs };
            if (bytesEqual(signBytesAt(last.timestampMs), last.signBytes)) {
              return { signature: last.signature, timestampMs: last.timestampMs };
            }
            throw doubleSign(
              `conflicting data at ${what}: refusing to sign different bytes at the same step`,
            );
          }
        }
      }
    }
    const signature = this.key.sign(signBytes);
    const next: LastSignState = { height, round, step, signBytes, signature, timestampMs };
    await writeFileDurable(this.statePath, serialise(next));
    this.last = next;
    if (this.auditLogPath) await this.audit({ height, round, step, blockHash: toHex(blockHash) });
    return { signature, timestampMs };
  }

  private async audit(line: {
    height: number;
    round: number;
    step: number;
    blockHash: string;
  }): Promise<void> {
    const path = this.auditLogPath!;
    const handle = await open(path, "a", 0o600);
    try {
      await handle.write(`${JSON.stringify(line)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }
}

function doubleSign(message: string): ConsensusError {
  return new ConsensusError("SIGNER_DOUBLE_SIGN", message);
}

function plainVote(v: Vote) {
  return {
    type: v.type,
    height: Number(v.height),
    round: Number(v.round),
    blockHash: v.blockHash ?? new Uint8Array(0),
    timestampMs: Number(v.timestampMs),
    validatorAddress: v.validatorAddress ?? new Uint8Array(0),
    validatorIndex: Number(v.validatorIndex),
    signature: v.signature ?? new Uint8Array(0),
  };
}

function plainProposal(p: Proposal) {
  return {
    height: Number(p.height),
    round: Number(p.round),
    polRound: Number(p.polRound),
    blockHash: p.blockHash ?? new Uint8Array(0),
    timestampMs: Number(p.timestampMs),
    signature: new Uint8Array(0),
  };
}

function serialise(s: LastSignState): string {
  const file: StateFile = {
    height: s.height,
    round: s.round,
    step: s.step,
    signBytes: toHex(s.signBytes),
    signature: toHex(s.signature),
    timestampMs: s.timestampMs,
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

async function readState(path: string): Promise<LastSignState | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new ConsensusError("SIGNER_STATE_CORRUPT", `cannot read ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  try {
    const raw = JSON.parse(text) as Partial<StateFile>;
    const int = (v: unknown, name: string) => {
      if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0)
        throw new Error(`${name} must be a non-negative integer`);
      return v;
    };
    const step = int(raw.step, "step");
    if (step > SignStep.Precommit) throw new Error(`step must be 0..3, got ${step}`);
    return {
      height: int(raw.height, "height"),
      round: int(raw.round, "round"),
      step,
      signBytes: fromHex(String(raw.signBytes ?? "")),
      signature: fromHex(String(raw.signature ?? "")),
      timestampMs: int(raw.timestampMs ?? 0, "timestampMs"),
    };
  } catch (err) {
    // Never guess: a validator that cannot tell what it signed last must not sign at all.
    throw new ConsensusError(
      "SIGNER_STATE_CORRUPT",
      `${path} is not a valid sign state: ${(err as Error).message}`,
      {
        cause: err,
      },
    );
  }
}
