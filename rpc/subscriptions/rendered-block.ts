// One committed block as the subscriptions of every connection need it. Each piece (the block, a
// tx, an event) is rendered to JSON text once, on first need, and shared by all subscribers: with
// many subscribers the cost of a block is one render, not one per subscriber.
import { sha256 } from "../../crypto/hash.js";
import { type kyochi, Tx, TxBody, TxRecord, TxResult } from "../../proto/index.js";
import type { CommittedBlock } from "../backend.js";
import { renderBlock, renderBlockResults } from "../jsonrpc/render/block.js";
import { renderEvents } from "../jsonrpc/render/events.js";
import { renderTxRecord } from "../jsonrpc/render/tx.js";
import { hex } from "../jsonrpc/render/values.js";
import { moduleOfMsg } from "./event-modules.js";
import type { BlockNotificationJson, EventNotificationJson } from "./types.js";

/** JSON text of a value whose renderers emit JSON-ready values (bigint/bytes are a safety net). */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "bigint") return v.toString();
    if (v instanceof Uint8Array) return `0x${Buffer.from(v.buffer, v.byteOffset, v.length).toString("hex")}`;
    return v;
  });
}

export class RenderedBlock {
  private blockText: string | undefined;
  private readonly txTexts = new Map<number, string>();
  private readonly eventTexts = new Map<string, string>();
  private readonly hashes = new Map<number, Uint8Array>();
  private readonly msgModules = new Map<number, readonly string[]>();

  constructor(readonly committed: CommittedBlock) {}

  get height(): number {
    return this.committed.height;
  }

  get txs(): readonly Uint8Array[] {
    return this.committed.block.block.txs ?? [];
  }

  txResult(index: number): kyochi.types.v1.TxResult.$Properties {
    return this.committed.results.txResults[index] ?? TxResult.create();
  }

  txHash(index: number): Uint8Array {
    let hash = this.hashes.get(index);
    if (hash === undefined) {
      hash = sha256(this.txs[index]!);
      this.hashes.set(index, hash);
    }
    return hash;
  }

  /** The modules of the tx's messages (empty when the tx does not decode). */
  txMsgModules(index: number): readonly string[] {
    let modules = this.msgModules.get(index);
    if (modules === undefined) {
      try {
        const body = TxBody.decode(Tx.decode(this.txs[index]!).body);
        modules = [...new Set(body.messages.map(moduleOfMsg).filter((m): m is string => m !== undefined))];
      } catch {
        modules = [];
      }
      this.msgModules.set(index, modules);
    }
    return modules;
  }

  blockJson(): string {
    if (this.blockText === undefined) {
      const { block, blockHash } = this.committed.block;
      const result: BlockNotificationJson = {
        height: this.height,
        block: renderBlock(block, blockHash),
        results: renderBlockResults(this.committed.results, this.txs),
      };
      this.blockText = toJsonText(result);
    }
    return this.blockText;
  }

  txJson(index: number): string {
    let text = this.txTexts.get(index);
    if (text === undefined) {
      const record = TxRecord.create({
        hash: this.txHash(index),
        height: this.height,
        index,
        tx: this.txs[index]!,
        result: this.txResult(index),
      });
      text = toJsonText(renderTxRecord(record));
      this.txTexts.set(index, text);
    }
    return text;
  }

  /** `txIndex` undefined: a block-level event (results.finalizeEvents). */
  eventJson(txIndex: number | undefined, eventIndex: number): string {
    const key = `${txIndex ?? "b"}:${eventIndex}`;
    let text = this.eventTexts.get(key);
    if (text === undefined) {
      const events =
        (txIndex === undefined ? this.committed.results.finalizeEvents : this.txResult(txIndex).events) ?? [];
      const [event] = renderEvents([events[eventIndex]!]);
      const result: EventNotificationJson =
        txIndex === undefined
          ? { height: this.height, source: "block", eventIndex, event: event! }
          : {
              height: this.height,
              source: "tx",
              txHash: hex(this.txHash(txIndex)),
              txIndex,
              eventIndex,
              event: event!,
            };
      text = toJsonText(result);
      this.eventTexts.set(key, text);
    }
    return text;
  }
}
