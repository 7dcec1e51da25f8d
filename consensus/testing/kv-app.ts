// A small but real Application for consensus tests: txs are "key=value" (UTF-8); a key
// "val/<Ed25519 public key hex>" with a decimal value is also a validator update (power 0
// removes), returned from finalizeBlock so tests can change the validator set; state is a
// key-value map whose app hash chains sha256(previous app hash, height, each applied tx) (kept as
// is by a block that applies nothing). State
// and its metadata are persisted, either in the block's batch (the normal, atomic case) or in a
// database of its own (to let tests make the application and the block store disagree).
// A committed key "kv-app/halt" with a decimal value H plays a scheduled upgrade this app lacks:
// info and commit then ask consensus to halt before H, and finalizeBlock refuses H.
import { sha256, toHex } from "../../crypto/hash.js";
import { BlockResults, Event, EventAttribute, TxResult, ValidatorUpdate } from "../../proto/index.js";
import type { BlockStore } from "../../state/block-store.js";
import { type KyochiDb, prefixed, readU64be, u64be, WriteBatch } from "../../state/db.js";
import type {
  AppInfo,
  Application,
  CheckTxMode,
  CheckTxResult,
  CommitResult,
  FinalizeBlockRequest,
  FinalizeBlockResult,
  HaltRequest,
  PrepareProposalRequest,
  ProcessProposalRequest,
  QueryRequest,
  QueryResult,
} from "../application.js";

/** Key prefixes of the test app (outside the node's Prefix table). */
const KV_PREFIX = 0x7e;
const META_KEY = Uint8Array.of(0x7f);
/** The state key that schedules a halt (see the header). */
export const HALT_KEY = "kv-app/halt";

const utf8 = new TextEncoder();
const text = new TextDecoder();

export interface KvAppOptions {
  db: KyochiDb;
  /** "batch": state goes into the block's batch; "own": commit writes straight to `db` itself. */
  storage?: "batch" | "own";
  /** Throw from finalizeBlock at this height (a crash before the block is written). */
  failFinalizeAt?: number;
  /** Skip writing state at this height ("own" storage): the block lands, the app stays behind. */
  loseCommitAt?: number;
  /** Called at the start of each finalizeBlock (e.g. to make a block take time on a test clock). */
  onFinalize?: (height: number) => void;
  /** commit() stores each block's BlockResults here itself (Application.storesBlockResults). */
  resultsStore?: Pick<BlockStore, "putBlockResults">;
}

interface Pending {
  height: number;
  appHash: Uint8Array;
  writes: [string, string][];
  results: BlockResults;
}

export class KvApp implements Application {
  readonly state = new Map<string, string>();
  lastHeight = 0;
  lastAppHash: Uint8Array = sha256(utf8.encode("kv-app genesis"));
  /** Heights prepareProposal / processProposal / finalizeBlock were called for. */
  readonly calls = { prepare: [] as number[], process: [] as number[], finalize: [] as number[] };
  private pending: Pending | null = null;
  readonly storesBlockResults: boolean;

  private constructor(private readonly opts: KvAppOptions) {
    this.storesBlockResults = opts.resultsStore !== undefined;
  }

  static async open(opts: KvAppOptions): Promise<KvApp> {
    const app = new KvApp(opts);
    const meta = await opts.db.get(META_KEY);
    if (meta) {
      app.lastHeight = readU64be(meta, 0);
      app.lastAppHash = meta.slice(8);
      for await (const [k, v] of opts.db.iterator({
        gte: Uint8Array.of(KV_PREFIX),
        lt: Uint8Array.of(KV_PREFIX + 1),
      })) {
        app.state.set(text.decode(k.subarray(1)), text.decode(v));
      }
    }
    return app;
  }

  async info(): Promise<AppInfo> {
    const haltAt = this.haltAt();
    return { lastHeight: this.lastHeight, lastAppHash: this.lastAppHash, ...(haltAt ? { haltAt } : {}) };
  }

  /** The halt the committed state schedules (key HALT_KEY), if any. */
  private haltAt(): HaltRequest | undefined {
    const value = this.state.get(HALT_KEY);
    if (value === undefined || !/^[1-9][0-9]*$/.test(value)) return undefined;
    return { height: Number(value), reason: `kv-app: halt scheduled at height ${value}` };
  }

  async checkTx(tx: Uint8Array, _mode: CheckTxMode): Promise<CheckTxResult> {
    const ok = parse(tx) !== null;
    return {
      code: ok ? 0 : 1,
      codename: ok ? "" : "BAD_TX",
      log: "",
      sender: "",
      nonce: 0,
      priority: 0n,
      gasWanted: 1,
      hash: sha256(tx),
    };
  }

