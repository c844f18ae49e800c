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

/** JSON text with the headers res.json sends (no ETag: the app disables them). */
function sendJson(res: Response, text: string): void {
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

export function quoteRoute({ ledger }: AppContext): RequestHandler {
  const { engine } = ledger;
  return (req: Request, res: Response, next: NextFunction): void => {
    const q = body<QuoteBody>(req, 'QuoteRequest');
    if (q.account === undefined) requireScope(req, 'quote');
    else requireAccount(req, q.account, 'quote');
    // An explained quote gains its illustrative figures, so goes as a view; any other is
    // written by the ledger as the view's JSON text, with its input written once.
    if (q.explain) {
      if (q.account === undefined) return sendJson(res, JSON.stringify(withIllustrative(engine, ledger.quoteWithoutAccount(q))));
      ledger.quote(q).then((view) => sendJson(res, JSON.stringify(withIllustrative(engine, view))), next);
      return;
    }
    const answer = ledger.quoteJson(q);
    if (typeof answer === 'string') sendJson(res, answer);
    else answer.then((text) => sendJson(res, text), next);
  };
}
