// Worker attestation through real txs on a test chain: evidence with NVIDIA's layout (a 5-level
// P-384 chain, a signed SPDM report, high-S signatures) is generated here, answering the nonce the
// chain recomputes; every single fault is refused with its own code and changes nothing.
import { createPublicKey, type KeyObject } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateDevRootCa } from "../../../crypto/attestation/dev-evidence.js";
import { isHighS, pemFromDer } from "../../../crypto/attestation/index.js";
import { sha256, toHex } from "../../../crypto/hash.js";
import { intrinsicGas } from "../../gas.js";
import { newAccount, type TestAccount } from "../../test-helpers.js";
import {
  attestMsg,
  type BuiltEvidence,
  CHAIN_T0,
  type ComputeFixture,
  useComputeFixtures,
} from "../compute/worker-fixture.js";
import type { WorkerView } from "../compute/worker-queries.js";
import { attestationVerifyGas } from "./msg-attest.js";

const fixture = useComputeFixtures();
const DAY = 86_400_000;

type EventLike = {
  type?: string | null;
  attributes?: { key?: string | null; value?: string | null }[] | null;
};

function attr(events: readonly EventLike[], type: string, key: string): string | undefined {
  return events.find((e) => e.type === type)?.attributes?.find((a) => a.key === key)?.value ?? undefined;
}

function flipLastByte(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[out.length - 1]! ^= 0x01;
  return out;
}

/** The chain of `built` with certificate `i`'s signature broken (its last byte flipped). */
function brokenChain(built: BuiltEvidence, i: number): string {
  return built.evidence.certificateDers
    .map((der, j) => pemFromDer(j === i ? flipLastByte(der) : der))
    .join("");
}

/** sha256 of the device certificate's public key (the uncompressed P-384 point): the GPU's id. */
function deviceIdOf(key: KeyObject): string {
  const jwk = createPublicKey(key).export({ format: "jwk" });
  const point = Buffer.concat([
    Buffer.of(4),
    Buffer.from(jwk.x!, "base64url"),
    Buffer.from(jwk.y!, "base64url"),
  ]);
  return `0x${toHex(sha256(point))}`;
}

async function workerView(f: ComputeFixture, w: TestAccount): Promise<WorkerView> {
  return f.query<WorkerView>(`worker/${w.bech32}`);
}

describe("attest worker: accepted evidence", () => {
  it("accepts nvidia-cc evidence with high-S signatures: trusted, queryable, expiring", async () => {
    const f = await fixture();
    const worker = await f.registerWorker(f.operators[0]!);
    const built = await f.evidence(worker);
    expect(isHighS(built.evidence.report.subarray(built.evidence.report.length - 96))).toBe(true);
    const { codes, result } = await f.run(f.tx(worker, attestMsg(built)));
    expect(codes).toEqual(["OK"]);
    const events = result.txResults[0]!.events;
    expect(attr(events, "attest_worker", "trusted")).toBe("true");
    expect(attr(events, "attest_worker", "evidence_class")).toBe("nvidia-cc");
    // The verification is charged on top of the tx's reads and writes.
    expect(result.txResults[0]!.gasUsed).toBeGreaterThan(attestationVerifyGas());

    const view = await workerView(f, worker);
    const height = f.chain.height;
    expect(view.attestation).toMatchObject({
      evidence_class: "nvidia-cc",
      trusted: true,
      gpu_index: 0,
      arch: "HOPPER",
      anchor_height: height - 1,
      attested_height: height,
      expires_height: height + 1000,
      expired: false,
      driver_version: "550.90.07",
    });
    expect(view.attestation!.device_id).toBe(deviceIdOf(built.evidence.deviceKey));
  });

  it("accepts dev evidence where genesis allows it, never as trusted", async () => {
    const f = await fixture();
    const worker = await f.registerWorker(f.operators[0]!);
    const built = await f.evidence(worker, { evidenceClass: "dev" });
    const { codes, result } = await f.run(f.tx(worker, attestMsg(built)));
    expect(codes).toEqual(["OK"]);
    expect(attr(result.txResults[0]!.events, "attest_worker", "trusted")).toBe("false");
    expect(attr(result.txResults[0]!.events, "attest_worker", "evidence_class")).toBe("dev");
    expect((await workerView(f, worker)).attestation).toMatchObject({
      evidence_class: "dev",
      trusted: false,
    });
    // dev evidence signed under the nvidia-cc root is not nvidia-cc evidence, nor the reverse
    const crossed = await f.evidence(worker, { evidenceClass: "dev", root: f.nvidiaRoot });
    expect((await f.run(f.tx(worker, attestMsg(crossed)))).codes).toEqual(["ATTESTATION_UNKNOWN_ROOT"]);
  });
});

