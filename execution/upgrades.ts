// Software upgrades this release implements. Governance schedules an upgrade by name at a height
// (gov UpgradePlan). At that height:
//   - a name listed here: its handler runs at the beginning of the block (before any module's
//     begin-block hook and any tx), the plan is cleared, and the chain goes on;
//   - any other name: this release must not execute the block. The app tells consensus through
//     AppInfo.haltAt / CommitResult.haltAt (proto/application.ts), consensus stops before
//     proposing, voting on or executing that height, and the node exits with upgradeNeededMessage.
// A release that implements an upgrade adds its name and handler to KNOWN_UPGRADES; tests pass
// their own map to KyochiApp.create.
import type { HaltRequest } from "../proto/application.js";
import type { Event, UpgradePlan } from "../proto/index.js";
import { ExecutionError } from "./errors.js";
import { makeEvent } from "./modules/events.js";
import { loadUpgradePlan, saveUpgradePlan } from "./modules/gov/records.js";
import type { KvReader, KvStore } from "./store.js";

export interface UpgradeContext {
  store: KvStore;
  height: number;
  plan: UpgradePlan;
  events: Event[];
}

/** Migrates state at the beginning of the upgrade's height; throwing stops the node. */
export type UpgradeHandler = (ctx: UpgradeContext) => Promise<void>;

/** Empty in this release: every scheduled upgrade halts it. */
export const KNOWN_UPGRADES: ReadonlyMap<string, UpgradeHandler> = new Map();

export function upgradeNeededMessage(plan: UpgradePlan): string {
  return (
    `UPGRADE NEEDED: software upgrade "${plan.name}" was scheduled by governance proposal ` +
    `${plan.proposalId} at height ${plan.height}; this release does not implement it: ` +
    "install the release that does and restart"
  );
}

/** Where consensus must stop, if a scheduled upgrade is one this release does not know. */
export async function pendingHalt(
  reader: KvReader,
  known: ReadonlyMap<string, UpgradeHandler>,
): Promise<HaltRequest | undefined> {
  const plan = await loadUpgradePlan(reader);
  if (!plan || known.has(plan.name)) return undefined;
  return { height: plan.height, reason: upgradeNeededMessage(plan) };
}

/**
 * At the beginning of block `height`: runs the upgrade due now, if any, and clears its plan.
 * An unknown one due now means consensus ignored haltAt: refuse to execute the block.
 */
export async function runDueUpgrade(
  store: KvStore,
  height: number,
  known: ReadonlyMap<string, UpgradeHandler>,
  events: Event[],
): Promise<void> {
  const plan = await loadUpgradePlan(store);
  if (!plan || plan.height !== height) return;
  const handler = known.get(plan.name);
  if (!handler) throw new ExecutionError("UPGRADE_NEEDED", upgradeNeededMessage(plan));
  await handler({ store, height, plan, events });
  saveUpgradePlan(store, undefined);
  events.push(
    makeEvent("apply_upgrade", [
      ["name", plan.name],
      ["height", String(height)],
      ["proposal_id", String(plan.proposalId)],
    ]),
  );
}
