// Reads a pack folder into a PackDecl: pack.yaml, its versions' rule files, each validated
// against the JSON Schemas in ./schema. Problems are collected, never thrown one by one.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import type { RuleError } from '../../grammar/diagnostic.ts';
import { Decimal } from '../decimal.ts';
import type { Value } from '../value.ts';
import { readCsvRows } from './csv-table.ts';
import { readFigureSources } from './figure-sources.ts';
import { coerceValue } from './inputs.ts';
import type { CellDecl, ConstraintDecl, DecisionDecl, Definitions, FigureSource, FormulaText, InputDecl, InputType, Named, OperationDecl, PackDecl, TableDecl, VersionDecl } from './model.ts';
import { readingOf } from './schema-words.ts';
import { nearest } from '../suggest.ts';
import { checkSchema, errorAt, formulaSource, locOf, pairOf, plainNumber, readYamlFile, validateYaml, writtenText, yamlErrors, type SchemaCheck, type YamlFile } from './yaml-source.ts';
import packSchema from './schema/pack.schema.json' with { type: 'json' };
import ruleFileSchema from './schema/rule-file.schema.json' with { type: 'json' };

export const PACK_FILE = 'pack.yaml';
/** The pack's credit policy for the ledger: grant kinds, expiry, spend order, refunds. */
export const LEDGER_FILE = 'ledger.yaml';
/** Files beside pack.yaml that are not rule files. */
const NOT_RULE_FILES = new Set([PACK_FILE, LEDGER_FILE]);

export interface LoadResult {
  pack?: PackDecl;
  diagnostics: RuleError[];
}

export function isPackDir(dir: string): boolean {
  return existsSync(join(dir, PACK_FILE));
}

