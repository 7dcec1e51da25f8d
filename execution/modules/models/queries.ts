// Models queries (answers are UTF-8 JSON):
//   model/<id> | model/<name>@<version>   ModelView
//   models/<cursor=&limit=&owner=kyo1..>  {"models": ModelView[], "next_cursor": n | null}
//   lineage/<id>                          {"model_id", "lineage": LineageEntryView[]} (model first, then ancestors)
import type { ModelVersion } from "../../../proto/index.js";
import { ExecutionError } from "../../errors.js";
import type { KvReader } from "../../store.js";
import { parseAddress } from "../accounts/index.js";
import { loadDataset, loadLicense } from "../data/records.js";
import { parsePageArgs } from "../slot-list.js";
import type { QueryAnswer } from "../types.js";
import { loadLineage } from "./lineage.js";
import { ALL_MODELS, findModelId, loadModel, modelsOfOwner } from "./records.js";
import { type CitedLicenseView, citedLicenseView, type LineageEntryView, modelView } from "./views.js";

function json(value: unknown): QueryAnswer {
  return { value: new TextEncoder().encode(JSON.stringify(value)) };
}

function parseId(text: string): number {
  if (!/^[1-9][0-9]{0,15}$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new ExecutionError(
      "QUERY_INVALID_ARGUMENT",
      `model id must be a positive integer, got ${JSON.stringify(text)}`,
    );
  }
  return Number(text);
}

async function requireModel(reader: KvReader, id: number): Promise<ModelVersion> {
  const model = await loadModel(reader, id);
  if (!model) throw new ExecutionError("MODEL_NOT_FOUND", `no model has id ${id}`);
  return model;
}

/** `model/<id>` or `model/<name>@<version>`. */
export async function queryModel(reader: KvReader, arg: string): Promise<QueryAnswer> {
  const at = arg.indexOf("@");
  if (at < 0) return json(modelView(await requireModel(reader, parseId(arg))));
  const name = arg.slice(0, at);
  const version = arg.slice(at + 1);
  if (name === "" || version === "" || version.includes("@")) {
    throw new ExecutionError(
      "QUERY_INVALID_ARGUMENT",
      `expected <name>@<version>, got ${JSON.stringify(arg)}`,
    );
  }
  const id = await findModelId(reader, name, version);
  if (id === undefined) throw new ExecutionError("MODEL_NOT_FOUND", `no model is registered as ${arg}`);
  return json(modelView(await requireModel(reader, id)));
}

/** `models/<cursor=&limit=&owner=>`: every model, or one owner's, in slot order. */
export async function queryModels(reader: KvReader, arg: string): Promise<QueryAnswer> {
  const { cursor, limit, filters } = parsePageArgs(arg, ["owner"]);
  const owner = filters.get("owner");
  const list =
    owner === undefined ? ALL_MODELS : modelsOfOwner(parseAddress(owner, "QUERY_INVALID_ARGUMENT"));
  const page = await list.page(reader, cursor, limit);
  const models = await Promise.all(page.ids.map((id) => requireModel(reader, id)));
  return json({ models: models.map(modelView), next_cursor: page.nextCursor });
}

async function citedLicenses(reader: KvReader, model: ModelVersion): Promise<CitedLicenseView[]> {
  const views: CitedLicenseView[] = [];
  for (const id of model.licenseIds) {
    const license = await loadLicense(reader, id);
    if (!license) continue;
    const dataset = await loadDataset(reader, license.datasetId);
    views.push(citedLicenseView(license, dataset?.owner));
  }
  return views;
}

/** `lineage/<id>`: the model and its ancestors, each with its owner, royalty share and licenses. */
export async function queryLineage(reader: KvReader, arg: string): Promise<QueryAnswer> {
  const id = parseId(arg);
  const chain = await loadLineage(reader, id);
  if (!chain) throw new ExecutionError("MODEL_NOT_FOUND", `no model has id ${id}`);
  const lineage: LineageEntryView[] = [];
  for (const m of chain) {
    const v = modelView(m);
    lineage.push({
      id: v.id,
      name: v.name,
      version: v.version,
      owner: v.owner,
      depth: v.depth,
      parent_id: v.parent_id,
      deprecated: v.deprecated,
      inference_fee: v.inference_fee,
      derivative_royalty_bps: v.derivative_royalty_bps,
      licenses: await citedLicenses(reader, m),
    });
  }
  return json({ model_id: id, lineage });
}
