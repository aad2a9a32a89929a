/** Small helpers shared by the benchmark files. */
export function opsPerSecond(fn: () => void, minMs = 1000): number {
  for (let i = 0; i < 1000; i++) fn(); // warm up the JIT
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsedNs = 0n;
  while (elapsedNs < BigInt(minMs) * 1_000_000n) {
    for (let i = 0; i < 1000; i++) fn();
    ops += 1000;
    elapsedNs = process.hrtime.bigint() - start;
  }
  return Math.round((ops * 1e9) / Number(elapsedNs));
}

export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const idx = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return sortedMs[Math.max(0, idx)]!;
}

export function peakRssMb(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

export const round = (n: number, digits = 2): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};
