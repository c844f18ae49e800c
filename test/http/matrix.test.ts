// POST /v1/quotes/matrix: every option of enum and boolean inputs priced in one request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { key, storeKinds } from '../ledger/harness.ts';
import { startApi, type TestApi } from './client.ts';

describe.each(storeKinds)('the price matrix on $name', (kind) => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startApi(kind);
  });
  afterAll(async () => api.close());

  const matrix = (body: object) => api.admin.post('/v1/quotes/matrix', body);

  it('prices each option of an enum input, with the rejections of the options the rules refuse', async () => {
    const res = await matrix({ pack: 'modelpix', operation: 'generate', input: { seconds: 0 }, vary: ['tool'] });
    expect(res.status).toBe(200);
    expect(res.body.options.tool).toEqual(['text_to_image', 'image_edit', 'face_swap', 'image_to_video', 'avatar_video', 'video_replace_background']);
    const byTool = Object.fromEntries(res.body.rows.map((r: { values: { tool: string } }) => [r.values.tool, r]));
    expect(byTool.text_to_image.outputs).toEqual({ cost: '7' });
    expect(byTool.face_swap.amount).toBe('3');
    expect(byTool.image_to_video.rejections).toEqual([{ code: 'seconds_required', message: 'image_to_video is priced per second of output: give the video\'s length in seconds' }]);
    expect(byTool.image_to_video.amount).toBeNull();
  });

  it('prices every combination of several inputs, the first varying slowest', async () => {
    const res = await matrix({ pack: 'modelpix', operation: 'generate', input: { seconds: 4 }, vary: ['tool', 'resolution'] });
    expect(res.status).toBe(200);
    expect(res.body.rows).toHaveLength(12);
    expect(res.body.rows.slice(6, 8).map((r: { values: object; amount: string }) => [r.values, r.amount])).toEqual([
      [{ tool: 'image_to_video', resolution: '480p' }, '20'],
      [{ tool: 'image_to_video', resolution: '720p' }, '28'],
    ]);
  });

  it("uses the account's inputs when an account is given", async () => {
    await api.ledger.createAccount({ id: 'matrix-free', pack: 'pixai' }, key());
    const res = await matrix({ pack: 'pixai', operation: 'generate_image', input: { width: 1024, height: 1024, steps: 30 }, vary: ['priority'], account: 'matrix-free' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.account).toBe('matrix-free');
    expect(res.body.rows.length).toBeGreaterThan(1);
  });

  it('refuses an input that has no list of options, naming it and what can vary', async () => {
    const res = await matrix({ pack: 'modelpix', operation: 'generate', input: {}, vary: ['tool', 'seconds'] });
    expect([res.status, res.body.code]).toEqual([422, 'invalid_request']);
    expect(res.body.errors[0].path).toBe('/vary/1');
    expect(res.body.detail).toMatch(/input 'seconds' is neither an enum nor a boolean.*it can vary tool, resolution/);
  });

  it('refuses an unknown input with a suggestion', async () => {
    const res = await matrix({ pack: 'modelpix', operation: 'generate', input: {}, vary: ['tol'] });
    expect([res.status, res.body.errors[0].path]).toEqual([422, '/vary/0']);
    expect(res.body.detail).toContain('did you mean "tool"?');
  });

  it('answers as /v1/quotes does when the base input is wrong for every option', async () => {
    const res = await matrix({ pack: 'modelpix', operation: 'generate', input: { seconds: 'four' }, vary: ['tool'] });
    expect([res.status, res.body.code]).toEqual([422, 'invalid_input']);
    const unknown = await matrix({ pack: 'modelpx', operation: 'generate', input: {}, vary: ['tool'] });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'unknown_pack']);
  });

  it('needs vary, and a key for the account', async () => {
    const res = await matrix({ pack: 'modelpix', operation: 'generate', input: {} });
    expect([res.status, res.body.code]).toEqual([422, 'invalid_request']);
    const quoter = await api.keyFor('quote');
    const other = await quoter.post('/v1/quotes/matrix', { pack: 'pixai', operation: 'generate_image', input: {}, vary: ['priority'], account: 'matrix-free' });
    expect([other.status, other.body.code]).toEqual([403, 'forbidden_account']);
  });
});
