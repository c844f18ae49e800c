// The playground: a single-page app built into dist/playground at install time (web/build.mjs),
// served as static files without an API key (it asks for one and sends it to /v1 itself).
import express, { Router } from 'express';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HttpProblem } from '../problem.ts';

/** Where `npm run build` puts the playground, relative to the working folder (as RULES_DIR is). */
export const PLAYGROUND_DIR = 'dist/playground';

export function playgroundRoutes(dir = PLAYGROUND_DIR): Router {
  const root = resolve(dir);
  const r = Router();
  r.get('/', (_req, res) => res.redirect(302, '/playground'));
  r.get('/playground', (_req, res) => {
    const index = join(root, 'index.html');
    if (!existsSync(index)) throw new HttpProblem(404, 'not_found', `the playground is not built: run \`npm run build\` (looked for ${index})`);
    // The page is small and changes with every build: always revalidated.
    res.set('Cache-Control', 'no-cache').sendFile(index);
  });
  r.use('/playground', express.static(root, { index: false, fallthrough: true, cacheControl: true, maxAge: 0 }));
  return r;
}
