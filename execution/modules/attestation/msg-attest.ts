// MsgAttestWorker: a registered worker proves its GPU. Signed by the worker key (the sender is the
// worker's address), so only the daemon holding that key can attest for it.
//
// Checks, in order: the worker exists and is not leaving; the class is known and (for dev) allowed
// by genesis; the anchor block is among the last attestation.anchor_window_blocks blocks; then the
// evidence against state (roots and measurements of the class, block time, the nonce recomputed
// from chain id, anchor, operator, worker and GPU index); then the report was never accepted
// before, and its GPU backs no other worker with a current attestation.
import { encodeAddress } from "../../../crypto/address.js";
import { attestationNonce } from "../../../crypto/attestation/index.js";
import { sha256, toHex } from "../../../crypto/hash.js";
import { bytesEqual } from "../../../proto/canonical.js";
import { WorkerAttestation, WorkerStatus } from "../../../proto/index.js";
import { ExecutionError } from "../../errors.js";
import { chargeGas } from "../../store.js";
import { CHAIN_ID_KEY, loadChainId } from "../chain/index.js";
import { requireWorker } from "../compute/worker-records.js";
import { makeEvent } from "../events.js";
import type { MsgHandler } from "../types.js";
import { verifyEvidenceInState } from "./evidence.js";
import { ALLOW_DEV_KEY, ATTESTATION_PARAMS_KEY, loadAllowDev, loadAttestationParams } from "./params.js";
import { checkEvidenceClass } from "./records.js";
import {
  attestationCurrent,
  deviceHolder,
  loadBlockHash,
  loadWorkerAttestation,
  markReportSeen,
  releaseDevice,
  reportSeenAt,
  saveWorkerAttestation,
} from "./worker-attestations.js";

/** Bounds of the evidence a tx may carry (NVIDIA's reports are ~5 KiB, chains ~5 KiB of PEM). */
export const MAX_REPORT_BYTES = 16 * 1024;
export const MAX_CHAIN_CHARS = 32 * 1024;
const ARCH = /^[A-Z0-9_]{0,32}$/;

/**
 * Gas for verifying evidence, on top of its reads and writes: one ECDSA P-384 verification per
 * certificate of the 5-level chain and one for the report, plus parsing. Part of consensus.
 */
export const ATTESTATION_VERIFY_GAS = { perCertificate: 30_000, report: 40_000, certificates: 5 } as const;
export const attestationVerifyGas = (): number =>
  ATTESTATION_VERIFY_GAS.perCertificate * ATTESTATION_VERIFY_GAS.certificates + ATTESTATION_VERIFY_GAS.report;

function malformed(message: string): ExecutionError {
  return new ExecutionError("ATTESTATION_EVIDENCE_MALFORMED", message);
}

