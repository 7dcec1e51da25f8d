import { describe, expect, it } from "vitest";
import { toHex } from "../../crypto/hash.js";
import { encode } from "../../proto/canonical.js";
import { DuplicateVoteEvidence, Evidence, Vote, VoteType } from "../../proto/index.js";
import { MemoryHub, validatorKeys, waitForHeight } from "../testing/harness.js";
import { kvTx } from "../testing/kv-app.js";
import { encodeVote, signedVote, useTempNodes } from "../testing/temp-nodes.js";

const temp = useTempNodes("evidence");

describe("duplicate-vote evidence", () => {
  it("a validator that double-votes is caught: the evidence is gossiped, committed once, and handed to the app", async () => {
    const { keys, validators } = validatorKeys(4);
    const hub = new MemoryHub();
    // Validators 0..2 run honest nodes; the test holds validator 3's key and misbehaves with it.
    const nodes = await temp.startValidators(hub, keys, validators, [0, 1, 2]);
    const misbehavior: { height: number; address: string }[] = [];
    const finalize = nodes[0]!.app.finalizeBlock.bind(nodes[0]!.app);
    nodes[0]!.app.finalizeBlock = async (req) => {
      for (const m of req.misbehavior)
        misbehavior.push({ height: req.height, address: toHex(m.validatorAddress) });
      return finalize(req);
    };
    const byz = hub.transport("byz");
    await Promise.all(nodes.map((n) => waitForHeight(n, 2)));
    const height = nodes[0]!.consensus.status().height;
    const vote = (fill: number) =>
      encodeVote(
        signedVote(keys[3]!, validators, 3, { height, round: 0, blockHash: new Uint8Array(32).fill(fill) }),
      );
    byz.broadcastVote(vote(1));
    byz.broadcastVote(vote(2));
    nodes[1]!.txs.add(kvTx("keep", "going"));
    await Promise.all(nodes.map((n) => waitForHeight(n, height + 4)));

    const found: number[] = [];
    const top = nodes[0]!.blockStore.height;
    for (let h = 1; h <= top; h++) {
      const block = (await nodes[0]!.blockStore.getBlock(h))!;
      for (const ev of block.evidence) {
        expect(toHex(ev.duplicateVote!.voteA!.validatorAddress ?? new Uint8Array(0))).toBe(
          toHex(validators[3]!.address),
        );
        expect(Number(ev.duplicateVote!.voteA!.height)).toBe(height);
        found.push(h);
      }
    }
    expect(found).toHaveLength(1);
    expect(found[0]!).toBeGreaterThan(height);
    expect(misbehavior).toEqual([{ height: found[0], address: toHex(validators[3]!.address) }]);
    expect(nodes.every((n) => n.errors.length === 0)).toBe(true);
  });

  it("evidence with a forged vote is refused and its sender reported", async () => {
    const { keys, validators } = validatorKeys(2);
    const hub = new MemoryHub();
    const n = await temp.open("v0", {
      key: keys[0]!,
      validators: validators.slice(0, 1),
      transport: hub.transport("v0"),
    });
    await n.consensus.start();
    await waitForHeight(n, 2);
    const header = (await n.blockStore.getBlock(1))!.header!;
    const forgedVote = (fill: number) =>
      Vote.create({
        type: VoteType.VOTE_TYPE_PRECOMMIT,
        height: 1,
        round: 0,
        blockHash: new Uint8Array(32).fill(fill),
        timestampMs: 1,
        validatorAddress: validators[0]!.address,
        validatorIndex: 0,
        // Signed by the wrong key: validator 1 is not validator 0.
        signature: keys[1]!.sign(new Uint8Array(32)),
      });
    const evidence = Evidence.create({
      duplicateVote: DuplicateVoteEvidence.create({
        voteA: forgedVote(1),
        voteB: forgedVote(2),
        totalVotingPower: 10,
        validatorPower: 10,
        timestampMs: Number(header.timeMs),
      }),
    });
    hub.transport("evil").broadcastEvidence(encode(Evidence, evidence));
    await waitForHeight(n, 4);
    expect(hub.invalidReports.some((r) => r.peer === "evil" && /signature/.test(r.reason))).toBe(true);
    for (let h = 1; h <= n.blockStore.height; h++) {
      expect((await n.blockStore.getBlock(h))!.evidence).toHaveLength(0);
    }
  });
});
