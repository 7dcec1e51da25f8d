// Governance's state layout (prefix 0x08). Every list is explicit (the tree has no iteration):
//
//   [0x08, 0x01]                              Params (params.ts)
//   [0x08, 0x02]                              next proposal id (u64be; ids start at 1)
//   [0x08, 0x03]                              UpgradePlan (absent: none scheduled)
//   [0x08, 0x04]                              escrow: the deposits held for open proposals (decimal)
//   [0x08, 0x10] ++ u64be(id)                 Proposal
//   [0x08, 0x11] ++ u64be(id) ++ voter        Vote
//   [0x08, 0x12] ++ u64be(id) ++ depositor    Deposit (a depositor's deposits, summed)
//   [0x08, 0x20]                              SlotList: every proposal
//   [0x08, 0x21] ++ status (1)                SlotList: proposals in that status
//   [0x08, 0x22] ++ u64be(id)                 KeyedList: voters of a proposal
//   [0x08, 0x23] ++ u64be(id)                 KeyedList: depositors of a proposal
//   [0x08, 0x30] ++ u64be(h)                  IdList: proposals whose deposit period ends at h
//   [0x08, 0x31] ++ u64be(h)                  IdList: proposals whose voting ends at h
//   [0x08, 0x32] ++ u64be(h)                  IdList: passed param changes applied at the end of h
//
// The escrow is not an account: no key can spend it; only refunds and burns take from it.
import { encode } from "../../../proto/canonical.js";
import {
  GovDeposit,
  GovProposal,
  GovVote,
  IdList,
  ProposalStatus,
  UpgradePlan,
} from "../../../proto/index.js";
import { readU64be, u64be } from "../../../state/db.js";
import { formatAmount, parseAmount } from "../../amount.js";
import { ExecutionError } from "../../errors.js";
import { type KvReader, type KvStore, type StateKey, stateKey } from "../../store.js";
import { KeyedList } from "../keyed-list.js";
import { SlotList } from "../slot-list.js";
import { GOV_PREFIX } from "./params.js";

const NEXT_ID_KEY = stateKey(Uint8Array.of(GOV_PREFIX, 0x02));
export const UPGRADE_PLAN_KEY = stateKey(Uint8Array.of(GOV_PREFIX, 0x03));
const ESCROW_KEY = stateKey(Uint8Array.of(GOV_PREFIX, 0x04));

function key(...parts: (number | Uint8Array)[]): Uint8Array {
  const bytes = parts.map((p) => (typeof p === "number" ? Uint8Array.of(p) : p));
  const out = new Uint8Array(1 + bytes.reduce((n, b) => n + b.length, 0));
  out[0] = GOV_PREFIX;
  let off = 1;
  for (const b of bytes) {
    out.set(b, off);
    off += b.length;
  }
  return out;
}

export const proposalKey = (id: number): StateKey => stateKey(key(0x10, u64be(id)));
export const voteKey = (id: number, voter: Uint8Array): StateKey => stateKey(key(0x11, u64be(id), voter));
const depositKey = (id: number, depositor: Uint8Array): StateKey => stateKey(key(0x12, u64be(id), depositor));

export const ALL_PROPOSALS = new SlotList(key(0x20));
export const proposalsWithStatus = (status: ProposalStatus): SlotList => new SlotList(key(0x21, status));
export const votersOf = (id: number): KeyedList => new KeyedList(key(0x22, u64be(id)));
export const depositorsOf = (id: number): KeyedList => new KeyedList(key(0x23, u64be(id)));

/** Height-indexed queues of proposal ids, each handled at the end of its height. */
export type QueueName = "deposit_end" | "voting_end" | "apply_params";
const QUEUE_TAGS: Record<QueueName, number> = { deposit_end: 0x30, voting_end: 0x31, apply_params: 0x32 };
const queueKey = (queue: QueueName, height: number): StateKey =>
  stateKey(key(QUEUE_TAGS[queue], u64be(height)));

function decodeStored<T>(codec: { decode(b: Uint8Array): T }, bytes: Uint8Array, what: string): T {
  // Written by this module and authenticated by the tree: a plain decode is enough.
  try {
    return codec.decode(bytes);
  } catch (err) {
    throw new ExecutionError("INTERNAL", `stored ${what} does not decode: ${(err as Error).message}`);
  }
}

export async function takeProposalId(store: KvStore): Promise<number> {
  const bytes = await store.get(NEXT_ID_KEY);
  const id = bytes === undefined ? 1 : readU64be(bytes);
  store.set(NEXT_ID_KEY, u64be(id + 1));
  return id;
}

export async function loadProposal(reader: KvReader, id: number): Promise<GovProposal | undefined> {
  const bytes = await reader.get(proposalKey(id));
  return bytes === undefined ? undefined : decodeStored<GovProposal>(GovProposal, bytes, "Proposal");
}

