// docs/API.md is generated (npm run docs): it must be what the generator writes from the current
// method table and protos, or the reference has gone stale.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { METHODS } from "../rpc/jsonrpc/methods/index.js";
import { renderApiDocs, repoRoot } from "../scripts/gen-api-docs.js";

describe("docs/API.md", () => {
  it("is current: regenerate it with `npm run docs`", () => {
    const root = repoRoot(import.meta.dirname);
    expect(readFileSync(join(root, "docs", "API.md"), "utf8")).toBe(renderApiDocs(root));
  });

  it("documents every JSON-RPC method served, and every message of the tx oneof", () => {
    const docs = renderApiDocs(repoRoot(import.meta.dirname));
    for (const method of Object.keys(METHODS)) expect(docs).toContain(`| \`${method}\` |`);
    expect(docs).toContain("#### message `kyochi.compute.v1.MsgSubmitJob`");
    expect(docs).toContain(
      "| 97 | `compute_reveal_result` | `kyochi.compute.v1.MsgRevealResult` (oneof sum) |",
    );
  });
});
