// Test fixture for the models module: an in-memory state (the real StateLayer and MeteredStore,
// no tree) where datasets and licenses are written directly with the data module's records, and
// models messages run through their real handlers (validate, then execute).
//
// Messages run straight on the state, with no tx scope to drop their writes: a refused message
// must leave the state exactly as it was, which `snapshot()` lets tests check.
import { encodeAddress } from "../../../crypto/address.js";
import { Dataset, type Event, License, ModelFormat } from "../../../proto/index.js";
import { ExecutionError } from "../../errors.js";
import { GasMeter } from "../../gas.js";
import { MeteredStore, type StateKey, StateLayer } from "../../store.js";
import { TEST_TX_PARAMS } from "../../test-helpers.js";
import { accountStateKey, loadAccount, saveAccount } from "../accounts/index.js";
import { saveDataset, saveLicense, takeDatasetId, takeLicenseId } from "../data/records.js";
import type { MsgContext, MsgKind, MsgPayload } from "../types.js";
import { MODELS_MSG_HANDLERS } from "./index.js";
import { storeModelsParams } from "./params.js";

type ModelsKind = keyof typeof MODELS_MSG_HANDLERS;

class MemoryState extends StateLayer {
  protected readParent(_key: StateKey): Promise<Uint8Array | undefined> {
    return Promise.resolve(undefined);
  }

  /** Every key -> value (hex), deleted keys included as null. */
  snapshot(): Map<string, string | null> {
    const out = new Map<string, string | null>();
    for (const [id, w] of this.writes)
      out.set(id, w.value === null ? null : Buffer.from(w.value).toString("hex"));
    return out;
  }
}

export interface LicenseTerms {
  royaltyBps?: number;
  commercialUse?: boolean;
  trainingAllowed?: boolean;
  grantedHeight?: number;
  /** 0 = perpetual */
  expiresHeight?: number;
}

export interface ModelsFixture {
  state: MemoryState;
  height: number;
  fund(address: Uint8Array, balance: bigint): void;
  balance(address: Uint8Array): Promise<bigint>;
  /** A dataset owned by `owner`; returns its id. */
  dataset(owner: Uint8Array): Promise<number>;
  /** A license of `datasetId` held by `licensee` (default terms: training, commercial, 0 bps, perpetual). */
  license(licensee: Uint8Array, datasetId: number, terms?: LicenseTerms): Promise<number>;
  /** Runs one models message signed by `sender`; returns its events or throws its ExecutionError. */
  run<K extends ModelsKind>(sender: Uint8Array, kind: K, payload: MsgPayload<K>): Promise<Event[]>;
  snapshot(): Map<string, string | null>;
}

export function startModelsFixture(
  params = { max_lineage_depth: 8, max_licenses_per_model: 16 },
): ModelsFixture {
  const state = new MemoryState();
  storeModelsParams(state, params, "GENESIS_INVALID");
  const f: ModelsFixture = {
    state,
    height: 10,
    fund(address, balance) {
      saveAccount(state, accountStateKey(address), { nonce: 0, balance });
    },
    async balance(address) {
      return (await loadAccount(state, accountStateKey(address))).balance;
    },
    async dataset(owner) {
      const id = await takeDatasetId(state);
      saveDataset(
        state,
        Dataset.create({
          id,
          owner,
          name: `dataset-${id}`,
          contentRoot: new Uint8Array(32).fill(id),
          sizeBytes: 1000,
          locationUri: `ipfs://dataset-${id}`,
          format: "parquet",
          createdHeight: 1,
        }),
      );
      return id;
    },
    async license(licensee, datasetId, terms = {}) {
      const id = await takeLicenseId(state);
      saveLicense(
        state,
        License.create({
          id,
          licensee,
          datasetId,
          offerId: 1,
          price: "0",
          durationBlocks: terms.expiresHeight ? terms.expiresHeight - (terms.grantedHeight ?? 1) + 1 : 0,
          commercialUse: terms.commercialUse ?? true,
          trainingAllowed: terms.trainingAllowed ?? true,
          royaltyBps: terms.royaltyBps ?? 0,
          grantedHeight: terms.grantedHeight ?? 1,
          expiresHeight: terms.expiresHeight ?? 0,
        }),
      );
      return id;
    },
    async run(sender, kind, payload) {
      const handler = MODELS_MSG_HANDLERS[kind] as unknown as {
        validate(msg: MsgPayload<MsgKind>): void;
        execute(ctx: MsgContext, msg: MsgPayload<MsgKind>): Promise<void>;
      };
      handler.validate(payload as MsgPayload<MsgKind>);
      const ctx: MsgContext = {
        store: new MeteredStore(state, new GasMeter(50_000_000)),
        sender,
        senderBech32: encodeAddress(sender),
        senderKey: accountStateKey(sender),
        events: [],
        recordsEvents: true,
        params: TEST_TX_PARAMS,
        height: f.height,
        timeMs: 1_700_000_000_000 + f.height * 1000,
      };
      await handler.execute(ctx, payload as MsgPayload<MsgKind>);
      return ctx.events;
    },
    snapshot: () => state.snapshot(),
  };
  return f;
}

/** A valid registration payload; `over` replaces fields. */
export function registration(over: Partial<MsgPayload<"modelsRegister">> = {}): MsgPayload<"modelsRegister"> {
  return {
    name: "llama-mini",
    version: "1.0",
    weightsHash: new Uint8Array(32).fill(7),
    sizeBytes: 4096,
    format: ModelFormat.MODEL_FORMAT_SAFETENSORS,
    locationUri: "ipfs://weights",
    cardHash: new Uint8Array(32).fill(9),
    inferenceFee: "0",
    parentId: 0,
    licenseIds: [],
    allowDerivatives: true,
    derivativeRoyaltyBps: 0,
    ...over,
  };
}

/** Runs `fn`, expects an ExecutionError with `code`, and returns its message. */
export async function refusal(fn: () => Promise<unknown>, code: string): Promise<string> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof ExecutionError && err.code === code) return err.message;
    throw err;
  }
  throw new Error(`expected ${code}, but it succeeded`);
}

/** Attribute map of an event. */
export function attrs(event: Event | undefined): Record<string, string> {
  return Object.fromEntries((event?.attributes ?? []).map((a) => [a.key ?? "", a.value ?? ""]));
}
