import { describe, expect, it } from "vitest";
import { toHex } from "../../crypto/hash.js";
import { validatorSetHash } from "../../crypto/ssz.js";
import { BlockIdFlag, type ValidatorInfo } from "../../proto/index.js";
import { MemoryHub, type TestNode, validatorKeys, waitForHeight } from "../testing/harness.js";
import { kvTx } from "../testing/kv-app.js";
import { useTempNodes } from "../testing/temp-nodes.js";
import { headerOf } from "./block.js";

const temp = useTempNodes("valupdates");

/** Heights at which the tx `tx` was committed on `node`. */
async function heightOf(node: TestNode, tx: Uint8Array, upTo: number): Promise<number> {
  for (let h = 1; h <= upTo; h++) {
    const block = await node.blockStore.getBlock(h);
    if (block?.txs.some((t) => Buffer.from(t).equals(Buffer.from(tx)))) return h;
  }
  throw new Error("tx not committed");
}

describe("validator set changes", () => {
  it("take effect two heights after the block that decided them: a validator joins, another leaves", async () => {
    const { keys, validators } = validatorKeys(5);
    // Genesis has validators 0..3; key 4 runs a node from the start but is not in the set yet.
    const genesis = validators.filter((v) => !Buffer.from(v.pubKey).equals(Buffer.from(keys[4]!.publicKey)));
    expect(genesis).toHaveLength(4);
    const hub = new MemoryHub();
    const nodes: TestNode[] = [];
    for (const [i, key] of keys.entries()) {
      const n = await temp.open(`v${i}`, { key, validators: genesis, transport: hub.transport(`v${i}`) });
      nodes.push(n);
    }
    const leaving = genesis[0]!;
    const join4 = kvTx(`val/${toHex(keys[4]!.publicKey)}`, "10");
    const leave0 = kvTx(`val/${toHex(leaving.pubKey)}`, "0");
    for (const n of nodes) n.txs.add(join4);
    await Promise.all(nodes.map((n) => n.consensus.start()));
    await Promise.all(nodes.map((n) => waitForHeight(n, 3)));
    for (const n of nodes) n.txs.add(leave0);
    await Promise.all(nodes.slice(1).map((n) => waitForHeight(n, 12)));

    const observer = nodes[1]!;
    const joinedAt = await heightOf(observer, join4, 12);
    const leftAt = await heightOf(observer, leave0, 12);
    // validatorKeys gives every validator power 10, the power the update gives key 4.
    const setHash = (infos: ValidatorInfo[]) => toHex(validatorSetHash(infos));
    const genesisHash = setHash(genesis);
    const fiveHash = setHash(validators);
    const fourHash = setHash(validators.filter((v) => v !== leaving));

    const header = async (h: number) => headerOf((await observer.blockStore.getBlock(h))!);
    // Decided at H: H+1 is still decided by the old set, but announces the new one as next.
    expect(toHex((await header(joinedAt + 1)).validatorsHash)).toBe(genesisHash);
    expect(toHex((await header(joinedAt + 1)).nextValidatorsHash)).toBe(fiveHash);
    expect(toHex((await header(joinedAt + 2)).validatorsHash)).toBe(fiveHash);
    expect(toHex((await header(leftAt + 2)).validatorsHash)).toBe(fourHash);

    // The joined validator signs commits of the heights its set decides; the leaver stops.
    const signers = async (h: number) => {
      const commit = (await observer.blockStore.getCommit(h))!;
      return commit.signatures
        .filter((s) => s.flag === BlockIdFlag.BLOCK_ID_FLAG_COMMIT)
        .map((s) => toHex(s.validatorAddress ?? new Uint8Array(0)));
    };
    expect(await signers(joinedAt + 1)).not.toContain(toHex(validators[4]!.address));
    // A commit holds the first +2/3 precommits, so look at several heights for the newcomer.
    const laterSigners = new Set<string>();
    for (let h = joinedAt + 2; h <= 11; h++) for (const a of await signers(h)) laterSigners.add(a);
    expect(laterSigners).toContain(toHex(validators[4]!.address));
    for (let h = leftAt + 2; h <= 11; h++) {
      expect((await observer.blockStore.getCommit(h))!.signatures).toHaveLength(4);
      expect(await signers(h)).not.toContain(toHex(leaving.address));
    }

    // Every node agrees on every block.
    for (let h = 1; h <= 12; h++) {
      const hashes = await Promise.all(
        nodes.slice(1).map(async (n) => toHex((await n.blockStore.getBlockHash(h))!)),
      );
      expect(new Set(hashes).size).toBe(1);
    }
  });
});
