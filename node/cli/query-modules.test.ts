// `kyochi query data|model|gov|attestation|params`: each command sends the JSON-RPC request it
// should (method and params), and refuses bad flags before sending anything.
import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { KyochiRpcClient } from "../../rpc/client/client.js";
import { NodeError } from "../errors.js";
import { registerModuleQueryCommands } from "./query-modules.js";

const ADDRESS = "kyo14mgsk2dw9jcvuf9ny24rt0gwp0grlxzm7rfu50";

/** Runs `kyochi query <args>` against a fetch that records the request and answers `{}`. */
async function run(args: string[]): Promise<{ method: string; params: unknown } | undefined> {
  let sent: { method: string; params: unknown } | undefined;
  const fetchStub: typeof fetch = async (_url, init) => {
    sent = JSON.parse(String(init?.body)) as { method: string; params: unknown };
    return new Response(JSON.stringify({ jsonrpc: "2.0", id: 1, result: {} }));
  };
  const program = new Command().exitOverride();
  const query = program.command("query");
  registerModuleQueryCommands(query, () => new KyochiRpcClient("http://node.invalid", { fetch: fetchStub }));
  await program.parseAsync(["node", "kyochi", "query", ...args]);
  return sent;
}

afterEach(() => vi.restoreAllMocks());

describe("kyochi query for the AI modules", () => {
  it.each([
    [["data", "dataset", "3"], "data_getDataset", { id: 3 }],
    [
      ["data", "datasets", "--owner", ADDRESS, "--limit", "5"],
      "data_listDatasets",
      { limit: 5, owner: ADDRESS },
    ],
    [["data", "license", "7", "--height", "12"], "data_getLicense", { id: 7, height: 12 }],
    [["data", "licenses", "--licensee", ADDRESS], "data_listLicenses", { licensee: ADDRESS }],
    [
      ["data", "licenses", "--dataset", "2", "--cursor", "9"],
      "data_listLicenses",
      { cursor: 9, datasetId: 2 },
    ],
    [["model", "get", "4"], "model_get", { id: 4 }],
    [["model", "get", "kyo-llm@1.0"], "model_get", { name: "kyo-llm", version: "1.0" }],
    [["model", "list", "--owner", ADDRESS], "model_list", { owner: ADDRESS }],
    [["model", "lineage", "2"], "model_getLineage", { id: 2 }],
    [["gov", "proposal", "1"], "gov_getProposal", { id: 1 }],
    [["gov", "proposals", "--status", "passed"], "gov_listProposals", { status: "passed" }],
    [["gov", "votes", "1", "--limit", "10"], "gov_getVotes", { limit: 10, proposalId: 1 }],
    [["gov", "upgrade-plan"], "gov_getUpgradePlan", {}],
    [["attestation", "roots"], "attestation_getTrustedRoots", {}],
    [
      ["attestation", "roots", "--evidence-class", "dev", "--cursor", "4", "--limit", "2"],
      "attestation_getTrustedRoots",
      { cursor: 4, limit: 2, evidenceClass: "dev" },
    ],
    [
      ["attestation", "measurements", "nvidia-cc"],
      "attestation_getAllowedMeasurements",
      { evidenceClass: "nvidia-cc" },
    ],
    [
      ["attestation", "measurements", "dev", "--cursor", "3", "--limit", "1", "--height", "9"],
      "attestation_getAllowedMeasurements",
      { cursor: 3, limit: 1, height: 9, evidenceClass: "dev" },
    ],
    [["params"], "chain_getParams", {}],
  ])("query %j calls %s", async (args, method, params) => {
    vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const sent = await run(args);
    expect(sent?.method).toBe(method);
    expect(sent?.params).toEqual(params);
  });

  it.each([
    [["data", "dataset", "0"]],
    [["data", "dataset", "abc"]],
    [["data", "licenses"]],
    [["data", "licenses", "--licensee", ADDRESS, "--dataset", "1"]],
    [["data", "datasets", "--limit", "-1"]],
    [["gov", "votes", "x"]],
    [["attestation", "roots", "--limit", "0"]],
    [["attestation", "measurements", "dev", "--cursor", "x"]],
  ])("refuses %j before sending anything", async (args) => {
    await expect(run(args)).rejects.toBeInstanceOf(NodeError);
  });
});
