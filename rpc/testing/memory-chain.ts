// A small in-memory chain that implements RpcBackend, for protocol-level tests of the server and
// the client (and for tools that want an RPC without a node). Txs are real: signatures are
// verified, nonces and balances checked, transfers executed. What it does not have is consensus,
// a real mempool (node/ owns that; rpc must not import it) or a state tree: the block hash is
// sha256 of the encoded header, and proofs are shaped like the tree's (the RPC passes them
// through) without siblings. Its validators are real keys that sign real precommits for each
// block's commit (round 0, every validator for the block).
import { addressFromPublicKey } from "../../crypto/address.js";
import { sha256, toHex } from "../../crypto/hash.js";
import { generateSigningKey, type SigningKey, verifySignature } from "../../crypto/keys.js";
import { voteSignBytes } from "../../crypto/ssz.js";
import { accountKey } from "../../execution/modules/accounts/index.js";
import { decodeCanonical, encode } from "../../proto/canonical.js";
import {
  Account,
  Block,
  BlockHeader,
  BlockIdFlag,
  BlockResults,
  Commit,
  CommitSig,
  Event,
  KeyType,
  Tx,
  TxBody,
  TxRecord,
  TxResult,
  Vote,
  VoteType,
} from "../../proto/index.js";
import type { TreeProof } from "../../state/tree/types.js";
import {
  type AccountAtHeight,
  type AccountState,
  type AppQueryAnswer,
  type BroadcastResult,
  type CommittedBlock,
  type NodeStatus,
  type ProofAtHeight,
  type RpcBackend,
  RpcBackendError,
  type SimulateResult,
  type StoredBlock,
  type TxSearchPage,
  type TxSearchQuery,
  type ValidatorsAtHeight,
} from "../backend.js";
import { CommitFeed } from "../subscriptions/commit-feed.js";
import { TxCommitWaiter } from "../tx-commit-waiter.js";
import type { NetInfo } from "../types.js";
import { searchRecords } from "./memory-search.js";

export interface MemoryChainOptions {
  chainId?: string;
  /** Balances at genesis, by 20-byte address. */
  genesis?: { address: Uint8Array; balance: bigint }[];
  /** Block time of height 1, unix ms (each block adds 1000). */
  genesisTimeMs?: number;
  /** Commit a block right after every accepted broadcast (for commit-mode calls). */
  autoCommit?: boolean;
  minGasPrice?: bigint;
  /** Voting power of each validator (one Ed25519 key each, made here); default one of power 10. */
  validatorPowers?: number[];
}

export interface MemoryValidator {
  key: SigningKey;
  address: Uint8Array;
  power: number;
}

/** Gas one transfer uses in this chain. */
export const MEMORY_CHAIN_TX_GAS = 1000;

export class MemoryChain implements RpcBackend {
  readonly chainId: string;
  readonly waiter = new TxCommitWaiter();
  /** Every committed block, as onCommitted delivers it. */
  readonly commitFeed = new CommitFeed();
  autoCommit: boolean;
  /** Heights below this are "pruned": their blocks, results and state are gone. */
  earliestHeight = 1;
  /** When set, the next backend call throws this (to test internal error handling). */
  failNext: Error | undefined;
  /** The validators, sorted by address (set order). */
  readonly validators: readonly MemoryValidator[];
  /** What net_info answers; tests set it. */
  net: NetInfo = { peerId: "", listenAddresses: [], peers: [] };

  private readonly blocks = new Map<number, StoredBlock>();
  private readonly results = new Map<number, BlockResults>();
  private readonly commits = new Map<number, Commit>();
  private readonly txs = new Map<string, TxRecord>();
  /** Accepted txs waiting for a block, in arrival order. */
  private readonly pending = new Map<string, Uint8Array>();
  /** Account state after each height (index 0 = genesis). */
  private readonly states: Map<string, AccountState>[] = [];
  private readonly minGasPrice: bigint;
  private readonly genesisTimeMs: number;
  private height = 0;

