// Many clients charging one account at once never overdraw it and never lose or double an
// entry: one SQLite server in-process, and two PostgreSQL server processes over one schema.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { Decimal } from '../../src/decimal.ts';
import { dropSchema, PG_URL, storeKinds } from '../ledger/harness.ts';
import { Client, startApi } from './client.ts';

const CHARGES = 80; // 150 credits cover 50 three-credit face swaps

async function chargeConcurrently(clients: Client[]) {
  const admin = clients[0]!;
  expect((await admin.post('/v1/accounts', { id: 'crowd', pack: 'modelpix' })).status).toBe(201);
  expect((await admin.post('/v1/accounts/crowd/topups', { input: { credits: '100' } })).status).toBe(201);
  const replies = await Promise.all(Array.from({ length: CHARGES }, (_, i) =>
    clients[i % clients.length]!.post('/v1/charges', { account: 'crowd', operation: 'generate', input: { tool: 'face_swap' } })));
  const statuses = replies.map((r) => r.status).sort();
  expect(statuses.filter((s) => s === 201)).toHaveLength(50);
  expect(statuses.filter((s) => s === 402)).toHaveLength(CHARGES - 50);
  for (const c of clients) expect((await c.get('/v1/accounts/crowd')).body.balance).toBe('0');

  const entries = (await admin.get('/v1/accounts/crowd/entries?limit=1000')).body.entries as { kind: string; amount: string; balance_change: string; grant: string | null; charge: string | null }[];
  const captured = new Set(replies.filter((r) => r.status === 201).map((r) => r.body.id as string));
  // One capture entry per grant a charge drew on: a charge may span the signup gift and the purchase.
  const captures = entries.filter((e) => e.kind === 'capture');
  expect([...new Set(captures.map((e) => e.charge))].sort()).toEqual([...captured].sort());
  const total = (kind: string, field: 'amount' | 'balance_change' = 'amount') =>
    entries.filter((e) => e.kind === kind).reduce((s, e) => s.plus(e[field]), new Decimal(0)).toFixed();
  expect(total('hold')).toBe('150');
  expect(total('hold', 'balance_change')).toBe('-150');
  expect(total('capture')).toBe('150');
  expect(total('capture', 'balance_change')).toBe('0');
  const seqs = (await admin.get('/v1/accounts/crowd/entries?limit=1000')).body.entries.map((e: { seq: number }) => e.seq);
  expect(new Set(seqs).size).toBe(seqs.length);
}

describe('concurrent charges on one account', () => {
  it('never overdraw on SQLite (one server, group commit)', async () => {
    const api = await startApi(storeKinds.find((k) => k.name === 'sqlite')!);
    try {
      await chargeConcurrently([api.admin]);
    } finally {
      await api.close();
    }
  });

  const schema = `t_${randomBytes(6).toString('hex')}`;
  const servers: ChildProcess[] = [];
  afterAll(async () => {
    for (const s of servers) s.kill('SIGTERM');
    await Promise.all(servers.map((s) => new Promise((r) => (s.exitCode !== null ? r(null) : s.once('exit', r)))));
    await dropSchema(schema);
  });

  it('never overdraw on PostgreSQL with two server processes', async () => {
    const adminKey = `crk_test_${randomBytes(12).toString('hex')}`;
    const start = () => new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
        env: { ...process.env, PORT: '0', DATABASE_URL: PG_URL, DATABASE_SCHEMA: schema, ADMIN_API_KEY: adminKey, LOG_LEVEL: 'info', PG_POOL_SIZE: '5' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      servers.push(child);
      child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (!line.startsWith('{')) return;
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'credits API listening') resolve(`http://127.0.0.1:${entry.port}`);
      });
    });
    const [a, b] = await Promise.all([start(), start()]);
    await chargeConcurrently([new Client(a!, adminKey), new Client(b!, adminKey)]);
  });
});
