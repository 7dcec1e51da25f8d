// Every message type a tx can carry (the cases of the `Msg` oneof, read from the generated
// descriptor) has an SDK builder, and a tx signed with signTx around it passes the node's stateless
// tx checks (execution/tx/decode.ts) as that very case, with a valid signature. A Msg case added to
// tx.proto without a builder fails here (and BUILDERS' type no longer compiles).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { sha256 } from "../../crypto/hash.js";
import { verifySignature } from "../../crypto/keys.js";
import { keyId } from "../../execution/store.js";
import { newAccount, TEST_CHAIN_ID, TEST_TX_PARAMS } from "../../execution/test-helpers.js";
import { decodeTx } from "../../execution/tx/decode.js";
import { KeyType, ModelFormat, type Msg, VoteOption } from "../../proto/index.js";
import {
  attestWorkerMsg,
  computeCancelJobMsg,
  computeCommitResultMsg,
  computeRegisterWorkerMsg,
  computeRevealResultMsg,
  computeSubmitJobMsg,
  computeUnbondWorkerMsg,
  computeUnjailWorkerMsg,
  computeUpdateWorkerMsg,
} from "./msgs-compute.js";
import {
  dataAddOfferMsg,
  dataBuyLicenseMsg,
  dataRegisterMsg,
  dataRetireOfferMsg,
  dataTransferMsg,
} from "./msgs-data.js";
import { govDepositMsg, govSubmitProposalMsg, govVoteMsg, proposalContent } from "./msgs-gov.js";
import {
  modelsDeprecateMsg,
  modelsPayMsg,
  modelsRegisterMsg,
  modelsSetFeeMsg,
  modelsTransferMsg,
} from "./msgs-models.js";
import {
  bankSendMsg,
  signTx,
  stakingAddStakeMsg,
  stakingCreateValidatorMsg,
  stakingUnbondMsg,
  stakingUnjailMsg,
} from "./tx-builder.js";

type MsgCase = NonNullable<Msg["sum"]>;

const signer = newAccount();
const other = newAccount();
const hash32 = (seed: number) => new Uint8Array(32).fill(seed);
const capabilities = { gpuModel: "H100", gpuMemoryMib: 81_920, runtimes: ["onnx"], maxConcurrentJobs: 2 };