  constructor(opts: MemoryChainOptions = {}) {
    this.chainId = opts.chainId ?? "kyochi-memory";
    this.autoCommit = opts.autoCommit ?? false;
    this.minGasPrice = opts.minGasPrice ?? 1n;
    this.genesisTimeMs = opts.genesisTimeMs ?? Date.UTC(2026, 0, 1);
    const genesis = new Map<string, AccountState>();
    for (const { address, balance } of opts.genesis ?? []) genesis.set(toHex(address), { nonce: 0, balance });
    this.states.push(genesis);
    this.validators = (opts.validatorPowers ?? [10])
      .map((power) => {
        const key = generateSigningKey(KeyType.KEY_TYPE_ED25519);
        return { key, address: addressFromPublicKey(key.type, key.publicKey), power };
      })
      .sort((a, b) => Buffer.compare(a.address, b.address));
  }

  /** Number of accepted txs waiting for a block. */
  get pendingCount(): number {
    return this.pending.size;
  }

  latestHeight(): number {
    return this.height;
  }

  async status(): Promise<NodeStatus> {
    this.maybeFail();
    const latest = this.blocks.get(this.height);
    return {
      chainId: this.chainId,
      nodeVersion: "0.1.0-memory",
      latestHeight: this.height,
      latestBlockHash: latest?.blockHash ?? new Uint8Array(),
      latestAppHash: this.appHash(this.height),
      latestBlockTimeMs: latest?.block.header?.timeMs ?? this.genesisTimeMs,
      earliestHeight: this.earliestHeight,
      catchingUp: false,
      validatorAddress: this.validators[0]!.address,
      mempool: {
        size: this.pending.size,
        bytes: [...this.pending.values()].reduce((n, tx) => n + tx.length, 0),
      },
    };
  }

  async getBlock(height: number): Promise<StoredBlock | undefined> {
    this.maybeFail();
    return height < this.earliestHeight ? undefined : this.blocks.get(height);
  }

  async getBlockByHash(hash: Uint8Array): Promise<StoredBlock | undefined> {
    this.maybeFail();
    for (const [height, stored] of this.blocks) {
      if (height >= this.earliestHeight && Buffer.compare(stored.blockHash, hash) === 0) return stored;
    }
    return undefined;
  }

  async getBlockResults(height: number): Promise<BlockResults | undefined> {
    this.maybeFail();
    return height < this.earliestHeight ? undefined : this.results.get(height);
  }

  async broadcastTx(tx: Uint8Array): Promise<BroadcastResult> {
    this.maybeFail();
    const hash = sha256(tx);
    const id = toHex(hash);
    if (this.pending.has(id) || this.txs.has(id)) {
      return {
        accepted: false,
        hash,
        rejectedBy: "mempool",
        codename: "MEMPOOL_DUPLICATE",
        log: "tx already known",
      };
    }
    const check = this.checkTx(tx);
    if (check.code !== 0) return { accepted: false, hash, rejectedBy: "app", ...check };
    this.pending.set(id, tx);
    if (this.autoCommit) setImmediate(() => void this.commitBlock());
    return { accepted: true, hash, gasWanted: check.gasWanted, log: "" };
  }

  waitForTxCommit(hash: Uint8Array, timeoutMs: number): Promise<TxRecord | undefined> {
    return this.waiter.wait(hash, timeoutMs, (h) => this.getTx(h));
  }

  async getTx(hash: Uint8Array): Promise<TxRecord | undefined> {
    this.maybeFail();
    return this.txs.get(toHex(hash));
  }

  async getAccount(address: Uint8Array, height?: number): Promise<AccountAtHeight> {
    this.maybeFail();
    const at = this.stateHeight(height);
    const account = this.states[at]!.get(toHex(address));
    return account === undefined ? { height: at } : { height: at, account: { ...account } };
  }

