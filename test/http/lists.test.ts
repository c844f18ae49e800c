// Lists with cursor pagination (accounts, charges, an account's grants) and metadata on
// accounts and charges, on both stores.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeKinds } from '../ledger/harness.ts';
import { startApi, type TestApi } from './client.ts';

const video = (seconds: number) => ({ operation: 'generate', input: { tool: 'image_to_video', seconds } });

describe.each(storeKinds)('lists and metadata on $name', (kind) => {
  let api: TestApi;
  beforeEach(async () => {
    api = await startApi(kind);
  });
  afterEach(async () => api.close());

  it('pages accounts in id order with has_more, each with its metadata as given', async () => {
    const { admin } = api;
    const metadata = { crm_id: 'C-1', tags: ['beta', 'eu'], nested: { seats: 3, ratio: 0.1 } };
    const created = await admin.post('/v1/accounts', { id: 'acc-b', pack: 'modelpix', metadata });
    expect(created.body.metadata).toEqual(metadata);
    await admin.post('/v1/accounts', { id: 'acc-a', pack: 'modelpix' });
    await admin.post('/v1/accounts', { id: 'acc-c', pack: 'pixelflow' });
    const first = await admin.get('/v1/accounts?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.accounts.map((a: { id: string }) => a.id)).toEqual(['acc-a', 'acc-b']);
    expect(first.body.accounts[1].metadata).toEqual(metadata);
    expect(first.body.accounts[0].metadata).toEqual({});
    expect(first.body.has_more).toBe(true);
    const second = await admin.get(`/v1/accounts?limit=2&cursor=${first.body.next_cursor}`);
    expect(second.body).toMatchObject({ accounts: [{ id: 'acc-c', balance: '1' }], has_more: false, next_cursor: null });
    const pixelflow = await admin.get('/v1/accounts?pack=pixelflow');
    expect(pixelflow.body.accounts.map((a: { id: string }) => a.id)).toEqual(['acc-c']);
    expect((await admin.get(`/v1/accounts/acc-b`)).body.metadata).toEqual(metadata);
  });

  it('lists charges newest first, by account, status and time, with their metadata', async () => {
    const { admin, clock } = api;
    await admin.post('/v1/accounts', { id: 'one', pack: 'modelpix' });
    await admin.post('/v1/accounts', { id: 'two', pack: 'modelpix' });
    const job = { job: 'gen-881', prompt: 'a red fox', seed: 42 };
    const c1 = await admin.post('/v1/charges', { account: 'one', ...video(1), metadata: job });
    expect(c1.body.metadata).toEqual(job);
    clock.advance(60);
    const c2 = await admin.post('/v1/charges', { account: 'one', ...video(2), capture: false });
    expect(c2.body.metadata).toEqual({});
    clock.advance(60);
    const c3 = await admin.post('/v1/charges', { account: 'two', ...video(1) });
    expect((await admin.get(`/v1/charges/${c1.body.id}`)).body.metadata).toEqual(job);

    const all = await admin.get('/v1/charges');
    expect(all.body.charges.map((c: { id: string }) => c.id)).toEqual([c3.body.id, c2.body.id, c1.body.id]);
    expect(all.body.charges[2].metadata).toEqual(job);
    const held = await admin.get('/v1/charges?status=held');
    expect(held.body.charges.map((c: { id: string }) => c.id)).toEqual([c2.body.id]);
    const ofOne = await admin.get('/v1/charges?account=one');
    expect(ofOne.body.charges.map((c: { id: string }) => c.id)).toEqual([c2.body.id, c1.body.id]);
    const window = await admin.get(`/v1/charges?from=${encodeURIComponent(c2.body.created_at)}&to=${encodeURIComponent(c3.body.created_at)}`);
    expect(window.body.charges.map((c: { id: string }) => c.id)).toEqual([c2.body.id]);

    // One at a time: each page continues where the last ended.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { charges: { id: string }[]; has_more: boolean; next_cursor: string | null } } = await admin.get(`/v1/charges?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...page.body.charges.map((c) => c.id));
      expect(page.body.has_more).toBe(page.body.next_cursor !== null);
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual([c3.body.id, c2.body.id, c1.body.id]);

    // Metadata survives capture (the charge's view everywhere carries it).
    const capturedTwo = await admin.post(`/v1/charges/${c2.body.id}/capture`, {});
    expect(capturedTwo.body.metadata).toEqual({});
    const captured = await admin.post('/v1/charges', { account: 'two', ...video(1), capture: false, metadata: { job: 'x' } });
    expect((await admin.post(`/v1/charges/${captured.body.id}/capture`, {})).body.metadata).toEqual({ job: 'x' });
  });

  it("shows a charge key only its accounts' charges and accounts", async () => {
    const { admin } = api;
    await admin.post('/v1/accounts', { id: 'mine', pack: 'modelpix' });
    await admin.post('/v1/accounts', { id: 'theirs', pack: 'modelpix' });
    const mine = await admin.post('/v1/charges', { account: 'mine', ...video(1) });
    await admin.post('/v1/charges', { account: 'theirs', ...video(1) });
    const backend = await api.keyFor('charge', ['mine']);
    expect((await backend.get('/v1/charges')).body.charges.map((c: { id: string }) => c.id)).toEqual([mine.body.id]);
    expect((await backend.get('/v1/accounts')).body.accounts.map((a: { id: string }) => a.id)).toEqual(['mine']);
    const other = await backend.get('/v1/charges?account=theirs');
    expect([other.status, other.body.code]).toEqual([403, 'forbidden_account']);
    const quoter = await api.keyFor('quote');
    expect((await quoter.get('/v1/charges')).body.code).toBe('forbidden');
  });

  it("lists an account's grants, spent and expired ones too, with their state", async () => {
    const { admin, clock } = api;
    await admin.post('/v1/accounts', { id: 'g', pack: 'modelpix' });
    // 50 credits (2 a second): the whole signup grant.
    expect((await admin.post('/v1/charges', { account: 'g', operation: 'generate', input: { tool: 'avatar_video', seconds: 25 } })).body.captured).toBe('50');
    const expiring = await admin.post('/v1/accounts/g/grants', { kind: 'purchase', amount: '30', expires_at: new Date(clock.now() + 86_400_000).toISOString() });
    expect(expiring.status).toBe(201);
    await admin.post('/v1/accounts/g/grants', { kind: 'purchase', amount: '100' });
    clock.advance(2 * 86_400);
    const grants = await admin.get('/v1/accounts/g/grants');
    expect(grants.status).toBe(200);
    expect(grants.body.grants.map((g: { kind: string; state: string; remaining: string }) => [g.kind, g.state, g.remaining])).toEqual([
      ['signup', 'spent', '0'], ['purchase', 'expired', '30'], ['purchase', 'active', '100'],
    ]);
    const page = await admin.get('/v1/accounts/g/grants?limit=2');
    expect([page.body.grants.length, page.body.has_more]).toEqual([2, true]);
    const rest = await admin.get(`/v1/accounts/g/grants?limit=2&cursor=${page.body.next_cursor}`);
    expect(rest.body.grants.map((g: { state: string }) => g.state)).toEqual(['active']);
    expect((await admin.get('/v1/accounts/nobody/grants')).body.code).toBe('account_not_found');
  });

  it('refuses bad list parameters and oversized metadata, naming the field', async () => {
    const { admin } = api;
    await admin.post('/v1/accounts', { id: 'm', pack: 'modelpix' });
    const cursor = await admin.get('/v1/charges?cursor=not-a-cursor');
    expect([cursor.status, cursor.body.code]).toEqual([422, 'invalid_request']);
    expect(cursor.body.detail).toContain('cursor');
    expect((await admin.get('/v1/charges?limit=0')).status).toBe(422);
    expect((await admin.get('/v1/charges?status=paid')).body.detail).toContain('status');
    expect((await admin.get('/v1/charges?from=yesterday')).body.detail).toContain('from');
    const big = await admin.post('/v1/charges', { account: 'm', ...video(1), metadata: { blob: 'x'.repeat(5000) } });
    expect([big.status, big.body.code, big.body.errors[0].path]).toEqual([422, 'invalid_request', '/metadata']);
    const many = await admin.post('/v1/accounts', { pack: 'modelpix', metadata: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) });
    expect([many.status, many.body.code]).toEqual([422, 'invalid_request']);
    expect(many.body.detail).toContain('metadata');
    // Nothing was charged by the refused request.
    expect((await admin.get('/v1/charges?account=m')).body.charges).toEqual([]);
  });
});
