// What a devnet needs so GPU workers can attest without hardware: a development root CA (its
// private key in `<devnet>/dev-ca.json`, which the worker daemons read with --dev-ca) declared in
// genesis as a `dev` trusted root, the dev measurement values allowed, and `allow_dev` set. Dev
// evidence is never trusted: every query and event marks it so, and assignment prefers hardware-
// attested workers. A production genesis has none of this.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { defaultDevMeasurements, generateDevRootCa } from "../crypto/attestation/dev-evidence.js";
import { toHex } from "../crypto/hash.js";
import type { GenesisAttestation } from "../execution/genesis-types.js";
import { NodeError } from "./errors.js";
import { writeFileAtomic } from "./key-file.js";
import type { DevCaFile } from "./worker/evidence-source.js";

export const DEV_CA_FILE = "dev-ca.json";

/** Creates `<root>/dev-ca.json` and returns the genesis attestation section that trusts it. */
export function createDevnetAttestation(root: string, genesisTimeMs: number): GenesisAttestation {
  const path = join(root, DEV_CA_FILE);
  if (existsSync(path)) throw new NodeError("HOME_EXISTS", `${path} already exists`);
  const ca = generateDevRootCa({ timeMs: genesisTimeMs, commonName: "Kyochi Devnet Dev CA" });
  const file: DevCaFile = {
    common_name: ca.commonName,
    certificate_pem: ca.certificatePem,
    private_key_pem: ca.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
  writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
  return {
    trusted_roots: [
      { evidence_class: "dev", label: "devnet development CA", certificate_pem: ca.certificatePem },
    ],
    allowed_measurements: [...defaultDevMeasurements()].map(([index, value]) => ({
      evidence_class: "dev",
      index,
      value: `0x${toHex(value)}`,
    })),
    allow_dev: true,
  };
}
