// YAML files read with their source positions: every node we keep can be pointed at,
// and every formula inside a scalar maps its offsets back to file:line:col.
import { readText } from './file-overlay.ts';
import { resolve } from 'node:path';
import { parseDocument, isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { ErrorObject } from 'ajv';
import precompiled from './schema/validators.cjs';
import { RuleError, type Source } from '../../grammar/diagnostic.ts';
import type { Span } from '../../grammar/ast.ts';
import { Decimal } from '../decimal.ts';
import { didYouMean } from '../suggest.ts';
import { expected, placeInWords, yamlReading } from './schema-words.ts';

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
  const text = readText(path);
  return parseYaml(text, label, resolve(path));
}

export function parseYaml(text: string, file: string, absolutePath = resolve(file)): YamlFile {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const source: Source = { file, text };
  return { path: file, absolutePath, text, doc, source };
}

export { yamlErrors } from './yaml-slips.ts';

/** A scalar's text as written in the file (quotes and all), to say how YAML read it. */
export function writtenText(f: YamlFile, node: Node | null | undefined): string | undefined {
  return isScalar(node) && node.range ? f.text.slice(node.range[0], node.range[1]).trim() : undefined;
}

/** The entry of mapping `map` whose key is `key`, for pointing at its key or value. */
export function pairOf(map: YAMLMap, key: string): Pair<Node, Node> | undefined {
  return map.items.find((p) => isScalar(p.key) && p.key.value === key) as Pair<Node, Node> | undefined;
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
    errors: explainSchemaErrors(f, raw, schema.$id),
    malformed: (path) => {
      const pointer = path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
      return raw.some((e) => e.instancePath.startsWith(`${pointer}/`) || (e.instancePath === pointer && !harmless.has(e.keyword)));
    },
  };
}

function explainSchemaErrors(f: YamlFile, errors: ErrorObject[], schemaId: string): RuleError[] {
  // oneOf/anyOf report every branch; keep the most specific (deepest) messages per place.
  // A bad name is reported once, by propertyNames at the key, not again by the pattern it failed.
  const badNames = new Set(errors.filter((e) => e.keyword === 'propertyNames').map((e) => e.instancePath));
  const relevant = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if'
    && !(e.keyword === 'pattern' && badNames.has(e.instancePath) && (e as { propertyName?: string }).propertyName !== undefined));
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
    // A misspelt required field is one mistake: "unknown field 'ouputs'" (did you mean
    // "outputs"?) says it all, and "missing 'outputs'" would only repeat it.
    const unknown = shape.filter((e) => e.keyword === 'additionalProperties').map((e) => (e.params as { additionalProperty: string }).additionalProperty);
    const misspelt = (e: ErrorObject) => e.keyword === 'required'
      && unknown.some((u) => didYouMean(u, [(e.params as { missingProperty: string }).missingProperty]) !== undefined);
    const list = shape.length ? shape.filter((e) => !misspelt(e)) : enums.length && isScalar(nodeAt(f, path, enums[0]!).node) ? enums : scalarBranches(f, path, all);
    if ([...deepest.keys()].some((p) => p !== path && p.startsWith(path + '/') && !list.some((e) => e.keyword === 'additionalProperties' || e.keyword === 'required'))) continue;
    for (const e of list) {
      const { node, keyNode } = nodeAt(f, path, e);
      const message = schemaMessage(f, schemaId, path, e);
      if (seen.has(message)) continue;
      seen.add(message);
      // A wrong value is pointed at itself; a wrong or missing key at the key.
      const onValue = e.keyword !== 'additionalProperties' && e.keyword !== 'required' && e.keyword !== 'propertyNames' && node;
      out.push(errorAt(locOf(f, onValue ? node : keyNode ?? node), 'schema', message, schemaHint(f, e, node)));
    }
  }
  return out;
}

