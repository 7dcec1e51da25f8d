import { describe, expect, it } from "vitest";
import { generateSigningKey } from "../crypto/keys.js";
import { DEFAULT_GENESIS_PARAMS } from "../execution/genesis-types.js";
import { KeyType } from "../proto/index.js";
import { toAppState } from "./app-state.js";
import { accountAddress, buildGenesis } from "./build.js";
import { GenesisError } from "./errors.js";
import { parseGenesis } from "./load.js";

function validGenesis() {
  const operator = generateSigningKey(KeyType.KEY_TYPE_ED25519);
  return buildGenesis({
    chainId: "kyochi-test",
    genesisTime: new Date("2026-01-01T00:00:00Z"),
    validators: [
      {
        consensusKey: generateSigningKey(KeyType.KEY_TYPE_ED25519),
        operator: accountAddress(operator),
        stake: 10n ** 9n,
        moniker: "v0",
      },
    ],
    accounts: [{ address: accountAddress(operator), balance: 10n ** 18n }],
  });
}

/** Sets `path` in a copy of a valid genesis to `value` and expects an error naming `field`. */
function expectFieldError(path: (string | number)[], value: unknown, field: string): void {
  const g = structuredClone(validGenesis()) as unknown as Record<string | number, unknown>;
  let cur = g;
  for (const p of path.slice(0, -1)) cur = cur[p] as Record<string | number, unknown>;
  cur[path[path.length - 1]!] = value;
  try {
    parseGenesis(g);
  } catch (err) {
    expect(err).toBeInstanceOf(GenesisError);
    expect((err as GenesisError).code).toBe("GENESIS_INVALID");
    expect((err as GenesisError).field).toBe(field);
    return;
  }
  throw new Error("genesis was accepted");
}

describe("genesis validation", () => {
  it("accepts a built genesis and round-trips it through JSON", () => {
    const g = validGenesis();
    expect(parseGenesis(JSON.parse(JSON.stringify(g)))).toEqual(g);
  });

  it("names the field of each error", () => {
    expectFieldError(["chain_id"], "Bad Chain", "chain_id");
    expectFieldError(["app_state", "accounts", 0, "balance"], "-5", "app_state.accounts[0].balance");
    expectFieldError(
      ["app_state", "accounts", 0, "balance"],
      (1n << 128n).toString(),
      "app_state.accounts[0].balance",
    );
    expectFieldError(
      ["app_state", "accounts", 0, "address"],
      "kyo1notanaddress",
      "app_state.accounts[0].address",
    );
    expectFieldError(
      ["app_state", "validators", 0, "consensus_pubkey"],
      "0x1234",
      "app_state.validators[0].consensus_pubkey",
    );
    expectFieldError(["app_state", "validators"], [], "app_state.validators");
    expectFieldError(
      ["app_state", "params", "bank"],
      { min_gas_price: "1", surprise: true },
      "app_state.params.bank",
    );
    expectFieldError(["genesis_time"], "yesterday", "genesis_time");
  });

  it("refuses a validator whose stake gives no voting power", () => {
    expectFieldError(["app_state", "validators", 0, "stake"], "5", "app_state.validators");
  });
});

