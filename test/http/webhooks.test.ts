// Webhooks end to end: a real HTTP receiver the test starts, the ledger's outbox, the delivery
// worker stepped by hand (deliverDue) under the test's clock. No sleeps: each step awaits the
// receiver's answers.
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_ATTEMPTS, retryDelayMs } from '../../src/ledger/webhooks/backoff.ts';
import { verifySignature } from '../../src/ledger/webhooks/signing.ts';
import { key, storeKinds } from '../ledger/harness.ts';
import { startApi, type TestApi } from './client.ts';

interface Received {
  status: number;
  id: string;
  type: string;
  attempt: string;
  signature: string;
  body: string;
}

/** Records every request; answers 500 to the first `failFirst` of them, then 200. Applies each event id once. */
class Receiver {
  readonly received: Received[] = [];
  /** The effect: event ids applied, each once. */
  readonly applied = new Map<string, { type: string; data: Record<string, unknown> }>();
  private server!: Server;
  url = '';
  constructor(private failFirst: number) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const status = this.failFirst-- > 0 ? 500 : 200;
        const h = (n: string) => String(req.headers[n] ?? '');
        this.received.push({ status, id: h('credits-event-id'), type: h('credits-event-type'), attempt: h('credits-delivery-attempt'), signature: h('credits-signature'), body });
        if (status === 200) {
          const event = JSON.parse(body) as { id: string; type: string; data: Record<string, unknown> };
          if (!this.applied.has(event.id)) this.applied.set(event.id, { type: event.type, data: event.data });
        }
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }

  ofType(type: string) {
    return [...this.applied.values()].filter((e) => e.type === type);
  }
}

