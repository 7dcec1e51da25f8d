// The one list of modules and messages. Adding a module means writing it and adding it here.
import { ExecutionError } from "../errors.js";
import { accountsModule } from "./accounts/index.js";
import { ATTESTATION_MSG_HANDLERS, attestationModule } from "./attestation/index.js";
import { bankModule, msgSendHandler } from "./bank/index.js";
import { chainModule } from "./chain/index.js";
import { COMPUTE_MSG_HANDLERS, computeModule } from "./compute/index.js";
import { DATA_MSG_HANDLERS, dataModule } from "./data/index.js";
import { distributionModule } from "./distribution/index.js";
import { GOV_MSG_HANDLERS, govModule } from "./gov/index.js";
import { MODELS_MSG_HANDLERS, modelsModule } from "./models/index.js";
import { bindParamSpaces } from "./param-spaces.js";
import { slashingModule } from "./slashing/index.js";
import { stakingModule } from "./staking/index.js";
import {
  msgAddStakeHandler,
  msgCreateValidatorHandler,
  msgUnbondHandler,
  msgUnjailHandler,
} from "./staking/msgs.js";
import type { Module, MsgHandler, MsgKind, QueryHandler } from "./types.js";

/**
 * In order: genesis runs in this order, and so do block-begin and block-end hooks. Staking's block
 * end (the new active set) runs before governance (which tallies by that set) and distribution
 * (which pays it).
 */
export const MODULES: readonly Module[] = [
  chainModule,
  accountsModule,
  bankModule,
  stakingModule,
  slashingModule,
  dataModule,
  modelsModule,
  attestationModule,
  computeModule,
  govModule,
  distributionModule,
];

// Governance and the `params` query find every module's params sections through this binding.
bindParamSpaces(MODULES);

/** Msg oneof case -> handler. The mapped type makes a new Msg case without a handler a type error. */
export const MSG_HANDLERS: { readonly [K in MsgKind]: MsgHandler<K> } = {
  bankSend: msgSendHandler,
  stakingCreateValidator: msgCreateValidatorHandler,
  stakingAddStake: msgAddStakeHandler,
  stakingUnbond: msgUnbondHandler,
  stakingUnjail: msgUnjailHandler,
  ...DATA_MSG_HANDLERS,
  ...MODELS_MSG_HANDLERS,
  ...GOV_MSG_HANDLERS,
  ...ATTESTATION_MSG_HANDLERS,
  ...COMPUTE_MSG_HANDLERS,
};

/** Query handlers by path head, across modules. */
export const QUERIES: ReadonlyMap<string, QueryHandler> = collectQueries(MODULES);

function collectQueries(modules: readonly Module[]): Map<string, QueryHandler> {
  const out = new Map<string, QueryHandler>();
  const prefixes = new Map<number, string>();
  for (const m of modules) {
    // Two modules on one prefix would silently share keys: refuse to start instead.
    if (m.prefix !== undefined) {
      const owner = prefixes.get(m.prefix);
      if (owner !== undefined)
        throw new ExecutionError("INTERNAL", `modules ${owner} and ${m.name} share prefix ${m.prefix}`);
      prefixes.set(m.prefix, m.name);
    }
    for (const [path, handler] of Object.entries(m.queries ?? {})) {
      if (out.has(path)) throw new ExecutionError("INTERNAL", `query path ${path} is served twice`);
      out.set(path, handler);
    }
  }
  return out;
}
