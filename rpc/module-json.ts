// The JSON of the module query methods (data_*, model_*, gov_*, attestation_*, compute_*,
// chain_getParams), as rpc/jsonrpc/methods/module-query.ts serves it: the module's own view with
// its snake_case keys camelCased at every depth, plus the `height` that answered.
//
// Wherever execution has a typed view, the JSON type is derived from it with Camelize, so the two
// cannot drift apart; governance's views are untyped JSON values, so theirs are written out here.
// rpc/client/module-results.test.ts checks every key against a populated chain's answers.

import type { GenesisParams } from "../execution/genesis-types.js";
import type { MeasurementView, TrustedRootView } from "../execution/modules/attestation/queries.js";
import type { AssignmentView, JobView } from "../execution/modules/compute/job-views.js";
import type { WorkerAttestationView, WorkerView } from "../execution/modules/compute/worker-queries.js";
import type {
  DatasetView,
  DatasetWithOffersView,
  LicenseOfferView,
  LicenseView,
} from "../execution/modules/data/views.js";
import type { CitedLicenseView, LineageEntryView, ModelView } from "../execution/modules/models/views.js";

/** "min_gas_price" -> "minGasPrice": what module-query.ts camelize() does to one key. */
export type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

/** T with every object key camelCased, through arrays and nested objects (values untouched). */
export type Camelize<T> = T extends readonly (infer E)[]
  ? Camelize<E>[]
  : T extends object
    ? { [K in keyof T as K extends string ? CamelCase<K> : K]: Camelize<T[K]> }
    : T;

/** A module query's answer: the view's fields (camelCased) and the height whose state answered. */
export type ModuleAnswer<V extends object> = Camelize<{ height: number } & V>;

/** A page of a list query: the items under `key`, and the cursor of the next page (null at the end). */
export type ModulePage<Key extends string, Item extends object> = ModuleAnswer<
  { [K in Key]: Item[] } & { next_cursor: number | null }
>;

// ---- data ----

export type LicenseOfferJson = Camelize<LicenseOfferView>;
export type DatasetJson = Camelize<DatasetView>;
export type DatasetWithOffersJson = Camelize<DatasetWithOffersView>;
export type LicenseJson = Camelize<LicenseView>;

// ---- models ----

export type ModelJson = Camelize<ModelView>;
export type CitedLicenseJson = Camelize<CitedLicenseView>;
export type LineageEntryJson = Camelize<LineageEntryView>;
/** model_getLineage: the model first, then its ancestors. */
export type ModelLineageJson = ModuleAnswer<{ model_id: number; lineage: LineageEntryView[] }>;

// ---- compute ----

export type AssignmentJson = Camelize<AssignmentView>;
export type JobJson = Camelize<JobView>;
export type WorkerAttestationJson = Camelize<WorkerAttestationView>;
export type WorkerJson = Camelize<WorkerView>;

// ---- attestation ----

export type TrustedRootJson = Camelize<TrustedRootView>;
export type MeasurementJson = Camelize<MeasurementView>;

// ---- governance (execution/modules/gov/views.ts, written out: its views are plain JSON values;
// type aliases, not interfaces, so that they fit a { [key: string]: unknown } as the derived ones do) ----

/** Stake per option, base units (decimal strings). */
export type GovTallyJson = {
  yes: string;
  no: string;
  abstain: string;
  noWithVeto: string;
  /** Bonded stake when tallied: the quorum's base. */
  totalBonded: string;
};

/** What a proposal does when it passes, by `type`. */
export type GovContentJson =
  | { type: "text" }
  | {
      type: "param_change";
      /** `value` is the new value as JSON text. */
      changes: { module: string; key: string; value: string }[];
      effectiveHeight: number;
    }
  | {
      type: "add_trusted_root";
      evidenceClass: string;
      label: string;
      /** sha256 of the certificate, 0x-hex. */
      rootId: string;
      certificateDer: string;
    }
  | { type: "remove_trusted_root"; rootId: string }
  | { type: "set_measurement"; evidenceClass: string; index: number; value: string; allowed: boolean }
  | { type: "software_upgrade"; name: string; height: number; info: string }
  | { type: "cancel_software_upgrade" };

export type GovProposalStatus =
  | "deposit_period"
  | "voting_period"
  | "passed"
  | "rejected"
  | "vetoed"
  | "failed"
  | "expired"
  | "unspecified";

export type GovProposalJson = {
  id: number;
  proposer: string;
  title: string;
  summary: string;
  /** Null for content this node cannot name. */
  content: GovContentJson | null;
  status: GovProposalStatus;
  submitHeight: number;
  depositEndHeight: number;
  votingStartHeight: number;
  votingEndHeight: number;
  totalDeposit: string;
  /** The tally that decided it; null until the voting period ended. */
  finalTally: GovTallyJson | null;
  failureReason: string;
};

export type GovVoteJson = {
  proposalId: number;
  voter: string;
  option: "yes" | "no" | "abstain" | "no_with_veto" | "unspecified";
};

export type UpgradePlanJson = {
  name: string;
  /** The height the new software must run from (the old one halts before it). */
  height: number;
  info: string;
  proposalId: number;
};

/** gov_getProposal: the proposal; while it is in its voting period, `tally` is the live tally. */
export type GovProposalAnswerJson = { height: number } & GovProposalJson & { tally?: GovTallyJson };

// ---- params ----

/**
 * chain_getParams: every module's section, keys as genesis names them (camelCased). The params
 * query spells attestation's index list as comma-separated text ("" or "3,7"), not as a list.
 */
export type ParamsJson = Camelize<
  Omit<GenesisParams, "attestation"> & {
    attestation: Omit<GenesisParams["attestation"], "any_value_indices"> & { any_value_indices: string };
  }
>;

/** Results of the module methods, by method name (rpc/types.ts RpcMethods uses these). */
export interface ModuleResults {
  chain_getParams: { height: number } & ParamsJson;
  data_getDataset: ModuleAnswer<DatasetWithOffersView>;
  data_listDatasets: ModulePage<"datasets", DatasetView>;
  data_getLicense: ModuleAnswer<LicenseView>;
  data_listLicenses: ModulePage<"licenses", LicenseView>;
  model_get: ModuleAnswer<ModelView>;
  model_list: ModulePage<"models", ModelView>;
  model_getLineage: ModelLineageJson;
  gov_getProposal: GovProposalAnswerJson;
  gov_listProposals: { height: number; proposals: GovProposalJson[]; nextCursor: number | null };
  gov_getVotes: { height: number; votes: GovVoteJson[]; nextCursor: number | null };
  /** `plan` is null when no upgrade is scheduled. */
  gov_getUpgradePlan: { height: number; plan: UpgradePlanJson | null };
  attestation_getTrustedRoots: ModulePage<"trusted_roots", TrustedRootView>;
  attestation_getAllowedMeasurements: ModulePage<"allowed_measurements", MeasurementView>;
  compute_getJob: ModuleAnswer<JobView>;
  compute_listJobs: ModulePage<"jobs", JobView>;
  compute_getWorker: ModuleAnswer<WorkerView>;
  compute_listWorkers: ModulePage<"workers", WorkerView>;
}
