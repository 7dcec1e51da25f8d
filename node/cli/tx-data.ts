// `kyochi tx data register|add-offer|retire-offer|transfer|buy-license`: dataset txs signed by the
// keyring key <from> (the owner, or the buyer for buy-license). Signing, nonce, fee and broadcast
// are the `tx` command's (passed in as `broadcast`), so every `tx` flag works here too.
import type { Command } from "commander";
import {
  dataAddOfferMsg,
  dataBuyLicenseMsg,
  dataRegisterMsg,
  dataRetireOfferMsg,
  dataTransferMsg,
} from "../../rpc/client/msgs-data.js";
import { hashPath, progressBar } from "./data.js";
import { address, amount, hash32, invalid, uint, yesNo } from "./flag-values.js";
import type { Broadcast } from "./tx-staking.js";

const MAX_U32 = 0xffff_ffff;

const id = (text: string, what: string): number => uint(text, what, Number.MAX_SAFE_INTEGER, 1);

interface RegisterFlags {
  name?: string;
  contentRoot?: string;
  size?: string;
  path?: string;
  uri?: string;
  format?: string;
  descriptionHash?: string;
}

/** content root and size: from --path (hashed here) or from --content-root and --size, not both. */
async function rootAndSize(opts: RegisterFlags): Promise<{ root: Uint8Array; size: number }> {
  if (opts.path !== undefined) {
    if (opts.contentRoot !== undefined || opts.size !== undefined) {
      throw invalid("give either --path or --content-root with --size, not both");
    }
    const r = await hashPath(opts.path, progressBar(process.stderr));
    if (r.sizeBytes === 0) throw invalid(`${opts.path} holds no bytes: a dataset needs size > 0`);
    return { root: r.root, size: r.sizeBytes };
  }
  if (opts.contentRoot === undefined || opts.size === undefined) {
    throw invalid("give --content-root and --size (from `kyochi data hash`), or --path to compute them");
  }
  return {
    root: hash32(opts.contentRoot, "--content-root"),
    size: uint(opts.size, "--size", Number.MAX_SAFE_INTEGER, 1),
  };
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === "") throw invalid(`${flag} is required`);
  return value;
}

/** Adds `data` under the `tx` command. */
export function registerDataTxCommands(tx: Command, broadcast: Broadcast): void {
  const data = tx.command("data").description("datasets: register, license offers, transfer, buy licenses");

  data
    .command("register <from>")
    .description("register a dataset owned by the keyring key <from>")
    .option("--name <name>", "dataset name (1..128 bytes)")
    .option("--content-root <hex>", "32-byte content root (see `kyochi data hash`)")
    .option("--size <bytes>", "size in bytes")
    .option("--path <file|dir>", "compute --content-root and --size from these files")
    .option("--uri <uri>", "where the data can be fetched (1..512 bytes)")
    .option("--format <format>", "data format, e.g. parquet, jsonl (1..64 bytes)")
    .option("--description-hash <hex>", "sha256 of a description document (default: none)")
    .action(async (from: string, opts: RegisterFlags) => {
      const name = required(opts.name, "--name");
      const uri = required(opts.uri, "--uri");
      const format = required(opts.format, "--format");
      const descriptionHash =
        opts.descriptionHash === undefined ? undefined : hash32(opts.descriptionHash, "--description-hash");
      const { root, size } = await rootAndSize(opts);
      await broadcast(from, [
        dataRegisterMsg({
          name,
          contentRoot: root,
          sizeBytes: size,
          locationUri: uri,
          format,
          ...(descriptionHash ? { descriptionHash } : {}),
        }),
      ]);
    });

  data
    .command("add-offer <from> <dataset-id>")
    .description("add a license offer to a dataset owned by <from>")
    .option("--price <amount>", "base units per license (0 = free)", "0")
    .option("--duration-blocks <n>", "blocks a license lasts (0 = perpetual)", "0")
    .option("--commercial <yes|no>", "commercial use allowed", "no")
    .option("--training <yes|no>", "training models allowed", "no")
    .option("--royalty-bps <bps>", "share of derived models' fees, basis points (0..10000)", "0")
    .option("--max-licenses <n>", "most licenses sold under this offer (0 = unlimited)", "0")
    .action(
      async (
        from: string,
        datasetId: string,
        opts: {
          price: string;
          durationBlocks: string;
          commercial: string;
          training: string;
          royaltyBps: string;
          maxLicenses: string;
        },
      ) => {
        await broadcast(from, [
          dataAddOfferMsg(id(datasetId, "dataset-id"), {
            price: amount(opts.price, "--price"),
            durationBlocks: uint(opts.durationBlocks, "--duration-blocks"),
            commercialUse: yesNo(opts.commercial, "--commercial"),
            trainingAllowed: yesNo(opts.training, "--training"),
            royaltyBps: uint(opts.royaltyBps, "--royalty-bps", 10_000),
            maxLicenses: uint(opts.maxLicenses, "--max-licenses", MAX_U32),
          }),
        ]);
      },
    );

  data
    .command("retire-offer <from> <dataset-id> <offer-id>")
    .description("stop selling licenses under an offer (licenses already sold stay valid)")
    .action(async (from: string, datasetId: string, offerId: string) => {
      await broadcast(from, [
        dataRetireOfferMsg(id(datasetId, "dataset-id"), uint(offerId, "offer-id", MAX_U32, 1)),
      ]);
    });

  data
    .command("transfer <from> <dataset-id> <new-owner>")
    .description("hand a dataset (its offers, future sales and royalties) to the address <new-owner>")
    .action(async (from: string, datasetId: string, newOwner: string) => {
      await broadcast(from, [dataTransferMsg(id(datasetId, "dataset-id"), address(newOwner, "new-owner"))]);
    });

  data
    .command("buy-license <from> <dataset-id> <offer-id>")
    .description("buy a license under an offer; <from> pays its price to the dataset's owner")
    .action(async (from: string, datasetId: string, offerId: string) => {
      await broadcast(from, [
        dataBuyLicenseMsg(id(datasetId, "dataset-id"), uint(offerId, "offer-id", MAX_U32, 1)),
      ]);
    });
}
