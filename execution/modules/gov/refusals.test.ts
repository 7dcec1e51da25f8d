// Refused governance txs change no governance state and move no balance (fees are 0 here), and
// the list queries page with stable cursors.
import { describe, expect, it } from "vitest";
import { newAccount, signedMsgs } from "../../test-helpers.js";
import { selfSignedCertificate } from "../attestation/test-certificates.js";
import {
  content,
  depositMsg,
  FUNDS,
  type GovFixture,
  submitMsg,
  useGovFixtures,
  voteMsg,
} from "./gov-fixture.js";

const fixture = useGovFixtures();

interface Page<K extends string> {
  next_cursor: number | null;
  proposals?: { id: number; status: string }[];
  votes?: { voter: string; option: string }[];
  [key: string]: unknown;
  _?: K;
}

/** What governance holds, for "nothing changed" checks. */
async function govState(f: GovFixture): Promise<string> {
  return JSON.stringify([
    await f.query("proposals/"),
    await f.query("upgrade_plan"),
    String(await f.chain.balance(f.alice)),
    String(await f.chain.balance(f.bob)),
    new TextDecoder().decode((await f.chain.app.query({ path: "proof/0804" })).value),
  ]);
}

describe("governance refusals", () => {
  it("refuses bad content at submission with a clear code, and nothing changes", async () => {
    const f = await fixture();
    const before = await govState(f);
    const bad: [string, ReturnType<typeof submitMsg>][] = [
      ["PARAM_INVALID", submitMsg(content.params(50, [["nosuch", "x", 1]]), 1000n)],
      ["PARAM_INVALID", submitMsg(content.params(50, [["staking", "no_such_key", 1]]), 1000n)],
      ["PARAM_INVALID", submitMsg(content.params(50, [["staking", "max_validators", "3"]]), 1000n)],
      ["PARAM_INVALID", submitMsg(content.params(50, [["staking", "max_validators", 0]]), 1000n)],
      ["PARAM_INVALID", submitMsg(content.params(50, [["bank", "min_gas_price", "-1"]]), 1000n)],
      // a tx larger than a block: the whole resulting section must pass the genesis checks
      ["PARAM_INVALID", submitMsg(content.params(50, [["tx", "max_tx_bytes", 64 * 1024 * 1024]]), 1000n)],
      ["PARAM_INVALID", submitMsg(content.params(50, [["gov", "quorum_bps", 10_001]]), 1000n)],
      // at height 1 voting could end at 1 + 4 = 5 (full deposit) or 1 + 5 + 4 = 10 (deposit first)
      ["GOV_HEIGHT_TOO_EARLY", submitMsg(content.params(5, [["staking", "max_validators", 5]]), 1000n)],
      ["GOV_HEIGHT_TOO_EARLY", submitMsg(content.params(10, [["staking", "max_validators", 5]]), 10n)],
      ["GOV_HEIGHT_TOO_EARLY", submitMsg(content.upgrade("v2", 5), 1000n)],
      ["ATTESTATION_ROOT_NOT_FOUND", submitMsg(content.removeRoot(new Uint8Array(32).fill(7)), 1000n)],
      ["INSUFFICIENT_FUNDS", submitMsg(content.text(), FUNDS + 1n)],
    ];
    const result = await f.run(...bad.map(([, msg]) => f.tx(f.alice, msg)));
    expect(result.codes).toEqual(bad.map(([code]) => code));
    // Stateless refusals: rejected before execution.
    const stateless: [string, ReturnType<typeof submitMsg>][] = [
      ["GOV_INVALID_PROPOSAL", submitMsg({}, 1000n)],
      ["GOV_INVALID_PROPOSAL", submitMsg(content.text(), 1000n, "")],
      ["GOV_INVALID_PROPOSAL", submitMsg(content.text(), 1000n, "x".repeat(141))],
      ["GOV_INVALID_PROPOSAL", submitMsg(content.upgrade("bad name!", 100), 1000n)],
      ["PARAM_INVALID", submitMsg(content.params(50, []), 1000n)],
      [
        "ATTESTATION_INVALID_CERTIFICATE",
        submitMsg(content.addRoot(selfSignedCertificate("leaf", { ca: false }).der), 1000n),
      ],
      [
        "ATTESTATION_INVALID_CERTIFICATE",
        submitMsg(content.addRoot(Uint8Array.of(0x30, 0x03, 1, 2, 3)), 1000n),
      ],
      [
        "ATTESTATION_INVALID_EVIDENCE_CLASS",
        submitMsg(content.addRoot(selfSignedCertificate("ca").der, "sgx"), 1000n),
      ],
      [
        "ATTESTATION_INVALID_MEASUREMENT",
        submitMsg(content.measurement("dev", 256, Uint8Array.of(1), true), 1000n),
      ],
      [
        "ATTESTATION_INVALID_MEASUREMENT",
        submitMsg(content.measurement("dev", 3, new Uint8Array(65), true), 1000n),
      ],
      ["INVALID_AMOUNT", submitMsg(content.text(), "-5")],
    ];
    for (const [code, msg] of stateless) {
      const check = await f.chain.app.checkTx(f.tx(f.bob, msg), "new");
      expect(check.codename).toBe(code);
    }
    expect(await govState(f)).toBe(before);
  });

  it("only active validators' operators vote, only while voting; a second vote replaces the first", async () => {
    const f = await fixture();
    const [a, b] = f.validators;
    await f.run(
      f.tx(f.alice, submitMsg(content.text(), 10n, "waits for deposits")),
      f.tx(f.alice, submitMsg(content.text(), 1000n, "votes now")),
    );
    const before = await govState(f);
    const refused = await f.run(
      f.tx(f.alice, voteMsg(2, "yes")),
      f.tx(a!.operator, voteMsg(1, "yes")),
      f.tx(a!.operator, voteMsg(3, "yes")),
      signedMsgs(newAccount(), [voteMsg(2, 0)], { nonce: 0, fee: 0n }),
    );
    expect(refused.codes).toEqual([
      "GOV_NOT_A_VALIDATOR",
      "GOV_NOT_IN_VOTING_PERIOD",
      "GOV_PROPOSAL_NOT_FOUND",
      "GOV_INVALID_VOTE_OPTION",
    ]);
    expect(await govState(f)).toBe(before);
    expect(((await f.query<Page<"votes">>("votes/proposal_id=2")).votes ?? []).length).toBe(0);

    expect(
      (await f.run(f.tx(a!.operator, voteMsg(2, "no")), f.tx(b!.operator, voteMsg(2, "yes")))).codes,
    ).toEqual(["OK", "OK"]);
    expect((await f.run(f.tx(a!.operator, voteMsg(2, "abstain")))).codes).toEqual(["OK"]);
    const votes = (await f.query<Page<"votes">>("votes/proposal_id=2")).votes;
    expect(votes).toEqual([
      { proposal_id: 2, voter: a!.operator.bech32, option: "abstain" },
      { proposal_id: 2, voter: b!.operator.bech32, option: "yes" },
    ]);
    expect((await f.query<{ tally: Record<string, string> }>("proposal/2")).tally).toMatchObject({
      yes: "10000000",
      no: "0",
      abstain: "10000000",
    });
    // After the tally (end of 1 + 4 = 5) the proposal takes no more votes.
    await f.chain.advanceTo(5);
    const after = JSON.stringify([await f.query("proposal/2"), await f.query("votes/proposal_id=2")]);
    expect((await f.run(f.tx(b!.operator, voteMsg(2, "no")))).codes).toEqual(["GOV_NOT_IN_VOTING_PERIOD"]);
    expect(JSON.stringify([await f.query("proposal/2"), await f.query("votes/proposal_id=2")])).toBe(after);
    expect(await f.queryError("proposal/99")).toBe("GOV_PROPOSAL_NOT_FOUND");
    expect(await f.queryError("proposal/x")).toBe("QUERY_INVALID_ARGUMENT");
    expect(await f.queryError("votes/cursor=1")).toBe("QUERY_INVALID_ARGUMENT");
    expect(await f.queryError("proposals/status=open")).toBe("QUERY_INVALID_ARGUMENT");
    expect((await f.run(f.tx(f.bob, depositMsg(2, 5n)))).codes).toEqual(["GOV_NOT_IN_DEPOSIT_PERIOD"]);
  });
});

