// The Express app: JSON in, JSON or problem+json out. Routes parse and authorize, then call
// the ledger; they hold no business rules.
import express, { type Express } from 'express';
import { ApiKeyCache, authenticate } from './auth.ts';
import type { AppContext } from './context.ts';
import { methodNotAllowed } from './method-not-allowed.ts';
import { Metrics } from './metrics.ts';
import { openApiDocument } from './openapi.ts';
import { opsRoutes } from './ops.ts';
import { HttpProblem, problemHandler } from './problem.ts';
import { requestIds } from './request-id.ts';
import { accountRoutes } from './routes/accounts.ts';
import { chargeRoutes } from './routes/charges.ts';
import { keyRoutes } from './routes/keys.ts';
import { listRoutes } from './routes/lists.ts';
import { webhookRoutes } from './routes/webhooks.ts';
import { packRoutes } from './routes/packs.ts';
import { impactRoutes } from './routes/impact.ts';
import { checkRoutes } from './routes/check.ts';
import { matrixRoutes } from './routes/matrix.ts';
import { playgroundRoutes } from './routes/playground.ts';
import { problemRoutes } from './routes/problems.ts';
import { QUOTES_PATH, quoteRoute } from './routes/quotes.ts';

export function createApp(ctx: AppContext): Express {
  const app = express();
  app.disable('x-powered-by');
  // Every response is computed per request; hashing each body for an ETag would only cost time.
  app.set('etag', false);
  app.set('query parser', 'simple');
  const { log, ledger } = ctx;
  const metrics = ctx.metrics ?? new Metrics();

  const ids = requestIds(app, log);
  const logRequests = log.isLevelEnabled('info');
  // One listener shared by every response, not a closure per request.
  function finished(this: express.Response & { started: number }): void {
    const ms = performance.now() - this.started;
    const req = this.req;
    metrics.observeRequest(req, this.statusCode, ms / 1000);
    // The base logger with the id as a field: a child logger per request would cost more.
    if (logRequests) log.info({ request_id: req.id, method: req.method, url: req.originalUrl, status: this.statusCode, ms, key: req.caller?.key.id }, 'request');
  }
  // Timing and the request id in one middleware: each one Express passes through costs a dispatch.
  app.use((req, res, next) => {
    (res as express.Response & { started: number }).started = performance.now();
    res.on('finish', finished);
    ids(req, res, next);
  });
  app.use(express.json({ limit: ctx.bodyLimit ?? '64kb', strict: true }));

  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });

  const keys = new ApiKeyCache(ledger.store, (ctx.keyCacheSeconds ?? 5) * 1000);
  app.use('/v1', authenticate(keys));
  app.post(QUOTES_PATH, quoteRoute(ctx)); // first: quoting is the hot path, and Express tries routes in order
  app.use(packRoutes(ctx));
  app.use(impactRoutes(ctx));
  app.use(matrixRoutes(ctx));
  app.use(checkRoutes(ctx));
  app.use(chargeRoutes(ctx));
  app.use(accountRoutes(ctx));
  app.use(keyRoutes(ctx, keys));
  app.use(listRoutes(ctx));
  app.use(webhookRoutes(ctx));
  // After /v1: probes, scrapes and problem pages are rare beside quotes.
  app.use(opsRoutes(ctx, metrics));
  app.use(problemRoutes());
  app.use(playgroundRoutes(ctx.playgroundDir));

  app.use(methodNotAllowed(openApiDocument));

  app.use((req, _res, next) => next(new HttpProblem(404, 'not_found', `no route ${req.method} ${req.path}`)));
  app.use(problemHandler(log));
  return app;
}
