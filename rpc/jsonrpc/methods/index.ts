// The method table: every JSON-RPC method by name (see rpc/types.ts for params and results).
import { accountGet } from "./account.js";
import { chainGetBlock, chainGetBlockResults, chainGetCommit, chainStatus } from "./chain.js";
import { chainGetBlocks } from "./chain-blocks.js";
import { computeGetJob, computeGetWorker, computeListJobs, computeListWorkers } from "./compute.js";
import type { MethodTable } from "./context.js";
import { dataGetDataset, dataGetLicense, dataListDatasets, dataListLicenses } from "./data.js";
import {
  attestationGetAllowedMeasurements,
  attestationGetTrustedRoots,
  chainGetParams,
  govGetProposal,
  govGetUpgradePlan,
  govGetVotes,
  govListProposals,
} from "./gov.js";
import { modelGet, modelGetLineage, modelList } from "./models.js";
import { netInfo } from "./net.js";
import { stakingGetValidator, stakingGetValidatorSet, stakingListValidators } from "./staking.js";
import { stateGetProof } from "./state.js";
import { txBroadcast, txGet } from "./tx.js";
import { txSearch } from "./tx-search.js";
import { txSimulate } from "./tx-simulate.js";
import { chainGetValidators } from "./validators.js";

export type { MethodContext, MethodHandler, MethodTable } from "./context.js";

export const METHODS: MethodTable = {
  chain_status: chainStatus,
  chain_getBlock: chainGetBlock,
  chain_getBlocks: chainGetBlocks,
  chain_getBlockResults: chainGetBlockResults,
  chain_getValidators: chainGetValidators,
  chain_getCommit: chainGetCommit,
  tx_broadcast: txBroadcast,
  tx_get: txGet,
  tx_simulate: txSimulate,
  tx_search: txSearch,
  account_get: accountGet,
  state_getProof: stateGetProof,
  net_info: netInfo,
  chain_getParams: chainGetParams,
  data_getDataset: dataGetDataset,
  data_listDatasets: dataListDatasets,
  data_getLicense: dataGetLicense,
  data_listLicenses: dataListLicenses,
  model_get: modelGet,
  model_list: modelList,
  model_getLineage: modelGetLineage,
  gov_getProposal: govGetProposal,
  gov_listProposals: govListProposals,
  gov_getVotes: govGetVotes,
  gov_getUpgradePlan: govGetUpgradePlan,
  attestation_getTrustedRoots: attestationGetTrustedRoots,
  attestation_getAllowedMeasurements: attestationGetAllowedMeasurements,
  compute_getJob: computeGetJob,
  compute_listJobs: computeListJobs,
  compute_getWorker: computeGetWorker,
  compute_listWorkers: computeListWorkers,
  staking_getValidator: stakingGetValidator,
  staking_listValidators: stakingListValidators,
  staking_getValidatorSet: stakingGetValidatorSet,
};
