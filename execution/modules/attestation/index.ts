// Attestation registry: the certificate authorities trusted to root GPU attestation evidence and
// the measurement values allowed in reports, per evidence class ("nvidia-cc", "dev"). Genesis
// sets them (app_state.attestation); governance proposals add and remove them. Verifying
// evidence against them comes with the compute module.
//   records.ts      state layout, add/remove (used by genesis and governance)
//   certificate.ts  the X.509 CA check
//   queries.ts      trusted_roots, allowed_measurements/<class>
import { fromHex } from "../../../crypto/hash.js";
import { ExecutionError } from "../../errors.js";
import type { Module } from "../types.js";
import { derFromPem } from "./certificate.js";
import { queryAllowedMeasurements, queryTrustedRoots } from "./queries.js";
import { ATTESTATION_PREFIX, addTrustedRoot, setMeasurement } from "./records.js";

export { ATTESTATION_PREFIX } from "./records.js";

function genesisError(field: string, err: unknown): ExecutionError {
  return new ExecutionError("GENESIS_INVALID", `${field}: ${(err as Error).message}`);
}

export const attestationModule: Module = {
  name: "attestation",
  prefix: ATTESTATION_PREFIX,
  async initGenesis(ctx, genesis) {
    const attestation = genesis.attestation ?? { trusted_roots: [], allowed_measurements: [] };
    for (const [i, r] of attestation.trusted_roots.entries()) {
      const field = `attestation.trusted_roots[${i}]`;
      try {
        const certificateDer = derFromPem(r.certificate_pem);
        await addTrustedRoot(
          ctx.store,
          { evidenceClass: r.evidence_class, label: r.label, certificateDer },
          0,
        );
      } catch (err) {
        throw genesisError(field, err);
      }
    }
    for (const [i, m] of attestation.allowed_measurements.entries()) {
      const field = `attestation.allowed_measurements[${i}]`;
      let added: boolean;
      try {
        if (!/^0x([0-9a-f]{2})+$/.test(m.value))
          throw new Error("value must be 0x followed by lowercase hex");
        added = await setMeasurement(
          ctx.store,
          { evidenceClass: m.evidence_class, index: m.index, value: fromHex(m.value.slice(2)) },
          true,
          0,
        );
      } catch (err) {
        throw genesisError(field, err);
      }
      if (!added) throw new ExecutionError("GENESIS_INVALID", `${field} is listed twice`);
    }
  },
  queries: {
    trusted_roots: queryTrustedRoots,
    allowed_measurements: queryAllowedMeasurements,
  },
};