/** The proposal, or GOV_PROPOSAL_NOT_FOUND. */
export async function requireProposal(reader: KvReader, id: number): Promise<GovProposal> {
  const p = Number.isSafeInteger(id) && id > 0 ? await loadProposal(reader, id) : undefined;
  if (!p) throw new ExecutionError("GOV_PROPOSAL_NOT_FOUND", `no proposal has id ${id}`);
  return p;
}

export function saveProposal(store: KvStore, p: GovProposal): void {
  store.set(proposalKey(p.id), encode(GovProposal, p));
}

/** Lists a new proposal (every proposal, and its status's list). */
export async function listProposal(store: KvStore, p: GovProposal): Promise<void> {
  await ALL_PROPOSALS.append(store, p.id);
  await proposalsWithStatus(p.status).append(store, p.id);
}

/** Moves a proposal to `status` (and between the status lists); the caller saves it. */
export async function setStatus(store: KvStore, p: GovProposal, status: ProposalStatus): Promise<void> {
  if (p.status === status) return;
  await proposalsWithStatus(p.status).remove(store, p.id);
  await proposalsWithStatus(status).append(store, p.id);
  p.status = status;
}

export async function loadQueue(reader: KvReader, queue: QueueName, height: number): Promise<number[]> {
  const bytes = await reader.get(queueKey(queue, height));
  return bytes === undefined ? [] : decodeStored<IdList>(IdList, bytes, "IdList").ids.map(Number);
}

export async function enqueue(store: KvStore, queue: QueueName, height: number, id: number): Promise<void> {
  const ids = await loadQueue(store, queue, height);
  if (ids.includes(id)) return;
  ids.push(id);
  store.set(queueKey(queue, height), encode(IdList, IdList.create({ ids })));
}

export function clearQueue(store: KvStore, queue: QueueName, height: number): void {
  store.delete(queueKey(queue, height));
}

export async function loadVote(
  reader: KvReader,
  id: number,
  voter: Uint8Array,
): Promise<GovVote | undefined> {
  const bytes = await reader.get(voteKey(id, voter));
  return bytes === undefined ? undefined : decodeStored<GovVote>(GovVote, bytes, "Vote");
}

/** Records (or replaces) a vote. */
export async function saveVote(store: KvStore, vote: GovVote): Promise<void> {
  store.set(voteKey(vote.proposalId, vote.voter), encode(GovVote, vote));
  await votersOf(vote.proposalId).add(store, vote.voter);
}

export async function loadDeposit(reader: KvReader, id: number, depositor: Uint8Array): Promise<bigint> {
  const bytes = await reader.get(depositKey(id, depositor));
  if (bytes === undefined) return 0n;
  const d = decodeStored<GovDeposit>(GovDeposit, bytes, "Deposit");
  return parseAmount(d.amount, "stored deposit", "INTERNAL");
}

export async function saveDeposit(
  store: KvStore,
  id: number,
  depositor: Uint8Array,
  amount: bigint,
): Promise<void> {
  store.set(
    depositKey(id, depositor),
    encode(GovDeposit, GovDeposit.create({ proposalId: id, depositor, amount: formatAmount(amount) })),
  );
  await depositorsOf(id).add(store, depositor);
}

export async function deleteDeposit(store: KvStore, id: number, depositor: Uint8Array): Promise<void> {
  store.delete(depositKey(id, depositor));
  await depositorsOf(id).remove(store, depositor);
}

export async function loadEscrow(reader: KvReader): Promise<bigint> {
  const bytes = await reader.get(ESCROW_KEY);
  return bytes === undefined ? 0n : parseAmount(new TextDecoder().decode(bytes), "stored escrow", "INTERNAL");
}

export function saveEscrow(store: KvStore, amount: bigint): void {
  if (amount === 0n) store.delete(ESCROW_KEY);
  else store.set(ESCROW_KEY, new TextEncoder().encode(formatAmount(amount)));
}

export async function loadUpgradePlan(reader: KvReader): Promise<UpgradePlan | undefined> {
  const bytes = await reader.get(UPGRADE_PLAN_KEY);
  return bytes === undefined ? undefined : decodeStored<UpgradePlan>(UpgradePlan, bytes, "UpgradePlan");
}

export function saveUpgradePlan(store: KvStore, plan: UpgradePlan | undefined): void {
  if (plan === undefined) store.delete(UPGRADE_PLAN_KEY);
  else store.set(UPGRADE_PLAN_KEY, encode(UpgradePlan, plan));
}

/** Short lowercase status names, as queries and filters spell them. */
export const STATUS_NAMES: Readonly<Record<number, string>> = {
  [ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD]: "deposit_period",
  [ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD]: "voting_period",
  [ProposalStatus.PROPOSAL_STATUS_PASSED]: "passed",
  [ProposalStatus.PROPOSAL_STATUS_REJECTED]: "rejected",
  [ProposalStatus.PROPOSAL_STATUS_VETOED]: "vetoed",
  [ProposalStatus.PROPOSAL_STATUS_FAILED]: "failed",
  [ProposalStatus.PROPOSAL_STATUS_EXPIRED]: "expired",
};