/** The signature as a receiver computes it, independently of the server's code. */
function expectedSignature(secret: string, header: string, body: string): string {
  const t = /t=(\d+)/.exec(header)![1];
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

describe.each(storeKinds)('webhooks on $name', (kind) => {
  let api: TestApi;
  let receiver: Receiver;
  beforeEach(async () => {
    api = await startApi(kind);
  });
  afterEach(async () => {
    await receiver?.close();
    await api.close();
  });

  it('delivers signed charge events and a low-balance alert, retries after the receiver fails once, never applies one twice', async () => {
    const { admin, ledger, clock } = api;
    receiver = new Receiver(1);
    await receiver.start();
    const idem = key();
    const created = await admin.post('/v1/webhooks', {
      url: receiver.url, events: ['charge.held', 'charge.captured', 'charge.refunded', 'balance.below_threshold'], balance_below: '20', description: 'backend',
    }, idem);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const secret = created.body.secret as string;
    expect(secret).toMatch(/^whsec_/);
    // The secret is shown once: not listed, and a replay of the creation has null.
    const replay = await admin.post('/v1/webhooks', {
      url: receiver.url, events: ['charge.held', 'charge.captured', 'charge.refunded', 'balance.below_threshold'], balance_below: '20', description: 'backend',
    }, idem);
    expect([replay.status, replay.headers.get('idempotent-replayed'), replay.body.id, replay.body.secret]).toEqual([201, 'true', created.body.id, null]);
    const listed = await admin.get('/v1/webhooks');
    expect(listed.body.webhooks).toHaveLength(1);
    expect(listed.body.webhooks[0]).not.toHaveProperty('secret');

    await admin.post('/v1/accounts', { id: 'hook', pack: 'modelpix' });
    // 42 of the 50 signup credits: the balance falls to 8, below 20.
    const chargeIdem = key();
    const charge = await admin.post('/v1/charges', { account: 'hook', operation: 'generate', input: { tool: 'image_to_video', seconds: 6 } }, chargeIdem);
    expect(charge.status).toBe(201);

    const first = await ledger.webhooks.deliverDue();
    expect(first).toEqual({ dispatched: 3, attempted: 3, delivered: 2, failed: 1 });
    const failed = receiver.received.find((r) => r.status === 500)!;
    expect(failed.attempt).toBe('1');

    // Not due yet: nothing is sent again before its back-off.
    expect(await ledger.webhooks.deliverDue()).toEqual({ dispatched: 0, attempted: 0, delivered: 0, failed: 0 });
    clock.advance(30);
    expect(await ledger.webhooks.deliverDue()).toEqual({ dispatched: 0, attempted: 1, delivered: 1, failed: 0 });
    const retried = receiver.received[receiver.received.length - 1]!;
    expect([retried.id, retried.status, retried.attempt, retried.body]).toEqual([failed.id, 200, '2', failed.body]);

    // A replayed request changes nothing and writes no event.
    const again = await admin.post('/v1/charges', { account: 'hook', operation: 'generate', input: { tool: 'image_to_video', seconds: 6 } }, chargeIdem);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    // A refused charge writes none either.
    const refused = await admin.post('/v1/charges', { account: 'hook', operation: 'generate', input: { tool: 'video_replace_background', seconds: 60 } });
    expect(refused.status).toBe(402);
    clock.advance(3600);
    expect(await ledger.webhooks.deliverDue()).toEqual({ dispatched: 0, attempted: 0, delivered: 0, failed: 0 });

    // Every request is signed with the secret over the exact body.
    for (const r of receiver.received) {
      expect(r.signature).toBe(expectedSignature(secret, r.signature, r.body));
      expect(verifySignature(secret, r.signature, r.body)).toBe(true);
      expect(verifySignature('whsec_another_secret_entirely', r.signature, r.body)).toBe(false);
    }
    // Four requests, three events, each applied once.
    expect(receiver.received).toHaveLength(4);
    expect(receiver.applied.size).toBe(3);
    expect(receiver.ofType('charge.held')).toHaveLength(1);
    const captured = receiver.ofType('charge.captured');
    expect(captured).toHaveLength(1);
    expect(captured[0]!.data).toMatchObject({ account: 'hook', balance: '8', charge: { id: charge.body.id, status: 'captured', captured: '42' } });
    expect(receiver.ofType('balance.below_threshold')).toEqual([{
      type: 'balance.below_threshold',
      data: { account: 'hook', balance: '8', threshold: '20', cause: { event: expect.stringMatching(/^evt_/), type: expect.stringMatching(/^charge\./) } },
    }]);

    // The delivery log shows the failed attempt and the retry.
    const log = await admin.get(`/v1/webhooks/${created.body.id}/deliveries`);
    expect(log.status).toBe(200);
    expect(log.body.has_more).toBe(false);
    const retriedDelivery = log.body.deliveries.find((d: { event_id: string }) => d.event_id === failed.id);
    expect(retriedDelivery).toMatchObject({ status: 'delivered', next_attempt_at: null });
    expect(retriedDelivery.attempts.map((a: { response_status: number }) => a.response_status)).toEqual([500, 200]);
    const page = await admin.get(`/v1/webhooks/${created.body.id}/deliveries?limit=2`);
    expect([page.body.deliveries.length, page.body.has_more]).toEqual([2, true]);
    const rest = await admin.get(`/v1/webhooks/${created.body.id}/deliveries?limit=2&cursor=${page.body.next_cursor}`);
    expect([rest.body.deliveries.length, rest.body.has_more]).toEqual([1, false]);

    // A refund is an event; the balance is back above the threshold, so the alert re-arms.
    const refund = await admin.post(`/v1/charges/${charge.body.id}/refund`, { outcome: 'failed' });
    expect(refund.status).toBe(200);
    await ledger.webhooks.deliverDue();
    expect(receiver.ofType('charge.refunded').map((e) => e.data)).toEqual([expect.objectContaining({ refunded: '42', balance: '50' })]);
    await admin.post('/v1/charges', { account: 'hook', operation: 'generate', input: { tool: 'image_to_video', seconds: 6 } });
    await ledger.webhooks.deliverDue();
    expect(receiver.ofType('balance.below_threshold')).toHaveLength(2);

    // Deleted: nothing more is sent, and it is gone from the API.
    const deleted = await api.admin.request('DELETE', `/v1/webhooks/${created.body.id}`);
    expect(deleted.status).toBe(200);
    const before = receiver.received.length;
    await admin.post('/v1/charges', { account: 'hook', operation: 'generate', input: { tool: 'image_to_video', seconds: 1 } });
    await ledger.webhooks.deliverDue();
    expect(receiver.received).toHaveLength(before);
    expect((await api.admin.request('DELETE', `/v1/webhooks/${created.body.id}`)).body.code).toBe('webhook_not_found');
    expect((await admin.get(`/v1/webhooks/${created.body.id}/deliveries`)).body.code).toBe('webhook_not_found');
  });

  it('announces credits expiring within N days once per grant, and plan changes', async () => {
    const { admin, ledger, clock } = api;
    receiver = new Receiver(0);
    await receiver.start();
    const hook = await admin.post('/v1/webhooks', { url: receiver.url, events: ['credits.expiring', 'plan.changed'], expiring_within_days: 7, accounts: ['exp'] });
    expect(hook.status).toBe(201);
    await admin.post('/v1/accounts', { id: 'exp', pack: 'modelpix' });
    await admin.post('/v1/accounts', { id: 'other', pack: 'modelpix' });
    const soon = new Date(clock.now() + 10 * 86_400_000).toISOString();
    for (const account of ['exp', 'other']) {
      expect((await admin.post(`/v1/accounts/${account}/grants`, { kind: 'purchase', amount: '30', expires_at: soon })).status).toBe(201);
    }
    // Ten days ahead: outside the window.
    await ledger.webhooks.deliverDue();
    expect(receiver.ofType('credits.expiring')).toHaveLength(0);
    clock.advance(4 * 86_400);
    await ledger.webhooks.deliverDue();
    await ledger.webhooks.deliverDue();
    // Only the endpoint's account, once.
    expect(receiver.ofType('credits.expiring').map((e) => e.data)).toEqual([
      expect.objectContaining({ account: 'exp', kind: 'purchase', remaining: '30', expires_at: soon, within_days: 7 }),
    ]);

    await admin.post('/v1/accounts', { id: 'member', pack: 'pixai', plan: 'hobbyist' });
    const planHook = await admin.post('/v1/webhooks', { url: receiver.url, events: ['plan.changed'] });
    expect(planHook.status).toBe(201);
    expect((await admin.post('/v1/accounts/member/membership', { action: 'cancel' })).status).toBe(200);
    await ledger.webhooks.deliverDue();
    expect(receiver.ofType('plan.changed').map((e) => e.data)).toEqual([expect.objectContaining({ account: 'member', action: 'cancel', from: 'hobbyist' })]);
  });

  it('delivers charge.held and charge.released for a hold given back', async () => {
    const { admin, ledger } = api;
    receiver = new Receiver(0);
    await receiver.start();
    await admin.post('/v1/webhooks', { url: receiver.url, events: ['charge.held', 'charge.released'] });
    await admin.post('/v1/accounts', { id: 'rel', pack: 'modelpix' });
    const hold = await admin.post('/v1/charges', { account: 'rel', operation: 'generate', input: { tool: 'image_to_video', seconds: 2 }, capture: false, metadata: { job: 'j-1' } });
    await admin.post(`/v1/charges/${hold.body.id}/release`);
    await ledger.webhooks.deliverDue();
    expect(receiver.ofType('charge.held').map((e) => e.data)).toEqual([expect.objectContaining({ balance: '36', charge: expect.objectContaining({ status: 'held', metadata: { job: 'j-1' } }) })]);
    expect(receiver.ofType('charge.released').map((e) => e.data)).toEqual([expect.objectContaining({ balance: '50', charge: expect.objectContaining({ status: 'released' }) })]);
  });

  it('delivers charge.released, with status expired, for a hold that timed out', async () => {
    const { admin, ledger, clock } = api;
    receiver = new Receiver(0);
    await receiver.start();
    await admin.post('/v1/webhooks', { url: receiver.url, events: ['charge.released'] });
    await admin.post('/v1/accounts', { id: 'late', pack: 'modelpix' });
    const hold = await admin.post('/v1/charges', { account: 'late', operation: 'generate', input: { tool: 'image_to_video', seconds: 2 }, capture: false });
    clock.advance(16 * 60); // ModelPix holds time out after 15 minutes
    expect((await admin.get('/v1/accounts/late')).body.balance).toBe('50');
    await ledger.webhooks.deliverDue();
    expect(receiver.ofType('charge.released').map((e) => e.data)).toEqual([expect.objectContaining({ balance: '50', charge: expect.objectContaining({ id: hold.body.id, status: 'expired' }) })]);
  });

  it("delivers statement.closed when a postpaid account's period closes", async () => {
    const { admin, ledger } = api;
    receiver = new Receiver(0);
    await receiver.start();
    expect((await admin.post('/v1/webhooks', { url: receiver.url, events: ['statement.closed'] })).status).toBe(201);
    await admin.post('/v1/accounts', { id: 'post', pack: 'pixelflow', billing: 'postpaid' });
    expect((await admin.post('/v1/charges', { account: 'post', operation: 'run_model', input: { model: 'flux-schnell', gpu_seconds: 1000 } })).status).toBe(201);
    const closed = await admin.post('/v1/accounts/post/close-period');
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    await ledger.webhooks.deliverDue();
    expect(receiver.ofType('statement.closed').map((e) => e.data)).toEqual([
      expect.objectContaining({ account: 'post', statement: expect.objectContaining({ id: closed.body.statement.id }) }),
    ]);
  });

  it('backs off 30 s, 1, 2, 4, … min up to an hour, and gives up after the last attempt', async () => {
    const { admin, ledger, clock } = api;
    receiver = new Receiver(Number.POSITIVE_INFINITY);
    await receiver.start();
    const hook = await admin.post('/v1/webhooks', { url: receiver.url, events: ['charge.captured'] });
    await admin.post('/v1/accounts', { id: 'down', pack: 'modelpix' });
    await admin.post('/v1/charges', { account: 'down', operation: 'generate', input: { tool: 'image_to_video', seconds: 1 } });
    const delays: number[] = [];
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      expect(await ledger.webhooks.deliverDue()).toMatchObject({ attempted: 1, delivered: 0, failed: 1 });
      const delay = retryDelayMs(attempt);
      if (delay === null) break;
      delays.push(delay / 1000);
      clock.advance(delay / 1000 - 1);
      expect((await ledger.webhooks.deliverDue()).attempted, `attempt ${attempt + 1} waits its back-off`).toBe(0);
      clock.advance(1);
    }
    expect(delays).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600, 3600]);
    clock.advance(86_400);
    expect((await ledger.webhooks.deliverDue()).attempted).toBe(0);
    expect(receiver.received.map((r) => r.attempt)).toEqual(Array.from({ length: MAX_ATTEMPTS }, (_, i) => String(i + 1)));
    const [delivery] = (await admin.get(`/v1/webhooks/${hook.body.id}/deliveries`)).body.deliveries;
    expect(delivery).toMatchObject({ status: 'failed', next_attempt_at: null });
    expect(delivery.attempts).toHaveLength(MAX_ATTEMPTS);
    expect(delivery.attempts[0]).toMatchObject({ response_status: 500, error: 'the endpoint answered 500' });
  });

  it('refuses a webhook that is missing what its events need, naming the field', async () => {
    const { admin } = api;
    receiver = new Receiver(0);
    await receiver.start();
    const noThreshold = await admin.post('/v1/webhooks', { url: receiver.url, events: ['balance.below_threshold'] });
    expect([noThreshold.status, noThreshold.body.code, noThreshold.body.errors[0].path]).toEqual([422, 'invalid_request', '/balance_below']);
    const badUrl = await admin.post('/v1/webhooks', { url: 'ftp://example.com/x', events: ['charge.held'] });
    expect([badUrl.status, badUrl.body.errors[0].path]).toEqual([422, '/url']);
    const badEvent = await admin.post('/v1/webhooks', { url: receiver.url, events: ['charge.exploded'] });
    expect([badEvent.status, badEvent.body.code]).toEqual([422, 'invalid_request']);
    const charger = await api.keyFor('charge', ['x']);
    expect((await charger.get('/v1/webhooks')).body.code).toBe('forbidden');
  });
});
