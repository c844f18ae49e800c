// The impact of a rule change: every request priced on both sides, then counted per
// operation, over all of them, and (when requests name accounts) per account.
import { Decimal, ZERO } from '../decimal.ts';
import { price, type PackSide, type Priced } from './pack-side.ts';
import type { ImpactRequest } from './requests.ts';
import { histogram, type Histogram } from './histogram.ts';
import { distribution, percentOf, sum, type Distribution } from './stats.ts';

export interface Outcome {
  request: ImpactRequest;
  before: Priced;
  after: Priced;
  /** after − before, when both sides accept the request. */
  change?: Decimal;
}

export type ExampleKind = 'increase' | 'decrease' | 'newly_rejected' | 'newly_accepted';

export interface Example extends Outcome {
  kind: ExampleKind;
}

/** What a set of outcomes (one operation's, an account's, all of them) adds up to. */
export interface Tally {
  requests: number;
  /** Accepted on both sides at a different amount. */
  changed: number;
  newlyRejected: number;
  newlyAccepted: number;
  /** Of the requests each side accepts. */
  beforeTotal: Decimal;
  afterTotal: Decimal;
  delta: Decimal;
  /** Of the before total; undefined when that is zero. */
  deltaPercent?: Decimal;
  /** Of the per-request change, over the requests both sides accept. */
  distribution?: Distribution;
  /** The same changes counted in buckets (histogram.ts). */
  histogram?: Histogram;
  /** The largest per-request increase and decrease (a decrease as a positive number), in the unit and in % of the request's price before. */
  maxIncrease: Decimal;
  maxIncreasePercent?: Decimal;
  maxDecrease: Decimal;
  maxDecreasePercent?: Decimal;
}

export interface OperationImpact extends Tally {
  operation: string;
  examples: Example[];
}

export interface AccountImpact extends Tally {
  account: string;
}

export interface ImpactReport {
  before: string;
  after: string;
  pack: string;
  unit: string;
  operations: OperationImpact[];
  totals: Tally;
  /** Per account, when the requests name accounts (always, from the ledger). */
  accounts?: AccountImpact[];
}

export interface CompareOptions {
  /** The time of requests without one. */
  now: Date;
  /** Examples of each kind per operation (largest increases, largest decreases, newly rejected, newly accepted). Default 3. */
  examples?: number;
}

export function compareImpact(before: PackSide, after: PackSide, requests: readonly ImpactRequest[], options: CompareOptions): ImpactReport {
  const outcomes: Outcome[] = requests.map((request) => {
    const b = price(before, request, options.now);
    const a = price(after, request, options.now);
    return { request, before: b, after: a, change: b.accepted && a.accepted ? a.amount.minus(b.amount) : undefined };
  });
  const byOperation = groupBy(outcomes, (o) => o.request.operation);
  const operations = [...byOperation].sort(([x], [y]) => x.localeCompare(y)).map(([operation, os]): OperationImpact => ({
    operation, ...tally(os), examples: examplesOf(os, options.examples ?? 3).map((e) => explained(e, before, after, options.now)),
  }));
  const report: ImpactReport = {
    before: before.label, after: after.label, pack: after.info.name, unit: after.info.unit,
    operations, totals: tally(outcomes),
  };
  if (outcomes.some((o) => o.request.account !== undefined)) {
    const byAccount = groupBy(outcomes.filter((o) => o.request.account !== undefined), (o) => o.request.account!);
    report.accounts = [...byAccount].sort(([x], [y]) => x.localeCompare(y)).map(([account, os]) => ({ account, ...tally(os) }));
  }
  return report;
}

function groupBy<T>(xs: readonly T[], key: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return m;
}

export function tally(outcomes: readonly Outcome[]): Tally {
  const amounts = (p: (o: Outcome) => Priced) => outcomes.map(p).flatMap((x) => (x.accepted ? [x.amount] : []));
  const beforeTotal = sum(amounts((o) => o.before));
  const afterTotal = sum(amounts((o) => o.after));
  const delta = afterTotal.minus(beforeTotal);
  const changes = outcomes.filter((o) => o.change !== undefined);
  const t: Tally = {
    requests: outcomes.length,
    changed: changes.filter((o) => !o.change!.isZero()).length,
    newlyRejected: outcomes.filter((o) => o.before.accepted && !o.after.accepted).length,
    newlyAccepted: outcomes.filter((o) => !o.before.accepted && o.after.accepted).length,
    beforeTotal, afterTotal, delta, deltaPercent: percentOf(delta, beforeTotal),
    distribution: distribution(changes.map((o) => o.change!)),
    histogram: histogram(changes.map((o) => o.change!)),
    maxIncrease: ZERO, maxDecrease: ZERO,
  };
  for (const o of changes) {
    const change = o.change!;
    const base = (o.before as { amount: Decimal }).amount;
    const pct = percentOf(change.abs(), base);
    if (change.isNegative()) {
      if (change.neg().gt(t.maxDecrease)) t.maxDecrease = change.neg();
      if (pct && (!t.maxDecreasePercent || pct.gt(t.maxDecreasePercent))) t.maxDecreasePercent = pct;
    } else if (!change.isZero()) {
      if (change.gt(t.maxIncrease)) t.maxIncrease = change;
      if (pct && (!t.maxIncreasePercent || pct.gt(t.maxIncreasePercent))) t.maxIncreasePercent = pct;
    }
  }
  return t;
}

/** The largest increases, the largest decreases, then the first requests newly rejected and newly accepted. */
function examplesOf(outcomes: readonly Outcome[], n: number): Example[] {
  const withChange = outcomes.filter((o) => o.change !== undefined && !o.change.isZero());
  const increases = withChange.filter((o) => !o.change!.isNegative()).sort((a, b) => b.change!.cmp(a.change!)).slice(0, n);
  const decreases = withChange.filter((o) => o.change!.isNegative()).sort((a, b) => a.change!.cmp(b.change!)).slice(0, n);
  return [
    ...increases.map((o) => ({ ...o, kind: 'increase' as const })),
    ...decreases.map((o) => ({ ...o, kind: 'decrease' as const })),
    ...outcomes.filter((o) => o.before.accepted && !o.after.accepted).slice(0, n).map((o) => ({ ...o, kind: 'newly_rejected' as const })),
    ...outcomes.filter((o) => !o.before.accepted && o.after.accepted).slice(0, n).map((o) => ({ ...o, kind: 'newly_accepted' as const })),
  ];
}

/** An example priced again with explain traces (only examples: tracing every request would cost for nothing). */
function explained(e: Example, before: PackSide, after: PackSide, now: Date): Example {
  return { ...e, before: price(before, e.request, now, true), after: price(after, e.request, now, true) };
}