/** One SDK builder per Msg case, with arguments the node's stateless checks accept. */
const BUILDERS: { readonly [C in MsgCase]: () => Msg } = {
  bankSend: () => bankSendMsg(other.address, 5n),
  stakingCreateValidator: () => stakingCreateValidatorMsg(hash32(1), 1_000_000n, "validator"),
  stakingAddStake: () => stakingAddStakeMsg(10n),
  stakingUnbond: () => stakingUnbondMsg(10n),
  stakingUnjail: () => stakingUnjailMsg(),
  modelsRegister: () =>
    modelsRegisterMsg({
      name: "tiny-mlp",
      version: "1",
      weightsHash: hash32(2),
      sizeBytes: 1024,
      format: ModelFormat.MODEL_FORMAT_ONNX,
      locationUri: "ipfs://tiny-mlp",
      cardHash: hash32(3),
      inferenceFee: 100n,
    }),
  modelsDeprecate: () => modelsDeprecateMsg(1),
  modelsTransfer: () => modelsTransferMsg(1, other.address),
  modelsSetFee: () => modelsSetFeeMsg(1, 50n),
  modelsPay: () => modelsPayMsg(1, 50n),
  dataRegister: () =>
    dataRegisterMsg({
      name: "corpus",
      contentRoot: hash32(4),
      sizeBytes: 4096,
      locationUri: "s3://bucket/corpus",
      format: "parquet",
    }),
  dataAddOffer: () =>
    dataAddOfferMsg(1, {
      price: 500n,
      durationBlocks: 0,
      commercialUse: true,
      trainingAllowed: true,
      royaltyBps: 1000,
      maxLicenses: 0,
    }),
  dataRetireOffer: () => dataRetireOfferMsg(1, 1),
  dataTransfer: () => dataTransferMsg(1, other.address),
  dataBuyLicense: () => dataBuyLicenseMsg(1, 1),
  govSubmitProposal: () =>
    govSubmitProposalMsg({
      title: "a text proposal",
      summary: "nothing changes",
      content: proposalContent.text(),
      initialDeposit: 1000n,
    }),
  govDeposit: () => govDepositMsg(1, 100n),
  govVote: () => govVoteMsg(1, VoteOption.VOTE_OPTION_YES),
  attestationAttestWorker: () =>
    attestWorkerMsg({
      evidenceClass: "dev",
      anchorHeight: 1,
      gpuIndex: 0,
      arch: "HOPPER",
      report: new Uint8Array(64).fill(5),
      certificateChain: "-----BEGIN CERTIFICATE-----\nMA==\n-----END CERTIFICATE-----\n",
    }),
  computeRegisterWorker: () =>
    computeRegisterWorkerMsg({
      keyType: KeyType.KEY_TYPE_ED25519,
      publicKey: hash32(6),
      stake: 1_000_000n,
      capabilities,
      price: 10n,
    }),
  computeUpdateWorker: () => computeUpdateWorkerMsg(other.address, { capabilities, price: 20n }),
  computeUnbondWorker: () => computeUnbondWorkerMsg(other.address),
  computeUnjailWorker: () => computeUnjailWorkerMsg(other.address),
  computeSubmitJob: () =>
    computeSubmitJobMsg({
      modelId: 1,
      inputHash: hash32(7),
      inputUri: "https://example.org/input.bin",
      replication: 1,
      maxPrice: 10n,
      escrow: 1000n,
      deadlineBlocks: 20,
    }),
  computeCancelJob: () => computeCancelJobMsg(1),
  computeCommitResult: () => computeCommitResultMsg(1, hash32(8)),
  computeRevealResult: () =>
    computeRevealResultMsg({
      jobId: 1,
      resultHash: hash32(9),
      salt: new Uint8Array(16).fill(1),
      output: new Uint8Array([1, 2, 3]),
    }),
};

/** The Msg oneof's cases as the generated descriptor lists them (what tx.proto declares). */
function oneofCases(): string[] {
  const json = JSON.parse(readFileSync(new URL("../../proto/gen/kyochi.json", import.meta.url), "utf8"));
  const msg = json.nested.kyochi.nested.tx.nested.v1.nested.Msg as { oneofs: { sum: { oneof: string[] } } };
  return msg.oneofs.sum.oneof;
}

describe("SDK message builders", () => {
  const cases = oneofCases();

  it("cover every case of the Msg oneof, and no other", () => {
    expect(cases.length).toBeGreaterThan(20);
    expect(Object.keys(BUILDERS).sort()).toEqual([...cases].sort());
  });

  it.each(cases)("%s: signed with signTx, the node decodes it as that case", (name) => {
    const build = (BUILDERS as Record<string, (() => Msg) | undefined>)[name];
    expect(build, `no SDK builder for Msg case ${name}`).toBeDefined();
    const tx = signTx(signer.key, [(build as () => Msg)()], {
      chainId: TEST_CHAIN_ID,
      nonce: 0,
      fee: 200_000n,
      gasLimit: 200_000,
    });
    expect(tx.hash).toEqual(sha256(tx.bytes));
    const decoded = decodeTx(tx.bytes, tx.hash, keyId(tx.hash), {
      chainId: TEST_CHAIN_ID,
      params: TEST_TX_PARAMS,
    });
    expect(decoded.messages.map((m) => m.sum)).toEqual([name]);
    expect(decoded.sender).toEqual(signer.address);
    expect(verifySignature(decoded.keyType, decoded.publicKey, decoded.bodyBytes, decoded.signature)).toBe(
      true,
    );
  });
});
