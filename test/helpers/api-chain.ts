// A running node process with data on chain for the API coverage tests (JSON-RPC and gRPC): a
// transfer; a dataset with a license offer and a license bought; a model trained under it; a text
// proposal in its voting period with the validator's vote; a compute worker and a job. Every tx
// goes in through JSON-RPC tx_broadcast in commit mode and must succeed.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { addressFromPublicKey, decodeAddress, encodeAddress } from "../../crypto/address.js";
import { sha256, toHex } from "../../crypto/hash.js";
import { generateSigningKey, type SigningKey } from "../../crypto/keys.js";
import { Keyring } from "../../node/keyring.js";
import { KeyType, ModelFormat, type Msg } from "../../proto/index.js";
import { computeRegisterWorkerMsg, computeSubmitJobMsg } from "../../rpc/client/msgs-compute.js";
import { dataAddOfferMsg, dataBuyLicenseMsg, dataRegisterMsg } from "../../rpc/client/msgs-data.js";
import {
  govSubmitProposalMsg,
  govVoteMsg,
  proposalContent,
  VOTE_OPTIONS,
} from "../../rpc/client/msgs-gov.js";
import { modelsRegisterMsg } from "../../rpc/client/msgs-models.js";
import { bankSendMsg, signTx } from "../../rpc/client/tx-builder.js";
import type { AccountJson, BroadcastCommitJson, StatusJson } from "../../rpc/types.js";
import { createTestDevnet, FAST_BLOCKS, type TestDevnet } from "./devnet.js";
import { freePort, type NodeProcess, removeDir, rpc, startNode, stopNode } from "./process-node.js";

/** Gas limit (and fee) of every tx the fixture signs. */
export const API_CHAIN_GAS = 1_000_000;
const MIN_DEPOSIT = 10_000_000n;

export interface ApiChainKeys {
  alice: SigningKey;
  bob: SigningKey;
  carol: SigningKey;
  /** The validator operator's key (it votes on the proposal). */
  validator: SigningKey;
}

export interface ApiChain {
  net: TestDevnet;
  node: NodeProcess;
  /** host:port of the node's gRPC server. */
  grpcAddress: string;
  chainId: string;
  keys: ApiChainKeys;
  /** alice's first tx: a transfer of 4242 to bob, dataset 1 with offer 1, proposal 1. */
  transfer: BroadcastCommitJson;
  /** bob's tx: license 1 of dataset 1, model 1 ("coverage-model" version "1"). */
  license: BroadcastCommitJson;
  /** carol's worker (a fresh key's address) and job 1 for model 1. */
  workerAddress: string;
  stop(): Promise<void>;
}

/** The "kyo1..." address of `key`. */
export function addressOf(key: SigningKey): string {
  return encodeAddress(addressFromPublicKey(key.type, key.publicKey));
}

async function call<T>(url: string, method: string, params: unknown): Promise<T> {
  const res = await rpc(url, method, params);
  if (res.error !== undefined) throw new Error(`${method}: ${JSON.stringify(res.error)}`);
  return res.result as T;
}

/** `msgs` signed by `key` with its next nonce (read over JSON-RPC). */
export async function signedTx(chain: ApiChain, key: SigningKey, msgs: Msg[]): Promise<Uint8Array> {
  const { nonce } = await call<AccountJson>(chain.node.rpcUrl, "account_get", { address: addressOf(key) });
  return signTx(key, msgs, {
    chainId: chain.chainId,
    nonce,
    fee: BigInt(API_CHAIN_GAS),
    gasLimit: API_CHAIN_GAS,
  }).bytes;
}

/** Broadcasts `msgs` signed by `key` and waits for the block; fails unless the tx succeeded. */
async function send(chain: ApiChain, key: SigningKey, msgs: Msg[]): Promise<BroadcastCommitJson> {
  const tx = await signedTx(chain, key, msgs);
  const answer = await call<BroadcastCommitJson>(chain.node.rpcUrl, "tx_broadcast", {
    tx: `0x${toHex(tx)}`,
    mode: "commit",
    timeoutMs: 20_000,
  });
  if (answer.result.codename !== "OK") throw new Error(`tx failed: ${answer.result.log}`);
  return answer;
}

