// tx_simulate: gas, result and events a signed tx would have as the next block's first tx,
// without committing anything (see KyochiApp.simulateTx for the rules it applies).
import { readParams, requiredHex } from "../params.js";
import { renderEvents } from "../render/events.js";
import type { MethodHandler } from "./context.js";

export const txSimulate: MethodHandler<"tx_simulate"> = async (raw, { backend }) => {
  const params = readParams(raw, ["tx"]);
  const tx = requiredHex(params, "tx", { minLength: 1 });
  const r = await backend.simulateTx(tx);
  return {
    gasWanted: r.gasWanted,
    gasUsed: r.gasUsed,
    code: r.code,
    codename: r.codename,
    log: r.log,
    events: renderEvents(r.events),
  };
};
