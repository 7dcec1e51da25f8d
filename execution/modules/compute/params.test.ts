// params.compute and params.attestation: genesis values stored and read back as genesis spells
// them; governance goes through the same checks (its own codes), so no proposal can set what a
// genesis file could not.
import { describe, expect, it } from "vitest";
import { DEFAULT_GENESIS_PARAMS } from "../../genesis-types.js";
import { type StateKey, StateLayer } from "../../store.js";
import {
  ATTESTATION_PARAM_SPACE,
  loadAttestationParams,
  storeAttestationParams,
} from "../attestation/params.js";
import { COMPUTE_PARAM_SPACE, COMPUTE_PARAMS_KEY, loadComputeParams, storeComputeParams } from "./params.js";

class MemoryState extends StateLayer {
  protected readParent(_key: StateKey): Promise<Uint8Array | undefined> {
    return Promise.resolve(undefined);
  }
}

describe("params.compute", () => {
  it("stores the genesis section and reads it back as genesis spells it", async () => {
    const state = new MemoryState();
    storeComputeParams(state, { ...DEFAULT_GENESIS_PARAMS.compute }, "GENESIS_INVALID");
    expect(await COMPUTE_PARAM_SPACE.load(state)).toEqual(DEFAULT_GENESIS_PARAMS.compute);
    const p = await loadComputeParams(state);
    expect(p.minWorkerStake).toBe(1_000_000n);
    expect(p.maxReplication).toBe(7);
  });

  it("refuses a section out of its bounds, with a missing or an unknown key", async () => {
    const state = new MemoryState();
    const d = DEFAULT_GENESIS_PARAMS.compute;
    const bad: Record<string, string | number>[] = [
      { ...d, max_replication: 0 },
      { ...d, slash_missed_bps: 10_001 },
      { ...d, min_worker_stake: "0" },
      { ...d, min_worker_stake: (1n << 128n).toString() },
      { ...d, commit_window_blocks: 1.5 },
      { ...d, max_faults: "3" },
      { ...d, surprise: 1 },
    ];
    const { max_job_blocks: _, ...missing } = d;
    bad.push(missing);
    for (const values of bad) {
      await expect(COMPUTE_PARAM_SPACE.store(state, values)).rejects.toMatchObject({
        code: "COMPUTE_PARAM_INVALID",
      });
    }
    expect(await state.get(COMPUTE_PARAMS_KEY)).toBeUndefined();
    await COMPUTE_PARAM_SPACE.store(state, { ...d, max_replication: 9 });
    expect((await loadComputeParams(state)).maxReplication).toBe(9);
  });
});

describe("params.attestation", () => {
  it("spells any_value_indices as a list in genesis and as comma-separated text for governance", async () => {
    const state = new MemoryState();
    storeAttestationParams(
      state,
      { anchorWindowBlocks: 50, validityBlocks: 500, anyValueIndices: [3, 17] },
      "GENESIS_INVALID",
    );
    expect(await ATTESTATION_PARAM_SPACE.load(state)).toEqual({
      anchor_window_blocks: 50,
      validity_blocks: 500,
      any_value_indices: "3,17",
    });
    await ATTESTATION_PARAM_SPACE.store(state, {
      anchor_window_blocks: 10,
      validity_blocks: 20,
      any_value_indices: "",
    });
    expect(await loadAttestationParams(state)).toEqual({
      anchorWindowBlocks: 10,
      validityBlocks: 20,
      anyValueIndices: [],
    });
    const d = { anchor_window_blocks: 10, validity_blocks: 20, any_value_indices: "1" };
    for (const values of [
      { ...d, any_value_indices: "3,1" },
      { ...d, any_value_indices: "1,1" },
      { ...d, any_value_indices: "256" },
      { ...d, any_value_indices: "1, 2" },
      { ...d, anchor_window_blocks: 0 },
      { ...d, validity_blocks: 10_000_001 },
      { ...d, extra: 1 },
    ]) {
      await expect(ATTESTATION_PARAM_SPACE.store(state, values)).rejects.toMatchObject({
        code: "ATTESTATION_PARAM_INVALID",
      });
    }
    expect(DEFAULT_GENESIS_PARAMS.attestation).toEqual({
      anchor_window_blocks: 100,
      validity_blocks: 1000,
      any_value_indices: [],
    });
  });
});
