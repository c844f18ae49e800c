// Schema violations told in the words of the file a PM wrote: where ("the 2nd constraint of
// operation 'render'", not 'operations.render.constraints.1'), what was expected with an
// example, and — when YAML read a value as something other than what was typed — why.
import { isScalar, type Node } from 'yaml';
import type { ErrorObject } from 'ajv';

/** Ordinals as people count: 1st, 2nd, 3rd, 4th, 11th, 21st. */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}

// A mapping whose keys are names of things: `inputs: { tier: … }` holds input 'tier'.
const NAMED: Record<string, string> = {
  operations: 'operation', inputs: 'input', cells: 'cell', tables: 'table', decisions: 'decision table',
  fields: 'field', grant_kinds: 'grant kind', account_inputs: 'account input', usage_inputs: 'the usage inputs of',
  charges: 'the charge of',
};
// A list whose items are counted: `constraints: [ … ]` holds the 2nd constraint.
const COUNTED: Record<string, string> = {
  constraints: 'constraint', rows: 'row', cases: 'case', outputs: 'output', enum: 'allowed value',
  files: 'file pattern', grants: 'grant', spend_order: 'spend_order entry', names: 'plan name', default: 'default value',
  plans: 'plan',
};

interface Phrase {
  /** The innermost thing named so far, "the 2nd constraint of operation 'render'". */
  thing: string;
  /** A plain field of that thing the path ends at, or undefined when the path ends at the thing. */
  field?: string;
}

function fileName(schemaId: string, file: string): string | undefined {
  if (schemaId === 'rule-file.schema.json') return undefined;
  return file.replace(/\\/g, '/').split('/').slice(schemaId === 'tests.schema.json' ? -2 : -1).join('/');
}

/** The place a path of keys and indexes names, in the file's own words. */
export function placeInWords(segments: string[], schemaId: string, file: string): Phrase {
  const parts: string[] = [];
  let field: string | undefined;
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const next = segments[i + 1];
    const parentIsRow = segments[i - 2] === 'rows' && /^\d+$/.test(segments[i - 1] ?? '');
    field = undefined;
    if (schemaId === 'pack.schema.json' && seg === 'versions' && next !== undefined) {
      parts.push(`version ${Number(next) + 1}`);
      i++;
    } else if (parentIsRow && /^\d+$/.test(seg)) {
      parts.push(`cell ${Number(seg) + 1}`);
    } else if (parentIsRow) {
      parts.push(`column '${seg}'`);
    } else if (seg === 'inputs' && next !== undefined && /^\d+$/.test(next)) {
      parts.push(`the ${ordinal(Number(next) + 1)} input`);
      i++;
    } else if ((seg === 'input' || seg === 'expect' || seg === 'left' || seg === 'right') && next !== undefined && schemaId === 'tests.schema.json') {
      parts.push(`${seg === 'expect' ? 'expected output' : 'input'} '${next}'${seg === 'left' || seg === 'right' ? ` of the ${seg} side` : ''}`);
      i++;
    } else if (NAMED[seg] && next !== undefined && !/^\d+$/.test(next)) {
      const noun = NAMED[seg]!;
      parts.push(noun.endsWith(' of') ? `${noun} '${next}'` : `${segments[0] === 'definitions' && (seg === 'cells' || seg === 'tables') ? 'shared ' : ''}${noun} '${next}'`);
      i++;
    } else if (COUNTED[seg] && next !== undefined && /^\d+$/.test(next)) {
      parts.push(seg === 'rows' && segments.includes('decisions') ? `row ${Number(next) + 1}` : `the ${ordinal(Number(next) + 1)} ${COUNTED[seg]}`);
      i++;
    } else if (seg === 'definitions' && i === 0) {
      if (next === undefined) field = 'definitions';
    } else if (/^\d+$/.test(seg)) {
      parts.push(`the ${ordinal(Number(seg) + 1)} item`);
    } else if (i === segments.length - 1) {
      field = seg;
    } else {
      parts.push(`'${seg}'`);
    }
  }
  const inner = parts.reverse().slice(0, 3);
  const name = fileName(schemaId, file);
  if (name) inner.push(name);
  if (!inner.length) inner.push('the file');
  return { thing: inner.join(' of '), field };
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text', number: 'a number, like 10', integer: 'a whole number, like 3', boolean: 'true or false',
  array: 'a list, like [a, b]', object: 'a mapping: indented `name: value` lines', null: 'empty',
};

interface SchemaNote { description?: string; examples?: unknown[]; type?: string | string[]; pattern?: string }

function example(e: ErrorObject): unknown {
  const parent = e.parentSchema as SchemaNote | undefined;
  return parent?.examples?.[0];
}

function exampleText(v: unknown): string {
  if (typeof v === 'string') return `"${v}"`;
  if (Array.isArray(v)) return `[${v.join(', ')}]`;
  return JSON.stringify(v);
}

