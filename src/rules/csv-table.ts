// Table rows kept in a CSV file beside the rule file — the natural home of a price list
// maintained in a spreadsheet, and much faster to read than the same rows in YAML.
// Unquoted cells read like YAML plain scalars: `1.25`, `300_000` and `20%` are exact
// numbers, `true`/`false` booleans, anything else text; a quoted cell is always text.
import { readText } from './file-overlay.ts';
import { parse, CsvError } from 'csv-parse/sync';
import { RuleError, type Source } from '../../grammar/diagnostic.ts';
import type { Value } from '../value.ts';
import { numberLiteral, type Loc } from './yaml-source.ts';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface CsvRows {
  columns: string[];
  rows: { cells: Record<string, Value>; loc: Loc }[];
  diagnostics: RuleError[];
}

function cellValue(text: string, quoted: boolean): Value {
  if (quoted) return text;
  if (text === 'true') return true;
  if (text === 'false') return false;
  return numberLiteral(text) ?? text;
}

export function readCsvRows(path: string, label: string): CsvRows {
  let text: string;
  try {
    text = readText(path);
  } catch {
    return { columns: [], rows: [], diagnostics: [new RuleError('csv-not-found', `${label}: no such CSV file`, undefined, undefined, 'the path is relative to the rule file')] };
  }
  const source: Source = { file: label, text };
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const at = (line: number): Loc => {
    const start = lineStarts[Math.max(0, Math.min(line - 1, lineStarts.length - 1))]!;
    return { source, span: { start, end: Math.max(start + 1, text.indexOf('\n', start) < 0 ? text.length : text.indexOf('\n', start)) } };
  };
  let records: Value[][];
  // The line each record starts on, noted while parsing (csv-parse's per-record info is costly).
  const lines: number[] = [];
  try {
    records = parse(text, {
      skip_empty_lines: true,
      trim: true,
      cast: (value, context) => {
        if (context.index === 0) lines.push(context.lines);
        return cellValue(value, context.quoting);
      },
    }) as unknown as Value[][];
  } catch (e) {
    if (!(e instanceof CsvError)) throw e;
    const line = (e as CsvError & { lines?: number }).lines ?? 1;
    const loc = at(line);
    const counts = /expect (\d+), got (\d+)/.exec(e.message);
    const message = counts ? `line ${line} has ${counts[2]} values, but the header names ${counts[1]} columns` : e.message;
    return { columns: [], rows: [], diagnostics: [new RuleError('csv-syntax', message, loc.source, loc.span, 'every row needs one value per header column; quote values that contain commas')] };
  }
  const diagnostics: RuleError[] = [];
  const [header, ...body] = records;
  if (!header) return { columns: [], rows: [], diagnostics: [new RuleError('csv-empty', `${label} is empty; its first line names the columns`, source, { start: 0, end: 1 })] };
  const columns = header.map(String);
  columns.forEach((c) => {
    if (!IDENTIFIER.test(c)) {
      const loc = at(lines[0]!);
      diagnostics.push(new RuleError('csv-header', `column name '${c}' in ${label} is not a name`, loc.source, loc.span, 'names are letters, digits and _ and start with a letter or _'));
    }
  });
  const rows = body.map((record, k) => {
    const cells: Record<string, Value> = Object.create(null);
    columns.forEach((c, i) => {
      cells[c] = record[i]!;
    });
    return { cells, loc: at(lines[k + 1]!) };
  });
  return { columns, rows, diagnostics };
}
