// Where a problem's `type` points: GET /problems/<code> is a short page saying what the code
// means, its status and how to fix it, from the same table the server answers with.
import { Router } from 'express';
import { HttpProblem } from '../problem.ts';
import { problemType, STATUS_TITLES, type ProblemType } from '../problem-types.ts';
import { plainPathParam } from '../validate.ts';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(code: string, t: ProblemType): string {
  const status = `${t.status} ${STATUS_TITLES[t.status as keyof typeof STATUS_TITLES]}`;
  return `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>${escape(code)} (${status})</title>
<h1><code>${escape(code)}</code></h1>
<p>HTTP status: ${status}</p>
<h2>What it means</h2>
<p>${escape(t.meaning)}</p>
<h2>How to fix it</h2>
<p>${escape(t.fix)}</p>
<p>The problem's <code>detail</code> says what went wrong in the request itself. All codes: <a href="/openapi.json">/openapi.json</a>, schema ErrorCode.</p>
</html>
`;
}

export function problemRoutes(): Router {
  const r = Router();
  r.param('code', plainPathParam);
  r.get('/problems/:code', (req, res) => {
    const code = req.params.code;
    const t = problemType(code);
    if (!t) throw new HttpProblem(404, 'not_found', `no problem type '${code}': the codes are the ErrorCode enum of /openapi.json`);
    res.set('Cache-Control', 'public, max-age=86400').type('html').send(page(code, t));
  });
  return r;
}
