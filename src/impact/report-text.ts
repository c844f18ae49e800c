// An impact report for people: per operation its counts, totals, the distribution of
// per-request change and the examples with both explain traces side by side ('*' marks a
// row where they differ); then all operations, then each account.
import { decimalText, type Decimal } from '../decimal.ts';
import type { AccountImpact, Example, ImpactReport, Tally } from './compare.ts';
import type { Priced } from './pack-side.ts';
import { percentOf, percentText } from './stats.ts';
import type { IllustrativeFigure } from '../check/provenance.ts';
import { traceRows, type TraceCell, type TraceRow } from './trace-diff.ts';

const signed = (d: Decimal) => (d.isNegative() || d.isZero() ? decimalText(d) : `+${decimalText(d)}`);
const signedPercent = (d: Decimal | undefined) => (d === undefined ? 'n/a' : `${d.isNegative() || d.isZero() ? '' : '+'}${percentText(d)}%`);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function counts(t: Tally): string {
  return `${plural(t.requests, 'request')}, ${t.changed} changed price, ${t.newlyRejected} newly rejected, ${t.newlyAccepted} newly accepted`;
}

function totalLine(t: Tally, unit: string): string {
  return `total ${decimalText(t.beforeTotal)} → ${decimalText(t.afterTotal)} ${unit}: ${signed(t.delta)} (${signedPercent(t.deltaPercent)})`;
}

function distributionLine(t: Tally): string | undefined {
  const d = t.distribution;
  if (!d) return undefined;
  return `change per request: min ${signed(d.min)}, q1 ${signed(d.q1)}, median ${signed(d.median)}, q3 ${signed(d.q3)}, max ${signed(d.max)}`;
}

function pricedText(p: Priced): string {
  const v = p.version ? ` (version ${p.version})` : '';
  return p.accepted ? `${decimalText(p.amount)}${v}` : `rejected${v}: ${p.rejections.map((r) => r.message).join('; ')}`;
}

const TITLES: Record<Example['kind'], string> = {
  increase: 'increase', decrease: 'decrease', newly_rejected: 'newly rejected', newly_accepted: 'newly accepted',
};

function exampleLines(e: Example): string[] {
  const r = e.request;
  const base = e.before.accepted ? e.before.amount : undefined;
  const change = e.change && base ? ` ${signed(e.change)} (${signedPercent(percentOf(e.change, base))})` : '';
  const lines = [
    `  ${TITLES[e.kind]}: ${r.where}${r.account ? ` account ${r.account}` : ''}${r.at ? ` at ${r.at.toISOString()}` : ''}`,
    `    input ${JSON.stringify(r.input)}`,
    `    before ${pricedText(e.before)}  →  after ${pricedText(e.after)}${change}`,
  ];
  const rows = traceRows(e.before, e.after);
  if (!rows.length) return lines;
  // The JSON has each formula whole; here a long one is cut so the two sides fit a screen.
  const cut = (text: string) => (text.length > 56 ? `${text.slice(0, 55)}…` : text);
  const show = (c: TraceCell | undefined) => (c ? `${c.value}  ${cut(c.how)}` : '—');
  const nameWidth = Math.min(28, Math.max(4, ...rows.map((x) => x.name.length)));
  const beforeWidth = Math.min(60, Math.max(6, ...rows.map((x) => show(x.before).length)));
  lines.push(`      ${'name'.padEnd(nameWidth)}  ${'before'.padEnd(beforeWidth)}  after`);
  for (const x of rows) {
    lines.push(`    ${x.differs ? '*' : ' '} ${x.name.padEnd(nameWidth)}  ${show(x.before).padEnd(beforeWidth)}  ${show(x.after)}`);
    lines.push(...illustrativeLines(x).map((l) => `      ${' '.repeat(nameWidth)}  ${l}`));
  }
  return lines;
}

/** As `quote --explain` prints them, once for a mark both sides used, else naming the side. */
function illustrativeLines(row: TraceRow): string[] {
  const marks = new Map<string, { f: IllustrativeFigure; sides: string[] }>();
  for (const [side, c] of [['before', row.before], ['after', row.after]] as const) {
    for (const f of c?.illustrative ?? []) {
      const key = `${f.figure}\0${f.at}`;
      const m = marks.get(key) ?? { f, sides: [] };
      m.sides.push(side);
      marks.set(key, m);
    }
  }
  return [...marks.values()].map(({ f, sides }) => `↳ illustrative${sides.length === 1 ? ` (${sides[0]})` : ''}: ${f.figure} (${f.reason}) ${f.at}`);
}

function accountLine(a: AccountImpact, width: number): string {
  return `  ${a.account.padEnd(width)}  ${plural(a.requests, 'request')}: ${decimalText(a.beforeTotal)} → ${decimalText(a.afterTotal)} ${signed(a.delta)} (${signedPercent(a.deltaPercent)})`;
}

export function impactText(report: ImpactReport, source: string): string[] {
  const lines = [`${report.pack}: ${report.before} → ${report.after}, over ${source}`];
  for (const o of report.operations) {
    lines.push('', `${o.operation}: ${counts(o)}`, `  ${totalLine(o, report.unit)}`);
    const d = distributionLine(o);
    if (d) lines.push(`  ${d}`);
    for (const e of o.examples) lines.push(...exampleLines(e));
  }
  lines.push('', `all operations: ${counts(report.totals)}`, `  ${totalLine(report.totals, report.unit)}`);
  const d = distributionLine(report.totals);
  if (d) lines.push(`  ${d}`);
  if (report.accounts?.length) {
    const width = Math.min(32, report.accounts.reduce((w, a) => Math.max(w, a.account.length), 0));
    lines.push('', 'per account (what each would have paid):', ...report.accounts.map((a) => accountLine(a, width)));
  }
  return lines;
}
