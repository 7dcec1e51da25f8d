// Carrying out a passed proposal. Roots, measurements and upgrade plans change at the end of the
// block that tallied it; a param change is queued for the end of effective_height - 1 (after
// that block commits the app reloads its params, so block effective_height is the first to run
// under them). Anything that can no longer be done (a root added meanwhile, a height already
// reached, values that no longer pass their checks) makes the proposal FAILED with the reason, and
// changes nothing.
import { type Event, type GovProposal, ProposalStatus, UpgradePlan } from "../../../proto/index.js";
import { ExecutionError } from "../../errors.js";
import type { KvStore } from "../../store.js";
import { addTrustedRoot, removeTrustedRoot, setMeasurement } from "../attestation/records.js";
import { makeEvent } from "../events.js";
import { paramChangesOf } from "./content.js";
import { Overlay } from "./overlay.js";
import { applyParamChanges } from "./param-changes.js";
import { enqueue, saveProposal, saveUpgradePlan, setStatus } from "./records.js";

/** Runs the content of a proposal that just passed at `height`; returns why it failed, if it did. */
export async function executeContent(
  store: KvStore,
  p: GovProposal,
  height: number,
  events: Event[],
): Promise<string | undefined> {
  const content = p.content;
  const layer = new Overlay(store);
  try {
    switch (content?.sum) {
      case "paramChange": {
        const effective = content.paramChange?.effectiveHeight ?? 0;
        if (effective - 1 < height) return `effective height ${effective} has already been reached`;
        await enqueue(layer, "apply_params", effective - 1, p.id);
        break;
      }
      case "addTrustedRoot": {
        const r = content.addTrustedRoot;
        const id = await addTrustedRoot(
          layer,
          {
            evidenceClass: r?.evidenceClass ?? "",
            label: r?.label ?? "",
            certificateDer: r?.certificateDer ?? new Uint8Array(0),
          },
          height,
        );
        events.push(
          makeEvent("add_trusted_root", [
            ["root_id", `0x${Buffer.from(id).toString("hex")}`],
            ["evidence_class", r?.evidenceClass ?? ""],
            ["proposal_id", String(p.id)],
          ]),
        );
        break;
      }
      case "removeTrustedRoot": {
        const id = content.removeTrustedRoot?.rootId ?? new Uint8Array(0);
        await removeTrustedRoot(layer, id);
        events.push(
          makeEvent("remove_trusted_root", [
            ["root_id", `0x${Buffer.from(id).toString("hex")}`],
            ["proposal_id", String(p.id)],
          ]),
        );
        break;
      }
      case "setMeasurement": {
        const m = content.setMeasurement;
        const allowed = m?.allowed ?? false;
        const value = m?.value ?? new Uint8Array(0);
        await setMeasurement(
          layer,
          { evidenceClass: m?.evidenceClass ?? "", index: m?.index ?? 0, value },
          allowed,
          height,
        );
        events.push(
          makeEvent(allowed ? "allow_measurement" : "disallow_measurement", [
            ["evidence_class", m?.evidenceClass ?? ""],
            ["index", String(m?.index ?? 0)],
            ["value", `0x${Buffer.from(value).toString("hex")}`],
            ["proposal_id", String(p.id)],
          ]),
        );
        break;
      }
      case "softwareUpgrade": {
        const u = content.softwareUpgrade;
        const at = u?.height ?? 0;
        if (at <= height) return `upgrade height ${at} has already been reached`;
        // One plan at a time: a later upgrade proposal replaces an earlier plan.
        saveUpgradePlan(
          layer,
          UpgradePlan.create({ name: u?.name ?? "", height: at, info: u?.info ?? "", proposalId: p.id }),
        );
        events.push(
          makeEvent("schedule_upgrade", [
            ["name", u?.name ?? ""],
            ["height", String(at)],
            ["proposal_id", String(p.id)],
          ]),
        );
        break;
      }
      case "cancelSoftwareUpgrade":
        saveUpgradePlan(layer, undefined);
        events.push(makeEvent("cancel_upgrade", [["proposal_id", String(p.id)]]));
        break;
      default:
        break;
    }
  } catch (err) {
    if (err instanceof ExecutionError) return err.message;
    throw err;
  }
  layer.commit();
  return undefined;
}

/** At the end of effective_height - 1: stores a passed proposal's param changes, or fails it. */
export async function applyScheduledParams(store: KvStore, p: GovProposal, events: Event[]): Promise<void> {
  if (p.status !== ProposalStatus.PROPOSAL_STATUS_PASSED || !p.content) return;
  try {
    await applyParamChanges(store, paramChangesOf(p.content));
  } catch (err) {
    if (!(err instanceof ExecutionError)) throw err;
    await setStatus(store, p, ProposalStatus.PROPOSAL_STATUS_FAILED);
    p.failureReason = err.message;
    saveProposal(store, p);
    events.push(
      makeEvent("proposal_failed", [
        ["proposal_id", String(p.id)],
        ["reason", err.message],
      ]),
    );
    return;
  }
  events.push(
    makeEvent("change_params", [
      ["proposal_id", String(p.id)],
      ["effective_height", String(p.content.paramChange?.effectiveHeight ?? 0)],
    ]),
  );
}
