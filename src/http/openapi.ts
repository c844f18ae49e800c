// The API's contract, OpenAPI 3.1 (JSON Schema 2020-12). Request bodies are validated
// against these schemas, and the tests validate every response against them: each status
// and problem code a route answers with must be listed on that route.
import { MAX_BODY_DEPTH, PROBLEM_CODES, PROBLEM_TYPES, STATUS_TITLES, type ProblemCode } from './problem-types.ts';

// `x-expected` (an OpenAPI extension, ignored by validators) says in words what a value must
// be: a refused request names the field and this, never the pattern.
const decimal = {
  type: 'string', pattern: '^(0|[1-9][0-9]*)(\\.[0-9]+)?$', description: 'A non-negative exact decimal, as a string.', examples: ['7', '0.0225'],
  'x-expected': 'a non-negative decimal string such as "12.5"',
};
// An amount a request gives: at most 10^15 minor units of the pack (MAX_AMOUNT_MINOR; e.g.
// 1,000,000,000 at 6 decimals): a larger one is refused with invalid_amount.
const amount = {
  ...decimal, maxLength: 64,
  description: 'A non-negative exact decimal, as a string; at most 10^15 minor units of the pack (1000000000 usd at 6 decimals, 10^15 credits at 0), or invalid_amount.',
};
const signedDecimal = { type: 'string', pattern: '^-?(0|[1-9][0-9]*)(\\.[0-9]+)?$', 'x-expected': 'a decimal string such as "-12.5"' };
const time = { type: 'string', format: 'date-time', 'x-expected': 'an ISO 8601 date-time such as "2026-03-10T12:00:00Z"' };
const nullable = (s: object) => ({ oneOf: [s, { type: 'null' }] });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const name = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.-]*$', maxLength: 100, 'x-expected': 'a name of letters, digits, _, . or - (not starting with a digit, . or -)' };
const accountId = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$', 'x-expected': 'an account id of 1–64 letters, digits, _ or -' };
// Strings that reach the store or a message: no control characters (C0, DEL, C1) and no
// unpaired surrogates, which PostgreSQL refuses (NUL) or would store as U+FFFD.
export const PLAIN_TEXT = '^[^\\p{Cc}\\p{Cs}]*$';
const text = (maxLength: number) => ({ type: 'string', maxLength, pattern: PLAIN_TEXT, 'x-expected': 'text without control characters' });
const input = { type: 'object', description: "The operation's inputs by name (see the operation's schema).", additionalProperties: true };

const object = (properties: Record<string, object>, required: string[] = []) => ({ type: 'object', additionalProperties: false, properties, required });

