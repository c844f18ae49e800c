// The API's contract, OpenAPI 3.1 (JSON Schema 2020-12). Request bodies are validated
// against these schemas, and the tests validate every response against them.

const decimal = { type: 'string', pattern: '^(0|[1-9][0-9]*)(\\.[0-9]+)?$', description: 'A non-negative exact decimal, as a string.', examples: ['7', '0.0225'] };
const signedDecimal = { type: 'string', pattern: '^-?(0|[1-9][0-9]*)(\\.[0-9]+)?$' };
const time = { type: 'string', format: 'date-time' };
const nullable = (s: object) => ({ oneOf: [s, { type: 'null' }] });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const name = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_.-]*$', maxLength: 100 };
const accountId = { type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' };
const input = { type: 'object', description: "The operation's inputs by name (see the operation's schema).", additionalProperties: true };

const object = (properties: Record<string, object>, required: string[] = []) => ({ type: 'object', additionalProperties: false, properties, required });

const schemas = {
  Problem: {
    type: 'object',
    required: ['type', 'title', 'status', 'code'],
    properties: {
      type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' },
      code: { type: 'string', description: 'Stable machine-readable code, e.g. insufficient_credits.' },
      instance: { type: 'string' }, errors: { type: 'array', items: { type: 'object' } },
    },
  },
  Health: object({ status: { const: 'ok' }, store: { enum: ['sqlite', 'postgres'] } }, ['status', 'store']),
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
    quote_id: nullable({ type: 'string' }), expires_at: nullable(time), pack: { type: 'string' }, operation: { type: 'string' },
    version: { type: 'string' }, account: nullable({ type: 'string' }), input, account_inputs: { type: 'object' },
    outputs: { type: 'object' }, amount: nullable(decimal),
    rejections: { type: 'array', items: { type: 'object', required: ['message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
    trace: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, formula: { type: 'string' }, value: {} } } },
  }, ['quote_id', 'expires_at', 'pack', 'operation', 'version', 'account', 'input', 'account_inputs', 'outputs', 'amount', 'rejections']),
  ChargeRequest: {
    oneOf: [
      object({ account: accountId, quote_id: { type: 'string', maxLength: 8192 }, capture: { type: 'boolean', default: true } }, ['account', 'quote_id']),
      object({ account: accountId, pack: name, operation: name, input, capture: { type: 'boolean', default: true } }, ['account', 'operation', 'input']),
    ],
  },
  Charge: object({
    id: { type: 'string' }, account: { type: 'string' }, pack: { type: 'string' }, operation: { type: 'string' }, version: { type: 'string' },
    input, status: { enum: ['held', 'captured', 'released', 'expired'] }, held: decimal, captured: nullable(decimal), refunded: decimal,
    draws: { type: 'array', items: object({ grant: nullable({ type: 'string' }), kind: nullable({ type: 'string' }), amount: decimal, refunded: decimal }, ['grant', 'kind', 'amount', 'refunded']) },
    created_at: time, expires_at: time, resolved_at: nullable(time),
  }, ['id', 'account', 'pack', 'operation', 'version', 'input', 'status', 'held', 'captured', 'refunded', 'draws', 'created_at', 'expires_at', 'resolved_at']),
  CaptureRequest: object({ amount: decimal, usage: { type: 'object', description: 'Inputs to re-price with, e.g. the seconds actually rendered.', additionalProperties: true } }),
  RefundRequest: object({ outcome: { type: 'string', maxLength: 100 }, amount: decimal }),
  Refund: object({ refunded: decimal, charge: ref('Charge') }, ['refunded', 'charge']),
  AccountRequest: object({
    id: accountId, pack: name, plan: { type: 'string', maxLength: 100 }, billing: { enum: ['prepaid', 'postpaid'] },
    overdraft_limit: decimal, time_zone: { type: 'string', maxLength: 64 },
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
  GrantRequest: object({ kind: name, amount: decimal, expires_at: time }, ['kind', 'amount']),
  TopupRequest: object({ input }, ['input']),
  MembershipRequest: {
    oneOf: [
      object({ action: { enum: ['subscribe', 'upgrade'] }, plan: { type: 'string', maxLength: 100 } }, ['action', 'plan']),
      object({ action: { const: 'cancel' } }, ['action']),
    ],
  },
  GrantEventResult: object({ grants: { type: 'array', items: ref('Grant') }, outputs: { type: 'object' }, account: ref('Account') }, ['grants', 'outputs', 'account']),
  MembershipResult: object({ account: ref('Account'), outputs: { type: 'object' } }, ['account', 'outputs']),
  EntryPage: object({
    entries: { type: 'array', items: object({
      seq: { type: 'integer' }, at: time, kind: { type: 'string' }, amount: signedDecimal,
      grant: nullable({ type: 'string' }), charge: nullable({ type: 'string' }), memo: nullable({ type: 'string' }),
    }, ['seq', 'at', 'kind', 'amount', 'grant', 'charge', 'memo']) },
    next_after: nullable({ type: 'integer' }),
  }, ['entries', 'next_after']),
  Usage: object({
    account: { type: 'string' }, requests_today: { type: 'integer' }, requests_this_month: { type: 'integer' }, requests_total: { type: 'integer' },
    spend_today: decimal, spend_this_month: decimal, spend_total: decimal,
  }, ['account', 'requests_today', 'requests_this_month', 'requests_total', 'spend_today', 'spend_this_month', 'spend_total']),
  KeyRequest: object({ scope: { enum: ['quote', 'charge', 'admin'] }, accounts: { type: 'array', maxItems: 1000, items: accountId }, label: { type: 'string', maxLength: 200 } }, ['scope']),
  ApiKey: object({
    id: { type: 'string' }, scope: { enum: ['quote', 'charge', 'admin'] }, accounts: { type: 'array', items: { type: 'string' } },
    label: nullable({ type: 'string' }), created_at: time, revoked_at: nullable(time),
    key: { type: 'string', description: 'The secret, shown only when the key is created.' },
  }, ['id', 'scope', 'accounts', 'label', 'created_at', 'revoked_at']),
  ApiKeyList: object({ keys: { type: 'array', items: ref('ApiKey') } }, ['keys']),
  Empty: object({}),
};

const problem = (description: string) => ({ description, content: { 'application/problem+json': { schema: ref('Problem') } } });
const json = (schema: string, description = 'OK') => ({ description, content: { 'application/json': { schema: ref(schema) } } });
const body = (schema: string) => ({ required: true, content: { 'application/json': { schema: ref(schema) } } });
const errors = {
  '400': problem('Malformed JSON, a forbidden key, or a missing Idempotency-Key'),
  '401': problem('No or unknown API key'),
  '403': problem("The key's scope or accounts don't allow this"),
  '404': problem('Not found'),
  '409': problem('Conflicts with the current state (e.g. hold_already_resolved)'),
  '413': problem('Body too large'),
  '415': problem('Not application/json'),
  '422': problem('Invalid request, rejected rule, or idempotency_conflict'),
};
const idempotencyKey = { $ref: '#/components/parameters/IdempotencyKey' };
const pathParam = (n: string) => ({ name: n, in: 'path', required: true, schema: { type: 'string' } });
const mutation = (summary: string, scope: string, requestSchema: string | null, responseSchema: string, params: object[] = [], status = '200') => ({
  summary: `${summary} (scope: ${scope})`,
  parameters: [...params, idempotencyKey],
  ...(requestSchema ? { requestBody: body(requestSchema) } : {}),
  responses: { [status]: json(responseSchema), '402': problem('insufficient_credits: out of credits'), ...errors },
});

export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Credit rules API',
    version: '1.0.0',
    description: 'Quotes, holds, charges, refunds and grants of credits, priced by YAML rule packs. Amounts are exact decimal strings. Errors are RFC 9457 problem+json with a stable `code`.',
  },
  servers: [{ url: '/' }],
  security: [{ bearer: [] }],
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key: `Authorization: Bearer crk_…`. Scopes: quote, charge (bound accounts), admin.' } },
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
    '/healthz': { get: { summary: 'Liveness and store check', security: [], responses: { '200': json('Health') } } },
    '/v1/packs': { get: { summary: 'The loaded rule packs (any scope)', responses: { '200': json('PackList'), ...errors } } },
    '/v1/packs/{pack}/operations/{operation}/schema': {
      get: {
        summary: "An operation's input JSON Schema, to build a form from (any scope)",
        parameters: [pathParam('pack'), pathParam('operation')],
        responses: { '200': { description: 'A JSON Schema', content: { 'application/json': { schema: { type: 'object' } } } }, ...errors },
      },
    },
    '/v1/quotes': {
      post: {
        summary: 'Price an operation; with an account, its plan and usage feed the rule (scope: quote)',
        requestBody: body('QuoteRequest'),
        responses: { '200': json('Quote'), ...errors },
      },
    },
    '/v1/charges': { post: mutation('Hold (and by default capture) the price of an operation', 'charge', 'ChargeRequest', 'Charge', [], '201') },
    '/v1/charges/{id}': { get: { summary: 'A charge with the grants it drew on (scope: charge)', parameters: [pathParam('id')], responses: { '200': json('Charge'), ...errors } } },
    '/v1/charges/{id}/capture': { post: mutation('Capture a hold: the held amount, an actual amount, or the price of the actual usage', 'charge', 'CaptureRequest', 'Charge', [pathParam('id')]) },
    '/v1/charges/{id}/release': { post: mutation('Release a hold', 'charge', null, 'Charge', [pathParam('id')]) },
    '/v1/charges/{id}/refund': { post: mutation("Refund a captured charge by the pack's refund rule", 'charge', 'RefundRequest', 'Refund', [pathParam('id')]) },
    '/v1/accounts': { post: mutation('Create an account', 'admin', 'AccountRequest', 'Account', [], '201') },
    '/v1/accounts/{id}': { get: { summary: 'Balance by grant kind with expiries (scope: charge or admin)', parameters: [pathParam('id')], responses: { '200': json('Account'), ...errors } } },
    '/v1/accounts/{id}/entries': {
      get: {
        summary: 'The append-only log, oldest first (scope: charge or admin)',
        parameters: [pathParam('id'),
          { name: 'after', in: 'query', schema: { type: 'integer', minimum: 0 }, description: 'Entries after this seq (next_after of the previous page).' },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } }],
        responses: { '200': json('EntryPage'), ...errors },
      },
    },
    '/v1/accounts/{id}/usage': { get: { summary: 'Requests today, this month and in total, and spend (scope: charge or admin)', parameters: [pathParam('id')], responses: { '200': json('Usage'), ...errors } } },
    '/v1/accounts/{id}/grants': { post: mutation('Grant credits of a kind the pack defines', 'admin', 'GrantRequest', 'Grant', [pathParam('id')], '201') },
    '/v1/accounts/{id}/topups': { post: mutation("A top-up: purchased credits and the pack's bonus", 'admin', 'TopupRequest', 'GrantEventResult', [pathParam('id')], '201') },
    '/v1/accounts/{id}/daily-claim': { post: mutation("Claim today's daily credits (once per account-local day)", 'charge or admin', null, 'GrantEventResult', [pathParam('id')], '201') },
    '/v1/accounts/{id}/membership': { post: mutation('Subscribe, upgrade or cancel', 'admin', 'MembershipRequest', 'MembershipResult', [pathParam('id')]) },
    '/v1/keys': {
      get: { summary: 'API keys, without secrets (scope: admin)', responses: { '200': json('ApiKeyList'), ...errors } },
      post: mutation('Create an API key; the secret is in the response only', 'admin', 'KeyRequest', 'ApiKey', [], '201'),
    },
    '/v1/keys/{id}/revoke': { post: mutation('Revoke an API key', 'admin', null, 'ApiKey', [pathParam('id')]) },
  },
};
