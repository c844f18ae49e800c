// The API says which figures are illustrative: GET /v1/packs per operation, and an explained
// quote on its trace lines and for the whole result.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/index.ts';
import { storeKinds } from '../ledger/harness.ts';
import { startApi, type Client, type TestApi } from './client.ts';

// Provenance doesn't depend on the store: SQLite is enough.
const sqlite = storeKinds.find((k) => k.name === 'sqlite')!;

describe('illustrative figures over HTTP', () => {
  let api: TestApi;
  let quoter: Client;

  beforeAll(async () => {
    api = await startApi(sqlite, undefined, { engine: Engine.load(['rules/pixai']) });
    quoter = await api.keyFor('quote');
  });
  afterAll(async () => {
    await api.close();
  });

  it('GET /v1/packs lists, per operation, the illustrative figures its result may depend on', async () => {
    const packs = await quoter.get('/v1/packs');
    expect(packs.status).toBe(200);
    const pixai = packs.body.packs.find((p: { name: string }) => p.name === 'pixai');
    expect(pixai.illustrative.train_lora).toEqual([]);
    expect(pixai.illustrative.generate_image).toContainEqual({
      figure: 'models[*].base_credits',
      reason: "PixAI publishes that newer or higher-quality models cost more, not each model's price",
      at: expect.stringMatching(/rules\/pixai\/generate_image\.yaml:\d+:\d+$/),
    });
  });

  it('an explained quote marks the trace lines that used an illustrative figure, and lists them for the result', async () => {
    const q = await quoter.post('/v1/quotes', { pack: 'pixai', operation: 'generate_image', input: { width: 1024, height: 1024 }, explain: true });
    expect(q.status, JSON.stringify(q.body)).toBe(200);
    const line = q.body.trace.find((t: { name: string }) => t.name === 'base_credits');
    expect(line.illustrative.map((f: { figure: string }) => f.figure)).toEqual(['models[haruka-v2].base_credits']);
    expect(q.body.trace.find((t: { name: string }) => t.name === 'width').illustrative).toBeUndefined();
    expect(q.body.illustrative.map((f: { figure: string }) => f.figure)).toContain('cell priority_factor');
  });

  it('a quote without explain says nothing about provenance', async () => {
    const q = await quoter.post('/v1/quotes', { pack: 'pixai', operation: 'generate_image', input: { width: 1024, height: 1024 } });
    expect(q.status).toBe(200);
    expect(q.body.illustrative).toBeUndefined();
  });
});
