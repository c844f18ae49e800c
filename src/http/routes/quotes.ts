import { Router } from 'express';
import { requireAccount, requireScope } from '../auth.ts';
import type { AppContext } from '../context.ts';
import { body } from '../validate.ts';

interface QuoteBody { pack: string; operation: string; input: Record<string, unknown>; account?: string; explain?: boolean }

export function quoteRoutes({ ledger }: AppContext): Router {
  const r = Router();
  r.post('/v1/quotes', async (req, res) => {
    const q = body<QuoteBody>(req, 'QuoteRequest');
    if (q.account !== undefined) {
      requireAccount(req, q.account, 'quote');
      res.json(await ledger.quote(q));
    } else {
      requireScope(req, 'quote');
      res.json(ledger.quoteWithoutAccount(q));
    }
  });
  return r;
}
