// `credits diff`: the report, --json, --fail-if, bad corpus lines, and git revisions.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { credits } from './run.ts';

const PACK = 'test/impact/fixtures/upscale';
const CORPUS = 'test/impact/fixtures/upscale/tests/corpus.jsonl';
const diff = (...args: string[]) => credits('diff', `${PACK}@1`, `${PACK}@2`, '--requests', CORPUS, ...args);

describe('credits diff', () => {
  test('prints per operation its counts, totals, distribution and examples with both traces, then the totals and each account', async () => {
    const r = await diff('--examples', '1');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    for (const line of [
      `upscale: ${PACK}@1 → ${PACK}@2, over ${CORPUS} (8 requests)`,
      'upscale: 5 requests, 3 changed price, 1 newly rejected, 1 newly accepted',
      '  total 651 → 270 credits: -381 (-58.53%)',
      '  change per request: min +3, q1 +4.5, median +6, q3 +18, max +30',
      `  increase: ${CORPUS}:5`,
      '    before 90 (version 1)  →  after 120 (version 2) +30 (+33.33%)',
      `  newly rejected: ${CORPUS}:4`,
      `  newly accepted: ${CORPUS}:3`,
      'remove_background: 3 requests, 3 changed price, 0 newly rejected, 0 newly accepted',
      `  decrease: ${CORPUS}:8 account b`,
      'all operations: 8 requests, 6 changed price, 1 newly rejected, 1 newly accepted',
      '  total 721 → 326 credits: -395 (-54.79%)',
      '  a  2 requests: 81 → 90 +9 (+11.11%)',
      '  b  2 requests: 65 → 52 -13 (-20.00%)',
    ]) expect(lines, line).toContain(line);
    // The differing rows of the traces are marked, the same ones are not.
    expect(r.stdout).toMatch(/^ {4}\* per_megapixel +12 +IF\(factor == 4, 30, 12\) +15 +IF\(factor == 4, 30, 15\)$/m);
    expect(r.stdout).toMatch(/^ {6}megapixels +10 +\(input\) +10 +\(input\)$/m);
    // Under a row, the figures marked illustrative it used, as `quote --explain` shows them, naming the side.
    expect(r.stdout).toMatch(/^ {4}\* discount .*\n {6} +↳ illustrative \(after\): cell discount \(a made-up discount for this test\) v2\/upscale\.yaml:11:17$/m);
    expect(r.stdout).not.toContain('illustrative (before)');
  });

  test('--json prints one object: per operation and in total, amounts as exact decimal strings', async () => {
    const r = await diff('--json', '--examples', '1');
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(Object.keys(json)).toEqual(['operations', 'totals', 'accounts']);
    const { examples, histogram, ...upscale } = json.operations.upscale;
    expect(upscale).toEqual({
      requests: 5, changed: 3, newly_rejected: 1, newly_accepted: 1, before_total: '651', after_total: '270', delta: '-381', delta_percent: '-58.53',
      distribution: { min: '3', q1: '4.5', median: '6', q3: '18', max: '30' },
    });
    // +3, +6, +30 in buckets of 2 from (2, 4] to (28, 30]
    expect([histogram.step, histogram.buckets.length, histogram.buckets.filter((b: { count: number }) => b.count > 0)]).toEqual(['2', 14, [
      { from: '2', to: '4', count: 1 }, { from: '4', to: '6', count: 1 }, { from: '28', to: '30', count: 1 },
    ]]);
    const { histogram: all, ...totals } = json.totals;
    expect(totals).toEqual({
      requests: 8, changed: 6, newly_rejected: 1, newly_accepted: 1, before_total: '721', after_total: '326', delta: '-395', delta_percent: '-54.79',
      distribution: { min: '-10', q1: '-2.5', median: '1', q3: '5.25', max: '30' },
    });
    expect(all.buckets.find((b: { from: string; to: string }) => b.from === '0' && b.to === '0')).toEqual({ from: '0', to: '0', count: 0 });
    expect(json.accounts.b).toEqual({ requests: 2, changed: 2, newly_rejected: 0, newly_accepted: 0, before_total: '65', after_total: '52', delta: '-13', delta_percent: '-20.00' });
    expect(examples.map((e: { kind: string }) => e.kind)).toEqual(['increase', 'newly_rejected', 'newly_accepted']);
    const e = examples[0];
    expect({ ...e, trace: undefined }).toEqual({
      kind: 'increase', where: `${CORPUS}:5`, operation: 'upscale', input: { megapixels: 10, tier: 'pro' }, at: null, account: null,
      before: { version: '1', amount: '90' }, after: { version: '2', amount: '120' }, change: '30', change_percent: '33.33', trace: undefined,
    });
    expect(e.trace.find((t: { name: string }) => t.name === 'discount')).toEqual({
      name: 'discount', before: { how: "IF(tier == 'pro', 25%, 0)", value: '0.25' }, differs: true,
      after: { how: "IF(tier == 'pro', 20%, 0)", value: '0.2', illustrative: [{ figure: 'cell discount', reason: 'a made-up discount for this test', at: 'v2/upscale.yaml:11:17' }] },
    });
    expect(examples[1].after.rejected).toEqual([{ message: 'free accounts upscale images of up to 32 MP' }]);
  });

  test.each([
    [['increase > 5%'], 0, ''],
    [['newly_rejected > 0'], 2, "fail-if 'newly_rejected > 0' holds for upscale: 1\nfail-if 'newly_rejected > 0' holds for all operations: 1\n"],
    [['increase > 5%', 'decrease > 55%'], 2, "fail-if 'decrease > 55%' holds for upscale: 58.53%\n"],
    [['max_increase >= 30%'], 2, "fail-if 'max_increase >= 30%' holds for upscale: 33.33%\nfail-if 'max_increase >= 30%' holds for all operations: 33.33%\n"],
  ])('--fail-if %j exits %i', async (gates, code, stderr) => {
    const r = await diff('--json', ...gates.flatMap((g) => ['--fail-if', g]));
    expect([r.code, r.stderr]).toEqual([code, stderr]);
    expect(JSON.parse(r.stdout).totals.requests, 'the report is printed whether or not a gate holds').toBe(8);
  });

  test('a --fail-if that is not a gate is an error saying what was expected, before anything is priced', async () => {
    const r = await diff('--fail-if', 'increase >> 5%');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("--fail-if:1:11: error: --fail-if 'increase >> 5%': expected a number, or a percentage like 5%, after '>'");
    expect(r.stdout).toBe('');
  });

  test('a bad corpus line is an error at its file:line:col, saying what is wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'diff-corpus-'));
    try {
      const corpus = join(dir, 'corpus.jsonl');
      writeFileSync(corpus, `${readFileSync(CORPUS, 'utf8')}{"operation": "upscale", "input": {"megapixels": 2}, "acount": "a"}\n`);
      const r = await credits('diff', `${PACK}@1`, `${PACK}@2`, '--requests', corpus);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`${corpus}:9:54: error: unknown field 'acount'`);
      expect(r.stderr).toContain('a request has the fields operation, input, at and account');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a corpus naming an operation neither side has is an error with a suggestion', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'diff-corpus-'));
    try {
      const corpus = join(dir, 'corpus.jsonl');
      writeFileSync(corpus, '{"operation": "upscal", "input": {"megapixels": 2}}\n');
      const r = await credits('diff', `${PACK}@1`, `${PACK}@2`, '--requests', corpus);
      expect([r.code, r.stderr]).toEqual([1, `error: ${corpus}:1: neither side has an operation 'upscal'\n  = did you mean "upscale"?\n`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('sides of two different packs, or a side that is no pack, are errors', async () => {
    const other = await credits('diff', `${PACK}@1`, 'test/fixtures/versioned', '--requests', CORPUS);
    expect([other.code, other.stderr]).toEqual([1, `error: ${PACK}@1 is pack 'upscale' but test/fixtures/versioned is pack 'versioned': compare two versions of one pack\n`]);
    const none = await credits('diff', `${PACK}@1`, 'no/such/pack', '--requests', CORPUS);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no/such/pack: no such pack folder');
  });

  test('a --requests file that does not exist says so, with or without --from', async () => {
    for (const range of [[], ['--from', '2026-06-01T00:00:00Z']]) {
      const r = await credits('diff', `${PACK}@1`, `${PACK}@2`, '--requests', 'no/such/credits.db', ...range);
      expect([r.code, r.stderr]).toEqual([1, 'error: --requests no/such/credits.db: no such file (a JSON Lines corpus, an SQLite ledger file, a postgres:// URL, or ledger)\n']);
    }
  });
});

describe('credits diff between git revisions', () => {
  let repo: string;
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', ...args], { cwd: repo, stdio: 'pipe' }).toString();
  const tempDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('credits-diff-')).sort();

  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'diff-repo-'));
    git('init', '-q');
    cpSync(PACK, join(repo, 'rules/upscale'), { recursive: true });
    // The first commit has version 1's rules as the pack's only version.
    writeFileSync(join(repo, 'rules/upscale/pack.yaml'), 'pack: upscale\nunit: credits\nversions:\n  - version: "1"\n    effective: 2026-01-01T00:00:00Z\n    files: ["v1/*.yaml"]\n');
    // Its background price is marked illustrative, on both revisions.
    const first = join(repo, 'rules/upscale/v1/upscale.yaml');
    writeFileSync(first, readFileSync(first, 'utf8').replace('      cost: count * 5', '      cost: { formula: count * 5, source: { illustrative: not published } }'));
    git('add', '-A');
    git('commit', '-q', '-m', 'version 1');
    // The second edits the price of a background removal in place: 5 → 6 a picture.
    const file = join(repo, 'rules/upscale/v1/upscale.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('count * 5', 'count * 6'));
    git('commit', '-q', '-am', 'dearer backgrounds');
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  test('HEAD~1:<folder> against HEAD:<folder> prices each side as committed, and leaves no temporary folder', async () => {
    const before = tempDirs();
    const r = await credits('diff', `HEAD~1:${repo}/rules/upscale`, `HEAD:${repo}/rules/upscale`, '--requests', CORPUS, '--json', '--fail-if', 'increase > 10%');
    expect(r.code, r.stderr).toBe(2);
    const json = JSON.parse(r.stdout);
    expect(json.operations.remove_background).toMatchObject({ requests: 3, changed: 3, before_total: '70', after_total: '84', delta: '14', delta_percent: '20.00' });
    expect(json.operations.upscale).toMatchObject({ changed: 0, delta: '0' });
    expect(r.stderr).toBe("fail-if 'increase > 10%' holds for remove_background: 20.00%\n");
    expect(tempDirs()).toEqual(before);
  });

  test('a figure marked illustrative on both sides is shown once, placed in the pack folder, not the temporary copy', async () => {
    const r = await credits('diff', `HEAD~1:${repo}/rules/upscale`, `HEAD:${repo}/rules/upscale`, '--requests', CORPUS, '--examples', '1');
    expect(r.stdout).toMatch(/^ {4}\* cost +50 +count \* 5 +60 +count \* 6\n {6} +↳ illustrative: cell cost \(not published\) v1\/upscale\.yaml:19:43$/m);
  });

  test('a revision against the working tree, and an unknown revision', async () => {
    writeFileSync(join(repo, 'rules/upscale/v1/upscale.yaml'), readFileSync(join(repo, 'rules/upscale/v1/upscale.yaml'), 'utf8').replace('count * 6', 'count * 7'));
    const r = await credits('diff', `HEAD:${repo}/rules/upscale`, `${repo}/rules/upscale`, '--requests', CORPUS, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).operations.remove_background).toMatchObject({ before_total: '84', after_total: '98' });
    const bad = await credits('diff', `HEAD~5:${repo}/rules/upscale`, `${repo}/rules/upscale`, '--requests', CORPUS);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`unknown git revision 'HEAD~5'`);
  });

  test("a revision's rule errors name its files as rev:path", async () => {
    const file = join(repo, 'rules/upscale/v1/upscale.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/count \* \d+/, 'count * fuor'));
    git('commit', '-q', '-am', 'a typo');
    const r = await credits('diff', `HEAD~1:${repo}/rules/upscale`, `HEAD:${repo}/rules/upscale`, '--requests', CORPUS);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`HEAD:${repo}/rules/upscale/v1/upscale.yaml:19:32: error: unknown name 'fuor'`);
  });
});
