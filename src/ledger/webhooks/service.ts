// Webhook endpoints (admin), their delivery log, and the delivery worker. The worker is one
// step, deliverDue(): dispatch the outbox into deliveries, then send what is due, each send
// outside any transaction and its outcome recorded after. It reads time only from the
// injected clock, so tests call it after moving their clock; a server calls it on an interval.
import { randomBytes } from 'node:crypto';
import { LedgerError } from '../errors.ts';
import { isReplay } from '../idempotency.ts';
import { MAX_AMOUNT_MINOR } from '../money.ts';
import type { AttemptRecord, DeliveryRecord, Position, WebhookEndpointRecord } from '../store/integration.ts';
import type { Store, WriteTx } from '../store/store.ts';
import { isoTime } from '../views.ts';
import { EVENT_TYPES, type EventType } from '../events/types.ts';
import { LEASE_SECONDS, retryDelayMs } from './backoff.ts';
import { dispatch } from './dispatch.ts';
import { SIGNATURE_HEADER, signature } from './signing.ts';
import { decodeCursor, pageOf, type Page } from '../cursor.ts';

export interface WebhookRequest {
  url: string;
  events: EventType[];
  accounts?: string[];
  balance_below?: string;
  expiring_within_days?: number;
  description?: string;
  secret?: string;
}

export interface WebhookView {
  id: string;
  url: string;
  events: EventType[];
  accounts: string[];
  balance_below: string | null;
  expiring_within_days: number | null;
  description: string | null;
  created_at: string;
}

export interface DeliveryView {
  id: string;
  webhook: string;
  event_id: string;
  event_type: string;
  status: DeliveryRecord['status'];
  attempts: { attempt: number; at: string; response_status: number | null; error: string | null }[];
  next_attempt_at: string | null;
  created_at: string;
  delivered_at: string | null;
  payload: unknown;
}

export interface DeliveryRun {
  /** Deliveries made from new events and alerts. */
  dispatched: number;
  attempted: number;
  delivered: number;
  /** Attempts that failed (the delivery is retried later, or given up). */
  failed: number;
}

export interface WebhookDeps {
  clock: () => number;
  decimals: (pack: string) => number;
  idempotently: <T>(key: string, request: object, work: (tx: WriteTx, now: number) => Promise<T>) => Promise<T>;
  /** How a delivery is sent; tests may pass their own. Default: fetch with a 10 s timeout. */
  send?: (url: string, init: { headers: Record<string, string>; body: string }) => Promise<number>;
}

const REPLAY_NOTE = 'This is a replay of an earlier request with the same Idempotency-Key: the webhook exists, but its secret is shown '
  + 'only in the first response. If it was lost, delete this webhook and create another.';
const SEND_TIMEOUT_MS = 10_000;
const BATCH = 50;

const view = (e: WebhookEndpointRecord): WebhookView => ({
  id: e.id, url: e.url, events: e.events as EventType[], accounts: e.accounts, balance_below: e.balanceBelow,
  expiring_within_days: e.expiringWithinDays, description: e.description, created_at: isoTime(e.createdAt),
});

function deliveryView(d: DeliveryRecord, attempts: AttemptRecord[]): DeliveryView {
  return {
    id: d.id, webhook: d.endpointId, event_id: d.eventId, event_type: d.eventType, status: d.status,
    attempts: attempts.map((a) => ({ attempt: a.attempt, at: isoTime(a.at), response_status: a.responseStatus, error: a.error })),
    next_attempt_at: d.status === 'pending' && d.nextAttemptAt !== null ? isoTime(d.nextAttemptAt) : null,
    created_at: isoTime(d.createdAt), delivered_at: d.deliveredAt === null ? null : isoTime(d.deliveredAt),
    payload: JSON.parse(d.payload),
  };
}

async function fetchSend(url: string, init: { headers: Record<string, string>; body: string }): Promise<number> {
  const res = await fetch(url, { method: 'POST', headers: init.headers, body: init.body, redirect: 'manual', signal: AbortSignal.timeout(SEND_TIMEOUT_MS) });
  await res.body?.cancel();
  return res.status;
}

const invalid = (field: string, keyword: string, message: string) =>
  new LedgerError('invalid_request', message, { errors: [{ path: `/${field}`, keyword, message }] });

export class Webhooks {
  private running: Promise<DeliveryRun> | undefined;
  private readonly send: NonNullable<WebhookDeps['send']>;

  constructor(private readonly store: Store, private readonly deps: WebhookDeps) {
    this.send = deps.send ?? fetchSend;
  }

  /** Creates an endpoint. The secret is in this result only: a replay has `secret: null` and a note. */
  async create(req: WebhookRequest, key: string): Promise<{ webhook: WebhookView & { secret: string | null; note?: string }; replayed: boolean }> {
    checkRequest(req);
    const secret = req.secret ?? `whsec_${randomBytes(24).toString('base64url')}`;
    const id = `wh_${randomBytes(12).toString('hex')}`;
    // The stored response (for replays) never holds the secret; the request hash neither.
    const { secret: _given, ...hashed } = req;
    const created = await this.deps.idempotently(key, { op: 'create_webhook', ...hashed, secret_given: req.secret !== undefined }, async (tx, now) => {
      const record: WebhookEndpointRecord = {
        id, url: req.url, secret, events: [...new Set(req.events)], accounts: [...new Set(req.accounts ?? [])],
        balanceBelow: req.balance_below ?? null, expiringWithinDays: req.expiring_within_days ?? null,
        description: req.description ?? null, createdAt: now, deletedAt: null,
      };
      await tx.integration.insertEndpoint(record);
      return view(record);
    });
    const replayed = isReplay(created);
    return { webhook: replayed ? { ...created, secret: null, note: REPLAY_NOTE } : { ...created, secret }, replayed };
  }

