// `--exact` shows a value that doesn't terminate as its fraction; without it, 20 digits and '…'.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { credits, lastLine } from './run.ts';

const pack = 'test/cli/prorated-pack';
const input = ['--input', '{"monthly_price": 100, "days": 1}'];

describe('--exact', () => {
  test('credits eval prints 1/3 with --exact, the shown digits without', async () => {
    expect(await credits('eval', '1/3', '--exact')).toEqual({ code: 0, stdout: '"1/3"\n', stderr: '' });
    expect(await credits('eval', '--exact', '-1/3 + 0.5')).toEqual({ code: 0, stdout: '"1/6"\n', stderr: '' });
    expect(await credits('eval', '1/3')).toEqual({ code: 0, stdout: '"0.33333333333333333333…"\n', stderr: '' });
  });

  test('a value that terminates is shown as always', async () => {
    expect(await credits('eval', '1/4', '--exact')).toEqual({ code: 0, stdout: '0.25\n', stderr: '' });
  });

  test('credits quote --json --explain --exact gives outputs and trace values as fractions', async () => {
    const r = await credits('quote', pack, 'prorate', ...input, '--json', '--explain', '--exact');
    const json = JSON.parse(r.stdout) as { outputs: Record<string, unknown>; trace: { name: string; value: unknown }[] };
    expect({ code: r.code, outputs: json.outputs, share: json.trace.find((t) => t.name === 'share')?.value })
      .toEqual({ code: 0, outputs: { share: '10/3' }, share: '10/3' });
  });

  test('credits quote --explain --exact prints the fraction in the trace and the result', async () => {
    const r = await credits('quote', pack, 'prorate', ...input, '--explain', '--exact');
    expect({ code: r.code, trace: /share\s+= 10\/3\s+monthly_price \/ 30 \* days/.test(r.stdout), result: r.stdout.trimEnd().endsWith('share = 10/3') })
      .toEqual({ code: 0, trace: true, result: true });
  });

  test('without --exact, quote shows the 20 digits and the mark', async () => {
    const r = await credits('quote', pack, 'prorate', ...input);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('share = 3.3333333333333333333…');
  });
});

describe('a regression case expecting a value that does not terminate', () => {
  test('passes given as the fraction (10/3) or as shown (3.3333333333333333333…)', async () => {
    const r = await credits('test', pack);
    expect({ code: r.code, summary: lastLine(r.stdout) }).toEqual({ code: 0, summary: '3 passed, 0 failed' });
  });

  test.each([
    ['10/4'],
    ['"3.3333333333333333334…"'],
    ['"3.33"'],
  ])('fails for %s, and says the exact value it got', async (wrong) => {
    const dir = mkdtempSync(join(tmpdir(), 'prorated-'));
    cpSync(pack, dir, { recursive: true });
    writeFileSync(join(dir, 'tests', 'prorate.yaml'), `cases:\n  - name: wrong\n    operation: prorate\n    input: { monthly_price: 100, days: 1 }\n    expect: { share: ${wrong} }\n`);
    const r = await credits('test', dir);
    expect({ code: r.code, exactly: r.stdout.includes('got 3.3333333333333333333… (exactly 10/3)') }).toEqual({ code: 1, exactly: true });
  });
});
