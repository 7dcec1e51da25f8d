// Param validation bugs found by the bad-input sweep (test/e2e/api-bad-input.test.ts), each pinned
// here: numbers past double range, null for an optional filter, a query path smuggled in a
// string param, and a deeply nested subscription kind.
import { describe, expect, it } from "vitest";
import type { AppQueryAnswer } from "../backend.js";
import { RpcError } from "../errors.js";
import { parseSubscribeParams } from "../subscriptions/filter.js";
import { MemoryChain } from "../testing/memory-chain.js";
import type { RpcMethodName } from "../types.js";
import { METHODS } from "./methods/index.js";
import { optionalHeight, optionalInteger } from "./params.js";

/** A chain whose module queries all succeed with `{}`, remembering the paths asked. */
class RecordingChain extends MemoryChain {
  readonly paths: string[] = [];
  override async queryApp(path: string): Promise<AppQueryAnswer> {
    this.paths.push(path);
    return { code: 0, codename: "OK", log: "", height: 1, value: new TextEncoder().encode("{}") };
  }
}

async function queriedPath(method: RpcMethodName, params: unknown): Promise<string | undefined> {
  const chain = new RecordingChain();
  await chain.commitBlock();
  await METHODS[method](params, { backend: chain, commitTimeoutMs: 1000 });
  return chain.paths.at(-1);
}

function refusal(f: () => unknown): { code: string; param?: unknown; reason?: unknown } {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(RpcError);
    const data = (err as RpcError).data;
    return { code: data.code, param: data.param, reason: data.reason };
  }
  throw new Error("expected a refusal");
}

async function asyncRefusal(p: Promise<unknown>): Promise<{ code: string; reason?: unknown }> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(RpcError);
    const data = (err as RpcError).data;
    return { code: data.code, reason: data.reason };
  }
  throw new Error("expected a refusal");
}

describe("param validation", () => {
  it("calls a number past double range (JSON 1e400 is Infinity) out of range, not a fraction", () => {
    for (const value of [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(refusal(() => optionalHeight({ height: value }, "height"))).toMatchObject({
        code: "INVALID_PARAMS",
        reason: "OUT_OF_RANGE",
      });
      expect(refusal(() => optionalInteger({ limit: value }, "limit", 1, 100))).toMatchObject({
        reason: "OUT_OF_RANGE",
      });
    }
    expect(refusal(() => optionalHeight({ height: 1.5 }, "height"))).toMatchObject({
      reason: "NOT_AN_INTEGER",
    });
  });

  it("treats null as absent for optional filters, as it does for heights", async () => {
    expect(await queriedPath("data_listLicenses", { licensee: null, datasetId: 4 })).toBe(
      "licenses/dataset=4",
    );
    expect(await queriedPath("data_listDatasets", { owner: null })).toBe("datasets/");
    expect(await queriedPath("compute_listJobs", { owner: null, worker: null, state: null })).toBe("jobs/");
    expect(await queriedPath("compute_listWorkers", { operator: null, attested: null })).toBe("workers/");
    expect(await queriedPath("model_get", { id: null, name: "m", version: "1" })).toBe("model/m@1");
    expect(await queriedPath("model_list", { owner: null })).toBe("models/");
    expect(await queriedPath("gov_listProposals", { status: null })).toBe("proposals/");
    expect(await queriedPath("attestation_getTrustedRoots", { evidenceClass: null })).toBe("trusted_roots/");
  });

  it("refuses an evidence class that would smuggle list arguments into the query path", async () => {
    expect(await queriedPath("attestation_getAllowedMeasurements", { evidenceClass: "dev" })).toBe(
      "allowed_measurements/dev",
    );
    expect(
      await queriedPath("attestation_getAllowedMeasurements", { evidenceClass: "dev", cursor: 2, limit: 3 }),
    ).toBe("allowed_measurements/dev/cursor=2&limit=3");
    const chain = new RecordingChain();
    await chain.commitBlock();
    expect(
      await asyncRefusal(
        METHODS.attestation_getAllowedMeasurements(
          { evidenceClass: "dev/limit=1" },
          { backend: chain, commitTimeoutMs: 1000 },
        ),
      ),
    ).toEqual({ code: "INVALID_PARAMS", reason: "BAD_VALUE" });
    expect(chain.paths).toEqual([]);
  });

  it("refuses a deeply nested subscription kind as a bad value, not an internal error", () => {
    const deep = JSON.parse(`${"[".repeat(100_000)}${"]".repeat(100_000)}`) as unknown;
    expect(refusal(() => parseSubscribeParams({ kind: deep }))).toEqual({
      code: "INVALID_PARAMS",
      param: "kind",
      reason: "BAD_VALUE",
    });
    expect(refusal(() => parseSubscribeParams({ kind: 7 }))).toMatchObject({ reason: "BAD_VALUE" });
  });
});
