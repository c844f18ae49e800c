// Versions with effective dates, and definitions shared across rule files.
import { describe, expect, test } from 'vitest';
import { engineFor, plain, ruleErrorOf } from './helpers.ts';

const engine = () => engineFor('versioned');
const quote = (operation: string, at: string, input: Record<string, unknown> = {}) =>
  engine().quote({ pack: 'versioned', operation, input, at: new Date(at) });

describe('versions with effective dates', () => {
  test('a request picks the version in force at its time, and the result names it', () => {
    const got = ['2025-01-01T00:00:00Z', '2025-12-31T23:59:59.999Z', '2026-01-01T00:00:00Z', '2030-06-01T00:00:00Z']
      .map((at) => { const r = quote('render', at, { model: 'pro', count: 2 }); return { at, version: r.version, cost: plain(r.outputs.cost!) }; });
    expect(got).toEqual([
      { at: '2025-01-01T00:00:00Z', version: '2025.1', cost: '50' },
      { at: '2025-12-31T23:59:59.999Z', version: '2025.1', cost: '50' },
      { at: '2026-01-01T00:00:00Z', version: '2026.1', cost: '100' },
      { at: '2030-06-01T00:00:00Z', version: '2026.1', cost: '100' },
    ]);
  });

  test('a request without a time uses the version in force now', () => {
    const r = engine().quote({ pack: 'versioned', operation: 'render', input: {} });
    expect(r.version).toBe('2026.1');
  });

  test('a request before the first version is an error saying when the pack starts', () => {
    const e = ruleErrorOf(() => quote('render', '2024-12-31T23:59:59Z'));
    expect({ code: e.code, message: e.message, hint: e.hint }).toEqual({
      code: 'no-version-in-force',
      message: "pack 'versioned' has no version in force at 2024-12-31T23:59:59.000Z",
      hint: 'its first version takes effect at 2025-01-01T00:00:00.000Z',
    });
  });

  test('an operation added in a later version does not exist in the earlier one', () => {
    expect(plain(quote('discounted', '2026-02-01T00:00:00Z', { model: 'pro' }).outputs)).toEqual({ cost: '12.5' });
    const e = ruleErrorOf(() => quote('discounted', '2025-06-01T00:00:00Z'));
    expect({ code: e.code, message: e.message }).toEqual({ code: 'unknown-operation', message: "pack 'versioned' (version 2025.1) has no operation 'discounted'" });
  });

  test('an operation dropped in a later version is still priced for requests dated before it', () => {
    expect(plain(quote('legacy_fee', '2025-06-01T00:00:00Z', { count: 2 }).outputs)).toEqual({ fee: '6' });
    const e = ruleErrorOf(() => quote('legacy_fee', '2026-02-01T00:00:00Z', { count: 2 }));
    expect({ code: e.code, message: e.message }).toEqual({ code: 'unknown-operation', message: "pack 'versioned' (version 2026.1) has no operation 'legacy_fee'" });
  });

  test('packs lists every version with its effective date', () => {
    expect(engine().pack('versioned').versions).toEqual([
      { version: '2025.1', effective: '2025-01-01T00:00:00.000Z' },
      { version: '2026.1', effective: '2026-01-01T00:00:00.000Z' },
    ]);
  });
});

describe('definitions shared across files', () => {
  test('a table and a cell defined in shared.yaml are used by operations in other files', () => {
    const at = '2026-03-01T00:00:00Z';
    expect({
      base: plain(quote('render', at, { model: 'base' }).outputs.cost!),
      pro: plain(quote('render', at, { model: 'pro', count: 3 }).outputs.cost!),
      discounted: plain(quote('discounted', at, { model: 'base' }).outputs.cost!),
    }).toEqual({ base: '20', pro: '150', discounted: '5' });
  });

  test('the shared minimum charge applies in the old version', () => {
    expect(plain(quote('render', '2025-03-01T00:00:00Z', { model: 'base' }).outputs.cost!)).toBe('10');
  });
});
