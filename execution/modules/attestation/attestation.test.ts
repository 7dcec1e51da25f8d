// The attestation registry: trusted roots and allowed measurements from genesis, their list
// queries, and their changes by governance.
import { describe, expect, it } from "vitest";
import { sha256, toHex } from "../../../crypto/hash.js";
import { fixtureGenesis } from "../../staking-fixture.js";
import { startTestChain } from "../../test-chain.js";
import { content, submitMsg, useGovFixtures } from "../gov/gov-fixture.js";
import { selfSignedCertificate } from "./test-certificates.js";

const fixture = useGovFixtures();

interface RootsPage {
  trusted_roots: {
    id: string;
    evidence_class: string;
    label: string;
    certificate_der: string;
    added_height: number;
  }[];
  next_cursor: number | null;
}
interface MeasurementsPage {
  allowed_measurements: { evidence_class: string; index: number; value: string; added_height: number }[];
  next_cursor: number | null;
}

const nvidia = selfSignedCertificate("NVIDIA Device Identity CA (test)");
const dev = selfSignedCertificate("Kyochi dev CA");
const id = (der: Uint8Array) => `0x${toHex(sha256(der))}`;

describe("attestation registry", () => {
  it("serves genesis roots and measurements, paged and by class", async () => {
    const f = await fixture({
      attestation: {
        trusted_roots: [
          { evidence_class: "nvidia-cc", label: "nvidia", certificate_pem: nvidia.pem },
          { evidence_class: "dev", label: "dev", certificate_pem: dev.pem },
        ],
        allowed_measurements: [
          { evidence_class: "dev", index: 0, value: "0xaa" },
          { evidence_class: "dev", index: 0, value: "0xbb" },
          { evidence_class: "nvidia-cc", index: 255, value: `0x${"cd".repeat(64)}` },
        ],
      },
    });
    const all = await f.query<RootsPage>("trusted_roots");
    expect(all.trusted_roots.map((r) => [r.id, r.evidence_class, r.label])).toEqual([
      [id(nvidia.der), "nvidia-cc", "nvidia"],
      [id(dev.der), "dev", "dev"],
    ]);
    expect(all.trusted_roots[0]!.certificate_der).toBe(`0x${toHex(nvidia.der)}`);
    const first = await f.query<RootsPage>("trusted_roots/limit=1");
    expect(first.trusted_roots.map((r) => r.label)).toEqual(["nvidia"]);
    const second = await f.query<RootsPage>(`trusted_roots/limit=1&cursor=${first.next_cursor}`);
    expect(second.trusted_roots.map((r) => r.label)).toEqual(["dev"]);
    expect(second.next_cursor).toBeNull();
    expect((await f.query<RootsPage>("trusted_roots/evidence_class=dev")).trusted_roots).toHaveLength(1);

    const devValues = await f.query<MeasurementsPage>("allowed_measurements/dev");
    expect(devValues.allowed_measurements.map((m) => [m.index, m.value])).toEqual([
      [0, "0xaa"],
      [0, "0xbb"],
    ]);
    const paged = await f.query<MeasurementsPage>("allowed_measurements/dev/limit=1&cursor=1");
    expect(paged.allowed_measurements.map((m) => m.value)).toEqual(["0xbb"]);
    expect(
      (await f.query<MeasurementsPage>("allowed_measurements/nvidia-cc")).allowed_measurements,
    ).toHaveLength(1);
    expect(await f.queryError("allowed_measurements/sgx")).toBe("QUERY_INVALID_ARGUMENT");
  });

  it("refuses a genesis root that is not a CA, does not parse, or is listed twice", async () => {
    const withRoots = (roots: { evidence_class: string; label: string; certificate_pem: string }[]) => {
      const { genesis } = fixtureGenesis();
      genesis.attestation = { trusted_roots: roots, allowed_measurements: [] };
      return genesis;
    };
    const leaf = selfSignedCertificate("leaf", { ca: false });
    await expect(
      startTestChain(withRoots([{ evidence_class: "dev", label: "", certificate_pem: leaf.pem }])),
    ).rejects.toMatchObject({
      code: "GENESIS_INVALID",
      message: expect.stringMatching(/trusted_roots\[0\].*not a CA/),
    });
    const garbage = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    await expect(
      startTestChain(withRoots([{ evidence_class: "dev", label: "", certificate_pem: garbage }])),
    ).rejects.toMatchObject({
      code: "GENESIS_INVALID",
    });
    const twice = { evidence_class: "dev", label: "", certificate_pem: dev.pem };
    await expect(startTestChain(withRoots([twice, twice]))).rejects.toMatchObject({
      code: "GENESIS_INVALID",
      message: expect.stringMatching(/trusted_roots\[1\].*already trusted/),
    });
  });

  it("governance adds and removes roots and allows and disallows measurements", async () => {
    const f = await fixture();
    const root = selfSignedCertificate("new root");
    await f.run(
      f.tx(f.alice, submitMsg(content.addRoot(root.der, "nvidia-cc", "added by vote"), 1000n)),
      f.tx(f.alice, submitMsg(content.measurement("nvidia-cc", 7, Uint8Array.of(1, 2, 3), true), 1000n)),
      // the same root twice: the second fails when it passes (the first added it)
      f.tx(f.alice, submitMsg(content.addRoot(root.der, "nvidia-cc", "again"), 1000n)),
    );
    for (const p of [1, 2, 3]) await f.vote(p, "yes");
    await f.chain.advanceTo(5);
    const roots = await f.query<RootsPage>("trusted_roots");
    expect(roots.trusted_roots).toEqual([
      {
        id: id(root.der),
        evidence_class: "nvidia-cc",
        label: "added by vote",
        certificate_der: `0x${toHex(root.der)}`,
        added_height: 5,
      },
    ]);
    expect((await f.query<MeasurementsPage>("allowed_measurements/nvidia-cc")).allowed_measurements).toEqual([
      { evidence_class: "nvidia-cc", index: 7, value: "0x010203", added_height: 5 },
    ]);
    const again = await f.query<{ status: string; failure_reason: string }>("proposal/3");
    expect(again.status).toBe("failed");
    expect(again.failure_reason).toMatch(/already trusted/);

    // Submitted at 6 (the root exists now), passed at the end of 10.
    await f.run(
      f.tx(f.alice, submitMsg(content.removeRoot(sha256(root.der)), 1000n)),
      f.tx(f.alice, submitMsg(content.measurement("nvidia-cc", 7, Uint8Array.of(1, 2, 3), false), 1000n)),
    );
    await f.vote(4, "yes");
    await f.vote(5, "yes");
    await f.chain.advanceTo(10);
    expect((await f.query<RootsPage>("trusted_roots")).trusted_roots).toEqual([]);
    expect((await f.query<MeasurementsPage>("allowed_measurements/nvidia-cc")).allowed_measurements).toEqual(
      [],
    );
  });
});
