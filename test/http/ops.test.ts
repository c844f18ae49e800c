// Operations: /healthz, /readyz, /metrics, request ids, the admin key's one log record and
// graceful shutdown, over a real HTTP server in this process, on both stores.
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Request } from 'express';
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src/http/app.ts';
import { hashSecret, newApiKey } from '../../src/http/auth.ts';
import { ensureAdminKey } from '../../src/http/bootstrap.ts';
import { readConfig } from '../../src/http/config.ts';
import { Metrics } from '../../src/http/metrics.ts';
import { GracefulShutdown, Lifecycle } from '../../src/http/shutdown.ts';
import { TimedStore } from '../../src/http/timed-store.ts';
import { Ledger } from '../../src/ledger/ledger.ts';
import type { Store } from '../../src/ledger/store/store.ts';
import { Clock, dropSchema, key, packs, rules, storeKinds, type StoreKind } from '../ledger/harness.ts';

type LogLine = Record<string, unknown> & { msg?: string; level: number };

function capturingLogger(level = 'info') {
  const lines: LogLine[] = [];
  const log = pino({ level }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
  return { log, lines };
}

interface Api {
  base: string;
  server: Server;
  store: Store;
  ledger: Ledger;
  clock: Clock;
  lifecycle: Lifecycle;
  lines: LogLine[];
  admin: string;
  /** Another app over the same store, as after a restart. */
  restart(): Promise<Api>;
  close(): Promise<void>;
}

const opened: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of opened.splice(0).reverse()) await close();
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function serve(store: Store, clock: Clock, options: { metricsToken?: string } = {}): Promise<Omit<Api, 'restart'>> {
  const metrics = new Metrics();
  const timed = metrics.timed(store);
  const ledger = await Ledger.open(timed, packs(), { clock: clock.now, observer: metrics });
  const { log, lines } = capturingLogger();
  const lifecycle = new Lifecycle();
  // A store deadline no healthy store misses on a loaded machine (2 s in production).
  const app = createApp({ ledger, engine: rules(), log, metrics, lifecycle, metricsToken: options.metricsToken, storeDeadlineMs: 600_000 });
  const server = app.listen(0, '127.0.0.1');
  const base = await listen(server);
  const { token, record } = newApiKey('admin', [], null, clock.now());
  await store.transaction((tx) => tx.insertApiKey(record));
  const close = async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  opened.push(close);
  return { base, server, store, ledger, clock, lifecycle, lines, admin: token, close };
}

async function startApi(kind: StoreKind, options: { metricsToken?: string } = {}): Promise<Api> {
  const s = await kind.open();
  // Some tests close the store themselves: then only its schema or file is left to remove.
  opened.push(() => s.dispose().catch(async () => {
    if (s.schema) await dropSchema(s.schema);
  }));
  const clock = new Clock(Date.parse('2026-03-10T12:00:00Z'));
  const api = await serve(s.store, clock, options);
  return { ...api, restart: async () => ({ ...(await serve(s.store, clock)), restart: () => { throw new Error('once'); } }) };
}

