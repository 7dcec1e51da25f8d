// Test support for node/p2p: real hosts on 127.0.0.1 with OS-chosen ports, real keys, real
// encoded consensus objects, and a block store stand-in that serves bytes (the network never
// interprets them).
import { randomBytes } from "node:crypto";
import type { PrivateKey } from "@libp2p/interface";
import pino from "pino";
import type { SyncedBlock } from "../../../consensus/driver/transport.js";
import { generateSigningKey } from "../../../crypto/keys.js";
import { encode } from "../../../proto/canonical.js";
import {
  Block,
  BlockHeader,
  DuplicateVoteEvidence,
  Evidence,
  KeyType,
  Proposal,
  Tx,
  TxBody,
  Vote,
  VoteType,
} from "../../../proto/index.js";
import { defaultConfig, type NodeConfig } from "../../config.js";
import type { Logger } from "../../logger.js";
import { P2PHost } from "../host.js";
import type { P2PHostOptions, SyncProvider } from "../options.js";
import { libp2pKeyOf } from "../peer-id.js";
import type { GossipKind } from "../topics.js";

export const CHAIN_ID = "kyochi-p2p-test";

export function newNodeKey(): PrivateKey {
  return libp2pKeyOf(generateSigningKey(KeyType.KEY_TYPE_ED25519));
}

export function p2pConfig(over: Partial<NodeConfig["p2p"]> = {}): NodeConfig["p2p"] {
  return { ...defaultConfig().p2p, laddr: "127.0.0.1:0", ...over };
}

/** A logger that keeps every record (for assertions on what the host reported). */
export function recordingLogger(): { logger: Logger; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const logger = pino(
    { level: process.env.KYOCHI_TEST_LOG || "debug" },
    {
      write(line: string) {
        const rec = JSON.parse(line) as Record<string, unknown>;
        records.push(rec);
        if (records.length > 5000) records.splice(0, 1000);
        if (process.env.KYOCHI_TEST_LOG) process.stderr.write(line);
      },
    },
  );
  return { logger, records };
}

/** Serves blocks 1..height as "block-<n>" / "commit-<n>" payloads of the given size. */
export class MemoryChain implements SyncProvider {
  base = 1;
  height: number;
  /** When set, getBlocks waits for it (to test timeouts). */
  stall: Promise<void> | undefined;
  constructor(
    height: number,
    private readonly blockBytes = 64,
  ) {
    this.height = height;
  }
  status(): { base: number; height: number } {
    return { base: this.base, height: this.height };
  }
  async getBlocks(from: number, count: number): Promise<SyncedBlock[]> {
    if (this.stall) await this.stall;
    const out: SyncedBlock[] = [];
    for (let h = Math.max(from, this.base); h < from + count && h <= this.height; h++)
      out.push(this.blockAt(h));
    return out;
  }
  blockAt(h: number): SyncedBlock {
    const block = new Uint8Array(this.blockBytes).fill(h % 251);
    block.set(new TextEncoder().encode(`block-${h}`));
    return { block, commit: new TextEncoder().encode(`commit-${h}`) };
  }
}

export interface TestHost {
  host: P2PHost;
  key: PrivateKey;
  records: Record<string, unknown>[];
  port: number;
}

export async function startHost(
  over: Partial<Omit<P2PHostOptions, "config">> & { config?: Partial<NodeConfig["p2p"]> } = {},
): Promise<TestHost> {
  const key = over.privateKey ?? newNodeKey();
  const { logger, records } = recordingLogger();
  const host = await P2PHost.create({
    privateKey: key,
    chainId: over.chainId ?? CHAIN_ID,
    config: p2pConfig(over.config),
    logger: over.logger ?? logger,
    sync: over.sync ?? new MemoryChain(0),
    timing: {
      statusIntervalMs: 200,
      requestTimeoutMs: 3000,
      redialBaseMs: 100,
      redialMaxMs: 400,
      ...over.timing,
    },
    ...(over.limits ? { limits: over.limits } : {}),
  });
  await host.start();
  // A host that announces an external address does not list its loopback port.
  const announces = (over.config?.external_address ?? "") !== "";
  return { host, key, records, port: announces ? 0 : portOf(host) };
}