export const msgAttestWorkerHandler: MsgHandler<"attestationAttestWorker"> = {
  validate(msg) {
    checkEvidenceClass(msg.evidenceClass ?? "");
    const report = msg.report ?? new Uint8Array(0);
    if (report.length === 0 || report.length > MAX_REPORT_BYTES)
      throw malformed(`the report is ${report.length} bytes, not 1..${MAX_REPORT_BYTES}`);
    const chain = msg.certificateChain ?? "";
    if (chain.length === 0 || chain.length > MAX_CHAIN_CHARS)
      throw malformed(`the certificate chain is ${chain.length} characters, not 1..${MAX_CHAIN_CHARS}`);
    if (!ARCH.test(msg.arch ?? "")) throw malformed("arch must be 0..32 characters of A-Z, 0-9 and _");
    if (!Number.isSafeInteger(msg.anchorHeight ?? 0) || (msg.anchorHeight ?? 0) < 1)
      throw new ExecutionError("ATTESTATION_STALE_ANCHOR", "anchor_height must be a block height (>= 1)");
  },
  touchedKeys() {
    return [ATTESTATION_PARAMS_KEY, ALLOW_DEV_KEY, CHAIN_ID_KEY];
  },
  async execute(ctx, msg) {
    const worker = await requireWorker(ctx.store, ctx.sender);
    if (worker.status === WorkerStatus.WORKER_STATUS_UNBONDING)
      throw new ExecutionError("COMPUTE_WORKER_UNBONDING", `worker ${ctx.senderBech32} is unbonding`);
    const evidenceClass = checkEvidenceClass(msg.evidenceClass ?? "");
    if (evidenceClass === "dev" && !(await loadAllowDev(ctx.store)))
      throw new ExecutionError(
        "ATTESTATION_DEV_NOT_ALLOWED",
        "this chain's genesis does not accept dev evidence",
      );

    const params = await loadAttestationParams(ctx.store);
    const anchorHeight = msg.anchorHeight ?? 0;
    const gpuIndex = msg.gpuIndex ?? 0;
    const arch = msg.arch ?? "";
    const oldest = ctx.height - params.anchorWindowBlocks;
    if (anchorHeight >= ctx.height || anchorHeight < oldest)
      throw new ExecutionError(
        "ATTESTATION_STALE_ANCHOR",
        `anchor height ${anchorHeight} is not in ${Math.max(1, oldest)}..${ctx.height - 1}`,
      );
    const anchorBlockHash = await loadBlockHash(ctx.store, anchorHeight);
    if (!anchorBlockHash)
      throw new ExecutionError(
        "ATTESTATION_STALE_ANCHOR",
        `no block hash is kept for height ${anchorHeight}`,
      );
    const chainId = await loadChainId(ctx.store);
    if (chainId === undefined)
      throw new ExecutionError("NOT_INITIALIZED", "the chain id is missing from state");
    const expectedNonce = attestationNonce({
      chainId,
      anchorHeight,
      anchorBlockHash,
      operator: worker.operator,
      workerKey: worker.address,
      gpuIndex,
    });

    chargeGas(ctx.store, attestationVerifyGas(), "attestation evidence verification");
    const verdict = await verifyEvidenceInState(
      ctx.store,
      {
        evidenceClass,
        report: msg.report ?? new Uint8Array(0),
        certificateChain: msg.certificateChain ?? "",
        arch,
        expectedNonce,
        timeMs: ctx.timeMs,
      },
      params,
    );
    // The verifier fills these on success; their absence would be a bug, not bad evidence.
    if (!verdict.reportDigest || !verdict.deviceIdentityKey)
      throw new ExecutionError("INTERNAL", "an accepted verdict lacks its report digest or device key");

    const seenAt = await reportSeenAt(ctx.store, verdict.reportDigest);
    if (seenAt !== undefined)
      throw new ExecutionError(
        "ATTESTATION_REPORT_REPLAYED",
        `report 0x${toHex(verdict.reportDigest)} was accepted at height ${seenAt}`,
      );

    const deviceId = sha256(verdict.deviceIdentityKey);
    const holder = await deviceHolder(ctx.store, deviceId);
    if (holder && !bytesEqual(holder, worker.address)) {
      const other = await loadWorkerAttestation(ctx.store, holder);
      // A GPU is released when its worker's attestation expires, moves to another GPU or leaves.
      if (other && bytesEqual(other.deviceId, deviceId) && attestationCurrent(other, ctx.height))
        throw new ExecutionError(
          "ATTESTATION_DEVICE_IN_USE",
          `GPU 0x${toHex(deviceId)} backs worker ${encodeAddress(holder)} until height ${other.expiresHeight}`,
        );
    }
    const previous = await loadWorkerAttestation(ctx.store, worker.address);
    if (previous && !bytesEqual(previous.deviceId, deviceId)) {
      const prevHolder = await deviceHolder(ctx.store, previous.deviceId);
      if (prevHolder && bytesEqual(prevHolder, worker.address)) releaseDevice(ctx.store, previous.deviceId);
    }

    const attestation = WorkerAttestation.create({
      worker: worker.address,
      evidenceClass,
      trusted: evidenceClass === "nvidia-cc",
      deviceId,
      reportDigest: verdict.reportDigest,
      gpuIndex,
      arch,
      anchorHeight,
      attestedHeight: ctx.height,
      expiresHeight: ctx.height + params.validityBlocks,
      driverVersion: verdict.driverVersion ?? "",
      vbiosVersion: verdict.vbiosVersion ?? "",
    });
    saveWorkerAttestation(ctx.store, attestation);
    markReportSeen(ctx.store, verdict.reportDigest, ctx.height);
    ctx.events.push(
      makeEvent("attest_worker", [
        ["worker", ctx.senderBech32],
        ["operator", encodeAddress(worker.operator)],
        ["evidence_class", evidenceClass],
        ["trusted", String(attestation.trusted)],
        ["device_id", `0x${toHex(deviceId)}`],
        ["gpu_index", String(gpuIndex)],
        ["anchor_height", String(anchorHeight)],
        ["expires_height", String(attestation.expiresHeight)],
      ]),
    );
  },
};
