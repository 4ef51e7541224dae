// v1 cpu.shares (2..262144) to v2 cpu.weight (1..10000), the conversion runc and crun use.

export function sharesToWeight(shares: number): number {
  return Math.floor(1 + ((shares - 2) * 9999) / 262142);
}
