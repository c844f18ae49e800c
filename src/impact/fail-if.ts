// Gates on an impact report (`--fail-if 'increase > 5%'`), so a pull request that moves
// prices more than agreed fails. A gate is `<measure> <comparison> <number>[%]`:
//
//   increase, decrease    how much a total went up / down (0 when it went the other way);
//                         with %, of the before total
//   delta                 after total − before total (signed); with %, of the before total
//   max_increase, max_decrease
//                         the largest change of one request; with %, of that request's price
//   changed, newly_rejected, newly_accepted
//                         counts of requests; with %, of the requests
//
// Each gate is tested on every operation and on the totals; it fails the run if it holds for
// any of them. A percentage of a zero total is undefined, and such a gate doesn't hold.
import { RuleError } from '../../grammar/diagnostic.ts';
import { Decimal, parseDecimalText } from '../decimal.ts';
import { didYouMean } from '../suggest.ts';
import type { ImpactReport, Tally } from './compare.ts';
import { percentOf, percentText } from './stats.ts';

const MEASURES = ['increase', 'decrease', 'delta', 'max_increase', 'max_decrease', 'changed', 'newly_rejected', 'newly_accepted'] as const;
type Measure = (typeof MEASURES)[number];
const COMPARISONS = ['>=', '<=', '==', '!=', '>', '<'] as const;
type Comparison = (typeof COMPARISONS)[number];

export interface Gate {
  text: string;
  measure: Measure;
  comparison: Comparison;
  limit: Decimal;
  percent: boolean;
}

export interface GateFailure {
  gate: string;
  /** `generate_image` or `all operations`. */
  scope: string;
  /** The measured value as shown: `12.50%`, `3`, `+150`. */
  value: string;
}

export function parseGate(text: string): Gate {
  const fail = (message: string, col: number, hint?: string): never => {
    throw new RuleError('bad-fail-if', message, { file: '--fail-if', text }, { start: col, end: Math.max(col + 1, text.length) }, hint);
  };
  const m = /^(\s*)([A-Za-z_]*)(\s*)/.exec(text)!;
  const measure = m[2]!;
  if (measure === '') fail(`--fail-if '${text}': expected a measure first`, m[1]!.length, `measures: ${MEASURES.join(', ')}; e.g. 'increase > 5%'`);
  if (!(MEASURES as readonly string[]).includes(measure)) {
    fail(`--fail-if '${text}': unknown measure '${measure}'`, m[1]!.length, didYouMean(measure, MEASURES) ?? `measures: ${MEASURES.join(', ')}`);
  }
  let at = m[0].length;
  const comparison = COMPARISONS.find((c) => text.startsWith(c, at));
  if (!comparison) fail(`--fail-if '${text}': expected a comparison (>, >=, <, <=, ==, !=) after '${measure}'`, at, "e.g. 'increase > 5%'");
  at += comparison!.length;
  const rest = text.slice(at);
  const n = /^(\s*)(-?[0-9][0-9_]*(?:\.[0-9]+)?)(%?)\s*$/.exec(rest);
  if (!n) fail(`--fail-if '${text}': expected a number, or a percentage like 5%, after '${comparison}'`, at + (/^\s*/.exec(rest)![0].length));
  const limit = parseDecimalText(n![2]!.replace(/_/g, ''))!;
  const percent = n![3] === '%';
  return { text: text.trim(), measure: measure as Measure, comparison: comparison!, limit, percent };
}

/** The measure on one tally, or undefined where a percentage has no base. */
function measured(g: Gate, t: Tally): Decimal | undefined {
  const positive = (d: Decimal | undefined) => (d && d.isNegative() ? new Decimal(0) : d);
  const ofRequests = (n: number) => (g.percent ? percentOf(new Decimal(n), new Decimal(t.requests)) : new Decimal(n));
  switch (g.measure) {
    case 'delta': return g.percent ? t.deltaPercent : t.delta;
    case 'increase': return positive(g.percent ? t.deltaPercent : t.delta);
    case 'decrease': return positive(g.percent ? t.deltaPercent?.neg() : t.delta.neg());
    case 'max_increase': return g.percent ? t.maxIncreasePercent ?? new Decimal(0) : t.maxIncrease;
    case 'max_decrease': return g.percent ? t.maxDecreasePercent ?? new Decimal(0) : t.maxDecrease;
    case 'changed': return ofRequests(t.changed);
    case 'newly_rejected': return ofRequests(t.newlyRejected);
    case 'newly_accepted': return ofRequests(t.newlyAccepted);
  }
}

function holds(c: Comparison, x: Decimal, y: Decimal): boolean {
  switch (c) {
    case '>': return x.gt(y);
    case '>=': return x.gte(y);
    case '<': return x.lt(y);
    case '<=': return x.lte(y);
    case '==': return x.eq(y);
    case '!=': return !x.eq(y);
  }
}

export function failedGates(gates: readonly Gate[], report: ImpactReport): GateFailure[] {
  const scopes: [string, Tally][] = [...report.operations.map((o): [string, Tally] => [o.operation, o]), ['all operations', report.totals]];
  const failures: GateFailure[] = [];
  for (const g of gates) {
    for (const [scope, t] of scopes) {
      const v = measured(g, t);
      if (v !== undefined && holds(g.comparison, v, g.limit)) failures.push({ gate: g.text, scope, value: g.percent ? `${percentText(v)}%` : v.toFixed() });
    }
  }
  return failures;
}
