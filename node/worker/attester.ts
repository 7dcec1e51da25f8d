// Keeps the worker attested: attests when it has no current attestation or when the one it has
// expires within the margin, so a healthy worker never drops out of assignment. The nonce binds
// the evidence to this chain, a recent block (the anchor, one below the latest so its hash is
// already recorded in state), the operator, the worker and the GPU.

import { decodeAddress } from "../../crypto/address.js";
import { attestationNonce } from "../../crypto/attestation/nonce.js";
import { fromHex } from "../../crypto/hash.js";
import type { KyochiRpcClient } from "../../rpc/client/client.js";
import { attestWorkerMsg } from "../../rpc/client/msgs-compute.js";
import type { StatusJson } from "../../rpc/types.js";
import type { WorkerView } from "./chain-views.js";
import type { EvidenceSource } from "./evidence-source.js";
import type { TxSender } from "./tx-sender.js";

/**
 * An attestation carries ~10 KB of report and certificates and pays for five certificate and one
 * report signature checks: well above an ordinary tx's gas.
 */
const ATTEST_GAS = 1_500_000;

export interface AttesterOptions {
  gpuIndex: number;
  /** Re-attest when the attestation has fewer blocks than this left. */
  marginBlocks: number;
}

/** Whether `worker` needs a (new) attestation at `height`. */
export function needsAttestation(worker: WorkerView, height: number, marginBlocks: number): boolean {
  const a = worker.attestation;
  return a === null || a.expired || a.expiresHeight - height <= marginBlocks;
}

export class Attester {
  constructor(
    private readonly client: KyochiRpcClient,
    private readonly sender: TxSender,
    private readonly source: EvidenceSource,
    private readonly options: AttesterOptions,
  ) {}

  /** Attests if needed; returns the height of the block that accepted it, or undefined. */
  async maybeAttest(status: StatusJson, worker: WorkerView): Promise<number | undefined> {
    const height = status.latestBlockHeight;
    if (!needsAttestation(worker, height, this.options.marginBlocks)) return undefined;
    const anchorHeight = Math.max(1, height - 1);
    const anchor = await this.client.getBlock(anchorHeight);
    const nonce = attestationNonce({
      chainId: status.chainId,
      anchorHeight,
      anchorBlockHash: fromHex(anchor.blockHash),
      operator: decodeAddress(worker.operator),
      workerKey: decodeAddress(worker.address),
      gpuIndex: this.options.gpuIndex,
    });
    const evidence = await this.source.evidence(nonce, this.options.gpuIndex, status.latestBlockTimeMs);
    const sent = await this.sender.send(
      [
        attestWorkerMsg({
          evidenceClass: evidence.evidenceClass,
          anchorHeight,
          gpuIndex: this.options.gpuIndex,
          arch: evidence.arch,
          report: evidence.report,
          certificateChain: evidence.certificateChain,
        }),
      ],
      "attest",
      ATTEST_GAS,
    );
    return sent.height;
  }
}
