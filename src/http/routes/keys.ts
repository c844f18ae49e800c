import { Router } from 'express';
import { isReplay } from '../../ledger/idempotency.ts';
import type { ApiKeyRecord, KeyScope } from '../../ledger/records.ts';
import { newApiKey, requireScope, type ApiKeyCache } from '../auth.ts';
import type { AppContext } from '../context.ts';
import { HttpProblem } from '../problem.ts';
import { sendResult } from '../replayed.ts';
import { body, idempotencyKey, plainPathParam } from '../validate.ts';

const view = (k: ApiKeyRecord) => ({
  id: k.id, scope: k.scope, accounts: k.accounts, label: k.label,
  created_at: new Date(k.createdAt).toISOString(), revoked_at: k.revokedAt === null ? null : new Date(k.revokedAt).toISOString(),
});

const REPLAY_NOTE = 'This is a replay of an earlier request with the same Idempotency-Key: the key exists, but its secret is shown '
  + 'only in the first response and is not stored. If it was lost, create a new key and revoke this one.';

export function keyRoutes({ ledger }: AppContext, cache: ApiKeyCache): Router {
  const r = Router();
  r.param('id', plainPathParam);
  r.get('/v1/keys', async (req, res) => {
    requireScope(req, 'admin');
    res.json({ keys: (await ledger.store.apiKeys()).map(view) });
  });
  r.post('/v1/keys', async (req, res) => {
    const b = body<{ scope: KeyScope; accounts?: string[]; label?: string }>(req, 'KeyRequest');
    requireScope(req, 'admin');
    const { token, record } = newApiKey(b.scope, b.accounts ?? [], b.label ?? null, ledger.now());
    // Only the first response carries the secret: the store keeps its hash, and a stored
    // response would be a copy of it. A replay says so rather than leaving the field out.
    const created = await ledger.idempotently(idempotencyKey(req), { op: 'create_key', ...b }, async (tx) => {
      await tx.insertApiKey(record);
      return view(record);
    });
    const replay = isReplay(created);
    sendResult(res, 201, replay ? { ...created, key: null, note: REPLAY_NOTE } : { ...created, key: token }, replay);
  });
  r.post('/v1/keys/:id/revoke', async (req, res) => {
    body(req, null);
    requireScope(req, 'admin');
    const revoked = await ledger.idempotently(idempotencyKey(req), { op: 'revoke_key', id: req.params.id }, async (tx, now) => {
      const k = await tx.revokeApiKey(req.params.id, now);
      if (!k) throw new HttpProblem(404, 'key_not_found', `no API key '${req.params.id}'`);
      return view(k);
    });
    cache.forget(req.params.id);
    sendResult(res, 200, revoked);
  });
  return r;
}
