// A histogram of per-request change, exact: buckets of one "nice" width (1, 2 or 5 times a
// power of ten) between the smallest and the largest change, and a bucket of its own for the
// requests whose price did not change, so they never hide among small increases.
import { Decimal } from '../decimal.ts';

/** At most this many buckets besides the one of unchanged requests. */
export const MAX_BUCKETS = 20;

/**
 * A decrease bucket holds `from ≤ change < to`, an increase bucket `from < change ≤ to` (each
 * is closed on the side away from zero), the unchanged one exactly 0 (`from = to = 0`).
 */
export interface Bucket {
  from: Decimal;
  to: Decimal;
  count: number;
}

export interface Histogram {
  step: Decimal;
  /** Contiguous, from the smallest change to the largest, including the empty buckets between. */
  buckets: Bucket[];
}

/**
 * The bucket of a change as a number that grows with it: k < 0 is [k·step, (k+1)·step),
 * 0 is exactly zero, k > 0 is ((k−1)·step, k·step].
 */
function bucketOf(change: Decimal, step: Decimal): number {
  if (change.isZero()) return 0;
  const q = change.div(step);
  return Number((change.isNegative() ? q.floor() : q.ceil()).toFixed());
}

const niceSteps = [1, 2, 5];

/** 1, 2, 5, 10, 20, 50 … (times 10^exponent), from the first at least `least`. */
function* stepsFrom(least: Decimal): Generator<Decimal> {
  let exponent = least.isZero() ? 0 : least.magnitude() - 1;
  for (;;) {
    const unit = exponent >= 0 ? new Decimal(10n ** BigInt(exponent)) : Decimal.fraction(1n, 10n ** BigInt(-exponent));
    for (const m of niceSteps) {
      const step = unit.times(m);
      if (step.gte(least)) yield step;
    }
    exponent++;
  }
}

export function histogram(changes: readonly Decimal[]): Histogram | undefined {
  if (changes.length === 0) return undefined;
  // A loop, not Math.max(...xs): a ledger's history may hold more changes than a call has arguments.
  let [min, max, places] = [changes[0]!, changes[0]!, 0];
  for (const c of changes) {
    if (c.lt(min)) min = c;
    if (c.gt(max)) max = c;
    places = Math.max(places, c.decimalPlaces());
  }
  // No finer than the changes' own decimals: whole credits get buckets of whole credits.
  const finest = Number.isFinite(places) ? Decimal.fraction(1n, 10n ** BigInt(places)) : undefined;
  const span = max.minus(min).isZero() ? max.abs() : max.minus(min);
  let least = span.div(MAX_BUCKETS);
  if (finest && finest.gt(least)) least = finest;
  let step = new Decimal(1);
  for (step of stepsFrom(least)) {
    const nonZero = bucketOf(max, step) - bucketOf(min, step) + 1 - (min.lte(0) && max.gte(0) ? 1 : 0);
    if (nonZero <= MAX_BUCKETS) break;
  }
  const [lo, hi] = [bucketOf(min, step), bucketOf(max, step)];
  const buckets: Bucket[] = [];
  for (let k = lo; k <= hi; k++) {
    if (k === 0) buckets.push({ from: new Decimal(0), to: new Decimal(0), count: 0 });
    else if (k < 0) buckets.push({ from: step.times(k), to: step.times(k + 1), count: 0 });
    else buckets.push({ from: step.times(k - 1), to: step.times(k), count: 0 });
  }
  for (const c of changes) buckets[bucketOf(c, step) - lo]!.count++;
  return { step, buckets };
}
