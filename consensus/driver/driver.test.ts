import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sha256, toHex } from "../../crypto/hash.js";
import { verifySignature } from "../../crypto/keys.js";
import {
  blockHeaderHash,
  commitHash,
  hashListRoot,
  proposalSignBytes,
  voteSignBytes,
} from "../../crypto/ssz.js";
import { bytesEqual, decodeCanonical } from "../../proto/canonical.js";
import {
  Block,
  BlockHeader,
  BlockIdFlag,
  type Commit,
  KeyType,
  Proposal,
  TxResult,
  Vote,
  VoteType,
  WalEntry,
} from "../../proto/index.js";
import { silentLogger } from "../logger.js";
import {
  CHAIN_ID,
  FAST,
  ManualClock,
  MemoryHub,
  openNode,
  type TestNode,
  validatorKeys,
  waitForHalt,
  waitForHeight,
} from "../testing/harness.js";
import { kvTx } from "../testing/kv-app.js";
import { headerOf, ZERO_HASH } from "./block.js";
import { type Clock, systemClock } from "./clock.js";
import { WAL_FILE } from "./driver.js";
import { LocalTransport } from "./transport.js";
import { encodeFrame } from "./wal.js";

let root: string;
const open: TestNode[] = [];
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "kyochi-consensus-"));
});
afterEach(async () => {
  for (const n of open.splice(0)) await n.close().catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
});

async function node(args: Parameters<typeof openNode>[0]): Promise<TestNode> {
  const n = await openNode(args);
  open.push(n);
  return n;
}

async function closeNode(n: TestNode): Promise<void> {
  open.splice(open.indexOf(n), 1);
  await n.close();
}

/** Checks a commit certificate independently of consensus/driver/commit.ts. */
function expectCommitSigned(
  commit: Commit,
  height: number,
  blockHash: Uint8Array,
  pubKeys: Uint8Array[],
  addresses: Uint8Array[],
) {
  expect(Number(commit.height)).toBe(height);
  expect(toHex(commit.blockHash)).toBe(toHex(blockHash));
  expect(commit.signatures).toHaveLength(pubKeys.length);
  let signed = 0;
  commit.signatures.forEach((sig, i) => {
    if (sig.flag !== BlockIdFlag.BLOCK_ID_FLAG_COMMIT) return;
    const precommit = Vote.create({
      type: VoteType.VOTE_TYPE_PRECOMMIT,
      height,
      round: Number(commit.round),
      blockHash,
      timestampMs: Number(sig.timestampMs),
      validatorAddress: addresses[i]!,
      validatorIndex: i,
      signature: new Uint8Array(0),
    });
    expect(
      verifySignature(
        KeyType.KEY_TYPE_ED25519,
        pubKeys[i]!,
        voteSignBytes(CHAIN_ID, precommit),
        sig.signature!,
      ),
    ).toBe(true);
    signed++;
  });
  expect(3 * signed).toBeGreaterThan(2 * pubKeys.length);
}

