// Every error leaves as RFC 9457 problem+json with a stable `code`. Ledger errors map by
// code, rule errors (bad operation input) are 422s naming the input.
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { RuleError } from '../../grammar/diagnostic.ts';
import { LedgerError, type LedgerErrorCode } from '../ledger/errors.ts';

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const LEDGER_STATUS: Record<LedgerErrorCode, number> = {
  insufficient_credits: 402,
  idempotency_conflict: 422,
  hold_already_resolved: 409,
  hold_expired: 409,
  account_not_found: 404,
  account_exists: 409,
  charge_not_found: 404,
  pack_not_found: 404,
  not_chargeable: 422,
  quote_rejected: 422,
  quote_invalid: 422,
  quote_expired: 410,
  quote_changed: 409,
  invalid_amount: 422,
  invalid_usage: 422,
  refund_exceeds_capture: 409,
  nothing_to_refund: 409,
  not_captured: 409,
  unknown_grant_kind: 422,
  already_claimed: 409,
  not_supported: 422,
  invalid_request: 422,
};

const TITLES: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict',
  410: 'Gone', 413: 'Content Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Content', 500: 'Internal Server Error',
};

function asProblem(err: unknown): HttpProblem {
  if (err instanceof HttpProblem) return err;
  if (err instanceof LedgerError) return new HttpProblem(LEDGER_STATUS[err.code], err.code, err.message, err.details ?? {});
  if (err instanceof RuleError) {
    const notFound = err.code === 'unknown-pack' || err.code === 'unknown-operation';
    return new HttpProblem(notFound ? 404 : 422, notFound ? err.code.replace('-', '_') : 'invalid_input', err.message, {
      rule_code: err.code, ...(err.hint ? { hint: err.hint } : {}),
    });
  }
  const type = (err as { type?: string }).type;
  if (type === 'entity.parse.failed') return new HttpProblem(400, 'invalid_json', 'the body is not valid JSON');
  if (type === 'entity.too.large') return new HttpProblem(413, 'body_too_large', 'the body is larger than the server accepts');
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') return new HttpProblem(415, 'unsupported_media_type', 'send UTF-8 JSON');
  // The router's path decoding (a URIError it gives status 400) and body-parser's other
  // refusals (a body that doesn't inflate as its Content-Encoding says, a length that doesn't
  // match, an aborted upload) carry a 4xx status: the client's fault, so a 4xx problem.
  if (err instanceof URIError) return new HttpProblem(400, 'invalid_path', 'the path is not valid percent-encoded UTF-8');
  const status = clientStatus(err);
  if (status === 415) return new HttpProblem(415, 'unsupported_media_type', 'send UTF-8 JSON, uncompressed or gzip/deflate/br');
  if (status === 413) return new HttpProblem(413, 'body_too_large', 'the body is larger than the server accepts');
  if (status !== undefined) return new HttpProblem(400, 'invalid_body', 'the request body could not be read as sent (check Content-Encoding and Content-Length)');
  return new HttpProblem(500, 'internal', 'internal error');
}

/** A 4xx status an error from Express or body-parser carries (http-errors' status/statusCode). */
function clientStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { status?: unknown; statusCode?: unknown; expose?: unknown };
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  return status !== undefined && status >= 400 && status < 500 ? status : undefined;
}

export function sendProblem(res: Response, p: HttpProblem, instance?: string): void {
  res.status(p.status).type('application/problem+json').send(JSON.stringify({
    type: `/problems/${p.code}`, title: TITLES[p.status] ?? 'Error', status: p.status, detail: p.message, code: p.code,
    ...(instance ? { instance } : {}), ...p.extra,
  }));
}

export function problemHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const p = asProblem(err);
    if (p.status >= 500) log.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    sendProblem(res, p, req.originalUrl);
  };
}
