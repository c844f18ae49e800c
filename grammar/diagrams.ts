// Writes grammar/diagrams.html, the railroad diagrams of the grammar: `npx tsx grammar/diagrams.ts`.
// test/grammar/diagrams.test.ts fails when the committed file differs from a fresh one.

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createSyntaxDiagramsCode } from 'chevrotain';
import { parser } from './parser.ts';

export const DIAGRAMS_FILE = fileURLToPath(new URL('diagrams.html', import.meta.url));

// The page loads chevrotain's diagram scripts from the installed package, so it works offline after npm install.
const RESOURCES = '../node_modules/chevrotain/diagrams/';

export function syntaxDiagramsHtml(): string {
  return createSyntaxDiagramsCode(parser.getSerializedGastProductions(), {
    resourceBase: RESOURCES,
    css: `${RESOURCES}diagrams.css`,
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(DIAGRAMS_FILE, syntaxDiagramsHtml());
  console.log(`wrote ${DIAGRAMS_FILE}`);
}
