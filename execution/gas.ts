// Deterministic gas metering. Gas is a count of abstract work units; every node charges exactly the
// same amounts for the same tx, because charges depend only on the tx bytes and on which state keys
// and values the tx reads and writes, never on caches, timing or the machine.
//
// Fee policy (as in the Cosmos SDK): the fee is the tx's `fee` field, fixed by the signer, and it must
// be at least bank.min_gas_price * gas_limit. It is charged IN FULL, with no refund of unused gas,
// whenever the tx passes the ante checks (signature, nonce, fee funds) — whether its messages then
// succeed or fail. A tx whose messages fail (including running out of gas) keeps only the ante
// effects: the fee is paid and the nonce advances; every other state change is reverted.
import { KeyType } from "../proto/index.js";
import { ExecutionError } from "./errors.js";

export interface GasSchedule {
  /** Every tx: decoding, the ante handler, loading and saving the signer's account. */
  readonly txBase: number;
  /** Per byte of the encoded tx (storage in blocks and the tx index). */
  readonly txPerByte: number;
  readonly sigEd25519: number;
  readonly sigSecp256k1: number;
  /** Per message, on top of what the message's own reads and writes cost. */
  readonly perMessage: number;
  readonly readFlat: number;
  /** Per byte of the key and of the value read. */
  readonly readPerByte: number;
  readonly writeFlat: number;
  /** Per byte of the key and of the value written. */
  readonly writePerByte: number;
  readonly deleteFlat: number;
}

/** The schedule of this version of the chain. Changing a number changes consensus: it needs an upgrade. */
export const GAS_SCHEDULE: GasSchedule = Object.freeze({
  txBase: 5_000,
  txPerByte: 10,
  sigEd25519: 1_000,
  sigSecp256k1: 1_500,
  perMessage: 1_000,
  readFlat: 1_000,
  readPerByte: 3,
  writeFlat: 2_000,
  writePerByte: 30,
  deleteFlat: 1_000,
});

/**
 * Gas every tx needs before any message touches state; a gas_limit below it is refused statelessly
 * (TX_GAS_LIMIT_TOO_LOW), so the ante handler itself can never run out of gas.
 */
export function intrinsicGas(
  txBytes: number,
  keyType: KeyType,
  messages: number,
  schedule = GAS_SCHEDULE,
): number {
  const sig = keyType === KeyType.KEY_TYPE_SECP256K1 ? schedule.sigSecp256k1 : schedule.sigEd25519;
  return schedule.txBase + txBytes * schedule.txPerByte + sig + messages * schedule.perMessage;
}

export class GasMeter {
  readonly limit: number;
  private used = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  get consumed(): number {
    return this.used;
  }

  get remaining(): number {
    return this.limit - this.used;
  }

  /**
   * Adds `amount` and throws TX_OUT_OF_GAS when the total passes the limit. The meter then reads
   * as exactly full: a tx that ran out used all its gas.
   */
  consume(amount: number, descriptor: string): void {
    if (!Number.isSafeInteger(amount) || amount < 0) {
      throw new ExecutionError("INTERNAL", `invalid gas amount ${amount} for ${descriptor}`);
    }
    const next = this.used + amount;
    if (next > this.limit) {
      this.used = this.limit;
      throw new ExecutionError(
        "TX_OUT_OF_GAS",
        `out of gas in ${descriptor}: limit ${this.limit}, needed ${next}`,
      );
    }
    this.used = next;
  }
}
