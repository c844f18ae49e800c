// The API key is asked for on every path under /v1 as `app.use('/v1', authenticate)` would
// ask it (app.ts runs it without mounting it there): /v1 and below, in any letter case, and
// nowhere else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeKinds } from '../ledger/harness.ts';
import { startApi, type TestApi } from './client.ts';

describe('which paths need an API key', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi(storeKinds[0]!);
  });
  afterAll(async () => api.close());

  const status = async (method: string, path: string, token?: string) => {
    const res = await fetch(api.admin.base + path, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
      ...(method === 'POST' ? { body: JSON.stringify({ pack: 'modelpix', operation: 'generate', input: { tool: 'text_to_image' } }) } : {}),
    });
    return [res.status, res.status >= 400 ? ((await res.json()) as { code: string }).code : 'ok'];
  };

  it.each([
    ['POST', '/v1/quotes'], ['POST', '/V1/quotes'], ['POST', '/v1/Quotes'], ['GET', '/v1/packs'], ['GET', '/v1'], ['GET', '/v1/'],
    ['GET', '/v1/nowhere'], ['POST', '/v1/quotes?x=1'],
  ])('%s %s without a key is 401', async (method, path) => {
    expect(await status(method, path)).toEqual([401, 'unauthorized']);
  });

  it.each([['GET', '/v1x'], ['GET', '/v12/packs'], ['GET', '/x/v1/packs']])('%s %s is not under /v1: 404 without a key', async (method, path) => {
    expect(await status(method, path)).toEqual([404, 'not_found']);
  });

  it('quotes with a key in any letter case of the path, as Express routes match', async () => {
    for (const path of ['/v1/quotes', '/V1/Quotes']) expect(await status('POST', path, api.admin.token)).toEqual([200, 'ok']);
    expect(await status('GET', '/healthz')).toEqual([200, 'ok']);
  });
});
