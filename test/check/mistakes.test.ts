// The catalog of PM mistakes (test/check/mistakes/*/): each folder's pack has one mistake, and
// `credits check` must report it first — at its file, line (and column), in words that say
// what is wrong, with a suggested fix — and nothing else unless the folder says how much.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import { checkPaths } from '../../src/cli/check.ts';
import { sortDiagnostics } from '../../src/cli/output.ts';

interface Expected {
  what: string;
  first: { file: string; line: number; col?: number; severity?: 'error' | 'warning'; message: string[]; hint: string[] };
  count?: number;
}

const catalog = join(import.meta.dirname, 'mistakes');
const folders = readdirSync(catalog, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

describe('the catalog of PM mistakes', () => {
  test.each(folders)('%s', (folder) => {
    const dir = join(catalog, folder);
    const want = parse(readFileSync(join(dir, 'mistake.yaml'), 'utf8')) as Expected;
    const diagnostics = sortDiagnostics(checkPaths([join(dir, 'pack')]).diagnostics);
    const shown = diagnostics.map((d) => d.format()).join('\n\n');
    const first = diagnostics[0];
    expect(first, `${want.what}: nothing was reported`).toBeDefined();
    const at = first!.position;
    const lower = (s: string | undefined) => (s ?? '').toLowerCase();
    expect({
      file: at ? relative(dir, at.file) : undefined,
      line: at?.line,
      col: want.first.col === undefined ? undefined : at?.col,
      severity: first!.severity,
      missingFromMessage: want.first.message.filter((w) => !lower(first!.message).includes(lower(w))),
      missingFromHint: want.first.hint.filter((w) => !lower(first!.hint).includes(lower(w))),
      hasHint: Boolean(first!.hint),
      count: diagnostics.length,
    }, `${want.what}\n\nreported:\n${shown}`).toEqual({
      file: want.first.file,
      line: want.first.line,
      col: want.first.col,
      severity: want.first.severity ?? 'error',
      missingFromMessage: [],
      missingFromHint: [],
      hasHint: true,
      count: want.count ?? 1,
    });
  });

  test('holds at least the two starter mistakes', () => {
    expect(folders.length).toBeGreaterThanOrEqual(2);
  });
});