// A scalar where a oneOf offers a string form, a constant and a mapping (`"100"`, `unlimited`
// or `{pro: "100"}`): the string form's message is the news, not "must be a mapping" or
// "must be 'unlimited'".
function scalarBranches(f: YamlFile, path: string, all: ErrorObject[]): ErrorObject[] {
  if (all.length < 2 || !isScalar(nodeAt(f, path, all[0]!).node)) return all;
  const structural = (e: ErrorObject) => e.keyword === 'type' && ['object', 'array'].includes(String((e.params as { type: unknown }).type));
  const rest = all.filter((e) => !structural(e));
  const typed = rest.filter((e) => e.keyword === 'type');
  const kept = typed.length ? typed : rest;
  return kept.length ? kept : all;
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

function schemaMessage(f: YamlFile, schemaId: string, path: string, e: ErrorObject): string {
  const { thing, field } = placeInWords(pathSegments(path), schemaId, f.path);
  const where = field ? `in ${thing}, '${field}'` : thing;
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown field '${(e.params as { additionalProperty: string }).additionalProperty}' in ${field ? `'${field}' of ${thing}` : thing}`;
    case 'required':
      return `${field ? `'${field}' of ${thing}` : thing} is missing the field '${(e.params as { missingProperty: string }).missingProperty}'`;
    case 'propertyNames':
      return `'${(e.params as { propertyName?: string }).propertyName}' in ${field ? `'${field}' of ${thing}` : thing} is not a name`;
    default:
      return `${where} must be ${expected(e)}`;
  }
}

function schemaHint(f: YamlFile, e: ErrorObject, node: Node | null): string | undefined {
  const raw = writtenText(f, node);
  const parent = e.parentSchema as { properties?: Record<string, { description?: string; examples?: unknown[] }>; description?: string } | undefined;
  const reading = (e.keyword === 'type' || e.keyword === 'pattern' || e.keyword === 'enum' || e.keyword === 'format') ? yamlReading(node, raw, e) : undefined;
  if (reading) return reading;
  if (e.keyword === 'enum' && isScalar(node)) {
    const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
    const days = /^(\d+)\s*days?$/i.exec(String(node.value));
    if (days && allowed.includes('never')) return `a number of days is written as a mapping: { days: ${days[1]} }`;
    const guess = didYouMean(String(node.value), allowed);
    return guess ?? `write one of ${allowed.join(', ')}`;
  }
  if (e.keyword === 'type') {
    const types = ([] as string[]).concat((e.params as { type: string | string[] }).type);
    if (isSeq(node) && types.includes('string')) return 'a formula is one line of text (or a number); quote it if it starts with [ or {';
    if (types.length === 1 && types[0] === 'array' && isScalar(node)) return `write it as a list in brackets: [${raw}]`;
    if (types.length === 1 && types[0] === 'object' && isScalar(node) && typeof node.value === 'string') {
      const m = /^([A-Za-z_][A-Za-z0-9_]*) +(\S.*)$/.exec(node.value);
      if (m) return `is a ':' missing after '${m[1]}'? write it on its own indented line as ${m[1]}: ${m[2]}`;
      return 'write each entry on its own line below, indented by two more spaces, as name: value';
    }
    if ((types.includes('integer') || types.includes('number')) && isScalar(node) && typeof node.value === 'string') {
      const words = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
      const n = words.indexOf(node.value.trim().toLowerCase());
      return n >= 0 ? `write it in digits: ${n}` : 'write it in digits, without quotes or units, like 3';
    }
    if (types.length === 1 && types[0] === 'object' && isSeq(node)) return 'write name: value lines, without a leading "- "';
    if (types.includes('string') && (isMap(node))) return 'a value that contains ": " must be quoted, like "a: b"';
  }
  if (e.keyword === 'format') return 'write a date and time with its zone, like 2026-01-01T00:00:00Z';
  if (e.keyword === 'additionalProperties') {
    const known = Object.keys(parent?.properties ?? {});
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    if (known.length) return didYouMean(extra, known) ?? `known fields: ${known.join(', ')}`;
    return 'remove it';
  }
  if (e.keyword === 'required') {
    const missing = (e.params as { missingProperty: string }).missingProperty;
    const about = parent?.properties?.[missing];
    const ex = about?.examples?.[0];
    return `add ${missing}:${ex !== undefined ? ` ${Array.isArray(ex) ? `[${ex.join(', ')}]` : JSON.stringify(ex)}` : ''}${about?.description ? ` (${lowerFirst(about.description).replace(/\.$/, '')})` : ''}`;
  }
  if (e.keyword === 'propertyNames') {
    const bad = (e.params as { propertyName?: string }).propertyName ?? '';
    return `names are letters, digits and _ and start with a letter or _: write ${bad.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^(?=\d)/, '_')}`;
  }
  if (e.keyword === 'pattern' && isScalar(node) && typeof node.value === 'string') {
    const pattern = (e.params as { pattern: string }).pattern;
    if (pattern === '^[A-Za-z_][A-Za-z0-9_]*$') return `use letters, digits and _ only: write ${node.value.trim().replace(/[^A-Za-z0-9_]+/g, '_').replace(/^(?=\d)/, '_') || 'base_cost'}`;
    if (pattern === '^[a-z][a-z0-9_-]*$') return `use lowercase letters, digits, _ and - only: write ${node.value.trim().toLowerCase().replace(/[^a-z0-9_-]+/g, '-').replace(/^[^a-z]+/, '') || 'mypack'}`;
  }
  if (e.keyword === 'uniqueItems') return 'remove the repeated entry';
  if (e.keyword === 'minItems') return 'add at least one entry';
  if (e.keyword === 'minLength') return 'write the text, or remove the field';
  if (e.keyword === 'minimum' || e.keyword === 'maximum') return `change it to ${expected(e)}`;
  const description = (e.parentSchema as { description?: string } | undefined)?.description;
  return description ? `expected: ${lowerFirst(description).replace(/\.$/, '')}` : undefined;
}

function lowerFirst(s: string): string {
  return s.length > 1 && /^[A-Z][a-z]/.test(s) ? s[0]!.toLowerCase() + s.slice(1) : s;
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
