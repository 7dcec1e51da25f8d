import { sha256 } from "../../../crypto/hash.js";
import { type Block, BlockIdFlag, type BlockResults, type kyochi } from "../../../proto/index.js";
import type {
  BlockHeaderJson,
  BlockJson,
  BlockResultsJson,
  BlockSummaryJson,
  BlockTxHashesJson,
  CommitJson,
} from "../../types.js";
import { renderEvents } from "./events.js";
import { renderTx, renderTxResult } from "./tx.js";
import { hex, isoTime, protoNumber } from "./values.js";

const FLAG_NAMES: Record<number, string> = {
  [BlockIdFlag.BLOCK_ID_FLAG_UNSPECIFIED]: "unspecified",
  [BlockIdFlag.BLOCK_ID_FLAG_ABSENT]: "absent",
  [BlockIdFlag.BLOCK_ID_FLAG_COMMIT]: "commit",
  [BlockIdFlag.BLOCK_ID_FLAG_NIL]: "nil",
};

export function renderHeader(
  header: kyochi.types.v1.BlockHeader.$Properties | null | undefined,
): BlockHeaderJson {
  const h = header ?? {};
  const timeMs = protoNumber(h.timeMs);
  return {
    chainId: h.chainId ?? "",
    height: protoNumber(h.height),
    timeMs,
    time: isoTime(timeMs),
    lastBlockHash: hex(h.lastBlockHash),
    lastCommitHash: hex(h.lastCommitHash),
    dataHash: hex(h.dataHash),
    validatorsHash: hex(h.validatorsHash),
    nextValidatorsHash: hex(h.nextValidatorsHash),
    appHash: hex(h.appHash),
    lastResultsHash: hex(h.lastResultsHash),
    evidenceHash: hex(h.evidenceHash),
    proposerAddress: hex(h.proposerAddress),
  };
}

export function renderCommit(
  commit: kyochi.types.v1.Commit.$Properties | null | undefined,
): CommitJson | null {
  if (commit == null) return null;
  return {
    height: protoNumber(commit.height),
    round: protoNumber(commit.round),
    blockHash: hex(commit.blockHash),
    signatures: (commit.signatures ?? []).map((sig) => {
      const flag = protoNumber(sig.flag);
      return {
        flag: FLAG_NAMES[flag] ?? `unknown(${flag})`,
        validatorAddress: hex(sig.validatorAddress),
        timestampMs: protoNumber(sig.timestampMs),
        signature: hex(sig.signature),
      };
    }),
  };
}

export function renderBlock(block: Block, blockHash: Uint8Array): BlockJson {
  return {
    blockHash: hex(blockHash),
    header: renderHeader(block.header),
    txs: (block.txs ?? []).map(renderTx),
    lastCommit: renderCommit(block.lastCommit),
  };
}

/** The block with its txs as hashes only (chain_getBlock with `txs: "hashes"`). */
export function renderBlockTxHashes(block: Block, blockHash: Uint8Array): BlockTxHashesJson {
  return {
    blockHash: hex(blockHash),
    header: renderHeader(block.header),
    txs: (block.txs ?? []).map((tx) => hex(sha256(tx))),
    lastCommit: renderCommit(block.lastCommit),
  };
}

/** What an explorer's block list shows of a block (chain_getBlocks). */
export function renderBlockSummary(block: Block, blockHash: Uint8Array): BlockSummaryJson {
  const h = block.header ?? {};
  const timeMs = protoNumber(h.timeMs);
  return {
    height: protoNumber(h.height),
    hash: hex(blockHash),
    timeMs,
    time: isoTime(timeMs),
    proposerAddress: hex(h.proposerAddress),
    txCount: (block.txs ?? []).length,
    appHash: hex(h.appHash),
    lastBlockHash: hex(h.lastBlockHash),
  };
}

/** `txs` (the block's, when still stored) adds each result's tx hash. */
export function renderBlockResults(results: BlockResults, txs?: readonly Uint8Array[]): BlockResultsJson {
  return {
    height: protoNumber(results.height),
    appHash: hex(results.appHash),
    txResults: (results.txResults ?? []).map((result, i) => {
      const tx = txs?.[i];
      return tx === undefined ? renderTxResult(result) : { hash: hex(sha256(tx)), ...renderTxResult(result) };
    }),
    finalizeEvents: renderEvents(results.finalizeEvents),
    validatorUpdates: (results.validatorUpdates ?? []).map((update) => ({
      pubKey: hex(update.pubKey),
      power: protoNumber(update.power),
    })),
  };
}
