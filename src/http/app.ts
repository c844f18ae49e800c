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
  shapeRequests(app);

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
  const bodyLimit = ctx.bodyLimit ?? '64kb';
  const json = express.json({ limit: bodyLimit, strict: true });
  // Timing, the request id and the body in one middleware: each one Express passes through costs a dispatch.
  app.use((req, res, next) => {
    (res as express.Response & { started: number }).started = performance.now();
    res.on('finish', finished);
    ids(req, res);
    json(req, res, next);
  });

  const keys = new ApiKeyCache(ledger.store, (ctx.keyCacheSeconds ?? 5) * 1000);
  app.use(underV1(authenticate(keys)));
  app.post(QUOTES_PATH, quoteRoute(ctx)); // first: quoting is the hot path, and Express tries routes in order
  app.get('/openapi.json', (_req, res) => {
    res.json(openApiDocument);
  });
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

/** What a request and its response get after Express has taken them (by Express, its router, this app). */
interface Shaped {
  req: Record<string | symbol, unknown>;
  res: Record<string, unknown>;
}

/**
 * Express swaps the prototypes of a request and its response first thing (app.handle), and V8
 * then gives every property added to them afterwards a hidden class of their own: about 1 KB
 * of garbage per property per request, measured, on every quote. The properties Express, its
 * router and this app add later are put on before the swap, as undefined, while every request
 * still has the shape of the last; the later writes only fill them in. Values are unchanged:
 * each is one its reader takes for "not set yet" (`'body' in req` alike: body-parser sets
 * undefined there itself).
 */
function shapeRequests(app: Express): void {
  type Handle = (this: Express, req: Shaped['req'], res: Shaped['res'], done?: unknown) => void;
  const handled = app as unknown as { handle: Handle };
  const handle = handled.handle;
  handled.handle = function (req, res, done) {
    req.next = undefined;
    req.baseUrl = undefined;
    req.originalUrl = undefined;
    req._parsedUrl = undefined;
    req.params = undefined;
    req.body = undefined;
    req.route = undefined;
    req.id = undefined;
    req.caller = undefined;
    res.locals = undefined;
    res.started = 0;
    return handle.call(this, req, res, done);
  };
}

/** What `app.use('/v1', …)` matches: /v1 and below, in any case (Express routes ignore case by default). */
const V1 = /^\/v1(?:\/|$)/i;

/**
 * Middleware run for the paths under /v1 only, as `app.use('/v1', m)` runs it, but without
 * mounting it there: a mounted middleware has the router cut the prefix off the URL and put
 * it back, and the URL parsed again each time, on every request under it.
 */
function underV1(m: express.RequestHandler): express.RequestHandler {
  return (req, res, next) => (V1.test(req.path) ? m(req, res, next) : next());
}
