import type { InputType } from '../rules/model.ts';
import { T, type Type } from '../types.ts';

export function typeOfInput(t: InputType): Type {
  switch (t.kind) {
    case 'number':
    case 'integer':
      return T.number;
    case 'string':
      return T.string;
    case 'boolean':
      return T.boolean;
    case 'list':
      return T.list(typeOfInput(t.items));
    case 'record':
      return T.record(Object.fromEntries(t.fields.map((f) => [f.name, typeOfInput(f.type)])));
    case 'malformed':
      return T.any;
  }
}