describe("attest worker: refusals", () => {
  let f: ComputeFixture;

  it("refuses each single fault with its own code, and changes nothing", async () => {
    f = await fixture({ attestation: { anchor_window_blocks: 4 } });
    const worker = await f.registerWorker(f.operators[0]!);
    const other = await f.registerWorker(f.operators[1]!);
    await f.chain.advanceTo(f.chain.height + 6);
    const blockTime = CHAIN_T0 + (f.chain.height + 1) * 1000;
    const good = await f.evidence(worker);
    const cases: [
      string,
      Promise<BuiltEvidence> | BuiltEvidence,
      { report?: Uint8Array; certificateChain?: string }?,
    ][] = [
      [
        "ATTESTATION_UNKNOWN_ROOT",
        f.evidence(worker, { root: generateDevRootCa({ timeMs: CHAIN_T0 - DAY }) }),
      ],
      ["ATTESTATION_CERT_SIGNATURE_INVALID", good, { certificateChain: brokenChain(good, 0) }],
      ["ATTESTATION_CERT_SIGNATURE_INVALID", good, { certificateChain: brokenChain(good, 1) }],
      ["ATTESTATION_CERT_SIGNATURE_INVALID", good, { certificateChain: brokenChain(good, 2) }],
      ["ATTESTATION_CERT_SIGNATURE_INVALID", good, { certificateChain: brokenChain(good, 3) }],
      [
        "ATTESTATION_CERT_NOT_VALID",
        f.evidence(worker, {
          certificates: { 2: { notBeforeMs: blockTime - 2 * DAY, notAfterMs: blockTime - DAY } },
        }),
      ],
      [
        "ATTESTATION_CERT_NOT_VALID",
        f.evidence(worker, { certificates: { 1: { notBeforeMs: blockTime + DAY } } }),
      ],
      [
        "ATTESTATION_CERT_NOT_CA",
        f.evidence(worker, { certificates: { 1: { basicConstraints: "absent" } } }),
      ],
      [
        "ATTESTATION_CERT_NOT_CA",
        f.evidence(worker, { certificates: { 3: { basicConstraints: { cA: false } } } }),
      ],
      ["ATTESTATION_FWID_MISMATCH", f.evidence(worker, { certificateFwid: new Uint8Array(48).fill(7) })],
      ["ATTESTATION_NONCE_MISMATCH", f.evidence(worker, { nonceFor: { gpuIndex: 1 } })],
      ["ATTESTATION_NONCE_MISMATCH", f.evidence(worker, { nonceFor: { worker: other } })],
      ["ATTESTATION_NONCE_MISMATCH", f.evidence(worker, { nonceFor: { anchorHeight: f.chain.height - 1 } })],
      ["ATTESTATION_STALE_ANCHOR", f.evidence(worker, { anchorHeight: f.chain.height - 4 })],
      ["ATTESTATION_STALE_ANCHOR", f.evidence(worker, { anchorHeight: f.chain.height + 1 })],
      [
        "ATTESTATION_MEASUREMENT_NOT_ALLOWED",
        f.evidence(worker, {
          measurements: new Map(
            [...good.evidence.measurements].map(([i, v]) => [i, i === 5 ? new Uint8Array(48).fill(0x5a) : v]),
          ),
        }),
      ],
      [
        "ATTESTATION_REPORT_BAD_LENGTH",
        good,
        { report: good.evidence.report.subarray(0, good.evidence.report.length - 1) },
      ],
      ["ATTESTATION_REPORT_BAD_LENGTH", good, { report: Uint8Array.of(...good.evidence.report, 0) }],
      ["ATTESTATION_REPORT_SIGNATURE_INVALID", good, { report: flipLastByte(good.evidence.report) }],
      [
        "ATTESTATION_EVIDENCE_MALFORMED",
        good,
        { certificateChain: pemFromDer(good.evidence.certificateDers[0]!) },
      ],
    ];
    const txs: Uint8Array[] = [];
    for (const [, built, over] of cases) txs.push(f.tx(worker, attestMsg(await built, over)));
    // A signer that is not a registered worker cannot attest, even with valid evidence.
    const stranger = newAccount();
    txs.push(f.tx(stranger, attestMsg(good)));
    const before = await workerView(f, worker);
    const { codes } = await f.run(...txs);
    expect(codes).toEqual([...cases.map(([code]) => code), "COMPUTE_WORKER_NOT_FOUND"]);
    expect(await workerView(f, worker)).toEqual(before);
    expect(before.attestation).toBeNull();
    // The very evidence whose variants were refused is good.
    const again = await f.evidence(worker);
    expect((await f.run(f.tx(worker, attestMsg(again)))).codes).toEqual(["OK"]);
  });

  it("accepts a report once, and a GPU backs one worker while its attestation counts", async () => {
    f = await fixture();
    const w1 = await f.registerWorker(f.operators[0]!);
    const w2 = await f.registerWorker(f.operators[1]!);
    const first = await f.attestWorker(w1);
    // the same report again, in a later block
    expect((await f.run(f.tx(w1, attestMsg(first)))).codes).toEqual(["ATTESTATION_REPORT_REPLAYED"]);
    // w1's GPU behind w2 (fresh evidence, its own nonce, the same device certificate key)
    const sameGpu = await f.evidence(w2, { deviceKey: first.evidence.deviceKey });
    expect((await f.run(f.tx(w2, attestMsg(sameGpu)))).codes).toEqual(["ATTESTATION_DEVICE_IN_USE"]);
    expect((await workerView(f, w2)).attestation).toBeNull();
    // w1 re-attests with the same GPU: fine, and its attestation is extended
    const expires = (await workerView(f, w1)).attestation!.expires_height;
    await f.attestWorker(w1, { deviceKey: first.evidence.deviceKey });
    const renewed = (await workerView(f, w1)).attestation!.expires_height;
    expect(renewed).toBe(f.chain.height + 1000);
    expect(renewed).toBeGreaterThan(expires);
    // w1 moves to another GPU: its first GPU is free for w2
    await f.attestWorker(w1);
    await f.attestWorker(w2, { deviceKey: first.evidence.deviceKey });
    expect((await workerView(f, w2)).attestation!.device_id).toBe(deviceIdOf(first.evidence.deviceKey));
    expect((await workerView(f, w1)).attestation!.device_id).not.toBe(deviceIdOf(first.evidence.deviceKey));
  });

  it("refuses dev evidence where genesis forbids it; nvidia-cc still passes", async () => {
    f = await fixture({ allowDev: false });
    const worker = await f.registerWorker(f.operators[0]!);
    const dev = await f.evidence(worker, { evidenceClass: "dev" });
    expect((await f.run(f.tx(worker, attestMsg(dev)))).codes).toEqual(["ATTESTATION_DEV_NOT_ALLOWED"]);
    expect((await workerView(f, worker)).attestation).toBeNull();
    await f.attestWorker(worker);
    expect((await workerView(f, worker)).attestation!.trusted).toBe(true);
  });

  it("runs out of gas when the limit does not cover the verification; nothing changes", async () => {
    f = await fixture();
    const worker = await f.registerWorker(f.operators[0]!);
    const built = await f.evidence(worker);
    // Enough for the tx's bytes and its first reads, not for the verification.
    const size = f.tx(worker, attestMsg(built)).length;
    f.rewindNonce(worker);
    const gasLimit = intrinsicGas(size, worker.key.type, 1) + 60_000;
    const { codes, result } = await f.run(f.tx(worker, { gasLimit }, attestMsg(built)));
    expect(codes).toEqual(["TX_OUT_OF_GAS"]);
    expect(result.txResults[0]!.log).toMatch(/attestation evidence verification/);
    expect((await workerView(f, worker)).attestation).toBeNull();
  });

  it("keeps the hashes of the last anchor_window_blocks blocks only", async () => {
    f = await fixture({ attestation: { anchor_window_blocks: 3 } });
    await f.chain.advanceTo(8);
    const kept = async () =>
      (await Promise.all([4, 5, 6, 7, 8].map((h) => f.blockHash(h)))).map((h) => h !== undefined);
    // Block 8 began by keeping block 7's hash and forgetting block 4's: a tx of block 9 may
    // anchor to 6..8, and block 9 keeps block 8's hash as it begins.
    expect(await kept()).toEqual([false, true, true, true, false]);
    await f.chain.advanceTo(9);
    expect(await kept()).toEqual([false, false, true, true, true]);
    // what a worker daemon asks for its nonce: the newest kept block (or a given one still kept)
    expect(await f.query("attestation_anchor")).toEqual({
      height: 8,
      block_hash: `0x${toHex((await f.blockHash(8))!)}`,
      anchor_window_blocks: 3,
    });
    expect((await f.query<{ height: number }>("attestation_anchor/6")).height).toBe(6);
    expect(await f.queryError("attestation_anchor/5")).toBe("ATTESTATION_STALE_ANCHOR");
  });
});
