// Scenario files a PM gets wrong: each mistake reported at its key, with a fix, before anything runs.
import { describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/index.ts';
import { parseYaml } from '../../src/rules/yaml-source.ts';
import { loadScenarios } from '../../src/scenarios/load.ts';
import { scenarioPackOf } from '../../src/scenarios/check.ts';
import { parseDuration, parseTime } from '../../src/scenarios/time.ts';

const shop = scenarioPackOf(Engine.load('test/scenarios/fixtures/shop').checkedPack('shop'));

/** Each diagnostic's first line and its hint. */
function problems(steps: string, extra = ''): string[] {
  const text = `scenarios:\n  - name: s\n${extra}    steps:\n${steps}`;
  return loadScenarios(parseYaml(text, 's.yaml'), shop).problems.map((p) => `${p.format().split('\n')[0]} | ${p.hint ?? ''}`);
}

const mistakes: { name: string; steps: string; extra?: string; want: string[] }[] = [
  {
    name: 'an unknown step',
    steps: '      - create_account: {}\n      - chrage: { operation: render }\n',
    want: ["s.yaml:5:9: error: unknown step 'chrage' | did you mean \"charge\"?"],
  },
  {
    name: 'an unknown field of a step, said once even when it is a required one misspelt',
    steps: '      - create_account: {}\n      - charge: { operaton: render }\n',
    want: ["s.yaml:5:19: error: unknown field 'operaton' in step 'charge' | did you mean \"operation\"?"],
  },
  {
    name: 'a missing required field',
    steps: '      - create_account: {}\n      - charge: { input: { frames: 1 } }\n',
    want: ["s.yaml:5:17: error: step 'charge' needs operation: | write it as charge: { operation: render, input: { frames: … } }"],
  },
  {
    name: 'a bad duration',
    steps: '      - advance: 31 dayz\n',
    want: ["s.yaml:4:18: error: bad duration: unknown unit 'dayz' | did you mean \"days\"?"],
  },
  {
    name: 'a duration without a unit',
    steps: '      - advance: 31\n',
    want: ["s.yaml:4:18: error: bad duration: '31' is not a number and a unit | give its unit: 31 days, 31 hours, …"],
  },
  {
    name: 'a month, which has no fixed length',
    steps: '      - advance: 1 month\n',
    want: ['s.yaml:4:18: error: bad duration: a month has no fixed length | move to a date instead, like to: 2026-02-01T00:00, or give days (31 days)'],
  },
  {
    name: 'a time that is not on the calendar',
    steps: '      - to: 2026-02-30T00:00\n',
    want: ['s.yaml:4:13: error: not a date and time: "2026-02-30T00:00" | write a date and time, like 2026-12-01T00:00 (UTC) or 2026-12-01T09:00:00+09:00'],
  },
  {
    name: 'a clock going back',
    steps: '      - to: 2026-03-01T00:00\n      - to: 2026-02-01T00:00\n',
    want: ["s.yaml:5:13: error: the clock can't go back: 2026-02-01T00:00:00.000Z is before the scenario's time then, 2026-03-01T00:00:00.000Z | give a later time, or move this step up"],
  },
  {
    name: 'an unknown field of the scenario',
    steps: '      - create_account: {}\n',
    extra: '    strat: 2026-01-01\n',
    want: ["s.yaml:3:5: error: unknown field 'strat' in a scenario | did you mean \"start\"?"],
  },
  {
    name: "an expectation the step doesn't give",
    steps: '      - create_account: {}\n        expect: { refunded: 0 }\n',
    want: ["s.yaml:5:19: error: unknown expectation 'refunded' after a create_account step | 'refunded' is what a refund step gives"],
  },
  {
    name: 'an unknown grant kind, plan and operation',
    steps: '      - create_account: { plan: pluss }\n      - charge: { operation: rendr }\n        expect: { balances: { montly: 1 } }\n',
    want: [
      "s.yaml:4:33: error: pack 'shop' has no plan 'pluss' | did you mean \"plus\"?",
      "s.yaml:5:30: error: pack 'shop' has no operation 'rendr' | did you mean \"render\"?",
      "s.yaml:6:31: error: pack 'shop' has no grant kind 'montly' | did you mean \"monthly\"?",
    ],
  },
  {
    name: 'an unknown input',
    steps: '      - create_account: {}\n      - charge: { operation: render, input: { frame: 1 } }\n',
    want: ["s.yaml:5:47: error: operation 'render' has no input 'frame' | did you mean \"frames\"?"],
  },
  {
    name: 'a step before any account',
    steps: '      - claim_daily\n',
    want: ['s.yaml:4:9: error: step 1 (claim_daily) needs an account | create one first: - create_account: {} (or with a plan: - create_account: { plan: pro })'],
  },
  {
    name: 'a capture with no charge before it',
    steps: '      - create_account: {}\n      - capture: { amount: 1 }\n',
    want: ['s.yaml:5:9: error: there is no charge before this capture step | charge or hold first: - hold: { operation: …, input: { … } }'],
  },
  {
    name: 'an amount with a unit',
    steps: '      - create_account: {}\n        expect: { balance: 10 credits }\n',
    want: ['s.yaml:5:28: error: balance must be an amount, like 1000 or 0.0225 | got "10 credits"; write digits only, without a unit'],
  },
  {
    name: 'a reward the pack has none of',
    steps: '      - create_account: {}\n      - reward: suggestion_adopted\n',
    want: ["s.yaml:5:17: error: pack 'shop' has no rewards in ledger.yaml | "],
  },
  {
    name: 'two steps in one',
    steps: '      - create_account: {}\n        advance: 1 day\n',
    want: ['s.yaml:5:9: error: step 1 does two things: create_account and advance | give each its own "- " line, in the order they happen'],
  },
  {
    name: "an error expected of a step that can't fail",
    steps: '      - advance: 1 day\n        expect: { error: already_claimed }\n',
    want: ["s.yaml:5:19: error: an advance step can't fail, so it expects no error | remove it"],
  },
];

describe('scenario files', () => {
  it.each(mistakes)('report $name at its key, with a fix', ({ steps, extra, want }) => {
    expect(problems(steps, extra)).toEqual(want);
  });

  it('read a well-formed scenario with its steps and expectations', () => {
    const text = 'scenarios:\n  - name: s\n    start: 2026-03-10T12:00\n    steps:\n      - create_account: { plan: plus }\n        expect: { balances: { monthly: 500 }, subscription: { period: 1 } }\n      - advance: 1 day 6 hours\n      - cancel\n';
    const loaded = loadScenarios(parseYaml(text, 's.yaml'), shop);
    expect(loaded.problems).toEqual([]);
    const [s] = loaded.scenarios;
    expect(s!.start).toBe(Date.parse('2026-03-10T12:00:00Z'));
    expect(s!.steps.map((x) => x.action)).toEqual([
      { do: 'create_account', id: 'account-1', plan: 'plus', billing: undefined, overdraft_limit: undefined, time_zone: undefined },
      { do: 'advance', ms: 30 * 3_600_000 },
      { do: 'cancel' },
    ]);
    expect(s!.steps[0]!.expect.map((e) => e.path.join('.'))).toEqual(['balances.monthly', 'subscription.period']);
  });
});

describe('durations and times', () => {
  it.each([
    ['31 days', 31 * 86_400_000],
    ['1 day 6 hours', 30 * 3_600_000],
    ['1 day, 6 hours and 30 minutes', 30.5 * 3_600_000],
    ['901 seconds', 901_000],
    ['2 weeks', 14 * 86_400_000],
    ['90 min', 90 * 60_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['31 dayz', '31', 'a day', '1 month', '0 days', ''])('%s is refused', (text) => expect(typeof parseDuration(text)).toBe('object'));

  it.each([
    ['2026-12-01T00:00', '2026-12-01T00:00:00.000Z'],
    ['2026-12-01', '2026-12-01T00:00:00.000Z'],
    ['2026-12-01T09:00:00+09:00', '2026-12-01T00:00:00.000Z'],
    ['2026-12-01T00:00:00Z', '2026-12-01T00:00:00.000Z'],
  ])('%s is %s', (text, iso) => expect(new Date(parseTime(text)!).toISOString()).toBe(iso));

  it.each(['2026-02-30', '2026-12-01T24:00', 'tomorrow', '2026-12-1'])('%s is not a time', (text) => expect(parseTime(text)).toBeUndefined());
});
