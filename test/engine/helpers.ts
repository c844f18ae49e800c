// Shared by the engine tests: fixture packs loaded once, and results as plain JSON text so
// a failing comparison prints exact decimals (`0.3`, never 0.30000000000000004).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { RuleError } from '../../grammar/diagnostic.ts';
import { Engine } from '../../src/engine/engine.ts';
import { toJsonText, type Value } from '../../src/value.ts';

export const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

const engines = new Map<string, Engine>();

/** The engine for one fixture pack, loaded (and checked) once per test file. */
export function engineFor(name: string): Engine {
  let e = engines.get(name);
  if (!e) {
    e = Engine.load(fixture(name));
    engines.set(name, e);
  }
  return e;
}

/** A value as JSON data with numbers as their exact decimal text, for readable comparisons. */
export function plain(v: Value | Record<string, Value>): unknown {
  return JSON.parse(toJsonText(v as Value), (_k, x) => (typeof x === 'number' ? String(x) : x));
}

/** The RuleError a call throws; fails the test (saying what happened instead) if it throws none. */
export function ruleErrorOf(f: () => unknown): RuleError {
  let result: unknown;
  try {
    result = f();
  } catch (e) {
    if (e instanceof RuleError) return e;
    throw new Error(`expected a RuleError, got ${String(e)}`);
  }
  expect.fail(`expected a RuleError, but got a result: ${toJsonText(result as Value)}`);
}

/** The 1-based line of the single line of `file` containing `text`. */
export function lineOf(file: string, text: string): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const found = lines.flatMap((l, i) => (l.includes(text) ? [i + 1] : []));
  if (found.length !== 1) throw new Error(`${file}: '${text}' must occur on exactly one line`);
  return found[0]!;
}
