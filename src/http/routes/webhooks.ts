// Webhook endpoints (admin): create (the secret shown once), list, delete, and the delivery log.
import { Router } from 'express';
import type { WebhookRequest } from '../../ledger/webhooks/service.ts';
import { requireScope } from '../auth.ts';
import type { AppContext } from '../context.ts';
import { sendResult } from '../replayed.ts';
import { body, idempotencyKey, pageQuery, plainPathParam } from '../validate.ts';

export function webhookRoutes({ ledger }: AppContext): Router {
  const r = Router();
  r.param('id', plainPathParam);
  r.get('/v1/webhooks', async (req, res) => {
    requireScope(req, 'admin');
    res.json({ webhooks: await ledger.webhooks.list() });
  });
  r.post('/v1/webhooks', async (req, res) => {
    const b = body<WebhookRequest>(req, 'WebhookRequest');
    requireScope(req, 'admin');
    const { webhook, replayed } = await ledger.webhooks.create(b, idempotencyKey(req));
    sendResult(res, 201, webhook, replayed);
  });
  r.delete('/v1/webhooks/:id', async (req, res) => {
    body(req, null);
    requireScope(req, 'admin');
    res.json(await ledger.webhooks.delete(req.params.id));
  });
  r.get('/v1/webhooks/:id/deliveries', async (req, res) => {
    requireScope(req, 'admin');
    const { cursor, limit } = pageQuery(req);
    res.json(await ledger.webhooks.deliveries(req.params.id, cursor, limit));
  });
  return r;
}
