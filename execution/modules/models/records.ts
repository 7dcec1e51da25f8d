// The models module's state layout (prefix 0x07). Records are stored as their protos (the fee as a
// decimal string); this file is the only place that knows the keys.
//
//   [0x07, 0x01]                        Params
//   [0x07, 0x02]                        next model id (u64be; ids start at 1, never reused)
//   [0x07, 0x10] ++ u64be(id)           ModelVersion
//   [0x07, 0x11] ++ utf8(name@version)  u64be(id): the (name, version) uniqueness index
//   [0x07, 0x20]  SlotList              every model version, by id (the `models` list)
//   [0x07, 0x21] ++ owner SlotList      model versions of an owner (transfer moves the id)
//
// Names and versions never contain '@', so name@version names exactly one pair.
import { decodeCanonical, encode } from "../../../proto/canonical.js";
import { ModelVersion } from "../../../proto/index.js";
import { readU64be, u64be } from "../../../state/db.js";
import { parseAmount } from "../../amount.js";
import { type KvReader, type KvStore, type StateKey, stateKey } from "../../store.js";
import { SlotList } from "../slot-list.js";

export const MODELS_PREFIX = 0x07;
export const MODELS_PARAMS_KEY = stateKey(Uint8Array.of(MODELS_PREFIX, 0x01));
const NEXT_MODEL_ID_KEY = stateKey(Uint8Array.of(MODELS_PREFIX, 0x02));
const MODEL_TAG = 0x10;
const NAME_INDEX_TAG = 0x11;

function key(tag: number, tail: Uint8Array): StateKey {
  const out = new Uint8Array(2 + tail.length);
  out[0] = MODELS_PREFIX;
  out[1] = tag;
  out.set(tail, 2);
  return stateKey(out);
}

export const modelKey = (id: number): StateKey => key(MODEL_TAG, u64be(id));
export const modelNameKey = (name: string, version: string): StateKey =>
  key(NAME_INDEX_TAG, new TextEncoder().encode(`${name}@${version}`));

/** Every model version, in id order. */
export const ALL_MODELS = new SlotList(Uint8Array.of(MODELS_PREFIX, 0x20));
export const modelsOfOwner = (owner: Uint8Array): SlotList => new SlotList(key(0x21, owner).bytes);

/** The id the next registered model will get (1 on a fresh chain); does not take it. */
export async function peekModelId(reader: KvReader): Promise<number> {
  const bytes = await reader.get(NEXT_MODEL_ID_KEY);
  return bytes === undefined ? 1 : readU64be(bytes);
}

/** Takes the next model id (1, 2, 3...). */
export async function takeModelId(store: KvStore): Promise<number> {
  const id = await peekModelId(store);
  store.set(NEXT_MODEL_ID_KEY, u64be(id + 1));
  return id;
}

export async function loadModel(reader: KvReader, id: number): Promise<ModelVersion | undefined> {
  const bytes = await reader.get(modelKey(id));
  return bytes === undefined
    ? undefined
    : decodeCanonical<ModelVersion>(ModelVersion, bytes, "stored ModelVersion");
}

export function saveModel(store: KvStore, model: ModelVersion): void {
  store.set(modelKey(model.id), encode(ModelVersion, model));
}

/** The id registered under (name, version), if any. */
export async function findModelId(
  reader: KvReader,
  name: string,
  version: string,
): Promise<number | undefined> {
  const bytes = await reader.get(modelNameKey(name, version));
  return bytes === undefined ? undefined : readU64be(bytes);
}

/** Writes a new model version with its name index and list entries. The caller checked uniqueness. */
export async function insertModel(store: KvStore, model: ModelVersion): Promise<void> {
  saveModel(store, model);
  store.set(modelNameKey(model.name, model.version), u64be(model.id));
  await ALL_MODELS.append(store, model.id);
  await modelsOfOwner(model.owner).append(store, model.id);
}

/** The stored inference fee (stored records always hold a canonical decimal). */
export function modelFee(model: ModelVersion): bigint {
  return parseAmount(
    model.inferenceFee === "" ? "0" : model.inferenceFee,
    "stored inference_fee",
    "INTERNAL",
  );
}
