// The OpenAPI parts of the integration surface: lists with cursor pagination, metadata, webhook
// endpoints and their deliveries, and (under the document's `webhooks`) what a receiver gets.
// openapi.ts passes in its helpers, so the two files build one document the same way.
import { EVENT_TYPES } from '../ledger/events/types.ts';
import { METADATA_LIMITS } from '../ledger/metadata.ts';
import type { ProblemCode } from './problem-types.ts';

type Schema = Record<string, unknown>;
interface SchemaHelpers {
  object: (properties: Record<string, object>, required?: string[]) => object;
  ref: (name: string) => object;
  nullable: (s: object) => object;
  decimal: object;
  signedDecimal: object;
  amount: object;
  time: object;
  text: (maxLength: number) => object;
  accountId: object;
}

export function integrationComponents(h: SchemaHelpers): Record<string, object> {
  const { object, ref, nullable, decimal, time, text, accountId, amount } = h;
  const page = (key: string, item: string) => object({
    [key]: { type: 'array', items: ref(item) },
    has_more: { type: 'boolean', description: 'Whether another page follows.' },
    next_cursor: nullable({ type: 'string', description: 'Pass as `cursor` for the next page; null on the last.' }),
  }, [key, 'has_more', 'next_cursor']);
  const event = { enum: [...EVENT_TYPES] };
  return {
    Metadata: {
      type: 'object', additionalProperties: true, maxProperties: METADATA_LIMITS.keys,
      propertyNames: { minLength: 1, maxLength: METADATA_LIMITS.keyLength },
      description: `Your own data (e.g. the generation job a charge paid for), stored and returned as given: at most ${METADATA_LIMITS.keys} keys `
        + `of 1–${METADATA_LIMITS.keyLength} characters, ${METADATA_LIMITS.bytes} bytes as JSON. {} when none was given.`,
    },
    AccountPage: page('accounts', 'Account'),
    ChargePage: page('charges', 'Charge'),
    GrantListItem: object({
      id: { type: 'string' }, kind: { type: 'string' }, amount: decimal, remaining: decimal, effective_at: time, expires_at: nullable(time), source: { type: 'string' },
      state: { enum: ['active', 'pending', 'spent', 'expired'], description: 'active: spendable now; pending: effective later; spent: nothing left; expired: its expiry passed (what was left lapsed).' },
    }, ['id', 'kind', 'amount', 'remaining', 'effective_at', 'expires_at', 'source', 'state']),
    GrantPage: page('grants', 'GrantListItem'),
    WebhookRequest: object({
      url: { ...text(2048), description: 'An absolute http(s) URL; each event is POSTed to it.' },
      events: { type: 'array', minItems: 1, maxItems: EVENT_TYPES.length, uniqueItems: true, items: event },
      accounts: { type: 'array', maxItems: 1000, items: accountId, description: 'Only these accounts\' events (default: all).' },
      balance_below: { ...amount, description: 'With balance.below_threshold: alert when an account\'s balance falls below this (in its pack\'s unit); once per fall.' },
      expiring_within_days: { type: 'integer', minimum: 1, maximum: 365, description: 'With credits.expiring: announce grants with credits left this many days before they expire; once per grant.' },
      description: text(200),
      secret: { type: 'string', minLength: 16, maxLength: 200, pattern: '^[\\x21-\\x7e]+$', 'x-expected': '16–200 printable ASCII characters', description: 'The signing secret (default: one is made).' },
    }, ['url', 'events']),
    Webhook: object({
      id: { type: 'string' }, url: { type: 'string' }, events: { type: 'array', items: event }, accounts: { type: 'array', items: { type: 'string' } },
      balance_below: nullable(decimal), expiring_within_days: nullable({ type: 'integer' }), description: nullable({ type: 'string' }), created_at: time,
      secret: nullable({ type: 'string', description: 'The signing secret: in the response that created the webhook only. A replay (same Idempotency-Key) has null and a note.' }),
      note: { type: 'string' },
    }, ['id', 'url', 'events', 'accounts', 'balance_below', 'expiring_within_days', 'description', 'created_at']),
    WebhookList: object({ webhooks: { type: 'array', items: ref('Webhook') } }, ['webhooks']),
    Delivery: object({
      id: { type: 'string' }, webhook: { type: 'string' }, event_id: { type: 'string' }, event_type: event,
      status: { enum: ['pending', 'delivered', 'failed'], description: 'pending: to be (re)tried at next_attempt_at; delivered: a 2xx answer; failed: given up after the last retry.' },
      attempts: {
        type: 'array', items: object({ attempt: { type: 'integer' }, at: time, response_status: nullable({ type: 'integer' }), error: nullable({ type: 'string' }) }, ['attempt', 'at', 'response_status', 'error']),
      },
      next_attempt_at: nullable(time), created_at: time, delivered_at: nullable(time), payload: ref('WebhookEvent'),
    }, ['id', 'webhook', 'event_id', 'event_type', 'status', 'attempts', 'next_attempt_at', 'created_at', 'delivered_at', 'payload']),
    DeliveryPage: page('deliveries', 'Delivery'),
    WebhookEvent: object({
      id: { type: 'string', description: 'The event id, the same on every retry: apply an event once per id.' },
      type: event, created_at: time, account: nullable({ type: 'string' }),
      data: {
        type: 'object',
        description: 'charge.*: `charge` (as GET /v1/charges/{id}), `balance` after it, `refunded` on charge.refunded; plan.changed: `action`, `from`, `to`, `cancel_at_period_end`, `balance`; '
          + 'balance.below_threshold: `balance`, `threshold`, `cause` (the event that crossed it); credits.expiring: `grant`, `kind`, `remaining`, `expires_at`, `within_days`.',
      },
    }, ['id', 'type', 'created_at', 'account', 'data']),
  };
}