  async getProof(key: Uint8Array, height?: number): Promise<ProofAtHeight> {
    this.maybeFail();
    const at = this.stateHeight(height);
    const value = this.valueAt(key, at);
    const proof: TreeProof =
      value === undefined
        ? { keyHash: toHex(sha256(key)), kind: "exclusion", siblings: [] }
        : { keyHash: toHex(sha256(key)), kind: "inclusion", valueHash: toHex(sha256(value)), siblings: [] };
    const answer: ProofAtHeight = { height: at, key, proof, appHash: this.appHash(at) };
    if (value !== undefined) answer.value = value;
    return answer;
  }

  async getValidators(height?: number): Promise<ValidatorsAtHeight> {
    this.maybeFail();
    const at = height ?? Math.max(this.height, 1);
    if (at > this.height + 1) {
      throw new RpcBackendError("HEIGHT_NOT_AVAILABLE", `the validators of height ${at} are not known`);
    }
    if (at < this.earliestHeight) throw new RpcBackendError("HEIGHT_NOT_AVAILABLE", `height ${at} is pruned`);
    // A fixed set: priorities follow the round robin of equal steps (enough for a test chain).
    const total = this.validators.reduce((n, v) => n + v.power, 0);
    return {
      height: at,
      validators: this.validators.map((v, i) => ({
        address: v.address,
        pubKey: v.key.publicKey,
        votingPower: BigInt(v.power),
        proposerPriority: BigInt(this.proposerIndex(at) === i ? v.power - total : v.power),
      })),
    };
  }

  async getCommit(height: number): Promise<Commit | undefined> {
    this.maybeFail();
    return height < this.earliestHeight ? undefined : this.commits.get(height);
  }

  /** This chain has no modules to query: every path is unknown. */
  async queryApp(path: string, _height?: number): Promise<AppQueryAnswer> {
    return {
      code: 60,
      codename: "QUERY_UNKNOWN_PATH",
      log: `the memory chain serves no module queries (${JSON.stringify(path)})`,
      height: this.latestHeight(),
    };
  }

  async netInfo(): Promise<NetInfo> {
    this.maybeFail();
    return this.net;
  }

  /** Runs the tx on a copy of the latest state: the nonce must be the committed next one. */
  async simulateTx(tx: Uint8Array): Promise<SimulateResult> {
    this.maybeFail();
    const fail = (code: number, codename: string, log: string, gasWanted = 0): SimulateResult => ({
      gasWanted,
      gasUsed: 0,
      code,
      codename,
      log,
      events: [],
    });
    let decoded: ReturnType<MemoryChain["decode"]>;
    try {
      decoded = this.decode(tx);
    } catch (err) {
      return fail(2, "TX_MALFORMED", (err as Error).message);
    }
    const { envelope, body, sender } = decoded;
    if (!verifySignature(envelope.keyType, envelope.publicKey, envelope.body, envelope.signature)) {
      return fail(8, "TX_BAD_SIGNATURE", "signature does not verify over the body bytes", body.gasLimit);
    }
    const state = new Map([...this.latestState()].map(([k, v]) => [k, { ...v }]));
    const account = state.get(sender) ?? { nonce: 0, balance: 0n };
    if (body.nonce !== account.nonce) {
      return fail(31, "TX_NONCE_TOO_HIGH", `nonce ${body.nonce}, expected ${account.nonce}`, body.gasLimit);
    }
    if (BigInt(body.fee === "" ? "0" : body.fee) > account.balance) {
      return fail(33, "TX_INSUFFICIENT_FEE_FUNDS", "balance below the fee", body.gasLimit);
    }
    const r = this.execute(tx, state);
    return {
      gasWanted: r.gasWanted,
      gasUsed: r.gasUsed,
      code: r.code,
      codename: r.code === 0 ? "OK" : "INSUFFICIENT_FUNDS",
      log: r.log,
      events: r.events.map((e) => Event.create(e)),
    };
  }

  async searchTxs(query: TxSearchQuery): Promise<TxSearchPage> {
    this.maybeFail();
    return searchRecords(this.txs.values(), query);
  }

