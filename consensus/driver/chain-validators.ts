// The validator sets consensus works with, as CometBFT's state keeps them:
//
//   last     the set that decided the last committed height (it signed the commit the next
//            block carries); null at genesis
//   current  the set deciding `height`, with its proposer priorities for round 0
//   next     the set that will decide height+1 (its priorities advance with every height too)
//
// Validator updates returned by finalizeBlock at height H change `next` after H is committed, so
// they take effect at H+2: the set for H+1 is already fixed in H's header (next_validators_hash).
// Everything here is deterministic: every node derives the same sets and priorities.
//
// Persisted in the block's own batch: one record with the three sets (to restart without replaying
// the chain) and the set of every height by height (to check evidence and commits of past heights).
import { addressFromPublicKey } from "../../crypto/address.js";
import { toHex } from "../../crypto/hash.js";
import { decodeCanonical, encode } from "../../proto/canonical.js";
import { KeyType, ValidatorInfo, ValidatorSet, type ValidatorUpdate } from "../../proto/index.js";
import { type KyochiDb, Prefix, prefixed, u64be, WriteBatch } from "../../state/db.js";
import { ProposerPriorities } from "../core/proposer.js";
import { ConsensusError } from "../errors.js";
import { ConsensusValidatorSet } from "./validator-set.js";

export interface ValidatorsWithPriorities {
  readonly set: ConsensusValidatorSet;
  /** Priorities for round 0 of the height this set decides. */
  readonly priorities: ProposerPriorities;
}

export interface ChainValidators {
  /** The height `current` decides (last committed + 1). */
  readonly height: number;
  readonly last: ConsensusValidatorSet | null;
  readonly current: ValidatorsWithPriorities;
  readonly next: ValidatorsWithPriorities;
}

const encoder = new TextEncoder();
const STATE_KEY = prefixed(Prefix.NodeMeta, encoder.encode("consensus/chain_validators"));
const HISTORY_PREFIX = encoder.encode("consensus/validators/");

function historyKey(height: number): Uint8Array {
  const key = new Uint8Array(HISTORY_PREFIX.length + 8);
  key.set(HISTORY_PREFIX, 0);
  key.set(u64be(height), HISTORY_PREFIX.length);
  return prefixed(Prefix.NodeMeta, key);
}

const weighted = (set: ConsensusValidatorSet) =>
  set.validators.map((v) => ({ address: v.address, power: Number(v.power) }));

/** The sets of height 1 (CometBFT: NewValidatorSet, and its copy incremented once as `next`). */
export function genesisChainValidators(genesis: ConsensusValidatorSet): ChainValidators {
  const priorities = genesis.initialPriorities();
  return {
    height: 1,
    last: null,
    current: { set: genesis, priorities },
    next: { set: genesis, priorities: priorities.incremented(1) },
  };
}

/**
 * The sets after committing `cv.height` whose finalizeBlock returned `updates` (CometBFT's
 * updateState): current becomes last, next becomes current, and next is next with the updates
 * applied, advanced by one height.
 */
export function advanceChainValidators(
  cv: ChainValidators,
  updates: readonly ValidatorUpdate[],
): ChainValidators {
  const next = updates.length > 0 ? applyUpdates(cv.next, updates) : cv.next;
  return {
    height: cv.height + 1,
    last: cv.current.set,
    current: cv.next,
    next: { set: next.set, priorities: next.priorities.incremented(1) },
  };
}

/**
 * CometBFT's UpdateWithChangeSet: power 0 removes a validator, an unknown key joins with priority
 * -1.125 x the new total power (so it does not propose at once), a known one keeps its priority.
 */
function applyUpdates(
  base: ValidatorsWithPriorities,
  updates: readonly ValidatorUpdate[],
): ValidatorsWithPriorities {
  const entries = new Map<string, { info: ValidatorInfo; priority: bigint | null }>();
  base.set.validators.forEach((v, i) => {
    entries.set(toHex(v.address), { info: v, priority: base.priorities.priority(i) });
  });
  for (const u of updates) {
    if (u.pubKey.length !== 32) {
      throw new ConsensusError("INVALID_VALIDATOR_UPDATE", "a validator update needs a 32-byte Ed25519 key");
    }
    const power = Number(u.power);
    if (!Number.isSafeInteger(power) || power < 0) {
      throw new ConsensusError("INVALID_VALIDATOR_UPDATE", `validator power ${u.power} is out of range`);
    }
    const address = addressFromPublicKey(KeyType.KEY_TYPE_ED25519, u.pubKey);
    const id = toHex(address);
    if (power === 0) {
      entries.delete(id);
      continue;
    }
    const known = entries.get(id);
    entries.set(id, {
      info: ValidatorInfo.create({ address, pubKey: Uint8Array.from(u.pubKey), power, proposerPriority: 0 }),
      priority: known ? known.priority : null,
    });
  }
  if (entries.size === 0) {
    throw new ConsensusError("INVALID_VALIDATOR_UPDATE", "the validator updates would leave no validator");
  }
  const sorted = [...entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, e]) => e);
  const set = ConsensusValidatorSet.fromValidators(sorted.map((e) => e.info));
  const total = BigInt(set.totalPower);
  const joining = -(total + (total >> 3n));
  const priorities = ProposerPriorities.restore(
    weighted(set),
    sorted.map((e) => e.priority ?? joining),
    0,
  );
  return { set, priorities };
}

