// Proposer priorities change every height; they are stored in the block's own batch (NodeMeta
// prefix) so that on restart the next height's proposer is known without replaying every height
// since genesis. A missing or foreign record falls back to that replay (same result, slower).
import { toHex } from "../../crypto/hash.js";
import { bytesEqual } from "../../proto/canonical.js";
import { type KyochiDb, Prefix, prefixed, type WriteBatch } from "../../state/db.js";
import type { ProposerPriorities } from "../core/proposer.js";
import type { ConsensusValidatorSet } from "./validator-set.js";

const KEY = prefixed(Prefix.NodeMeta, new TextEncoder().encode("consensus/proposer_priorities"));

interface PrioritiesRecord {
  /** Height these priorities are for (round 0). */
  height: number;
  validatorsHash: string;
  proposer: number;
  priorities: string[];
}

export function putPriorities(
  batch: WriteBatch,
  height: number,
  set: ProposerPriorities,
  validators: ConsensusValidatorSet,
): void {
  const record: PrioritiesRecord = {
    height,
    validatorsHash: toHex(validators.hash),
    proposer: set.proposerIndex,
    priorities: set.allPriorities().map(String),
  };
  batch.put(KEY, new TextEncoder().encode(JSON.stringify(record)));
}

export async function loadPriorities(
  db: KyochiDb,
  height: number,
  validators: ConsensusValidatorSet,
): Promise<ProposerPriorities> {
  const raw = await db.get(KEY);
  if (raw) {
    try {
      const record = JSON.parse(new TextDecoder().decode(raw)) as PrioritiesRecord;
      if (
        record.height === height &&
        bytesEqual(Buffer.from(record.validatorsHash, "hex"), validators.hash)
      ) {
        return validators.restorePriorities(record.priorities.map(BigInt), record.proposer);
      }
    } catch {
      // fall through to recomputation
    }
  }
  return validators.prioritiesAt(height);
}