const schemas = {
  Problem: {
    type: 'object',
    required: ['type', 'title', 'status', 'code'],
    properties: {
      type: { type: 'string', pattern: '^/problems/[a-z_]+$', description: 'A URI reference relative to this server: GET it for a page saying what the code means and how to fix it.' },
      title: { type: 'string', description: "The HTTP status's reason phrase." },
      status: { type: 'integer' }, detail: { type: 'string', description: 'What went wrong in this request, in words.' },
      code: ref('ErrorCode'),
      instance: { type: 'string', description: 'The path of the request.' },
      errors: {
        type: 'array',
        description: 'On invalid_request: each refusal of the body, for machines (the detail says the same in words).',
        items: {
          type: 'object', required: ['path', 'keyword', 'message'],
          properties: {
            path: { type: 'string', description: 'JSON pointer to the value refused (/ for the body itself).' },
            keyword: { type: 'string', description: 'The JSON Schema keyword that refused it: type, pattern, required, additionalProperties, enum, …' },
            message: { type: 'string', description: 'The refusal in words, naming the field.' },
            field: { type: 'string', description: 'The unknown or missing field (additionalProperties, required).' },
          },
        },
      },
    },
  },
  ErrorCode: {
    type: 'string',
    enum: PROBLEM_CODES,
    description: 'Stable machine-readable code of a problem; each code always comes with the same HTTP status.\n\n| code | status | meaning |\n|---|---|---|\n'
      + PROBLEM_CODES.map((c) => `| ${c} | ${PROBLEM_TYPES[c].status} | ${PROBLEM_TYPES[c].meaning} |`).join('\n'),
    'x-enum-descriptions': PROBLEM_CODES.map((c) => PROBLEM_TYPES[c].meaning),
    'x-status': Object.fromEntries(PROBLEM_CODES.map((c) => [c, PROBLEM_TYPES[c].status])),
  },
  Health: object({ status: { const: 'ok' }, store: { enum: ['sqlite', 'postgres'] } }, ['status', 'store']),
  Readiness: object({ status: { const: 'ready' }, store: { enum: ['sqlite', 'postgres'] } }, ['status', 'store']),
  Pack: object({
    name: { type: 'string' }, title: { type: 'string' }, description: { type: 'string' }, unit: { enum: ['credits', 'usd'] }, decimals: { type: 'integer' },
    versions: { type: 'array', items: object({ version: { type: 'string' }, effective: time }, ['version', 'effective']) },
    operations: { type: 'array', items: { type: 'string' } },
    chargeable: { type: 'array', items: { type: 'string' } },
    grant_kinds: { type: 'array', items: { type: 'string' } },
    plans: { type: 'array', items: { type: 'string' } },
  }, ['name', 'unit', 'decimals', 'versions', 'operations', 'chargeable', 'grant_kinds', 'plans']),
  PackList: object({ packs: { type: 'array', items: ref('Pack') } }, ['packs']),
  QuoteRequest: object({
    pack: name, operation: name, input, account: accountId,
    explain: { type: 'boolean', description: 'Include every cell with its formula and value.' },
  }, ['pack', 'operation', 'input']),
  Quote: object({
    quote_id: nullable({ type: 'string', description: 'What POST /v1/charges takes instead of the operation and input. Null when there is nothing to charge: the quote has rejections, or the operation is not chargeable (amount null).' }),
    expires_at: nullable({ ...time, description: 'Until when quote_id can be charged; null with quote_id.' }), pack: { type: 'string' }, operation: { type: 'string' },
    version: { type: 'string' }, account: nullable({ type: 'string' }), input, account_inputs: { type: 'object' },
    outputs: { type: 'object' }, amount: nullable(decimal),
    rejections: { type: 'array', items: { type: 'object', required: ['message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
    trace: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, formula: { type: 'string' }, value: {} } } },
  }, ['quote_id', 'expires_at', 'pack', 'operation', 'version', 'account', 'input', 'account_inputs', 'outputs', 'amount', 'rejections']),
  ChargeRequest: {
    oneOf: [
      object({ account: accountId, quote_id: text(8192), capture: { type: 'boolean', default: true } }, ['account', 'quote_id']),
      object({ account: accountId, pack: name, operation: name, input, capture: { type: 'boolean', default: true } }, ['account', 'operation', 'input']),
    ],
  },
  Charge: object({
    id: { type: 'string' }, account: { type: 'string' }, pack: { type: 'string' }, operation: { type: 'string' }, version: { type: 'string' },
    input,
    status: { enum: ['held', 'captured', 'released', 'expired'], description: 'Where the hold is: held (reserved), captured, released, or expired (released by its timeout). Refunds do not change it: see refund_status.' },
    held: { ...decimal, description: 'The amount the hold reserved. A capture of another amount leaves it as it was.' },
    captured: nullable({ ...decimal, description: 'The amount captured (null until captured).' }),
    refunded: { ...decimal, description: 'The total refunded so far, never more than captured.' },
    refund_status: { enum: ['none', 'partial', 'full'], description: 'none: nothing refunded; partial: part of the captured amount; full: all of it (a further refund is refused with nothing_to_refund).' },
    draws: {
      type: 'array',
      description: 'The grants the charge takes from, one item per grant (grant null: the overdraft), in the order first drawn on. Their amounts add up to the amount held, or once captured to the amount captured.',
      items: object({
        grant: nullable({ type: 'string' }), kind: nullable({ type: 'string' }), expires_at: nullable({ ...time, description: "The grant's expiry; null: never, or the overdraft." }),
        amount: { ...decimal, description: 'Taken from this grant (net of what a capture gave back).' }, refunded: { ...decimal, description: 'Credited back to this grant by refunds.' },
      }, ['grant', 'kind', 'expires_at', 'amount', 'refunded']),
    },
    created_at: time, expires_at: time, resolved_at: nullable(time),
  }, ['id', 'account', 'pack', 'operation', 'version', 'input', 'status', 'held', 'captured', 'refunded', 'refund_status', 'draws', 'created_at', 'expires_at', 'resolved_at']),
  CaptureRequest: object({ amount, usage: { type: 'object', description: 'Inputs to re-price with, e.g. the seconds actually rendered: only those the pack declares as usage for the operation (ledger.yaml usage_inputs); any other is refused with invalid_usage. Priced by the rule version in force when the charge was held.', additionalProperties: true } }),
  RefundRequest: object({ outcome: text(100), amount }),
  Refund: object({ refunded: decimal, charge: ref('Charge') }, ['refunded', 'charge']),
  AccountRequest: object({
    id: accountId, pack: name, plan: text(100), billing: { enum: ['prepaid', 'postpaid'] },
    overdraft_limit: amount, time_zone: text(64),
  }, ['pack']),
  Account: object({
    id: { type: 'string' }, pack: { type: 'string' }, unit: { enum: ['credits', 'usd'] }, plan: nullable({ type: 'string' }),
    billing: { enum: ['prepaid', 'postpaid'] }, time_zone: { type: 'string' }, balance: signedDecimal, available: decimal,
    overdraft_limit: decimal, overdraft_used: decimal,
    balances: { type: 'array', items: object({ kind: { type: 'string' }, remaining: decimal, grants: { type: 'array', items: object({ id: { type: 'string' }, remaining: decimal, expires_at: nullable(time) }, ['id', 'remaining', 'expires_at']) } }, ['kind', 'remaining', 'grants']) },
    subscription: nullable(object({ plan: nullable({ type: 'string' }), period: { type: 'integer' }, period_start: nullable(time), period_end: nullable(time), cancel_at_period_end: { type: 'boolean' } }, ['plan', 'period', 'period_start', 'period_end', 'cancel_at_period_end'])),
    created_at: time,
  }, ['id', 'pack', 'unit', 'plan', 'billing', 'time_zone', 'balance', 'available', 'overdraft_limit', 'overdraft_used', 'balances', 'subscription', 'created_at']),
  Grant: object({ id: { type: 'string' }, kind: { type: 'string' }, amount: decimal, remaining: decimal, effective_at: time, expires_at: nullable(time), source: { type: 'string' } },
    ['id', 'kind', 'amount', 'remaining', 'effective_at', 'expires_at', 'source']),
  GrantRequest: object({ kind: name, amount, expires_at: time }, ['kind', 'amount']),
  TopupRequest: object({ input }, ['input']),
  MembershipRequest: {
    oneOf: [
      object({ action: { enum: ['subscribe', 'upgrade'] }, plan: text(100) }, ['action', 'plan']),
      object({ action: { const: 'cancel' } }, ['action']),
    ],
  },
  GrantEventResult: object({ grants: { type: 'array', items: ref('Grant') }, outputs: { type: 'object' }, account: ref('Account') }, ['grants', 'outputs', 'account']),
  SettleResult: object({ settled: { ...decimal, description: 'What the overdraft owed and is now paid (0 when nothing was owed).' }, account: ref('Account') }, ['settled', 'account']),
  MembershipResult: object({ account: ref('Account'), outputs: { type: 'object' } }, ['account', 'outputs']),
  EntryPage: object({
    entries: { type: 'array', items: object({
      seq: { type: 'integer' },
      at: time,
      kind: {
        enum: ['grant', 'hold', 'capture', 'capture_return', 'capture_extra', 'release', 'hold_expired', 'refund', 'forfeit', 'rollover', 'overdraft_payment', 'settlement'],
        description: 'grant: credits granted; hold: reserved for a charge; capture_extra: drawn at capture beyond the hold; capture: captured '
          + '(converts the reservation, so it changes no balance); capture_return: the unused part of a hold, returned at capture; '
          + 'release / hold_expired: a hold returned, by request or by its timeout; refund: credited back; forfeit: not credited back '
          + 'because the grant had expired (the pack\'s policy); rollover: a period grant\'s leftover moved into the next period\'s grant; '
          + 'overdraft_payment: a postpaid account\'s new credits paying what its overdraft owes (one entry on the grant, one on the overdraft); '
          + 'settlement: the billed usage recorded as paid (POST /v1/accounts/{id}/settle), clearing the overdraft.',
      },
      amount: { ...decimal, description: 'What the entry moved, as its kind says: summed per kind, that kind\'s total (e.g. all capture entries: the total captured).' },
      balance_change: { ...signedDecimal, description: "The change to the grant's remaining credits (grant null: to the balance through the overdraft, negative = more owed). Summed per grant, the grant's remaining: the log rebuilds every balance." },
      grant: nullable({ type: 'string' }), charge: nullable({ type: 'string' }), memo: nullable({ type: 'string' }),
    }, ['seq', 'at', 'kind', 'amount', 'balance_change', 'grant', 'charge', 'memo']) },
    next_after: nullable({ type: 'integer' }),
  }, ['entries', 'next_after']),
  Usage: object({
    account: { type: 'string' }, requests_today: { type: 'integer' }, requests_this_month: { type: 'integer' }, requests_total: { type: 'integer' },
    spend_today: decimal, spend_this_month: decimal, spend_total: decimal,
  }, ['account', 'requests_today', 'requests_this_month', 'requests_total', 'spend_today', 'spend_this_month', 'spend_total']),
  KeyRequest: object({ scope: { enum: ['quote', 'charge', 'admin'] }, accounts: { type: 'array', maxItems: 1000, items: accountId }, label: text(200) }, ['scope']),
  ApiKey: object({
    id: { type: 'string' }, scope: { enum: ['quote', 'charge', 'admin'] }, accounts: { type: 'array', items: { type: 'string' } },
    label: nullable({ type: 'string' }), created_at: time, revoked_at: nullable(time),
    key: nullable({
      type: 'string',
      description: 'The secret, in the response that created the key and nowhere else: the server keeps only its hash. '
        + 'A replay (same Idempotency-Key) has `key: null` and a `note`; a lost secret means creating a new key and revoking this one.',
    }),
    note: { type: 'string', description: 'Why `key` is null on a replayed creation.' },
  }, ['id', 'scope', 'accounts', 'label', 'created_at', 'revoked_at']),
  ApiKeyList: object({ keys: { type: 'array', items: ref('ApiKey') } }, ['keys']),
};

