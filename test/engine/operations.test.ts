// One operation end to end: inputs validated, constraints with {name} messages, outputs,
// operation calls (and rejections passing through them), and the explain trace.
import { describe, expect, test } from 'vitest';
import { Decimal } from '../../src/decimal.ts';
import { engineFor, plain, ruleErrorOf } from './helpers.ts';

const engine = () => engineFor('shop');
const quote = (operation: string, input: Record<string, unknown>, explain = false) =>
  engine().quote({ pack: 'shop', operation, input, explain });

describe('outputs', () => {
  test('an accepted quote gives exactly the listed outputs, with exact decimals', () => {
    const r = quote('render', { size: 'medium', batch: 2, tools: ['hires', 'face_fix'], rush: true });
    expect({ version: r.version, rejections: r.rejections, outputs: plain(r.outputs) }).toEqual({
      version: '7',
      rejections: [],
      outputs: { cost: '338', known_size: true, size_names: ['small', 'medium', 'large'] },
    });
  });

  test('a decimal input scales the price exactly', () => {
    expect(plain(quote('render', { size: 'small', scale: 1.1 }).outputs.cost!)).toBe('28');
    expect(plain(quote('render', { size: 'small', scale: '0.7' }).outputs.cost!)).toBe('18');
  });
});

describe('constraints', () => {
  test('a failed constraint rejects the request with its message, names interpolated, and its code', () => {
    const r = quote('render', { size: 'medium', batch: 3 });
    expect({ rejections: r.rejections, outputs: plain(r.outputs) }).toEqual({
      rejections: [{ code: 'batch_limit', message: 'free accounts render at most 2 images at once, not 3' }],
      outputs: {},
    });
  });

  test('every failed constraint is reported, in the order written', () => {
    expect(quote('render', { size: 'large', batch: 3 }).rejections.map((x) => x.message)).toEqual([
      'free accounts render at most 2 images at once, not 3',
      'large images need a pro account',
    ]);
  });

  test('a constraint that holds does not reject', () => {
    expect(quote('render', { size: 'large', batch: 4, tier: 'pro' }).rejections).toEqual([]);
  });
});

describe('operation calls', () => {
  test('an operation can call another one and use its outputs', () => {
    expect(plain(quote('bundle', { first: 'small', second: 'large', tier: 'pro' }).outputs)).toEqual({ cost: '425' });
  });

  test("a rejection of a called operation rejects the caller with the callee's message", () => {
    const r = quote('bundle', { first: 'small', second: 'large' });
    expect({ rejections: r.rejections, outputs: plain(r.outputs) }).toEqual({
      rejections: [{ message: 'large images need a pro account' }],
      outputs: {},
    });
  });
});

describe('bad input is an error naming the input, never a crash or NaN', () => {
  const cases: [string, Record<string, unknown>, { code: string; message: string; hint?: string }][] = [
    ['an unknown input name, with a suggestion', { size: 'small', bacth: 2 }, { code: 'unknown-input', message: "unknown input 'bacth'", hint: 'did you mean "batch"?' }],
    ['a wrong type', { size: 'small', batch: 'two' }, { code: 'invalid-input', message: "input 'batch' must be an integer, got \"two\"" }],
    ['a number where an integer is needed', { size: 'small', batch: 1.5 }, { code: 'invalid-input', message: "input 'batch' must be an integer, got 1.5" }],
    ['a boolean given as text', { size: 'small', rush: 'yes' }, { code: 'invalid-input', message: "input 'rush' must be true or false, got \"yes\"" }],
    ['a value above the maximum', { size: 'small', batch: 5 }, { code: 'input-out-of-range', message: "input 'batch' must be at most 4, got 5" }],
    ['a value below the minimum', { size: 'small', scale: 0.25 }, { code: 'input-out-of-range', message: "input 'scale' must be at least 0.5, got 0.25" }],
    ['a missing required input', { batch: 1 }, { code: 'missing-input', message: "missing required input 'size'" }],
    ['a value outside the enum, with a suggestion', { size: 'medum' }, { code: 'invalid-input', message: "input 'size' must be one of 'small', 'medium', 'large', got 'medum'", hint: 'did you mean "medium"?' }],
    ['a list item outside the enum', { size: 'small', tools: ['hires', 'upscale'] }, { code: 'invalid-input', message: "input 'tools[2]' must be one of 'hires', 'face_fix', got 'upscale'" }],
    ['a list given as text', { size: 'small', tools: 'hires' }, { code: 'invalid-input', message: "input 'tools' must be a list of strings, got \"hires\"" }],
    ['an infinite number (no NaN gets in)', { size: 'small', scale: Number.POSITIVE_INFINITY }, { code: 'invalid-input', message: "input 'scale' must be a number" }],
    ['a number in exponent text', { size: 'small', scale: '1e0' }, { code: 'invalid-input', message: "input 'scale' must be a number, got \"1e0\"" }],
  ];

  test.each(cases)('%s', (_what, input, want) => {
    const e = ruleErrorOf(() => quote('render', input));
    expect({ code: e.code, message: e.message.startsWith(want.message) ? want.message : e.message, ...(want.hint ? { hint: e.hint } : {}) }).toEqual(want);
  });

  test('an unknown operation is an error with a suggestion', () => {
    const e = ruleErrorOf(() => quote('rendr', { size: 'small' }));
    expect({ code: e.code, hint: e.hint }).toEqual({ code: 'unknown-operation', hint: 'did you mean "render"?' });
  });

  test('every accepted price is a finite decimal', () => {
    for (const size of ['small', 'medium', 'large']) {
      for (const scale of [0.5, 1.25, 2]) {
        const cost = quote('render', { size, scale, tier: 'pro', batch: 4, rush: true }).outputs.cost;
        expect(cost instanceof Decimal && cost.isFinite(), `${size} × ${scale}`).toBe(true);
      }
    }
  });
});

