import { describe, expect, it } from "vitest";
import { needsAttestation } from "./attester.js";
import type { WorkerView } from "./chain-views.js";

const worker = (attestation: WorkerView["attestation"]): WorkerView => ({
  address: "kyo1worker",
  operator: "kyo1operator",
  status: "active",
  attestation,
});

describe("when the worker daemon attests", () => {
  it("attests a worker never attested, and re-attests before expiry, within the margin", () => {
    expect(needsAttestation(worker(null), 10, 20)).toBe(true);
    const current = { evidenceClass: "dev", trusted: false, expiresHeight: 1000, expired: false };
    expect(needsAttestation(worker(current), 900, 20)).toBe(false);
    expect(needsAttestation(worker(current), 979, 20)).toBe(false);
    // 20 blocks left: re-attest now, so there is never a height without a current attestation.
    expect(needsAttestation(worker(current), 980, 20)).toBe(true);
    expect(needsAttestation(worker({ ...current, expired: true }), 900, 20)).toBe(true);
  });
});
