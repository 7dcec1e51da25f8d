// A deterministic simulator for the pure consensus core (see simulation.ts).
export { BlockTable } from "./blocks.js";
export {
  checkAgreement,
  checkAll,
  checkNoCommitDuringPartitions,
  checkProgress,
  checkValidity,
  committedEvidenceAgainst,
  decidedHeightAt,
} from "./checks.js";
export { maxFaulty, QUIET_NETWORK, SIM_TIMEOUTS, type SimOverrides, simConfig } from "./config.js";
export { EventQueue } from "./event-queue.js";
export { NetworkModel } from "./network.js";
export { Prng } from "./prng.js";
export { describeSchedule, RANDOM_PROGRESS_BOUND_MS, randomSchedule } from "./random-schedule.js";
export { SimNode } from "./sim-node.js";
export { Simulation } from "./simulation.js";
export type {
  BlockInfo,
  ByzantineSpec,
  CastVote,
  CrashSpec,
  DecisionRecord,
  EvidenceRecord,
  NetworkSpec,
  NetworkStats,
  PartitionSpec,
  ScriptedSend,
  SimConfig,
  SimMessage,
  SimResult,
} from "./types.js";
export { SimValidatorSets, simAddress } from "./validator-sets.js";
