// The licenses a model cites: held by the registrant, valid now, allowing training, and allowing
// commercial use when the model charges a fee. Licenses are read through the data module's records.
import { encodeAddress } from "../../../crypto/address.js";
import { bytesEqual } from "../../../proto/canonical.js";
import type { License } from "../../../proto/index.js";
import { ExecutionError } from "../../errors.js";
import type { KvReader } from "../../store.js";
import { licenseValidAt, loadLicense } from "../data/records.js";

export async function loadCitedLicense(reader: KvReader, id: number): Promise<License> {
  const license = await loadLicense(reader, id);
  if (!license) throw new ExecutionError("LICENSE_NOT_FOUND", `no license has id ${id}`);
  return license;
}

/** Refuses a priced model that cites a license without commercial use. */
export function requireCommercial(licenses: readonly License[], fee: bigint): void {
  if (fee === 0n) return;
  const bad = licenses.find((l) => !l.commercialUse);
  if (bad) {
    throw new ExecutionError(
      "CITED_LICENSE_NOT_COMMERCIAL",
      `license ${bad.id} does not allow commercial use, so the model's inference fee must be 0 (got ${fee})`,
    );
  }
}

/**
 * Loads and checks the licenses a new model cites, in the order given. Returns them so the caller
 * can add up their royalty shares.
 */
export async function checkCitedLicenses(
  reader: KvReader,
  ids: readonly number[],
  registrant: Uint8Array,
  height: number,
  fee: bigint,
): Promise<License[]> {
  const licenses: License[] = [];
  for (const id of ids) {
    const l = await loadCitedLicense(reader, id);
    if (!bytesEqual(l.licensee, registrant)) {
      throw new ExecutionError(
        "CITED_LICENSE_NOT_HELD",
        `license ${id} is held by ${encodeAddress(l.licensee)}, not by the registrant ${encodeAddress(registrant)}`,
      );
    }
    if (!licenseValidAt(l, height)) {
      throw new ExecutionError(
        "CITED_LICENSE_EXPIRED",
        `license ${id} is not valid at height ${height} (granted at ${l.grantedHeight}, last valid height ${l.expiresHeight})`,
      );
    }
    if (!l.trainingAllowed) {
      throw new ExecutionError("CITED_LICENSE_FORBIDS_TRAINING", `license ${id} does not allow training`);
    }
    licenses.push(l);
  }
  requireCommercial(licenses, fee);
  return licenses;
}
