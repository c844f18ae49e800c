// A pack's request corpus for `credits diff` (rules/<pack>/tests/corpus.jsonl): the inputs of
// its regression cases (both sides of a comparison; not the cases that expect an error),
// then random valid inputs of each operation — drawn from its inputs' declarations with a
// fixed seed, kept when the engine prices them (accepted or refused by a constraint).
// The same rules give the same corpus, line for line.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { RuleError } from '../../grammar/diagnostic.ts';
import { testFiles } from '../check/check-cases.ts';
import { Decimal } from '../decimal.ts';
import type { Engine, PackInfo } from '../engine/index.ts';
import type { InputDecl, InputType } from '../rules/model.ts';
import { seededRandom } from '../seeded-random.ts';

export const CORPUS_SEED = 11;
/** Random requests per operation. */
export const RANDOM_PER_OPERATION = 20;

interface Line {
  operation: string;
  input: Record<string, unknown>;
  at?: string;
}

interface CaseYaml {
  operation?: string;
  input?: Record<string, unknown>;
  at?: string | Date;
  error?: unknown;
  compare?: { left?: Record<string, unknown>; right?: Record<string, unknown> };
}

/** Each operation's own stream, so adding an operation leaves the others' lines as they were. */
function seedOf(text: string): number {
  let h = CORPUS_SEED;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

function caseLines(pack: PackInfo): Line[] {
  const lines: Line[] = [];
  for (const path of testFiles(pack.dir)) {
    const doc = parse(readFileSync(path, 'utf8')) as { cases?: CaseYaml[] } | null;
    for (const c of doc?.cases ?? []) {
      if (typeof c.operation !== 'string' || c.error !== undefined) continue;
      const at = c.at instanceof Date ? c.at.toISOString() : c.at;
      const base = { ...(c.input ?? {}) };
      const inputs = c.compare ? [{ ...base, ...c.compare.left }, { ...base, ...c.compare.right }] : [base];
      for (const input of inputs) lines.push({ operation: c.operation, input, ...(at ? { at } : {}) });
    }
  }
  return lines;
}

const NO_VALUE = Symbol('no value');

function randomValue(type: InputType, random: () => number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  switch (type.kind) {
    case 'boolean': return random() < 0.5;
    case 'string': return type.enum?.length ? pick(type.enum) : NO_VALUE;
    case 'number':
    case 'integer': {
      if (type.enum?.length) return Number(pick(type.enum).toFixed());
      const places = type.kind === 'integer' ? 0 : 2;
      const scale = new Decimal(10).pow(places);
      const lo = (type.min ?? new Decimal(0)).times(scale).ceil();
      // Without a maximum, or with a far one, values stay within a range a request would use.
      const hi = Decimal.min(type.max ? type.max.times(scale).floor() : lo.plus(new Decimal(100).times(scale)), lo.plus(new Decimal(10_000).times(scale)));
      const span = Number(hi.minus(lo).toFixed()) + 1;
      return Number(lo.plus(Math.floor(random() * span)).div(scale).toFixed());
    }
    case 'list': {
      const min = type.minItems ?? 0;
      const items = type.items;
      if (items.kind === 'string' && items.enum?.length) {
        const max = Math.min(type.maxItems ?? items.enum.length, items.enum.length);
        const some = items.enum.filter(() => random() < 0.5).slice(0, max);
        return some.length >= min ? some : items.enum.slice(0, min);
      }
      const n = min + Math.floor(random() * (Math.min(type.maxItems ?? min + 3, min + 3) - min + 1));
      const out = Array.from({ length: n }, () => randomValue(items, random));
      return out.includes(NO_VALUE) ? NO_VALUE : out;
    }
    case 'record': {
      const r = randomInput(type.fields, random);
      return r ?? NO_VALUE;
    }
    case 'malformed': return NO_VALUE;
  }
}

/** Required inputs always, optional ones half the time; undefined when one can't be drawn. */
function randomInput(inputs: readonly InputDecl[], random: () => number): Record<string, unknown> | undefined {
  const input: Record<string, unknown> = {};
  for (const decl of inputs) {
    const optional = decl.default !== undefined;
    if (optional && random() < 0.5) continue;
    const v = randomValue(decl.type, random);
    if (v === NO_VALUE) {
      if (optional) continue;
      return undefined;
    }
    input[decl.name] = v;
  }
  return input;
}

function randomLines(engine: Engine, pack: PackInfo, perOperation: number): Line[] {
  const latest = pack.versions[pack.versions.length - 1];
  if (!latest) return [];
  const at = new Date(latest.effective);
  const lines: Line[] = [];
  for (const [name, op] of engine.version(pack.name, at).operations) {
    const random = seededRandom(seedOf(`${pack.name}/${name}`));
    let kept = 0;
    for (let tries = 0; kept < perOperation && tries < perOperation * 20; tries++) {
      const input = randomInput(op.inputs, random);
      if (!input) continue;
      try {
        engine.quote({ pack: pack.name, operation: name, input, at });
      } catch (e) {
        if (e instanceof RuleError) continue;
        throw e;
      }
      lines.push({ operation: name, input });
      kept++;
    }
  }
  return lines;
}

/** The corpus of one pack of an engine, as JSON Lines text. */
export function corpusText(engine: Engine, pack: string, perOperation = RANDOM_PER_OPERATION): string {
  const info = engine.pack(pack);
  const lines = [...caseLines(info), ...randomLines(engine, info, perOperation)];
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}