describe("governance list queries", () => {
  it("page proposals with stable cursors, by status too, and votes per proposal", async () => {
    const f = await fixture();
    await f.run(
      ...[1, 2, 3, 4, 5].map((i) => f.tx(f.alice, submitMsg(content.text(), i % 2 ? 1000n : 1n, `p${i}`))),
    );
    const first = await f.query<Page<"proposals">>("proposals/limit=2");
    expect(first.proposals?.map((p) => p.id)).toEqual([1, 2]);
    // Proposals added between two pages do not shift the next page.
    await f.run(f.tx(f.alice, submitMsg(content.text(), 1000n, "p6")));
    const second = await f.query<Page<"proposals">>(`proposals/limit=2&cursor=${first.next_cursor}`);
    expect(second.proposals?.map((p) => p.id)).toEqual([3, 4]);
    const third = await f.query<Page<"proposals">>(`proposals/limit=2&cursor=${second.next_cursor}`);
    expect(third.proposals?.map((p) => p.id)).toEqual([5, 6]);
    expect(third.next_cursor).toBeNull();

    const voting = await f.query<Page<"proposals">>("proposals/status=voting_period&limit=2");
    expect(voting.proposals?.map((p) => [p.id, p.status])).toEqual([
      [1, "voting_period"],
      [3, "voting_period"],
    ]);
    const more = await f.query<Page<"proposals">>(
      `proposals/status=voting_period&cursor=${voting.next_cursor}`,
    );
    expect(more.proposals?.map((p) => p.id)).toEqual([5, 6]);
    expect(
      (await f.query<Page<"proposals">>("proposals/status=deposit_period")).proposals?.map((p) => p.id),
    ).toEqual([2, 4]);

    expect(await f.vote(1, "yes")).toEqual(["OK", "OK", "OK", "OK"]);
    const v1 = await f.query<Page<"votes">>("votes/proposal_id=1&limit=3");
    expect(v1.votes).toHaveLength(3);
    const v2 = await f.query<Page<"votes">>(`votes/proposal_id=1&limit=3&cursor=${v1.next_cursor}`);
    expect(v2.votes).toHaveLength(1);
    expect(v2.next_cursor).toBeNull();
    expect(new Set([...(v1.votes ?? []), ...(v2.votes ?? [])].map((v) => v.voter)).size).toBe(4);

    // Tallied at the end of 1 + 4 = 5: proposal 1 passed (all yes), 3 and 5 rejected (no quorum).
    await f.chain.advanceTo(5);
    expect((await f.query<Page<"proposals">>("proposals/status=passed")).proposals?.map((p) => p.id)).toEqual(
      [1],
    );
    expect(
      (await f.query<Page<"proposals">>("proposals/status=rejected")).proposals?.map((p) => p.id),
    ).toEqual([3, 5]);
    expect(
      (await f.query<Page<"proposals">>("proposals/status=voting_period")).proposals?.map((p) => p.id),
    ).toEqual([6]);
  });
});
