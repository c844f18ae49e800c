// Regression cases kept beside each pack (tests/*.yaml), run against the engine.
// A case pins outputs, a rejection, an error, or a relation between two quotes.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { positionOf, RuleError } from '../../grammar/diagnostic.ts';
import { Decimal } from '../decimal.ts';
import { displayPath } from '../rules/load-pack.ts';
import { plainNumber, readYamlFile, validateYaml, yamlErrors, type YamlFile } from '../rules/yaml-source.ts';
import { makeRecord, showValue, valuesEqual, type Value } from '../value.ts';
import type { Engine, QuoteResult } from './engine.ts';
import testsSchema from '../rules/schema/tests.schema.json' with { type: 'json' };

export interface CaseResult {
  file: string;
  line: number;
  name: string;
  pack: string;
  operation: string;
  passed: boolean;
  /** What went wrong: expected and actual, one line each. */
  failure?: string;
}

export interface RegressionRun {
  results: CaseResult[];
  /** Problems with the test files themselves (YAML or schema errors). */
  diagnostics: RuleError[];
}

interface RawCase {
  name: string;
  operation: string;
  at?: string;
  input?: Record<string, unknown>;
  expect?: Record<string, unknown>;
  reject?: string;
  error?: string;
  compare?: { output: string; left: Record<string, unknown>; op: string; right: Record<string, unknown> };
}

export function testFiles(packDir: string): string[] {
  const dir = join(packDir, 'tests');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort().map((n) => join(dir, n));
}

export function runRegression(engine: Engine): RegressionRun {
  const results: CaseResult[] = [];
  const diagnostics: RuleError[] = [];
  for (const pack of engine.packs()) {
    for (const path of testFiles(pack.dir)) {
      const f = readYamlFile(path, displayPath(path));
      const problems = [...yamlErrors(f)];
      if (!problems.length) problems.push(...validateYaml(f, testsSchema));
      if (problems.length) {
        diagnostics.push(...problems);
        continue;
      }
      const casesNode = (f.doc.contents as { get(k: string, keep: true): Node }).get('cases', true);
      const nodes = isSeq(casesNode) ? (casesNode.items as Node[]) : [];
      for (const node of nodes) results.push(runCase(engine, pack.name, f, node));
    }
  }
  return { results, diagnostics };
}

/** Expected values read from YAML with numbers exact as written (`0.000225`, not a float). */
function expectedValue(f: YamlFile, node: Node | null | undefined): Value {
  if (isScalar(node)) {
    const n = plainNumber(f, node);
    if (n) return n;
    if (typeof node.value === 'boolean') return node.value;
    return String(node.value);
  }
  if (isSeq(node)) return node.items.map((i) => expectedValue(f, i as Node));
  if (isMap(node)) return makeRecord(node.items.map((p) => [String((p.key as { value: unknown }).value), expectedValue(f, p.value as Node)]));
  return '';
}

function runCase(engine: Engine, pack: string, f: YamlFile, node: Node): CaseResult {
  const c = (node as unknown as { toJSON(): RawCase }).toJSON();
  const line = positionOf(f.source, node.range![0]).line;
  const base = { file: f.path, line, name: c.name, pack, operation: c.operation };
  const at = c.at ? new Date(c.at) : undefined;
  const quote = (input: Record<string, unknown>): QuoteResult => engine.quote({ pack, operation: c.operation, input, at });
  const fail = (failure: string): CaseResult => ({ ...base, passed: false, failure });
  try {
    if (c.compare) {
      const { output, op } = c.compare;
      const left = quote({ ...c.input, ...c.compare.left });
      const right = quote({ ...c.input, ...c.compare.right });
      for (const [side, r] of [['left', left], ['right', right]] as const) {
        if (r.rejections.length) return fail(`the ${side} quote was rejected: ${r.rejections.map((x) => x.message).join('; ')}`);
        if (!(r.outputs[output] instanceof Decimal)) return fail(`the ${side} quote has no numeric output '${output}'`);
      }
      const a = left.outputs[output] as Decimal;
      const b = right.outputs[output] as Decimal;
      const cmp = a.cmp(b);
      const ok = { '>': cmp > 0, '>=': cmp >= 0, '<': cmp < 0, '<=': cmp <= 0, '==': cmp === 0, '!=': cmp !== 0 }[op];
      return ok ? { ...base, passed: true } : fail(`expected ${output} ${a.toFixed()} ${op} ${b.toFixed()} (left ${op} right), which is false`);
    }
    const r = quote(c.input ?? {});
    if (c.error !== undefined) return fail(`expected an error containing "${c.error}", but the quote ${r.rejections.length ? `was rejected: ${r.rejections[0]!.message}` : 'succeeded'}`);
    if (c.reject !== undefined) {
      if (r.rejections.some((x) => x.message.includes(c.reject!))) return { ...base, passed: true };
      return fail(`expected a rejection "${c.reject}", got ${r.rejections.length ? r.rejections.map((x) => `"${x.message}"`).join(', ') : `no rejection (outputs ${showValue(r.outputs)})`}`);
    }
    if (r.rejections.length) return fail(`expected outputs, but the quote was rejected: ${r.rejections.map((x) => x.message).join('; ')}`);
    const expectNode = (node as unknown as { get(k: string, keep: true): Node }).get('expect', true);
    const mismatches: string[] = [];
    for (const pair of isMap(expectNode) ? expectNode.items : []) {
      const name = String((pair.key as { value: unknown }).value);
      const want = expectedValue(f, pair.value as Node);
      if (!(name in r.outputs)) mismatches.push(`output '${name}': expected ${showValue(want)}, but there is no such output (outputs: ${Object.keys(r.outputs).join(', ')})`);
      else if (!valuesEqual(want, r.outputs[name]!)) mismatches.push(`output '${name}': expected ${showValue(want)}, got ${showValue(r.outputs[name]!)}`);
    }
    return mismatches.length ? fail(mismatches.join('\n')) : { ...base, passed: true };
  } catch (e) {
    if (!(e instanceof RuleError)) throw e;
    if (c.error !== undefined && (e.message.includes(c.error) || e.code === c.error)) return { ...base, passed: true };
    return fail(`${c.error !== undefined ? `expected an error containing "${c.error}", got` : 'error:'} ${e.message}${e.hint ? ` (${e.hint})` : ''}`);
  }
}