async function call(api: Api, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(api.base + path, {
    method,
    headers: {
      authorization: `Bearer ${api.admin}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(method === 'POST' && path !== '/v1/quotes' ? { 'idempotency-key': key() } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, headers: res.headers, type, body: type.includes('json') ? JSON.parse(text) : text };
}

async function scrape(api: Api, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${api.base}/metrics`, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
}

/** The sum of the samples of `name` whose labels include `labels`; undefined when there is none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) total = (total ?? 0) + Number(m[3]);
  }
  return total;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each(storeKinds)('operations on $name', (kind) => {
  it('/healthz and /readyz answer without an API key, naming the store', async () => {
    const api = await startApi(kind);
    const health = await fetch(`${api.base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', store: kind.name });
    const ready = await fetch(`${api.base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', store: kind.name });
  });

  it('/readyz is 503 not_ready once the store is unreachable, while /healthz stays 200 and errors are logged with their request id', async () => {
    const api = await startApi(kind);
    await api.store.close();
    const ready = await fetch(`${api.base}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('content-type')).toContain('application/problem+json');
    expect(await ready.json()).toMatchObject({ status: 503, code: 'not_ready' });
    expect((await fetch(`${api.base}/healthz`)).status).toBe(200);

    // The key isn't cached yet, so authenticating reads the (closed) store: a 500.
    const failed = await call(api, 'GET', '/v1/keys', undefined, { 'x-request-id': 'broken-store-1' });
    expect(failed.status).toBe(500);
    expect(api.lines.find((l) => l.msg === 'request failed')).toMatchObject({ request_id: 'broken-store-1' });
    // The open-holds gauge can't be counted: the scrape still answers, with NaN for it.
    expect(sample(await scrape(api), 'credits_holds_open')).toBeNaN();
  });

  it('/metrics counts requests by route pattern and status, never by raw path', async () => {
    const api = await startApi(kind);
    await call(api, 'POST', '/v1/accounts', { id: 'm1', pack: 'modelpix' });
    const charge = await call(api, 'POST', '/v1/charges', { account: 'm1', operation: 'generate', input: { tool: 'image_to_video', seconds: 2 } });
    expect(charge.status).toBe(201);
    const id = charge.body.id as string;
    for (let i = 0; i < 3; i++) expect((await call(api, 'GET', `/v1/charges/${id}`)).status).toBe(200);
    expect((await call(api, 'GET', '/v1/charges/chg_nothing_here')).status).toBe(404);
    expect((await call(api, 'GET', '/v1/no/such/route/x7q')).status).toBe(404);

    const text = await scrape(api);
    expect(sample(text, 'http_requests_total', { method: 'GET', route: '/v1/charges/:id', status: '200' })).toBe(3);
    expect(sample(text, 'http_requests_total', { method: 'GET', route: '/v1/charges/:id', status: '404' })).toBe(1);
    expect(sample(text, 'http_requests_total', { method: 'POST', route: '/v1/charges', status: '201' })).toBe(1);
    expect(sample(text, 'http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_count', { method: 'GET', route: '/v1/charges/:id', status: '200' })).toBe(3);
    expect(text).not.toContain(id);
    expect(text).not.toContain('chg_nothing_here');
    expect(text).not.toContain('x7q');
    // Default process metrics are in the app's registry too.
    expect(sample(text, 'process_cpu_user_seconds_total')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'nodejs_eventloop_lag_seconds')).toBeDefined();
  });

  it('/metrics counts quotes by outcome, charge steps once each (not replays), and store latency by store kind', async () => {
    const api = await startApi(kind);
    await call(api, 'POST', '/v1/accounts', { id: 'm2', pack: 'modelpix' });
    await call(api, 'POST', '/v1/accounts/m2/topups', { input: { credits: '200' } });
    expect((await call(api, 'POST', '/v1/quotes', { pack: 'modelpix', operation: 'generate', input: { tool: 'image_to_video', seconds: 6 } })).body.rejections).toEqual([]);
    expect((await call(api, 'POST', '/v1/quotes', { pack: 'modelpix', operation: 'generate', input: { tool: 'image_to_video' }, account: 'm2' })).body.rejections).toHaveLength(1);

    const captured = await call(api, 'POST', '/v1/charges', { account: 'm2', operation: 'generate', input: { tool: 'video_replace_background', seconds: 4 } });
    expect(captured.body.status).toBe('captured');
    const hold = { account: 'm2', operation: 'generate', input: { tool: 'image_to_video', seconds: 6 }, capture: false };
    const held = await call(api, 'POST', '/v1/charges', hold, { 'idempotency-key': 'hold-1' });
    const replay = await call(api, 'POST', '/v1/charges', hold, { 'idempotency-key': 'hold-1' });
    expect(replay.body.id).toBe(held.body.id);
    expect((await call(api, 'POST', `/v1/charges/${held.body.id}/release`)).status).toBe(200);
    expect((await call(api, 'POST', `/v1/charges/${captured.body.id}/refund`, { outcome: 'failed' })).status).toBe(200);

    const text = await scrape(api);
    const quotes = (outcome: string) => sample(text, 'credits_quotes_total', { pack: 'modelpix', operation: 'generate', outcome });
    expect([quotes('accepted'), quotes('rejected')]).toEqual([1, 1]);
    const charges = (outcome: string) => sample(text, 'credits_charges_total', { pack: 'modelpix', outcome });
    expect(['held', 'captured', 'released', 'refunded'].map(charges)).toEqual([2, 1, 1, 1]);
    expect(sample(text, 'credits_store_duration_seconds_count', { store: kind.name, op: 'transaction' })).toBeGreaterThan(0);
    expect(sample(text, 'credits_store_duration_seconds_count', { store: kind.name, op: 'read' })).toBeGreaterThan(0);
  });

  it('credits_holds_open counts the holds in the store: right after a restart, and not once they time out', async () => {
    const api = await startApi(kind);
    await call(api, 'POST', '/v1/accounts', { id: 'm3', pack: 'modelpix' });
    const hold = (seconds: number) => call(api, 'POST', '/v1/charges', { account: 'm3', operation: 'generate', input: { tool: 'image_to_video', seconds }, capture: false });
    const first = await hold(2);
    await hold(1);
    expect(sample(await scrape(api), 'credits_holds_open')).toBe(2);
    await call(api, 'POST', `/v1/charges/${first.body.id}/release`);
    expect(sample(await scrape(api), 'credits_holds_open')).toBe(1);

    const restarted = await api.restart();
    expect(sample(await scrape(restarted), 'credits_holds_open')).toBe(1);
    api.clock.advance(901); // modelpix holds time out after 900 s; nothing has swept them yet
    expect(sample(await scrape(restarted), 'credits_holds_open')).toBe(0);
  });
});

describe('the /metrics token', () => {
  it('is required as a bearer token when METRICS_TOKEN is set', async () => {
    const api = await startApi(storeKinds[0]!, { metricsToken: 'scrape-secret-1' });
    const none = await fetch(`${api.base}/metrics`);
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    expect((await fetch(`${api.base}/metrics`, { headers: { authorization: 'Bearer scrape-secret-2' } })).status).toBe(401);
    expect((await fetch(`${api.base}/metrics`, { headers: { authorization: `Bearer ${api.admin}` } })).status).toBe(401);
    expect(await scrape(api, { authorization: 'Bearer scrape-secret-1' })).toContain('http_requests_total');
    // Liveness and readiness stay open.
    expect((await fetch(`${api.base}/readyz`)).status).toBe(200);
  });

  it('is read from METRICS_TOKEN, with SHUTDOWN_TIMEOUT_SECONDS (default 10)', () => {
    expect(readConfig({})).toMatchObject({ shutdownTimeoutSeconds: 10, metricsToken: undefined });
    expect(readConfig({ SHUTDOWN_TIMEOUT_SECONDS: '3', METRICS_TOKEN: 'tok' })).toMatchObject({ shutdownTimeoutSeconds: 3, metricsToken: 'tok' });
    expect(() => readConfig({ SHUTDOWN_TIMEOUT_SECONDS: '-1' })).toThrow(/SHUTDOWN_TIMEOUT_SECONDS/);
    expect(() => readConfig({ METRICS_TOKEN: 'has space' })).toThrow(/METRICS_TOKEN/);
  });

  it('reads the PostgreSQL pool and group commit lanes, refusing more lanes than connections', () => {
    const url = 'postgres://u@h/db';
    expect(readConfig({ DATABASE_URL: url }).store).toMatchObject({ kind: 'postgres', poolSize: 10, lanes: 8 });
    expect(readConfig({ DATABASE_URL: url, PG_POOL_SIZE: '2' }).store).toMatchObject({ poolSize: 2, lanes: 1 });
    expect(readConfig({ DATABASE_URL: url, PG_GROUP_COMMIT_LANES: '0' }).store).toMatchObject({ lanes: 0 });
    expect(() => readConfig({ DATABASE_URL: url, PG_POOL_SIZE: '4', PG_GROUP_COMMIT_LANES: '5' })).toThrow(/PG_GROUP_COMMIT_LANES/);
  });

  it('belongs to each app: two apps in one process keep separate registries', async () => {
    const a = new Metrics();
    const b = new Metrics();
    a.quoted('p', 'op', true);
    a.quoted('p', 'op', false);
    a.quoted('p', 'op', true);
    const route = { method: 'GET', baseUrl: '', route: { path: '/x/:id' } } as unknown as Request;
    a.observeRequest(route, 200, 0.003);
    a.observeRequest(route, 200, 0.005);
    const [ta, tb] = await Promise.all([a.registry.metrics(), b.registry.metrics()]);
    expect([sample(ta, 'credits_quotes_total', { outcome: 'accepted' }), sample(ta, 'credits_quotes_total', { outcome: 'rejected' })]).toEqual([2, 1]);
    const bucket = (le: string) => sample(ta, 'http_request_duration_seconds_bucket', { route: '/x/:id', le });
    expect(['0.0025', '0.005', '0.01', '+Inf'].map(bucket)).toEqual([0, 2, 2, 2]);
    expect(sample(ta, 'http_request_duration_seconds_sum')).toBeCloseTo(0.008, 9);
    expect(sample(ta, 'http_requests_total', { method: 'GET', route: '/x/:id', status: '200' })).toBe(2);
    expect(sample(tb, 'credits_quotes_total')).toBeUndefined();
    expect(sample(tb, 'http_requests_total')).toBeUndefined();
  });
});

describe('readiness', () => {
  it('/readyz answers 503 not_ready while the server drains', async () => {
    const api = await startApi(storeKinds[0]!);
    api.lifecycle.draining = true;
    const res = await fetch(`${api.base}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 'not_ready', detail: expect.stringContaining('shutting down') });
  });

  it('/readyz answers 503 not_ready when the store does not answer within the deadline', async () => {
    const { store, dispose } = await storeKinds[0]!.open();
    opened.push(dispose);
    const hanging = new TimedStore(store, () => undefined);
    hanging.ping = () => new Promise<void>(() => undefined); // a database that never answers
    const ledger = await Ledger.open(hanging, packs());
    const server = createApp({ ledger, engine: rules(), log: pino({ level: 'silent' }), storeDeadlineMs: 50 }).listen(0, '127.0.0.1');
    opened.push(() => new Promise<void>((r) => server.close(() => r())));
    const res = await fetch(`${await listen(server)}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 'not_ready' });
  });
});

describe('request ids', () => {
  it("keeps a sane X-Request-Id, replaces any other with a UUID, and puts it on the request's log line", async () => {
    const api = await startApi(storeKinds[0]!);
    const given = await fetch(`${api.base}/healthz`, { headers: { 'x-request-id': 'req-42.a_b:c' } });
    expect(given.headers.get('x-request-id')).toBe('req-42.a_b:c');
    expect(api.lines.find((l) => l.msg === 'request' && l.url === '/healthz')).toMatchObject({ request_id: 'req-42.a_b:c', status: 200 });

    for (const bad of ['x'.repeat(129), 'has space', '']) {
      const res = await fetch(`${api.base}/healthz`, { headers: { 'x-request-id': bad } });
      expect(res.headers.get('x-request-id'), JSON.stringify(bad)).toMatch(UUID);
    }
    const a = (await fetch(`${api.base}/nowhere`)).headers.get('x-request-id');
    const b = (await fetch(`${api.base}/nowhere`)).headers.get('x-request-id');
    expect(a).toMatch(UUID);
    expect(b).toMatch(UUID);
    expect(a).not.toBe(b);
    expect(api.lines.filter((l) => l.msg === 'request' && l.url === '/nowhere').map((l) => l.request_id)).toEqual([a, b]);
  });
});

describe('the first admin key', () => {
  it('is printed once as the admin_key field of one log record, even when warnings are not logged', async () => {
    for (const level of ['info', 'error', 'silent']) {
      const { store, dispose } = await storeKinds[0]!.open();
      opened.push(dispose);
      const ledger = await Ledger.open(store, packs());
      const { log, lines } = capturingLogger(level);
      const stdout = vi.spyOn(process.stdout, 'write');
      try {
        await ensureAdminKey(ledger, undefined, log);
        await ensureAdminKey(ledger, undefined, log);
        expect(stdout).not.toHaveBeenCalled();
      } finally {
        stdout.mockRestore();
      }
      const withKey = lines.filter((l) => 'admin_key' in l);
      expect(withKey, level).toHaveLength(1);
      expect(withKey[0]!.msg).toMatch(/shown this once/);
      const token = withKey[0]!.admin_key as string;
      expect(token).toMatch(/^crk_/);
      expect((await store.apiKeyByHash(hashSecret(token)))?.scope).toBe('admin');
    }
  });
});

/** Sends a request's headers and part of its body: the server waits for the rest. */
async function stalledRequest(api: Api): Promise<{ socket: Socket; finish(): void; answered: Promise<void>; received: Promise<string> }> {
  const body = JSON.stringify({ pack: 'modelpix', operation: 'generate', input: { tool: 'image_to_video', seconds: 6 } });
  const seen = new Promise((resolve) => api.server.once('request', resolve));
  const socket = connect((api.server.address() as AddressInfo).port, '127.0.0.1');
  let text = '';
  socket.on('data', (d) => { text += d.toString(); });
  const answered = new Promise<void>((resolve) => socket.once('data', () => resolve()));
  const received = new Promise<string>((resolve) => socket.on('close', () => resolve(text)));
  socket.write(`POST /v1/quotes HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer ${api.admin}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
  socket.write(body.slice(0, 10));
  await seen;
  return { socket, finish: () => socket.write(body.slice(10)), answered, received };
}

describe('graceful shutdown', () => {
  it('cuts off a request still in flight at the deadline and reports "forced" (exit code 1), then cleans up', async () => {
    const api = await startApi(storeKinds[0]!);
    const stalled = await stalledRequest(api);
    const { log, lines } = capturingLogger();
    const cleanup = vi.fn(async () => undefined);
    const result = await new GracefulShutdown(api.server, api.lifecycle, { timeoutMs: 50, log, cleanup }).begin('SIGTERM');
    expect(result).toEqual({ outcome: 'forced', exitCode: 1 });
    expect(api.lifecycle.draining).toBe(true);
    expect(api.server.listening).toBe(false);
    expect(cleanup).toHaveBeenCalledOnce();
    expect(await stalled.received).toBe(''); // closed without an answer
    expect(lines.map((l) => l.msg)).toContain('shutdown deadline passed: closed connections with requests in flight');
  });

  it('lets a request in flight finish, closes idle keep-alive connections, and reports "drained" (exit code 0)', async () => {
    const api = await startApi(storeKinds[0]!);
    // Idle keep-alive connections would otherwise stay open for ever: only closing them ends the drain.
    api.server.keepAliveTimeout = 0;
    const idle = await stalledRequest(api);
    idle.finish();
    await idle.answered;
    const stalled = await stalledRequest(api);
    const { log } = capturingLogger();
    // A deadline no test run reaches, however loaded the machine: passing it would report "forced".
    const done = new GracefulShutdown(api.server, api.lifecycle, { timeoutMs: 3_600_000, log }).begin('SIGTERM');
    expect(api.lifecycle.draining).toBe(true);
    stalled.finish();
    expect(await done).toEqual({ outcome: 'drained', exitCode: 0 });
    expect(await stalled.received).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*"quote_id"/);
    expect(await idle.received).toMatch(/^HTTP\/1\.1 200 OK/);
  });

  it('a second signal cuts off what is left at once', async () => {
    const api = await startApi(storeKinds[0]!);
    await stalledRequest(api);
    const { log } = capturingLogger();
    const shutdown = new GracefulShutdown(api.server, api.lifecycle, { timeoutMs: 3_600_000, log });
    const first = shutdown.begin('SIGINT');
    const second = shutdown.begin('SIGINT');
    expect(await first).toEqual({ outcome: 'forced', exitCode: 1 });
    expect(await second).toEqual({ outcome: 'forced', exitCode: 1 });
  });

  it('exits 1 when the cleanup fails, though every request finished', async () => {
    const api = await startApi(storeKinds[0]!);
    const { log } = capturingLogger();
    const cleanup = async () => { throw new Error('store would not close'); };
    expect(await new GracefulShutdown(api.server, api.lifecycle, { timeoutMs: 3_600_000, log, cleanup }).begin('SIGTERM')).toEqual({ outcome: 'drained', exitCode: 1 });
  });

});
