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
import { packRoutes } from './routes/packs.ts';
import { problemRoutes } from './routes/problems.ts';
import { quoteRoutes } from './routes/quotes.ts';

export function createApp(ctx: AppContext): Express {
  const app = express();
  app.disable('x-powered-by');
  // Every response is computed per request; hashing each body for an ETag would only cost time.
  app.set('etag', false);
  app.set('query parser', 'simple');
  const { log, ledger } = ctx;
  const metrics = ctx.metrics ?? new Metrics();

  app.use(requestIds(app, log));
  const logRequests = log.isLevelEnabled('info');
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      metrics.observeRequest(req, res.statusCode, ms / 1000);
      // The base logger with the id as a field: a child logger per request would cost more.
      if (logRequests) log.info({ request_id: req.id, method: req.method, url: req.originalUrl, status: res.statusCode, ms, key: req.caller?.key.id }, 'request');
    });
    next();
  });
  app.use(express.json({ limit: ctx.bodyLimit ?? '64kb', strict: true }));

  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });

  const keys = new ApiKeyCache(ledger.store, (ctx.keyCacheSeconds ?? 5) * 1000);
  app.use('/v1', authenticate(keys));
  app.use(quoteRoutes(ctx)); // first: quoting is the hot path, and Express tries routers in order
  app.use(packRoutes(ctx));
  app.use(chargeRoutes(ctx));
  app.use(accountRoutes(ctx));
  app.use(keyRoutes(ctx, keys));
  // After /v1: probes, scrapes and problem pages are rare beside quotes.
  app.use(opsRoutes(ctx, metrics));
  app.use(problemRoutes());

  app.use(methodNotAllowed(openApiDocument));

  app.use((req, _res, next) => next(new HttpProblem(404, 'not_found', `no route ${req.method} ${req.path}`)));
  app.use(problemHandler(log));
  return app;
}