/** What the schema wanted, in words, with an example where the schema gives one. */
export function expected(e: ErrorObject): string {
  const ex = example(e);
  switch (e.keyword) {
    case 'type': {
      const types = ([] as string[]).concat((e.params as { type: string | string[] }).type);
      if (types.includes('string') && types.includes('number')) {
        return `a formula or a number${ex !== undefined ? `, like ${exampleText(ex)}` : ''}`;
      }
      const pattern = (e.parentSchema as SchemaNote | undefined)?.pattern;
      if (types.length === 1 && types[0] === 'string' && pattern) return expected({ ...e, keyword: 'pattern', params: { pattern } });
      if (types.length === 1 && types[0] === 'string') return `text${ex !== undefined ? `, like ${exampleText(ex)}${/^\d/.test(String(ex)) ? ' (in quotes)' : ''}` : ''}`;
      if (types.length === 1 && types[0] === 'array' && ex !== undefined) return `a list, like ${exampleText(ex)}`;
      return types.map((t) => TYPE_WORDS[t] ?? t).join(' or ');
    }
    case 'enum':
      return `one of ${((e.params as { allowedValues: unknown[] }).allowedValues).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'const':
      return `${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    case 'pattern':
      if ((e.params as { pattern: string }).pattern === '^[a-z][a-z0-9_-]*$') return `a name in lowercase letters, digits, _ and -, like ${exampleText(ex ?? 'pixai')}`;
      return (e.params as { pattern: string }).pattern === '^[A-Za-z_][A-Za-z0-9_]*$'
        ? 'a name of letters, digits and _ that starts with a letter or _, like base_cost'
        : (e.params as { pattern: string }).pattern.startsWith('^(0|[1-9]')
          ? 'a decimal amount in quotes, like "100" or "12.5"'
          : ex !== undefined ? `like ${exampleText(ex)}` : `text matching ${(e.params as { pattern: string }).pattern}`;
    case 'format':
      return 'a date and time, like 2026-01-01T00:00:00Z';
    case 'minimum':
      return `at least ${(e.params as { limit: number }).limit}`;
    case 'maximum':
      return `at most ${(e.params as { limit: number }).limit}`;
    case 'minItems':
      return `a list of at least ${(e.params as { limit: number }).limit} item${(e.params as { limit: number }).limit === 1 ? '' : 's'}`;
    case 'minLength':
      return 'text that is not empty';
    case 'uniqueItems':
      return 'a list without repeats';
    default:
      return e.message ?? 'something else';
  }
}

/**
 * How YAML read a plain value a PM typed, when that reading differs from the text: `2026.10` is
 * the number 2026.1, `true` a boolean, an empty value null, `2026-02-01` a date without a time.
 */
export function yamlReading(node: Node | null, raw: string | undefined, e: ErrorObject): string | undefined {
  const types = e.keyword === 'type' ? ([] as string[]).concat((e.params as { type: string | string[] }).type) : [];
  return readingOf(node, raw, { types, text: types.includes('string') || e.keyword === 'pattern' || e.keyword === 'enum', dateTime: e.keyword === 'format' });
}

/** The same, for a value wanted as one of `types` (text when `text`, a date-time when `dateTime`). */
export function readingOf(node: Node | null, raw: string | undefined, want: { types: string[]; text?: boolean; dateTime?: boolean }): string | undefined {
  const { types } = want;
  const wantsText = want.text ?? types.includes('string');
  if (node === null || (isScalar(node) && node.value === null)) {
    return 'nothing was written after the colon, so YAML read it as empty (null): write the value after the colon';
  }
  if (!isScalar(node) || raw === undefined) return undefined;
  const value = node.value;
  const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
  if (!quoted && typeof value === 'number' && wantsText) {
    const reading = String(value) === raw ? 'a number' : `the number ${value}`;
    return `${raw} was read as ${reading}: put it in quotes, "${raw}"`;
  }
  if (!quoted && typeof value === 'boolean' && wantsText) {
    return `${raw} was read as the boolean ${value}: put it in quotes, "${raw}"`;
  }
  if (typeof value === 'string' && types.includes('boolean') && /^(yes|no|on|off|y|n)$/i.test(value)) {
    return `YAML reads ${raw} as text, not as a yes/no answer: write ${/^(yes|on|y)$/i.test(value) ? 'true' : 'false'}`;
  }
  if (want.dateTime && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    return `${value} is a date without a time: write ${value}T00:00:00Z (midnight UTC), or the time it takes effect`;
  }
  if (want.dateTime && typeof value === 'string' && /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?$/.test(value)) {
    return `${value} has no time zone: add Z for UTC, like ${value.replace(' ', 'T')}${value.length === 16 ? ':00' : ''}Z`;
  }
  return undefined;
}
