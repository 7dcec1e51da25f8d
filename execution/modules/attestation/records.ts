// The attestation registry's state (prefix 0x09): the roots trusted to sign attestation evidence
// and the measurement values allowed in reports, per evidence class. Genesis sets them; only
// governance changes them (this file's add/remove functions are what its proposals call).
//
//   [0x09, 0x10] ++ id (32)                        TrustedRoot, id = sha256(DER certificate)
//   [0x09, 0x11] ++ class (1) ++ index (1) ++ value AllowedMeasurement
//   [0x09, 0x20]                KeyedList: ids of every trusted root (the `trusted_roots` list)
//   [0x09, 0x21] ++ class (1)   KeyedList: index ++ value of the class's allowed measurements
import { sha256 } from "../../../crypto/hash.js";
import { encode } from "../../../proto/canonical.js";
import { AllowedMeasurement, TrustedRoot } from "../../../proto/index.js";
import { ExecutionError } from "../../errors.js";
import { type KvReader, type KvStore, type StateKey, stateKey } from "../../store.js";
import { KeyedList } from "../keyed-list.js";
import { checkCaCertificate } from "./certificate.js";

export const ATTESTATION_PREFIX = 0x09;
/** Evidence classes and their one-byte codes in keys (codes never change). */
export const EVIDENCE_CLASSES = { "nvidia-cc": 1, dev: 2 } as const;
export type EvidenceClass = keyof typeof EVIDENCE_CLASSES;
export const MAX_LABEL_BYTES = 128;
export const MAX_MEASUREMENT_INDEX = 255;
export const MAX_MEASUREMENT_BYTES = 64;
export const ROOT_ID_BYTES = 32;

const ROOT_TAG = 0x10;
const MEASUREMENT_TAG = 0x11;

export const ALL_ROOTS = new KeyedList(Uint8Array.of(ATTESTATION_PREFIX, 0x20));
export function measurementsOf(evidenceClass: EvidenceClass): KeyedList {
  return new KeyedList(Uint8Array.of(ATTESTATION_PREFIX, 0x21, EVIDENCE_CLASSES[evidenceClass]));
}

export function rootKey(id: Uint8Array): StateKey {
  const key = new Uint8Array(2 + id.length);
  key.set([ATTESTATION_PREFIX, ROOT_TAG]);
  key.set(id, 2);
  return stateKey(key);
}

/** index ++ value: a measurement's name within its class. */
function measurementSuffix(index: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + value.length);
  out[0] = index;
  out.set(value, 1);
  return out;
}

function measurementKey(evidenceClass: EvidenceClass, suffix: Uint8Array): StateKey {
  const key = new Uint8Array(3 + suffix.length);
  key.set([ATTESTATION_PREFIX, MEASUREMENT_TAG, EVIDENCE_CLASSES[evidenceClass]]);
  key.set(suffix, 3);
  return stateKey(key);
}

export function checkEvidenceClass(text: string): EvidenceClass {
  if (!Object.hasOwn(EVIDENCE_CLASSES, text)) {
    throw new ExecutionError(
      "ATTESTATION_INVALID_EVIDENCE_CLASS",
      `evidence class ${JSON.stringify(text)} is not one of ${Object.keys(EVIDENCE_CLASSES).join(", ")}`,
    );
  }
  return text as EvidenceClass;
}

export interface RootInput {
  evidenceClass: string;
  label: string;
  certificateDer: Uint8Array;
}

/** Stateless checks of a root to add; returns its id. */
export function checkRoot(root: RootInput): Uint8Array {
  checkEvidenceClass(root.evidenceClass);
  if (Buffer.byteLength(root.label, "utf8") > MAX_LABEL_BYTES) {
    throw new ExecutionError(
      "ATTESTATION_INVALID_CERTIFICATE",
      `the root's label is longer than ${MAX_LABEL_BYTES} UTF-8 bytes`,
    );
  }
  checkCaCertificate(root.certificateDer);
  return sha256(root.certificateDer);
}

export interface MeasurementInput {
  evidenceClass: string;
  index: number;
  value: Uint8Array;
}

