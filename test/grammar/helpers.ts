// Shared by the grammar tests: a compact prefix notation for trees, span stripping, and
// catching the RuleError a parse throws.

import { expect } from 'vitest';
import { RuleError, type Expr, type UnaryTest } from '../../grammar/index.ts';

/** `1 + 2 * 3` → `(+ 1 (* 2 3))`: shows exactly how a formula was grouped. */
export function tree(e: Expr): string {
  switch (e.kind) {
    case 'number': return e.value;
    case 'string': return JSON.stringify(e.value);
    case 'boolean': return String(e.value);
    case 'name': return e.name;
    case 'list': return `[${e.items.map(tree).join(' ')}]`;
    case 'record': return `{${e.fields.map((f) => `${f.name}: ${tree(f.value)}`).join(', ')}}`;
    case 'member': return `(. ${tree(e.object)} ${e.property})`;
    case 'index': return `([] ${tree(e.object)} ${tree(e.index)})`;
    case 'call': return `(${[e.callee, ...e.args.map(tree)].join(' ')})`;
    case 'lambda': return `(=> (${e.params.map((p) => p.name).join(' ')}) ${tree(e.body)})`;
    case 'unary': return `(${e.op} ${tree(e.operand)})`;
    case 'binary': return `(${e.op} ${tree(e.left)} ${tree(e.right)})`;
  }
}

export function testTree(t: UnaryTest): string {
  switch (t.kind) {
    case 'any': return 'any';
    case 'compare': return `(${t.op} ${tree(t.value)})`;
    case 'in': return `(${t.negated ? 'not in' : 'in'} ${tree(t.list)})`;
    case 'range':
      return `${t.lowInclusive ? '[' : '('}${tree(t.low)} ${tree(t.high)}${t.highInclusive ? ']' : ')'}`;
  }
}

const SPAN_KEYS = new Set(['span', 'opSpan', 'propertySpan', 'calleeSpan']);

/** A deep copy without positions, to compare trees parsed from different texts. */
export function withoutSpans<T>(node: T): T {
  return JSON.parse(JSON.stringify(node, (key, value) => (SPAN_KEYS.has(key) ? undefined : value)));
}

/** The RuleError `parse` throws; fails the test if it returns or throws something else. */
export function ruleErrorOf(parse: () => unknown): RuleError {
  let result: unknown;
  try {
    result = parse();
  } catch (e) {
    expect(e).toBeInstanceOf(RuleError);
    return e as RuleError;
  }
  throw new Error(`expected a RuleError, but it parsed as ${JSON.stringify(result)}`);
}