  async list(): Promise<WebhookView[]> {
    return (await this.store.read((tx) => tx.integration.endpoints())).map(view);
  }

  async delete(id: string): Promise<WebhookView> {
    return this.store.transaction(async (tx) => {
      const e = await tx.integration.endpoint(id);
      if (!e || !(await tx.integration.deleteEndpoint(id, this.deps.clock()))) throw new LedgerError('webhook_not_found', `no webhook '${id}'`);
      return view(e);
    });
  }

  async deliveries(id: string, cursor: string | undefined, limit: number): Promise<Page<'deliveries', DeliveryView>> {
    const before = cursor === undefined ? null : decodeCursor(cursor);
    return this.store.read(async (tx) => {
      if (!(await tx.integration.endpoint(id))) throw new LedgerError('webhook_not_found', `no webhook '${id}'`);
      const rows = await tx.integration.deliveries(id, before, limit + 1);
      return pageOf('deliveries', rows, limit, (r) => deliveryView(r.delivery, r.attempts), ({ delivery }) => ({ at: delivery.createdAt, id: delivery.id }));
    });
  }

  /** One step of the worker; overlapping calls share the run in progress. */
  deliverDue(): Promise<DeliveryRun> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Resolves once no run is in progress (before closing the store). */
  async idle(): Promise<void> {
    await this.running?.catch(() => undefined);
  }

  private async run(): Promise<DeliveryRun> {
    const now = this.deps.clock();
    const dispatched = await this.store.transaction((tx) => dispatch(tx.integration, now, this.deps.decimals));
    const leased = await this.store.transaction(async (tx) => {
      const due = await tx.integration.dueDeliveries(now, BATCH);
      const mine = [];
      for (const d of due) {
        if (await tx.integration.leaseDelivery(d.delivery.id, d.delivery.nextAttemptAt!, now + LEASE_SECONDS * 1000)) mine.push(d);
      }
      return mine;
    });
    const outcomes = await Promise.all(leased.map(({ delivery, endpoint }) => this.attempt(delivery, endpoint)));
    const delivered = outcomes.filter(Boolean).length;
    return { dispatched, attempted: outcomes.length, delivered, failed: outcomes.length - delivered };
  }

  private async attempt(d: DeliveryRecord, endpoint: WebhookEndpointRecord): Promise<boolean> {
    const at = this.deps.clock();
    const attempt = d.attempts + 1;
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'credit-rules-webhooks/1',
      'credits-event-id': d.eventId,
      'credits-event-type': d.eventType,
      'credits-delivery-attempt': String(attempt),
      [SIGNATURE_HEADER.toLowerCase()]: signature(endpoint.secret, Math.floor(at / 1000), d.payload),
    };
    let status: number | null = null;
    let error: string | null = null;
    try {
      status = await this.send(endpoint.url, { headers, body: d.payload });
      if (status < 200 || status > 299) error = `the endpoint answered ${status}`;
    } catch (e) {
      error = e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 500) : 'the request failed';
    }
    const ok = error === null;
    const delay = ok ? null : retryDelayMs(attempt);
    await this.store.transaction((tx) => tx.integration.recordAttempt(
      { deliveryId: d.id, attempt, at, responseStatus: status, error },
      { status: ok ? 'delivered' : delay === null ? 'failed' : 'pending', nextAttemptAt: ok || delay === null ? null : at + delay },
    ));
    return ok;
  }
}

function checkRequest(req: WebhookRequest): void {
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    throw invalid('url', 'format', `url must be an absolute http or https URL, got ${JSON.stringify(req.url.slice(0, 100))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('url', 'format', `url must use http or https, not ${url.protocol}`);
  if (url.username || url.password) throw invalid('url', 'format', 'url must not carry credentials: the signature authenticates deliveries');
  for (const [i, t] of req.events.entries()) {
    if (!EVENT_TYPES.includes(t)) throw invalid(`events/${i}`, 'enum', `events[${i}] is not an event type: ${EVENT_TYPES.join(', ')}`);
  }
  const wantsLow = req.events.includes('balance.below_threshold');
  if (wantsLow !== (req.balance_below !== undefined)) {
    throw invalid('balance_below', 'required', wantsLow ? 'balance.below_threshold needs balance_below: the balance to alert below' : 'balance_below is only for the balance.below_threshold event');
  }
  if (req.balance_below !== undefined && BigInt(req.balance_below.split('.')[0]!) > MAX_AMOUNT_MINOR) throw invalid('balance_below', 'maximum', 'balance_below is too large');
  const wantsExpiring = req.events.includes('credits.expiring');
  if (wantsExpiring !== (req.expiring_within_days !== undefined)) {
    throw invalid('expiring_within_days', 'required', wantsExpiring ? 'credits.expiring needs expiring_within_days: how many days ahead to announce' : 'expiring_within_days is only for the credits.expiring event');
  }
}
