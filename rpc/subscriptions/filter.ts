// `subscribe` params: parsed strictly (an unknown key, a wrong type, an unknown module or kind is
// INVALID_PARAMS naming the param and why), and the matchers that decide what a subscription
// receives. Matching runs on the protos, before anything is rendered.
import { RpcError } from "../errors.js";
import { MODULE_NAMES, modulesOfEvent } from "./event-modules.js";
import { type AttributeEquals, SUBSCRIPTION_KINDS, type SubscriptionKind } from "./types.js";

/** Most attribute conditions in one filter, and the longest string compared. */
export const MAX_FILTER_ATTRIBUTES = 16;
export const MAX_FILTER_STRING = 256;

/** A parsed filter; attributes always a list. An empty filter matches everything. */
export interface ParsedFilter {
  module?: string;
  eventType?: string;
  attributes: AttributeEquals[];
}

export interface ParsedSubscription {
  kind: SubscriptionKind;
  filter: ParsedFilter;
}

/** A proto event as the matchers read it. */
export interface EventLike {
  type?: string | null;
  attributes?: readonly { key?: string | null; value?: string | null }[] | null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      throw RpcError.invalidParam(
        where === "" ? key : `${where}.${key}`,
        "UNKNOWN_PARAM",
        `unknown ${where === "" ? "param" : where} key "${key.slice(0, 40)}" (allowed: ${allowed.join(", ")})`,
      );
    }
  }
}

function filterString(value: unknown, param: string): string {
  if (typeof value !== "string")
    throw RpcError.invalidParam(param, "WRONG_TYPE", `"${param}" must be a string`);
  if (value.length === 0 || value.length > MAX_FILTER_STRING) {
    throw RpcError.invalidParam(
      param,
      "OUT_OF_RANGE",
      `"${param}" must be 1 to ${MAX_FILTER_STRING} characters, got ${value.length}`,
    );
  }
  return value;
}

function parseAttribute(value: unknown, param: string): AttributeEquals {
  if (!isObject(value)) {
    throw RpcError.invalidParam(
      param,
      "WRONG_TYPE",
      `"${param}" must be an object {"key": ..., "value": ...}`,
    );
  }
  checkKeys(value, ["key", "value"], param);
  if (value.key === undefined)
    throw RpcError.invalidParam(`${param}.key`, "MISSING", `"${param}.key" is required`);
  if (value.value === undefined) {
    throw RpcError.invalidParam(`${param}.value`, "MISSING", `"${param}.value" is required`);
  }
  const key = filterString(value.key, `${param}.key`);
  // An empty value is a real attribute value, so only its type and length are checked.
  if (typeof value.value !== "string") {
    throw RpcError.invalidParam(`${param}.value`, "WRONG_TYPE", `"${param}.value" must be a string`);
  }
  if (value.value.length > MAX_FILTER_STRING) {
    throw RpcError.invalidParam(
      `${param}.value`,
      "OUT_OF_RANGE",
      `"${param}.value" must be at most ${MAX_FILTER_STRING} characters`,
    );
  }
  return { key, value: value.value };
}

/**
 * A refused `kind` for the error message. Never JSON.stringify the client's value: a deeply nested
 * array overflows the stack there (an internal error instead of INVALID_PARAMS).
 */
function describeKind(kind: unknown): string {
  return typeof kind === "string"
    ? JSON.stringify(kind.slice(0, 40))
    : `a value of type ${Array.isArray(kind) ? "array" : typeof kind}`;
}

/** Parses `subscribe` params: {kind, filter?}. Throws INVALID_PARAMS with the reason. */
export function parseSubscribeParams(raw: unknown): ParsedSubscription {
  if (!isObject(raw)) {
    throw RpcError.invalidParam(
      "params",
      "NOT_AN_OBJECT",
      'params must be an object: {"kind": ..., "filter": {...}}',
    );
  }
  checkKeys(raw, ["kind", "filter"], "");
  if (raw.kind === undefined || raw.kind === null) {
    throw RpcError.invalidParam("kind", "MISSING", `"kind" is required (${SUBSCRIPTION_KINDS.join(", ")})`);
  }
  if (typeof raw.kind !== "string" || !(SUBSCRIPTION_KINDS as readonly string[]).includes(raw.kind)) {
    throw RpcError.invalidParam(
      "kind",
      "BAD_VALUE",
      `"kind" must be one of ${SUBSCRIPTION_KINDS.join(", ")}, got ${describeKind(raw.kind)}`,
    );
  }
  const kind = raw.kind as SubscriptionKind;
  const filter: ParsedFilter = { attributes: [] };
  if (raw.filter === undefined || raw.filter === null) return { kind, filter };
  if (!isObject(raw.filter))
    throw RpcError.invalidParam("filter", "WRONG_TYPE", '"filter" must be an object');
  const f = raw.filter;
  if (kind === "blocks" && Object.keys(f).length > 0) {
    throw RpcError.invalidParam(
      "filter",
      "CONFLICT",
      "blocks subscriptions take no filter (every block is sent)",
    );
  }
  checkKeys(f, ["module", "eventType", "attribute"], "filter");
  if (f.module !== undefined) {
    const module = filterString(f.module, "filter.module");
    if (!MODULE_NAMES.includes(module)) {
      throw RpcError.invalidParam(
        "filter.module",
        "BAD_VALUE",
        `unknown module "${module.slice(0, 40)}" (modules: ${MODULE_NAMES.join(", ")})`,
      );
    }
    filter.module = module;
  }
  if (f.eventType !== undefined) filter.eventType = filterString(f.eventType, "filter.eventType");
  if (f.attribute !== undefined) {
    const list = Array.isArray(f.attribute) ? f.attribute : [f.attribute];
    if (list.length === 0 || list.length > MAX_FILTER_ATTRIBUTES) {
      throw RpcError.invalidParam(
        "filter.attribute",
        "OUT_OF_RANGE",
        `"filter.attribute" must hold 1 to ${MAX_FILTER_ATTRIBUTES} conditions, got ${list.length}`,
      );
    }
    filter.attributes = list.map((a, i) =>
      parseAttribute(a, Array.isArray(f.attribute) ? `filter.attribute[${i}]` : "filter.attribute"),
    );
  }
  return { kind, filter };
}

/** The event's own conditions: type and every attribute (module is checked by the caller). */
function eventHasTypeAndAttributes(event: EventLike, filter: ParsedFilter): boolean {
  if (filter.eventType !== undefined && event.type !== filter.eventType) return false;
  const attrs = event.attributes ?? [];
  return filter.attributes.every((want) => attrs.some((a) => a.key === want.key && a.value === want.value));
}

/** Whether an event subscription wants this event. */
export function eventMatches(event: EventLike, filter: ParsedFilter): boolean {
  if (filter.module !== undefined && !modulesOfEvent(event.type ?? "").includes(filter.module)) return false;
  return eventHasTypeAndAttributes(event, filter);
}

/**
 * Whether a tx subscription wants this tx: one of its messages is of `module`, and, when an event
 * type or attributes are asked for, one of its events has them all.
 */
export function txMatches(
  msgModules: () => readonly string[],
  events: readonly EventLike[],
  filter: ParsedFilter,
): boolean {
  if (filter.module !== undefined && !msgModules().includes(filter.module)) return false;
  if (filter.eventType === undefined && filter.attributes.length === 0) return true;
  return events.some((event) => eventHasTypeAndAttributes(event, filter));
}
