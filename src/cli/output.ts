import type { RuleError } from '../../grammar/diagnostic.ts';

/** Where a command writes: the process's stdout and stderr, or a test's buffers. Each call is one line or block. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: CliIo = {
  out: (text) => { process.stdout.write(`${text}\n`); },
  err: (text) => { process.stderr.write(`${text}\n`); },
};

/** A usage problem (bad JSON, bad time): the command prints `error: <message>` and exits 1. */
export class UsageError extends Error {}

/** The order `credits check` prints in: errors first, then by file, line and column. */
export function sortDiagnostics(diagnostics: RuleError[]): RuleError[] {
  const rank = (d: RuleError) => (d.severity === 'error' ? 0 : 1);
  return [...diagnostics].sort((a, b) => {
    const [p, q] = [a.position, b.position];
    return rank(a) - rank(b) || (p && q ? p.file.localeCompare(q.file) || p.line - q.line || p.col - q.col : 0);
  });
}

/** Prints diagnostics in `sortDiagnostics` order, each with its code frame; returns the counts. */
export function printDiagnostics(diagnostics: RuleError[], io: CliIo): { errors: number; warnings: number } {
  for (const d of sortDiagnostics(diagnostics)) io.err(`${d.format()}\n`);
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  return { errors, warnings: diagnostics.length - errors };
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function parseJsonOption(text: string, option: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${option} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${option} must be a JSON object, like '{"width": 1024}'`);
  return value as Record<string, unknown>;
}

export function parseTime(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const d = new Date(text);
  const day = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  // Date rolls 2026-02-30 over to 2 March; a date that isn't on the calendar is refused.
  const real = day && new Date(Date.UTC(+day[1]!, +day[2]! - 1, +day[3]!)).toISOString().startsWith(day[0]);
  if (Number.isNaN(d.getTime()) || !real) throw new UsageError(`--at must be an ISO 8601 time such as 2026-01-01T00:00:00Z, got '${text}'`);
  return d;
}

