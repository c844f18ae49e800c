// Ledger scenarios as `credits test` and `credits check` run them: the bundled packs' pass,
// a wrong expectation fails at its file:line:col with both values, a malformed file is reported.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { Engine } from '../../src/engine/index.ts';
import { runScenarios, type ScenarioRun } from '../../src/scenarios/run.ts';
import { credits, type CliRun } from '../cli/run.ts';

const FIXTURE = 'test/scenarios/fixtures/shop';

/** `file:line:col` of the first line holding `text`, at `text`. */
function at(file: string, text: string, from = 0): string {
  const lines = readFileSync(file, 'utf8').split('\n');
  const i = lines.findIndex((l, n) => n >= from && l.includes(text));
  return `${file}:${i + 1}:${lines[i]!.indexOf(text) + 1}`;
}

describe('the bundled packs', () => {
  let run: ScenarioRun;
  beforeAll(async () => {
    run = await runScenarios(Engine.load('rules'));
  });

  test('have well-formed scenario files', () => {
    expect(run.diagnostics.map((d) => d.format())).toEqual([]);
  });

  test('pass every scenario', () => {
    expect(run.results.filter((r) => !r.passed).map((r) => `${r.file}:${r.line}: ${r.name}\n${r.failure}`)).toEqual([]);
  });

  // The behaviours each pack's README claims of the ledger, one scenario or more each.
  test.each([
    ['pixai', ["doesn't renew", "doesn't carry over", 'once a day', '20 %', 'free again', "don't accumulate", 'per membership month', 'after an upgrade', 'never expire', 'spent first', 'expire 30 days', 'suggestion earns']],
    ['picsart', ['disappear at renewal', 'Ultra gives', 'no credits to spend', 'cancelled plan', 'expire after 30 days', 'prorated by the days left', 'waits for the renewal', 'must move to a higher plan', 'free trial']],
    ['modelpix', ['never expires', 'once a day', "account's own day", 'before purchased', 'refunded in full', 'cut short', 'not refunded', 'expired meanwhile', 'actually rendered', 'released by itself', "can't cover", 'held from a daily reward']],
    ['pixelflow', ['never expire', 'doubled in the first month, and last', 'doubled in the first month and roll over', 'out of credits', 'postpaid account is charged', 'stops at its limit', 'pays what a postpaid', 'actually ran', 'grants the charge was drawn from', 'billed at the end of each month', 'no statement period', 'has no cap', 'switched from postpaid to prepaid']],
  ])('%s: a scenario for each claimed behaviour', (pack, phrases) => {
    const names = run.results.filter((r) => r.pack === pack).map((r) => r.name);
    for (const p of phrases) expect(names.filter((n) => n.includes(p)), p).toHaveLength(1);
  });
});

describe('credits test and credits check on a fixture pack', () => {
  let testRun: CliRun;
  let checkRun: CliRun;
  beforeAll(async () => {
    testRun = await credits('test', FIXTURE);
    checkRun = await credits('check', FIXTURE);
  });

  test('a wrong expectation fails at its key with the expected and the actual value', () => {
    const file = `${FIXTURE}/tests/scenarios/wrong.yaml`;
    expect(testRun.stdout).toContain(`${at(file, 'monthly: 490')}: FAIL a deliberately wrong balance (shop scenario, step 2: charge)\n  balances.monthly: expected 490, got 480\n`);
    expect(testRun.stdout).toContain(`${at(file, 'insufficient_credits')}: FAIL a deliberately missing error (shop scenario, step 2: top_up)\n  error: expected insufficient_credits, but the step succeeded\n`);
  });

  test('the right scenarios pass and the malformed ones count as failures; the run exits 1', () => {
    expect(testRun.code).toBe(1);
    // 2 passing scenarios (one retries a step by its key); 3 failing ones and 5 problems in malformed.yaml.
    expect(testRun.stdout.trimEnd().split('\n').at(-1)).toBe('2 passed, 8 failed');
    expect(testRun.stdout).not.toContain('a step repeating');
  });

  test("expectations about an account that doesn't exist fail, they don't stop the run", () => {
    const file = `${FIXTURE}/tests/scenarios/wrong.yaml`;
    expect(testRun.stdout).toContain(`${at(file, 'balance: 0')}: FAIL expectations about an account that was never made`);
    expect(testRun.stdout).toContain("the expectations could not be read: account_not_found: no account 'not an id'");
  });

  test('a malformed scenario file is reported by both commands, at its keys', () => {
    const file = `${FIXTURE}/tests/scenarios/malformed.yaml`;
    const want = [
      `${at(file, 'chrage')}: error: unknown step 'chrage'`,
      `${at(file, 'operaton')}: error: unknown field 'operaton' in step 'charge'`,
      `${at(file, '31 dayz')}: error: bad duration: unknown unit 'dayz'`,
      `${at(file, 'refunded')}: error: unknown expectation 'refunded' after a create_account step`,
      `${at(file, 'montly')}: error: pack 'shop' has no grant kind 'montly'`,
    ];
    for (const r of [testRun, checkRun]) for (const w of want) expect(r.stderr).toContain(w);
    expect(checkRun.stderr).toContain('= did you mean "days"?');
    expect(checkRun.code).toBe(1);
    expect(checkRun.stdout).toContain('5 errors');
  });
});
