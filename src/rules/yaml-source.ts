// YAML files read with their source positions: every node we keep can be pointed at,
// and every formula inside a scalar maps its offsets back to file:line:col.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocument, isMap, isPair, isScalar, isSeq, type Document, type Node, type Scalar } from 'yaml';
import type { ErrorObject } from 'ajv';
import precompiled from './schema/validators.cjs';
import { RuleError, type Source } from '../../grammar/diagnostic.ts';
import type { Span } from '../../grammar/ast.ts';
import { Decimal } from '../decimal.ts';
import { didYouMean } from '../suggest.ts';

export interface YamlFile {
  /** The path as shown in diagnostics. */
  path: string;
  /** The path to read files it refers to (CSV tables) from. */
  absolutePath: string;
  text: string;
  doc: Document.Parsed;
  source: Source;
}

/** Where a YAML node is: the whole file as source, the node's range as span. */
export interface Loc {
  source: Source;
  span: Span;
}

export function readYamlFile(path: string, label = path): YamlFile {
  const text = readFileSync(path, 'utf8');
  return parseYaml(text, label, resolve(path));
}

export function parseYaml(text: string, file: string, absolutePath = resolve(file)): YamlFile {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const source: Source = { file, text };
  return { path: file, absolutePath, text, doc, source };
}

const YAML_HINTS: Record<string, string> = {
  DUPLICATE_KEY: 'each key may appear once in a mapping; rename or merge the two',
  BAD_INDENT: 'keys of one mapping start in the same column; indent nested ones further, with spaces',
  TAB_AS_INDENT: 'indent with spaces; YAML does not allow tabs there',
  MISSING_CHAR: 'a bracket or quote is not closed',
  BLOCK_IN_FLOW: 'inside [ ] or { } write everything inline, or use indented lines instead of brackets',
  MULTILINE_IMPLICIT_KEY: 'a key must fit on one line; is a ":" missing on the line above?',
  BAD_SCALAR_START: 'quote a value that starts with a special character, e.g. "*2" or "@home"',
  UNEXPECTED_TOKEN: 'quote a formula that contains ": " or starts with [ { * & !',
};

/** YAML syntax errors (bad indentation, duplicate keys, …) as RuleErrors with positions. */
export function yamlErrors(f: YamlFile): RuleError[] {
  return f.doc.errors.map((e) => {
    const [start, end] = e.pos;
    const hint = YAML_HINTS[e.code] ?? 'check the indentation (spaces, not tabs) and quote values that contain ": " or start with [ { * & ! | > % @';
    return new RuleError('yaml-syntax', e.message.split('\n')[0]!, f.source, { start, end: Math.max(end, start + 1) }, hint);
  });
}

export function locOf(f: YamlFile, node: Node | null | undefined): Loc {
  const range = node?.range;
  if (!range) return { source: f.source, span: { start: 0, end: 1 } };
  return { source: f.source, span: { start: range[0], end: Math.max(range[1], range[0] + 1) } };
}

export function errorAt(loc: Loc, code: string, message: string, hint?: string, severity: 'error' | 'warning' = 'error'): RuleError {
  return new RuleError(code, message, loc.source, loc.span, hint, severity);
}

/**
 * The formula written in a scalar, with a Source that maps formula offsets to the file.
 * Plain scalars keep their text as written, so `0.10` and `20%` reach the parser untouched.
 */
export function formulaSource(f: YamlFile, node: Node | null | undefined): { text: string; source: Source; loc: Loc } {
  const loc = locOf(f, node);
  if (!node || !isScalar(node) || !node.range) {
    return { text: '', source: { file: f.path, text: '', fileText: f.text, toFileOffset: () => loc.span.start }, loc };
  }
  const scalar = node as Scalar;
  const [start, end] = scalar.range!;
  const raw = f.text.slice(start, end);
  const text = scalar.type === 'PLAIN' ? raw.trim() : String(scalar.value);
  const map = offsetMap(f.text, start, end, text);
  const source: Source = { file: f.path, text, fileText: f.text, toFileOffset: (i) => map[Math.max(0, Math.min(i, text.length))]! };
  return { text, source, loc };
}

