import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { DIAGRAMS_FILE, syntaxDiagramsHtml } from '../../grammar/diagrams.ts';

test('grammar/diagrams.html matches the grammar (regenerate with `npx tsx grammar/diagrams.ts`)', () => {
  expect(readFileSync(DIAGRAMS_FILE, 'utf8')).toBe(syntaxDiagramsHtml());
});
