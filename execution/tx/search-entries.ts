// What a committed tx is found by in the explorer indexes (state/tx-search-index.ts).
//
// Sender: the signer. Recipients: every address the tx names other than as its signer, which
// covers every module without a per-message table:
//   - the `to` of each bank send (also when the send failed, and also a send to oneself), and
//   - every event attribute whose value is a kyo1 address other than the signer's (a transfer's
//     recipient, a royalty's model owner, a paid worker...).
// Events: every attribute of every event of the tx's result, as type.key=value.
import { ADDRESS_LENGTH, ADDRESS_PREFIX, decodeAddress } from "../../crypto/address.js";
import { bytesEqual } from "../../proto/canonical.js";
import type { TxResult } from "../../proto/index.js";
import type { EventAttributeSelector, TxSearchEntries } from "../../state/tx-search-index.js";
import type { DecodedTx } from "./decode.js";

/** Length of a bech32 kyo1 address of 20 bytes: "kyo" "1", 32 data chars, 6 checksum chars. */
const BECH32_ADDRESS_LENGTH = ADDRESS_PREFIX.length + 1 + 32 + 6;

export function txSearchEntries(tx: DecodedTx, result: TxResult): TxSearchEntries {
  const recipients: Uint8Array[] = [];
  for (const msg of tx.messages) {
    const to = msg.bankSend?.to;
    if (to != null && to.length === ADDRESS_LENGTH) recipients.push(to);
  }
  const attributes: EventAttributeSelector[] = [];
  for (const event of result.events ?? []) {
    const type = event.type ?? "";
    for (const attr of event.attributes ?? []) {
      const key = attr.key ?? "";
      const value = attr.value ?? "";
      attributes.push({ type, key, value });
      // The signer's own address (fee payer, sender) is most address values: no bech32 decode.
      if (value === tx.senderBech32) continue;
      const address = addressValue(value);
      if (address !== undefined && !bytesEqual(address, tx.sender)) recipients.push(address);
    }
  }
  return { sender: tx.sender, recipients, attributes };
}

/** The 20 bytes of `value` when it is a kyo1 address; cheap checks first (most values are not). */
function addressValue(value: string): Uint8Array | undefined {
  if (value.length !== BECH32_ADDRESS_LENGTH || !value.startsWith(`${ADDRESS_PREFIX}1`)) return undefined;
  try {
    return decodeAddress(value);
  } catch {
    return undefined;
  }
}
