// Regression-case files (tests/*.yaml) checked against the operations they name, before any
// case runs: an unknown operation, input or output, a value an input refuses, a missing
// required input, or a rejection no constraint can produce — each at the key that is wrong.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import { RuleError } from '../../grammar/diagnostic.ts';
import { coerceValue, describeType } from '../rules/inputs.ts';
import { displayPath } from '../rules/load-pack.ts';
import type { InputDecl } from '../rules/model.ts';
import { errorAt, locOf, pairOf, readYamlFile, validateYaml, yamlErrors, type YamlFile } from '../rules/yaml-source.ts';
import { didYouMean } from '../suggest.ts';
import { versionInForce } from '../rules/version-in-force.ts';
import type { CheckedPack, CheckedVersion } from './model.ts';
import testsSchema from '../rules/schema/tests.schema.json' with { type: 'json' };

/** What a case can be checked against: one operation of one version. */
export interface CaseOperation {
  inputs: readonly InputDecl[];
  outputs: readonly string[];
  /** The messages its constraints (and those of the operations it calls) reject with; absent when not known. */
  rejections?: readonly { message: string; code?: string }[];
}

export interface CaseVersion {
  effective: Date;
  operations: ReadonlyMap<string, CaseOperation>;
}

/** The fields of a case the checker reads; the runner reads the rest of the same object. */
export interface CaseFields {
  name: string;
  operation: string;
  at?: string;
  error?: string;
  reject?: string;
}

export interface CheckedCase {
  node: YAMLMap;
  /** `node` as plain data, read once for the checker and the runner. */
  fields: CaseFields;
  /** Problems found before running it; a case with any is not run. */
  problems: RuleError[];
}

export interface CheckedCaseFile {
  file: YamlFile;
  /** YAML and schema errors of the file itself: then no case is read. */
  problems: RuleError[];
  cases: CheckedCase[];
}

/** The YAML files directly in `dir`, sorted; none when it doesn't exist. */
export function yamlFilesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort().map((n) => join(dir, n));
}

export function testFiles(packDir: string): string[] {
  return yamlFilesIn(join(packDir, 'tests'));
}

export function checkCaseFile(path: string, versions: readonly CaseVersion[]): CheckedCaseFile {
  const file = readYamlFile(path, displayPath(path));
  const problems = yamlErrors(file);
  if (!problems.length) problems.push(...validateYaml(file, testsSchema));
  if (problems.length) return { file, problems, cases: [] };
  const casesNode = (file.doc.contents as YAMLMap).get('cases', true) as Node | undefined;
  const nodes = isSeq(casesNode) ? (casesNode.items as YAMLMap[]) : [];
  return {
    file, problems, cases: nodes.map((node) => {
      const fields = node.toJSON() as CaseFields;
      return { node, fields, problems: checkCase(file, node, fields, versions) };
    }),
  };
}

/** The versions a case can run against: the one in force at its `at`, or without `at` (or with none in force then) any of them. */
function candidates(versions: readonly CaseVersion[], at: string | undefined): readonly CaseVersion[] {
  if (at === undefined) return versions;
  try {
    return [versionInForce('', versions, (v) => v.effective, new Date(at))];
  } catch (e) {
    if (!(e instanceof RuleError)) throw e;
    return versions;
  }
}

