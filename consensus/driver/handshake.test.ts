import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { toHex } from "../../crypto/hash.js";
import { BlockStore } from "../../state/block-store.js";
import { KyochiDb } from "../../state/db.js";
import { ConsensusError } from "../errors.js";
import { openNode, type TestNode, validatorKeys, waitForHalt, waitForHeight } from "../testing/harness.js";
import { kvTx } from "../testing/kv-app.js";
import { handshake } from "./handshake.js";
import { ConsensusValidatorSet } from "./validator-set.js";

let root: string;
const open: TestNode[] = [];
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "kyochi-handshake-"));
});
afterEach(async () => {
  for (const n of open.splice(0)) await n.close().catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
});

async function node(args: Parameters<typeof openNode>[0]): Promise<TestNode> {
  const n = await openNode(args);
  open.push(n);
  return n;
}
async function closeNode(n: TestNode): Promise<void> {
  open.splice(open.indexOf(n), 1);
  await n.close();
}

describe("handshake", () => {
  it("replays the last block into an application that is one block behind the block store", async () => {
    const { keys, validators } = validatorKeys(1);
    const dir = join(root, "v0");
    const appDbDir = join(root, "app-db");
    // The app keeps its state in a database of its own and "crashes" before writing block 3's state.
    const first = await node({
      dir,
      key: keys[0]!,
      validators,
      appDbDir,
      app: { storage: "own", loseCommitAt: 3 },
    });
    first.txs.add(kvTx("a", "1"));
    await first.consensus.start();
    await waitForHeight(first, 2);
    first.txs.add(kvTx("b", "2"));
    await waitForHalt(first); // height 4 cannot run on an app stuck at 2
    const recorded3 = toHex((await first.blockStore.getBlockResults(3))!.appHash);
    await closeNode(first);

    const second = await node({ dir, key: keys[0]!, validators, appDbDir, app: { storage: "own" } });
    expect(second.blockStore.height).toBe(3);
    expect(second.app.lastHeight).toBe(2);
    await second.consensus.start();
    expect(second.app.lastHeight).toBe(3);
    expect(second.app.appHashHex()).toBe(recorded3);
    expect(second.app.calls.finalize[0]).toBe(3);
    await waitForHeight(second, 5);
    expect(second.app.state.get("b")).toBe("2");
  });

  it("refuses to start when the heights differ by more than one block, naming both", async () => {
    const { keys, validators } = validatorKeys(1);
    const dir = join(root, "v0");
    const first = await node({
      dir,
      key: keys[0]!,
      validators,
      appDbDir: join(root, "app-db"),
      app: { storage: "own" },
    });
    await first.consensus.start();
    await waitForHeight(first, 3);
    await closeNode(first);
    const storeHeight = first.blockStore.height;

    const second = await node({
      dir,
      key: keys[0]!,
      validators,
      appDbDir: join(root, "empty-app-db"),
      app: { storage: "own" },
    });
    const err = await second.consensus.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConsensusError);
    expect((err as ConsensusError).code).toBe("HANDSHAKE_HEIGHT_MISMATCH");
    expect((err as Error).message).toContain(`block store height ${storeHeight}`);
    expect((err as Error).message).toContain("application height 0");
  });

  it("refuses an application whose app hash differs from the one recorded at the same height", async () => {
    const { keys, validators } = validatorKeys(1);
    const dir = join(root, "v0");
    const first = await node({ dir, key: keys[0]!, validators });
    first.txs.add(kvTx("a", "1"));
    await first.consensus.start();
    await waitForHeight(first, 2);
    await closeNode(first);

    const db = await KyochiDb.open(join(dir, "data", "db"));
    try {
      const blockStore = await BlockStore.open(db);
      const validatorSet = ConsensusValidatorSet.fromValidators(validators);
      const height = blockStore.height;
      const lying = {
        ...first.app,
        info: async () => ({ lastHeight: height, lastAppHash: new Uint8Array(32).fill(7) }),
      };
      await expect(
        handshake({ app: lying as typeof first.app, blockStore, db, validatorsAt: async () => validatorSet }),
      ).rejects.toMatchObject({
        code: "HANDSHAKE_APP_HASH_MISMATCH",
      });
      const honest = { ...first.app, info: first.app.info.bind(first.app) };
      await expect(
        handshake({
          app: honest as typeof first.app,
          blockStore,
          db,
          validatorsAt: async () => validatorSet,
        }),
      ).resolves.toEqual({
        storeHeight: height,
        appHeight: height,
        replayedHeight: null,
      });
    } finally {
      await db.close();
    }
  });
});
