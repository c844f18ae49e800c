// Paged lists: accounts, charges (by account, status and time) and an account's grants.
import { Router } from 'express';
import { requireAccount, requireScope } from '../auth.ts';
import type { AppContext } from '../context.ts';
import { plainPathParam, queryEnum, queryInt, queryText } from '../validate.ts';

const STATUSES = ['held', 'captured', 'released', 'expired'] as const;
const limit = (req: Parameters<typeof queryInt>[0]) => queryInt(req, 'limit', 1, 100, 20);

export function listRoutes({ ledger }: AppContext): Router {
  const r = Router();
  r.param('id', plainPathParam);
  r.get('/v1/accounts', async (req, res) => {
    const key = requireScope(req, 'charge');
    res.json(await ledger.lists.accounts({
      pack: queryText(req, 'pack'), ids: key.scope === 'admin' ? undefined : key.accounts, cursor: queryText(req, 'cursor', 1000), limit: limit(req),
    }));
  });
  r.get('/v1/charges', async (req, res) => {
    const key = requireScope(req, 'charge');
    const account = queryText(req, 'account', 64);
    if (account !== undefined) requireAccount(req, account, 'charge');
    const accounts = account !== undefined ? [account] : key.scope === 'admin' ? undefined : key.accounts;
    res.json(await ledger.lists.charges({
      accounts, status: queryEnum(req, 'status', STATUSES), from: queryText(req, 'from', 64), to: queryText(req, 'to', 64),
      cursor: queryText(req, 'cursor', 1000), limit: limit(req),
    }));
  });
  r.get('/v1/accounts/:id/grants', async (req, res) => {
    requireAccount(req, req.params.id, 'charge');
    res.json(await ledger.lists.grants(req.params.id, { cursor: queryText(req, 'cursor', 1000), limit: limit(req) }));
  });
  return r;
}
