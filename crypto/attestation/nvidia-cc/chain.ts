// Checks of a GPU's 5-certificate chain (leaf first) against a root the caller trusts (held in chain
// state). The chain's own last certificate is NOT trusted: it must name the same CA with the same
// key as the given root (else UNKNOWN_ROOT), and from there on the given root's key, validity and
// CA flag are what count. Every link is checked: certificate i (i = 0..3) against certificate i+1
// (certificate 3 against the given root), and the chain's root copy against the given root's key,
// so a tampered copy is caught as a broken signature too. Validity is checked at the caller's time
// (block time in the chain, never the wall clock).
import { bytesEqual } from "../../../proto/canonical.js";
import type { AttestationErrorCode } from "../errors.js";
import {
  KEY_USAGE_DIGITAL_SIGNATURE,
  KEY_USAGE_KEY_CERT_SIGN,
  type ParsedCertificate,
} from "./certificates.js";
import { type Check, fail, pass, skipped } from "./verdict.js";

export const CHAIN_LENGTH = 5;

interface Problem {
  code: AttestationErrorCode;
  text: string;
}

function outcome(name: Check["name"], problems: Problem[], ok: string): Check {
  if (problems.length === 0) return pass(name, ok);
  return fail(name, problems[0]!.code, problems.map((p) => p.text).join("; "));
}

const label = (i: number | "root", c: ParsedCertificate) =>
  i === "root" ? `given root (${c.subject})` : `certificate ${i} (${c.subject})`;

/** Finds the trusted root the chain ends at: same subject name and same key as the chain's last certificate. */
export function findRoot(
  certs: readonly ParsedCertificate[],
  roots: readonly ParsedCertificate[],
): ParsedCertificate | undefined {
  const top = certs[certs.length - 1]!;
  return roots.find(
    (r) => bytesEqual(r.subjectName, top.subjectName) && bytesEqual(r.publicKey, top.publicKey),
  );
}

export function checkChain(
  certs: readonly ParsedCertificate[],
  roots: readonly ParsedCertificate[],
  timeMs: number,
): Check[] {
  const root = findRoot(certs, roots);
  const top = certs[CHAIN_LENGTH - 1]!;
  const checks: Check[] = [
    root
      ? pass("root", `the chain ends at ${root.subject}, a trusted root`)
      : fail(
          "root",
          "UNKNOWN_ROOT",
          `the chain ends at ${top.subject}, which is not a trusted root (${roots.length} given; subject and key must match)`,
        ),
  ];

  // Signatures. Links to the root are only meaningful once the root is known.
  const sigProblems: Problem[] = [];
  const lastLink = root ? CHAIN_LENGTH - 1 : CHAIN_LENGTH - 3;
  for (let i = 0; i <= lastLink; i++) {
    const child = certs[i]!;
    const parent = i < CHAIN_LENGTH - 2 ? certs[i + 1]! : root!;
    if (!bytesEqual(child.issuerName, parent.subjectName)) {
      sigProblems.push({
        code: "CERT_ISSUER_MISMATCH",
        text: `${label(i, child)} names issuer ${child.x509.issuer.replace(/\n/g, ", ")}, not ${parent.subject}`,
      });
    } else if (!child.x509.verify(parent.x509.publicKey)) {
      sigProblems.push({
        code: "CERT_SIGNATURE_INVALID",
        text: `the signature of ${label(i, child)} does not verify under ${parent.subject}'s key`,
      });
    }
  }
  checks.push(
    outcome(
      "chain-signatures",
      sigProblems,
      root
        ? `${CHAIN_LENGTH} signatures verify, up to the given root`
        : `${lastLink + 1} signatures inside the chain verify (links to the root not checked: root unknown)`,
    ),
  );

  // The certificates that count: the chain below its root copy, then the given root (if known).
  const counted: [number | "root", ParsedCertificate][] = certs
    .slice(0, CHAIN_LENGTH - 1)
    .map((c, i) => [i, c] as [number, ParsedCertificate]);
  if (root) counted.push(["root", root]);

  const when = new Date(timeMs).toISOString();
  const timeProblems: Problem[] = [];
  for (const [i, c] of counted) {
    if (timeMs < c.notBeforeMs)
      timeProblems.push({
        code: "CERT_NOT_YET_VALID",
        text: `${label(i, c)} is valid from ${new Date(c.notBeforeMs).toISOString()}, after ${when}`,
      });
    else if (timeMs > c.notAfterMs)
      timeProblems.push({
        code: "CERT_EXPIRED",
        text: `${label(i, c)} expired at ${new Date(c.notAfterMs).toISOString()}, before ${when}`,
      });
  }
  checks.push(outcome("chain-validity", timeProblems, `${counted.length} certificates valid at ${when}`));

  // CA flags: every issuer (certificates 1..3 and the root) must be a CA; a path length constraint
  // must allow the CAs below it (certificate i has i - 1 CAs below it, the root has 3).
  const caProblems: Problem[] = [];
  for (const [i, c] of counted) {
    if (i === 0) continue;
    const below = i === "root" ? CHAIN_LENGTH - 2 : i - 1;
    if (c.basicConstraints?.cA !== true)
      caProblems.push({
        code: "CERT_NOT_CA",
        text: `${label(i, c)} issues certificates but is not a CA (basicConstraints cA)`,
      });
    else if (c.basicConstraints.pathLen !== undefined && c.basicConstraints.pathLen < below)
      caProblems.push({
        code: "CERT_NOT_CA",
        text: `${label(i, c)} allows ${c.basicConstraints.pathLen} CAs below it, the chain has ${below}`,
      });
  }
  checks.push(outcome("chain-ca", caProblems, "every issuer is a CA"));

  // Key usage, when the extension is present: issuers may sign certificates, the leaf may sign.
  const kuProblems: Problem[] = [];
  for (const [i, c] of counted) {
    const needed = i === 0 ? KEY_USAGE_DIGITAL_SIGNATURE : KEY_USAGE_KEY_CERT_SIGN;
    if (c.keyUsage !== undefined && (c.keyUsage & needed) === 0)
      kuProblems.push({
        code: "CERT_KEY_USAGE",
        text: `${label(i, c)} key usage lacks ${i === 0 ? "digitalSignature" : "keyCertSign"}`,
      });
  }
  checks.push(outcome("chain-key-usage", kuProblems, "key usages allow the chain and the report signature"));
  return checks;
}

/** The chain checks, marked skipped, for when the chain did not parse. */
export function skippedChainChecks(reason: string): Check[] {
  return (["root", "chain-signatures", "chain-validity", "chain-ca", "chain-key-usage"] as const).map((n) =>
    skipped(n, reason),
  );
}