function checkCase(f: YamlFile, node: YAMLMap, c: CaseFields, versions: readonly CaseVersion[]): RuleError[] {
  const out: RuleError[] = [];
  const opPair = pairOf(node, 'operation')!;
  const inForce = candidates(versions, c.at);
  const ops = inForce.map((v) => v.operations.get(c.operation)).filter((o): o is CaseOperation => !!o);
  if (!ops.length) {
    const known = new Set(inForce.flatMap((v) => [...v.operations.keys()]));
    const later = versions.find((v) => v.operations.has(c.operation));
    out.push(errorAt(locOf(f, opPair.value), 'case-unknown-operation', `case '${c.name}' names operation '${c.operation}', which the pack does not have${c.at ? ` at ${c.at}` : ''}`,
      later ? `'${c.operation}' is in the version effective ${later.effective.toISOString()}: give an at: from then on, or name one of ${[...known].join(', ')}`
        : didYouMean(c.operation, known) ?? `operations: ${[...known].join(', ')}`));
    return out;
  }
  // A case expecting an error may send a wrong input on purpose.
  if (c.error === undefined) checkInputs(f, node, c.name, c.operation, ops, out);
  checkOutputs(f, node, c.operation, ops, out);
  checkRejection(f, node, c.operation, ops, out);
  return out;
}

function inputMaps(node: YAMLMap): YAMLMap[] {
  const compare = pairOf(node, 'compare')?.value;
  return [pairOf(node, 'input')?.value, isMap(compare) ? pairOf(compare, 'left')?.value : undefined, isMap(compare) ? pairOf(compare, 'right')?.value : undefined]
    .filter((m): m is YAMLMap => isMap(m));
}

function checkInputs(f: YamlFile, node: YAMLMap, caseName: string, operation: string, ops: CaseOperation[], out: RuleError[]): void {
  const decls = new Map<string, InputDecl[]>();
  for (const op of ops) for (const i of op.inputs) decls.set(i.name, [...(decls.get(i.name) ?? []), i]);
  const given = new Set<string>();
  for (const map of inputMaps(node)) {
    for (const pair of map.items as Pair<Node, Node>[]) {
      const name = String(isScalar(pair.key) ? pair.key.value : pair.key);
      given.add(name);
      const declared = decls.get(name);
      if (!declared) {
        out.push(errorAt(locOf(f, pair.key), 'case-unknown-input', `operation '${operation}' has no input '${name}'`,
          didYouMean(name, decls.keys()) ?? `its inputs: ${[...decls.keys()].join(', ') || '(none)'}`));
        continue;
      }
      const raw = pair.value?.toJSON() as unknown;
      if (raw === null || raw === undefined) continue;
      const refusals: RuleError[] = [];
      for (const d of declared) {
        try {
          coerceValue(d.type, raw, name);
        } catch (e) {
          if (!(e instanceof RuleError)) throw e;
          refusals.push(e);
        }
      }
      if (refusals.length === declared.length) {
        const e = refusals[0]!;
        out.push(errorAt(locOf(f, pair.value), `case-${e.code}`, `in this case, ${e.message}`, refusalHint(e, declared[0]!, raw)));
      }
    }
  }
  // A misspelled input is its own mistake; the input it meant would only show up as missing.
  if (out.length) return;
  const missing = [...decls.entries()].filter(([n, ds]) => !given.has(n) && ds.length === ops.length && ds.every((d) => d.default === undefined));
  if (missing.length) {
    const at = pairOf(node, 'input')?.key ?? pairOf(node, 'operation')!.key;
    const [name, [d]] = missing[0]!;
    out.push(errorAt(locOf(f, at), 'case-missing-input', `case '${caseName}' does not give required input${missing.length > 1 ? 's' : ''} ${missing.map(([n]) => `'${n}'`).join(', ')}`,
      `add it under input, e.g. input: { ${name}: … } (${describeType(d!.type)})`));
  }
}

function refusalHint(e: RuleError, d: InputDecl, raw: unknown): string {
  const t = d.type;
  if (e.code === 'input-out-of-range' && (t.kind === 'number' || t.kind === 'integer')) {
    return `give a value from ${t.min?.toFixed() ?? 'any'} to ${t.max?.toFixed() ?? 'any'}, or pin the refusal with error: instead of expect:`;
  }
  if ((t.kind === 'number' || t.kind === 'integer') && typeof raw === 'string') {
    return `write a plain number without quotes or units, e.g. ${d.name}: ${t.min?.toFixed() ?? '1'}`;
  }
  if (t.kind === 'string' && t.enum && !e.hint) return `write one of ${t.enum.map((v) => `'${v}'`).join(', ')}`;
  return e.hint ?? `give ${describeType(t)}`;
}