/** Starts the node (temp home `prefix`) and puts the data on chain; stop() removes everything. */
export async function startApiChain(prefix: string): Promise<ApiChain> {
  const net = createTestDevnet(prefix);
  const chain = { net } as ApiChain;
  chain.stop = async () => {
    if (chain.node) await stopNode(chain.node);
    removeDir(net.root);
  };
  try {
    // A voting period longer than the tests, so the proposal is still in voting when read.
    const genesisPath = join(net.nodeHome, "config", "genesis.json");
    const genesis = JSON.parse(readFileSync(genesisPath, "utf8"));
    genesis.app_state.params.gov.voting_blocks = 100_000;
    writeFileSync(genesisPath, JSON.stringify(genesis));
    chain.grpcAddress = `127.0.0.1:${await freePort()}`;
    chain.node = await startNode(net.nodeHome, [...FAST_BLOCKS, "--grpc.laddr", chain.grpcAddress]);
    chain.chainId = (await call<StatusJson>(chain.node.rpcUrl, "chain_status", {})).chainId;
    await fill(chain);
    return chain;
  } catch (err) {
    await chain.stop();
    throw err;
  }
}

async function fill(chain: ApiChain): Promise<void> {
  const { net } = chain;
  chain.keys = {
    alice: net.keys.alice!,
    bob: net.keys.bob!,
    carol: net.keys.carol!,
    validator: new Keyring(join(net.nodeHome, "keyring")).get("validator"),
  };
  const { alice, bob, carol, validator } = chain.keys;

  // alice: a transfer to bob, a dataset with a license offer, a text proposal (voting at once).
  chain.transfer = await send(chain, alice, [
    bankSendMsg(decodeAddress(net.addresses.bob!), 4242n),
    dataRegisterMsg({
      name: "coverage-corpus",
      contentRoot: sha256(new TextEncoder().encode("coverage-corpus")),
      sizeBytes: 4096,
      locationUri: "s3://datasets/coverage-corpus",
      format: "parquet",
    }),
    dataAddOfferMsg(1, {
      price: 500n,
      durationBlocks: 0,
      commercialUse: true,
      trainingAllowed: true,
      royaltyBps: 1000,
      maxLicenses: 0,
    }),
    govSubmitProposalMsg({
      title: "Coverage",
      summary: "a text proposal",
      content: proposalContent.text(),
      initialDeposit: MIN_DEPOSIT,
    }),
  ]);
  // bob buys the license and registers a model trained under it; the validator votes.
  [chain.license] = await Promise.all([
    send(chain, bob, [
      dataBuyLicenseMsg(1, 1),
      modelsRegisterMsg({
        name: "coverage-model",
        version: "1",
        weightsHash: sha256(new TextEncoder().encode("weights")),
        sizeBytes: 1024,
        format: ModelFormat.MODEL_FORMAT_ONNX,
        locationUri: "s3://models/coverage-model",
        cardHash: sha256(new TextEncoder().encode("card")),
        inferenceFee: 1000n,
        licenseIds: [1],
      }),
    ]),
    send(chain, validator, [govVoteMsg(1, VOTE_OPTIONS.yes!)]),
  ]);
  // carol registers a worker (a fresh key) and submits a job for the model.
  const worker = generateSigningKey(KeyType.KEY_TYPE_ED25519);
  chain.workerAddress = addressOf(worker);
  await send(chain, carol, [
    computeRegisterWorkerMsg({
      keyType: worker.type,
      publicKey: worker.publicKey,
      stake: 1_000_000n,
      capabilities: { gpuModel: "test-gpu", gpuMemoryMib: 8192, runtimes: ["onnx"], maxConcurrentJobs: 1 },
      price: 100n,
    }),
    computeSubmitJobMsg({
      modelId: 1,
      inputHash: sha256(new TextEncoder().encode("input")),
      inputUri: "https://example.org/input.bin",
      replication: 1,
      maxPrice: 100n,
      escrow: 2000n,
      deadlineBlocks: 500,
    }),
  ]);
}
