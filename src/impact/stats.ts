// Exact figures of an impact report: percentages and the distribution of per-request change.
import { Decimal, ZERO } from '../decimal.ts';

/** Places of every percentage in a report, rounded half away from zero: `12.50`. */
export const PERCENT_PLACES = 2;

/** `part` as a percentage of `whole`, exact until shown; undefined when `whole` is zero. */
export function percentOf(part: Decimal, whole: Decimal): Decimal | undefined {
  return whole.isZero() ? undefined : part.times(100).div(whole.abs());
}

/** A percentage as shown and in JSON: PERCENT_PLACES places, half away from zero. */
export function percentText(p: Decimal): string {
  return p.toFixed(PERCENT_PLACES, Decimal.ROUND_HALF_UP);
}

export interface Distribution {
  min: Decimal;
  q1: Decimal;
  median: Decimal;
  q3: Decimal;
  max: Decimal;
}

/**
 * Min, quartiles and max. A quartile between two values is interpolated linearly (the
 * method of spreadsheets' QUARTILE.INC and numpy's default), exactly: the quartiles of
 * 1, 2, 3, 4 are 1.75, 2.5 and 3.25.
 */
export function distribution(values: readonly Decimal[]): Distribution | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a.cmp(b));
  const at = (p: Decimal): Decimal => {
    const h = p.times(sorted.length - 1);
    const i = Number(h.floor().toFixed());
    const lo = sorted[i]!;
    const hi = sorted[Math.min(i + 1, sorted.length - 1)]!;
    return lo.plus(h.minus(i).times(hi.minus(lo)));
  };
  return {
    min: sorted[0]!, q1: at(new Decimal('0.25')), median: at(new Decimal('0.5')), q3: at(new Decimal('0.75')), max: sorted[sorted.length - 1]!,
  };
}

export function sum(values: Iterable<Decimal>): Decimal {
  let total = ZERO;
  for (const v of values) total = total.plus(v);
  return total;
}
