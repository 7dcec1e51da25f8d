// The genesis file: what a chain starts from. Validated strictly (unknown fields are errors) so a
// typo never silently becomes a default on one validator and not on another.
import { z } from "zod";
import { decodeAddress } from "../crypto/address.js";
import { DEFAULT_GENESIS_PARAMS } from "../execution/genesis-types.js";

const MAX_AMOUNT = (1n << 128n) - 1n;

const amount = z
  .string()
  .regex(/^(0|[1-9][0-9]*)$/, "must be a decimal string of base units without sign or leading zeros")
  .refine((s) => BigInt(s) <= MAX_AMOUNT, "must be at most 2^128-1");

const positiveAmount = amount.refine((s) => BigInt(s) > 0n, "must be greater than zero");

const address = z.string().refine((s) => {
  try {
    decodeAddress(s);
    return true;
  } catch {
    return false;
  }
}, "must be a bech32 address with prefix kyo");

const hex32 = z
  .string()
  .regex(/^0x[0-9a-f]{64}$/, "must be 0x followed by 64 lowercase hex digits (32 bytes)");

const safeInt = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number().int().min(min).max(max);

const C = DEFAULT_GENESIS_PARAMS.compute;
const A = DEFAULT_GENESIS_PARAMS.attestation;

/** Classes of attestation evidence (see DESIGN.md: the attestation module). */
const evidenceClass = z.enum(["nvidia-cc", "dev"]);

/** A fraction in basis points: 0 (none) to 10000 (all). */
const bps = safeInt(0, 10_000);

