// Test scaffolding shared by the driver's multi-node tests: a fresh temp dir per test, nodes that
// are closed after it, a set of validators started on one in-memory network, and votes signed
// with a validator's key the way a misbehaving peer would send them.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import type { SigningKey } from "../../crypto/keys.js";
import { voteSignBytes } from "../../crypto/ssz.js";
import { encode } from "../../proto/canonical.js";
import { type ValidatorInfo, Vote, VoteType } from "../../proto/index.js";
import { CHAIN_ID, type MemoryHub, openNode, type TestNode } from "./harness.js";

export interface TempNodes {
  /** A path inside this test's temp dir. */
  path(name: string): string;
  /** Opens a node whose directory defaults to `path(name)`; it is closed after the test. */
  open(name: string, opts: Omit<Parameters<typeof openNode>[0], "dir">): Promise<TestNode>;
  /** Opens validators `indices` of `keys` on `hub` (named v0, v1, ...) and starts them. */
  startValidators(
    hub: MemoryHub,
    keys: readonly SigningKey[],
    validators: ValidatorInfo[],
    indices: readonly number[],
  ): Promise<TestNode[]>;
}

/** Registers beforeEach/afterEach hooks; call at the top level of a test file. */
export function useTempNodes(prefix: string): TempNodes {
  let root = "";
  const opened: TestNode[] = [];
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), `kyochi-${prefix}-`));
  });
  afterEach(async () => {
    for (const n of opened.splice(0)) await n.close().catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  });
  const temp: TempNodes = {
    path: (name) => join(root, name),
    async open(name, opts) {
      const n = await openNode({ dir: join(root, name), ...opts });
      opened.push(n);
      return n;
    },
    async startValidators(hub, keys, validators, indices) {
      const nodes: TestNode[] = [];
      for (const i of indices) {
        nodes.push(
          await temp.open(`v${i}`, { key: keys[i]!, validators, transport: hub.transport(`v${i}`) }),
        );
      }
      await Promise.all(nodes.map((n) => n.consensus.start()));
      return nodes;
    },
  };
  return temp;
}

/** A prevote (or `type`) signed with `key` as validator `index` of `validators`. */
export function signedVote(
  key: SigningKey,
  validators: readonly ValidatorInfo[],
  index: number,
  fields: { height: number; round: number; blockHash: Uint8Array; type?: VoteType },
): Vote {
  const unsigned = Vote.create({
    type: fields.type ?? VoteType.VOTE_TYPE_PREVOTE,
    height: fields.height,
    round: fields.round,
    blockHash: fields.blockHash,
    timestampMs: 1,
    validatorAddress: validators[index]!.address,
    validatorIndex: index,
    signature: new Uint8Array(0),
  });
  return Vote.create({ ...unsigned, signature: key.sign(voteSignBytes(CHAIN_ID, unsigned)) });
}

export const encodeVote = (vote: Vote): Uint8Array => encode(Vote, vote);
