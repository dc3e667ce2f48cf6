/** A sample's spread, each quantile the value at that rank (no interpolation). */
export interface Quantiles {
  samples: number
  min: number
  p50: number
  p99: number
  max: number
}

/** The quantiles of `values` (not modified); null when there are none. */
export function quantiles(values: readonly number[]): Quantiles | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number
  return {
    samples: sorted.length,
    min: sorted[0] as number,
    p50: at(0.5),
    p99: at(0.99),
    max: sorted[sorted.length - 1] as number,
  }
}
