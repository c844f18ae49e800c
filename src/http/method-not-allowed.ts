// A known path asked with a method it doesn't take is a 405 naming the methods it does
// (RFC 9110 §15.5.6), not a 404: the methods come from the OpenAPI document's paths.
import type { NextFunction, Request, Response } from 'express';
import { HttpProblem } from './problem.ts';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

interface KnownPath {
  pattern: RegExp;
  methods: string[];
}

/** `/v1/charges/{id}/capture` → a pattern as lenient as Express's routing (any case, an optional trailing slash). */
function templatePattern(template: string): RegExp {
  const literal = (s: string) => s.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  return new RegExp(`^${template.split(/\{[^}]+\}/).map(literal).join('[^/]+')}/?$`, 'i');
}

/** Middleware for after every route: a request still unanswered on a documented path with another method gets a 405. */
export function methodNotAllowed(document: { paths: Record<string, object> }) {
  const known: KnownPath[] = Object.entries(document.paths).map(([template, ops]) => {
    const methods = Object.keys(ops).filter((m) => METHODS.includes(m)).map((m) => m.toUpperCase());
    // Express answers HEAD with the GET route.
    if (methods.includes('GET') && !methods.includes('HEAD')) methods.push('HEAD');
    return { pattern: templatePattern(template), methods: methods.sort() };
  });
  return (req: Request, _res: Response, next: NextFunction): void => {
    const path = known.find((k) => k.pattern.test(req.path));
    if (!path || path.methods.includes(req.method)) return next();
    const allow = path.methods.join(', ');
    next(new HttpProblem(405, 'method_not_allowed', `${req.path} takes ${allow}, not ${req.method}`, { allow: path.methods }, { Allow: allow }));
  };
}
