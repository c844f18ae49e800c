// Every problem the API can answer with, in one table: its code, its HTTP status, what it
// means and how to fix it. problem.ts takes statuses from here (an HttpProblem's code must be
// one of these, at its status: tsc checks it), openapi.ts publishes the codes as the ErrorCode
// enum and each route's problems, and GET /problems/{code} serves each entry as a page.

export interface ProblemType {
  status: number;
  /** What happened, as a sentence. */
  meaning: string;
  /** What the client should do about it. */
  fix: string;
}

/**
 * How deeply a request body may nest objects and arrays (too_deep beyond). No request needs
 * more than a few levels; the limit keeps every recursive walk of a body (ajv's, the ledger's
 * request hash) far from the stack's end. JSON.parse itself takes nesting millions deep.
 */
export const MAX_BODY_DEPTH = 64;

export const PROBLEM_TYPES = {
  // ---- the request as sent ----
  invalid_json: { status: 400, meaning: 'The body is not valid JSON.', fix: 'Send one JSON object, encoded as UTF-8, with Content-Type: application/json.' },
  invalid_body: {
    status: 400, meaning: 'The body could not be read as sent: it does not inflate as its Content-Encoding says, its length does not match Content-Length, or the upload was cut short.',
    fix: 'Send the body uncompressed, or compressed as Content-Encoding says (gzip, deflate or br), with a correct Content-Length.',
  },
  invalid_path: {
    status: 400, meaning: 'A path segment is not valid percent-encoded UTF-8, or an id or name in the path contains a control character (U+0000–U+001F, U+007F–U+009F).',
    fix: 'Percent-encode the path as UTF-8 and use the ids the API returned: they never contain control characters.',
  },
  forbidden_key: { status: 400, meaning: 'The body has a key named __proto__, constructor or prototype, at any depth.', fix: 'Rename or remove that key: these names are refused everywhere in a body.' },
  too_deep: {
    status: 400, meaning: `The body nests objects and arrays more than ${MAX_BODY_DEPTH} levels deep.`,
    fix: 'Flatten the body: no request of this API needs more than a few levels.',
  },
  idempotency_key_required: { status: 400, meaning: 'A POST that changes state came without an Idempotency-Key header.', fix: 'Send an Idempotency-Key header, unique per operation (a UUID will do); reuse it only to retry the same request.' },
  invalid_idempotency_key: { status: 400, meaning: 'The Idempotency-Key header is empty, longer than 255 characters, or not printable ASCII.', fix: 'Use 1–255 printable ASCII characters without spaces, e.g. a UUID.' },
  body_too_large: { status: 413, meaning: 'The body is larger than the server accepts (64 kB unless the server sets BODY_LIMIT).', fix: 'Send a smaller body.' },
  unsupported_media_type: {
    status: 415, meaning: 'The body is not application/json, or is in a charset or Content-Encoding the server does not take.',
    fix: 'Send Content-Type: application/json in UTF-8, uncompressed or gzip/deflate/br.',
  },
  invalid_request: {
    status: 422, meaning: 'The request is well-formed JSON but not what the operation takes: an unknown field, a wrong type, a value out of range or format, or a value the account or pack does not allow (the detail says which).',
    fix: 'Correct the field the detail and the errors array name; the operation\'s request schema is in /openapi.json.',
  },
  // ---- who is asking ----
  unauthorized: {
    status: 401, meaning: 'No API key was sent, or the key is unknown or revoked.',
    fix: 'Send a live key as Authorization: Bearer crk_…; a revoked key stays revoked: create a new one.',
  },
  forbidden: { status: 403, meaning: 'The API key\'s scope does not allow this operation (quote < charge < admin).', fix: 'Use a key with the scope the detail names.' },
  forbidden_account: { status: 403, meaning: 'The API key is bound to other accounts than the one this request acts on.', fix: 'Use a key bound to this account, or an admin key.' },
  // ---- what the request names ----
  not_found: { status: 404, meaning: 'No such route (or no such problem type).', fix: 'Check the method and path against /openapi.json.' },
  method_not_allowed: { status: 405, meaning: 'The path exists, but not with this method.', fix: 'Use one of the methods the Allow header lists.' },
  unknown_pack: { status: 404, meaning: 'No rule pack of that name is loaded.', fix: 'Use one of the packs GET /v1/packs lists.' },
  unknown_operation: { status: 404, meaning: 'The pack has no operation of that name in the rule version in force.', fix: 'Use one of the operations GET /v1/packs lists for the pack.' },
  account_not_found: { status: 404, meaning: 'No account has that id.', fix: 'Create the account first (POST /v1/accounts), or correct the id.' },
  charge_not_found: { status: 404, meaning: 'No charge with that id is visible to this API key.', fix: 'Use the id POST /v1/charges returned, with a key bound to the charge\'s account.' },
  statement_not_found: { status: 404, meaning: 'The account has no statement with that id.', fix: 'Use an id GET /v1/accounts/{id}/statements lists.' },
  key_not_found: { status: 404, meaning: 'No API key has that id.', fix: 'Use an id GET /v1/keys lists.' },
  webhook_not_found: { status: 404, meaning: 'No webhook endpoint has that id (or it was deleted).', fix: 'Use an id GET /v1/webhooks lists.' },
  // ---- the rules and the ledger ----
  invalid_rules: {
    status: 422, meaning: 'The rule files sent have errors, as `credits check` reports them (the diagnostics say where).',
    fix: 'Correct the files at the file, line and column each diagnostic names; `credits check` on the folder says the same.',
  },
  unknown_version: { status: 422, meaning: 'The pack has no version of that name.', fix: 'Use one of the versions GET /v1/packs/{pack} lists (or n for the n-th, oldest first).' },
  invalid_input: { status: 422, meaning: 'The operation\'s input is refused by its rules: an unknown input, a wrong type, a value outside its range, or a formula that fails on it.', fix: 'Correct the input the detail names; GET /v1/packs/{pack}/operations/{operation}/schema gives the inputs.' },
  invalid_amount: { status: 422, meaning: 'An amount is malformed, negative, zero where more is needed, has more decimals than the pack keeps, or is beyond the largest amount (10^15 minor units).', fix: 'Send a decimal string such as "12.5" within the pack\'s decimals and the limit.' },
  invalid_usage: { status: 422, meaning: 'A capture\'s usage sets an input the pack does not declare as usage for the operation.', fix: 'Set only the usage inputs the detail lists, or capture an amount instead.' },
  unknown_grant_kind: { status: 422, meaning: 'The pack has no grant kind of that name.', fix: 'Use one of the grant kinds GET /v1/packs lists for the pack.' },
  not_chargeable: { status: 422, meaning: 'The operation has no price to charge in the pack\'s ledger.yaml.', fix: 'Charge one of the operations GET /v1/packs lists as chargeable.' },
  not_supported: { status: 422, meaning: 'The pack or account has no policy for this (e.g. no refund rule, no plans, a prepaid account settling).', fix: 'Do what the detail suggests, or leave this out for this pack or account.' },
  quote_rejected: { status: 422, meaning: 'The rules refused the request: a constraint failed (the detail and rejections say which).', fix: 'Change the request as the rejection message says.' },
  quote_invalid: { status: 422, meaning: 'The quote id is not one this service issued, or it is for another pack or account.', fix: 'Charge with a quote id POST /v1/quotes returned for this account.' },
  quote_expired: { status: 410, meaning: 'The quote id expired (QUOTE_TTL_SECONDS after it was made).', fix: 'Ask for a new quote and charge its id.' },
  quote_changed: { status: 409, meaning: 'The account changed since the quote (e.g. its usage), so the quoted amount no longer holds.', fix: 'Ask for a new quote and charge its id.' },
  idempotency_conflict: { status: 422, meaning: 'The Idempotency-Key was used before with other parameters.', fix: 'Use a new key for a new request; reuse a key only to retry the very same request.' },
  insufficient_credits: { status: 402, meaning: 'The account has not enough credits available (nor overdraft room) for this.', fix: 'Grant or top up credits, or charge less; the problem says what was needed and what is available.' },
  hold_already_resolved: { status: 409, meaning: 'The charge was captured or released already.', fix: 'Read the charge (GET /v1/charges/{id}) for its status; nothing is left to do on it.' },
  hold_expired: { status: 409, meaning: 'The hold timed out and was released before this request.', fix: 'Create a new charge.' },
  not_captured: { status: 409, meaning: 'Only a captured charge can be refunded; this one is held, released or expired.', fix: 'Capture it first, or release it instead.' },
  held_credits_expired: {
    status: 409, meaning: 'The hold took credits from a grant that has expired since, and the pack refuses to capture such credits (held_credits in its ledger.yaml).',
    fix: 'Release the charge and create a new one.',
  },
  nothing_to_refund: { status: 409, meaning: 'The charge was refunded in full already, or captured nothing.', fix: 'Nothing to do: the problem says what was captured and refunded.' },
  refund_exceeds_capture: { status: 409, meaning: 'The refund is more than what is left to refund of the charge.', fix: 'Refund at most what the detail says is left.' },
  account_exists: { status: 409, meaning: 'An account with that id exists already.', fix: 'Use another id, or leave it out to have one made.' },
  already_claimed: { status: 409, meaning: 'The account claimed today\'s daily credits already (days are the account\'s local days).', fix: 'Claim again tomorrow.' },
  // ---- the server ----
  not_ready: { status: 503, meaning: 'The server cannot serve requests now: its store is unreachable, or it is shutting down.', fix: 'Retry later, or on another server.' },
  internal: { status: 500, meaning: 'A fault on the server; it is logged.', fix: 'Retry later; if it persists, report it with the time and the instance path.' },
} as const satisfies Record<string, ProblemType>;

export type ProblemCode = keyof typeof PROBLEM_TYPES;
/** The status a code is answered with. */
export type StatusOf<C extends ProblemCode> = (typeof PROBLEM_TYPES)[C]['status'];

export const PROBLEM_CODES = Object.keys(PROBLEM_TYPES) as ProblemCode[];

export function problemType(code: string): ProblemType | undefined {
  return Object.hasOwn(PROBLEM_TYPES, code) ? PROBLEM_TYPES[code as ProblemCode] : undefined;
}

/** HTTP reason phrases (RFC 9110) of the statuses above. */
export const STATUS_TITLES: Record<StatusOf<ProblemCode>, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 410: 'Gone', 413: 'Content Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content',
  500: 'Internal Server Error', 503: 'Service Unavailable',
};
