// The API's contract, OpenAPI 3.1 (JSON Schema 2020-12). Request bodies are validated
// against these schemas, and the tests validate every response against them: each status
// and problem code a route answers with must be listed on that route.
import { integrationComponents, integrationPaths } from './openapi-integration.ts';
import { illustrativeSchemas } from './illustrative.ts';
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
const integrationSchemas = integrationComponents({ object, ref, nullable, decimal, signedDecimal, amount, time, text, accountId });

// An impact report (POST /v1/packs/{pack}/impact, `credits diff --json`): exact amounts, which may be
// negative and, for a quotient that doesn't terminate, end in '…'; percentages with 2 places.
const exact = { type: 'string', pattern: '^-?(0|[1-9][0-9]*)(\\.[0-9]+)?…?$', description: 'An exact decimal, as a string; one that does not terminate ends in …' };
const impactTally = {
  requests: { type: 'integer' }, changed: { type: 'integer', description: 'Accepted on both sides at a different amount.' },
  newly_rejected: { type: 'integer' }, newly_accepted: { type: 'integer' },
  before_total: { ...exact, description: 'Of the requests the before side accepts.' }, after_total: { ...exact, description: 'Of the requests the after side accepts.' }, delta: exact,
  delta_percent: nullable({ ...exact, description: 'delta in % of before_total, 2 places, half away from zero; null when before_total is 0.' }),
};
const impactSide = object({ version: nullable({ type: 'string' }), amount: exact, rejected: { type: 'array', items: object({ message: { type: 'string' }, code: { type: 'string' } }, ['message']) } }, ['version']);
const traceCell = nullable(object({
  how: { type: 'string' }, value: { type: 'string' },
  illustrative: { ...illustrativeSchemas.ofQuote, description: 'The figures marked illustrative this line used on this side (at: file:line:col in the pack\'s folder).' },
}, ['how', 'value']));
const impactHistogram = nullable({
  ...object({
    step: { ...exact, description: 'The width of every bucket but the unchanged one: 1, 2 or 5 times a power of ten, no finer than the changes\' decimals, for at most 20 buckets.' },
    buckets: {
      type: 'array', description: 'Contiguous, from the bucket of the smallest change to that of the largest, empty ones included. A decrease bucket holds from ≤ change < to, an increase bucket from < change ≤ to, and the bucket from = to = 0 exactly the unchanged requests (present whenever the changes reach 0).',
      items: object({ from: exact, to: exact, count: { type: 'integer', minimum: 0 } }, ['from', 'to', 'count']),
    },
  }, ['step', 'buckets']),
  description: 'Per-request change over the requests both sides accept, counted in buckets; null when there are none.',
});

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
    illustrative: illustrativeSchemas.byOperation,
  }, ['name', 'unit', 'decimals', 'versions', 'operations', 'chargeable', 'grant_kinds', 'plans']),
  PackList: object({ packs: { type: 'array', items: ref('Pack') } }, ['packs']),
  PackDetail: object({
    name: { type: 'string' }, title: { type: 'string' }, unit: { enum: ['credits', 'usd'] }, decimals: { type: 'integer' },
    versions: {
      type: 'array', description: 'Oldest first. A scheduled version answers quotes and charges from its effective time on, without a restart.',
      items: object({ version: { type: 'string' }, effective: time, status: { enum: ['past', 'live', 'scheduled'] } }, ['version', 'effective', 'status']),
    },
    live: nullable({ type: 'string', description: 'The version in force now: the one quotes and charges name. Null before the first takes effect.' }),
    operations: { type: 'array', items: { type: 'string' } }, chargeable: { type: 'array', items: { type: 'string' } },
    grant_kinds: { type: 'array', items: { type: 'string' } }, plans: { type: 'array', items: { type: 'string' } },
    illustrative: illustrativeSchemas.byOperation,
  }, ['name', 'unit', 'decimals', 'versions', 'live', 'operations', 'chargeable', 'grant_kinds', 'plans']),
  ImpactRequest: object({
    files: {
      type: 'array', minItems: 1, maxItems: 100, description: "Rule files to compare with: the live pack's folder with these files' text replaced or added.",
      items: object({ path: { ...text(300), description: "Relative to the pack's folder, ending in .yaml, .yml or .csv." }, text: { type: 'string', maxLength: 1_000_000 } }, ['path', 'text']),
    },
    version: { ...text(100), description: 'The version to compare with: of the uploaded pack with files (default its latest), else a version of the live pack (default the next scheduled one). n is the n-th, oldest first.' },
    requests: { enum: ['ledger', 'corpus'], description: "What to compare over: the charges the ledger recorded (default), or the pack's bundled corpus (tests/corpus.jsonl, see `npm run corpus`)." },
    from: { ...time, description: 'Charges created at or after this time (default: all).' },
    to: { ...time, description: 'Charges created before this time (default: all).' },
    examples: { type: 'integer', minimum: 0, maximum: 20, description: 'Examples of each kind per operation (default 3).' },
  }),
  Impact: object({
    operations: {
      type: 'object', description: 'Per operation charged in the range: the live version (before) against the other (after).',
      additionalProperties: object({
        ...impactTally,
        distribution: nullable(object({ min: exact, q1: exact, median: exact, q3: exact, max: exact }, ['min', 'q1', 'median', 'q3', 'max'])),
        histogram: impactHistogram,
        examples: {
          type: 'array', description: 'The largest increases and decreases, then requests newly rejected and newly accepted, each with both explain traces side by side.',
          items: object({
            kind: { enum: ['increase', 'decrease', 'newly_rejected', 'newly_accepted'] }, where: { type: 'string' }, operation: { type: 'string' }, input,
            at: nullable(time), account: nullable({ type: 'string' }), before: impactSide, after: impactSide,
            change: nullable(exact), change_percent: nullable(exact),
            trace: { type: 'array', items: object({ name: { type: 'string' }, before: traceCell, after: traceCell, differs: { type: 'boolean' } }, ['name', 'before', 'after', 'differs']) },
          }, ['kind', 'where', 'operation', 'input', 'at', 'account', 'before', 'after', 'change', 'change_percent', 'trace']),
        },
      }, ['requests', 'changed', 'newly_rejected', 'newly_accepted', 'before_total', 'after_total', 'delta', 'delta_percent', 'distribution', 'histogram', 'examples']),
    },
    totals: object({
      ...impactTally, distribution: nullable(object({ min: exact, q1: exact, median: exact, q3: exact, max: exact }, ['min', 'q1', 'median', 'q3', 'max'])),
      histogram: impactHistogram,
    }, ['requests', 'changed', 'newly_rejected', 'newly_accepted', 'before_total', 'after_total', 'delta', 'delta_percent', 'distribution', 'histogram']),
    accounts: {
      type: 'object', description: 'Per account: what it paid on the live version and would have paid on the other.',
      additionalProperties: object(impactTally, ['requests', 'changed', 'newly_rejected', 'newly_accepted', 'before_total', 'after_total', 'delta', 'delta_percent']),
    },
  }, ['operations', 'totals']),
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
    trace: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, formula: { type: 'string' }, value: {}, illustrative: illustrativeSchemas.ofQuote } } },
    illustrative: illustrativeSchemas.ofQuote,
  }, ['quote_id', 'expires_at', 'pack', 'operation', 'version', 'account', 'input', 'account_inputs', 'outputs', 'amount', 'rejections']),
  ChargeRequest: {
    oneOf: [
      object({ account: accountId, quote_id: text(8192), capture: { type: 'boolean', default: true }, metadata: ref('Metadata') }, ['account', 'quote_id']),
      object({ account: accountId, pack: name, operation: name, input, capture: { type: 'boolean', default: true }, metadata: ref('Metadata') }, ['account', 'operation', 'input']),
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
    created_at: time, expires_at: time, resolved_at: nullable(time), metadata: ref('Metadata'),
  }, ['id', 'account', 'pack', 'operation', 'version', 'input', 'status', 'held', 'captured', 'refunded', 'refund_status', 'draws', 'created_at', 'expires_at', 'resolved_at', 'metadata']),
  CaptureRequest: object({ amount, usage: { type: 'object', description: 'Inputs to re-price with, e.g. the seconds actually rendered: only those the pack declares as usage for the operation (ledger.yaml usage_inputs); any other is refused with invalid_usage. Priced by the rule version in force when the charge was held.', additionalProperties: true } }),
  RefundRequest: object({
    outcome: text(100), amount,
    usage: { type: 'object', additionalProperties: true, description: "What was delivered (e.g. the seconds produced), for the pack's refund rule: only the names ledger.yaml refund.usage_inputs lists; any other is refused with invalid_usage." },
  }),
  Refund: object({
    refunded: decimal, charge: ref('Charge'),
    reason: { type: 'string', description: "With nothing refunded by the pack's rule: why, naming the rule and its rows." },
    decided_by: object({
      operation: { type: 'string' },
      rows: { type: 'array', items: object({ decision: { type: 'string' }, row: { type: 'string', description: '`file:line` of the decision-table row.' }, outputs: {} }, ['decision', 'row', 'outputs']) },
    }, ['operation', 'rows']),
  }, ['refunded', 'charge']),
  AccountRequest: object({
    id: accountId, pack: name, plan: text(100), billing: { enum: ['prepaid', 'postpaid'] },
    overdraft_limit: amount, time_zone: text(64), metadata: ref('Metadata'),
  }, ['pack']),
  Account: object({
    id: { type: 'string' }, pack: { type: 'string' }, unit: { enum: ['credits', 'usd'] }, plan: nullable({ type: 'string' }),
    billing: { enum: ['prepaid', 'postpaid'] }, time_zone: { type: 'string' }, balance: signedDecimal,
    available: nullable({ ...decimal, description: 'What a charge could take now: spendable credits plus the overdraft room; null with an unlimited overdraft.' }),
    overdraft_limit: nullable({ ...decimal, description: "A postpaid account's cap (0 when prepaid); null: unlimited." }), overdraft_used: decimal,
    balances: { type: 'array', items: object({ kind: { type: 'string' }, remaining: decimal, grants: { type: 'array', items: object({ id: { type: 'string' }, remaining: decimal, expires_at: nullable(time) }, ['id', 'remaining', 'expires_at']) } }, ['kind', 'remaining', 'grants']) },
    subscription: nullable(object({
      plan: nullable({ type: 'string' }), period: { type: 'integer' }, period_start: nullable(time), period_end: nullable(time), cancel_at_period_end: { type: 'boolean' },
      renews: { type: 'boolean', description: 'Whether another period starts at period_end (false: cancelled, or a fixed-term plan not renewed).' },
      pending_plan: nullable({ type: 'string', description: 'The plan a downgrade moves to at period_end.' }),
    }, ['plan', 'period', 'period_start', 'period_end', 'cancel_at_period_end', 'renews', 'pending_plan'])),
    statement_period: nullable(object({ start: time, end: time }, ['start', 'end'])),
    created_at: time, metadata: ref('Metadata'),
  }, ['id', 'pack', 'unit', 'plan', 'billing', 'time_zone', 'balance', 'available', 'overdraft_limit', 'overdraft_used', 'balances', 'subscription', 'created_at', 'metadata']),
  Grant: object({ id: { type: 'string' }, kind: { type: 'string' }, amount: decimal, remaining: decimal, effective_at: time, expires_at: nullable(time), source: { type: 'string' } },
    ['id', 'kind', 'amount', 'remaining', 'effective_at', 'expires_at', 'source']),
  GrantRequest: object({ kind: name, amount, expires_at: time }, ['kind', 'amount']),
  ...integrationSchemas,
  TopupRequest: object({ input }, ['input']),
  MembershipRequest: {
    oneOf: [
      object({ action: { enum: ['subscribe', 'upgrade', 'downgrade'] }, plan: text(100) }, ['action', 'plan']),
      object({ action: { enum: ['cancel', 'renew'] } }, ['action']),
    ],
  },
  GrantEventResult: object({ grants: { type: 'array', items: ref('Grant') }, outputs: { type: 'object' }, account: ref('Account') }, ['grants', 'outputs', 'account']),
  Statement: object({
    id: { type: 'string' }, account: { type: 'string' }, period_start: time, period_end: time,
    lines: { type: 'array', description: 'Per operation, the charges captured in the period and their amount (captured less refunded).', items: object({ operation: { type: 'string' }, charges: { type: 'integer' }, amount: decimal }, ['operation', 'charges', 'amount']) },
    total: decimal, credits_applied: { ...decimal, description: "What the period's charges took from grants (net of refunds)." },
    amount_due: { ...decimal, description: 'What the overdraft owed for the usage: billed by this statement, and settled in the ledger by the close (a period_close entry).' },
    closed_at: time,
  }, ['id', 'account', 'period_start', 'period_end', 'lines', 'total', 'credits_applied', 'amount_due', 'closed_at']),
  StatementList: object({ statements: { type: 'array', items: ref('Statement') } }, ['statements']),
  ClosePeriodResult: object({ statement: ref('Statement'), account: ref('Account') }, ['statement', 'account']),
  RewardRequest: object({ reward: name, input }, ['reward']),
  BillingRequest: object({ billing: { enum: ['prepaid', 'postpaid'] }, overdraft_limit: amount }, ['billing']),
  BillingResult: object({ account: ref('Account'), statement: nullable(ref('Statement')) }, ['account', 'statement']),
  AuditReport: object({
    accounts_checked: { type: 'integer' },
    drift: {
      type: 'array', description: 'Every balance that differs from the sum of its log; empty when the log reconciles.',
      items: object({ account: { type: 'string' }, grant: nullable({ type: 'string' }), log: signedDecimal, stored: signedDecimal }, ['account', 'grant', 'log', 'stored']),
    },
  }, ['accounts_checked', 'drift']),
  SettleResult: object({ settled: { ...decimal, description: 'What the overdraft owed for captured usage and is now paid (0 when nothing was owed); what open holds take from it stays owed until they resolve.' }, account: ref('Account') }, ['settled', 'account']),
  MembershipResult: object({ account: ref('Account'), outputs: { type: 'object' } }, ['account', 'outputs']),
  EntryPage: object({
    entries: { type: 'array', items: object({
      seq: { type: 'integer' },
      at: time,
      kind: {
        enum: ['grant', 'hold', 'capture', 'capture_return', 'capture_extra', 'release', 'hold_expired', 'refund', 'forfeit', 'rollover', 'overdraft_payment', 'settlement', 'expire', 'lapse', 'period_close'],
        description: 'grant: credits granted; hold: reserved for a charge; capture_extra: drawn at capture beyond the hold; capture: captured '
          + '(converts the reservation, so it changes no balance); capture_return: the unused part of a hold, returned at capture; '
          + 'release / hold_expired: a hold returned, by request or by its timeout; refund: credited back; forfeit: not credited back '
          + 'because the grant had expired (the pack\'s policy); rollover: a period grant\'s leftover moved into the next period\'s grant; '
          + 'overdraft_payment: a postpaid account\'s new credits paying what its overdraft owes (one entry on the grant, one on the overdraft); '
          + 'settlement: the billed usage recorded as paid (POST /v1/accounts/{id}/settle), clearing the overdraft; '
          + 'expire: a grant\'s credits left when it expired (dated at its expiry); lapse: credits ended early (a cancellation with immediate effect, taken back by a plan change); '
          + 'period_close: a postpaid period closed into a statement, its amount due settled.',
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
  MatrixRequest: object({
    pack: name, operation: name, input, account: accountId,
    vary: { type: 'array', minItems: 1, maxItems: 4, uniqueItems: true, items: name, description: 'Enum or boolean inputs to price every option of; with several, every combination (at most 256 quotes).' },
  }, ['pack', 'operation', 'input', 'vary']),
  Matrix: object({
    pack: { type: 'string' }, operation: { type: 'string' }, version: { type: 'string' }, account: nullable({ type: 'string' }),
    vary: { type: 'array', items: { type: 'string' } },
    options: { type: 'object', description: 'Each varied input\'s options, in the order the rows take them.', additionalProperties: { type: 'array' } },
    rows: {
      type: 'array', description: 'One per combination of the options, the first varied input changing slowest.',
      items: object({
        values: { type: 'object', description: 'The varied inputs\' values of this row.' },
        outputs: { type: 'object' }, amount: nullable(decimal),
        rejections: { type: 'array', items: { type: 'object', required: ['message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
        error: { ...object({ code: { type: 'string' }, message: { type: 'string' }, hint: { type: 'string' } }, ['code', 'message']), description: 'The rules could not price this option (e.g. it is missing from a table); the other rows stand.' },
      }, ['values']),
    },
  }, ['pack', 'operation', 'version', 'account', 'vary', 'options', 'rows']),
  CheckRequest: object({
    pack: name,
    files: {
      type: 'array', minItems: 1, maxItems: 100, description: "Files of the pack with their edited text; the pack's other files are read as they are.",
      items: object({ path: { ...text(300), description: "Relative to the pack's folder, e.g. generate_image.yaml: one of the pack's existing files." }, text: { type: 'string', maxLength: 1_000_000 } }, ['path', 'text']),
    },
    quote: object({ operation: name, input, at: time }, ['operation', 'input']),
  }, ['pack', 'files']),
  Diagnostic: object({
    file: nullable({ type: 'string', description: "Relative to the pack's folder." }),
    line: nullable({ type: 'integer', minimum: 1 }), column: nullable({ type: 'integer', minimum: 1 }),
    end_line: nullable({ type: 'integer', minimum: 1 }), end_column: nullable({ type: 'integer', minimum: 1 }),
    severity: { enum: ['error', 'warning'] }, code: { type: 'string' }, message: { type: 'string' }, hint: { type: 'string' },
  }, ['file', 'line', 'column', 'end_line', 'end_column', 'severity', 'code', 'message']),
  CheckResult: object({
    pack: { type: 'string' }, errors: { type: 'integer' }, warnings: { type: 'integer' },
    diagnostics: { type: 'array', items: ref('Diagnostic') },
    quote: nullable({
      ...object({
        version: { type: 'string' }, outputs: { type: 'object' },
        rejections: { type: 'array', items: { type: 'object', required: ['message'], properties: { code: { type: 'string' }, message: { type: 'string' } } } },
        trace: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, formula: { type: 'string' }, value: {} } } },
      }, ['version', 'outputs', 'rejections', 'trace']),
      description: 'The quote asked for, priced by the edited pack; null when the pack has errors or the rules refuse the input (quote_error).',
    }),
    quote_error: object({ code: { type: 'string' }, message: { type: 'string' }, hint: { type: 'string' } }, ['code', 'message']),
  }, ['pack', 'errors', 'warnings', 'diagnostics']),
  OperationList: object({
    pack: { type: 'string' }, version: { type: 'string', description: 'The version in force now.' },
    operations: { type: 'array', items: object({ name: { type: 'string' }, description: nullable({ type: 'string' }) }, ['name', 'description']) },
  }, ['pack', 'version', 'operations']),
  OperationSource: object({
    pack: { type: 'string' }, operation: { type: 'string' }, version: { type: 'string', description: 'The version in force now, whose file this is.' },
    path: { type: 'string', description: "Relative to the pack's folder." }, text: { type: 'string' },
  }, ['pack', 'operation', 'version', 'path', 'text']),
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

const integration = integrationPaths({ read, mutation, problems, json, body, pathParam, V1, IN_PATH });

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
  webhooks: integration.webhooks,
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
      Location: { required: true, description: 'Where the resource is.', schema: { type: 'string' } },
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
    '/v1/packs/{pack}': {
      get: read('getPack', 'A pack with its versions: which one is live (in force now), which are past and which scheduled (any scope)', json('PackDetail'),
        ['unknown_pack'], [pathParam('pack', 'A pack name.')]),
    },
    '/v1/packs/{pack}/impact': {
      post: {
        operationId: 'createImpactReport',
        summary: "What changing the live version to uploaded rule files or a scheduled version would do to the charges the ledger recorded (or to the pack's bundled corpus), per operation and per account; nothing is written (scope: admin)",
        parameters: [pathParam('pack', 'A pack name.')],
        requestBody: body('ImpactRequest'),
        responses: { '200': json('Impact'), ...problems([...V1, ...IN_PATH, ...BODY, 'forbidden', 'unknown_pack', 'invalid_rules', 'unknown_version', 'not_supported']) },
      },
    },
    '/v1/packs/{pack}/operations/{operation}/schema': {
      get: read('getOperationSchema', "An operation's input JSON Schema, to build a form from (any scope)",
        { description: 'A JSON Schema', content: { 'application/json': { schema: { type: 'object' } } } },
        ['unknown_pack', 'unknown_operation'], [pathParam('pack', 'A pack name.'), pathParam('operation', 'An operation of the pack.')]),
    },
    '/': {
      get: {
        operationId: 'getRoot', summary: 'Redirects to the playground', security: [],
        responses: { '302': { description: 'To /playground', headers: { Location: { $ref: '#/components/headers/Location' } }, content: { 'text/plain': { schema: { type: 'string' } } } }, ...problems(READ) },
      },
    },
    '/playground': {
      get: open('getPlayground', 'The playground: try quotes with their explanation, price matrices, and rule edits in a browser', {
        description: 'The page', content: { 'text/html': { schema: { type: 'string' } } },
      }, ['not_found']),
    },
    '/playground/{file}': {
      get: open('getPlaygroundFile', "The playground's script and style sheet", {
        description: 'A static file', content: { 'text/javascript': { schema: { type: 'string' } }, 'text/css': { schema: { type: 'string' } } },
      }, ['not_found'], [pathParam('file', 'A file of the built playground.')]),
    },
    '/v1/quotes/matrix': {
      post: {
        operationId: 'createQuoteMatrix',
        summary: 'Price every option of enum and boolean inputs in one request: a row per option (or combination), with outputs, amount or rejections (scope: quote)',
        requestBody: body('MatrixRequest'),
        responses: {
          '200': json('Matrix'),
          ...problems([...V1, ...BODY, ...RULES, 'forbidden', 'forbidden_account', 'unknown_pack', 'unknown_operation', 'account_not_found']),
        },
      },
    },
    '/v1/check': {
      post: {
        operationId: 'createRuleCheck',
        summary: "Check a pack with some files' text edited, as `credits check` does, and optionally quote the edited pack; nothing is written (scope: admin)",
        requestBody: body('CheckRequest'),
        responses: { '200': json('CheckResult'), ...problems([...V1, ...BODY, 'forbidden', 'unknown_pack']) },
      },
    },
    '/v1/packs/{pack}/operations': {
      get: read('listOperations', "The operations of a pack's version in force, with their descriptions (any scope)", json('OperationList'),
        ['unknown_pack', 'invalid_input'], [pathParam('pack', 'A pack name.')]),
    },
    '/v1/packs/{pack}/operations/{operation}/source': {
      get: read('getOperationSource', 'The rule file that defines an operation in the version in force, and its text (scope: admin)', json('OperationSource'),
        ['forbidden', 'unknown_pack', 'unknown_operation', 'invalid_input'], [pathParam('pack', 'A pack name.'), pathParam('operation', 'An operation of the pack.')]),
    },
    '/v1/quotes': {
      post: {
        operationId: 'createQuote',
        summary: 'Price an operation; with an account, its plan and usage feed the rule (scope: quote)',
        requestBody: body('QuoteRequest'),
        responses: {
          '200': json('Quote'),
          ...problems([...V1, ...BODY, ...RULES, 'forbidden_account', 'unknown_pack', 'unknown_operation', 'account_not_found', 'not_supported']),
        },
      },
    },
    '/v1/charges': {
      get: integration.gets['/v1/charges'],
      post: mutation('createCharge', 'Hold (and by default capture) the price of an operation', 'charge', 'ChargeRequest', 'Charge', [
        ...RULES, 'forbidden', 'forbidden_account', 'account_not_found', 'unknown_pack', 'unknown_operation', 'not_chargeable',
        'quote_invalid', 'quote_expired', 'quote_changed', 'insufficient_credits',
      ], [], '201'),
    },
    '/v1/charges/{id}': {
      get: read('getCharge', "A charge with the grants it drew on (scope: charge). A charge of an account the key is not bound to is a 404, like one that doesn't exist", json('Charge'), ['forbidden', 'charge_not_found'], [chargeParam]),
    },
    '/v1/charges/{id}/capture': {
      post: mutation('captureCharge', 'Capture a hold: the held amount, an actual amount, or the price of the actual usage', 'charge', 'CaptureRequest', 'Charge', [
        ...RULES, 'forbidden', 'charge_not_found', 'hold_already_resolved', 'hold_expired', 'insufficient_credits', 'invalid_usage', 'not_chargeable', 'held_credits_expired',
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
        [...RULES, 'forbidden', 'charge_not_found', 'not_captured', 'nothing_to_refund', 'refund_exceeds_capture', 'not_supported', 'invalid_usage'], [chargeParam]),
    },
    '/v1/accounts': {
      get: integration.gets['/v1/accounts'],
      post: mutation('createAccount', 'Create an account', 'admin', 'AccountRequest', 'Account', [...RULES, 'forbidden', 'unknown_pack', 'account_exists', 'not_supported'], [], '201'),
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
      get: integration.gets['/v1/accounts/{id}/grants'],
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
      post: mutation('settleAccount', "Record a postpaid account's billed usage as paid: what the overdraft owes for captured usage is settled and free again (open holds stay owed until they resolve)", 'admin', null, 'SettleResult',
        ['forbidden', 'account_not_found', 'not_supported'], [accountParam]),
    },
    '/v1/accounts/{id}/rewards': {
      post: mutation('createReward', "Grant a named reward of the pack's ledger.yaml (rewards), in the amounts its rules decide", 'admin', 'RewardRequest', 'GrantEventResult',
        [...RULES, 'forbidden', 'account_not_found', 'not_supported'], [accountParam], '201'),
    },
    '/v1/accounts/{id}/close-period': {
      post: mutation('createStatement', "Close a postpaid account's statement period now: a statement of its usage, and what it owes settled (periods also close by themselves at each month's end)", 'admin', null, 'ClosePeriodResult',
        ['forbidden', 'account_not_found', 'not_supported'], [accountParam]),
    },
    '/v1/accounts/{id}/billing': {
      post: mutation('changeBilling', 'Switch an account between prepaid and postpaid, or change its overdraft cap; going prepaid closes the open period first', 'admin', 'BillingRequest', 'BillingResult',
        ['forbidden', 'account_not_found', 'invalid_amount', 'not_supported'], [accountParam]),
    },
    '/v1/accounts/{id}/statements': {
      get: read('listStatements', "A postpaid account's closed periods, oldest first (scope: charge or admin)", json('StatementList'), ['forbidden', 'forbidden_account', 'account_not_found'], [accountParam]),
    },
    '/v1/accounts/{id}/statements/{statement}': {
      get: read('getStatement', 'One statement (scope: charge or admin)', json('Statement'), ['forbidden', 'forbidden_account', 'account_not_found', 'statement_not_found'],
        [accountParam, pathParam('statement', 'The statement id.')]),
    },
    '/v1/audit': {
      get: read('getLedgerAudit', "Recompute every account's balances from its entry log (after writing what is due: expiries, renewals, closes) and report any drift (scope: admin)", json('AuditReport'), ['forbidden']),
    },
    '/v1/accounts/{id}/membership': {
      post: mutation('changeMembership', "Subscribe, upgrade, downgrade, cancel or renew, as the pack's rules say", 'admin', 'MembershipRequest', 'MembershipResult',
        [...RULES, 'forbidden', 'account_not_found', 'not_supported'], [accountParam]),
    },
    '/v1/keys': {
      get: read('listApiKeys', 'API keys, without secrets (scope: admin)', json('ApiKeyList'), ['forbidden']),
      post: mutation('createApiKey', 'Create an API key; the secret is in the first response only (a replay has key null and a note)', 'admin', 'KeyRequest', 'ApiKey', ['forbidden'], [], '201'),
    },
    ...integration.paths,
    '/v1/keys/{id}/revoke': {
      post: mutation('revokeApiKey', 'Revoke an API key', 'admin', null, 'ApiKey', ['forbidden', 'key_not_found'], [pathParam('id', 'The key id (key_…).')]),
    },
  },
};
