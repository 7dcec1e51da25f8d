// One line of documentation per JSON-RPC method: what docs/API.md is generated from (with the
// protos). Keyed by the method table's own type, so a method added without its docs does not
// compile. Params in brackets are optional; `height` is always "at this committed height".
import type { RpcMethodName } from "../types.js";

export interface MethodDoc {
  summary: string;
  params: string;
  result: string;
}

const PAGE = "[cursor], [limit <= 100], [height]";

export const METHOD_DOCS: { readonly [M in RpcMethodName]: MethodDoc } = {
  chain_status: {
    summary: "Chain id, latest height, hash, app hash and time, sync state, this node's validator.",
    params: "none",
    result: "chainId, latestBlockHeight, latestBlockHash, latestAppHash, latestBlockTimeMs, catchingUp, ...",
  },
  chain_getBlock: {
    summary:
      'A block with its decoded txs (or, with txs "hashes", only their hashes) and the commit of the block before it.',
    params: "[height] (default latest), [txs full|hashes (default full)]",
    result: "blockHash, header, txs, lastCommit",
  },
  chain_getBlocks: {
    summary:
      "Block summaries over a height range (clamped to the stored blocks), a page at a time: an explorer's block list.",
    params: "[minHeight], [maxHeight], [order asc|desc (default desc)], [limit <= 100, default 20], [cursor]",
    result:
      "blocks (height, hash, time, timeMs, proposerAddress, txCount, appHash, lastBlockHash), nextCursor",
  },
  chain_getBlockResults: {
    summary: "What executing a block produced: each tx's result and events, block events.",
    params: "height",
    result: "height, appHash, txResults, events, validatorUpdates",
  },
  chain_getValidators: {
    summary: "The validator set that signs a height, with voting powers and proposer priorities.",
    params: "[height], [cursor], [limit]",
    result: "height, total, validators, nextCursor",
  },
  chain_getCommit: {
    summary: "The +2/3 precommits that decided a block.",
    params: "[height]",
    result: "height, round, blockHash, signatures",
  },
  net_info: {
    summary: "This node's peer id and listen addresses, and its peers with their height and score.",
    params: "none",
    result: "peerId, listenAddresses, peers",
  },
  tx_broadcast: {
    summary: "Submits a signed tx: after checkTx (sync) or after the block that includes it (commit).",
    params: "tx (0x hex), [mode sync|commit], [timeoutMs]",
    result: "sync: hash, code, log; commit: hash, height, index, checkTx, result",
  },
  tx_get: {
    summary: "A committed tx by hash, with its height, index, result and events.",
    params: "hash",
    result: "hash, height, index, tx, result",
  },
  tx_simulate: {
    summary:
      "Runs a signed tx on the latest state as the next block would (min_gas_price waived); commits nothing.",
    params: "tx (0x hex)",
    result: "gasWanted, gasUsed, code, codename, log, events",
  },
  tx_search: {
    summary: "Committed txs by sender, recipient and/or event attribute, in (height, index) order.",
    params:
      "[sender], [recipient], [event {type, key, value}] (one at least), [fromHeight], [toHeight], [cursor], [limit <= 100], [order asc|desc]",
    result: "txs, nextCursor",
  },
  account_get: {
    summary: "An account's balance and nonce.",
    params: "address (kyo1...), [height]",
    result: "address, height, balance, nonce, exists",
  },
  state_getProof: {
    summary:
      "A state value with an inclusion or exclusion proof against the app hash (state/tree/PROOFS.md).",
    params: "key (0x hex) or address, [height]",
    result: "height, key, value, proof, appHash",
  },
  chain_getParams: {
    summary: "Every module's parameters, as genesis spells them.",
    params: "[height]",
    result: "height, bank, staking, slashing, tx, block, models, gov, compute, attestation (ParamsJson)",
  },
  data_getDataset: {
    summary: "A dataset with its license offers.",
    params: "id, [height]",
    result: "height and the dataset with its offers (DatasetWithOffersJson)",
  },
  data_listDatasets: {
    summary: "Datasets by id.",
    params: `[owner], ${PAGE}`,
    result: "height, datasets (DatasetJson[]), nextCursor",
  },
  data_getLicense: {
    summary: "A license with the terms it was bought under.",
    params: "id, [height]",
    result: "height and the license (LicenseJson)",
  },
  data_listLicenses: {
    summary: "Licenses held by an address or sold for a dataset.",
    params: `licensee or datasetId, ${PAGE}`,
    result: "height, licenses (LicenseJson[]), nextCursor",
  },
  model_get: {
    summary: "A model version by id, or by name and version.",
    params: "id, or name and version; [height]",
    result: "height and the model version (ModelJson)",
  },
  model_list: {
    summary: "Model versions by id.",
    params: `[owner], ${PAGE}`,
    result: "height, models (ModelJson[]), nextCursor",
  },
  model_getLineage: {
    summary: "A model and its ancestors, with the royalty shares along the way.",
    params: "id, [height]",
    result: "height, modelId, lineage (LineageEntryJson[]: the model, then its ancestors)",
  },
  gov_getProposal: {
    summary: "A proposal with its deposit, status and tally.",
    params: "id, [height]",
    result: "height and the proposal (GovProposalJson; `tally` while voting)",
  },
  gov_listProposals: {
    summary: "Proposals by id.",
    params: `[status], ${PAGE}`,
    result: "height, proposals (GovProposalJson[]), nextCursor",
  },
  gov_getVotes: {
    summary: "The votes cast on a proposal.",
    params: `proposalId, ${PAGE}`,
    result: "height, votes (GovVoteJson[]), nextCursor",
  },
  gov_getUpgradePlan: {
    summary: "The software upgrade governance scheduled, if any.",
    params: "[height]",
    result: "height, plan (UpgradePlanJson; null when none)",
  },
  attestation_getTrustedRoots: {
    summary:
      "The certificate authorities attestation evidence may chain to. evidenceClass filters within each page, so a filtered page may hold fewer than limit roots, or none, while nextCursor goes on: follow it to null.",
    params: `[evidenceClass nvidia-cc|dev], ${PAGE}`,
    result: "height, trustedRoots (TrustedRootJson[]), nextCursor",
  },
  attestation_getAllowedMeasurements: {
    summary: "The allowed (golden) measurement values of an evidence class.",
    params: `evidenceClass (nvidia-cc|dev), ${PAGE}`,
    result: "height, allowedMeasurements (MeasurementJson[]), nextCursor",
  },
  compute_getJob: {
    summary: "An inference job: state, assignments, agreed result and output, payments.",
    params: "id, [height]",
    result: "height and the job (JobJson)",
  },
  compute_listJobs: {
    summary: "Jobs by id.",
    params: `[state pending|commit|reveal|settled|failed|cancelled], [owner], [worker], ${PAGE}`,
    result: "height, jobs (JobJson[]), nextCursor",
  },
  compute_getWorker: {
    summary: "A worker: stake, capabilities, price, reputation, attestation (class, trusted, expiry).",
    params: "address, [height]",
    result: "height and the worker (WorkerJson)",
  },
  compute_listWorkers: {
    summary: "Workers by registration.",
    params: `[operator], [status active|jailed|unbonding], [attested true|false], ${PAGE}`,
    result: "height, workers (WorkerJson[]), nextCursor",
  },
  staking_getValidator: {
    summary: "A validator as staking keeps it: stake, status, power, jail and unbonding entries.",
    params: "address (operator kyo1... or consensus 0x + 40 hex), [height]",
    result: "the validator (operator, consensusAddress, status, stake, power, unbonding, ...)",
  },
  staking_listValidators: {
    summary: "Every validator ever created, by operator address, a page at a time.",
    params: "[status bonded|unbonded|jailed|tombstoned], [cursor (an operator)], [limit <= 100], [height]",
    result: "height, validators, total, nextCursor",
  },
  staking_getValidatorSet: {
    summary: "The active set staking decided at a height (consensus applies it two blocks later).",
    params: "[height]",
    result: "height, validators (operator, consensusPubkey, consensusKeyType, stake, power, moniker)",
  },
};

/** Methods served only over WebSocket (rpc/jsonrpc/ws-connection.ts), outside the method table. */
export const WEBSOCKET_METHOD_DOCS: Readonly<Record<"subscribe" | "unsubscribe", MethodDoc>> = {
  subscribe: {
    summary:
      "Each committed block, tx or event, in commit order, as `subscription` notifications; a client that stops reading is cut off.",
    params: "kind blocks|txs|events, [filter {module, eventType, attribute {key, value} or a list}]",
    result: "the subscription id",
  },
  unsubscribe: { summary: "Ends a subscription.", params: "id", result: "true" },
};