  async prepareProposal(req: PrepareProposalRequest): Promise<Uint8Array[]> {
    this.calls.prepare.push(req.height);
    return req.txs.filter((tx) => parse(tx) !== null);
  }

  async processProposal(req: ProcessProposalRequest): Promise<boolean> {
    this.calls.process.push(req.height);
    return req.txs.every((tx) => parse(tx) !== null);
  }

  async finalizeBlock(req: FinalizeBlockRequest): Promise<FinalizeBlockResult> {
    this.calls.finalize.push(req.height);
    this.opts.onFinalize?.(req.height);
    if (req.height === this.opts.failFinalizeAt)
      throw new Error(`kv-app: injected failure at height ${req.height}`);
    if (req.height !== this.lastHeight + 1)
      throw new Error(`kv-app: expected height ${this.lastHeight + 1}, got ${req.height}`);
    const halt = this.haltAt();
    if (halt && req.height >= halt.height)
      throw new Error(`kv-app: must not execute ${req.height}: ${halt.reason}`);
    const writes: [string, string][] = [];
    const validatorUpdates: ValidatorUpdate[] = [];
    const txResults: TxResult[] = [];
    const parts: Uint8Array[] = [this.lastAppHash, u64be(req.height)];
    for (const tx of req.txs) {
      const kv = parse(tx);
      if (!kv) {
        txResults.push(
          TxResult.create({
            code: 1,
            codespace: "kv",
            log: "not key=value",
            gasWanted: 1,
            gasUsed: 1,
            events: [],
          }),
        );
        continue;
      }
      writes.push(kv);
      parts.push(tx);
      if (kv[0].startsWith("val/") && /^\d+$/.test(kv[1])) {
        validatorUpdates.push(
          ValidatorUpdate.create({ pubKey: Buffer.from(kv[0].slice(4), "hex"), power: Number(kv[1]) }),
        );
      }
      txResults.push(
        TxResult.create({
          code: 0,
          codespace: "",
          log: "",
          gasWanted: 1,
          gasUsed: 1,
          events: [
            Event.create({
              type: "kv.set",
              attributes: [EventAttribute.create({ key: "key", value: kv[0] })],
            }),
          ],
        }),
      );
    }
    // State changes only when a tx applies; an empty block keeps the app hash (so tests can tell
    // "the last block changed state" from "it did not").
    const appHash = writes.length > 0 ? sha256(...parts) : this.lastAppHash;
    const results = BlockResults.create({ height: req.height, txResults, validatorUpdates, appHash });
    this.pending = { height: req.height, appHash, writes, results };
    return { txResults, events: [], validatorUpdates, appHash };
  }

  async commit(batch: WriteBatch): Promise<CommitResult> {
    const p = this.pending;
    if (!p) throw new Error("kv-app: commit without finalizeBlock");
    this.pending = null;
    const target = this.opts.storage === "own" ? new WriteBatch() : batch;
    this.opts.resultsStore?.putBlockResults(batch, p.results);
    for (const [k, v] of p.writes) target.put(prefixed(KV_PREFIX, utf8.encode(k)), utf8.encode(v));
    const meta = new Uint8Array(8 + 32);
    meta.set(u64be(p.height), 0);
    meta.set(p.appHash, 8);
    target.put(META_KEY, meta);
    if (this.opts.storage === "own" && p.height !== this.opts.loseCommitAt)
      await this.opts.db.write(target, true);
    if (p.height === this.opts.loseCommitAt) return { retainHeight: 0 };
    for (const [k, v] of p.writes) this.state.set(k, v);
    this.lastHeight = p.height;
    this.lastAppHash = p.appHash;
    const haltAt = this.haltAt();
    return { retainHeight: 0, ...(haltAt ? { haltAt } : {}) };
  }

  async query(req: QueryRequest): Promise<QueryResult> {
    const value = this.state.get(req.path);
    return {
      code: value === undefined ? 1 : 0,
      codename: value === undefined ? "NOT_FOUND" : "",
      log: "",
      height: this.lastHeight,
      value: value === undefined ? undefined : utf8.encode(value),
    };
  }

  appHashHex(): string {
    return toHex(this.lastAppHash);
  }
}

function parse(tx: Uint8Array): [string, string] | null {
  const s = text.decode(tx);
  const i = s.indexOf("=");
  if (i <= 0) return null;
  return [s.slice(0, i), s.slice(i + 1)];
}

export const kvTx = (key: string, value: string): Uint8Array => utf8.encode(`${key}=${value}`);
