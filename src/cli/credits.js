#!/usr/bin/env node
// The `credits` command: the compiled build, made by `npm run build` (which npm install runs).
import { existsSync } from 'node:fs';

const built = new URL('../../dist/credits.js', import.meta.url);
if (!existsSync(built)) {
  console.error('credits: the compiled build is missing (dist/credits.js); run `npm run build` in the project folder');
  process.exit(1);
}
await import(built.href);
