/**
 * A phone number for a development log: the last four digits hidden but the final one, so two
 * recipients stay distinguishable (`+33639980001` → `+3363998****1`).
 */
export function maskNumber(number: string): string {
  if (number.length <= 5) return '*'.repeat(number.length);
  return `${number.slice(0, -4)}****${number.slice(-1)}`;
}