describe("staking and slashing params", () => {
  it("a genesis written before slashing existed gets the defaults", () => {
    const g = structuredClone(validGenesis()) as unknown as {
      app_state: { params: { staking: Record<string, unknown>; slashing?: unknown } };
    };
    delete g.app_state.params.slashing;
    delete g.app_state.params.staking.unbonding_blocks;
    delete g.app_state.params.staking.min_self_stake;
    const doc = parseGenesis(g);
    expect(doc.app_state.params.slashing).toEqual(DEFAULT_GENESIS_PARAMS.slashing);
    expect(doc.app_state.params.staking.unbonding_blocks).toBe(
      DEFAULT_GENESIS_PARAMS.staking.unbonding_blocks,
    );
    expect(doc.app_state.params.staking.min_self_stake).toBe(DEFAULT_GENESIS_PARAMS.staking.min_self_stake);
    expect(toAppState(doc).params.slashing.signed_blocks_window).toBe(100);
  });

  it("names the field of a bad slashing or staking param", () => {
    expectFieldError(
      ["app_state", "params", "slashing", "slash_fraction_double_sign_bps"],
      10_001,
      "app_state.params.slashing.slash_fraction_double_sign_bps",
    );
    expectFieldError(
      ["app_state", "params", "slashing", "signed_blocks_window"],
      0,
      "app_state.params.slashing.signed_blocks_window",
    );
    expectFieldError(
      ["app_state", "params", "slashing", "min_signed_per_window_bps"],
      0.5,
      "app_state.params.slashing.min_signed_per_window_bps",
    );
    expectFieldError(
      ["app_state", "params", "slashing"],
      { ...DEFAULT_GENESIS_PARAMS.slashing, typo_window: 1 },
      "app_state.params.slashing",
    );
    expectFieldError(
      ["app_state", "params", "staking", "unbonding_blocks"],
      -1,
      "app_state.params.staking.unbonding_blocks",
    );
    expectFieldError(
      ["app_state", "params", "staking", "min_self_stake"],
      "01",
      "app_state.params.staking.min_self_stake",
    );
  });

  it("refuses a genesis validator staked below min_self_stake", () => {
    expectFieldError(
      ["app_state", "params", "staking", "min_self_stake"],
      (10n ** 9n + 1n).toString(),
      "app_state.validators[0].stake",
    );
  });
});

describe("models, governance, compute and attestation", () => {
  it("a genesis without these sections gets the defaults, no roots and no dev evidence", () => {
    const g = structuredClone(validGenesis()) as unknown as {
      app_state: {
        params: { models?: unknown; gov?: unknown; compute?: unknown; attestation?: unknown };
        attestation?: unknown;
      };
    };
    delete g.app_state.params.models;
    delete g.app_state.params.gov;
    delete g.app_state.params.compute;
    delete g.app_state.params.attestation;
    delete g.app_state.attestation;
    const doc = parseGenesis(g);
    expect(doc.app_state.params.models).toEqual(DEFAULT_GENESIS_PARAMS.models);
    expect(doc.app_state.params.gov).toEqual(DEFAULT_GENESIS_PARAMS.gov);
    expect(doc.app_state.params.compute).toEqual(DEFAULT_GENESIS_PARAMS.compute);
    expect(doc.app_state.params.compute.min_worker_stake).toBe("1000000");
    expect(doc.app_state.params.attestation).toEqual({
      anchor_window_blocks: 100,
      validity_blocks: 1000,
      any_value_indices: [],
    });
    expect(toAppState(doc).attestation).toEqual({
      trusted_roots: [],
      allowed_measurements: [],
      allow_dev: false,
    });
  });

  it("names the field of a bad compute or attestation param", () => {
    expectFieldError(
      ["app_state", "params", "compute"],
      { max_replication: 0 },
      "app_state.params.compute.max_replication",
    );
    expectFieldError(
      ["app_state", "params", "compute"],
      { min_worker_stake: "0" },
      "app_state.params.compute.min_worker_stake",
    );
    expectFieldError(
      ["app_state", "params", "attestation"],
      { any_value_indices: [3, 3] },
      "app_state.params.attestation.any_value_indices",
    );
    expectFieldError(["app_state", "attestation"], { allow_dev: "yes" }, "app_state.attestation.allow_dev");
  });

  it("names the field of a bad governance, models or attestation entry", () => {
    expectFieldError(["app_state", "params", "gov", "quorum_bps"], 10_001, "app_state.params.gov.quorum_bps");
    expectFieldError(["app_state", "params", "gov", "min_deposit"], "0", "app_state.params.gov.min_deposit");
    expectFieldError(
      ["app_state", "params", "models", "max_lineage_depth"],
      0,
      "app_state.params.models.max_lineage_depth",
    );
    expectFieldError(
      ["app_state", "attestation"],
      {
        trusted_roots: [
          { evidence_class: "sgx", label: "x", certificate_pem: "-----BEGIN CERTIFICATE-----" },
        ],
      },
      "app_state.attestation.trusted_roots[0].evidence_class",
    );
    expectFieldError(
      ["app_state", "attestation"],
      { allowed_measurements: [{ evidence_class: "dev", index: 1, value: "0xABC" }] },
      "app_state.attestation.allowed_measurements[0].value",
    );
  });
});
