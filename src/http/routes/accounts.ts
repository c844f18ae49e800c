import { Router } from 'express';
import type { BillingRequest, MembershipRequest, NewAccount } from '../../ledger/ledger.ts';
import { requireAccount, requireScope } from '../auth.ts';
import type { AppContext } from '../context.ts';
import { sendResult } from '../replayed.ts';
import { body, idempotencyKey, plainPathParam, queryInt } from '../validate.ts';

export function accountRoutes({ ledger }: AppContext): Router {
  const r = Router();
  r.param('id', plainPathParam);
  r.param('statement', plainPathParam);
  // An admin's bodiless POST on one account, answered 200 (close-period, settle).
  const adminAction = (path: `/v1/accounts/:id/${string}`, act: (id: string, key: string) => Promise<object>) => r.post(path, async (req, res) => {
    body(req, null);
    requireScope(req, 'admin');
    sendResult(res, 200, await act(req.params.id, idempotencyKey(req)));
  });
  r.post('/v1/accounts', async (req, res) => {
    const b = body<NewAccount>(req, 'AccountRequest');
    requireScope(req, 'admin');
    sendResult(res, 201, await ledger.createAccount(b, idempotencyKey(req)));
  });
  r.get('/v1/accounts/:id', async (req, res) => {
    requireAccount(req, req.params.id, 'charge');
    res.json(await ledger.account(req.params.id));
  });
  r.get('/v1/accounts/:id/entries', async (req, res) => {
    requireAccount(req, req.params.id, 'charge');
    const after = queryInt(req, 'after', 0, Number.MAX_SAFE_INTEGER, 0);
    const limit = queryInt(req, 'limit', 1, 1000, 100);
    res.json(await ledger.entries(req.params.id, after, limit));
  });
  r.get('/v1/accounts/:id/usage', async (req, res) => {
    requireAccount(req, req.params.id, 'charge');
    res.json(await ledger.usage(req.params.id));
  });
  r.post('/v1/accounts/:id/grants', async (req, res) => {
    const b = body<{ kind: string; amount: string; expires_at?: string }>(req, 'GrantRequest');
    requireScope(req, 'admin');
    sendResult(res, 201, await ledger.grant(req.params.id, b, idempotencyKey(req)));
  });
  r.post('/v1/accounts/:id/topups', async (req, res) => {
    const b = body<{ input: Record<string, unknown> }>(req, 'TopupRequest');
    requireScope(req, 'admin');
    sendResult(res, 201, await ledger.topup(req.params.id, b.input, idempotencyKey(req)));
  });
  r.post('/v1/accounts/:id/daily-claim', async (req, res) => {
    body(req, null);
    requireAccount(req, req.params.id, 'charge');
    sendResult(res, 201, await ledger.dailyClaim(req.params.id, idempotencyKey(req)));
  });
  r.post('/v1/accounts/:id/membership', async (req, res) => {
    const b = body<MembershipRequest>(req, 'MembershipRequest');
    requireScope(req, 'admin');
    sendResult(res, 200, await ledger.membership(req.params.id, b, idempotencyKey(req)));
  });
  r.post('/v1/accounts/:id/rewards', async (req, res) => {
    const b = body<{ reward: string; input?: Record<string, unknown> }>(req, 'RewardRequest');
    requireScope(req, 'admin');
    sendResult(res, 201, await ledger.reward(req.params.id, b, idempotencyKey(req)));
  });
  adminAction('/v1/accounts/:id/close-period', (id, key) => ledger.closePeriod(id, key));
  r.post('/v1/accounts/:id/billing', async (req, res) => {
    const b = body<BillingRequest>(req, 'BillingRequest');
    requireScope(req, 'admin');
    sendResult(res, 200, await ledger.changeBilling(req.params.id, b, idempotencyKey(req)));
  });
  r.get('/v1/accounts/:id/statements', async (req, res) => {
    requireAccount(req, req.params.id, 'charge');
    res.json({ statements: await ledger.statements(req.params.id) });
  });
  r.get('/v1/accounts/:id/statements/:statement', async (req, res) => {
    requireAccount(req, req.params.id, 'charge');
    res.json(await ledger.statement(req.params.id, req.params.statement));
  });
  r.get('/v1/audit', async (req, res) => {
    requireScope(req, 'admin');
    res.json(await ledger.audit());
  });
  adminAction('/v1/accounts/:id/settle', (id, key) => ledger.settle(id, key));
  return r;
}
