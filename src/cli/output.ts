import type { RuleError } from '../../grammar/diagnostic.ts';

/** Prints diagnostics, errors first, in file order, each with its code frame; returns the counts. */
export function printDiagnostics(diagnostics: RuleError[]): { errors: number; warnings: number } {
  const rank = (d: RuleError) => (d.severity === 'error' ? 0 : 1);
  const sorted = [...diagnostics].sort((a, b) => {
    const [p, q] = [a.position, b.position];
    return rank(a) - rank(b) || (p && q ? p.file.localeCompare(q.file) || p.line - q.line || p.col - q.col : 0);
  });
  for (const d of sorted) console.error(`${d.format()}\n`);
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
    throw new Error(`${option} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${option} must be a JSON object, like '{"width": 1024}'`);
  return value as Record<string, unknown>;
}

export function parseTime(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const d = new Date(text);
  const day = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  // Date rolls 2026-02-30 over to 2 March; a date that isn't on the calendar is refused.
  const real = day && new Date(Date.UTC(+day[1]!, +day[2]! - 1, +day[3]!)).toISOString().startsWith(day[0]);
  if (Number.isNaN(d.getTime()) || !real) throw new Error(`--at must be an ISO 8601 time such as 2026-01-01T00:00:00Z, got '${text}'`);
  return d;
}

/** Ends the process for a usage problem (bad JSON, bad time): message, exit 1. */
export function usageError(e: unknown): never {
  console.error(`error: ${(e as Error).message}`);
  process.exit(1);
}
