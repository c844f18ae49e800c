// Schema and YAML mistakes told in the file's own words: the place as a PM counts it, what was
// expected with an example, and how YAML read the value when that differs from what was typed.
import { describe, expect, test } from 'vitest';
import { ordinal, placeInWords } from '../../src/rules/schema-words.ts';
import { parseYaml, validateYaml, yamlErrors } from '../../src/rules/yaml-source.ts';
import ledgerSchema from '../../src/rules/schema/ledger.schema.json' with { type: 'json' };
import packSchema from '../../src/rules/schema/pack.schema.json' with { type: 'json' };
import ruleFileSchema from '../../src/rules/schema/rule-file.schema.json' with { type: 'json' };
import testsSchema from '../../src/rules/schema/tests.schema.json' with { type: 'json' };

test('ordinals count from 1 as people do', () => {
  expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101].map(ordinal)).toEqual(['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '101st']);
});

describe('a path of keys and indexes in words', () => {
  const cases: [string, string, string[], { thing: string; field?: string }][] = [
    ['pack.schema.json', 'rules/p/pack.yaml', ['versions', '1', 'version'], { thing: 'version 2 of pack.yaml', field: 'version' }],
    ['pack.schema.json', 'rules/p/pack.yaml', ['unit'], { thing: 'pack.yaml', field: 'unit' }],
    ['rule-file.schema.json', 'r.yaml', ['operations', 'render', 'constraints', '1'], { thing: "the 2nd constraint of operation 'render'" }],
    ['rule-file.schema.json', 'r.yaml', ['operations', 'render', 'inputs', 'tier'], { thing: "input 'tier' of operation 'render'" }],
    ['rule-file.schema.json', 'r.yaml', ['operations', 'render', 'tables', 'models', 'rows', '2'], { thing: "the 3rd row of table 'models' of operation 'render'" }],
    ['rule-file.schema.json', 'r.yaml', ['definitions', 'tables', 'models', 'rows', '0', 'rate'], { thing: "column 'rate' of the 1st row of shared table 'models'" }],
    ['rule-file.schema.json', 'r.yaml', ['operations', 'render', 'decisions', 'speed', 'rows', '1', '0'], { thing: "cell 1 of row 2 of decision table 'speed'" }],
    ['ledger.schema.json', 'rules/p/ledger.yaml', ['topup', 'grants', '0', 'kind'], { thing: "the 1st grant of 'topup' of ledger.yaml", field: 'kind' }],
    ['tests.schema.json', 'rules/p/tests/render.yaml', ['cases', '2', 'expect', 'cost'], { thing: "expected output 'cost' of the 3rd case of tests/render.yaml" }],
  ];
  test.each(cases)('%s %j', (schemaId, file, path, want) => {
    expect(placeInWords(path, schemaId, file)).toEqual(want);
  });
});

const firstOf = (schema: { $id: string }, file: string, text: string) => {
  const f = parseYaml(text, file);
  const [e] = [...yamlErrors(f), ...(yamlErrors(f).length ? [] : validateYaml(f, schema))];
  const p = e?.position;
  return e && { at: `${p?.line}:${p?.col}`, message: e.message, hint: e.hint };
};

