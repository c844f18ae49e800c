import { RuleError } from '../../grammar/diagnostic.ts';
import type { TraceEntry } from '../compile/frame.ts';
import { Engine, PackErrors, type QuoteResult } from '../engine/engine.ts';
import { showValue, toJsonText } from '../value.ts';
import { parseJsonOption, parseTime, printDiagnostics, usageError } from './output.ts';

interface QuoteOptions {
  input: string;
  at?: string;
  explain?: boolean;
  json?: boolean;
}

/** Loads one pack folder into an engine, printing its errors if it has any. */
export function loadPackEngine(packDir: string): Engine | undefined {
  try {
    return Engine.load(packDir);
  } catch (e) {
    if (!(e instanceof PackErrors)) throw e;
    printDiagnostics(e.diagnostics);
    return undefined;
  }
}

export function quoteCommand(packDir: string, operation: string, o: QuoteOptions): void {
  let input: Record<string, unknown>;
  let at: Date | undefined;
  try {
    input = parseJsonOption(o.input, '--input');
    at = parseTime(o.at);
  } catch (e) {
    usageError(e);
  }
  const engine = loadPackEngine(packDir);
  if (!engine) {
    process.exitCode = 1;
    return;
  }
  const packs = engine.packs();
  if (packs.length !== 1) {
    console.error(`error: ${packDir} holds ${packs.length} packs (${packs.map((p) => p.name).join(', ')}); give one pack folder, e.g. ${packDir.replace(/\/$/, '')}/${packs[0]?.name ?? 'pixai'}`);
    process.exitCode = 1;
    return;
  }
  const pack = packs[0]!;
  let result: QuoteResult;
  try {
    result = engine.quote({ pack: pack.name, operation, input, at, explain: o.explain });
  } catch (e) {
    if (!(e instanceof RuleError)) throw e;
    if (o.json) console.log(JSON.stringify({ error: { code: e.code, message: e.message, hint: e.hint, position: e.position } }));
    console.error(e.format());
    process.exitCode = 1;
    return;
  }
  if (o.json) console.log(toJsonText(resultJson(result) as never, '  '));
  else printHuman(result, o.explain === true);
  process.exitCode = result.rejections.length ? 2 : 0;
}

function resultJson(r: QuoteResult): Record<string, unknown> {
  const out: Record<string, unknown> = {
    pack: r.pack, operation: r.operation, version: r.version, unit: r.unit,
    outputs: r.outputs,
    rejections: r.rejections,
  };
  if (r.trace) out.trace = r.trace.map((t) => ({ name: t.name, kind: t.kind, formula: t.formula, value: t.value, note: t.note }));
  return out;
}

function printHuman(r: QuoteResult, explain: boolean): void {
  console.log(`${r.pack} ${r.operation} (version ${r.version})`);
  if (explain && r.trace) printTrace(r.trace);
  if (r.rejections.length) {
    for (const x of r.rejections) console.log(`rejected: ${x.message}${x.code ? ` [${x.code}]` : ''}`);
    return;
  }
  for (const [k, v] of Object.entries(r.outputs)) console.log(`${k} = ${showValue(v)}`);
}

function printTrace(trace: TraceEntry[]): void {
  const width = Math.min(28, Math.max(...trace.map((t) => t.name.length)));
  for (const t of trace) {
    const how = t.kind === 'input' ? (t.note === 'default' ? '(input, default)' : '(input)')
      : t.kind === 'decision' ? `decision table: ${t.note}`
      : t.kind === 'constraint' ? `${t.formula} -- rejected: ${t.note}`
      : t.formula ?? t.kind;
    console.log(`  ${t.name.padEnd(width)} = ${showValue(t.value).padEnd(14)} ${how}`);
  }
}