const json = (schema: string, description = 'OK') => ({ description, content: { 'application/json': { schema: ref(schema) } } });
const body = (schema: string) => ({ required: true, content: { 'application/json': { schema: ref(schema) } } });

// The problems a route can answer with, by code; the document lists them under their statuses.
type Code = ProblemCode;
// express.json() reads a JSON body sent with any request, so any request can be refused for it.
const READ: Code[] = ['invalid_json', 'invalid_body', 'body_too_large', 'unsupported_media_type', 'internal'];
const V1: Code[] = [...READ, 'unauthorized'];
const IN_PATH: Code[] = ['invalid_path'];
const BODY: Code[] = ['forbidden_key', 'too_deep', 'invalid_request'];
const NO_BODY: Code[] = ['invalid_request'];
const RETRIED: Code[] = ['idempotency_key_required', 'invalid_idempotency_key', 'idempotency_conflict'];
const RULES: Code[] = ['invalid_input', 'quote_rejected', 'invalid_amount'];

function problems(codes: Code[]): Record<string, object> {
  const byStatus = new Map<number, Code[]>();
  for (const c of new Set(codes)) {
    const status = PROBLEM_TYPES[c].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), c]);
  }
  return Object.fromEntries([...byStatus].sort(([a], [b]) => a - b).map(([status, cs]) => [String(status), {
    description: `${STATUS_TITLES[status as keyof typeof STATUS_TITLES]}: ${cs.join(', ')} (GET /problems/{code} explains each)`,
    ...(status === 401 ? { headers: { 'WWW-Authenticate': { $ref: '#/components/headers/WWW-Authenticate' } } } : {}),
    content: { 'application/problem+json': { schema: { allOf: [ref('Problem'), { properties: { status: { const: status }, code: { enum: cs } } }] } } },
  }]));
}

