// Regression cases kept beside each pack (tests/*.yaml), run against the engine.
// A case pins outputs, a rejection, an error, or a relation between two quotes.
import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import { positionOf, RuleError } from '../../grammar/diagnostic.ts';
import { Decimal, decimalText, NOT_TERMINATING_MARK } from '../decimal.ts';
import { checkCaseFile, testFiles, type CaseFields, type CaseOperation, type CaseVersion } from '../check/check-cases.ts';
import { pairOf, plainNumber, type YamlFile } from '../rules/yaml-source.ts';
import { isRecord, makeRecord, showValue, valuesEqual, type Value } from '../value.ts';
import type { Engine, PackInfo, QuoteResult } from './engine.ts';

export interface CaseResult {
  file: string;
  line: number;
  /** The column of the key the failure is about (the case's start when it is about the whole case). */
  col: number;
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

interface RawCase extends CaseFields {
  input?: Record<string, unknown>;
  expect?: Record<string, unknown>;
  compare?: { output: string; left: Record<string, unknown>; op: string; right: Record<string, unknown> };
}

export { testFiles };

/** The engine's operations, per version, as the case checker sees them (rejections are found by running). */
function caseVersions(engine: Engine, pack: PackInfo): CaseVersion[] {
  return pack.versions.map((v) => {
    const effective = new Date(v.effective);
    const operations = new Map<string, CaseOperation>();
    for (const [name, op] of engine.version(pack.name, effective).operations) operations.set(name, { inputs: op.inputs, outputs: op.outputs });
    return { effective, operations };
  });
}

export function runRegression(engine: Engine): RegressionRun {
  const results: CaseResult[] = [];
  const diagnostics: RuleError[] = [];
  for (const pack of engine.packs()) {
    const versions = caseVersions(engine, pack);
    for (const path of testFiles(pack.dir)) {
      const checked = checkCaseFile(path, versions);
      diagnostics.push(...checked.problems);
      for (const c of checked.cases) {
        // A case that names what the operation doesn't have fails where the name is written.
        if (c.problems.length) diagnostics.push(...c.problems);
        else results.push(runCase(engine, pack.name, checked.file, c.node, c.fields as RawCase));
      }
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

/**
 * A value that doesn't terminate can't be written as a YAML number, so a case gives it as its
 * fraction (`10/3`, exact) or as credits quote shows it (`3.3333333333333333333…`, the 20
 * digits shown). Either is text; it stands for a number only where the output is a number.
 */
function matches(want: Value, got: Value): boolean {
  if (got instanceof Decimal && typeof want === 'string') {
    const fraction = /^\s*(-?\d+)\s*\/\s*(\d+)\s*$/.exec(want);
    if (fraction) return BigInt(fraction[2]!) !== 0n && Decimal.fraction(BigInt(fraction[1]!), BigInt(fraction[2]!)).eq(got);
    return !got.terminates() && want.endsWith(NOT_TERMINATING_MARK) && decimalText(got) === want;
  }
  if (Array.isArray(want) && Array.isArray(got)) return want.length === got.length && want.every((w, i) => matches(w, got[i]!));
  if (isRecord(want) && isRecord(got)) {
    const keys = Object.keys(want);
    return keys.length === Object.keys(got).length && keys.every((k) => k in got && matches(want[k]!, got[k]!));
  }
  return valuesEqual(want, got);
}

/** The actual value, with its fraction when its digits are only the first 20. */
function showActual(v: Value): string {
  return v instanceof Decimal && !v.terminates() ? `${showValue(v)} (exactly ${v.toFractionText()})` : showValue(v);
}

function runCase(engine: Engine, pack: string, f: YamlFile, node: YAMLMap, c: RawCase): CaseResult {
  const { line, col } = positionOf(f.source, node.range![0]);
  const base = { file: f.path, line, col, name: c.name, pack, operation: c.operation };
  const at = (key: Node | null | undefined) => (key?.range ? positionOf(f.source, key.range[0]) : { line, col });
  const time = c.at ? new Date(c.at) : undefined;
  const quote = (input: Record<string, unknown>): QuoteResult => engine.quote({ pack, operation: c.operation, input, at: time });
  const fail = (failure: string, where?: Node | null): CaseResult => ({ ...base, ...(where ? at(where) : {}), passed: false, failure });
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
    if (c.error !== undefined) return fail(`expected an error containing "${c.error}", but the quote ${r.rejections.length ? `was rejected: ${r.rejections[0]!.message}` : 'succeeded'}`, pairOf(node, 'error')?.value);
    if (c.reject !== undefined) {
      if (r.rejections.some((x) => x.message.includes(c.reject!))) return { ...base, passed: true };
      return fail(`expected a rejection "${c.reject}", got ${r.rejections.length ? r.rejections.map((x) => `"${x.message}"`).join(', ') : `no rejection (outputs ${showValue(r.outputs)})`}`, pairOf(node, 'reject')?.value);
    }
    if (r.rejections.length) return fail(`expected outputs, but the quote was rejected: ${r.rejections.map((x) => x.message).join('; ')}`);
    const expectNode = node.get('expect', true);
    const mismatches: string[] = [];
    let firstWrong: Node | undefined;
    for (const pair of isMap(expectNode) ? (expectNode.items as Pair<Node, Node>[]) : []) {
      const before = mismatches.length;
      const name = String((pair.key as { value: unknown }).value);
      const want = expectedValue(f, pair.value as Node);
      if (!(name in r.outputs)) mismatches.push(`output '${name}': expected ${showValue(want)}, but there is no such output (outputs: ${Object.keys(r.outputs).join(', ')})`);
      else if (!matches(want, r.outputs[name]!)) mismatches.push(`output '${name}': expected ${showValue(want)}, got ${showActual(r.outputs[name]!)}`);
      if (mismatches.length > before) firstWrong ??= pair.key;
    }
    return mismatches.length ? fail(mismatches.join('\n'), firstWrong) : { ...base, passed: true };
  } catch (e) {
    if (!(e instanceof RuleError)) throw e;
    if (c.error !== undefined && (e.message.includes(c.error) || e.code === c.error)) return { ...base, passed: true };
    return fail(`${c.error !== undefined ? `expected an error containing "${c.error}", got` : 'error:'} ${e.message}${e.hint ? ` (${e.hint})` : ''}`, pairOf(node, 'error')?.value);
  }
}
