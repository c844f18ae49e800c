// Paged lists: accounts, charges (by account, status and time) and an account's grants.
import { Router } from 'express';
import { requireAccount, requireScope } from '../auth.ts';
import type { AppContext } from '../context.ts';
import { pageQuery, plainPathParam, queryEnum, queryText } from '../validate.ts';

const STATUSES = ['held', 'captured', 'released', 'expired'] as const;

export function listRoutes({ ledger }: AppContext): Router {
  const r = Router();
  r.param('id', plainPathParam);
  r.get('/v1/accounts', async (req, res) => {
    const key = requireScope(req, 'charge');
    res.json(await ledger.lists.accounts({
      pack: queryText(req, 'pack'), ids: key.scope === 'admin' ? undefined : key.accounts, ...pageQuery(req),
    }));
  });
  r.get('/v1/charges', async (req, res) => {
    const key = requireScope(req, 'charge');
    const account = queryText(req, 'account', 64);
    if (account !== undefined) requireAccount(req, account, 'charge');
    const accounts = account !== undefined ? [account] : key.scope === 'admin' ? undefined : key.accounts;
    res.json(await ledger.lists.charges({
      accounts, status: queryEnum(req, 'status', STATUSES), from: queryText(req, 'from', 64), to: queryText(req, 'to', 64),
      ...pageQuery(req),
    }));
  });
  r.get('/v1/accounts/:id/grants', async (req, res) => {
    requireAccount(req, req.params.id, 'charge');
    res.json(await ledger.lists.grants(req.params.id, pageQuery(req)));
  });
  return r;
}
