// What a proposal may ask for, checked when it is submitted: statelessly in the message's
// validate (shapes, certificate, measurement, names) and against the state in execute (sections and
// keys exist and the changed sections pass their checks, the root exists or not, heights come
// after the latest height at which voting could end).
import type { kyochi } from "../../../proto/index.js";
import { ExecutionError } from "../../errors.js";
import type { KvStore } from "../../store.js";
import { checkMeasurement, checkRoot, loadTrustedRoot, ROOT_ID_BYTES } from "../attestation/records.js";
import { Overlay } from "./overlay.js";
import { applyParamChanges, checkChangeList } from "./param-changes.js";

type Content = kyochi.gov.v1.ProposalContent.$Properties;
export type ContentType = NonNullable<Content["sum"]>;

/** Upgrade names: what the release that implements them registers in execution/upgrades.ts. */
const UPGRADE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
export const MAX_UPGRADE_INFO_BYTES = 2048;

function invalid(message: string): ExecutionError {
  return new ExecutionError("GOV_INVALID_PROPOSAL", message);
}

export function paramChangesOf(content: Content): { module: string; key: string; value: string }[] {
  return (content.paramChange?.changes ?? []).map((c) => ({
    module: c.module ?? "",
    key: c.key ?? "",
    value: c.value ?? "",
  }));
}

/** Stateless checks; returns the content's type. */
export function checkContentShape(content: Content | null | undefined): ContentType {
  const type = content?.sum;
  if (!content || !type) throw invalid("the proposal has no content");
  switch (type) {
    case "text":
    case "cancelSoftwareUpgrade":
      return type;
    case "paramChange":
      checkChangeList(content.paramChange?.changes ?? []);
      return type;
    case "addTrustedRoot": {
      const r = content.addTrustedRoot;
      checkRoot({
        evidenceClass: r?.evidenceClass ?? "",
        label: r?.label ?? "",
        certificateDer: r?.certificateDer ?? new Uint8Array(0),
      });
      return type;
    }
    case "removeTrustedRoot":
      if ((content.removeTrustedRoot?.rootId ?? new Uint8Array(0)).length !== ROOT_ID_BYTES)
        throw invalid(`root_id must be ${ROOT_ID_BYTES} bytes (sha256 of the certificate)`);
      return type;
    case "setMeasurement": {
      const m = content.setMeasurement;
      checkMeasurement({
        evidenceClass: m?.evidenceClass ?? "",
        index: m?.index ?? 0,
        value: m?.value ?? new Uint8Array(0),
      });
      return type;
    }
    case "softwareUpgrade": {
      const u = content.softwareUpgrade;
      if (!UPGRADE_NAME.test(u?.name ?? ""))
        throw invalid(
          "the upgrade name must be 1-64 letters, digits, '.', '_' or '-' (starting with a letter or digit)",
        );
      if (Buffer.byteLength(u?.info ?? "", "utf8") > MAX_UPGRADE_INFO_BYTES)
        throw invalid(`the upgrade info is longer than ${MAX_UPGRADE_INFO_BYTES} bytes`);
      return type;
    }
  }
}

function tooEarly(what: string, height: number, latestVotingEnd: number): ExecutionError {
  return new ExecutionError(
    "GOV_HEIGHT_TOO_EARLY",
    `${what} ${height} must be after ${latestVotingEnd}, the latest height at which voting could end`,
  );
}

/** Checks against the state at submission; writes nothing. */
export async function checkContentState(
  store: KvStore,
  content: Content,
  latestVotingEnd: number,
): Promise<void> {
  switch (checkContentShape(content)) {
    case "paramChange": {
      const effective = content.paramChange?.effectiveHeight ?? 0;
      if (effective <= latestVotingEnd) throw tooEarly("effective_height", effective, latestVotingEnd);
      // Applied to a scratch layer that is then dropped: only the verdict matters.
      await applyParamChanges(new Overlay(store), paramChangesOf(content));
      return;
    }
    case "addTrustedRoot": {
      const r = content.addTrustedRoot;
      const id = checkRoot({
        evidenceClass: r?.evidenceClass ?? "",
        label: r?.label ?? "",
        certificateDer: r?.certificateDer ?? new Uint8Array(0),
      });
      if (await loadTrustedRoot(store, id))
        throw new ExecutionError("ATTESTATION_ROOT_EXISTS", "this certificate is already a trusted root");
      return;
    }
    case "removeTrustedRoot": {
      const id = content.removeTrustedRoot?.rootId ?? new Uint8Array(0);
      if (!(await loadTrustedRoot(store, id)))
        throw new ExecutionError(
          "ATTESTATION_ROOT_NOT_FOUND",
          `no trusted root has id 0x${Buffer.from(id).toString("hex")}`,
        );
      return;
    }
    case "softwareUpgrade": {
      const height = content.softwareUpgrade?.height ?? 0;
      if (height <= latestVotingEnd) throw tooEarly("the upgrade height", height, latestVotingEnd);
      return;
    }
    default:
      return;
  }
}
