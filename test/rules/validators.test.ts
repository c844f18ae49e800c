import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { VALIDATORS_FILE, validatorsSource } from '../../src/rules/schema/validators.ts';

test('src/rules/schema/validators.cjs matches the schemas (regenerate with `npm run schemas`)', () => {
  expect(readFileSync(VALIDATORS_FILE, 'utf8')).toBe(validatorsSource());
});