describe('the explain trace', () => {
  test('lists the inputs, then every computed cell with its formula, each after the cells it uses', () => {
    const r = quote('render', { size: 'medium', batch: 2, tools: ['hires', 'face_fix'], rush: true }, true);
    expect(r.trace!.map((t) => [t.kind, t.name, t.formula ?? null, plain(t.value)])).toEqual([
      ['input', 'size', null, 'medium'],
      ['input', 'batch', null, '2'],
      ['input', 'scale', null, '1'],
      ['input', 'tier', null, 'free'],
      ['input', 'rush', null, true],
      ['input', 'tools', null, ['hires', 'face_fix']],
      ['cell', 'max_batch', "IF(tier == 'free', 2, 4)", '2'],
      ['cell', 'base', 'sizes[size].megapixels * 100 * batch * scale', '200'],
      ['cell', 'tool_fees', "SUM(MAP(tools, t => IF(t == 'hires', 20, 5)))", '25'],
      ['cell', 'subtotal', 'base + tool_fees', '225'],
      ['cell', 'cost', 'CEIL(subtotal * IF(rush, 1.5, 1))', '338'],
      ['cell', 'known_size', 'HAS(sizes, size)', true],
      ['cell', 'size_names', 'KEYS(sizes)', ['small', 'medium', 'large']],
    ]);
  });

  test('every cell in the trace comes after the cells its formula names, in called operations too', () => {
    const r = quote('bundle', { first: 'small', second: 'medium', tier: 'pro' }, true);
    // cells of a called operation are labelled with the call: render#2.subtotal
    const scopeOf = (name: string) => (name.includes('.') ? name.slice(0, name.lastIndexOf('.') + 1) : '');
    const cells = new Set(r.trace!.filter((t) => t.kind === 'cell').map((t) => t.name));
    const seen = new Set<string>();
    const late: string[] = [];
    for (const t of r.trace!) {
      for (const name of t.formula?.match(/[A-Za-z_]\w*/g) ?? []) {
        const qualified = scopeOf(t.name) + name;
        if (cells.has(qualified) && qualified !== t.name && !seen.has(qualified)) late.push(`${t.name} before ${qualified}`);
      }
      seen.add(t.name);
    }
    expect(late).toEqual([]);
    expect(r.trace!.filter((t) => t.kind === 'cell').map((t) => t.name)).toEqual([
      ...['max_batch', 'base', 'tool_fees', 'subtotal', 'cost', 'known_size', 'size_names'].map((n) => `render#1.${n}`),
      ...['max_batch', 'base', 'tool_fees', 'subtotal', 'cost', 'known_size', 'size_names'].map((n) => `render#2.${n}`),
      'cost',
    ]);
  });

  test('a rejected quote explains the constraint that failed', () => {
    const r = quote('render', { size: 'medium', batch: 3 }, true);
    expect(r.trace!.filter((t) => t.kind === 'constraint').map((t) => [t.formula, t.note])).toEqual([
      ['batch <= max_batch', 'free accounts render at most 2 images at once, not 3'],
    ]);
  });

  test('without explain there is no trace', () => {
    expect(quote('render', { size: 'small' }).trace).toBeUndefined();
  });
});
