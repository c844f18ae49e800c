// An impact report as JSON: the one shape `credits diff --json` prints and
// POST /v1/packs/{pack}/impact answers. Amounts are exact decimal strings; percentages
// have PERCENT_PLACES places (stats.ts), or are null where the before total is zero.
import { decimalText, type Decimal } from '../decimal.ts';
import type { AccountImpact, Example, ImpactReport, Tally } from './compare.ts';
import type { Priced } from './pack-side.ts';
import { percentOf, percentText } from './stats.ts';
import { traceRows } from './trace-diff.ts';

const amount = (d: Decimal): string => decimalText(d);
const percent = (d: Decimal | undefined): string | null => (d === undefined ? null : percentText(d));

function tallyJson(t: Tally): Record<string, unknown> {
  const d = t.distribution;
  return {
    requests: t.requests, changed: t.changed, newly_rejected: t.newlyRejected, newly_accepted: t.newlyAccepted,
    before_total: amount(t.beforeTotal), after_total: amount(t.afterTotal), delta: amount(t.delta), delta_percent: percent(t.deltaPercent),
    distribution: d ? { min: amount(d.min), q1: amount(d.q1), median: amount(d.median), q3: amount(d.q3), max: amount(d.max) } : null,
    histogram: t.histogram
      ? { step: amount(t.histogram.step), buckets: t.histogram.buckets.map((b) => ({ from: amount(b.from), to: amount(b.to), count: b.count })) }
      : null,
  };
}

function pricedJson(p: Priced): Record<string, unknown> {
  return p.accepted
    ? { version: p.version, amount: amount(p.amount) }
    : { version: p.version ?? null, rejected: p.rejections.map((r) => (r.code ? { message: r.message, code: r.code } : { message: r.message })) };
}

function exampleJson(e: Example): Record<string, unknown> {
  const r = e.request;
  const base = e.before.accepted ? e.before.amount : undefined;
  return {
    kind: e.kind, where: r.where, operation: r.operation, input: r.input,
    at: r.at ? r.at.toISOString() : null, account: r.account ?? null,
    before: pricedJson(e.before), after: pricedJson(e.after),
    change: e.change ? amount(e.change) : null,
    change_percent: e.change && base ? percent(percentOf(e.change, base)) : null,
    trace: traceRows(e.before, e.after).map((row) => ({
      name: row.name, before: row.before ?? null, after: row.after ?? null, differs: row.differs,
    })),
  };
}

function accountJson(a: AccountImpact): Record<string, unknown> {
  const { distribution: _, histogram: __, ...rest } = tallyJson(a);
  return rest;
}

export function impactJson(report: ImpactReport): Record<string, unknown> {
  const json: Record<string, unknown> = {
    operations: Object.fromEntries(report.operations.map((o) => [o.operation, {
      ...tallyJson(o), examples: o.examples.map(exampleJson),
    }])),
    totals: tallyJson(report.totals),
  };
  if (report.accounts) json.accounts = Object.fromEntries(report.accounts.map((a) => [a.account, accountJson(a)]));
  return json;
}
