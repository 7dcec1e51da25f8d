// PEM certificate chains as NVIDIA's tools write them: CERTIFICATE blocks, leaf first, separated by
// whitespace. Anything else in the text (other block types, stray characters) is refused so two
// verifiers can never read different chains out of the same bytes.
import { AttestationError, type AttestationErrorCode } from "../errors.js";

const BLOCK = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]*?)-----END CERTIFICATE-----/g;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** DER bytes of every certificate in `text`, in order. */
export function derCertificatesFromPem(
  text: string,
  code: AttestationErrorCode = "CHAIN_MALFORMED",
): Uint8Array[] {
  const out: Uint8Array[] = [];
  let last = 0;
  for (const m of text.matchAll(BLOCK)) {
    if (text.slice(last, m.index).trim() !== "")
      throw new AttestationError(code, `unexpected text before certificate ${out.length} of the PEM chain`);
    const body = m[1]!.replace(/\s+/g, "");
    if (!BASE64.test(body) || body.length % 4 !== 0)
      throw new AttestationError(code, `certificate ${out.length} of the PEM chain is not valid base64`);
    out.push(new Uint8Array(Buffer.from(body, "base64")));
    last = m.index + m[0].length;
  }
  if (text.slice(last).trim() !== "")
    throw new AttestationError(code, `unexpected text after certificate ${out.length} of the PEM chain`);
  return out;
}

export function pemFromDer(der: Uint8Array): string {
  const b64 = Buffer.from(der)
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .trimEnd();
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}
