// Staking's state layout. The tree has no iteration, so every list staking needs is kept explicitly:
//
//   [0x03, 0x01]                 Params
//   [0x03, 0x02]                 the active set (Validators), what consensus runs with
//   [0x03, 0x03]                 number of validators ever created (u64 big-endian)
//   [0x03, 0x10] ++ operator     ValidatorRecord, one leaf per validator
//   [0x03, 0x11] ++ cons address operator address (finds a validator from consensus's side)
//   [0x03, 0x12] ++ u64be(i)     operator of the i-th validator created (the list behind `validators`)
//   [0x03, 0x13] ++ u64be(h)     UnbondingQueue: operators with an entry completing at height h
//
// Creating a validator writes a fixed number of small leaves (no list that grows with the set), so
// its gas does not depend on how many validators exist.
import { addressFromPublicKey } from "../../../crypto/address.js";
import { encode } from "../../../proto/canonical.js";
import { KeyType, kyochi } from "../../../proto/index.js";
import { readU64be, u64be } from "../../../state/db.js";
import { formatAmount, parseAmount } from "../../amount.js";
import { ExecutionError } from "../../errors.js";
import { type KvReader, type KvStore, type StateKey, stateKey } from "../../store.js";

export const STAKING_PREFIX = 0x03;
export const STAKING_PARAMS_KEY = stateKey(Uint8Array.of(STAKING_PREFIX, 0x01));
/** The active set; the `validator_set` query serves this leaf. */
export const VALIDATORS_KEY = stateKey(Uint8Array.of(STAKING_PREFIX, 0x02));
export const VALIDATOR_COUNT_KEY = stateKey(Uint8Array.of(STAKING_PREFIX, 0x03));
const RECORD_TAG = 0x10;
const CONSENSUS_INDEX_TAG = 0x11;
const CREATION_SLOT_TAG = 0x12;
const UNBONDING_QUEUE_TAG = 0x13;

export const CONSENSUS_KEY_BYTES = 32;
export const MAX_MONIKER_BYTES = 64;
/** Unbonding entries one validator may have in flight (entries of one block are merged). */
export const MAX_UNBONDING_ENTRIES = 32;

const ValidatorRecord = kyochi.staking.v1.ValidatorRecord;
type ValidatorRecord = kyochi.staking.v1.ValidatorRecord;
const UnbondingEntry = kyochi.staking.v1.UnbondingEntry;
const UnbondingQueue = kyochi.staking.v1.UnbondingQueue;
type UnbondingQueue = kyochi.staking.v1.UnbondingQueue;

export interface UnbondingEntryState {
  amount: bigint;
  creationHeight: number;
  completionHeight: number;
}

/** A validator as staking keeps it (bigints for amounts). */
export interface ValidatorRecordState {
  operator: Uint8Array;
  consensusPubkey: Uint8Array;
  /** addressFromPublicKey(ed25519, consensusPubkey): how consensus names it. */
  consensusAddress: Uint8Array;
  /** Bonded stake; voting power is stake / power_reduction. */
  stake: bigint;
  moniker: string;
  jailed: boolean;
  /** First height at which unjail is accepted (downtime jail); 0 when not jailed. */
  jailedUntil: number;
  tombstoned: boolean;
  /** Oldest first. */
  unbonding: UnbondingEntryState[];
  createdHeight: number;
}

function withTag(tag: number, suffix: Uint8Array): StateKey {
  const key = new Uint8Array(2 + suffix.length);
  key[0] = STAKING_PREFIX;
  key[1] = tag;
  key.set(suffix, 2);
  return stateKey(key);
}

export function consensusAddressOf(pubkey: Uint8Array): Uint8Array {
  return addressFromPublicKey(KeyType.KEY_TYPE_ED25519, pubkey);
}

export function recordKey(operator: Uint8Array): StateKey {
  return withTag(RECORD_TAG, operator);
}

export function consensusIndexKey(consensusAddress: Uint8Array): StateKey {
  return withTag(CONSENSUS_INDEX_TAG, consensusAddress);
}

function creationSlotKey(index: number): StateKey {
  return withTag(CREATION_SLOT_TAG, u64be(index));
}

export function unbondingQueueKey(height: number): StateKey {
  return withTag(UNBONDING_QUEUE_TAG, u64be(height));
}

function decodeStored<T>(codec: { decode(b: Uint8Array): T }, bytes: Uint8Array, what: string): T {
  // Stored leaves were written by this module and are authenticated by the tree: a plain decode
  // (no canonical re-encoding check) is enough, and it runs for every validator every block.
  try {
    return codec.decode(bytes);
  } catch (err) {
    throw new ExecutionError("INTERNAL", `stored ${what} does not decode: ${(err as Error).message}`);
  }
}

