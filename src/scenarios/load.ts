// Scenario files read with positions and checked against the vocabulary and the pack: an
// unknown step or field, a bad amount, time or duration, a plan, grant kind or operation the
// pack doesn't have — each reported at its key with a fix, before anything runs.
import { join } from 'node:path';
import { isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import type { RuleError } from '../../grammar/diagnostic.ts';
import { yamlFilesIn } from '../check/check-cases.ts';
import { displayPath } from '../rules/load-pack.ts';
import { errorAt, locOf, readYamlFile, yamlErrors, type YamlFile } from '../rules/yaml-source.ts';
import { didYouMean } from '../suggest.ts';
import type { Expectation, Scenario, Step } from './model.ts';
import { ActionReader, type Timeline } from './read-actions.ts';
import type { ScenarioPack } from './read-values.ts';
import { ACCOUNT_EXPECT, NO_ERROR, STEP_EXPECT, STEP_KEYS, STEPS, type StepName } from './vocabulary.ts';

export type { ScenarioPack };

export interface LoadedScenarios {
  file: YamlFile;
  scenarios: Scenario[];
  problems: RuleError[];
}

export function scenarioFiles(packDir: string): string[] {
  return yamlFilesIn(join(packDir, 'tests', 'scenarios'));
}

/** Every problem of the pack's scenario files, for `credits check`. */
export function checkScenarioFiles(pack: ScenarioPack): RuleError[] {
  return scenarioFiles(pack.dir).flatMap((path) => loadScenarioFile(path, pack).problems);
}

export function loadScenarioFile(path: string, pack: ScenarioPack): LoadedScenarios {
  return loadScenarios(readYamlFile(path, displayPath(path)), pack);
}

export function loadScenarios(file: YamlFile, pack: ScenarioPack): LoadedScenarios {
  const problems = yamlErrors(file);
  if (problems.length) return { file, scenarios: [], problems };
  const r = new ScenarioReader(file, pack, problems);
  const root = file.doc.contents;
  if (!isMap(root) || !r.pair(root, 'scenarios')) {
    problems.push(errorAt(locOf(file, root), 'scenario-file', `${file.path} has no scenarios: list`,
      'start the file with scenarios:, then one "- name: …" with its steps: per scenario'));
    return { file, scenarios: [], problems };
  }
  if (!pack.policy) {
    problems.push(errorAt(locOf(file, r.pair(root, 'scenarios')!.key), 'scenario-no-ledger', `pack '${pack.name}' has no ledger.yaml, so its scenarios have no ledger to run against`,
      'add a ledger.yaml to the pack, or remove the scenario file'));
    return { file, scenarios: [], problems };
  }
  r.onlyKeys(root, ['scenarios'], 'the scenario file');
  const list = r.pair(root, 'scenarios')!.value;
  if (!isSeq(list) || !list.items.length) {
    problems.push(errorAt(locOf(file, list ?? root), 'scenario-file', 'scenarios: must be a list of scenarios', 'write each as "- name: …" with its steps: below'));
    return { file, scenarios: [], problems };
  }
  const scenarios: Scenario[] = [];
  for (const node of list.items) {
    const before = problems.length;
    const s = r.scenario(node as Node);
    // A scenario with a problem doesn't run: its problems are reported instead.
    if (s && problems.length === before) scenarios.push(s);
  }
  return { file, scenarios, problems };
}

const SCENARIO_KEYS = ['name', 'description', 'start', 'steps'];

class ScenarioReader extends ActionReader {
  scenario(node: Node): Scenario | undefined {
    if (!isMap(node)) {
      this.error(node, 'scenario-shape', 'a scenario must be a mapping with name: and steps:', 'write it as "- name: …" with its steps: indented below');
      return undefined;
    }
    this.onlyKeys(node, SCENARIO_KEYS, 'a scenario');
    const nameNode = this.pair(node, 'name')?.value;
    const name = isScalar(nameNode) ? String(nameNode.value) : undefined;
    if (!name) this.error(node, 'scenario-missing-name', 'a scenario needs a name: a sentence about the behaviour it pins', 'add name: …');
    const what = `scenario '${name ?? '?'}'`;
    let start = this.pack.firstEffective;
    const startPair = this.pair(node, 'start');
    if (startPair) start = this.time(startPair.value) ?? start;
    const stepsNode = this.pair(node, 'steps')?.value;
    if (!isSeq(stepsNode) || !stepsNode.items.length) {
      this.error(this.pair(node, 'steps')?.key ?? node, 'scenario-missing-steps', `${what} has no steps`, 'add steps: with one "- <step>: …" per line, e.g. - create_account: { plan: pro }');
      return undefined;
    }
    const timeline: Timeline = { now: start, accounts: [], charges: [] };
    const steps: Step[] = [];
    stepsNode.items.forEach((item, i) => {
      const step = this.step(item as Node, i + 1, timeline);
      if (step) steps.push(step);
    });
    return name ? { name, file: this.f.path, at: this.loc(this.pair(node, 'name')!.key), start, steps } : undefined;
  }

  protected step(node: Node, number: number, t: Timeline): Step | undefined {
    const names = Object.keys(STEPS).filter((n) => n !== 'check');
    // `- cancel`, `- claim_daily`: a step that takes nothing may be written alone.
    if (isScalar(node)) {
      const word = String(node.value);
      const spec = STEPS[word as StepName];
      if (!spec || word === 'check') {
        this.error(node, 'scenario-unknown-step', `unknown step '${word}'`, didYouMean(word, names) ?? `steps: ${names.join(', ')}`);
        return undefined;
      }
      if (spec.args.takes !== 'nothing') {
        this.error(node, 'scenario-step-value', `step '${word}' needs a value`, `write it as ${word}: ${this.example(word as StepName)}`);
        return undefined;
      }
      return this.finish(word as StepName, node, null, undefined, number, t);
    }
    if (!isMap(node)) {
      this.error(node, 'scenario-shape', `step ${number} must be one step name with its value, like "- advance: 31 days"`);
      return undefined;
    }
    const actions = (node.items as Pair<Node, Node>[]).filter((p) => isScalar(p.key) && !(STEP_KEYS as readonly string[]).includes(String(p.key.value)));
    for (const p of actions) {
      const word = String((p.key as { value: unknown }).value);
      if (!names.includes(word)) {
        this.error(p.key, 'scenario-unknown-step', `unknown step '${word}'`, didYouMean(word, [...names, ...STEP_KEYS]) ?? `steps: ${names.join(', ')}; and expect:, account:, key:`);
        return undefined;
      }
    }
    if (actions.length > 1) {
      this.error(actions[1]!.key, 'scenario-two-steps', `step ${number} does two things: ${actions.map((p) => String((p.key as { value: unknown }).value)).join(' and ')}`,
        'give each its own "- " line, in the order they happen');
      return undefined;
    }
    const action = actions[0];
    const word = action ? (String((action.key as { value: unknown }).value) as StepName) : 'check';
    if (!action && !this.pair(node, 'expect')) {
      this.error(node, 'scenario-empty-step', `step ${number} does nothing`, `start it with a step name: ${names.join(', ')}; or give expect:`);
      return undefined;
    }
    return this.finish(word, action?.key ?? this.pair(node, 'expect')!.key, action?.value ?? null, node, number, t);
  }

  protected finish(word: StepName, at: Node, value: Node | null, node: YAMLMap | undefined, number: number,
    t: Timeline): Step | undefined {
    const before = this.problems.length;
    const action = this.action(word, at, value, t);
    let account = t.accounts.at(-1);
    const accountNode = node ? this.pair(node, 'account')?.value : undefined;
    if (accountNode) {
      account = String((accountNode as { value?: unknown }).value);
      if (!t.accounts.includes(account)) this.error(accountNode, 'scenario-unknown-account', `no account '${account}' was created before this step`, didYouMean(account, t.accounts) ?? 'create it first: - create_account: { id: … }');
    }
    const movesClock = word === 'advance' || word === 'to';
    if (!account && !movesClock && word !== 'create_account') {
      this.error(at, 'scenario-no-account', `step ${number} (${word}) needs an account`, 'create one first: - create_account: {} (or with a plan: - create_account: { plan: pro })');
    }
    const keyNode = node ? this.pair(node, 'key')?.value : undefined;
    const key = keyNode && isScalar(keyNode) ? `key:${String(keyNode.value)}` : `step:${number}`;
    const expectNode = node ? this.pair(node, 'expect')?.value : undefined;
    const expect: Expectation[] = [];
    let error: Step['error'];
    let grantKind: string | undefined;
    if (expectNode !== undefined) {
      if (!isMap(expectNode)) {
        this.error(expectNode, 'scenario-shape', 'expect: must be a mapping of what to expect', 'write name: value lines below it, e.g. balance: 1000');
      } else {
        const own = STEP_EXPECT[word] ?? {};
        const known = { ...ACCOUNT_EXPECT, ...own };
        const keys = [...Object.keys(known), ...(NO_ERROR.has(word) ? [] : ['error', 'message'])];
        for (const p of expectNode.items as Pair<Node, Node>[]) {
          const name = String(isScalar(p.key) ? p.key.value : p.key);
          if (name === 'error' || name === 'message') {
            if (!keys.includes(name)) this.error(p.key, 'scenario-unknown-field', `${article(word)} ${word} step can't fail, so it expects no ${name}`, 'remove it');
            continue;
          }
          const shape = known[name];
          if (!shape) {
            const elsewhere = Object.entries(STEP_EXPECT).filter(([, e]) => name in e!).map(([s]) => s);
            this.error(p.key, 'scenario-unknown-field', `unknown expectation '${name}' after ${article(word)} ${word} step`,
              elsewhere.length ? `'${name}' is what ${article(elsewhere[0]!)} ${elsewhere.join(' or ')} step gives` : didYouMean(name, keys) ?? `expect: ${keys.join(', ')}`);
            continue;
          }
          if (name === 'grant') grantKind = this.grantSelector(p);
          this.expectation(shape, [name], p, expect);
        }
        const errorPair = this.pair(expectNode, 'error');
        const messagePair = this.pair(expectNode, 'message');
        if (errorPair && keys.includes('error')) {
          const message = messagePair && isScalar(messagePair.value) ? String(messagePair.value.value) : undefined;
          error = { code: String((errorPair.value as { value?: unknown })?.value ?? ''), message, at: this.loc(errorPair.value) };
        } else if (messagePair && keys.includes('message')) {
          this.error(messagePair.key, 'scenario-message-alone', 'message: is part of an expected error', 'give the error code too: error: insufficient_credits');
        }
      }
    }
    if (!action || this.problems.length > before) return undefined;
    return { number, action, at: this.loc(at), account, key, expect, grantKind, error };
  }
}

const article = (word: string) => (/^[aeiou]/.test(word) ? 'an' : 'a');
