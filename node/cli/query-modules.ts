// `kyochi query data|model|gov|attestation|compute|params ...`: the AI modules' state through a
// node's JSON-RPC (data_*, model_*, gov_*, attestation_*, compute_*, chain_getParams). Lists print
// one page and its `nextCursor`; pass it back with --cursor for the next page.
import type { Command } from "commander";
import type { KyochiRpcClient } from "../../rpc/client/client.js";
import type { PageParams } from "../../rpc/types.js";
import { NodeError } from "../errors.js";
import { yesNo } from "./flag-values.js";
import { printJson } from "./output.js";

interface PageFlags {
  cursor?: string;
  limit?: string;
  height?: string;
}

function integer(text: string, what: string, min: number): number {
  if (!/^(0|[1-9][0-9]*)$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) < min) {
    throw new NodeError("CONFIG_INVALID", `${what} must be an integer of at least ${min}, got "${text}"`);
  }
  return Number(text);
}

const id = (text: string, what = "id"): number => integer(text, what, 1);
const optionalHeight = (text?: string): number | undefined =>
  text === undefined ? undefined : integer(text, "--height", 1);

function page(flags: PageFlags): PageParams {
  const out: PageParams = {};
  if (flags.cursor !== undefined) out.cursor = integer(flags.cursor, "--cursor", 0);
  if (flags.limit !== undefined) out.limit = integer(flags.limit, "--limit", 1);
  if (flags.height !== undefined) out.height = integer(flags.height, "--height", 1);
  return out;
}

function withPaging(cmd: Command): Command {
  return cmd
    .option("--cursor <n>", "continue after this cursor (the previous page's nextCursor)")
    .option("--limit <n>", "items per page (1-100, default 100)")
    .option("--height <h>", "at this height (default latest)");
}

