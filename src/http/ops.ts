// Operations endpoints, outside /v1 and without an API key: liveness (/healthz, never touches
// the store), readiness (/readyz, asks the store) and Prometheus metrics (/metrics, behind
// METRICS_TOKEN when it is set).
import { timingSafeEqual } from 'node:crypto';
import { Router, type NextFunction, type Request, type Response } from 'express';
import { bearerToken, hashSecret } from './auth.ts';
import type { AppContext } from './context.ts';
import { withDeadline } from './deadline.ts';
import type { Metrics } from './metrics.ts';
import { BEARER_CHALLENGE, HttpProblem, sendProblem } from './problem.ts';

/** How long readiness and the open-holds count wait for the store, unless the context says. */
const STORE_DEADLINE_MS = 2000;

export function opsRoutes(ctx: AppContext, metrics: Metrics): Router {
  const r = Router();
  const { ledger, log } = ctx;
  const { store } = ledger;
  const deadline = ctx.storeDeadlineMs ?? STORE_DEADLINE_MS;
  metrics.countHoldsWith(() => withDeadline(store.openHolds(ledger.now()), deadline), log);

  r.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', store: store.kind });
  });

  r.get('/readyz', async (req, res) => {
    if (ctx.lifecycle?.draining) return sendProblem(res, new HttpProblem(503, 'not_ready', 'the server is shutting down'), req.originalUrl);
    try {
      await withDeadline(store.ping(), deadline);
    } catch (err) {
      req.log.warn({ err }, 'not ready: the store does not answer');
      return sendProblem(res, new HttpProblem(503, 'not_ready', `the ${store.kind} store does not answer`), req.originalUrl);
    }
    res.json({ status: 'ready', store: store.kind });
  });

  r.get('/metrics', metricsAuth(ctx.metricsToken), async (_req, res) => {
    const text = await metrics.registry.metrics();
    res.type(metrics.registry.contentType).send(text);
  });
  return r;
}

// Both sides hashed (hashSecret, as API keys are), so timingSafeEqual compares equal lengths.
const digest = (s: string) => Buffer.from(hashSecret(s));

/** With a token configured, `Authorization: Bearer <token>` is required; compared in constant time. */
function metricsAuth(token: string | undefined) {
  const expected = token === undefined ? undefined : digest(token);
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (!expected) return next();
    const given = bearerToken(req.headers.authorization);
    if (given !== undefined && timingSafeEqual(digest(given), expected)) return next();
    next(new HttpProblem(401, 'unauthorized', 'send the metrics token (METRICS_TOKEN) as `Authorization: Bearer <token>`', {}, { 'WWW-Authenticate': BEARER_CHALLENGE }));
  };
}
