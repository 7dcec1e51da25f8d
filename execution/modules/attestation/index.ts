// Attestation: the certificate authorities trusted to root GPU attestation evidence and the
// measurement values allowed in reports, per evidence class ("nvidia-cc", "dev"), and the
// attestations of compute workers checked against them. Genesis sets the registry
// (app_state.attestation, with allow_dev) and params.attestation; governance changes them.
//   records.ts              registry state layout, add/remove (used by genesis and governance)
//   certificate.ts          the X.509 CA check
//   queries.ts              trusted_roots, allowed_measurements/<class>, attestation_anchor
//   params.ts               params.attestation, allow_dev
//   worker-attestations.ts  accepted attestations, GPUs in use, reports seen, recent block hashes
//   evidence.ts             the verifier run against state, its failures as result codes
//   msg-attest.ts           MsgAttestWorker
import { fromHex } from "../../../crypto/hash.js";
import { ExecutionError } from "../../errors.js";
import type { BlockBeginContext, Module, MsgHandler } from "../types.js";
import { derFromPem } from "./certificate.js";
import { msgAttestWorkerHandler } from "./msg-attest.js";
import {
  ATTESTATION_PARAM_SPACE,
  loadAttestationParams,
  storeAllowDev,
  storeAttestationParams,
} from "./params.js";
import { queryAllowedMeasurements, queryAttestationAnchor, queryTrustedRoots } from "./queries.js";
import { ATTESTATION_PREFIX, addTrustedRoot, setMeasurement } from "./records.js";
import { deleteBlockHash, saveBlockHash, saveNewestAnchorHeight } from "./worker-attestations.js";

export { ATTESTATION_PREFIX } from "./records.js";
export { loadWorkerAttestation } from "./worker-attestations.js";

export const ATTESTATION_MSG_HANDLERS: { attestationAttestWorker: MsgHandler<"attestationAttestWorker"> } = {
  attestationAttestWorker: msgAttestWorkerHandler,
};

/**
 * Keeps the hash of the previous block under its height, and forgets the one that left the anchor
 * window: a nonce must be anchored to a block among the last attestation.anchor_window_blocks.
 */
async function recordBlockHash(ctx: BlockBeginContext): Promise<void> {
  const previous = ctx.height - 1;
  // The first block of a chain has no previous block (its lastBlockHash is all zeros).
  if (previous < 1 || ctx.lastBlockHash.every((b) => b === 0)) return;
  saveBlockHash(ctx.store, previous, ctx.lastBlockHash);
  saveNewestAnchorHeight(ctx.store, previous);
  const { anchorWindowBlocks } = await loadAttestationParams(ctx.store);
  const leaving = previous - anchorWindowBlocks;
  if (leaving >= 1) deleteBlockHash(ctx.store, leaving);
}

function genesisError(field: string, err: unknown): ExecutionError {
  return new ExecutionError("GENESIS_INVALID", `${field}: ${(err as Error).message}`);
}

export const attestationModule: Module = {
  name: "attestation",
  prefix: ATTESTATION_PREFIX,
  async initGenesis(ctx, genesis) {
    const params = genesis.params.attestation;
    if (params === undefined || params === null || typeof params !== "object")
      throw new ExecutionError("GENESIS_INVALID", "params.attestation is missing");
    storeAttestationParams(
      ctx.store,
      {
        anchorWindowBlocks: params.anchor_window_blocks,
        validityBlocks: params.validity_blocks,
        anyValueIndices: params.any_value_indices,
      },
      "GENESIS_INVALID",
    );
    const attestation = genesis.attestation ?? { trusted_roots: [], allowed_measurements: [] };
    storeAllowDev(ctx.store, attestation.allow_dev === true);
    for (const [i, r] of attestation.trusted_roots.entries()) {
      const field = `attestation.trusted_roots[${i}]`;
      try {
        const certificateDer = derFromPem(r.certificate_pem);
        await addTrustedRoot(
          ctx.store,
          { evidenceClass: r.evidence_class, label: r.label, certificateDer },
          0,
        );
      } catch (err) {
        throw genesisError(field, err);
      }
    }
    for (const [i, m] of attestation.allowed_measurements.entries()) {
      const field = `attestation.allowed_measurements[${i}]`;
      let added: boolean;
      try {
        if (!/^0x([0-9a-f]{2})+$/.test(m.value))
          throw new Error("value must be 0x followed by lowercase hex");
        added = await setMeasurement(
          ctx.store,
          { evidenceClass: m.evidence_class, index: m.index, value: fromHex(m.value.slice(2)) },
          true,
          0,
        );
      } catch (err) {
        throw genesisError(field, err);
      }
      if (!added) throw new ExecutionError("GENESIS_INVALID", `${field} is listed twice`);
    }
  },
  beginBlock: recordBlockHash,
  queries: {
    trusted_roots: queryTrustedRoots,
    allowed_measurements: queryAllowedMeasurements,
    attestation_anchor: queryAttestationAnchor,
  },
  paramSpaces: [ATTESTATION_PARAM_SPACE],
};
