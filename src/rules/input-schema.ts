// The JSON Schema of an operation's inputs, for clients building forms and validating
// requests before sending them.
import { decimalText } from '../decimal.ts';
import type { InputDecl, InputType } from './model.ts';

function typeSchema(t: InputType): Record<string, unknown> {
  switch (t.kind) {
    case 'number':
    case 'integer': {
      const s: Record<string, unknown> = { type: t.kind };
      if (t.min) s.minimum = Number(decimalText(t.min));
      if (t.max) s.maximum = Number(decimalText(t.max));
      if (t.enum) s.enum = t.enum.map((e) => Number(decimalText(e)));
      return s;
    }
    case 'string':
      return t.enum ? { type: 'string', enum: t.enum } : { type: 'string' };
    case 'boolean':
      return { type: 'boolean' };
    case 'list': {
      const s: Record<string, unknown> = { type: 'array', items: typeSchema(t.items) };
      if (t.minItems !== undefined) s.minItems = t.minItems;
      if (t.maxItems !== undefined) s.maxItems = t.maxItems;
      return s;
    }
    case 'record':
      return inputSchema(t.fields);
    case 'malformed':
      return {};
  }
}

export function inputSchema(inputs: readonly InputDecl[]): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const i of inputs) {
    const s = typeSchema(i.type);
    if (i.description) s.description = i.description;
    if (i.defaultJson !== undefined) s.default = i.defaultJson;
    else required.push(i.name);
    properties[i.name] = s;
  }
  return { type: 'object', additionalProperties: false, properties, required };
}