const replayable = (response: object) => ({ ...response, headers: { 'Idempotent-Replayed': { $ref: '#/components/headers/Idempotent-Replayed' } } });
const idempotencyKey = { $ref: '#/components/parameters/IdempotencyKey' };
const pathParam = (n: string, description: string) => ({ name: n, in: 'path', required: true, description, schema: { type: 'string' } });
const accountParam = pathParam('id', 'The account id.');
const chargeParam = pathParam('id', 'The charge id, as POST /v1/charges returned it.');

/** A read of /v1. */
const read = (operationId: string, summary: string, ok: object, codes: Code[], parameters: object[] = []) => ({
  operationId, summary, ...(parameters.length ? { parameters } : {}),
  responses: { '200': ok, ...problems([...V1, ...(parameters.some((p) => (p as { in?: string }).in === 'path') ? IN_PATH : []), ...codes]) },
});

/** A POST of /v1 that changes state, under an Idempotency-Key. */
const mutation = (operationId: string, summary: string, scope: string, requestSchema: string | null, responseSchema: string, codes: Code[], params: object[] = [], status = '200') => ({
  operationId,
  summary: `${summary} (scope: ${scope})`,
  parameters: [...params, idempotencyKey],
  ...(requestSchema ? { requestBody: body(requestSchema) } : {}),
  responses: {
    [status]: replayable(json(responseSchema)),
    ...problems([...V1, ...(params.length ? IN_PATH : []), ...(requestSchema ? BODY : NO_BODY), ...RETRIED, ...codes]),
  },
});

