// Static types of formula values: what the checker infers and the builtins declare (their values are in value.ts).
export type Type =
  | { k: 'number' }
  | { k: 'string' }
  | { k: 'boolean' }
  | { k: 'list'; of: Type }
  | { k: 'record'; fields: Record<string, Type> }
  | { k: 'table'; name: string; key: Type; row: Record<string, Type>; keys: ReadonlySet<string> }
  | { k: 'lambda' }
  /** Unknown after an earlier error: accepted everywhere so one mistake is reported once. */
  | { k: 'any' };

export const T = {
  number: { k: 'number' } as Type,
  string: { k: 'string' } as Type,
  boolean: { k: 'boolean' } as Type,
  any: { k: 'any' } as Type,
  list: (of: Type): Type => ({ k: 'list', of }),
  record: (fields: Record<string, Type>): Type => ({ k: 'record', fields }),
};

export function showType(t: Type): string {
  switch (t.k) {
    case 'list': return t.of.k === 'any' ? 'list' : `list of ${showType(t.of)}`;
    case 'record': return `record {${Object.keys(t.fields).join(', ')}}`;
    case 'table': return `table ${t.name}`;
    default: return t.k;
  }
}

/** Whether a value of type `a` may be used where `b` is expected. */
export function assignable(a: Type, b: Type): boolean {
  if (a.k === 'any' || b.k === 'any') return true;
  if (a.k !== b.k) return false;
  if (a.k === 'list' && b.k === 'list') return assignable(a.of, b.of);
  if (a.k === 'record' && b.k === 'record') return Object.entries(b.fields).every(([f, t]) => f in a.fields && assignable(a.fields[f]!, t));
  return true;
}

/** The common type of two branches (IF, list items), or undefined when they don't agree. */
export function unify(a: Type, b: Type): Type | undefined {
  if (a.k === 'any') return b;
  if (b.k === 'any') return a;
  if (a.k !== b.k) return undefined;
  if (a.k === 'list' && b.k === 'list') {
    const of = unify(a.of, b.of);
    return of && T.list(of);
  }
  if (a.k === 'record' && b.k === 'record') {
    const fields: Record<string, Type> = {};
    for (const [f, t] of Object.entries(a.fields)) {
      const other = b.fields[f];
      if (other) fields[f] = unify(t, other) ?? T.any;
    }
    return T.record(fields);
  }
  return a;
}