/** A label for a file relative to the working directory, as diagnostics print it. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

export function loadPack(dir: string): LoadResult {
  const diagnostics: RuleError[] = [];
  const packFile = readYamlFile(join(dir, PACK_FILE), displayPath(join(dir, PACK_FILE)));
  diagnostics.push(...yamlErrors(packFile));
  if (diagnostics.length) return { diagnostics };
  const schemaErrors = validateYaml(packFile, packSchema);
  if (schemaErrors.length) return { diagnostics: schemaErrors };

  const meta = packFile.doc.toJS() as { pack: string; title?: string; description?: string; unit: 'credits' | 'usd'; decimals?: number; seeds?: string };
  const ruleFiles = new Map<string, ParsedRuleFile>();
  const versions: VersionDecl[] = [];
  const versionsNode = packFile.doc.get('versions', true) as Node;
  (isSeq(versionsNode) ? versionsNode.items : []).forEach((vNode) => {
    const v = (vNode as YAMLMap).toJSON() as { version: string; effective: string; files?: string[] };
    const files = resolveFiles(dir, v.files);
    if (files.length === 0) {
      diagnostics.push(errorAt(locOf(packFile, vNode as Node), 'no-rule-files', `version '${v.version}' has no rule files`, `add *.yaml files beside ${PACK_FILE}, or list them under 'files'`));
    }
    const definitions: Definitions = { tables: [], cells: [] };
    const operations: OperationDecl[] = [];
    for (const file of files) {
      let parsed = ruleFiles.get(file);
      if (!parsed) {
        parsed = parseRuleFile(file);
        ruleFiles.set(file, parsed);
        diagnostics.push(...parsed.diagnostics);
      }
      definitions.tables.push(...parsed.definitions.tables);
      definitions.cells.push(...parsed.definitions.cells);
      operations.push(...parsed.operations);
    }
    versions.push({ version: v.version, effective: new Date(v.effective), loc: locOf(packFile, vNode as Node), files, definitions, operations });
  });
  checkVersionOrder(versions, diagnostics);

  const pack: PackDecl = {
    name: meta.pack,
    title: meta.title,
    description: meta.description,
    unit: meta.unit,
    decimals: meta.decimals ?? (meta.unit === 'usd' ? 6 : 0),
    dir,
    loc: locOf(packFile, packFile.doc.contents as Node),
    versions,
  };
  // Relative to the pack unless absolute; a relative one stays relative, as messages show it.
  if (meta.seeds) pack.seeds = { dir: isAbsolute(meta.seeds) ? meta.seeds : join(dir, meta.seeds), loc: locOf(packFile, packFile.doc.get('seeds', true) as Node) };
  return { pack, diagnostics };
}

function checkVersionOrder(versions: VersionDecl[], out: RuleError[]): void {
  const seen = new Map<string, VersionDecl>();
  for (const v of versions) {
    if (seen.has(v.version)) out.push(errorAt(v.loc, 'duplicate-version', `version '${v.version}' is listed twice`, 'give each version its own name'));
    seen.set(v.version, v);
    if (Number.isNaN(v.effective.getTime())) out.push(errorAt(v.loc, 'schema', `version '${v.version}' has an invalid effective date`));
  }
  const times = versions.map((v) => v.effective.getTime());
  const same = times.findIndex((t, i) => times.indexOf(t) !== i);
  if (same >= 0) out.push(errorAt(versions[same]!.loc, 'duplicate-effective', `two versions take effect at the same time ${versions[same]!.effective.toISOString()}`, 'give each version a distinct effective date'));
}

/** Expands `files` globs (`*` within one path segment) relative to the pack folder. */
function resolveFiles(dir: string, patterns: string[] | undefined): string[] {
  const globs = patterns ?? ['*.yaml', 'operations/*.yaml'];
  const out: string[] = [];
  for (const pattern of globs) {
    const parts = pattern.split('/');
    let candidates = [dir];
    for (const [i, part] of parts.entries()) {
      const last = i === parts.length - 1;
      const re = new RegExp(`^${part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
      candidates = candidates.flatMap((c) => {
        if (!existsSync(c) || !statSync(c).isDirectory()) return [];
        return readdirSync(c).sort().filter((n) => re.test(n)).map((n) => join(c, n))
          .filter((p) => (last ? statSync(p).isFile() : statSync(p).isDirectory()));
      });
    }
    for (const c of candidates) {
      if (patterns === undefined && NOT_RULE_FILES.has(basename(c)) && relative(dir, c) === basename(c)) continue;
      if (!out.includes(c)) out.push(c);
    }
  }
  return out;
}

interface ParsedRuleFile {
  definitions: Definitions;
  operations: OperationDecl[];
  diagnostics: RuleError[];
}

function parseRuleFile(path: string): ParsedRuleFile {
  const f = readYamlFile(path, displayPath(path));
  const empty: ParsedRuleFile = { definitions: { tables: [], cells: [] }, operations: [], diagnostics: yamlErrors(f) };
  if (empty.diagnostics.length) return empty;
  // Schema violations are reported, and the parts they spoil are left out, but the rest of
  // the file is still read and checked: one run reports every mistake.
  const schema = checkSchema(f, ruleFileSchema);
  const reader = new RuleFileReader(f, schema.malformed);
  const root = f.doc.contents;
  if (!isMap(root)) return { ...empty, diagnostics: schema.errors };
  const defs = mapGet(root, 'definitions');
  const definitions: Definitions = {
    tables: reader.tables(isMap(defs) ? mapGet(defs, 'tables') : undefined, ['definitions', 'tables']),
    cells: reader.cells(isMap(defs) ? mapGet(defs, 'cells') : undefined, ['definitions', 'cells']),
  };
  const operations = entries(mapGet(root, 'operations')).filter(([, node]) => isMap(node)).map(([name, node]) => reader.operation(name, node));
  return { definitions, operations, diagnostics: [...schema.errors, ...reader.diagnostics] };
}

/** The text of a scalar node, or undefined when the node is missing or not a scalar (the schema says so). */
function scalarText(node: unknown): string | undefined {
  return isScalar(node) && node.value !== null && node.value !== undefined ? String(node.value) : undefined;
}

function mapGet(node: unknown, key: string): Node | undefined {
  return (isMap(node) && pairOf(node, key)?.value) || undefined;
}

/** A mapping's entries: each key's name and node, and the value's node. */
interface Entry {
  name: string;
  keyNode: Node;
}

function entries(node: unknown): [Entry, Node][] {
  if (!isMap(node)) return [];
  return node.items.map((p) => [{ name: String((p.key as { value: unknown } | null)?.value), keyNode: p.key as Node }, p.value as Node]);
}

type Path = (string | number)[];

const OPERATION_FIELDS = Object.keys(ruleFileSchema.definitions.operation.properties);

class RuleFileReader {
  readonly diagnostics: RuleError[] = [];
  constructor(private readonly f: YamlFile, private readonly malformed: SchemaCheck['malformed']) {}

  private named(n: Entry): Named {
    return { name: n.name, loc: locOf(this.f, n.keyNode) };
  }

  private formula(node: Node | undefined): FormulaText {
    return formulaSource(this.f, node);
  }

  /** A scalar value of a table cell: numbers keep the exact digits written. */
  private scalarValue(node: Node): Value {
    const n = plainNumber(this.f, node);
    if (n) return n;
    if (!isScalar(node)) return '';
    if (typeof node.value === 'boolean') return node.value;
    return String(node.value);
  }

  tables(node: Node | undefined, path: Path): TableDecl[] {
    return entries(node).map(([n, tNode]) => {
      if (this.malformed([...path, n.name])) return { ...this.named(n), key: '', columns: [], rows: [], unreadable: true };
      const key = scalarText(mapGet(tNode, 'key')) ?? '';
      const description = mapGet(tNode, 'description');
      const sources = readFigureSources(this.f, mapGet(tNode, 'source'), this.diagnostics);
      const base = { ...this.named(n), key, description: description ? (scalarText(description) ?? '') : undefined, ...(sources ? { sources } : {}) };
      const csvNode = mapGet(tNode, 'csv');
      if (csvNode) {
        const path = join(dirname(this.f.absolutePath), (scalarText(csvNode) ?? ''));
        const csv = readCsvRows(path, displayPath(path));
        this.diagnostics.push(...csv.diagnostics.map((d) => (d.source ? d : errorAt(locOf(this.f, csvNode), d.code, d.message, d.hint))));
        return { ...base, columns: csv.columns, rows: csv.rows, unreadable: csv.diagnostics.length > 0 };
      }
      const rowsNode = mapGet(tNode, 'rows');
      const columns: string[] = [];
      const rows = (isSeq(rowsNode) ? rowsNode.items : []).map((rowNode) => {
        const cells: Record<string, Value> = Object.create(null);
        let sources: FigureSource[] | undefined;
        for (const [c, vNode] of entries(rowNode)) {
          // `source` is the row's mark, not a column: a mapping where a column holds a scalar.
          if (c.name === 'source' && !isScalar(vNode)) {
            sources = readFigureSources(this.f, vNode, this.diagnostics);
            continue;
          }
          cells[c.name] = this.scalarValue(vNode);
          if (!columns.includes(c.name)) columns.push(c.name);
        }
        return { cells, loc: locOf(this.f, rowNode as Node), ...(sources ? { sources } : {}) };
      });
      return { ...base, columns, rows };
    });
  }

  cells(node: Node | undefined, path: Path): CellDecl[] {
    return entries(node).map(([n, fNode]) => {
      // `name: formula`, or `name: { formula, source }` to say where its figures come from.
      const full = isMap(fNode) && pairOf(fNode, 'formula') !== undefined;
      const sources = full ? readFigureSources(this.f, mapGet(fNode, 'source'), this.diagnostics) : undefined;
      return {
        ...this.named(n), formula: this.formula(full ? mapGet(fNode, 'formula') : fNode),
        ...(sources ? { sources } : {}), ...(this.malformed([...path, n.name]) ? { malformed: true } : {}),
      };
    });
  }

  private inputType(node: Node, path: string, at: Path): InputType {
    const kind = isScalar(node) ? String(node.value) : scalarText(mapGet(node, 'type'));
    if (kind === undefined) return { kind: 'malformed' }; // no `type`: reported by the schema
    const raw = isMap(node) ? (node.toJSON() as Record<string, unknown>) : {};
    const bound = (k: 'min' | 'max'): Decimal | undefined => {
      const b = mapGet(node, k);
      if (!b) return undefined;
      const v = this.scalarValue(b);
      if (v instanceof Decimal) return v;
      try { return new Decimal(String(v)); } catch {
        this.diagnostics.push(errorAt(locOf(this.f, b), 'invalid-bound', `'${path}.${k}' must be a number`));
        return undefined;
      }
    };
    switch (kind) {
      case 'number':
      case 'integer': {
        const enumNode = mapGet(node, 'enum');
        const values = isSeq(enumNode) ? enumNode.items.map((i) => this.scalarValue(i as Node)) : undefined;
        if (values?.some((v) => !(v instanceof Decimal))) this.diagnostics.push(errorAt(locOf(this.f, enumNode), 'invalid-enum', `the enum of '${path}' must list numbers`));
        return { kind, min: bound('min'), max: bound('max'), enum: values?.filter((v): v is Decimal => v instanceof Decimal) };
      }
      case 'string': {
        const values = raw.enum as unknown[] | undefined;
        if (values?.some((v) => typeof v !== 'string')) this.diagnostics.push(errorAt(locOf(this.f, mapGet(node, 'enum')), 'invalid-enum', `the enum of '${path}' must list strings; quote values such as '1.5'`));
        return { kind, enum: values?.map(String) };
      }
      case 'boolean':
        return { kind };
      case 'list': {
        const items = mapGet(node, 'items');
        if (!items) {
          this.diagnostics.push(errorAt(locOf(this.f, node), 'missing-items', `list input '${path}' needs 'items' saying what the list holds`, "e.g. items: { type: string, enum: [hires, face_fix] }"));
          return { kind, items: { kind: 'string' } };
        }
        return { kind, items: this.inputType(items, `${path}[]`, [...at, 'items']), minItems: raw.min_items as number | undefined, maxItems: raw.max_items as number | undefined };
      }
      default: {
        const fields = entries(mapGet(node, 'fields')).map(([n, fNode]) => this.input(n, fNode, [...at, 'fields', n.name], `${path}.`));
        if (fields.length === 0) this.diagnostics.push(errorAt(locOf(this.f, node), 'missing-fields', `record input '${path}' needs 'fields'`));
        return { kind: 'record', fields };
      }
    }
  }

  private input(n: Entry, node: Node, path: Path, prefix = ''): InputDecl {
    const named = this.named(n);
    if (this.malformed(path)) return { ...named, type: { kind: 'malformed' } };
    const type = this.inputType(node, prefix + n.name, path);
    const decl: InputDecl = { ...named, type };
    const description = mapGet(node, 'description');
    if (description) decl.description = (scalarText(description) ?? '');
    if (isMap(node) && node.has('default')) {
      const dNode = mapGet(node, 'default');
      decl.defaultJson = dNode ? (dNode as { toJSON(): unknown }).toJSON?.() ?? (dNode as { value: unknown }).value : null;
      try {
        const num = plainNumber(this.f, dNode);
        decl.default = num && (type.kind === 'number' || type.kind === 'integer')
          ? coerceValue(type, num.toFixed(), prefix + n.name)
          : coerceValue(type, decl.defaultJson, prefix + n.name);
      } catch (e) {
        const raw = writtenText(this.f, dNode);
        const wants = type.kind === 'boolean' ? ['boolean'] : type.kind === 'string' ? ['string'] : type.kind === 'number' || type.kind === 'integer' ? ['number'] : [];
        this.diagnostics.push(errorAt(locOf(this.f, dNode), 'invalid-default', `the default of ${(e as Error).message.replace(/^input /, 'input ')}`,
          readingOf(dNode ?? null, raw, { types: wants }) ?? `change the default to a value the input accepts, or remove it`));
      }
    }
    return decl;
  }

  operation(n: Entry, node: Node): OperationDecl {
    const at: Path = ['operations', n.name];
    const inputs = entries(mapGet(node, 'inputs')).map(([i, iNode]) => this.input(i, iNode, [...at, 'inputs', i.name]));
    const decisions = entries(mapGet(node, 'decisions')).map(([d, dNode]) => this.decision(d, dNode, [...at, 'decisions', d.name]));
    const constraintsNode = mapGet(node, 'constraints');
    const constraintNodes = isSeq(constraintsNode) && !this.malformed([...at, 'constraints']) ? constraintsNode.items : [];
    const constraints: ConstraintDecl[] = constraintNodes.filter((_, i) => !this.malformed([...at, 'constraints', i])).map((cNode) => {
      const messageNode = mapGet(cNode, 'message');
      const code = mapGet(cNode, 'code');
      return {
        require: this.formula(mapGet(cNode, 'require')),
        message: (scalarText(messageNode) ?? ''),
        messageLoc: locOf(this.f, messageNode),
        code: code ? (scalarText(code) ?? '') : undefined,
        loc: locOf(this.f, cNode as Node),
      };
    });
    // `outputs: cost` and a misspelt `ouputs: [cost]` are reported by the schema; reading
    // what was meant keeps the cells they name from being reported as unused besides.
    const misspelt = isMap(node) ? node.items.map((p) => String(isScalar(p.key) ? p.key.value : ''))
      .find((k) => !OPERATION_FIELDS.includes(k) && nearest(k, OPERATION_FIELDS)[0] === 'outputs') : undefined;
    const outputsNode = mapGet(node, 'outputs') ?? (misspelt ? mapGet(node, misspelt) : undefined);
    const outputItems = isSeq(outputsNode) ? outputsNode.items : isScalar(outputsNode) && typeof outputsNode.value === 'string' ? [outputsNode] : [];
    const outputs = outputItems.filter((o) => isScalar(o)).map((o) => ({ name: (scalarText(o) ?? ''), loc: locOf(this.f, o as Node) }));
    const description = mapGet(node, 'description');
    return {
      ...this.named(n),
      description: description ? (scalarText(description) ?? '') : undefined,
      inputs,
      tables: this.tables(mapGet(node, 'tables'), [...at, 'tables']),
      cells: this.cells(mapGet(node, 'cells'), [...at, 'cells']),
      decisions,
      constraints,
      outputs,
    };
  }

  private decision(n: Entry, node: Node, path: Path): DecisionDecl {
    if (this.malformed(path)) return { ...this.named(n), hit: 'first', inputs: [], outputs: [], rows: [], malformed: true };
    const list = (k: string): Node[] => {
      const v = mapGet(node, k);
      return isSeq(v) ? (v.items as Node[]) : [];
    };
    const inputs = list('inputs').map((i) => this.formula(i));
    const outputs = list('outputs').map((o) => ({ name: (scalarText(o) ?? ''), loc: locOf(this.f, o) }));
    const rows = list('rows').map((rowNode) => {
      const cells = isSeq(rowNode) ? (rowNode.items as Node[]) : [];
      const loc = locOf(this.f, rowNode);
      if (cells.length !== inputs.length + outputs.length) {
        this.diagnostics.push(errorAt(loc, 'decision-row-shape',
          `this row of decision table '${n.name}' has ${cells.length} cells; it needs ${inputs.length + outputs.length}: ${inputs.length} condition${inputs.length === 1 ? '' : 's'} then ${outputs.length} output${outputs.length === 1 ? '' : 's'}`,
          `columns: ${[...inputs.map((i) => `when ${i.text}`), ...outputs.map((o) => o.name)].join(' | ')}; use '-' for "any"`));
      }
      return { conditions: cells.slice(0, inputs.length).map((c) => this.formula(c)), outputs: cells.slice(inputs.length).map((c) => this.formula(c)), loc };
    });
    const defaultNode = mapGet(node, 'default');
    let def: FormulaText[] | undefined;
    if (isSeq(defaultNode)) {
      def = (defaultNode.items as Node[]).map((c) => this.formula(c));
      if (def.length !== outputs.length) this.diagnostics.push(errorAt(locOf(this.f, defaultNode), 'decision-row-shape', `the default of decision table '${n.name}' has ${def.length} values; it needs one per output (${outputs.length})`));
    }
    const hit = (scalarText(mapGet(node, 'hit')) ?? 'first') as DecisionDecl['hit'];
    const aggregateNode = mapGet(node, 'aggregate');
    const aggregate = aggregateNode ? ((scalarText(aggregateNode) ?? '') as DecisionDecl['aggregate']) : undefined;
    if (hit === 'collect' && !aggregate) this.diagnostics.push(errorAt(locOf(this.f, mapGet(node, 'hit')), 'missing-aggregate', `decision table '${n.name}' collects rows but says not how to combine them`, "add aggregate: sum | min | max | count | list"));
    if (hit !== 'collect' && aggregate) this.diagnostics.push(errorAt(locOf(this.f, aggregateNode), 'stray-aggregate', `'aggregate' applies only to hit: collect`, 'remove it, or set hit: collect'));
    const description = mapGet(node, 'description');
    const sources = readFigureSources(this.f, mapGet(node, 'source'), this.diagnostics);
    return { ...this.named(n), hit, aggregate, inputs, outputs, rows, default: def, description: description ? (scalarText(description) ?? '') : undefined, ...(sources ? { sources } : {}) };
  }
}
