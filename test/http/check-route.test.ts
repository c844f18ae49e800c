// The rule editor's routes: an operation's file, and POST /v1/check on edited text (the same
// diagnostics as `credits check`, nothing written, a quote of the edited pack).
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { checkPaths } from '../../src/cli/check.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeKinds } from '../ledger/harness.ts';
import { startApi, type TestApi } from './client.ts';

const FILE = 'rules/modelpix/generate.yaml';

describe('the rule editor routes', () => {
  let api: TestApi;
  const original = readFileSync(FILE, 'utf8');
  beforeAll(async () => {
    api = await startApi(storeKinds[0]!);
  });
  afterAll(async () => api.close());

  const check = (text: string, quote?: object) =>
    api.admin.post('/v1/check', { pack: 'modelpix', files: [{ path: 'generate.yaml', text }], ...(quote ? { quote } : {}) });

  it('lists the operations of the version in force with their descriptions (any key)', async () => {
    const quoter = await api.keyFor('quote');
    const res = await quoter.get('/v1/packs/modelpix/operations');
    expect(res.status).toBe(200);
    expect(res.body.operations.map((o: { name: string }) => o.name)).toEqual(['generate', 'refund', 'grants']);
    expect(res.body.operations[0].description).toMatch(/^Price one generation/);
    expect((await quoter.get('/v1/packs/nope/operations')).body.code).toBe('unknown_pack');
  });

  it("gives the file that defines an operation, with its text (admin)", async () => {
    const res = await api.admin.get('/v1/packs/modelpix/operations/generate/source');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ pack: 'modelpix', operation: 'generate', version: '2026.1', path: 'generate.yaml', text: original });
    expect((await api.admin.get('/v1/packs/modelpix/operations/genrate/source')).body.code).toBe('unknown_operation');
    const quoter = await api.keyFor('quote');
    expect((await quoter.get('/v1/packs/modelpix/operations/generate/source')).body.code).toBe('forbidden');
  });

  it('checks the file as it is: no errors, and a quote with its trace', async () => {
    const res = await check(original, { operation: 'generate', input: { tool: 'face_swap' } });
    expect(res.status).toBe(200);
    expect([res.body.errors, res.body.diagnostics]).toEqual([0, []]);
    expect(res.body.quote.outputs).toEqual({ cost: '3' });
    expect(res.body.quote.trace.map((t: { name: string }) => t.name)).toContain('cost');
  });

  it('reports a broken formula at its line and column, with no quote, and writes nothing', async () => {
    const broken = original.replace('cost: IF(is_video, credits_per_second', 'cost: IF(is_video, credits_per_secnd');
    const res = await check(broken, { operation: 'generate', input: { tool: 'face_swap' } });
    expect(res.status).toBe(200);
    const line = broken.split('\n').findIndex((l) => l.includes('credits_per_secnd')) + 1;
    const d = res.body.diagnostics.find((x: { severity: string }) => x.severity === 'error');
    expect(d).toMatchObject({ file: 'generate.yaml', line, column: broken.split('\n')[line - 1]!.indexOf('credits_per_secnd') + 1, code: 'unknown-name' });
    expect(d.hint).toContain('credits_per_second');
    expect(res.body.quote).toBeNull();
    expect(readFileSync(FILE, 'utf8')).toBe(original);
  });

  it('says exactly what `credits check` says of the same text in a folder', async () => {
    const broken = original.replace('cost: IF(is_video, credits_per_second', 'cost: IF(is_video, credits_per_secnd').replace('min: 0, default: 0', 'min: 0, default: -1');
    const dir = mkdtempSync(join(tmpdir(), 'check-route-'));
    try {
      cpSync('rules/modelpix', dir, { recursive: true });
      writeFileSync(join(dir, 'generate.yaml'), broken);
      // A folder the pack names relative to itself (its seeds) stays where it was (pack.yaml's seeds is relative only).
      const packYaml = readFileSync(join(dir, 'pack.yaml'), 'utf8').replace(/^seeds: (.+)$/m, (_, p: string) => `seeds: ${relative(dir, resolve('rules/modelpix', p.trim()))}`);
      writeFileSync(join(dir, 'pack.yaml'), packYaml);
      const cli = checkPaths([dir]).diagnostics.map((d) => [d.code, d.severity, d.position?.line, d.position?.col, d.message, d.hint ?? null]);
      const res = await check(broken);
      const api = res.body.diagnostics.map((d: { code: string; severity: string; line: number; column: number; message: string; hint?: string }) =>
        [d.code, d.severity, d.line, d.column, d.message, d.hint ?? null]);
      expect(cli.length).toBeGreaterThanOrEqual(2);
      expect(api).toEqual(expect.arrayContaining(cli));
      expect(api).toHaveLength(cli.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('checks edited scenario files and figure sources as `credits check` does', async () => {
    const SCENARIO = 'tests/scenarios/free-credits-and-refunds.yaml';
    const generate = original.replace('Face Swap starts at three credits', 'Face Swap starts at thirty credits');
    const scenario = readFileSync(join('rules/modelpix', SCENARIO), 'utf8').replace('      - advance: 400 days', '      - advnce: 400 days');
    const dir = mkdtempSync(join(tmpdir(), 'check-route-'));
    try {
      cpSync('rules/modelpix', dir, { recursive: true });
      writeFileSync(join(dir, 'generate.yaml'), generate);
      writeFileSync(join(dir, SCENARIO), scenario);
      const packYaml = readFileSync(join(dir, 'pack.yaml'), 'utf8').replace(/^seeds: (.+)$/m, (_, p: string) => `seeds: ${relative(dir, resolve('rules/modelpix', p.trim()))}`);
      writeFileSync(join(dir, 'pack.yaml'), packYaml);
      const cli = checkPaths([dir]).diagnostics.map((d) => [d.code, d.severity, d.position?.line, d.position?.col, d.message]).sort();
      const res = await api.admin.post('/v1/check', { pack: 'modelpix', files: [{ path: 'generate.yaml', text: generate }, { path: SCENARIO, text: scenario }] });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      const route = res.body.diagnostics.map((d: { code: string; severity: string; line: number; column: number; message: string }) => [d.code, d.severity, d.line, d.column, d.message]).sort();
      expect(route).toEqual(cli);
      const files = res.body.diagnostics.map((d: { file: string }) => d.file);
      expect(files).toContain(SCENARIO);
      // the seed pages are there in this repository's checkout: the misquoted phrase is found wanting
      if (existsSync(resolve('rules/modelpix', '../../../shared/seeds'))) expect(res.body.diagnostics.map((d: { code: string }) => d.code)).toContain('quote-not-found');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('quotes the edited pack: a changed price shows at once', async () => {
    const res = await check(original.replace('{ tool: face_swap,     credits: 3 }', '{ tool: face_swap,     credits: 4 }'), { operation: 'generate', input: { tool: 'face_swap' } });
    expect(res.body.quote.outputs).toEqual({ cost: '4' });
    // The server's own pack is unchanged.
    expect((await api.admin.post('/v1/quotes', { pack: 'modelpix', operation: 'generate', input: { tool: 'face_swap' } })).body.outputs).toEqual({ cost: '3' });
  });

  it('reports YAML mistakes and input the edited rules refuse', async () => {
    const yaml = await check(original.replace('    inputs:\n', '    inputs:\n\t'));
    expect(yaml.body.errors).toBeGreaterThan(0);
    expect(yaml.body.diagnostics[0].file).toBe('generate.yaml');
    const refused = await check(original, { operation: 'generate', input: { tool: 'sculpt' } });
    expect(refused.body.quote).toBeNull();
    expect(refused.body.quote_error.message).toContain('tool');
  });

  it('refuses a path that is not a file of the pack, naming the field', async () => {
    for (const path of ['../pixai/generate_image.yaml', 'nope.yaml', '/etc/passwd']) {
      const res = await api.admin.post('/v1/check', { pack: 'modelpix', files: [{ path: 'generate.yaml', text: original }, { path, text: '' }] });
      expect([res.status, res.body.code, res.body.errors[0].path], path).toEqual([422, 'invalid_request', '/files/1/path']);
    }
    const twice = await api.admin.post('/v1/check', { pack: 'modelpix', files: [{ path: 'generate.yaml', text: '' }, { path: './generate.yaml', text: '' }] });
    expect(twice.body.detail).toContain('given twice');
  });

  it('is for admin keys, and for known packs', async () => {
    const charger = await api.keyFor('charge');
    expect((await charger.post('/v1/check', { pack: 'modelpix', files: [{ path: 'generate.yaml', text: original }] })).body.code).toBe('forbidden');
    expect((await api.admin.post('/v1/check', { pack: 'modelpx', files: [{ path: 'generate.yaml', text: '' }] })).body.code).toBe('unknown_pack');
    expect((await api.admin.post('/v1/check', { pack: 'modelpix', files: [] })).body.code).toBe('invalid_request');
  });
});
