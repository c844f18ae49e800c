// POST /v1/packs/{pack}/impact over the charges the ledger recorded, GET /v1/packs/{pack} with
// its live and scheduled versions, and `credits diff --requests <the same database>`; on both stores.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/index.ts';
import { postgresHistory, sqliteHistory, type ChargeHistory } from '../../src/impact/ledger-history.ts';
import { credits } from '../cli/run.ts';
import { Clock, PG_URL, storeKinds } from '../ledger/harness.ts';
import { startApi, type Client, type TestApi } from './client.ts';

const PACK = 'test/impact/fixtures/upscale';

describe.each(storeKinds)('impact of a rule change over the ledger on $name', (kind) => {
  const clock = new Clock(Date.parse('2026-03-10T12:00:00Z'));
  let admin: Client;
  let quoter: Client;
  let database: string[];
  let history: ChargeHistory;
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi(kind, clock, {
      engine: Engine.load(PACK),
      history: ({ path, schema }) => (history = path ? sqliteHistory(path) : postgresHistory(PG_URL, schema)),
    });
    database = api.where.path ? [api.where.path] : [PG_URL, '--schema', api.where.schema!];
    admin = api.admin;
    quoter = await api.keyFor('quote');

    for (const id of ['anna', 'ben']) {
      expect((await admin.post('/v1/accounts', { id, pack: 'upscale' })).status).toBe(201);
      expect((await admin.post(`/v1/accounts/${id}/grants`, { kind: 'purchase', amount: '10000' })).status).toBe(201);
    }
    const charge = async (account: string, operation: string, input: object, capture = true) => {
      const c = await admin.post('/v1/charges', { account, operation, input, capture });
      expect(c.status, JSON.stringify(c.body)).toBe(201);
      return c.body;
    };
    // Version 1 is live: 24 and 90 for anna, 15 for ben; then on the 20th 50 for ben.
    expect((await charge('anna', 'upscale', { megapixels: 2 })).version).toBe('1');
    await charge('anna', 'upscale', { megapixels: 10, tier: 'pro' });
    await charge('ben', 'remove_background', { count: 3 });
    // A hold released was never paid: not part of the history.
    const held = await charge('ben', 'upscale', { megapixels: 40 }, false);
    expect((await admin.post(`/v1/charges/${held.id}/release`)).status).toBe(200);
    clock.set('2026-03-20T12:00:00Z');
    await charge('ben', 'remove_background', { count: 10 });
  });
  afterAll(async () => api.close());

  it('GET /v1/packs/{pack} lists the versions with their effective dates and which one is live', async () => {
    const r = await admin.get('/v1/packs/upscale');
    expect(r.status).toBe(200);
    expect([r.body.live, r.body.versions]).toEqual(['1', [
      { version: '1', effective: '2026-01-01T00:00:00.000Z', status: 'live' },
      { version: '2', effective: '2026-06-01T00:00:00.000Z', status: 'scheduled' },
    ]]);
    expect((await quoter.get('/v1/packs/upscal')).body).toMatchObject({ status: 404, code: 'unknown_pack', hint: 'did you mean "upscale"?' });
  });

  it('compares the live version with a scheduled one over the charges recorded, per operation and per account', async () => {
    const r = await admin.post('/v1/packs/upscale/impact', { version: '2', examples: 1 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const { examples, histogram, ...upscale } = r.body.operations.upscale;
    // 24 → 30, 90 → 120; 15 → 12, 50 → 40
    expect(upscale).toEqual({
      requests: 2, changed: 2, newly_rejected: 0, newly_accepted: 0, before_total: '114', after_total: '150', delta: '36', delta_percent: '31.58',
      distribution: { min: '6', q1: '12', median: '18', q3: '24', max: '30' },
    });
    // +6 and +30: a span of 24 in buckets of 2, (4, 6] to (28, 30]
    expect([histogram.step, histogram.buckets[0], histogram.buckets.at(-1), histogram.buckets.length]).toEqual(['2', { from: '4', to: '6', count: 1 }, { from: '28', to: '30', count: 1 }, 13]);
    // -3 and -10 for ben: decreases, no unchanged request
    expect(r.body.totals.histogram.buckets.filter((b: { count: number }) => b.count > 0)).toEqual([
      { from: '-10', to: '-8', count: 1 }, { from: '-4', to: '-2', count: 1 }, { from: '4', to: '6', count: 1 }, { from: '28', to: '30', count: 1 },
    ]);
    expect(examples[0]).toMatchObject({ kind: 'increase', operation: 'upscale', account: 'anna', at: '2026-03-10T12:00:00.000Z', change: '30', before: { version: '1', amount: '90' }, after: { version: '2', amount: '120' } });
    // The figures marked illustrative, placed in the pack's folder, as an explained quote shows them.
    expect(examples[0].trace.find((t: { name: string }) => t.name === 'discount').after.illustrative).toEqual([
      { figure: 'cell discount', reason: 'a made-up discount for this test', at: 'v2/upscale.yaml:11:17' },
    ]);
    expect(r.body.totals).toMatchObject({ requests: 4, before_total: '179', after_total: '202', delta: '23', delta_percent: '12.85' });
    expect(r.body.accounts).toEqual({
      anna: { requests: 2, changed: 2, newly_rejected: 0, newly_accepted: 0, before_total: '114', after_total: '150', delta: '36', delta_percent: '31.58' },
      ben: { requests: 2, changed: 2, newly_rejected: 0, newly_accepted: 0, before_total: '65', after_total: '52', delta: '-13', delta_percent: '-20.00' },
    });
  });

  it('compares over the pack\'s bundled corpus when asked, the same report `credits diff` prints over it', async () => {
    const r = await admin.post('/v1/packs/upscale/impact', { version: '2', requests: 'corpus', examples: 1 });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const cli = await credits('diff', `${PACK}@1`, `${PACK}@2`, '--requests', `${PACK}/tests/corpus.jsonl`, '--json', '--examples', '1');
    const json = JSON.parse(cli.stdout);
    // the same figures; only where each example came from is named differently
    const where = (report: { operations: Record<string, { examples: { where: string }[] }> }) => {
      for (const o of Object.values(report.operations)) for (const e of o.examples) e.where = e.where.replace(/^.*corpus\.jsonl/, 'corpus.jsonl');
      return report;
    };
    expect(where(r.body)).toEqual(where(json));
    expect(r.body.totals).toMatchObject({ requests: 8, before_total: '721', after_total: '326' });
    const ranged = await admin.post('/v1/packs/upscale/impact', { version: '2', requests: 'corpus', from: '2026-03-01T00:00:00Z' });
    expect([ranged.status, ranged.body.code, ranged.body.errors?.[0]?.path]).toEqual([422, 'invalid_request', '/from']);
    expect((await admin.post('/v1/packs/upscale/impact', { version: '2', requests: 'charges' })).body.code).toBe('invalid_request');
  });

  it('without files or a version, compares with the next scheduled version', async () => {
    const [scheduled, named] = [await admin.post('/v1/packs/upscale/impact', {}), await admin.post('/v1/packs/upscale/impact', { version: '2' })];
    expect(scheduled.status).toBe(200);
    expect(scheduled.body).toEqual(named.body);
  });

  it('compares with uploaded rule files, over a time range', async () => {
    const text = readFileSync(`${PACK}/v1/upscale.yaml`, 'utf8').replace('count * 5', 'count * 6');
    const r = await admin.post('/v1/packs/upscale/impact', { files: [{ path: 'v1/upscale.yaml', text }], version: '1', from: '2026-03-15T00:00:00Z' });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(Object.keys(r.body.operations)).toEqual(['remove_background']);
    expect(r.body.operations.remove_background).toMatchObject({ requests: 1, before_total: '50', after_total: '60', delta: '10', delta_percent: '20.00' });
    expect(r.body.accounts.ben).toMatchObject({ before_total: '50', after_total: '60' });
  });

  it('refuses rules with errors, unknown versions, bad paths, requests naming nothing to compare, and keys without the admin scope', async () => {
    const broken = await admin.post('/v1/packs/upscale/impact', { files: [{ path: 'v2/upscale.yaml', text: readFileSync(`${PACK}/v2/upscale.yaml`, 'utf8').replace('count * 4', 'count * fuor') }] });
    expect(broken.status).toBe(422);
    expect(broken.body.code).toBe('invalid_rules');
    expect(broken.body.diagnostics).toEqual([
      { file: 'v2/upscale.yaml', line: 21, column: 21, severity: 'error', code: 'unknown-name', message: "unknown name 'fuor'", hint: 'define it as an input, a cell or a table' },
    ]);
    expect(broken.body.detail).toBe("the uploaded rules have 1 error(s); the first: v2/upscale.yaml:21: unknown name 'fuor'");
    const version = await admin.post('/v1/packs/upscale/impact', { version: '2027.1' });
    expect([version.status, version.body.code, version.body.detail]).toEqual([422, 'unknown_version', "version 2027.1: pack 'upscale' has no version '2027.1'"]);
    const path = await admin.post('/v1/packs/upscale/impact', { files: [{ path: '../other/pack.yaml', text: '' }] });
    expect([path.status, path.body.code, path.body.errors[0].path]).toEqual([422, 'invalid_request', '/files/0/path']);
    expect((await quoter.post('/v1/packs/upscale/impact', { version: '2' })).body.code).toBe('forbidden');
    expect((await admin.post('/v1/packs/nope/impact', { version: '2' })).body.code).toBe('unknown_pack');
  });

  it('reads the charges held or captured, oldest first, within the range, and refuses more than its limit', async () => {
    const all = await history.charges({ pack: 'upscale' });
    // Charges made at the same time come in the order of their (random) ids.
    const sameTimeSorted = (rows: unknown[][]) => [...rows.slice(0, 3).sort((x, y) => JSON.stringify(x).localeCompare(JSON.stringify(y))), ...rows.slice(3)];
    expect(sameTimeSorted(all.map((r) => [r.operation, r.account, r.at?.toISOString(), r.input]))).toEqual([
      ['remove_background', 'ben', '2026-03-10T12:00:00.000Z', { count: 3 }],
      ['upscale', 'anna', '2026-03-10T12:00:00.000Z', { megapixels: 10, tier: 'pro' }],
      ['upscale', 'anna', '2026-03-10T12:00:00.000Z', { megapixels: 2 }],
      ['remove_background', 'ben', '2026-03-20T12:00:00.000Z', { count: 10 }],
    ]);
    expect(await history.charges({ pack: 'upscale', from: new Date('2026-03-20T12:00:00Z') })).toHaveLength(1);
    expect(await history.charges({ pack: 'upscale', to: new Date('2026-03-20T12:00:00Z') })).toHaveLength(3);
    expect(await history.charges({ pack: 'pixai' })).toEqual([]);
    await expect(history.charges({ pack: 'upscale', limit: 3 })).rejects.toThrow(/holds more than 3 charges of 'upscale' in the time range/);
  });

  it('credits diff reads the same charges from the database, read-only', async () => {
    const r = await credits('diff', `${PACK}@1`, `${PACK}@2`, '--requests', ...database, '--json', '--to', '2026-03-15T00:00:00Z');
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.totals).toMatchObject({ requests: 3, before_total: '129', after_total: '162' });
    expect(json.accounts).toMatchObject({ anna: { before_total: '114', after_total: '150' }, ben: { before_total: '15', after_total: '12' } });
    const text = await credits('diff', `${PACK}@1`, `${PACK}@2`, '--requests', ...database);
    expect(text.stdout).toContain('per account (what each would have paid):');
    expect(text.stdout).toContain('  ben   2 requests: 65 → 52 -13 (-20.00%)');
  });

  it('once the scheduled version takes effect it is live, and quotes and charges name it', async () => {
    clock.set('2026-06-01T00:00:00Z');
    const pack = await admin.get('/v1/packs/upscale');
    expect([pack.body.live, pack.body.versions.map((v: { status: string }) => v.status)]).toEqual(['2', ['past', 'live']]);
    const q = await admin.post('/v1/quotes', { pack: 'upscale', operation: 'upscale', input: { megapixels: 2 } });
    expect([q.body.version, q.body.amount]).toEqual(['2', '30']);
    const c = await admin.post('/v1/charges', { account: 'anna', operation: 'upscale', input: { megapixels: 2 } });
    expect([c.status, c.body.version, c.body.captured]).toEqual([201, '2', '30']);
    expect((await admin.get(`/v1/charges/${c.body.id}`)).body.version).toBe('2');
    const none = await admin.post('/v1/packs/upscale/impact', {});
    expect([none.status, none.body.code, none.body.detail]).toEqual([422, 'invalid_request', "pack 'upscale' has no scheduled version: give the rule files to compare with (files), or a version"]);
  });
});
