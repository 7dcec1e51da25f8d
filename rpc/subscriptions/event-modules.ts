// Which module an event or a message belongs to, for the `module` filter of subscriptions.
// Messages say it themselves (the Msg oneof case starts with the module's name: bankSend,
// computeSubmitJob). Events do not (their types are bare: "transfer", "submit_job"), so this
// table names the module(s) that emit each type; a type some module emits under two owners
// (pay_model: models on a direct payment, compute on settlement) belongs to both. A dotted type
// ("bank.transfer") belongs to its prefix, so new modules can name their events that way.
import { MODULES } from "../../execution/modules/registry.js";
import type { kyochi } from "../../proto/index.js";

const EVENT_MODULES: Readonly<Record<string, readonly string[]>> = {
  transfer: ["bank"],
  create_validator: ["staking"],
  add_stake: ["staking"],
  unbond: ["staking"],
  unbonding_complete: ["staking"],
  unjail: ["staking"],
  slash: ["staking", "slashing"],
  fee_burned: ["distribution"],
  fee_reward: ["distribution"],
  attest_worker: ["attestation"],
  register_dataset: ["data"],
  add_license_offer: ["data"],
  retire_license_offer: ["data"],
  transfer_dataset: ["data"],
  buy_license: ["data"],
  register_model: ["models"],
  deprecate_model: ["models"],
  transfer_model: ["models"],
  set_model_fee: ["models"],
  royalty_payment: ["models"],
  pay_model: ["models", "compute"],
  submit_proposal: ["gov"],
  proposal_deposit: ["gov"],
  proposal_vote: ["gov"],
  proposal_tallied: ["gov"],
  proposal_failed: ["gov"],
  proposal_expired: ["gov"],
  refund_deposit: ["gov"],
  burn_deposits: ["gov"],
  change_params: ["gov"],
  schedule_upgrade: ["gov"],
  cancel_upgrade: ["gov"],
  add_trusted_root: ["gov"],
  remove_trusted_root: ["gov"],
  allow_measurement: ["gov"],
  disallow_measurement: ["gov"],
  register_worker: ["compute"],
  update_worker: ["compute"],
  unbond_worker: ["compute"],
  unjail_worker: ["compute"],
  jail_worker: ["compute"],
  slash_worker: ["compute"],
  return_worker_stake: ["compute"],
  submit_job: ["compute"],
  cancel_job: ["compute"],
  assign_job: ["compute"],
  commit_result: ["compute"],
  reveal_result: ["compute"],
  settle_job: ["compute"],
  fail_job: ["compute"],
  refund_job: ["compute"],
  rerun_job: ["compute"],
  audit_job: ["compute"],
  skip_audit: ["compute"],
  finish_audit: ["compute"],
  pay_worker: ["compute"],
};

/** The chain's module names (execution's registry), for validating a `module` filter. */
export const MODULE_NAMES: readonly string[] = MODULES.map((m) => m.name);

/** The modules an event type belongs to (empty when unknown). */
export function modulesOfEvent(type: string): readonly string[] {
  const dot = type.indexOf(".");
  if (dot > 0) return [type.slice(0, dot)];
  return Object.hasOwn(EVENT_MODULES, type) ? EVENT_MODULES[type]! : [];
}

/** The module of a tx message: the leading lowercase word of its oneof case (bankSend -> bank). */
export function moduleOfMsg(msg: kyochi.tx.v1.Msg.$Properties): string | undefined {
  // A decoded message has only its set case as an own property (defaults live on the prototype).
  for (const [kind, payload] of Object.entries(msg)) {
    if (kind.startsWith("$") || kind === "sum" || payload == null || typeof payload !== "object") continue;
    return /^[a-z]+/.exec(kind)?.[0];
  }
  return undefined;
}
