// Sequential little-endian reads. Over the whole report, reading past the end is REPORT_TRUNCATED
// (a short report is told apart from a malformed one); over a field with a declared length (the
// measurement record, the opaque data) an overrun is REPORT_MALFORMED: the field contradicts itself.
import { AttestationError, type AttestationErrorCode } from "../errors.js";

export class ByteReader {
  private at = 0;
  constructor(
    private readonly buf: Uint8Array,
    private readonly what: string,
    private readonly overrun: AttestationErrorCode = "REPORT_TRUNCATED",
  ) {}

  get offset(): number {
    return this.at;
  }

  get remaining(): number {
    return this.buf.length - this.at;
  }

  take(n: number, field: string): Uint8Array {
    if (this.at + n > this.buf.length)
      throw new AttestationError(
        this.overrun,
        `${this.what} ends at byte ${this.buf.length}, before its ${field} (${n} bytes at offset ${this.at})`,
      );
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  u8(field: string): number {
    return this.take(1, field)[0]!;
  }

  u16(field: string): number {
    const b = this.take(2, field);
    return b[0]! | (b[1]! << 8);
  }

  u24(field: string): number {
    const b = this.take(3, field);
    return b[0]! | (b[1]! << 8) | (b[2]! << 16);
  }
}
