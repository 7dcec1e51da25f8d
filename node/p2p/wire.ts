// Short names for the p2p wire messages (proto/kyochi/p2p/v1/p2p.proto).
import { kyochi } from "../../proto/index.js";

export const BlockPart = kyochi.p2p.v1.BlockPart;
export type BlockPart = kyochi.p2p.v1.BlockPart;
export const TxBatch = kyochi.p2p.v1.TxBatch;
export type TxBatch = kyochi.p2p.v1.TxBatch;
export const StatusRequest = kyochi.p2p.v1.StatusRequest;
export type StatusRequest = kyochi.p2p.v1.StatusRequest;
export const StatusResponse = kyochi.p2p.v1.StatusResponse;
export type StatusResponse = kyochi.p2p.v1.StatusResponse;
export const BlocksRequest = kyochi.p2p.v1.BlocksRequest;
export type BlocksRequest = kyochi.p2p.v1.BlocksRequest;
export const SyncedBlockMsg = kyochi.p2p.v1.SyncedBlock;
export type SyncedBlockMsg = kyochi.p2p.v1.SyncedBlock;
export const BlocksResponse = kyochi.p2p.v1.BlocksResponse;
export type BlocksResponse = kyochi.p2p.v1.BlocksResponse;
export const CompactBlock = kyochi.p2p.v1.CompactBlock;
export type CompactBlock = kyochi.p2p.v1.CompactBlock;
export const TxsRequest = kyochi.p2p.v1.TxsRequest;
export type TxsRequest = kyochi.p2p.v1.TxsRequest;
export const TxsResponse = kyochi.p2p.v1.TxsResponse;
export type TxsResponse = kyochi.p2p.v1.TxsResponse;
