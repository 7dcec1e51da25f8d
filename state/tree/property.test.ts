import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WriteBatch } from "../db.js";
import { verifyProof } from "./index.js";
import { bytes, openTestStore, type TestStore } from "./test-helpers.js";
import type { TreeUpdate } from "./types.js";

const hex = (b: Uint8Array | undefined) => (b === undefined ? "absent" : Buffer.from(b).toString("hex"));
const KEYS = 24;
const keyOf = (i: number) => bytes(`key-${i}`);

type Op = [keyIndex: number, value: Uint8Array | null];
const opArb: fc.Arbitrary<Op> = fc.tuple(
  fc.nat(KEYS - 1),
  fc.option(fc.uint8Array({ maxLength: 6 }), { nil: null, freq: 4 }),
);
const scenarioArb = fc.record({
  versions: fc.array(fc.array(opArb, { maxLength: 16 }), { minLength: 1, maxLength: 7 }),
  /** where the second tree cuts the same op sequence into versions */
  cuts: fc.array(fc.nat(200), { maxLength: 6 }),
  pruneTo: fc.nat(7),
});

/** A tree that is never committed: previewRoot(content) is the root of exactly that content. */
let reference: TestStore;
beforeAll(async () => {
  reference = await openTestStore();
});
afterAll(async () => {
  await reference.close();
});

function contentRootOf(model: Map<number, Uint8Array>): Promise<Uint8Array> {
  return reference.tree.previewRoot([...model].map(([k, v]): TreeUpdate => [keyOf(k), v]));
}

describe("state tree against a Map model", () => {
  it("values, history, proofs and roots match the model; roots depend only on content", async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ versions, cuts, pruneTo }) => {
        const a = await openTestStore();
        const b = await openTestStore();
        try {
          const model = new Map<number, Uint8Array>();
          const history: Map<number, Uint8Array>[] = [];
          for (let v = 0; v < versions.length; v++) {
            const ops = versions[v]!;
            for (const [k, value] of ops) {
              if (value === null) model.delete(k);
              else model.set(k, value);
            }
            history.push(new Map(model));
            const root = await a.commit(
              v,
              ops.map(([k, value]): TreeUpdate => [keyOf(k), value]),
            );
            expect(hex(root)).toBe(hex(await contentRootOf(model)));
            for (let k = 0; k < KEYS; k++) expect(hex(await a.tree.get(keyOf(k)))).toBe(hex(model.get(k)));
          }

          // Same ops, cut into versions differently: same final root.
          const flat = versions.flat();
          const bounds = [...new Set(cuts.map((c) => c % (flat.length + 1)))].sort((x, y) => x - y);
          let from = 0;
          let version = 0;
          for (const to of [...bounds, flat.length]) {
            await b.commit(
              version++,
              flat.slice(from, to).map(([k, value]): TreeUpdate => [keyOf(k), value]),
            );
            from = to;
          }
          expect(hex(b.tree.root)).toBe(hex(a.tree.root));

          // Prune, reopen, then every retained version reads and proves as the model says.
          const latest = versions.length - 1;
          const oldest = Math.min(pruneTo, latest);
          const batch = new WriteBatch();
          await a.tree.prune(oldest, batch);
          await a.db.write(batch);
          await a.reopen();
          for (let v = oldest; v <= latest; v++) {
            const root = await a.tree.rootAt(v);
            expect(hex(root)).toBe(hex(await contentRootOf(history[v]!)));
            for (let k = 0; k < KEYS; k++) {
              const expected = history[v]!.get(k);
              expect(hex(await a.tree.getAt(keyOf(k), v))).toBe(hex(expected));
              const { value, proof } = await a.tree.prove(keyOf(k), v);
              expect(hex(value)).toBe(hex(expected));
              expect(verifyProof(root, keyOf(k), value, proof)).toBe(true);
            }
          }
          if (oldest > 0) {
            await expect(a.tree.getAt(keyOf(0), oldest - 1)).rejects.toMatchObject({
              code: "VERSION_PRUNED",
            });
          }
        } finally {
          await a.close();
          await b.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});