  onCommitted(listener: (committed: CommittedBlock) => void): () => void {
    return this.commitFeed.subscribe(listener);
  }

  /** Makes a block of the pending txs, executes it and commits it. Returns its height. */
  async commitBlock(): Promise<number> {
    const txs = [...this.pending.values()];
    this.pending.clear();
    const height = this.height + 1;
    const state = new Map([...this.latestState()].map(([k, v]) => [k, { ...v }]));
    const txResults: TxResult[] = [];
    for (const tx of txs) txResults.push(this.execute(tx, state));
    const previous = this.blocks.get(this.height);
    const header = BlockHeader.create({
      chainId: this.chainId,
      height,
      timeMs: this.genesisTimeMs + (height - 1) * 1000,
      lastBlockHash: previous?.blockHash ?? new Uint8Array(32),
      appHash: this.appHash(this.height),
      proposerAddress: this.validators[this.proposerIndex(height)]!.address,
    });
    const lastCommit = this.commits.get(this.height);
    const block = Block.create({ header, txs, ...(lastCommit ? { lastCommit } : {}) });
    const blockHash = sha256(encode(BlockHeader, header));
    this.commits.set(height, this.signCommit(height, blockHash, header.timeMs + 500));
    this.states.push(state);
    this.blocks.set(height, { block, blockHash });
    const results = BlockResults.create({
      height,
      txResults,
      finalizeEvents: [
        Event.create({ type: "block", attributes: [{ key: "height", value: String(height) }] }),
      ],
      appHash: this.appHash(height),
    });
    this.results.set(height, results);
    const records = txs.map((tx, index) =>
      TxRecord.create({ hash: sha256(tx), height, index, tx, result: txResults[index]! }),
    );
    for (const record of records) this.txs.set(toHex(record.hash), record);
    this.height = height;
    this.waiter.notify(records);
    this.commitFeed.emit({ height, block: { block, blockHash }, results });
    return height;
  }

  private proposerIndex(height: number): number {
    return (height - 1) % this.validators.length;
  }

  /** Every validator precommits the block in round 0; the signatures are over the vote sign bytes. */
  private signCommit(height: number, blockHash: Uint8Array, timestampMs: number): Commit {
    const signatures = this.validators.map((v, validatorIndex) => {
      const vote = Vote.create({
        type: VoteType.VOTE_TYPE_PRECOMMIT,
        height,
        round: 0,
        blockHash,
        timestampMs,
        validatorAddress: v.address,
        validatorIndex,
      });
      return CommitSig.create({
        flag: BlockIdFlag.BLOCK_ID_FLAG_COMMIT,
        validatorAddress: v.address,
        timestampMs,
        signature: v.key.sign(voteSignBytes(this.chainId, vote)),
      });
    });
    return Commit.create({ height, round: 0, blockHash, signatures });
  }

  private latestState(): Map<string, AccountState> {
    return this.states[this.height]!;
  }

  private stateHeight(height: number | undefined): number {
    const at = height ?? this.height;
    if (at > this.height) throw new RpcBackendError("HEIGHT_NOT_AVAILABLE", `height ${at} is not committed`);
    if (at < this.earliestHeight && height !== undefined) {
      throw new RpcBackendError("HEIGHT_NOT_AVAILABLE", `state of height ${at} is pruned`);
    }
    return at;
  }

  private valueAt(key: Uint8Array, height: number): Uint8Array | undefined {
    if (key.length !== 21 || key[0] !== accountKey(new Uint8Array(20))[0]) return undefined;
    const account = this.states[height]!.get(toHex(key.subarray(1)));
    if (account === undefined) return undefined;
    return encode(Account, Account.create({ nonce: account.nonce, balance: account.balance.toString() }));
  }