interface StoredSet {
  validators: { address: string; pubKey: string; power: number }[];
  priorities: string[];
  proposer: number;
}

interface StoredChainValidators {
  height: number;
  last: StoredSet["validators"] | null;
  current: StoredSet;
  next: StoredSet;
}

function storeSet(vp: ValidatorsWithPriorities): StoredSet {
  return {
    validators: vp.set.validators.map((v) => ({
      address: toHex(v.address),
      pubKey: toHex(v.pubKey),
      power: Number(v.power),
    })),
    priorities: vp.priorities.allPriorities().map(String),
    proposer: vp.priorities.proposerIndex,
  };
}

function setOf(stored: StoredSet["validators"]): ConsensusValidatorSet {
  return ConsensusValidatorSet.fromValidators(
    stored.map((v) =>
      ValidatorInfo.create({
        address: Buffer.from(v.address, "hex"),
        pubKey: Buffer.from(v.pubKey, "hex"),
        power: v.power,
        proposerPriority: 0,
      }),
    ),
  );
}

function loadSet(stored: StoredSet): ValidatorsWithPriorities {
  const set = setOf(stored.validators);
  return {
    set,
    priorities: set.restorePriorities(stored.priorities.map(BigInt), stored.proposer),
  };
}

/** The set deciding `height`, with its round-0 proposer priorities, as one history record. */
function history(batch: WriteBatch, height: number, vp: ValidatorsWithPriorities): void {
  const validators = vp.set.validators.map((v, i) =>
    ValidatorInfo.create({
      address: v.address,
      pubKey: v.pubKey,
      power: v.power,
      proposerPriority: Number(vp.priorities.priority(i)),
    }),
  );
  batch.put(historyKey(height), encode(ValidatorSet, ValidatorSet.create({ validators })));
}

/** Adds the sets to `batch`: the restart record, and the history entry of `cv.height`. */
export function putChainValidators(batch: WriteBatch, cv: ChainValidators): void {
  const record: StoredChainValidators = {
    height: cv.height,
    last: cv.last ? storeSet({ set: cv.last, priorities: cv.last.initialPriorities() }).validators : null,
    current: storeSet(cv.current),
    next: storeSet(cv.next),
  };
  batch.put(STATE_KEY, encoder.encode(JSON.stringify(record)));
  history(batch, cv.height, cv.current);
  // Height 1's set is never `current` in a stored record: write it with the second height's.
  if (cv.height === 2 && cv.last) history(batch, 1, genesisChainValidators(cv.last).current);
}

/**
 * The sets for `height` (last committed + 1): from the stored record, or, for a chain that has
 * none yet (its first start, or a store written before validator updates existed), derived from
 * genesis by advancing one height at a time without updates.
 */
export async function loadChainValidators(
  db: KyochiDb,
  height: number,
  genesis: ConsensusValidatorSet,
): Promise<ChainValidators> {
  const raw = await db.get(STATE_KEY);
  if (raw) {
    let record: StoredChainValidators;
    try {
      record = JSON.parse(new TextDecoder().decode(raw)) as StoredChainValidators;
    } catch (err) {
      throw new ConsensusError(
        "CORRUPT_STATE",
        `stored validator sets are unreadable: ${(err as Error).message}`,
      );
    }
    if (record.height === height) {
      return {
        height,
        last: record.last ? setOf(record.last) : null,
        current: loadSet(record.current),
        next: loadSet(record.next),
      };
    }
    throw new ConsensusError(
      "CORRUPT_STATE",
      `stored validator sets are for height ${record.height}, the chain is at height ${height}`,
    );
  }
  let cv = genesisChainValidators(genesis);
  while (cv.height < height) cv = advanceChainValidators(cv, []);
  // Stored at once, so the sets of the height in progress can be read (chain_getValidators) from
  // the first start on, before any block is committed.
  const batch = new WriteBatch();
  putChainValidators(batch, cv);
  await db.write(batch, true);
  return cv;
}

/**
 * The validators that decide `height` (committed heights and the one in progress), in set order
 * with their round-0 proposer priorities; undefined when not stored.
 */
export async function validatorInfosAt(db: KyochiDb, height: number): Promise<ValidatorInfo[] | undefined> {
  const raw = await db.get(historyKey(height));
  if (!raw) return undefined;
  const stored = decodeCanonical<ValidatorSet>(ValidatorSet, raw, "stored validator set");
  return stored.validators.map((v) => ValidatorInfo.create(v));
}

/** The validator set that decided `height`, from the history (undefined when not stored). */
export async function validatorSetAt(
  db: KyochiDb,
  height: number,
): Promise<ConsensusValidatorSet | undefined> {
  const infos = await validatorInfosAt(db, height);
  return infos ? ConsensusValidatorSet.fromValidators(infos) : undefined;
}