/** Stateless checks of a measurement. */
export function checkMeasurement(m: MeasurementInput): EvidenceClass {
  const evidenceClass = checkEvidenceClass(m.evidenceClass);
  if (!Number.isSafeInteger(m.index) || m.index < 0 || m.index > MAX_MEASUREMENT_INDEX) {
    throw new ExecutionError(
      "ATTESTATION_INVALID_MEASUREMENT",
      `measurement index ${m.index} is not in 0..${MAX_MEASUREMENT_INDEX}`,
    );
  }
  if (m.value.length < 1 || m.value.length > MAX_MEASUREMENT_BYTES) {
    throw new ExecutionError(
      "ATTESTATION_INVALID_MEASUREMENT",
      `measurement value is ${m.value.length} bytes, not 1..${MAX_MEASUREMENT_BYTES}`,
    );
  }
  return evidenceClass;
}

function decodeStored<T>(codec: { decode(b: Uint8Array): T }, bytes: Uint8Array, what: string): T {
  try {
    return codec.decode(bytes);
  } catch (err) {
    throw new ExecutionError("INTERNAL", `stored ${what} does not decode: ${(err as Error).message}`);
  }
}

export async function loadTrustedRoot(reader: KvReader, id: Uint8Array): Promise<TrustedRoot | undefined> {
  const bytes = await reader.get(rootKey(id));
  return bytes === undefined ? undefined : decodeStored<TrustedRoot>(TrustedRoot, bytes, "TrustedRoot");
}

/** Adds a root; throws ATTESTATION_ROOT_EXISTS for a certificate already trusted. Returns its id. */
export async function addTrustedRoot(store: KvStore, root: RootInput, height: number): Promise<Uint8Array> {
  const id = checkRoot(root);
  if ((await store.get(rootKey(id))) !== undefined) {
    throw new ExecutionError(
      "ATTESTATION_ROOT_EXISTS",
      `root 0x${Buffer.from(id).toString("hex")} is already trusted`,
    );
  }
  store.set(
    rootKey(id),
    encode(
      TrustedRoot,
      TrustedRoot.create({
        id,
        evidenceClass: root.evidenceClass,
        label: root.label,
        certificateDer: root.certificateDer,
        addedHeight: height,
      }),
    ),
  );
  await ALL_ROOTS.add(store, id);
  return id;
}

/** Removes a root; throws ATTESTATION_ROOT_NOT_FOUND for an unknown id. */
export async function removeTrustedRoot(store: KvStore, id: Uint8Array): Promise<void> {
  if (id.length !== ROOT_ID_BYTES || (await store.get(rootKey(id))) === undefined) {
    throw new ExecutionError(
      "ATTESTATION_ROOT_NOT_FOUND",
      `no trusted root has id 0x${Buffer.from(id).toString("hex")}`,
    );
  }
  store.delete(rootKey(id));
  await ALL_ROOTS.remove(store, id);
}

export async function loadMeasurement(
  reader: KvReader,
  m: MeasurementInput,
): Promise<AllowedMeasurement | undefined> {
  const evidenceClass = checkMeasurement(m);
  const bytes = await reader.get(measurementKey(evidenceClass, measurementSuffix(m.index, m.value)));
  return bytes === undefined
    ? undefined
    : decodeStored<AllowedMeasurement>(AllowedMeasurement, bytes, "AllowedMeasurement");
}

/** The allowed measurement of a class named by its list key (index ++ value). */
export async function loadMeasurementBySuffix(
  reader: KvReader,
  evidenceClass: EvidenceClass,
  suffix: Uint8Array,
): Promise<AllowedMeasurement | undefined> {
  const bytes = await reader.get(measurementKey(evidenceClass, suffix));
  return bytes === undefined
    ? undefined
    : decodeStored<AllowedMeasurement>(AllowedMeasurement, bytes, "AllowedMeasurement");
}

/**
 * Allows (or disallows) a measurement value. Returns false when nothing changed (already allowed,
 * or not allowed in the first place); an allowed value keeps the height it was first added at.
 */
export async function setMeasurement(
  store: KvStore,
  m: MeasurementInput,
  allowed: boolean,
  height: number,
): Promise<boolean> {
  const evidenceClass = checkMeasurement(m);
  const suffix = measurementSuffix(m.index, m.value);
  const key = measurementKey(evidenceClass, suffix);
  const present = (await store.get(key)) !== undefined;
  if (allowed === present) return false;
  if (allowed) {
    store.set(
      key,
      encode(
        AllowedMeasurement,
        AllowedMeasurement.create({ evidenceClass, index: m.index, value: m.value, addedHeight: height }),
      ),
    );
    await measurementsOf(evidenceClass).add(store, suffix);
  } else {
    store.delete(key);
    await measurementsOf(evidenceClass).remove(store, suffix);
  }
  return true;
}
