// `kyochi query txs`: the flags become tx_search's params (through the SDK), and bad flags are
// refused before anything is sent.
import { Command } from "commander";
import { afterEach, describe, expect, it, vi } from "vitest";
import { KyochiRpcClient } from "../../rpc/client/client.js";
import { NodeError } from "../errors.js";
import { registerTxSearchCommand } from "./query-txs.js";

const ADDRESS = "kyo14mgsk2dw9jcvuf9ny24rt0gwp0grlxzm7rfu50";

async function run(args: string[]): Promise<{ method: string; params: unknown } | undefined> {
  let sent: { method: string; params: unknown } | undefined;
  const fetchStub: typeof fetch = async (_url, init) => {
    sent = JSON.parse(String(init?.body)) as { method: string; params: unknown };
    return new Response(JSON.stringify({ jsonrpc: "2.0", id: 1, result: { txs: [], nextCursor: null } }));
  };
  const program = new Command().exitOverride();
  const query = program.command("query");
  registerTxSearchCommand(query, () => new KyochiRpcClient("http://node.invalid", { fetch: fetchStub }));
  await program.parseAsync(["node", "kyochi", "query", "txs", ...args]);
  return sent;
}

afterEach(() => vi.restoreAllMocks());

describe("kyochi query txs", () => {
  it.each([
    [["--sender", ADDRESS], { sender: ADDRESS }],
    [
      ["--recipient", ADDRESS, "--from-height", "3", "--to-height", "9", "--order", "desc", "--limit", "5"],
      { recipient: ADDRESS, fromHeight: 3, toHeight: 9, order: "desc", limit: 5 },
    ],
    [
      ["--event", "compute.job.state=settled", "--cursor", "12:0"],
      { event: { type: "compute.job", key: "state", value: "settled" }, cursor: "12:0" },
    ],
    [["--event", "transfer.memo=a=b"], { event: { type: "transfer", key: "memo", value: "a=b" } }],
  ])("%j sends tx_search %j", async (args, params) => {
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    const sent = await run(args);
    expect(sent).toMatchObject({ method: "tx_search", params });
    expect(sent?.params).toEqual(params);
    expect(JSON.parse(String(write.mock.calls[0]?.[0]))).toEqual({ txs: [], nextCursor: null });
  });

  it.each([
    [[]],
    [["--event", "transfer"]],
    [["--event", "recipient=kyo1"]],
    [["--event", ".key=v"]],
    [["--sender", ADDRESS, "--order", "newest"]],
    [["--sender", ADDRESS, "--limit", "0"]],
    [["--sender", ADDRESS, "--from-height", "-1"]],
  ])("refuses %j before sending anything", async (args) => {
    await expect(run(args)).rejects.toBeInstanceOf(NodeError);
  });
});