export function decodeRecord(bytes: Uint8Array): ValidatorRecordState {
  const r = decodeStored<ValidatorRecord>(ValidatorRecord, bytes, "ValidatorRecord");
  return {
    operator: r.operator,
    consensusPubkey: r.consensusPubkey,
    consensusAddress: consensusAddressOf(r.consensusPubkey),
    stake: parseAmount(r.stake === "" ? "0" : r.stake, "stored stake", "INTERNAL"),
    moniker: r.moniker,
    jailed: r.jailed,
    jailedUntil: r.jailedUntil,
    tombstoned: r.tombstoned,
    unbonding: r.unbonding.map((e) => ({
      amount: parseAmount(e.amount || "0", "stored unbonding amount", "INTERNAL"),
      creationHeight: e.creationHeight ?? 0,
      completionHeight: e.completionHeight ?? 0,
    })),
    createdHeight: r.createdHeight,
  };
}

export function encodeRecord(v: ValidatorRecordState): Uint8Array {
  return encode(
    ValidatorRecord,
    ValidatorRecord.create({
      operator: v.operator,
      consensusPubkey: v.consensusPubkey,
      stake: formatAmount(v.stake),
      moniker: v.moniker,
      jailed: v.jailed,
      jailedUntil: v.jailedUntil,
      tombstoned: v.tombstoned,
      unbonding: v.unbonding.map((e) =>
        UnbondingEntry.create({
          amount: formatAmount(e.amount),
          creationHeight: e.creationHeight,
          completionHeight: e.completionHeight,
        }),
      ),
      createdHeight: v.createdHeight,
    }),
  );
}

export async function loadRecord(
  reader: KvReader,
  operator: Uint8Array,
): Promise<ValidatorRecordState | undefined> {
  const bytes = await reader.get(recordKey(operator));
  return bytes === undefined ? undefined : decodeRecord(bytes);
}

export function saveRecord(store: KvStore, v: ValidatorRecordState): void {
  store.set(recordKey(v.operator), encodeRecord(v));
}

/** The record of the validator whose consensus key has this address, if any. */
export async function loadRecordByConsensusAddress(
  reader: KvReader,
  consensusAddress: Uint8Array,
): Promise<ValidatorRecordState | undefined> {
  const operator = await reader.get(consensusIndexKey(consensusAddress));
  return operator === undefined ? undefined : loadRecord(reader, operator);
}

export async function validatorCount(reader: KvReader): Promise<number> {
  const bytes = await reader.get(VALIDATOR_COUNT_KEY);
  if (bytes === undefined) return 0;
  if (bytes.length !== 8) throw new ExecutionError("INTERNAL", "stored validator count is not 8 bytes");
  return readU64be(bytes);
}

/** Writes a new validator: its record and the indexes that find it. The caller checked uniqueness. */
export async function insertRecord(store: KvStore, v: ValidatorRecordState): Promise<void> {
  const count = await validatorCount(store);
  store.set(creationSlotKey(count), v.operator);
  store.set(VALIDATOR_COUNT_KEY, u64be(count + 1));
  store.set(consensusIndexKey(v.consensusAddress), v.operator);
  saveRecord(store, v);
}

/** Every validator ever created, sorted by operator address. */
export async function loadAllRecords(reader: KvReader): Promise<ValidatorRecordState[]> {
  const count = await validatorCount(reader);
  const operators = await Promise.all(
    Array.from({ length: count }, (_, i) => reader.get(creationSlotKey(i))),
  );
  const records = await Promise.all(
    operators.map(async (operator, i) => {
      if (operator === undefined) throw new ExecutionError("INTERNAL", `validator slot ${i} is missing`);
      const record = await loadRecord(reader, operator);
      if (!record) throw new ExecutionError("INTERNAL", `validator slot ${i} names no record`);
      return record;
    }),
  );
  return records.sort((a, b) => Buffer.compare(a.operator, b.operator));
}

export async function loadUnbondingQueue(reader: KvReader, height: number): Promise<Uint8Array[]> {
  const bytes = await reader.get(unbondingQueueKey(height));
  return bytes === undefined
    ? []
    : decodeStored<UnbondingQueue>(UnbondingQueue, bytes, "UnbondingQueue").operators;
}

/** Adds `operator` to the bucket of entries completing at `height` (once). */
export async function enqueueUnbonding(store: KvStore, height: number, operator: Uint8Array): Promise<void> {
  const operators = await loadUnbondingQueue(store, height);
  if (operators.some((o) => Buffer.compare(o, operator) === 0)) return;
  operators.push(operator);
  store.set(unbondingQueueKey(height), encode(UnbondingQueue, UnbondingQueue.create({ operators })));
}
