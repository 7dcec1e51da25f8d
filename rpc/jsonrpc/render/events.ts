import type { kyochi } from "../../../proto/index.js";
import type { EventJson } from "../../types.js";

export function renderEvents(
  events: readonly kyochi.types.v1.Event.$Properties[] | null | undefined,
): EventJson[] {
  return (events ?? []).map((event) => ({
    type: event.type ?? "",
    attributes: (event.attributes ?? []).map((attr) => ({ key: attr.key ?? "", value: attr.value ?? "" })),
  }));
}
