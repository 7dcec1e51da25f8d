// `kyochi tx model register|deprecate|transfer|set-fee|pay`: model owners' and payers' txs. The
// keyring key <from> signs; signing, nonce, fee and broadcast are the `tx` command's (`broadcast`).
//
// Two flags differ from the message field names because the names are taken higher up: the model
// version is --model-version (`kyochi --version` prints the CLI's version) and the model's fee is
// --inference-fee (`tx --fee` is the tx fee). `pay` requires --max-fee: the payer states the most
// they accept, so a fee raised after they looked is refused on chain (FEE_ABOVE_MAX), never paid.
import type { Command } from "commander";
import { ExecutionError } from "../../execution/errors.js";
import { validateRegisterModel } from "../../execution/modules/models/msgs-register.js";
import { modelFormatFromName } from "../../execution/modules/models/views.js";
import {
  modelsDeprecateMsg,
  modelsPayMsg,
  modelsRegisterMsg,
  modelsSetFeeMsg,
  modelsTransferMsg,
} from "../../rpc/client/msgs-models.js";
import { address, amount, collect, hash32, invalid, positiveInt } from "./flag-values.js";
import { hashWeightsFile } from "./model.js";
import type { Broadcast } from "./tx-staking.js";

interface RegisterFlags {
  name: string;
  modelVersion: string;
  weightsHash?: string;
  file?: string;
  size?: string;
  format?: string;
  uri: string;
  cardHash: string;
  inferenceFee: string;
  parent?: string;
  license: string[];
  allowDerivatives?: boolean;
  derivativeRoyaltyBps: string;
}

/** Weights hash, size and format from the flags, or from --file where a flag is left out. */
async function weightsOf(
  flags: RegisterFlags,
): Promise<{ weightsHash: Uint8Array; sizeBytes: number; formatName: string }> {
  if (flags.file !== undefined && flags.weightsHash !== undefined) {
    throw invalid("give --weights-hash or --file, not both");
  }
  if (flags.file === undefined) {
    if (flags.weightsHash === undefined) throw invalid("--weights-hash or --file is required");
    if (flags.size === undefined) throw invalid("--size is required without --file");
    if (flags.format === undefined) throw invalid("--format is required without --file");
    return {
      weightsHash: hash32(flags.weightsHash, "--weights-hash"),
      sizeBytes: positiveInt(flags.size, "--size"),
      formatName: flags.format,
    };
  }
  const hashed = await hashWeightsFile(flags.file);
  if (flags.size !== undefined && positiveInt(flags.size, "--size") !== hashed.size_bytes) {
    throw invalid(`--size ${flags.size} is not the size of ${flags.file} (${hashed.size_bytes} bytes)`);
  }
  const formatName = flags.format ?? hashed.format;
  if (formatName === null) {
    throw invalid(`cannot tell the format of ${flags.file} from its extension: give --format`);
  }
  return {
    weightsHash: hash32(hashed.weights_hash, "weights hash"),
    sizeBytes: hashed.size_bytes,
    formatName,
  };
}

async function registerMsg(flags: RegisterFlags) {
  const { weightsHash, sizeBytes, formatName } = await weightsOf(flags);
  const format = modelFormatFromName(formatName);
  if (format === undefined) throw invalid(`--format must be onnx, safetensors or gguf, got "${formatName}"`);
  const bps = flags.derivativeRoyaltyBps;
  if (!/^(0|[1-9][0-9]*)$/.test(bps) || Number(bps) > 10_000) {
    throw invalid(`--derivative-royalty-bps must be 0..10000, got "${bps}"`);
  }
  const msg = modelsRegisterMsg({
    name: flags.name,
    version: flags.modelVersion,
    weightsHash,
    sizeBytes,
    format,
    locationUri: flags.uri,
    cardHash: hash32(flags.cardHash, "--card-hash"),
    inferenceFee: amount(flags.inferenceFee, "--inference-fee"),
    parentId: flags.parent === undefined ? 0 : positiveInt(flags.parent, "--parent"),
    licenseIds: flags.license.map((id) => positiveInt(id, "--license")),
    allowDerivatives: flags.allowDerivatives ?? false,
    derivativeRoyaltyBps: Number(bps),
  });
  // The chain's own stateless checks, before anything is signed.
  try {
    validateRegisterModel(msg.modelsRegister ?? {});
  } catch (err) {
    if (err instanceof ExecutionError) throw invalid(`${err.code}: ${err.message}`);
    throw err;
  }
  return msg;
}

/** Adds `model` under the `tx` command. */
export function registerModelTxCommands(tx: Command, broadcast: Broadcast): void {
  const model = tx
    .command("model")
    .description("model versions: register, deprecate, transfer, set-fee, pay");

  model
    .command("register <from>")
    .description("register a model version owned by the keyring key <from>")
    .requiredOption("--name <name>", "model name (1..128 bytes, no '@')")
    .requiredOption("--model-version <version>", "version (1..64 bytes, no '@'); name@version is unique")
    .option("--weights-hash <hex>", "sha256 of the weights file (32 bytes of hex)")
    .option("--file <path>", "weights file: hash, size and format are taken from it")
    .option("--size <bytes>", "size of the weights in bytes (required without --file)")
    .option("--format <format>", "onnx, safetensors or gguf (default with --file: from its extension)")
    .requiredOption("--uri <uri>", "where the weights can be fetched (1..512 bytes)")
    .requiredOption("--card-hash <hex>", "sha256 of the model card (32 bytes of hex)")
    .option("--inference-fee <amount>", "fee of one inference job in base units (0 = free)", "0")
    .option("--parent <id>", "id of the parent model version (a fine-tune)")
    .option(
      "--license <id>",
      "a data license held by <from> it was trained under (repeat for several)",
      collect,
      [],
    )
    .option("--allow-derivatives", "let others register models with this one as parent")
    .option("--derivative-royalty-bps <bps>", "share of a derived model's fees owed to this lineage", "0")
    .action(async (from: string, flags: RegisterFlags) => {
      await broadcast(from, [await registerMsg(flags)]);
    });

  model
    .command("deprecate <from> <id>")
    .description("deprecate <from>'s model <id>: no more payments, fee changes or derivatives")
    .action(async (from: string, id: string) => {
      await broadcast(from, [modelsDeprecateMsg(positiveInt(id, "model id"))]);
    });

  model
    .command("transfer <from> <id> <new-owner>")
    .description("give <from>'s model <id> to <new-owner> (kyo1...); its fees and royalties follow")
    .action(async (from: string, id: string, newOwner: string) => {
      await broadcast(from, [
        modelsTransferMsg(positiveInt(id, "model id"), address(newOwner, "<new-owner>")),
      ]);
    });

  model
    .command("set-fee <from> <id> <fee>")
    .description("set the inference fee of <from>'s model <id> (base units; 0 = free)")
    .action(async (from: string, id: string, fee: string) => {
      await broadcast(from, [modelsSetFeeMsg(positiveInt(id, "model id"), amount(fee, "<fee>"))]);
    });

  model
    .command("pay <from> <id>")
    .description("pay model <id>'s inference fee from <from>; royalties go up its lineage")
    .requiredOption(
      "--max-fee <amount>",
      "most <from> accepts to pay (refused on chain if the fee is higher)",
    )
    .action(async (from: string, id: string, flags: { maxFee: string }) => {
      await broadcast(from, [modelsPayMsg(positiveInt(id, "model id"), amount(flags.maxFee, "--max-fee"))]);
    });
}