export function registerModuleQueryCommands(query: Command, client: () => KyochiRpcClient): void {
  const data = query.command("data").description("datasets, license offers and licenses");
  data
    .command("dataset <id>")
    .description("a dataset with its license offers")
    .option("--height <h>", "at this height (default latest)")
    .action(async (text: string, o: { height?: string }) =>
      printJson(await client().getDataset(id(text), optionalHeight(o.height))),
    );
  withPaging(
    data.command("datasets").description("datasets by id").option("--owner <address>", "only this owner's"),
  ).action(async (o: PageFlags & { owner?: string }) =>
    printJson(await client().listDatasets({ ...page(o), ...(o.owner ? { owner: o.owner } : {}) })),
  );
  data
    .command("license <id>")
    .description("a license with the terms it was bought under")
    .option("--height <h>", "at this height (default latest)")
    .action(async (text: string, o: { height?: string }) =>
      printJson(await client().getLicense(id(text), optionalHeight(o.height))),
    );
  withPaging(
    data
      .command("licenses")
      .description("licenses held by an address or sold for a dataset")
      .option("--licensee <address>", "licenses this address holds")
      .option("--dataset <id>", "licenses sold for this dataset"),
  ).action(async (o: PageFlags & { licensee?: string; dataset?: string }) => {
    if ((o.licensee === undefined) === (o.dataset === undefined)) {
      throw new NodeError("CONFIG_INVALID", "give exactly one of --licensee or --dataset");
    }
    const filter =
      o.licensee !== undefined ? { licensee: o.licensee } : { datasetId: id(o.dataset ?? "", "--dataset") };
    printJson(await client().listLicenses({ ...page(o), ...filter }));
  });

  const model = query.command("model").description("model versions and their lineage");
  model
    .command("get <id|name@version>")
    .description("a model version by id, or by name@version")
    .option("--height <h>", "at this height (default latest)")
    .action(async (target: string, o: { height?: string }) => {
      const at = target.lastIndexOf("@");
      const which = at > 0 ? { name: target.slice(0, at), version: target.slice(at + 1) } : id(target);
      printJson(await client().getModel(which, optionalHeight(o.height)));
    });
  withPaging(
    model
      .command("list")
      .description("model versions by id")
      .option("--owner <address>", "only this owner's"),
  ).action(async (o: PageFlags & { owner?: string }) =>
    printJson(await client().listModels({ ...page(o), ...(o.owner ? { owner: o.owner } : {}) })),
  );
  model
    .command("lineage <id>")
    .description("a model and its ancestors, with the royalty shares along the way")
    .option("--height <h>", "at this height (default latest)")
    .action(async (text: string, o: { height?: string }) =>
      printJson(await client().getModelLineage(id(text), optionalHeight(o.height))),
    );

  const gov = query.command("gov").description("proposals, votes and the scheduled upgrade");
  gov
    .command("proposal <id>")
    .description("a proposal with its deposit, status and tally")
    .option("--height <h>", "at this height (default latest)")
    .action(async (text: string, o: { height?: string }) =>
      printJson(await client().getProposal(id(text), optionalHeight(o.height))),
    );
  withPaging(
    gov.command("proposals").description("proposals by id").option("--status <status>", "only this status"),
  ).action(async (o: PageFlags & { status?: string }) =>
    printJson(await client().listProposals({ ...page(o), ...(o.status ? { status: o.status } : {}) })),
  );
  withPaging(gov.command("votes <proposal-id>").description("the votes cast on a proposal")).action(
    async (text: string, o: PageFlags) =>
      printJson(await client().getVotes(id(text, "proposal id"), page(o))),
  );
  gov
    .command("upgrade-plan")
    .description("the software upgrade governance scheduled, if any")
    .action(async () => printJson(await client().getUpgradePlan()));

  const attestation = query.command("attestation").description("trusted roots and allowed measurements");
  withPaging(
    attestation
      .command("roots")
      .description("the certificate authorities attestation evidence may chain to")
      .option("--evidence-class <class>", "only this class's (nvidia-cc, dev); a page may come back short"),
  ).action(async (o: PageFlags & { evidenceClass?: string }) =>
    printJson(
      await client().getTrustedRoots({
        ...page(o),
        ...(o.evidenceClass ? { evidenceClass: o.evidenceClass } : {}),
      }),
    ),
  );
  withPaging(
    attestation
      .command("measurements <evidence-class>")
      .description("the allowed (golden) measurement values of an evidence class (nvidia-cc, dev)"),
  ).action(async (evidenceClass: string, o: PageFlags) =>
    printJson(await client().getAllowedMeasurements(evidenceClass, page(o))),
  );

  const compute = query.command("compute").description("inference jobs and GPU workers");
  compute
    .command("job <id>")
    .description("a job: state, assignments, agreed result and payments")
    .option("--height <h>", "at this height (default latest)")
    .action(async (text: string, o: { height?: string }) =>
      printJson(await client().getJob(id(text), optionalHeight(o.height))),
    );
  withPaging(
    compute
      .command("jobs")
      .description("jobs by id")
      .option("--state <state>", "pending, commit, reveal, settled, failed or cancelled")
      .option("--owner <address>", "only this owner's")
      .option("--worker <address>", "only jobs assigned to this worker"),
  ).action(async (o: PageFlags & { state?: string; owner?: string; worker?: string }) => {
    const { state, owner, worker } = o;
    printJson(
      await client().listJobs({
        ...page(o),
        ...(state ? { state } : {}),
        ...(owner ? { owner } : {}),
        ...(worker ? { worker } : {}),
      }),
    );
  });
  compute
    .command("worker <address>")
    .description("a worker: stake, capabilities, price, reputation and attestation status")
    .option("--height <h>", "at this height (default latest)")
    .action(async (address: string, o: { height?: string }) =>
      printJson(await client().getWorker(address, optionalHeight(o.height))),
    );
  withPaging(
    compute
      .command("workers")
      .description("workers by registration")
      .option("--operator <address>", "only this operator's")
      .option("--status <status>", "active, jailed or unbonding")
      .option("--attested <yes|no>", "only workers with (yes) or without (no) a current attestation"),
  ).action(async (o: PageFlags & { operator?: string; status?: string; attested?: string }) => {
    const { operator, status, attested } = o;
    printJson(
      await client().listWorkers({
        ...page(o),
        ...(operator ? { operator } : {}),
        ...(status ? { status } : {}),
        ...(attested !== undefined ? { attested: yesNo(attested, "--attested") } : {}),
      }),
    );
  });

  query
    .command("params")
    .description("every module's parameters")
    .option("--height <h>", "at this height (default latest)")
    .action(async (o: { height?: string }) => printJson(await client().getParams(optionalHeight(o.height))));
}