function checkOutputs(f: YamlFile, node: YAMLMap, operation: string, ops: CaseOperation[], out: RuleError[]): void {
  const outputs = new Set(ops.flatMap((o) => o.outputs));
  const report = (n: Node | null | undefined, name: string): void => {
    if (outputs.has(name)) return;
    out.push(errorAt(locOf(f, n), 'case-unknown-output', `'${name}' is not an output of operation '${operation}'`,
      didYouMean(name, outputs) ?? `its outputs: ${[...outputs].join(', ')}`));
  };
  const expect = pairOf(node, 'expect')?.value;
  if (isMap(expect)) for (const pair of expect.items as Pair<Node, Node>[]) report(pair.key, String(isScalar(pair.key) ? pair.key.value : pair.key));
  const compare = pairOf(node, 'compare')?.value;
  const output = isMap(compare) ? pairOf(compare, 'output')?.value : undefined;
  if (isScalar(output)) report(output, String(output.value));
}

/** A message with `{name}` in it can say anything there, so any text might match it. */
function canReject(message: string, text: string): boolean {
  return /\{[A-Za-z_][A-Za-z0-9_]*\}/.test(message) || message.includes(text);
}

function checkRejection(f: YamlFile, node: YAMLMap, operation: string, ops: CaseOperation[], out: RuleError[]): void {
  const pair = pairOf(node, 'reject');
  if (!pair || !isScalar(pair.value)) return;
  const text = String(pair.value.value);
  if (ops.some((o) => !o.rejections || o.rejections.some((r) => canReject(r.message, text)))) return;
  const all = ops.flatMap((o) => o.rejections!);
  const loc = locOf(f, pair.value);
  if (!all.length) {
    out.push(errorAt(loc, 'case-impossible-rejection', `operation '${operation}' has no constraints, so it never rejects "${text}"`, 'expect outputs instead, or add the constraint to the operation'));
    return;
  }
  const byCode = all.find((r) => r.code === text);
  const messages = [...new Set(all.map((r) => r.message))];
  out.push(errorAt(loc, 'case-impossible-rejection', `no constraint of operation '${operation}' rejects with a message containing "${text}"`,
    byCode ? `'${text}' is a constraint's code; reject matches its message, e.g. reject: ${byCode.message}`
      : `reject matches part of a constraint's message; its messages: ${messages.slice(0, 3).map((m) => `"${m}"`).join(', ')}${messages.length > 3 ? ', …' : ''}`));
}

/** Every regression-case problem of a checked pack, for `credits check`. */
export function checkPackCases(pack: CheckedPack): RuleError[] {
  const versions = caseVersionsOf(pack);
  return testFiles(pack.decl.dir).flatMap((path) => {
    const checked = checkCaseFile(path, versions);
    return [...checked.problems, ...checked.cases.flatMap((c) => c.problems)];
  });
}

function caseVersionsOf(pack: CheckedPack): CaseVersion[] {
  return pack.versions.map((v) => ({
    effective: v.decl.effective,
    operations: new Map([...v.operations].map(([name, op]) => [name, { inputs: op.decl.inputs, outputs: op.outputs, rejections: rejectionsOf(v, name) }])),
  }));
}

function rejectionsOf(v: CheckedVersion, operation: string, seen = new Set<string>()): { message: string; code?: string }[] {
  const op = v.operations.get(operation);
  if (!op || seen.has(operation)) return [];
  seen.add(operation);
  return [
    ...op.constraints.map((c) => ({ message: c.decl.message, code: c.decl.code })),
    ...[...op.calls].flatMap((callee) => rejectionsOf(v, callee, seen)),
  ];
}
