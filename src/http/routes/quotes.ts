// POST /v1/quotes, the hot path: one handler mounted on the app itself (a Router of its own
// would cost a nested dispatch per quote), not async unless the quote reads an account, and
// the answer written as res.json would write it for a 200 to a POST, without its checks.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { requireAccount, requireScope } from '../auth.ts';
import type { AppContext } from '../context.ts';
import { body } from '../validate.ts';
import { withIllustrative } from '../illustrative.ts';

interface QuoteBody { pack: string; operation: string; input: Record<string, unknown>; account?: string; explain?: boolean }

export const QUOTES_PATH = '/v1/quotes';

/** The JSON text with the headers res.json sends (no ETag: the app disables them). */
function sendJson(res: Response, value: unknown): void {
  const text = JSON.stringify(value);
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

export function quoteRoute({ ledger }: AppContext): RequestHandler {
  const { engine } = ledger;
  return (req: Request, res: Response, next: NextFunction): void => {
    const q = body<QuoteBody>(req, 'QuoteRequest');
    if (q.account === undefined) {
      requireScope(req, 'quote');
      sendJson(res, withIllustrative(engine, ledger.quoteWithoutAccount(q)));
      return;
    }
    requireAccount(req, q.account, 'quote');
    ledger.quote(q).then((view) => sendJson(res, withIllustrative(engine, view)), next);
  };
}