// Quoted and block scalars differ from their value by quotes, indentation and line breaks;
// matching the value's characters in order against the raw text recovers each one's place.
function offsetMap(fileText: string, start: number, end: number, value: string): Int32Array {
  const map = new Int32Array(value.length + 1);
  let j = start;
  if (value.length > 0 && fileText[start] !== value[0] && /['"|>]/.test(fileText[start]!)) j = start + 1;
  for (let i = 0; i < value.length; i++) {
    let k = j;
    while (k < end && fileText[k] !== value[i]) k++;
    if (k < end) {
      map[i] = k;
      j = k + 1;
    } else {
      map[i] = Math.min(j, end);
    }
  }
  map[value.length] = Math.min(j, end);
  return map;
}

/** Validates a YAML document against a JSON Schema; each violation points at its node. */
export function validateYaml(f: YamlFile, schema: { $id: string }): RuleError[] {
  return checkSchema(f, schema).errors;
}

export interface SchemaCheck {
  errors: RuleError[];
  /**
   * Whether the node at this path (keys and indexes from the root) is itself malformed:
   * a violation at it or inside it. An unknown or missing field of a mapping doesn't make
   * the mapping malformed — the rest of it can still be read and checked.
   */
  malformed(path: (string | number)[]): boolean;
}

/** `schema` is one of src/rules/schema/*.schema.json, validated by its code compiled ahead of time. */
export function checkSchema(f: YamlFile, schema: { $id: string }): SchemaCheck {
  const validate = precompiled[schema.$id];
  if (!validate) throw new Error(`no compiled validator for schema '${schema.$id}': add it to src/rules/schema/validators.ts and run npm run schemas`);
  const data = f.doc.toJS({ maxAliasCount: 100 });
  if (validate(data)) return { errors: [], malformed: () => false };
  const raw = validate.errors ?? [];
  const harmless = new Set(['additionalProperties', 'required', 'propertyNames']);
  return {
    errors: explainSchemaErrors(f, raw),
    malformed: (path) => {
      const pointer = path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
      return raw.some((e) => e.instancePath.startsWith(`${pointer}/`) || (e.instancePath === pointer && !harmless.has(e.keyword)));
    },
  };
}

function explainSchemaErrors(f: YamlFile, errors: ErrorObject[]): RuleError[] {
  // oneOf/anyOf report every branch; keep the most specific (deepest) messages per place.
  const relevant = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if');
  const deepest = new Map<string, ErrorObject[]>();
  for (const e of relevant.length ? relevant : errors) {
    const list = deepest.get(e.instancePath) ?? [];
    list.push(e);
    deepest.set(e.instancePath, list);
  }
  const out: RuleError[] = [];
  const seen = new Set<string>();
  for (const [path, all] of deepest) {
    // A oneOf of a scalar and an object (an input's shorthand or its full form) reports both
    // branches; when the value is a mapping with a bad or missing field, that is the news.
    // Likewise a scalar given where the scalar branch has an enum: "must be one of" is the news,
    // not the object branch's "must be object".
    const shape = all.filter((e) => e.keyword === 'additionalProperties' || e.keyword === 'required');
    const enums = all.filter((e) => e.keyword === 'enum');
    const list = shape.length ? shape : enums.length && isScalar(nodeAt(f, path, enums[0]!).node) ? enums : all;
    if ([...deepest.keys()].some((p) => p !== path && p.startsWith(path + '/') && !list.some((e) => e.keyword === 'additionalProperties' || e.keyword === 'required'))) continue;
    for (const e of list) {
      const { node, keyNode } = nodeAt(f, path, e);
      const message = schemaMessage(path, e);
      if (seen.has(message)) continue;
      seen.add(message);
      // A wrong value is pointed at itself; a wrong or missing key at the key.
      const onValue = (e.keyword === 'enum' || e.keyword === 'type' || e.keyword === 'pattern' || e.keyword === 'format') && node;
      out.push(errorAt(locOf(f, onValue ? node : keyNode ?? node), 'schema', message, schemaHint(e, node)));
    }
  }
  return out;
}

function pathSegments(instancePath: string): string[] {
  return instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function nodeAt(f: YamlFile, instancePath: string, e: ErrorObject): { node: Node | null; keyNode?: Node } {
  let node: unknown = f.doc.contents;
  let keyNode: Node | undefined;
  for (const seg of pathSegments(instancePath)) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
      keyNode = pair?.key as Node | undefined;
      node = pair?.value ?? null;
    } else if (isSeq(node)) {
      node = node.items[Number(seg)] ?? null;
      keyNode = undefined;
    } else break;
  }
  if (e.keyword === 'additionalProperties' && isMap(node)) {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === extra);
    if (pair) return { node: pair.key as Node, keyNode: pair.key as Node };
  }
  if (e.keyword === 'propertyNames' && isMap(node)) {
    const bad = (e.params as { propertyName?: string }).propertyName;
    const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === bad);
    if (pair) return { node: pair.key as Node, keyNode: pair.key as Node };
  }
  return { node: (node as Node) ?? null, keyNode: e.keyword === 'required' ? undefined : keyNode };
}

