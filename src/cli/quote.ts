import { RuleError } from '../../grammar/diagnostic.ts';
import { illustrativeInTrace } from '../check/provenance.ts';
import { Engine, PackErrors, type QuoteResult, type TraceEntry } from '../engine/index.ts';
import { showValue, toJsonText, type Value } from '../value.ts';
import { exactJson, showExact } from './exact.ts';
import { parseJsonOption, parseTime, printDiagnostics, type CliIo } from './output.ts';

interface QuoteOptions {
  input: string;
  at?: string;
  explain?: boolean;
  json?: boolean;
  /** Non-terminating values as fractions (1/3). */
  exact?: boolean;
}

/** Loads one pack folder into an engine, printing its errors if it has any. */
export function loadPackEngine(packDir: string, io: CliIo): Engine | undefined {
  try {
    return Engine.load(packDir);
  } catch (e) {
    if (!(e instanceof PackErrors)) throw e;
    printDiagnostics(e.diagnostics, io);
    return undefined;
  }
}

/** Exit code: 0 accepted, 2 rejected by a constraint, 1 an error. */
export function quoteCommand(packDir: string, operation: string, o: QuoteOptions, io: CliIo): number {
  const input = parseJsonOption(o.input, '--input');
  const at = parseTime(o.at);
  const engine = loadPackEngine(packDir, io);
  if (!engine) return 1;
  const packs = engine.packs();
  if (packs.length !== 1) {
    io.err(`error: ${packDir} holds ${packs.length} packs (${packs.map((p) => p.name).join(', ')}); give one pack folder, e.g. ${packDir.replace(/\/$/, '')}/${packs[0]?.name ?? 'pixai'}`);
    return 1;
  }
  const pack = packs[0]!;
  let result: QuoteResult;
  try {
    result = engine.quote({ pack: pack.name, operation, input, at, explain: o.explain });
  } catch (e) {
    if (!(e instanceof RuleError)) throw e;
    if (o.json) io.out(JSON.stringify({ error: { code: e.code, message: e.message, hint: e.hint, position: e.position } }));
    io.err(e.format());
    return 1;
  }
  const show = o.exact ? showExact : showValue;
  // Which figures of the result are illustrative, from the trace: the rows looked up, the cells computed.
  const marks = result.trace ? illustrativeInTrace(engine.checkedPack(pack.name), result.version, operation, result.trace) : undefined;
  if (o.json) io.out(toJsonText(resultJson(result, o.exact === true, marks) as never, '  '));
  else printHuman(result, o.explain === true, show, io, marks);
  return result.rejections.length ? 2 : 0;
}

type Marks = ReturnType<typeof illustrativeInTrace>;

function resultJson(r: QuoteResult, exact: boolean, marks?: Marks): Record<string, unknown> {
  const value = (v: Value) => (exact ? exactJson(v) : v);
  const out: Record<string, unknown> = {
    pack: r.pack, operation: r.operation, version: r.version, unit: r.unit,
    outputs: value(r.outputs),
    rejections: r.rejections,
  };
  if (r.trace) {
    out.trace = r.trace.map((t, i) => ({ name: t.name, kind: t.kind, formula: t.formula, value: value(t.value), note: t.note, ...(marks?.lines[i]?.length ? { illustrative: marks.lines[i] } : {}) }));
    if (marks) out.illustrative = marks.result;
  }
  return out;
}

function printHuman(r: QuoteResult, explain: boolean, show: (v: Value) => string, io: CliIo, marks?: Marks): void {
  io.out(`${r.pack} ${r.operation} (version ${r.version})`);
  if (explain && r.trace) printTrace(r.trace, show, io, marks);
  if (r.rejections.length) {
    for (const x of r.rejections) io.out(`rejected: ${x.message}${x.code ? ` [${x.code}]` : ''}`);
  } else {
    for (const [k, v] of Object.entries(r.outputs)) io.out(`${k} = ${show(v)}`);
  }
  if (marks?.result.length) io.out(`illustrative figures in this result (invented, not published): ${marks.result.map((m) => m.figure).join('; ')}`);
}

function printTrace(trace: TraceEntry[], show: (v: Value) => string, io: CliIo, marks?: Marks): void {
  const width = Math.min(28, Math.max(...trace.map((t) => t.name.length)));
  for (const [i, t] of trace.entries()) {
    const how = t.kind === 'input' ? (t.note === 'default' ? '(input, default)' : '(input)')
      : t.kind === 'decision' ? `decision table: ${t.note}`
      : t.kind === 'constraint' ? `${t.formula} -- rejected: ${t.note}`
      : t.formula ?? t.kind;
    io.out(`  ${t.name.padEnd(width)} = ${show(t.value).padEnd(14)} ${how}`);
    for (const m of marks?.lines[i] ?? []) io.out(`  ${' '.repeat(width)}   ↳ illustrative: ${m.figure} (${m.reason}) ${m.at}`);
  }
}
