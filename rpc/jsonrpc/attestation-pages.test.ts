// attestation_getTrustedRoots and attestation_getAllowedMeasurements over JSON-RPC, against a
// real application whose genesis holds more roots and measurements than one small page: walking
// the pages returns every entry exactly once, and the roots' evidenceClass filter (applied within
// each page) may leave a page empty while nextCursor goes on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256, toHex } from "../../crypto/hash.js";
import type { GenesisTrustedRoot } from "../../execution/genesis-types.js";
import { selfSignedCertificate } from "../../execution/modules/attestation/test-certificates.js";
import { startTestChain, type TestChain } from "../../execution/test-chain.js";
import { newAccount, testGenesis } from "../../execution/test-helpers.js";
import type { KyochiRpcClient } from "../client/client.js";
import { serveAppJsonRpc } from "../testing/app-backend.js";
import type { JsonRpcServer } from "./server.js";

const ROOTS = 7;
const MEASUREMENTS = 5;
// Roots 0, 3 and 6 are nvidia-cc, the others dev: with pages of 2, the nvidia-cc filter leaves
// the third page (roots 4 and 5) empty.
const classOf = (i: number) => (i % 3 === 0 ? "nvidia-cc" : "dev");

let chain: TestChain;
let server: JsonRpcServer;
let client: KyochiRpcClient;
const rootIds: { id: string; evidenceClass: string }[] = [];

interface Page<T> {
  items: T[];
  nextCursor: number | null;
}

/** Every page from the start, `limit` at a time; throws if the cursor never reaches null. */
async function walk<T>(read: (cursor: number | undefined) => Promise<Page<T>>): Promise<Page<T>[]> {
  const pages: Page<T>[] = [];
  let cursor: number | undefined;
  do {
    const page = await read(cursor);
    pages.push(page);
    if (page.nextCursor !== null && page.nextCursor === cursor) throw new Error("the cursor did not move");
    cursor = page.nextCursor ?? undefined;
    if (pages.length > 50) throw new Error("pagination does not end");
  } while (cursor !== undefined);
  return pages;
}

beforeAll(async () => {
  const { genesis } = testGenesis([{ account: newAccount(), balance: 1_000_000n }]);
  const roots: GenesisTrustedRoot[] = [];
  for (let i = 0; i < ROOTS; i++) {
    const cert = selfSignedCertificate(`root ${i}`, { serial: i + 1 });
    roots.push({ evidence_class: classOf(i), label: `root-${i}`, certificate_pem: cert.pem });
    rootIds.push({ id: `0x${toHex(sha256(cert.der))}`, evidenceClass: classOf(i) });
  }
  genesis.attestation = {
    trusted_roots: roots,
    allowed_measurements: Array.from({ length: MEASUREMENTS }, (_, i) => ({
      evidence_class: "dev",
      index: i % 2,
      value: `0x${String(i + 1).padStart(2, "0")}`,
    })),
  };
  chain = await startTestChain(genesis);
  await chain.block({ txs: [] });
  ({ server, client } = await serveAppJsonRpc(chain));
});

afterAll(async () => {
  await server?.close();
  await chain?.close();
});

describe("attestation lists page over JSON-RPC", () => {
  it("pages of 2 return every trusted root exactly once, in order", async () => {
    const pages = await walk(async (cursor) => {
      const r = await client.getTrustedRoots({ limit: 2, ...(cursor !== undefined ? { cursor } : {}) });
      return { items: r.trustedRoots.map((x) => x.id), nextCursor: r.nextCursor };
    });
    expect(pages.length).toBe(Math.ceil(ROOTS / 2));
    expect(pages.every((p) => p.items.length <= 2)).toBe(true);
    expect(pages.flatMap((p) => p.items)).toEqual(rootIds.map((r) => r.id));
  });

  it("the evidenceClass filter keeps the page's roots of that class: a page may be empty, the walk is complete", async () => {
    const pages = await walk(async (cursor) => {
      const r = await client.getTrustedRoots({
        evidenceClass: "nvidia-cc",
        limit: 2,
        ...(cursor !== undefined ? { cursor } : {}),
      });
      return { items: r.trustedRoots, nextCursor: r.nextCursor };
    });
    const items = pages.flatMap((p) => p.items);
    expect(items.every((r) => r.evidenceClass === "nvidia-cc")).toBe(true);
    expect(items.map((r) => r.id)).toEqual(
      rootIds.filter((r) => r.evidenceClass === "nvidia-cc").map((r) => r.id),
    );
    expect(pages.some((p) => p.items.length === 0 && p.nextCursor !== null)).toBe(true);
  });

  it("pages of 2 return every allowed measurement of a class exactly once", async () => {
    const pages = await walk(async (cursor) => {
      const r = await client.getAllowedMeasurements("dev", {
        limit: 2,
        ...(cursor !== undefined ? { cursor } : {}),
      });
      return { items: r.allowedMeasurements.map((m) => m.value), nextCursor: r.nextCursor };
    });
    expect(pages.length).toBe(Math.ceil(MEASUREMENTS / 2));
    const values = pages.flatMap((p) => p.items);
    expect(values).toHaveLength(MEASUREMENTS);
    expect(new Set(values)).toEqual(new Set(["0x01", "0x02", "0x03", "0x04", "0x05"]));
  });

  it("refuses a limit above 100 and an unknown evidence class as INVALID_PARAMS", async () => {
    const code = async (params: { limit?: number; evidenceClass?: string }) =>
      client.getTrustedRoots(params).then(
        () => "answered",
        (err: { kyochiCode?: string }) => err.kyochiCode,
      );
    expect(await code({ limit: 101 })).toBe("INVALID_PARAMS");
    expect(await code({ evidenceClass: "sgx" })).toBe("INVALID_PARAMS");
  });
});
