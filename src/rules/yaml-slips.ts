// YAML syntax errors as a PM needs them: one slip makes the parser report several errors,
// some on the line above the slip (an over-indented line) or at the end of the file (an
// unclosed bracket); each slip is reported once, on the line to fix, with the fix.
import { RuleError } from '../../grammar/diagnostic.ts';
import type { YamlFile } from './yaml-source.ts';

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

/**
 * YAML syntax errors (bad indentation, duplicate keys, …) as RuleErrors with positions. One
 * slip makes the parser report several errors, some on the line above the slip; a PM sees one
 * error per slip, on the line to fix: a tab, an over-indented line, or the parser's first word.
 */
export function yamlErrors(f: YamlFile): RuleError[] {
  if (!f.doc.errors.length) return [];
  const tabs = tabIndentedLines(f.text);
  if (tabs.length) {
    return tabs.map(({ line, offset }) => new RuleError('yaml-syntax', `line ${line} is indented with a tab`, f.source, { start: offset, end: offset + 1 },
      `YAML indents with spaces: replace the tab on line ${line} with spaces`));
  }
  const duplicates = f.doc.errors.filter((e) => e.code === 'DUPLICATE_KEY');
  const others = f.doc.errors.filter((e) => e.code !== 'DUPLICATE_KEY');
  const first = others[0] ? [overIndented(f, others[0].pos[0]) ?? misaligned(f, others[0]) ?? missingColon(f, others[0]) ?? colonInValue(f, others[0]) ?? unclosedList(f, others[0]) ?? asRuleError(f, others[0])] : [];
  return [...duplicates.map((e) => asRuleError(f, e)), ...first];
}

function asRuleError(f: YamlFile, e: { code: string; message: string; pos: [number, number] }): RuleError {
  const [start, end] = e.pos;
  if (e.code === 'DUPLICATE_KEY') {
    const key = /^[^:\s]+/.exec(f.text.slice(start))?.[0] ?? f.text.slice(start, end).trim();
    const before = f.text.slice(0, start).split('\n');
    const column = before.at(-1)!.length;
    const first = before.findIndex((l) => l.slice(column).startsWith(`${key}:`) && l.slice(0, column).trim().replace(/^-$/, '') === '');
    return new RuleError('yaml-syntax', `'${key}' appears twice in the same mapping${first >= 0 && first < before.length - 1 ? ` (first on line ${first + 1})` : ''}`, f.source, { start, end: start + key.length }, YAML_HINTS.DUPLICATE_KEY);
  }
  const hint = YAML_HINTS[e.code] ?? 'check the indentation (spaces, not tabs) and quote values that contain ": " or start with [ { * & ! | > % @';
  return new RuleError('yaml-syntax', e.message.split('\n')[0]!, f.source, { start, end: Math.max(end, start + 1) }, hint);
}

/** The line of `text` that holds offset `at`: where it starts, and its text without the newline. */
function lineAt(text: string, at: number): { lineStart: number; line: string } {
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const lineEnd = text.indexOf('\n', at);
  return { lineStart, line: text.slice(lineStart, lineEnd < 0 ? undefined : lineEnd) };
}

function misaligned(f: YamlFile, e: { code: string; pos: [number, number] }): RuleError | undefined {
  if (e.code !== 'BAD_INDENT') return undefined;
  const { lineStart, line } = lineAt(f.text, e.pos[0]);
  const m = /^( *)([^\s:]+)/.exec(line);
  if (!m) return undefined;
  const start = lineStart + m[1]!.length;
  return new RuleError('yaml-syntax', `'${m[2]}' does not start in the same column as the keys above it`, f.source, { start, end: start + m[2]!.length },
    `line up '${m[2]}' with the other keys of its mapping (the same number of spaces), or indent it further to put it inside the key above`);
}

