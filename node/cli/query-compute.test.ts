// `kyochi query compute job|jobs|worker|workers`: each command sends the JSON-RPC request it should
// (method and params) and prints the node's answer; bad flags are refused before anything is sent.
import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { KyochiRpcClient } from "../../rpc/client/client.js";
import { NodeError } from "../errors.js";
import { registerModuleQueryCommands } from "./query-modules.js";

const ADDRESS = "kyo14mgsk2dw9jcvuf9ny24rt0gwp0grlxzm7rfu50";
const ANSWER = { height: 12, id: 4, state: "settled", attestation: { trusted: false, expired: false } };

/** Runs `kyochi query compute <args>` against a fetch that records the request; returns it and stdout. */
async function run(args: string[]): Promise<{ sent?: { method: string; params: unknown }; out: string }> {
  let sent: { method: string; params: unknown } | undefined;
  const fetchStub: typeof fetch = async (_url, init) => {
    sent = JSON.parse(String(init?.body)) as { method: string; params: unknown };
    return new Response(JSON.stringify({ jsonrpc: "2.0", id: 1, result: ANSWER }));
  };
  let out = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const program = new Command().exitOverride().configureOutput({ writeErr: () => {} });
  const query = program.command("query");
  registerModuleQueryCommands(query, () => new KyochiRpcClient("http://node.invalid", { fetch: fetchStub }));
  await program.parseAsync(["node", "kyochi", "query", "compute", ...args]);
  return { ...(sent ? { sent } : {}), out };
}

afterEach(() => vi.restoreAllMocks());

describe("kyochi query compute", () => {
  it.each([
    [["job", "4"], "compute_getJob", { id: 4 }],
    [["job", "4", "--height", "9"], "compute_getJob", { id: 4, height: 9 }],
    [["jobs"], "compute_listJobs", {}],
    [
      ["jobs", "--state", "settled", "--owner", ADDRESS, "--limit", "5", "--cursor", "2"],
      "compute_listJobs",
      { cursor: 2, limit: 5, state: "settled", owner: ADDRESS },
    ],
    [["jobs", "--worker", ADDRESS, "--height", "7"], "compute_listJobs", { worker: ADDRESS, height: 7 }],
    [["worker", ADDRESS], "compute_getWorker", { address: ADDRESS }],
    [["worker", ADDRESS, "--height", "3"], "compute_getWorker", { address: ADDRESS, height: 3 }],
    [["workers"], "compute_listWorkers", {}],
    [
      ["workers", "--operator", ADDRESS, "--status", "jailed", "--attested", "yes"],
      "compute_listWorkers",
      { operator: ADDRESS, status: "jailed", attested: true },
    ],
    [
      ["workers", "--attested", "no", "--limit", "100"],
      "compute_listWorkers",
      { attested: false, limit: 100 },
    ],
  ])("query compute %j calls %s", async (args, method, params) => {
    const { sent, out } = await run(args);
    expect(sent?.method).toBe(method);
    expect(sent?.params).toEqual(params);
    // The answer is printed as JSON, whole.
    expect(JSON.parse(out)).toEqual(ANSWER);
  });

  it.each([
    [["job", "0"]],
    [["job", "abc"]],
    [["job", "-3"]],
    [["job", "4", "--height", "0"]],
    [["jobs", "--limit", "x"]],
    [["jobs", "--cursor", "-1"]],
    [["workers", "--attested", "maybe"]],
    [["worker", ADDRESS, "--height", "1.5"]],
  ])("refuses %j before sending anything", async (args) => {
    let sent = false;
    const fetchStub: typeof fetch = async () => {
      sent = true;
      return new Response("{}");
    };
    const program = new Command().exitOverride().configureOutput({ writeErr: () => {} });
    registerModuleQueryCommands(
      program.command("query"),
      () => new KyochiRpcClient("http://node.invalid", { fetch: fetchStub }),
    );
    await expect(program.parseAsync(["node", "kyochi", "query", "compute", ...args])).rejects.toBeInstanceOf(
      NodeError,
    );
    expect(sent).toBe(false);
  });

  it("requires the job id and the worker address", async () => {
    for (const args of [["job"], ["worker"]]) {
      await expect(run(args)).rejects.toMatchObject({ code: "commander.missingArgument" });
    }
  });
});
