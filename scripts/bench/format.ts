// How every benchmark table prints a number: grouped thousands, a fixed count of decimals.

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}
