// A request id on every request: the client's X-Request-Id when it is sane, else a new UUID;
// sent back as X-Request-Id and bound to `req.log`, a pino child logger of the request.
import { randomUUID } from 'node:crypto';
import type { Express, Request, Response } from 'express';
import type { Logger } from 'pino';

declare module 'express-serve-static-core' {
  interface Request {
    /** This request's id (X-Request-Id). */
    id: string;
    /** A logger whose every line carries `request_id`. */
    readonly log: Logger;
  }
}

/** Visible ASCII, at most 128 characters: anything else could forge log lines or bloat them. */
const SANE = /^[\x21-\x7e]{1,128}$/;
const CHILD = Symbol('request logger');

export function requestIds(app: Express, log: Logger) {
  // The child logger is made on first use: most requests never log through it, and the
  // one `request` line per request names the id itself.
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: Request & { [CHILD]?: Logger }): Logger {
      return (this[CHILD] ??= log.child({ request_id: this.id }));
    },
  });
  return (req: Request, res: Response): void => {
    const given = req.headers['x-request-id'];
    req.id = typeof given === 'string' && SANE.test(given) ? given : randomUUID();
    res.setHeader('X-Request-Id', req.id);
  };
}
