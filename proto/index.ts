// Short names for the generated protobuf classes. Everything outside proto/ imports from here,
// so a schema's package can move without touching its users.
import "./runtime.js";
import { kyochi } from "./gen/kyochi.js";

export { kyochi };
export const KeyType = kyochi.crypto.v1.KeyType;
export type KeyType = kyochi.crypto.v1.KeyType;

export const Tx = kyochi.tx.v1.Tx;
export type Tx = kyochi.tx.v1.Tx;
export const TxBody = kyochi.tx.v1.TxBody;
export type TxBody = kyochi.tx.v1.TxBody;
export const Msg = kyochi.tx.v1.Msg;
export type Msg = kyochi.tx.v1.Msg;

export const MsgSend = kyochi.bank.v1.MsgSend;
export type MsgSend = kyochi.bank.v1.MsgSend;
export const BankParams = kyochi.bank.v1.Params;
export type BankParams = kyochi.bank.v1.Params;

export const Validator = kyochi.staking.v1.Validator;
export type Validator = kyochi.staking.v1.Validator;
export const StakingParams = kyochi.staking.v1.Params;
export type StakingParams = kyochi.staking.v1.Params;

export const BlockHeader = kyochi.types.v1.BlockHeader;
export type BlockHeader = kyochi.types.v1.BlockHeader;
export const Block = kyochi.types.v1.Block;
export type Block = kyochi.types.v1.Block;
export const Vote = kyochi.types.v1.Vote;
export type Vote = kyochi.types.v1.Vote;
export const VoteType = kyochi.types.v1.VoteType;
export type VoteType = kyochi.types.v1.VoteType;
export const Proposal = kyochi.types.v1.Proposal;
export type Proposal = kyochi.types.v1.Proposal;
export const BlockIdFlag = kyochi.types.v1.BlockIdFlag;
export type BlockIdFlag = kyochi.types.v1.BlockIdFlag;
export const CommitSig = kyochi.types.v1.CommitSig;
export type CommitSig = kyochi.types.v1.CommitSig;
export const Commit = kyochi.types.v1.Commit;
export type Commit = kyochi.types.v1.Commit;
export const Event = kyochi.types.v1.Event;
export type Event = kyochi.types.v1.Event;
export const EventAttribute = kyochi.types.v1.EventAttribute;
export type EventAttribute = kyochi.types.v1.EventAttribute;
export const TxResult = kyochi.types.v1.TxResult;
export type TxResult = kyochi.types.v1.TxResult;
export const ValidatorUpdate = kyochi.types.v1.ValidatorUpdate;
export type ValidatorUpdate = kyochi.types.v1.ValidatorUpdate;
export const BlockResults = kyochi.types.v1.BlockResults;
export type BlockResults = kyochi.types.v1.BlockResults;
export const TxRecord = kyochi.types.v1.TxRecord;
export type TxRecord = kyochi.types.v1.TxRecord;
export const ValidatorInfo = kyochi.types.v1.ValidatorInfo;
export type ValidatorInfo = kyochi.types.v1.ValidatorInfo;
export const ValidatorSet = kyochi.types.v1.ValidatorSet;
export type ValidatorSet = kyochi.types.v1.ValidatorSet;
export const Evidence = kyochi.types.v1.Evidence;
export type Evidence = kyochi.types.v1.Evidence;
export const DuplicateVoteEvidence = kyochi.types.v1.DuplicateVoteEvidence;
export type DuplicateVoteEvidence = kyochi.types.v1.DuplicateVoteEvidence;
export const EvidenceList = kyochi.types.v1.EvidenceList;
export type EvidenceList = kyochi.types.v1.EvidenceList;

export const Account = kyochi.state.v1.Account;
export type Account = kyochi.state.v1.Account;
export const SignState = kyochi.state.v1.SignState;
export type SignState = kyochi.state.v1.SignState;
export const WalEntry = kyochi.state.v1.WalEntry;
export type WalEntry = kyochi.state.v1.WalEntry;