describe('what was expected, and how YAML read the value', () => {
  const pack = (version: string, effective = '2026-01-01T00:00:00Z') =>
    `pack: p\nunit: credits\nversions:\n  - version: "1"\n    effective: 2026-01-01T00:00:00Z\n  - version: ${version}\n    effective: ${effective}\n`;
  const cases: { name: string; schema: { $id: string }; file: string; text: string; want: { at: string; message: string; hint: string } }[] = [
    {
      name: 'a version number read as a number',
      schema: packSchema, file: 'pack.yaml', text: pack('2026.10'),
      want: { at: '6:14', message: 'in version 2 of pack.yaml, \'version\' must be text, like "2026.10" (in quotes)', hint: '2026.10 was read as the number 2026.1: put it in quotes, "2026.10"' },
    },
    {
      name: 'a date without a time',
      schema: packSchema, file: 'pack.yaml', text: pack('"2"', '2026-02-01'),
      want: { at: '7:16', message: "in version 2 of pack.yaml, 'effective' must be a date and time, like 2026-01-01T00:00:00Z", hint: '2026-02-01 is a date without a time: write 2026-02-01T00:00:00Z (midnight UTC), or the time it takes effect' },
    },
    {
      name: 'outputs written as one name',
      schema: ruleFileSchema, file: 'r.yaml', text: 'operations:\n  render:\n    cells: { cost: 1 }\n    outputs: cost\n',
      want: { at: '4:14', message: "in operation 'render', 'outputs' must be a list, like [cost]", hint: 'write it as a list in brackets: [cost]' },
    },
    {
      name: 'a missing required field, with what it is for',
      schema: ruleFileSchema, file: 'r.yaml', text: 'operations:\n  render:\n    cells: { cost: 1 }\n    outputs: [cost]\n    constraints:\n      - require: cost > 0\n',
      want: { at: '6:9', message: "the 1st constraint of operation 'render' is missing the field 'message'", hint: 'add message: "width must be at most {max_width}" (what the caller is told when the request is rejected; may name values in {braces})' },
    },
    {
      name: 'an amount that must be quoted',
      schema: ledgerSchema, file: 'ledger.yaml', text: 'grant_kinds: { a: { expires: never, priority: 1 } }\nspend_order: [priority]\ncharges: { render: cost }\nbilling: { postpaid_overdraft_limit: 1000 }\n',
      want: { at: '4:38', message: "in 'billing' of ledger.yaml, 'postpaid_overdraft_limit' must be a decimal amount in quotes, like \"100\" or \"12.5\"", hint: '1000 was read as a number: put it in quotes, "1000"' },
    },
    {
      name: 'a misspelt required field, once',
      schema: testsSchema, file: 'tests/t.yaml', text: 'cases:\n  - name: x\n    operaton: render\n    expect: { cost: 1 }\n',
      want: { at: '3:5', message: "unknown field 'operaton' in the 1st case of tests/t.yaml", hint: 'did you mean "operation"?' },
    },
  ];
  test.each(cases)('$name', ({ schema, file, text, want }) => {
    expect(firstOf(schema, file, text)).toEqual(want);
  });

  test('a misspelt required field yields one error, not "unknown" and "missing"', () => {
    const f = parseYaml('cases:\n  - name: x\n    operaton: render\n    expect: { cost: 1 }\n', 't.yaml');
    expect(validateYaml(f, testsSchema).map((e) => e.message)).toEqual(["unknown field 'operaton' in the 1st case of t.yaml"]);
  });
});

describe('one YAML slip, one error, on the line to fix', () => {
  const ops = (cells: string) => `operations:\n  render:\n    cells:\n${cells}    outputs: [cost]\n`;
  const cases: { name: string; text: string; want: { at: string; message: string; hint: string } }[] = [
    {
      name: 'a tab',
      text: ops('      base: 2\n\t    cost: base * 2\n'),
      want: { at: '5:1', message: 'line 5 is indented with a tab', hint: 'YAML indents with spaces: replace the tab on line 5 with spaces' },
    },
    {
      name: 'a line indented further than the one above (reported there, not above)',
      text: ops('      base: 2\n        cost: base * 2\n'),
      want: { at: '5:9', message: "line 5 is indented further than 'base' above it, so YAML reads 'cost' as part of the value of 'base'", hint: "indent 'cost' by 6 spaces, like 'base'; or, if 'cost' belongs under 'base', put nothing after 'base:'" },
    },
    {
      name: 'a missing colon',
      text: ops('      base: 2\n      cost base * 2\n'),
      want: { at: '5:7', message: "a ':' is missing after 'cost'", hint: 'write cost: base * 2' },
    },
    {
      name: 'a duplicate key, naming the first',
      text: ops('      cost: 2\n      cost: 3\n'),
      want: { at: '5:7', message: "'cost' appears twice in the same mapping (first on line 4)", hint: 'each key may appear once in a mapping; rename or merge the two' },
    },
  ];
  test.each(cases)('$name', ({ text, want }) => {
    const f = parseYaml(text, 'r.yaml');
    expect(yamlErrors(f)).toHaveLength(1);
    expect(firstOf(ruleFileSchema, 'r.yaml', text)).toEqual(want);
  });
});