export function portOf(host: P2PHost): number {
  for (const a of host.listenAddresses()) {
    const m = /\/ip4\/127\.0\.0\.1\/tcp\/(\d+)/.exec(a);
    if (m) return Number(m[1]);
  }
  throw new Error(`no 127.0.0.1 address in ${host.listenAddresses().join(", ")}`);
}

/** `<peer id>@127.0.0.1:<port>` of a running host, as persistent_peers lists it. */
export function peerEntry(t: TestHost): string {
  return `${t.host.peerId}@127.0.0.1:${t.port}`;
}

// 20 s: under the whole suite (worker daemons and node processes in parallel on 2 cores) a
// gossipsub mesh has been seen to take over 10 s to form; a test's own timeout is 30 s.
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function isConnected(a: P2PHost, b: P2PHost): boolean {
  return a.netInfo().peers.some((p) => p.peerId === b.peerId);
}

// ---- real encoded consensus objects ----

export function encodedVote(height: number, round = 0): Uint8Array {
  return encode(Vote, voteOf(height, round));
}

function voteOf(height: number, round: number): Vote {
  return Vote.create({
    type: VoteType.VOTE_TYPE_PREVOTE,
    height,
    round,
    blockHash: randomBytes(32),
    timestampMs: 1_700_000_000_000 + height,
    validatorAddress: randomBytes(20),
    validatorIndex: 1,
    signature: randomBytes(64),
  });
}

export function encodedProposal(height: number): Uint8Array {
  return encode(
    Proposal,
    Proposal.create({
      height,
      round: 0,
      polRound: -1,
      blockHash: randomBytes(32),
      timestampMs: 1_700_000_000_000,
      signature: randomBytes(64),
    }),
  );
}

export function encodedEvidence(height: number): Uint8Array {
  const a = voteOf(height, 0);
  const b = Vote.create({ ...a, blockHash: randomBytes(32) });
  return encode(
    Evidence,
    Evidence.create({
      duplicateVote: DuplicateVoteEvidence.create({
        voteA: a,
        voteB: b,
        totalVotingPower: 40,
        validatorPower: 10,
        timestampMs: 1_700_000_000_000,
      }),
    }),
  );
}

/** A signed tx (a memo-only body: the network does not execute it). */
export function encodedTx(nonce: number): Uint8Array {
  const key = generateSigningKey(KeyType.KEY_TYPE_ED25519);
  const body = encode(
    TxBody,
    TxBody.create({ chainId: CHAIN_ID, nonce, fee: "1", gasLimit: 1, memo: `tx-${nonce}` }),
  );
  return encode(
    Tx,
    Tx.create({
      body,
      publicKey: key.publicKey,
      keyType: KeyType.KEY_TYPE_ED25519,
      signature: key.sign(body),
    }),
  );
}

/** An encoded Block of about `bytes` bytes (txs of random bytes). */
export function encodedBlock(height: number, bytes: number): Uint8Array {
  const txs: Uint8Array[] = [];
  for (let n = 0; n < bytes; n += 1024) txs.push(randomBytes(1024));
  return encode(
    Block,
    Block.create({
      header: BlockHeader.create({ chainId: CHAIN_ID, height, timeMs: 1_700_000_000_000 }),
      txs,
    }),
  );
}

/** Blocks as hex strings: vitest compares large typed arrays element by element, slowly. */
export function hexBlocks(blocks: SyncedBlock[]): string[] {
  return blocks.map(
    (b) => `${Buffer.from(b.block).toString("hex")}/${Buffer.from(b.commit).toString("hex")}`,
  );
}

/** Publishes raw bytes on a topic, past every check of the sending host (a hostile peer). */
export function publishRaw(host: P2PHost, kind: GossipKind, bytes: Uint8Array): void {
  (host as unknown as { publish(kind: GossipKind, bytes: Uint8Array): void }).publish(kind, bytes);
}
