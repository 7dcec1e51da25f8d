// P-384 ECDSA signing for dev evidence, with the S form chosen by the caller. For any valid
// signature (r, s), (r, n - s) is valid too; NVIDIA's GPUs and CAs emit either form, so the
// generator can force "high" (s > n/2) to make sure verifiers accept what low-S-only libraries refuse.
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { derSequence, derUnsignedInteger } from "../der.js";
import { P384_ORDER } from "../nvidia-cc/report-signature.js";

export type SForm = "high" | "low" | "any";
const HALF_ORDER = P384_ORDER >> 1n;

export function generateP384Key(): KeyObject {
  return generateKeyPairSync("ec", { namedCurve: "secp384r1" }).privateKey;
}

function scalarBytes(v: bigint): Uint8Array {
  return new Uint8Array(Buffer.from(v.toString(16).padStart(96, "0"), "hex"));
}

/** ECDSA P-384/SHA-384 over `data`, raw r||s (96 bytes), with s in the requested form. */
export function signP384Raw(key: KeyObject, data: Uint8Array, form: SForm): Uint8Array {
  const raw = new Uint8Array(sign("sha384", data, { key, dsaEncoding: "ieee-p1363" }));
  let s = BigInt(`0x${Buffer.from(raw.subarray(48)).toString("hex")}`);
  if ((form === "high" && s <= HALF_ORDER) || (form === "low" && s > HALF_ORDER)) s = P384_ORDER - s;
  raw.set(scalarBytes(s), 48);
  return raw;
}

/** The same, DER-encoded (ECDSA-Sig-Value) as X.509 certificates carry it. */
export function signP384Der(key: KeyObject, data: Uint8Array, form: SForm): Uint8Array {
  const raw = signP384Raw(key, data, form);
  return derSequence(derUnsignedInteger(raw.subarray(0, 48)), derUnsignedInteger(raw.subarray(48)));
}