/** An unauthenticated route outside /v1. */
const open = (operationId: string, summary: string, ok: object, codes: Code[] = [], parameters: object[] = []) => ({
  operationId, summary, security: [], ...(parameters.length ? { parameters } : {}), responses: { '200': ok, ...problems([...READ, ...codes]) },
});

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Credit rules API',
    version: '1.0.0',
    description: 'Quotes, holds, charges, refunds and grants of credits, priced by YAML rule packs. Amounts are exact decimal strings.\n\n'
      + 'Errors are RFC 9457 problem+json with a stable `code` (ErrorCode, each with one status); their `type`, `/problems/<code>`, '
      + 'is a page on this server saying what the code means and how to fix it. Each operation lists the statuses and codes it answers with. '
      + 'A known path with a method it does not take answers 405 method_not_allowed with an `Allow` header.\n\n'
      + `A body may nest objects and arrays at most ${MAX_BODY_DEPTH} levels deep (too_deep). Ids and names, in paths and bodies, `
      + 'and the text a request stores (labels) never contain control characters (invalid_path, invalid_request).',
    license: { name: 'MIT', identifier: 'MIT' },
  },
  servers: [{ url: '/' }],
  security: [{ bearer: [] }],
  components: {
    securitySchemes: {
      bearer: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer crk_…` (the scheme in any case). Scopes: quote, charge (bound accounts), admin.' },
      metricsToken: { type: 'http', scheme: 'bearer', description: "The server's METRICS_TOKEN, when it sets one." },
    },
    headers: {
      'WWW-Authenticate': {
        required: true,
        description: 'The challenge: `Bearer realm="credits"`, with `error="invalid_token"` when the key sent is unknown or revoked.',
        schema: { type: 'string' },
      },
      'Idempotent-Replayed': {
        description: '`true` when this is the stored response of an earlier request with the same Idempotency-Key: nothing was done again. Absent on the first response.',
        schema: { type: 'string', const: 'true' },
      },
    },
    parameters: {
      IdempotencyKey: {
        name: 'Idempotency-Key', in: 'header', required: true,
        description: 'Any unique string (1–255 printable characters). A retry with the same key returns the first result; the same key with other parameters is refused. Keys never expire.',
        schema: { type: 'string', minLength: 1, maxLength: 255 },
      },
    },
    schemas,
  },
  paths: {
    '/healthz': { get: open('getHealth', 'Liveness: the process answers (no store round trip)', json('Health')) },
    '/readyz': { get: open('getReadiness', 'Readiness: the store answers and the server is not shutting down', json('Readiness'), ['not_ready']) },
    '/metrics': {
      get: {
        ...open('getMetrics', 'Prometheus metrics (a bearer token when the server sets METRICS_TOKEN)', {
          description: 'The Prometheus text exposition format, version 0.0.4',
          content: { 'text/plain': { schema: { type: 'string' } } },
        }, ['unauthorized']),
        security: [{}, { metricsToken: [] }],
      },
    },
    '/openapi.json': { get: open('getOpenApiDocument', 'This document', { description: 'The OpenAPI 3.1 document', content: { 'application/json': { schema: { type: 'object' } } } }) },
    '/problems/{code}': {
      get: open('getProblemType', 'What a problem code means, its status and how to fix it: where a problem\'s type points', {
        description: 'A short HTML page',
        content: { 'text/html': { schema: { type: 'string' } } },
      }, ['invalid_path', 'not_found'], [pathParam('code', 'A problem code (ErrorCode); an unknown one is a 404.')]),
    },
    '/v1/packs': { get: read('listPacks', 'The loaded rule packs (any scope)', json('PackList'), []) },
    '/v1/packs/{pack}/operations/{operation}/schema': {
      get: read('getOperationSchema', "An operation's input JSON Schema, to build a form from (any scope)",
        { description: 'A JSON Schema', content: { 'application/json': { schema: { type: 'object' } } } },
        ['unknown_pack', 'unknown_operation'], [pathParam('pack', 'A pack name.'), pathParam('operation', 'An operation of the pack.')]),
    },
    '/v1/quotes': {
      post: {
        operationId: 'createQuote',
        summary: 'Price an operation; with an account, its plan and usage feed the rule (scope: quote)',
        requestBody: body('QuoteRequest'),
        responses: {
          '200': json('Quote'),
          ...problems([...V1, ...BODY, ...RULES, 'forbidden_account', 'pack_not_found', 'unknown_operation', 'account_not_found']),
        },
      },
    },
    '/v1/charges': {
      post: mutation('createCharge', 'Hold (and by default capture) the price of an operation', 'charge', 'ChargeRequest', 'Charge', [
        ...RULES, 'forbidden', 'forbidden_account', 'account_not_found', 'pack_not_found', 'unknown_operation', 'not_chargeable',
        'quote_invalid', 'quote_expired', 'quote_changed', 'insufficient_credits',
      ], [], '201'),
    },
    '/v1/charges/{id}': {
      get: read('getCharge', "A charge with the grants it drew on (scope: charge). A charge of an account the key is not bound to is a 404, like one that doesn't exist", json('Charge'), ['forbidden', 'charge_not_found'], [chargeParam]),
    },
    '/v1/charges/{id}/capture': {
      post: mutation('captureCharge', 'Capture a hold: the held amount, an actual amount, or the price of the actual usage', 'charge', 'CaptureRequest', 'Charge', [
        ...RULES, 'forbidden', 'charge_not_found', 'hold_already_resolved', 'hold_expired', 'insufficient_credits', 'invalid_usage', 'not_chargeable',
      ], [chargeParam]),
    },
    '/v1/charges/{id}/release': {
      post: mutation('releaseCharge', 'Release a hold', 'charge', null, 'Charge', ['forbidden', 'charge_not_found', 'hold_already_resolved', 'hold_expired'], [chargeParam]),
    },
    '/v1/charges/{id}/refund': {
      post: mutation(
        'refundCharge',
        "Refund a captured charge by the pack's refund rule. A charge with nothing left to refund (refunded in full, or captured at 0) is refused with 409 nothing_to_refund, changing nothing; a retry with the same Idempotency-Key replays the first result",
        'charge', 'RefundRequest', 'Refund',
        [...RULES, 'forbidden', 'charge_not_found', 'not_captured', 'nothing_to_refund', 'refund_exceeds_capture', 'not_supported'], [chargeParam]),
    },
    '/v1/accounts': {
      post: mutation('createAccount', 'Create an account', 'admin', 'AccountRequest', 'Account', [...RULES, 'forbidden', 'pack_not_found', 'account_exists', 'not_supported'], [], '201'),
    },
    '/v1/accounts/{id}': {
      get: read('getAccount', 'Balance by grant kind with expiries (scope: charge or admin)', json('Account'), ['forbidden', 'forbidden_account', 'account_not_found'], [accountParam]),
    },
    '/v1/accounts/{id}/entries': {
      get: read('listAccountEntries', 'The append-only log, oldest first (scope: charge or admin)', json('EntryPage'),
        ['forbidden', 'forbidden_account', 'account_not_found', 'invalid_request'], [accountParam,
          { name: 'after', in: 'query', schema: { type: 'integer', minimum: 0 }, description: 'Entries after this seq (next_after of the previous page).' },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 }, description: 'At most this many entries.' }]),
    },
    '/v1/accounts/{id}/usage': {
      get: read('getAccountUsage', 'Requests today, this month and in total, and spend (scope: charge or admin)', json('Usage'), ['forbidden', 'forbidden_account', 'account_not_found'], [accountParam]),
    },
    '/v1/accounts/{id}/grants': {
      post: mutation('createGrant', 'Grant credits of a kind the pack defines', 'admin', 'GrantRequest', 'Grant',
        ['forbidden', 'account_not_found', 'unknown_grant_kind', 'invalid_amount', 'not_supported'], [accountParam], '201'),
    },
    '/v1/accounts/{id}/topups': {
      post: mutation('createTopup', "A top-up: purchased credits and the pack's bonus", 'admin', 'TopupRequest', 'GrantEventResult',
        [...RULES, 'forbidden', 'account_not_found', 'not_supported'], [accountParam], '201'),
    },
    '/v1/accounts/{id}/daily-claim': {
      post: mutation('claimDailyCredits', "Claim today's daily credits (once per account-local day)", 'charge or admin', null, 'GrantEventResult',
        [...RULES, 'forbidden', 'forbidden_account', 'account_not_found', 'already_claimed', 'not_supported'], [accountParam], '201'),
    },
    '/v1/accounts/{id}/settle': {
      post: mutation('settleAccount', "Record a postpaid account's billed usage as paid: the overdraft it owes is settled and free again", 'admin', null, 'SettleResult',
        ['forbidden', 'account_not_found', 'not_supported'], [accountParam]),
    },
    '/v1/accounts/{id}/membership': {
      post: mutation('changeMembership', 'Subscribe, upgrade or cancel', 'admin', 'MembershipRequest', 'MembershipResult',
        [...RULES, 'forbidden', 'account_not_found', 'not_supported'], [accountParam]),
    },
    '/v1/keys': {
      get: read('listApiKeys', 'API keys, without secrets (scope: admin)', json('ApiKeyList'), ['forbidden']),
      post: mutation('createApiKey', 'Create an API key; the secret is in the first response only (a replay has key null and a note)', 'admin', 'KeyRequest', 'ApiKey', ['forbidden'], [], '201'),
    },
    '/v1/keys/{id}/revoke': {
      post: mutation('revokeApiKey', 'Revoke an API key', 'admin', null, 'ApiKey', ['forbidden', 'key_not_found'], [pathParam('id', 'The key id (key_…).')]),
    },
  },
};