/** `cost CEIL(x)` among `name: value` lines: the parser sees a key with no value. */
function missingColon(f: YamlFile, e: { code: string; message: string; pos: [number, number] }): RuleError | undefined {
  const { lineStart, line } = lineAt(f.text, e.pos[0]);
  const m = /^( *(?:- )?)([A-Za-z_][A-Za-z0-9_]*) +([^:\s#][^:#]*)$/.exec(line);
  if (!m || !/map values|implicit key|single line/i.test(e.message)) return undefined;
  const start = lineStart + m[1]!.length;
  return new RuleError('yaml-syntax', `a ':' is missing after '${m[2]}'`, f.source, { start, end: start + m[2]!.length },
    `write ${m[2]}: ${m[3]!.trim()}`);
}

/** `message: width: at most 2048`: a second ": " on a line makes YAML read a mapping. */
function colonInValue(f: YamlFile, e: { message: string; pos: [number, number] }): RuleError | undefined {
  if (!/nested mappings/i.test(e.message)) return undefined;
  const { lineStart, line } = lineAt(f.text, e.pos[0]);
  const m = /^( *(?:- )?)([A-Za-z_][A-Za-z0-9_]*): +(\S.*: .*)$/.exec(line);
  if (!m || /^["'[{]/.test(m[3]!)) return undefined;
  const start = lineStart + line.indexOf(m[3]!);
  return new RuleError('yaml-syntax', `the value of '${m[2]}' contains ": ", so YAML reads it as another key`, f.source, { start, end: start + m[3]!.length },
    `put the value in quotes: ${m[2]}: "${m[3]!.replace(/"/g, '\\"')}"`);
}

/** A `[` never closed: the parser notices only at the end of the file. */
function unclosedList(f: YamlFile, e: { message: string; pos: [number, number] }): RuleError | undefined {
  const close = /end with an? ([\]}])/.exec(e.message)?.[1];
  if (!close) return undefined;
  const open = close === ']' ? '[' : '{';
  let offset = 0;
  for (const [i, line] of f.text.split('\n').entries()) {
    const depth = [...line].filter((c) => c === open).length - [...line].filter((c) => c === close).length;
    if (depth > 0 && !line.trim().startsWith('#')) {
      const at = offset + line.lastIndexOf(open);
      return new RuleError('yaml-syntax', `the ${open === '[' ? 'list' : 'mapping'} opened on line ${i + 1} is not closed with ${close}`, f.source, { start: at, end: at + 1 },
        `add ${close} at the end of line ${i + 1}: ${line.trim()}${close}`);
    }
    offset += line.length + 1;
  }
  return undefined;
}

function tabIndentedLines(text: string): { line: number; offset: number }[] {
  const found: { line: number; offset: number }[] = [];
  let offset = 0;
  text.split('\n').forEach((content, i) => {
    const lead = /^[ \t]*/.exec(content)![0];
    if (lead.includes('\t') && content.trim() !== '') found.push({ line: i + 1, offset: offset + lead.indexOf('\t') });
    offset += content.length + 1;
  });
  return found;
}

/**
 * A line indented further than the key above it continues that key's value, and the parser
 * complains about the line above ("nested mappings are not allowed in compact mappings"). The
 * slip is the deeper `name:` line, so point there.
 */
function overIndented(f: YamlFile, at: number): RuleError | undefined {
  const lines = f.text.split('\n');
  const line = f.text.slice(0, at).split('\n').length - 1;
  const indent = (s: string) => /^ */.exec(s)![0].length;
  const above = lines[line]!;
  if (!/^\s*(- )?[A-Za-z_][\w-]*\s*:(\s|$)/.test(above)) return undefined;
  for (let i = line + 1; i < lines.length; i++) {
    const text = lines[i]!;
    if (text.trim() === '' || text.trim().startsWith('#')) continue;
    if (indent(text) <= indent(above) || !/^\s*[A-Za-z_][\w-]*\s*:(\s|$)/.test(text)) return undefined;
    const key = text.trim().split(':')[0]!.trim();
    const keyAbove = above.trim().replace(/^- /, '').split(':')[0]!.trim();
    const start = lines.slice(0, i).reduce((n, l) => n + l.length + 1, 0) + indent(text);
    const want = indent(above) + (above.trim().startsWith('- ') ? 2 : 0);
    return new RuleError('yaml-syntax', `line ${i + 1} is indented further than '${keyAbove}' above it, so YAML reads '${key}' as part of the value of '${keyAbove}'`,
      f.source, { start, end: start + key.length },
      `indent '${key}' by ${want} spaces, like '${keyAbove}'; or, if '${key}' belongs under '${keyAbove}', put nothing after '${keyAbove}:'`);
  }
  return undefined;
}
