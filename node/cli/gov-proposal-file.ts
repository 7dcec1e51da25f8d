// The proposal file of `kyochi tx gov submit-proposal <from> <proposal.json>`:
//   { "title": "...", "summary": "...", "deposit": "10000000",
//     "content": { "type": "text" | "param_change" | "add_trusted_root" | "remove_trusted_root"
//                  | "set_measurement" | "software_upgrade" | "cancel_software_upgrade", ... } }
// param_change: changes [{module, key, value}] (value as genesis spells it: 50, "1000"), effective_height
// add_trusted_root: evidence_class, label, certificate_pem or certificate_file (PEM, relative to the file)
// remove_trusted_root: root_id (0x + sha256 of the DER certificate)
// set_measurement: evidence_class, index, value (0x hex), allowed (default true)
// software_upgrade: name, height, info
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { z } from "zod";
import { fromHex } from "../../crypto/hash.js";
import {
  type ProposalContentInput,
  proposalContent,
  type SubmitProposalInput,
} from "../../rpc/client/msgs-gov.js";
import { NodeError } from "../errors.js";

const height = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const evidenceClass = z.enum(["nvidia-cc", "dev"]);
const amount = z
  .union([z.string(), z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)])
  .transform(String)
  .pipe(z.string().regex(/^(0|[1-9][0-9]{0,38})$/, "must be an amount of base units (digits)"));

const contentSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }).strict(),
  z
    .object({
      type: z.literal("param_change"),
      effective_height: height,
      changes: z
        .array(
          z
            .object({
              module: z.string().min(1),
              key: z.string().min(1),
              value: z.union([z.string(), z.number(), z.boolean()]),
            })
            .strict(),
        )
        .min(1),
    })
    .strict(),
  z
    .object({
      type: z.literal("add_trusted_root"),
      evidence_class: evidenceClass,
      label: z.string().default(""),
      certificate_pem: z.string().optional(),
      certificate_file: z.string().optional(),
    })
    .strict()
    .refine((c) => (c.certificate_pem === undefined) !== (c.certificate_file === undefined), {
      message: "give exactly one of certificate_pem and certificate_file",
    }),
  z
    .object({
      type: z.literal("remove_trusted_root"),
      root_id: z
        .string()
        .regex(/^0x[0-9a-fA-F]{64}$/, "must be 0x and 64 hex digits (sha256 of the certificate)"),
    })
    .strict(),
  z
    .object({
      type: z.literal("set_measurement"),
      evidence_class: evidenceClass,
      index: z.number().int().min(0).max(255),
      value: z.string().regex(/^0x([0-9a-fA-F]{2}){1,64}$/, "must be 0x and 1-64 bytes of hex"),
      allowed: z.boolean().default(true),
    })
    .strict(),
  z
    .object({
      type: z.literal("software_upgrade"),
      name: z.string().min(1),
      height,
      info: z.string().default(""),
    })
    .strict(),
  z.object({ type: z.literal("cancel_software_upgrade") }).strict(),
]);

const fileSchema = z
  .object({
    title: z.string().min(1),
    summary: z.string().default(""),
    deposit: amount,
    content: contentSchema,
  })
  .strict();

function invalid(file: string, message: string): NodeError {
  return new NodeError("CONFIG_INVALID", `${file}: ${message}`);
}

function certificateDer(file: string, pem: string, field: string): Uint8Array {
  try {
    return new Uint8Array(new X509Certificate(pem).raw);
  } catch (err) {
    throw invalid(file, `content.${field}: not a PEM certificate (${(err as Error).message})`);
  }
}

function toContent(file: string, c: z.infer<typeof contentSchema>): ProposalContentInput {
  switch (c.type) {
    case "text":
      return proposalContent.text();
    case "param_change":
      return proposalContent.paramChange(c.changes, c.effective_height);
    case "add_trusted_root": {
      if (c.certificate_file !== undefined) {
        const path = resolve(dirname(file), c.certificate_file);
        let pem: string;
        try {
          pem = readFileSync(path, "utf8");
        } catch (err) {
          throw invalid(file, `content.certificate_file: cannot read ${path}: ${(err as Error).message}`);
        }
        return proposalContent.addTrustedRoot(
          c.evidence_class,
          c.label,
          certificateDer(file, pem, "certificate_file"),
        );
      }
      const der = certificateDer(file, c.certificate_pem ?? "", "certificate_pem");
      return proposalContent.addTrustedRoot(c.evidence_class, c.label, der);
    }
    case "remove_trusted_root":
      return proposalContent.removeTrustedRoot(fromHex(c.root_id));
    case "set_measurement":
      return proposalContent.setMeasurement(c.evidence_class, c.index, fromHex(c.value), c.allowed);
    case "software_upgrade":
      return proposalContent.softwareUpgrade(c.name, c.height, c.info);
    case "cancel_software_upgrade":
      return proposalContent.cancelSoftwareUpgrade();
  }
}

/** Reads and checks a proposal file; errors name the file and the field. */
export function readProposalFile(file: string): SubmitProposalInput {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    throw invalid(file, `cannot read a JSON proposal: ${(err as Error).message}`);
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.length ? issue.path.join(".") : "(file)";
    throw invalid(file, `${path}: ${issue?.message ?? "invalid"}`);
  }
  const p = parsed.data;
  return {
    title: p.title,
    summary: p.summary,
    content: toContent(file, p.content),
    initialDeposit: BigInt(p.deposit),
  };
}