function schemaMessage(path: string, e: ErrorObject): string {
  const where = path ? `'${pathSegments(path).join('.')}'` : 'the file';
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown field '${(e.params as { additionalProperty: string }).additionalProperty}' in ${where}`;
    case 'required':
      return `${where} is missing the required field '${(e.params as { missingProperty: string }).missingProperty}'`;
    case 'enum':
      return `${where} must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'type':
      return `${where} must be ${(e.params as { type: string | string[] }).type.toString().replace(/,/g, ' or ')}`;
    case 'pattern':
      return `${where} must match ${(e.params as { pattern: string }).pattern}`;
    case 'format':
      return `${where} must be an ISO 8601 ${(e.params as { format: string }).format} such as 2026-01-01T00:00:00Z`;
    default:
      return `${where} ${e.message ?? 'is invalid'}`;
  }
}

function schemaHint(e: ErrorObject, node: Node | null): string | undefined {
  if (e.keyword === 'enum' && isScalar(node)) {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
    return didYouMean(String(node.value), allowed);
  }
  if (e.keyword === 'type' && isSeq(node) && (e.params as { type: string | string[] }).type.includes('string')) {
    return 'a formula is one line of text (or a number); quote it if it starts with [ or {';
  }
  if (e.keyword === 'additionalProperties') {
    const parent = e.parentSchema as { properties?: Record<string, unknown> } | undefined;
    const known = Object.keys(parent?.properties ?? {});
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    if (known.length) return didYouMean(extra, known) ?? `known fields: ${known.join(', ')}`;
  }
  if (e.keyword === 'propertyNames') return 'names are letters, digits and _ and start with a letter or _';
  return undefined;
}

const NUMBER_LITERAL = /^-?\d[\d_]*(\.\d[\d_]*)?%?$/;

/** Text written as a number of the formula language — `0.10`, `300_000`, `20%` — as its exact decimal. */
export function numberLiteral(text: string): Decimal | undefined {
  if (!NUMBER_LITERAL.test(text)) return undefined;
  const digits = text.replace(/_/g, '');
  return digits.endsWith('%') ? new Decimal(digits.slice(0, -1)).div(100) : new Decimal(digits);
}

/**
 * A plain (unquoted) YAML scalar written as a number — `0.10`, `300_000`, `20%` — as its
 * exact decimal; undefined for anything else. Quote a value to keep it text.
 */
export function plainNumber(f: YamlFile, node: Node | null | undefined): Decimal | undefined {
  if (!isScalar(node) || node.type !== 'PLAIN' || !node.range) return undefined;
  const text = f.text.slice(node.range[0], node.range[1]).trim();
  return numberLiteral(text) ?? (typeof node.value === 'number' && Number.isFinite(node.value) ? new Decimal(String(node.value)) : undefined);
}