export const genesisSchema = z
  .object({
    chain_id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,48}[a-z0-9]$/, "must be 2-50 chars of a-z, 0-9 and '-' (not at the ends)"),
    genesis_time: z.iso.datetime({ offset: true }),
    initial_height: safeInt(1).default(1),
    consensus: z
      .object({
        block: z
          .object({
            max_bytes: safeInt(1024, 64 * 1024 * 1024),
            max_gas: safeInt(1),
          })
          .strict(),
      })
      .strict(),
    app_state: z
      .object({
        accounts: z
          .array(z.object({ address, balance: amount }).strict())
          .refine((a) => new Set(a.map((x) => x.address)).size === a.length, "addresses must be unique"),
        validators: z
          .array(
            z
              .object({
                operator: address,
                consensus_pubkey: hex32,
                stake: positiveAmount,
                moniker: z.string().max(64).default(""),
              })
              .strict(),
          )
          .min(1, "at least one validator is needed")
          .refine(
            (v) => new Set(v.map((x) => x.consensus_pubkey)).size === v.length,
            "consensus keys must be unique",
          ),
        params: z
          .object({
            bank: z.object({ min_gas_price: amount }).strict(),
            staking: z
              .object({
                power_reduction: positiveAmount,
                max_validators: safeInt(1, 10_000),
                // Blocks an unbonding entry waits before it is paid back (slashable meanwhile).
                unbonding_blocks: safeInt(0).default(DEFAULT_GENESIS_PARAMS.staking.unbonding_blocks),
                // Smallest self-stake a validator is created with, base units.
                min_self_stake: amount.default(DEFAULT_GENESIS_PARAMS.staking.min_self_stake),
              })
              .strict(),
            // Fractions in basis points (10000 = 100%). Missing fields (or the whole section, in a
            // genesis written before slashing existed) take the defaults.
            slashing: z
              .object({
                signed_blocks_window: safeInt(1, 100_000).default(
                  DEFAULT_GENESIS_PARAMS.slashing.signed_blocks_window,
                ),
                min_signed_per_window_bps: bps.default(
                  DEFAULT_GENESIS_PARAMS.slashing.min_signed_per_window_bps,
                ),
                slash_fraction_double_sign_bps: bps.default(
                  DEFAULT_GENESIS_PARAMS.slashing.slash_fraction_double_sign_bps,
                ),
                slash_fraction_downtime_bps: bps.default(
                  DEFAULT_GENESIS_PARAMS.slashing.slash_fraction_downtime_bps,
                ),
                downtime_jail_blocks: safeInt(0).default(
                  DEFAULT_GENESIS_PARAMS.slashing.downtime_jail_blocks,
                ),
                max_evidence_age_blocks: safeInt(0).default(
                  DEFAULT_GENESIS_PARAMS.slashing.max_evidence_age_blocks,
                ),
              })
              .strict()
              .default({ ...DEFAULT_GENESIS_PARAMS.slashing }),
            models: z
              .object({
                max_lineage_depth: safeInt(1, 64).default(DEFAULT_GENESIS_PARAMS.models.max_lineage_depth),
                max_licenses_per_model: safeInt(0, 256).default(
                  DEFAULT_GENESIS_PARAMS.models.max_licenses_per_model,
                ),
              })
              .strict()
              .default({ ...DEFAULT_GENESIS_PARAMS.models }),
            gov: z
              .object({
                min_deposit: positiveAmount.default(DEFAULT_GENESIS_PARAMS.gov.min_deposit),
                max_deposit_blocks: safeInt(1).default(DEFAULT_GENESIS_PARAMS.gov.max_deposit_blocks),
                voting_blocks: safeInt(1).default(DEFAULT_GENESIS_PARAMS.gov.voting_blocks),
                quorum_bps: bps.default(DEFAULT_GENESIS_PARAMS.gov.quorum_bps),
                threshold_bps: bps.default(DEFAULT_GENESIS_PARAMS.gov.threshold_bps),
                veto_threshold_bps: bps.default(DEFAULT_GENESIS_PARAMS.gov.veto_threshold_bps),
              })
              .strict()
              .default({ ...DEFAULT_GENESIS_PARAMS.gov }),
            // Workers and jobs (see execution/modules/compute/params.ts for the same bounds).
            compute: z
              .object({
                min_worker_stake: positiveAmount.default(DEFAULT_GENESIS_PARAMS.compute.min_worker_stake),
                worker_unbonding_blocks: safeInt(0, 10_000_000).default(C.worker_unbonding_blocks),
                max_replication: safeInt(1, 32).default(C.max_replication),
                commit_window_blocks: safeInt(1, 100_000).default(C.commit_window_blocks),
                reveal_window_blocks: safeInt(1, 100_000).default(C.reveal_window_blocks),
                slash_missed_bps: bps.default(C.slash_missed_bps),
                slash_minority_bps: bps.default(C.slash_minority_bps),
                slash_audit_bps: bps.default(C.slash_audit_bps),
                max_faults: safeInt(1, 1_000).default(C.max_faults),
                jail_blocks: safeInt(0, 10_000_000).default(C.jail_blocks),
                max_reruns: safeInt(0, 16).default(C.max_reruns),
                rerun_extra_replicas: safeInt(0, 32).default(C.rerun_extra_replicas),
                audit_bps: bps.default(C.audit_bps),
                max_assignments_per_block: safeInt(1, 10_000).default(C.max_assignments_per_block),
                max_params_bytes: safeInt(0, 65_536).default(C.max_params_bytes),
                max_output_bytes: safeInt(0, 4 * 1024 * 1024).default(C.max_output_bytes),
                max_job_blocks: safeInt(1, 10_000_000).default(C.max_job_blocks),
              })
              .strict()
              .default({ ...C }),
            // GPU attestation (see execution/modules/attestation/params.ts for the same bounds).
            attestation: z
              .object({
                anchor_window_blocks: safeInt(1, 10_000).default(A.anchor_window_blocks),
                validity_blocks: safeInt(1, 10_000_000).default(A.validity_blocks),
                any_value_indices: z
                  .array(safeInt(0, 255))
                  .max(256)
                  .refine(
                    (a) => a.every((v, i) => i === 0 || v > a[i - 1]!),
                    "must be sorted ascending without repeats",
                  )
                  .default([]),
              })
              .strict()
              .default({ ...A, any_value_indices: [] }),
            tx: z
              .object({
                max_tx_bytes: safeInt(128, 16 * 1024 * 1024),
                max_memo_bytes: safeInt(0, 1024 * 1024),
                max_msgs: safeInt(1, 1024),
                max_nonce_gap: safeInt(0, 1_000_000),
              })
              .strict(),
          })
          .strict(),
        // Roots and golden measurements of GPU attestation (changed later by governance).
        attestation: z
          .object({
            trusted_roots: z
              .array(
                z
                  .object({
                    evidence_class: evidenceClass,
                    label: z.string().max(128).default(""),
                    certificate_pem: z
                      .string()
                      .regex(/-----BEGIN CERTIFICATE-----/, "must be a PEM certificate"),
                  })
                  .strict(),
              )
              .default([]),
            allowed_measurements: z
              .array(
                z
                  .object({
                    evidence_class: evidenceClass,
                    index: safeInt(0, 255),
                    value: z
                      .string()
                      .regex(/^0x([0-9a-f]{2}){1,64}$/, "must be 0x followed by 1-64 bytes of lowercase hex"),
                  })
                  .strict(),
              )
              .default([]),
            // Whether dev evidence is accepted (devnets only). Genesis-only: no param changes it.
            allow_dev: z.boolean().default(false),
          })
          .strict()
          .default({ trusted_roots: [], allowed_measurements: [], allow_dev: false }),
      })
      .strict(),
  })
  .strict();

export type GenesisDoc = z.infer<typeof genesisSchema>;
