// The steps every block-level entry point shares: hash and decode the txs (stateless rules),
// verify the signatures not verified before in one parallel batch, preload the state the txs will
// touch, then execute them in order and run the block-end hooks.
import { sha256 } from "../crypto/hash.js";
import type { CommitInfo, Misbehavior } from "../proto/application.js";
import type { Event, TxResult, ValidatorUpdate } from "../proto/index.js";
import { YIELD_EVERY, yieldToEventLoop } from "../state/event-loop.js";
import { ExecutionError } from "./errors.js";
import { MODULES } from "./modules/registry.js";
import { VALIDATORS_KEY } from "./modules/staking/index.js";
import type { BlockState, StateKey, StateLayer } from "./store.js";
import { keyId } from "./store.js";
import { type DecodedTx, decodeTx, dispatch, type TxCheckContext } from "./tx/decode.js";
import type { DecodedTxCache } from "./tx/decoded-cache.js";
import { executeTx, failedResult, type TxEnv } from "./tx/execute.js";
import type { SignatureVerifier } from "./tx/verify.js";

/** A tx of a block after the stateless checks: decoded, or the reason it is invalid. */
export interface PreparedTx {
  bytes: Uint8Array;
  hash: Uint8Array;
  hashId: string;
  decoded?: DecodedTx;
  error?: ExecutionError;
}

/**
 * prepareTx for every tx of a block, handing the event loop a turn every YIELD_EVERY txs.
 * `afterRun` sees the txs prepared so far at the end of each run (before the turn) and at the end.
 */
export async function prepareTxs(
  txs: readonly Uint8Array[],
  ctx: TxCheckContext,
  cache?: DecodedTxCache,
  afterRun?: (prepared: readonly PreparedTx[]) => void,
): Promise<PreparedTx[]> {
  const prepared: PreparedTx[] = [];
  for (const [i, bytes] of txs.entries()) {
    if (i > 0 && i % YIELD_EVERY === 0) {
      afterRun?.(prepared);
      await yieldToEventLoop();
    }
    prepared.push(prepareTx(bytes, ctx, cache));
  }
  afterRun?.(prepared);
  return prepared;
}

/** `knownHash`: sha256(bytes) when the caller already computed it (see Application.checkTx). */
export function prepareTx(
  bytes: Uint8Array,
  ctx: TxCheckContext,
  cache?: DecodedTxCache,
  knownHash?: Uint8Array,
): PreparedTx {
  const hash = knownHash ?? sha256(bytes);
  const hashId = keyId(hash);
  const cached = cache?.get(hashId, ctx.params);
  if (cached) return { bytes, hash, hashId, decoded: cached };
  try {
    const decoded = decodeTx(bytes, hash, hashId, ctx);
    cache?.set(decoded, ctx.params);
    return { bytes, hash, hashId, decoded };
  } catch (err) {
    if (err instanceof ExecutionError) return { bytes, hash, hashId, error: err };
    throw err;
  }
}

/** Marks txs whose signature does not verify with TX_BAD_SIGNATURE (all unverified ones at once). */
export async function verifyPrepared(txs: readonly PreparedTx[], verifier: SignatureVerifier): Promise<void> {
  const decoded = txs.filter((t) => t.decoded !== undefined);
  markBadSignatures(decoded, await verifier.verifyMany(decoded.map((t) => t.decoded as DecodedTx)));
}

function markBadSignatures(decoded: readonly PreparedTx[], oks: readonly boolean[]): void {
  for (let i = 0; i < decoded.length; i++) {
    if (oks[i]) continue;
    const t = decoded[i] as PreparedTx;
    t.error = new ExecutionError("TX_BAD_SIGNATURE", "signature does not verify over the tx body");
    t.decoded = undefined;
  }
}

/** A block's txs decoded, with their signature checks under way. */
export interface PreparingTxs {
  /** Every tx decoded or refused by the stateless rules; signatures not applied yet. */
  readonly prepared: PreparedTx[];
  /** Waits for the signature checks and marks the txs that fail them with TX_BAD_SIGNATURE. */
  checkSignatures(): Promise<void>;
}

/**
 * prepareTxs, handing each YIELD_EVERY decoded txs to the verifier as soon as they are decoded.
 *
 * Why not decode everything first: a node decodes the next block while it executes and commits
 * the one before (the two loops share the main thread, turn by turn), and the worker threads had
 * nothing to verify until the last tx was decoded. In the transfers benchmark they idled through
 * most of each block's execution and then verified while the main thread waited: the two cores ran
 * about 1.65 of 2 busy.
 *
 * The txs are marked only by checkSignatures(), so checks that come before signatures (a
 * proposal's invalid or duplicate txs, its size and gas) see the same txs as before. A caller that
 * returns without calling it leaves the checks to finish unobserved; they never reject.
 */
