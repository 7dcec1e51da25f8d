// Tx messages as JSON, one renderer per Msg oneof case. A module that adds a message adds a line
// here (the mapped type makes a missing one a compile error); a case this build does not know
// still renders its fields generically, so a block never fails to show.
import { encodeAddress } from "../../../crypto/address.js";
import type { kyochi } from "../../../proto/index.js";
import type { MessageJson } from "../../types.js";
import { AI_MODULE_RENDERERS } from "./messages-ai.js";
import { COMPUTE_RENDERERS } from "./messages-compute.js";
import { hex } from "./values.js";

type MsgProps = kyochi.tx.v1.Msg.$Properties;
type MsgKind = NonNullable<kyochi.tx.v1.Msg["sum"]>;
type Renderer<K extends MsgKind> = (payload: NonNullable<MsgProps[K]>) => MessageJson;

/** An account address as bech32 when it is one (20 bytes), hex otherwise. */
function address(bytes: Uint8Array | null | undefined): string {
  return bytes != null && bytes.length === 20 ? encodeAddress(bytes) : hex(bytes);
}

const RENDERERS: { [K in MsgKind]: Renderer<K> } = {
  bankSend: (msg) => ({
    type: "kyochi.bank.v1.MsgSend",
    value: { to: address(msg.to), amount: msg.amount ?? "" },
  }),
  stakingCreateValidator: (msg) => ({
    type: "kyochi.staking.v1.MsgCreateValidator",
    value: {
      consensus_pubkey: hex(msg.consensusPubkey),
      self_stake: msg.selfStake ?? "",
      moniker: msg.moniker ?? "",
    },
  }),
  stakingAddStake: (msg) => ({ type: "kyochi.staking.v1.MsgAddStake", value: { amount: msg.amount ?? "" } }),
  stakingUnbond: (msg) => ({ type: "kyochi.staking.v1.MsgUnbond", value: { amount: msg.amount ?? "" } }),
  stakingUnjail: () => ({ type: "kyochi.staking.v1.MsgUnjail", value: {} }),
  ...AI_MODULE_RENDERERS,
  ...COMPUTE_RENDERERS,
};

export function renderMessage(msg: MsgProps): MessageJson {
  for (const kind of Object.keys(RENDERERS) as MsgKind[]) {
    const payload = msg[kind];
    if (payload != null) return (RENDERERS[kind] as Renderer<MsgKind>)(payload);
  }
  // A case without a renderer: show whatever fields it has.
  for (const [kind, payload] of Object.entries(msg)) {
    if (!kind.startsWith("$") && kind !== "sum" && payload != null && typeof payload === "object") {
      return { type: kind, value: genericValue(payload) };
    }
  }
  return { type: "unknown", value: {} };
}

function genericValue(payload: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (key.startsWith("$")) continue;
    if (value instanceof Uint8Array) out[key] = hex(value);
    else if (value !== null && typeof value === "object") out[key] = String(value);
    else out[key] = value;
  }
  return out;
}