/* eslint-disable @typescript-eslint/no-explicit-any */
interface PathHelpers {
  read: (operationId: string, summary: string, ok: object, codes: ProblemCode[], parameters?: object[]) => any;
  mutation: (operationId: string, summary: string, scope: string, requestSchema: string | null, responseSchema: string, codes: ProblemCode[], params?: object[], status?: string) => any;
  problems: (codes: ProblemCode[]) => Record<string, object>;
  json: (schema: string, description?: string) => object;
  body: (schema: string) => object;
  pathParam: (n: string, description: string) => object;
  V1: ProblemCode[];
  IN_PATH: ProblemCode[];
}

export function integrationPaths(h: PathHelpers) {
  const { read, mutation, problems, json, body, pathParam, V1, IN_PATH } = h;
  const query = (name: string, schema: object, description: string) => ({ name, in: 'query', schema, description });
  const paging = [
    query('limit', { type: 'integer', minimum: 1, maximum: 100, default: 20 }, 'At most this many items.'),
    query('cursor', { type: 'string' }, 'next_cursor of the previous page.'),
  ];
  const webhookParam = pathParam('id', 'The webhook id (wh_…).');
  const LIST: ProblemCode[] = ['forbidden', 'invalid_request'];
  return {
    gets: {
      '/v1/accounts': read('listAccounts', 'Accounts in id order, each as GET /v1/accounts/{id} shows it (scope: admin; a charge key: the accounts it is bound to)', json('AccountPage'),
        [...LIST, 'unknown_pack'], [query('pack', { type: 'string' }, 'Only accounts of this pack.'), ...paging]),
      '/v1/charges': read('listCharges', 'Charges, newest first (scope: admin; a charge key: its accounts\' charges)', json('ChargePage'),
        [...LIST, 'forbidden_account'], [
          query('account', { type: 'string' }, 'Only this account\'s charges.'),
          query('status', { enum: ['held', 'captured', 'released', 'expired'] }, 'Only charges in this status.'),
          query('from', { type: 'string', format: 'date-time' }, 'Created at or after this time.'),
          query('to', { type: 'string', format: 'date-time' }, 'Created before this time.'),
          ...paging]),
      '/v1/accounts/{id}/grants': read('listGrants', "An account's grants, oldest first, spent and expired ones included, each with its state (scope: charge or admin)", json('GrantPage'),
        [...LIST, 'forbidden_account', 'account_not_found'], [pathParam('id', 'The account id.'), ...paging]),
    },
    paths: {
      '/v1/webhooks': {
        get: read('listWebhooks', 'Webhook endpoints, without their secrets (scope: admin)', json('WebhookList'), ['forbidden']),
        post: mutation('createWebhook', 'Subscribe an endpoint to events; the signing secret is in the first response only (a replay has secret null and a note)', 'admin',
          'WebhookRequest', 'Webhook', ['forbidden'], [], '201'),
      },
      '/v1/webhooks/{id}': {
        delete: {
          operationId: 'deleteWebhook', summary: 'Delete a webhook endpoint: nothing more is sent to it, its log stays readable no more (scope: admin)',
          parameters: [webhookParam],
          responses: { '200': json('Webhook'), ...problems([...V1, ...IN_PATH, 'invalid_request', 'forbidden', 'webhook_not_found']) },
        },
      },
      '/v1/webhooks/{id}/deliveries': {
        get: read('listWebhookDeliveries', "A webhook's deliveries, newest first, each with its attempts (scope: admin)", json('DeliveryPage'),
          [...LIST, 'webhook_not_found'], [webhookParam, ...paging]),
      },
    },
    webhooks: {
      creditsEvent: {
        post: {
          summary: 'What a webhook endpoint receives',
          description: 'POSTed as JSON with the headers Credits-Event-Id, Credits-Event-Type, Credits-Delivery-Attempt and Credits-Signature: `t=<unix seconds>,v1=<hex>`, '
            + 'v1 being HMAC-SHA256 with the webhook\'s secret over `<t>.<body>` (the raw body). Verify it, refuse an old t, and apply each event id once: '
            + 'an event may arrive more than once. Any 2xx answer is a delivery; anything else (or no answer within 10 s) is retried after 30 s, 1, 2, 4, 8, 16, 32 min, '
            + 'then hourly, 12 attempts in all.',
          requestBody: body('WebhookEvent'),
          responses: { '200': { description: 'Received (any 2xx)' } },
        },
      },
    },
  };
}
