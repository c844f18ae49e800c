// Every error leaves as RFC 9457 problem+json with a stable `code` from problem-types.ts, the
// one table of codes and statuses. Ledger errors map by code, rule errors (bad operation
// input) are 422s naming the input.
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { RuleError } from '../../grammar/diagnostic.ts';
import { LedgerError } from '../ledger/errors.ts';
import { PROBLEM_TYPES, STATUS_TITLES, type ProblemCode, type StatusOf } from './problem-types.ts';

/**
 * A problem to answer with. The code must be one of PROBLEM_TYPES and the status its status:
 * `new HttpProblem(404, 'not_found', …)` compiles, `new HttpProblem(400, 'not_found', …)` and
 * an unlisted code don't.
 */
export class HttpProblem<C extends ProblemCode = ProblemCode> extends Error {
  constructor(
    readonly status: StatusOf<C>,
    readonly code: C,
    message: string,
    readonly extra: Record<string, unknown> = {},
    /** Response headers that go with it (Allow on a 405, WWW-Authenticate on a 401). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The challenge of every 401 (RFC 9110 §11.6.1, RFC 6750 §3). */
export const BEARER_CHALLENGE = 'Bearer realm="credits"';

function fromTable<C extends ProblemCode>(code: C, message: string, extra?: Record<string, unknown>): HttpProblem<C> {
  return new HttpProblem(PROBLEM_TYPES[code].status, code, message, extra);
}

function asProblem(err: unknown): HttpProblem {
  if (err instanceof HttpProblem) return err;
  if (err instanceof LedgerError) return fromTable(err.code, err.message, err.details ?? {});
  if (err instanceof RuleError) {
    const code = err.code === 'unknown-pack' ? 'unknown_pack' : err.code === 'unknown-operation' ? 'unknown_operation' : 'invalid_input';
    return fromTable(code, err.message, { rule_code: err.code, ...(err.hint ? { hint: err.hint } : {}) });
  }
  const type = (err as { type?: string }).type;
  if (type === 'entity.parse.failed') return fromTable('invalid_json', 'the body is not valid JSON');
  if (type === 'entity.too.large') return fromTable('body_too_large', 'the body is larger than the server accepts');
  if (type === 'charset.unsupported' || type === 'encoding.unsupported') return fromTable('unsupported_media_type', 'send UTF-8 JSON');
  // The router's path decoding (a URIError it gives status 400) and body-parser's other
  // refusals (a body that doesn't inflate as its Content-Encoding says, a length that doesn't
  // match, an aborted upload) carry a 4xx status: the client's fault, so a 4xx problem.
  if (err instanceof URIError) return fromTable('invalid_path', 'the path is not valid percent-encoded UTF-8');
  const status = clientStatus(err);
  if (status === 415) return fromTable('unsupported_media_type', 'send UTF-8 JSON, uncompressed or gzip/deflate/br');
  if (status === 413) return fromTable('body_too_large', 'the body is larger than the server accepts');
  if (status !== undefined) return fromTable('invalid_body', 'the request body could not be read as sent (check Content-Encoding and Content-Length)');
  return fromTable('internal', 'internal error');
}

/** A 4xx status an error from Express or body-parser carries (http-errors' status/statusCode). */
function clientStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { status?: unknown; statusCode?: unknown; expose?: unknown };
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : undefined;
  return status !== undefined && status >= 400 && status < 500 ? status : undefined;
}

export function sendProblem(res: Response, p: HttpProblem, instance?: string): void {
  res.set(p.headers);
  res.status(p.status).type('application/problem+json').send(JSON.stringify({
    // A relative reference (RFC 9457 §3.1.1): GET /problems/<code> on this server explains it.
    type: `/problems/${p.code}`, title: STATUS_TITLES[p.status], status: p.status, detail: p.message, code: p.code,
    ...(instance ? { instance } : {}), ...p.extra,
  }));
}

/** Logs failures with the request's own logger (its request id) when there is one, else with `log`. */
export function problemHandler(log: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const p = asProblem(err);
    if (p.status >= 500) (req.log ?? log).error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    sendProblem(res, p, req.originalUrl);
  };
}
