import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Command } from "commander";
import { afterEach, describe, expect, it } from "vitest";
import { sha256, toHex } from "../../crypto/hash.js";
import { selfSignedCertificate } from "../../execution/modules/attestation/test-certificates.js";
import type { Msg } from "../../proto/index.js";
import { registerGovTxCommands } from "./tx-gov.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** Runs `kyochi tx gov <args>` and returns what would be signed and broadcast. */
async function run(args: string[]): Promise<{ from: string; messages: Msg[] }> {
  const sent: { from: string; messages: Msg[] }[] = [];
  const program = new Command().exitOverride();
  const tx = program.command("tx");
  registerGovTxCommands(tx, async (from, messages) => {
    sent.push({ from, messages });
  });
  await program.parseAsync(["tx", "gov", ...args], { from: "user" });
  expect(sent).toHaveLength(1);
  return sent[0]!;
}

function file(name: string, content: unknown): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kyochi-cli-gov-"));
  dirs.push(dir);
  const p = path.join(dir, name);
  fs.writeFileSync(p, typeof content === "string" ? content : JSON.stringify(content));
  return p;
}

describe("kyochi tx gov", () => {
  it("submit-proposal reads a param change from the proposal file", async () => {
    const p = file("p.json", {
      title: "Raise the gas price",
      summary: "because",
      deposit: "10000000",
      content: {
        type: "param_change",
        effective_height: 500,
        changes: [
          { module: "bank", key: "min_gas_price", value: "2" },
          { module: "staking", key: "max_validators", value: 50 },
        ],
      },
    });
    const { from, messages } = await run(["submit-proposal", "alice", p]);
    expect(from).toBe("alice");
    const msg = messages[0]!.govSubmitProposal!;
    expect(msg).toMatchObject({
      title: "Raise the gas price",
      summary: "because",
      initialDeposit: "10000000",
    });
    expect(msg.content?.paramChange?.effectiveHeight).toBe(500);
    expect(msg.content?.paramChange?.changes?.map((c) => [c.module, c.key, c.value])).toEqual([
      ["bank", "min_gas_price", '"2"'],
      ["staking", "max_validators", "50"],
    ]);
  });

  it("reads roots from a PEM file next to the proposal, upgrades and measurements", async () => {
    const cert = selfSignedCertificate("a root");
    const p = file("root.json", {
      title: "Trust a root",
      deposit: 5,
      content: {
        type: "add_trusted_root",
        evidence_class: "nvidia-cc",
        label: "NV",
        certificate_file: "root.pem",
      },
    });
    fs.writeFileSync(path.join(path.dirname(p), "root.pem"), cert.pem);
    const root = (await run(["submit-proposal", "bob", p])).messages[0]!.govSubmitProposal!.content!
      .addTrustedRoot!;
    expect(toHex(root.certificateDer!)).toBe(toHex(cert.der));
    expect(root.evidenceClass).toBe("nvidia-cc");

    const upgrade = file("u.json", {
      title: "v2",
      deposit: "1",
      content: { type: "software_upgrade", name: "v2", height: 1000, info: "see release notes" },
    });
    expect(
      (await run(["submit-proposal", "bob", upgrade])).messages[0]!.govSubmitProposal!.content!
        .softwareUpgrade,
    ).toMatchObject({ name: "v2", height: 1000, info: "see release notes" });
    const remove = file("r.json", {
      title: "drop",
      deposit: "1",
      content: { type: "remove_trusted_root", root_id: `0x${toHex(sha256(cert.der))}` },
    });
    const removed = (await run(["submit-proposal", "bob", remove])).messages[0]!.govSubmitProposal!.content!;
    expect(toHex(removed.removeTrustedRoot!.rootId!)).toBe(toHex(sha256(cert.der)));
    const m = file("m.json", {
      title: "allow",
      deposit: "1",
      content: { type: "set_measurement", evidence_class: "dev", index: 3, value: "0xabcd" },
    });
    expect(
      (await run(["submit-proposal", "bob", m])).messages[0]!.govSubmitProposal!.content!.setMeasurement,
    ).toMatchObject({ evidenceClass: "dev", index: 3, allowed: true });
  });

  it("names the field of a bad proposal file", async () => {
    const bad = async (content: unknown) =>
      run(["submit-proposal", "a", file("bad.json", content)]).catch((e: Error) => e);
    const base = { title: "t", deposit: "1" };
    expect(await bad({ ...base, content: { type: "nope" } })).toMatchObject({
      code: "CONFIG_INVALID",
      message: expect.stringContaining("content.type"),
    });
    expect(
      await bad({
        ...base,
        content: {
          type: "param_change",
          effective_height: 9,
          changes: [{ module: "bank", key: "k", value: null }],
        },
      }),
    ).toMatchObject({ message: expect.stringContaining("content.changes.0.value") });
    expect(await bad({ ...base, deposit: "-1", content: { type: "text" } })).toMatchObject({
      message: expect.stringContaining("deposit"),
    });
    expect(await bad({ title: "t", content: { type: "text" } })).toMatchObject({
      message: expect.stringContaining("deposit"),
    });
    expect(
      await bad({
        ...base,
        content: { type: "add_trusted_root", evidence_class: "dev", certificate_pem: "not pem" },
      }),
    ).toMatchObject({ message: expect.stringContaining("content.certificate_pem") });
    expect(await bad("{ not json")).toMatchObject({ message: expect.stringContaining("JSON") });
  });

  it("deposit and vote build their messages; bad ids, amounts and options are refused", async () => {
    expect((await run(["deposit", "alice", "3", "700"])).messages[0]!.govDeposit).toMatchObject({
      proposalId: 3,
      amount: "700",
    });
    expect((await run(["vote", "val", "3", "veto"])).messages[0]!.govVote).toMatchObject({
      proposalId: 3,
      option: 4,
    });
    expect((await run(["vote", "val", "3", "yes"])).messages[0]!.govVote!.option).toBe(1);
    await expect(run(["vote", "val", "3", "maybe"])).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    await expect(run(["vote", "val", "0", "yes"])).rejects.toMatchObject({ code: "CONFIG_INVALID" });
    await expect(run(["deposit", "alice", "3", "0"])).rejects.toMatchObject({ code: "CONFIG_INVALID" });
  });
});