export async function prepareTxsVerifying(
  txs: readonly Uint8Array[],
  ctx: TxCheckContext,
  verifier: SignatureVerifier,
  cache?: DecodedTxCache,
): Promise<PreparingTxs> {
  const checks: Promise<{ decoded: PreparedTx[]; oks: boolean[] } | { error: unknown }>[] = [];
  let sentUpTo = 0;
  const send = (prepared: readonly PreparedTx[]) => {
    const decoded: PreparedTx[] = [];
    for (let i = sentUpTo; i < prepared.length; i++) {
      if ((prepared[i] as PreparedTx).decoded !== undefined) decoded.push(prepared[i] as PreparedTx);
    }
    sentUpTo = prepared.length;
    if (decoded.length === 0) return;
    checks.push(
      verifier.verifyMany(decoded.map((t) => t.decoded as DecodedTx)).then(
        (oks) => ({ decoded, oks }),
        (error: unknown) => ({ error }),
      ),
    );
  };
  const prepared = await prepareTxs(txs, ctx, cache, send);
  return {
    prepared,
    async checkSignatures() {
      for (const outcome of await Promise.all(checks)) {
        if ("error" in outcome) throw outcome.error;
        markBadSignatures(outcome.decoded, outcome.oks);
      }
    },
  };
}

/** Every key the block will read, fetched in one concurrent sweep before execution. */
export async function preloadBlockState(state: BlockState, txs: readonly PreparedTx[]): Promise<void> {
  const keys: StateKey[] = [VALIDATORS_KEY];
  for (const t of txs) {
    const tx = t.decoded;
    if (!tx) continue;
    keys.push(tx.senderKey);
    for (const msg of tx.messages) {
      const { handler, payload } = dispatch(msg);
      keys.push(...handler.touchedKeys(payload));
    }
  }
  await state.committed.preload(keys);
}

export interface ExecutedBlock {
  txResults: TxResult[];
  /** Block-begin events, then block-end events. */
  events: Event[];
  collectedFees: bigint;
  validatorUpdates: ValidatorUpdate[];
}

export interface BlockEnv extends Omit<TxEnv, "mode"> {
  proposerAddress: Uint8Array;
  /** Hash of the previous block: the seed of the block's randomness (job assignment, audits). */
  lastBlockHash: Uint8Array;
  lastCommit: CommitInfo;
  misbehavior: readonly Misbehavior[];
}

/** Runs the modules' block-begin hooks (evidence, liveness) on `state`; returns their events. */
export async function beginBlock(state: StateLayer, env: BlockEnv): Promise<Event[]> {
  const events: Event[] = [];
  for (const m of MODULES) {
    if (!m.beginBlock) continue;
    await m.beginBlock({
      store: state,
      params: env.params,
      height: env.height,
      timeMs: env.timeMs,
      lastBlockHash: env.lastBlockHash,
      lastCommit: env.lastCommit,
      misbehavior: env.misbehavior,
      events,
    });
  }
  return events;
}

/** Executes the block-begin hooks, the block's txs in order on `state`, then the block-end hooks. */
export async function executeBlock(
  state: BlockState,
  txs: readonly PreparedTx[],
  env: BlockEnv,
): Promise<ExecutedBlock> {
  const txEnv: TxEnv = { params: env.params, height: env.height, timeMs: env.timeMs, mode: "deliver" };
  const beginEvents = await beginBlock(state, env);
  const txResults: TxResult[] = [];
  let collectedFees = 0n;
  for (const [i, t] of txs.entries()) {
    if (i > 0 && i % YIELD_EVERY === 0) await yieldToEventLoop();
    if (!t.decoded) {
      txResults.push(failedResult(t.error ?? new ExecutionError("INTERNAL", "tx was not decoded"), 0));
      continue;
    }
    const run = executeTx(state, t.decoded, txEnv);
    const outcome = run instanceof Promise ? await run : run;
    txResults.push(outcome.result);
    collectedFees += outcome.feeCharged;
  }
  const end = await endBlock(state, env, collectedFees);
  return {
    txResults,
    events: [...beginEvents, ...end.events],
    collectedFees,
    validatorUpdates: end.validatorUpdates,
  };
}

export async function endBlock(
  state: StateLayer,
  env: BlockEnv,
  collectedFees: bigint,
): Promise<{ events: Event[]; validatorUpdates: ValidatorUpdate[] }> {
  const events: Event[] = [];
  const validatorUpdates: ValidatorUpdate[] = [];
  for (const m of MODULES) {
    if (!m.endBlock) continue;
    await m.endBlock({
      store: state,
      params: env.params,
      height: env.height,
      timeMs: env.timeMs,
      lastBlockHash: env.lastBlockHash,
      proposerAddress: env.proposerAddress,
      collectedFees,
      events,
      validatorUpdates,
    });
  }
  return { events, validatorUpdates };
}
