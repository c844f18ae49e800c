// The one error type of the project. Everything that can go wrong with a rule —
// a syntax error, an unknown name, a type mismatch, a bad input, a division by zero —
// is a RuleError that knows where in which source it happened and how to fix it.

import type { Span } from './ast.ts';

/**
 * A piece of source text and how its offsets map to a file. A formula taken from a YAML
 * scalar is a Source whose `base` says where the formula starts inside the file, so
 * positions in the formula become file:line:col.
 */
export interface Source {
  /** File path as shown to the user, or a label like `<formula>`. */
  file: string;
  /** The text that spans are offsets into (a formula, or a whole file). */
  text: string;
  /** Maps an offset in `text` to a 0-based offset into `fileText`; identity when absent. */
  toFileOffset?: (offset: number) => number;
  /** The whole file's text, for line/column and code frames; defaults to `text`. */
  fileText?: string;
}

export type Severity = 'error' | 'warning';

export interface Position {
  file: string;
  line: number; // 1-based
  col: number; // 1-based
}

export class RuleError extends Error {
  override readonly name = 'RuleError';
  constructor(
    /** Stable machine-readable code, e.g. `unknown-name`, `division-by-zero`. */
    readonly code: string,
    message: string,
    readonly source?: Source,
    readonly span?: Span,
    /** A "did you mean" or how-to-fix sentence. */
    readonly hint?: string,
    readonly severity: Severity = 'error',
  ) {
    super(message);
  }

  get position(): Position | undefined {
    return this.source && this.span ? positionOf(this.source, this.span.start) : undefined;
  }

  /** `file:line:col: error: message`, then a code frame and the hint. */
  format(): string {
    return formatDiagnostic(this);
  }
}

export function positionOf(source: Source, offset: number): Position {
  const fileText = source.fileText ?? source.text;
  const at = source.toFileOffset ? source.toFileOffset(offset) : offset;
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < at && i < fileText.length; i++) {
    if (fileText.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { file: source.file, line, col: at - lineStart + 1 };
}

/** The source line with a caret row under the span, in the style of compilers. */
export function codeFrame(source: Source, span: Span): string {
  const fileText = source.fileText ?? source.text;
  const start = source.toFileOffset ? source.toFileOffset(span.start) : span.start;
  const endRaw = source.toFileOffset ? source.toFileOffset(Math.max(span.start, span.end - 1)) + 1 : span.end;
  const lineStart = fileText.lastIndexOf('\n', start - 1) + 1;
  let lineEnd = fileText.indexOf('\n', start);
  if (lineEnd < 0) lineEnd = fileText.length;
  const line = fileText.slice(lineStart, lineEnd).replace(/\r$/, '');
  const pos = positionOf(source, span.start);
  const gutter = String(pos.line);
  const width = Math.max(1, Math.min(endRaw, lineEnd) - start);
  const pad = line.slice(0, start - lineStart).replace(/[^\t]/g, ' ');
  return `${gutter} | ${line}\n${' '.repeat(gutter.length)} | ${pad}${'^'.repeat(width)}`;
}

export function formatDiagnostic(e: RuleError): string {
  const pos = e.position;
  const head = pos ? `${pos.file}:${pos.line}:${pos.col}: ` : e.source ? `${e.source.file}: ` : '';
  let out = `${head}${e.severity}: ${e.message}`;
  if (e.source && e.span) out += `\n${codeFrame(e.source, e.span)}`;
  if (e.hint) out += `\n  = ${e.hint}`;
  return out;
}

/** A Source for a formula typed on the command line or given to the API. */
export function inlineSource(text: string, file = '<formula>'): Source {
  return { file, text };
}
