// Sends the daemon's txs one at a time and waits for each to be committed. The nonce is read from
// the chain before every tx rather than counted locally, so a restart (or a tx that timed out but
// was included after all) can never leave the daemon stuck on a stale nonce.
import { addressFromPublicKey, encodeAddress } from "../../crypto/address.js";
import type { SigningKey } from "../../crypto/keys.js";
import type { Msg } from "../../proto/index.js";
import type { KyochiRpcClient } from "../../rpc/client/client.js";
import { signTx } from "../../rpc/client/tx-builder.js";
import type { TxResultJson } from "../../rpc/types.js";
import { WorkerError } from "./errors.js";

export interface SentTx {
  hash: string;
  height: number;
  result: TxResultJson;
}

export class TxSender {
  readonly address: string;
  private chainId: string | undefined;

  constructor(
    private readonly client: KyochiRpcClient,
    private readonly key: SigningKey,
    private readonly gasLimit = 400_000,
  ) {
    this.address = encodeAddress(addressFromPublicKey(key.type, key.publicKey));
  }

  /**
   * Signs and broadcasts `messages`, waiting for inclusion. Throws WORKER_TX_REFUSED when the node
   * refuses the tx or it fails in its block, with the chain's codename in the message.
   */
  async send(messages: Msg[], what: string, gasLimit = this.gasLimit): Promise<SentTx> {
    this.chainId ??= (await this.client.status()).chainId;
    const nonce = (await this.client.getAccount(this.address)).nonce;
    // The fee is the gas limit at the devnet's minimum gas price; a node with a higher price
    // refuses it with a clear codename.
    const tx = signTx(this.key, messages, {
      chainId: this.chainId,
      nonce,
      fee: BigInt(gasLimit),
      gasLimit,
      memo: "",
    });
    const answer = await this.client.broadcastTx(tx.bytes, "commit", 30_000);
    if (answer.result.code !== 0) {
      throw new WorkerError(
        "WORKER_TX_REFUSED",
        `${what}: ${answer.result.codename} (code ${answer.result.code}): ${answer.result.log}`,
      );
    }
    return { hash: answer.hash, height: answer.height, result: answer.result };
  }
}
