// Slashing: punishes what consensus reports at the start of each block, before the block's txs.
//
//   evidence   a duplicate vote (verified by consensus) by a known, not yet tombstoned validator,
//              no older than max_evidence_age_blocks: slash slash_fraction_double_sign_bps of its
//              bonded stake and of the unbonding entries that began at or after the offence, burn
//              it, jail it and tombstone it (it never comes back; its consensus key stays taken).
//   downtime   for each validator in the previous block's commit, record signed/missed in its
//              window of the last signed_blocks_window blocks; once it has missed more than
//              window - min_signed, slash slash_fraction_downtime_bps, jail it until
//              height + downtime_jail_blocks (then MsgUnjail) and start its window afresh.
// A jailed validator leaves the active set at the end of the same block (staking's end block), and
// consensus drops it two blocks later; meanwhile its votes are not counted against it.
import type { CommitVoteInfo, Misbehavior } from "../../../proto/application.js";
import { ExecutionError } from "../../errors.js";
import type { KvReader } from "../../store.js";
import { loadRecordByConsensusAddress, saveRecord } from "../staking/records.js";
import { fractionOf, slashEvent, slashRecord } from "../staking/slash.js";
import type { BlockBeginContext, Module, QueryAnswer } from "../types.js";
import { slashingParamSpace } from "./param-space.js";
import { initSlashingParams, SLASHING_PREFIX } from "./params.js";
import {
  loadSigningInfo,
  recordSignature,
  resetSigningInfo,
  saveSigningInfo,
  signingInfoKey,
} from "./signing-info.js";

export { loadSlashingParams, SLASHING_PARAMS_KEY, SLASHING_PREFIX } from "./params.js";

async function handleDuplicateVote(ctx: BlockBeginContext, ev: Misbehavior): Promise<void> {
  const p = ctx.params.slashing;
  // Consensus only includes evidence for past heights; anything else is not ours to judge.
  if (!Number.isSafeInteger(ev.height) || ev.height < 1 || ev.height > ctx.height) return;
  if (ctx.height - ev.height > p.maxEvidenceAgeBlocks) return;
  const v = await loadRecordByConsensusAddress(ctx.store, ev.validatorAddress);
  if (!v || v.tombstoned) return;
  const outcome = slashRecord(v, ev.height, p.slashFractionDoubleSignBps);
  v.jailed = true;
  v.jailedUntil = 0;
  v.tombstoned = true;
  saveRecord(ctx.store, v);
  await resetSigningInfo(ctx.store, v.consensusAddress);
  ctx.events.push(slashEvent(v, "double_sign", ev.height, outcome));
}

/** Most blocks of the window a validator may miss: window - floor(window * min_signed_bps / 10000). */
export function maxMissedBlocks(window: number, minSignedBps: number): number {
  return window - Number(fractionOf(BigInt(window), minSignedBps));
}

async function handleVote(ctx: BlockBeginContext, vote: CommitVoteInfo): Promise<void> {
  const p = ctx.params.slashing;
  const v = await loadRecordByConsensusAddress(ctx.store, vote.validatorAddress);
  // Unknown to staking, or already out (jailed or tombstoned): nothing to count.
  if (!v || v.jailed) return;
  const info = await loadSigningInfo(ctx.store, v.consensusAddress, p.signedBlocksWindow);
  if (!recordSignature(info, ctx.height, !vote.signed)) return;
  if (info.missed <= maxMissedBlocks(p.signedBlocksWindow, p.minSignedPerWindowBps)) {
    saveSigningInfo(ctx.store, v.consensusAddress, info);
    return;
  }
  // The missed block whose commit this block carries is the offence.
  const infractionHeight = ctx.height - 1;
  const outcome = slashRecord(v, infractionHeight, p.slashFractionDowntimeBps);
  v.jailed = true;
  v.jailedUntil = ctx.height + p.downtimeJailBlocks;
  saveRecord(ctx.store, v);
  await resetSigningInfo(ctx.store, v.consensusAddress);
  ctx.events.push(slashEvent(v, "downtime", infractionHeight, outcome));
}

/** signing_info/<0x consensus address>: the validator's missed-blocks leaf (absent = none missed). */
async function querySigningInfo(reader: KvReader, arg: string): Promise<QueryAnswer> {
  if (!/^0x[0-9a-fA-F]{40}$/.test(arg)) {
    throw new ExecutionError(
      "QUERY_INVALID_ARGUMENT",
      `signing_info wants a consensus address as 0x + 40 hex digits, got ${JSON.stringify(arg)}`,
    );
  }
  const address = Uint8Array.from(Buffer.from(arg.slice(2), "hex"));
  const key = signingInfoKey(address);
  const value = await reader.get(key);
  return value === undefined ? { key: key.bytes } : { key: key.bytes, value };
}

export const slashingModule: Module = {
  name: "slashing",
  prefix: SLASHING_PREFIX,
  async initGenesis(ctx, genesis) {
    initSlashingParams(ctx.store, genesis.params.slashing);
  },
  async beginBlock(ctx) {
    for (const ev of ctx.misbehavior) {
      if (ev.type === "duplicate_vote") await handleDuplicateVote(ctx, ev);
    }
    for (const vote of ctx.lastCommit.votes) await handleVote(ctx, vote);
  },
  queries: { signing_info: querySigningInfo },
  paramSpaces: [slashingParamSpace],
};