describe("consensus driver, one validator", () => {
  it("produces chained blocks at a 50 ms block time, each carrying a signed commit of the previous one", async () => {
    const { keys, validators } = validatorKeys(1);
    const n = await node({ dir: join(root, "v0"), key: keys[0]!, validators });
    n.txs.add(kvTx("a", "1"), kvTx("b", "2"), new TextEncoder().encode("not a key-value tx"));
    await n.consensus.start();
    await waitForHeight(n, 2);
    n.txs.add(kvTx("c", "3"));
    await waitForHeight(n, 6);
    await n.consensus.stop();

    let prevHash = ZERO_HASH;
    let prevTime = 0;
    let prevAppHash = (await n.blockStore.getBlockResults(1))!.appHash; // replaced below for h = 1
    for (let h = 1; h <= 6; h++) {
      const block = (await n.blockStore.getBlock(h))!;
      const header = headerOf(block);
      const hash = (await n.blockStore.getBlockHash(h))!;
      expect(toHex(blockHeaderHash(header))).toBe(toHex(hash));
      expect(header.chainId).toBe(CHAIN_ID);
      expect(Number(header.height)).toBe(h);
      expect(Number(header.timeMs)).toBeGreaterThan(prevTime);
      expect(toHex(header.lastBlockHash)).toBe(toHex(prevHash));
      expect(toHex(header.dataHash)).toBe(toHex(hashListRoot(block.txs.map((tx) => sha256(tx)))));
      expect(toHex(header.proposerAddress)).toBe(toHex(validators[0]!.address));
      if (h === 1) {
        expect(block.lastCommit).toBeFalsy();
        expect(toHex(header.lastCommitHash)).toBe(toHex(ZERO_HASH));
        expect(toHex(header.lastResultsHash)).toBe(toHex(ZERO_HASH));
      } else {
        const lastCommit = block.lastCommit as Commit;
        expectCommitSigned(lastCommit, h - 1, prevHash, [keys[0]!.publicKey], [validators[0]!.address]);
        expect(toHex(header.lastCommitHash)).toBe(toHex(commitHash(lastCommit)));
        expect(toHex(header.appHash)).toBe(toHex(prevAppHash));
        const prevResults = (await n.blockStore.getBlockResults(h - 1))!;
        const resultsRoot = hashListRoot(
          prevResults.txResults.map((r) => sha256(TxResult.encode(r).finish())),
        );
        expect(toHex(header.lastResultsHash)).toBe(toHex(resultsRoot));
      }
      expectCommitSigned(
        (await n.blockStore.getCommit(h))!,
        h,
        hash,
        [keys[0]!.publicKey],
        [validators[0]!.address],
      );
      prevHash = hash;
      prevTime = Number(header.timeMs);
      prevAppHash = (await n.blockStore.getBlockResults(h))!.appHash;
    }
    // The txs went in (the malformed one was left out by prepareProposal) and left the mempool.
    expect(n.app.state.get("a")).toBe("1");
    expect(n.app.state.get("c")).toBe("3");
    expect(n.txs.size()).toBe(1);
    expect(n.commits.map((c) => c.height)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(toHex(n.commits[5]!.results.appHash)).toBe(n.app.appHashHex());
    expect(n.consensus.status()).toMatchObject({ lastHeight: 6, height: 7 });
    expect(toHex(n.consensus.status().latestAppHash)).toBe(n.app.appHashHex());
  });

  it("leaves each block's results to an app that stores them: one BlockResults write per height", async () => {
    const { keys, validators } = validatorKeys(1);
    const n = await node({ dir: join(root, "v0"), key: keys[0]!, validators, appStoresResults: true });
    const written: number[] = [];
    const put = n.blockStore.putBlockResults.bind(n.blockStore);
    n.blockStore.putBlockResults = (batch, results) => {
      written.push(results.height);
      put(batch, results);
    };
    n.txs.add(kvTx("a", "1"));
    await n.consensus.start();
    await waitForHeight(n, 3);
    await n.consensus.stop();
    const heights = n.commits.map((c) => c.height);
    expect(written).toEqual(heights);
    for (const c of n.commits) {
      const stored = await n.blockStore.getBlockResults(c.height);
      expect(toHex(stored!.appHash)).toBe(toHex(c.results.appHash));
    }
  });

  it("resumes at the next height after stop and restart from the same directory", async () => {
    const { keys, validators } = validatorKeys(1);
    const dir = join(root, "v0");
    const first = await node({ dir, key: keys[0]!, validators });
    first.txs.add(kvTx("k", "before"));
    await first.consensus.start();
    await waitForHeight(first, 3);
    await closeNode(first);
    const lastHeight = first.consensus.status().lastHeight;
    const lastHash = toHex(first.consensus.status().lastBlockHash);
    const appHash = first.app.appHashHex();

    const second = await node({ dir, key: keys[0]!, validators });
    expect(second.app.state.get("k")).toBe("before");
    second.txs.add(kvTx("k", "after"));
    await second.consensus.start();
    expect(second.consensus.status()).toMatchObject({ lastHeight, height: lastHeight + 1 });
    await waitForHeight(second, lastHeight + 2);
    const next = headerOf((await second.blockStore.getBlock(lastHeight + 1))!);
    expect(toHex(next.lastBlockHash)).toBe(lastHash);
    expect(toHex(next.appHash)).toBe(appHash);
    expect(second.commits[0]!.height).toBe(lastHeight + 1);
    expect(second.app.state.get("k")).toBe("after");
  });

  it("after a crash between signing its proposal and committing, re-proposes the same block from the WAL", async () => {
    const { keys, validators } = validatorKeys(1);
    const dir = join(root, "v0");
    const recorder = () => {
      const t = new LocalTransport();
      const proposals: Proposal[] = [];
      const votes: Vote[] = [];
      const [p, v] = [t.broadcastProposal.bind(t), t.broadcastVote.bind(t)];
      t.broadcastProposal = (bytes) => {
        proposals.push(decodeCanonical<Proposal>(Proposal, bytes, "proposal"));
        p(bytes);
      };
      t.broadcastVote = (bytes) => {
        votes.push(decodeCanonical<Vote>(Vote, bytes, "vote"));
        v(bytes);
      };
      return { t, proposals, votes };
    };
    // The restarted node's clock is 10 s later: a rebuilt block would get another time, hence another hash.
    const later: Clock = { ...systemClock, now: () => Date.now() + 10_000 };
    const run1 = recorder();
    const recording = run1.t;
    const sent = run1.proposals;
    const first = await node({
      dir,
      key: keys[0]!,
      validators,
      app: { failFinalizeAt: 3 },
      transport: recording,
      audit: true,
    });
    first.txs.add(kvTx("x", "1"));
    await first.consensus.start();
    const err = await waitForHalt(first);
    expect(err).toMatchObject({ code: "COMMIT_FAILED" });
    await closeNode(first);
    const proposed3 = sent.filter((p) => Number(p.height) === 3);
    expect(proposed3).toHaveLength(1);
    // The kill -9 also tore the WAL's last write: a half-written frame follows the intact ones.
    const torn = encodeFrame(WalEntry.create({ height: 3, vote: new Uint8Array(120).fill(9) }));
    appendFileSync(join(dir, "data", WAL_FILE), torn.subarray(0, 50));

    const warnings: string[] = [];
    const logger = {
      ...silentLogger,
      warn: (obj: object, msg?: string) => warnings.push(`${msg} ${JSON.stringify(obj)}`),
    };
    const run2 = recorder();
    const second = await node({
      dir,
      key: keys[0]!,
      validators,
      audit: true,
      clock: later,
      logger,
      transport: run2.t,
    });
    second.txs.add(kvTx("y", "2")); // a rebuilt block would include this tx too
    await second.consensus.start();
    await waitForHeight(second, 4);
    const hash3 = (await second.blockStore.getBlockHash(3))!;
    expect(toHex(hash3)).toBe(toHex(proposed3[0]!.blockHash));
    expect(warnings.some((w) => w.includes("WAL tail torn") && w.includes('"truncatedBytes":50'))).toBe(true);
    expect(second.app.calls.prepare).not.toContain(3);
    expect((await second.blockStore.getBlock(3))!.txs).toHaveLength(0);
    // The signer's audit log: at height 3 one proposal, one prevote, one precommit, all for that block.
    const audit = readFileSync(join(dir, "data", "signer_audit.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { height: number; step: number; blockHash: string });
    const at3 = audit.filter((a) => a.height === 3);
    expect(at3.map((a) => a.step)).toEqual([1, 2, 3]);
    expect(new Set(at3.map((a) => a.blockHash))).toEqual(new Set([toHex(hash3)]));
    // It re-sent the votes it had signed before the crash, byte for byte (no new signatures).
    const votes3 = (run: ReturnType<typeof recorder>) =>
      run.votes.filter((v) => Number(v.height) === 3).map((v) => toHex(Vote.encode(v).finish()));
    expect(votes3(run2)).toEqual(votes3(run1));
    expect(votes3(run1)).toHaveLength(2);
  });

  it("stops cleanly while producing blocks: the store and the app agree afterwards", async () => {
    const { keys, validators } = validatorKeys(1);
    const dir = join(root, "v0");
    const first = await node({ dir, key: keys[0]!, validators, config: { ...FAST, timeoutCommitMs: 0 } });
    for (let i = 0; i < 200; i++) first.txs.add(kvTx(`k${i}`, `${i}`));
    await first.consensus.start();
    await waitForHeight(first, 2);
    await closeNode(first); // stop() in the middle of the next height
    const second = await node({ dir, key: keys[0]!, validators });
    expect(second.app.lastHeight).toBe(second.blockStore.height);
    await second.consensus.start();
    await waitForHeight(second, second.blockStore.height + 1);
  });

  it("with createEmptyBlocks = false, waits for txs (but makes the block that proves a new app hash)", async () => {
    const { keys, validators } = validatorKeys(1);
    const clock = new ManualClock();
    const n = await node({
      dir: join(root, "v0"),
      key: keys[0]!,
      validators,
      clock,
      config: { ...FAST, createEmptyBlocks: false, timeoutCommitMs: 1000 },
    });
    await n.consensus.start();
    await clock.advance(0, [n.consensus]);
    expect(n.consensus.status().lastHeight).toBe(1); // the first height is always made
    await clock.advance(60_000, [n.consensus]);
    expect(n.consensus.status().lastHeight).toBe(1);
    n.txs.add(kvTx("a", "1"));
    await clock.advance(1_000, [n.consensus]);
    expect(n.consensus.status().lastHeight).toBe(2);
    // Block 2 changed the state: block 3 carries the new app hash even without txs...
    await clock.advance(1_000, [n.consensus]);
    expect(n.consensus.status().lastHeight).toBe(3);
    expect((await n.blockStore.getBlock(3))!.txs).toHaveLength(0);
    // ...and then nothing until the next tx.
    await clock.advance(60_000, [n.consensus]);
    expect(n.consensus.status().lastHeight).toBe(3);
  });

  it("starts heights every timeout_commit, and right after the commit when a height took longer", async () => {
    const { keys, validators } = validatorKeys(1);
    const clock = new ManualClock(10_000);
    const n = await node({
      dir: join(root, "v0"),
      key: keys[0]!,
      validators,
      clock,
      config: { ...FAST, timeoutCommitMs: 1000 },
      // Block 3 takes 1.5 s to execute, longer than the block time.
      app: { onFinalize: (height) => height === 3 && clock.skip(1_500) },
    });
    await n.consensus.start();
    await clock.advance(0, [n.consensus]);
    await clock.advance(6_000, [n.consensus]);
    const times: number[] = [];
    for (let h = 1; h <= n.blockStore.height; h++)
      times.push(Number(headerOf((await n.blockStore.getBlock(h))!).timeMs));
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // 1 s apart; block 4 starts as soon as block 3 is committed (not 1 s after), then 1 s again.
    expect(gaps.slice(0, 4)).toEqual([1_000, 1_000, 1_500, 1_000]);
  });

  it("times blocks by the injected clock: a frozen clock still gives strictly increasing block times", async () => {
    const { keys, validators } = validatorKeys(1);
    const clock = new ManualClock(5_000);
    const n = await node({ dir: join(root, "v0"), key: keys[0]!, validators, clock });
    await n.consensus.start();
    await clock.advance(0, [n.consensus]);
    for (let i = 0; i < 3; i++) await clock.advance(50, [n.consensus]);
    expect(n.consensus.status().lastHeight).toBe(4);
    const times = [];
    for (let h = 1; h <= 4; h++) times.push(Number(headerOf((await n.blockStore.getBlock(h))!).timeMs));
    expect(times).toEqual([5_000, 5_050, 5_100, 5_150]);
  });
});

describe("consensus driver, several validators", () => {
  it("4 validators on an in-memory network decide the same blocks, with rotating proposers and 3+ signatures per commit", async () => {
    const { keys, validators } = validatorKeys(4);
    const hub = new MemoryHub();
    const nodes = await Promise.all(
      keys.map((key, i) =>
        node({ dir: join(root, `v${i}`), key, validators, transport: hub.transport(`v${i}`) }),
      ),
    );
    nodes[0]!.txs.add(kvTx("from", "zero"));
    nodes[2]!.txs.add(kvTx("from", "two"));
    await Promise.all(nodes.map((n) => n.consensus.start()));
    await Promise.all(nodes.map((n) => waitForHeight(n, 6)));
    for (const n of nodes) await n.consensus.stop();
    const proposers = new Set<string>();
    for (let h = 1; h <= 6; h++) {
      const hashes = await Promise.all(nodes.map(async (n) => toHex((await n.blockStore.getBlockHash(h))!)));
      expect(new Set(hashes).size).toBe(1);
      const block = (await nodes[0]!.blockStore.getBlock(h))!;
      proposers.add(toHex(headerOf(block).proposerAddress));
      if (h > 1) {
        expectCommitSigned(
          block.lastCommit as Commit,
          h - 1,
          headerOf(block).lastBlockHash,
          validators.map((v) => v.pubKey),
          validators.map((v) => v.address),
        );
      }
    }
    expect(proposers.size).toBeGreaterThanOrEqual(3);
    const appHashes = new Set(nodes.map((n) => n.app.appHashHex()));
    expect(appHashes.size).toBe(1);
    expect(
      nodes.every((n) => bytesEqual(n.consensus.status().latestAppHash, nodes[0]!.app.lastAppHash)),
    ).toBe(true);
  });

  it("keeps deciding with one of 4 validators down (its proposer turns take a second round)", async () => {
    const { keys, validators } = validatorKeys(4);
    const hub = new MemoryHub();
    const config = { ...FAST, timeoutProposeMs: 300, timeoutDeltaMs: 50 };
    const nodes = await Promise.all(
      keys
        .slice(0, 3)
        .map((key, i) =>
          node({ dir: join(root, `v${i}`), key, validators, config, transport: hub.transport(`v${i}`) }),
        ),
    );
    await Promise.all(nodes.map((n) => n.consensus.start()));
    // Whichever heights validator 3 was to propose take a second round; the others go through.
    await Promise.all(nodes.map((n) => waitForHeight(n, 5)));
    const rounds = nodes[0]!.commits.map((c) => c.round);
    expect(rounds.some((r) => r > 0)).toBe(true);
    for (let h = 1; h <= 5; h++) {
      const hashes = await Promise.all(nodes.map(async (n) => toHex((await n.blockStore.getBlockHash(h))!)));
      expect(new Set(hashes).size).toBe(1);
    }
  });
});

describe("consensus driver, received messages", () => {
  it("drops votes with bad signatures or from strangers, and reports them", async () => {
    const { keys, validators } = validatorKeys(2);
    const hub = new MemoryHub();
    const clock = new ManualClock();
    const n = await node({
      dir: join(root, "v0"),
      key: keys[0]!,
      validators,
      transport: hub.transport("v0"),
      clock,
    });
    const rejected: string[] = [];
    n.consensus.onReject((r) => rejected.push(r.reason));
    const attacker = hub.transport("evil");
    await n.consensus.start();
    await clock.advance(0, [n.consensus]);
    const forged = Vote.create({
      type: VoteType.VOTE_TYPE_PREVOTE,
      height: 1,
      round: 0,
      blockHash: new Uint8Array(0),
      timestampMs: 1,
      validatorAddress: validators[1]!.address,
      validatorIndex: 1,
      signature: keys[0]!.sign(new Uint8Array(32)),
    });
    attacker.broadcastVote(Vote.encode(forged).finish());
    attacker.broadcastVote(Vote.encode(Vote.create({ ...forged, validatorIndex: 0 })).finish());
    attacker.broadcastVote(Uint8Array.of(0x08, 0x01, 0xff));
    await clock.advance(0, [n.consensus]);
    expect(rejected).toHaveLength(3);
    expect(rejected[0]).toMatch(/bad signature/);
    expect(rejected[1]).toMatch(/no validator/);
    expect(rejected[2]).toMatch(/canonical|protobuf/);
    // A proposal for round 0 signed by validator 1, while validator 0 (smaller address, equal
    // power) is round 0's proposer.
    const fake = Proposal.create({
      height: 1,
      round: 0,
      polRound: -1,
      blockHash: new Uint8Array(32).fill(1),
      timestampMs: 1,
      signature: new Uint8Array(0),
    });
    const signed = Proposal.create({ ...fake, signature: keys[1]!.sign(proposalSignBytes(CHAIN_ID, fake)) });
    attacker.broadcastProposal(Proposal.encode(signed).finish());
    await clock.advance(0, [n.consensus]);
    expect(rejected[3]).toMatch(/not signed by the proposer of round 0/);
    // A block without a header, and one with a 5-byte app hash: dropped, the node carries on.
    attacker.broadcastBlock(Block.encode(Block.create({ txs: [] })).finish());
    const badHeader = BlockHeader.create({
      chainId: CHAIN_ID,
      height: 1,
      timeMs: 1,
      appHash: new Uint8Array(5),
    });
    attacker.broadcastBlock(Block.encode(Block.create({ header: badHeader, txs: [] })).finish());
    await clock.advance(0, [n.consensus]);
    expect(rejected.slice(4)).toHaveLength(2);
    expect(rejected[4]).toMatch(/no header/);
    expect(rejected[5]).toMatch(/appHash/);
    expect(n.errors).toEqual([]);
    expect(n.consensus.status()).toMatchObject({ height: 1, round: 0 });
  });
});