  /** A stand-in state root: a hash over the sorted accounts (no tree here). */
  private appHash(height: number): Uint8Array {
    const state = this.states[height];
    if (state === undefined) return new Uint8Array(32);
    const parts = [...state.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}:${v.nonce}:${v.balance}`);
    return sha256(new TextEncoder().encode(parts.join(",")));
  }

  private maybeFail(): void {
    const err = this.failNext;
    if (err === undefined) return;
    this.failNext = undefined;
    throw err;
  }

  private decode(tx: Uint8Array) {
    const envelope = decodeCanonical<Tx>(Tx, tx, "tx");
    const body = decodeCanonical<TxBody>(TxBody, envelope.body, "tx body");
    return { envelope, body, sender: toHex(addressFromPublicKey(envelope.keyType, envelope.publicKey)) };
  }

  private checkTx(tx: Uint8Array): { code: number; codename: string; log: string; gasWanted: number } {
    const reject = (code: number, codename: string, log: string) => ({ code, codename, log, gasWanted: 0 });
    let decoded: ReturnType<MemoryChain["decode"]>;
    try {
      decoded = this.decode(tx);
    } catch (err) {
      return reject(2, "TX_MALFORMED", (err as Error).message);
    }
    const { envelope, body, sender } = decoded;
    if (!verifySignature(envelope.keyType, envelope.publicKey, envelope.body, envelope.signature)) {
      return reject(8, "TX_BAD_SIGNATURE", "signature does not verify over the body bytes");
    }
    if (body.chainId !== this.chainId)
      return reject(5, "TX_WRONG_CHAIN_ID", `chain id must be ${this.chainId}`);
    const account = this.latestState().get(sender) ?? { nonce: 0, balance: 0n };
    let next = account.nonce;
    for (const other of this.pending.values()) if (this.decode(other).sender === sender) next++;
    if (body.nonce < next) return reject(30, "TX_NONCE_TOO_LOW", `nonce ${body.nonce} is used`);
    if (body.nonce > next)
      return reject(31, "TX_NONCE_GAP_TOO_LARGE", `nonce ${body.nonce}, expected ${next}`);
    const fee = BigInt(body.fee === "" ? "0" : body.fee);
    if (fee < this.minGasPrice * BigInt(body.gasLimit))
      return reject(14, "TX_FEE_TOO_LOW", "fee below the minimum");
    if (fee > account.balance) return reject(33, "TX_INSUFFICIENT_FEE_FUNDS", "balance below the fee");
    return { code: 0, codename: "", log: "", gasWanted: body.gasLimit };
  }

  /** Charges the fee, bumps the nonce, and moves bank sends (failing ones keep the fee). */
  private execute(tx: Uint8Array, state: Map<string, AccountState>): TxResult {
    const { body, sender } = this.decode(tx);
    const from = state.get(sender) ?? { nonce: 0, balance: 0n };
    const fee = BigInt(body.fee === "" ? "0" : body.fee);
    from.balance -= fee;
    from.nonce += 1;
    state.set(sender, from);
    const base = { gasWanted: body.gasLimit, gasUsed: MEMORY_CHAIN_TX_GAS };
    let total = 0n;
    for (const msg of body.messages) total += BigInt(msg.bankSend?.amount ?? "0");
    if (total > from.balance) {
      return TxResult.create({ ...base, code: 40, codespace: "bank", log: "insufficient funds" });
    }
    const events: Event[] = [];
    for (const msg of body.messages) {
      const send = msg.bankSend;
      if (send == null) continue;
      const amount = BigInt(send.amount ?? "0");
      const toKey = toHex(send.to ?? new Uint8Array());
      const to = state.get(toKey) ?? { nonce: 0, balance: 0n };
      from.balance -= amount;
      to.balance += amount;
      state.set(toKey, to);
      events.push(
        Event.create({
          type: "transfer",
          attributes: [
            { key: "sender", value: sender },
            { key: "recipient", value: toKey },
            { key: "amount", value: amount.toString() },
          ],
        }),
      );
    }
    return TxResult.create({ ...base, code: 0, events });
  }
}
