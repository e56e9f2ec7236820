/**
 * Summary statistics of a sample set. The median is what the targets compare (robust on a noisy 2-core machine);
 * p95 uses the nearest-rank method, so it is always a value that was observed.
 *
 * @module
 */

export interface Summary {
  n: number;
  mean: number;
  median: number;
  p95: number;
  min: number;
  max: number;
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) return { n: 0, mean: NaN, median: NaN, p95: NaN, min: NaN, max: NaN };
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const mid = n >> 1;
  return {
    n,
    mean: sorted.reduce((sum, x) => sum + x, 0) / n,
    median: n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2,
    p95: sorted[Math.min(n - 1, Math.ceil(0.95 * n) - 1)],
    min: sorted[0],
    max: sorted[n - 1],
  };
}

/** A figure with about 3 significant digits: 0.0123, 0.123, 1.23, 12.3, 123. */
export function fmt(value: number): string {
  if (!Number.isFinite(value)) return "–";
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  if (abs >= 0.1) return value.toFixed(3);
  return value.toFixed(4);
}
