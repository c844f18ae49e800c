// The Express app: JSON in, JSON or problem+json out. Routes parse and authorize, then call
// the ledger; they hold no business rules.
import express, { type Express } from 'express';
import { ApiKeyCache, authenticate } from './auth.ts';
import type { AppContext } from './context.ts';
import { openApiDocument } from './openapi.ts';
import { HttpProblem, problemHandler } from './problem.ts';
import { accountRoutes } from './routes/accounts.ts';
import { chargeRoutes } from './routes/charges.ts';
import { keyRoutes } from './routes/keys.ts';
import { packRoutes } from './routes/packs.ts';
import { quoteRoutes } from './routes/quotes.ts';

export function createApp(ctx: AppContext): Express {
  const app = express();
  app.disable('x-powered-by');
  // Every response is computed per request; hashing each body for an ETag would only cost time.
  app.set('etag', false);
  app.set('query parser', 'simple');
  if (ctx.log.isLevelEnabled('info')) {
    app.use((req, res, next) => {
      const started = process.hrtime.bigint();
      res.on('finish', () => {
        ctx.log.info({ method: req.method, url: req.originalUrl, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6, key: req.caller?.key.id }, 'request');
      });
      next();
    });
  }
  app.use(express.json({ limit: ctx.bodyLimit ?? '64kb', strict: true }));

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', store: ctx.ledger.store.kind });
  });
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });

  const keys = new ApiKeyCache(ctx.ledger.store, (ctx.keyCacheSeconds ?? 5) * 1000);
  app.use('/v1', authenticate(keys));
  app.use(quoteRoutes(ctx)); // first: quoting is the hot path, and Express tries routers in order
  app.use(packRoutes(ctx));
  app.use(chargeRoutes(ctx));
  app.use(accountRoutes(ctx));
  app.use(keyRoutes(ctx, keys));

  app.use((req, _res, next) => next(new HttpProblem(404, 'not_found', `no route ${req.method} ${req.path}`)));
  app.use(problemHandler(ctx.log));
  return app;
}
