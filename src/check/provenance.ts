// Provenance of figures: the `source:` marks of a pack are checked (each covers what it names,
// each published quote is found in its seed file), and `credits check --release` refuses a pack
// whose operations' results depend on an illustrative figure.
//
// Seed files are found in the folder pack.yaml's `seeds` names (relative to the pack, or absolute), or in
// the pack folder itself. When that folder doesn't exist (a fresh clone without the shared
// folder beside it), quotes can't be verified and nothing is reported about them.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { positionOf, type RuleError } from '../../grammar/diagnostic.ts';
import type { FigureSource, PackDecl } from '../rules/model.ts';
import { errorAt, type Loc } from '../rules/yaml-source.ts';
import { didYouMean } from '../suggest.ts';
import { Decimal } from '../decimal.ts';
import { figuresOfTrace, figuresReached, mergeFigures, tableFigureMarks, type FigureUse, type ReachedFigure, type TracedValue } from './figure-dependencies.ts';
import type { CheckedPack, CheckedVersion, Symbol } from './model.ts';

/** Where a mark is attached, which decides what `columns` and `rows` may say. */
type Holder = { kind: 'cell' } | { kind: 'table' | 'row'; name: string; columns: string[] } | { kind: 'decision'; name: string; rows: number };

/** A version's shared symbols, then every operation's. */
function symbolsOf(v: CheckedVersion): Symbol[] {
  return [...v.shared.values(), ...[...v.operations.values()].flatMap((op) => [...op.symbols.values()])];
}

/** Every mark of the pack once (rule files are shared by versions), with what holds it. */
function marksOf(pack: CheckedPack): { mark: FigureSource; holder: Holder }[] {
  const out: { mark: FigureSource; holder: Holder }[] = [];
  const seen = new Set<FigureSource>();
  const add = (marks: FigureSource[] | undefined, holder: Holder) => {
    for (const mark of marks ?? []) if (!seen.has(mark)) seen.add(mark), out.push({ mark, holder });
  };
  for (const v of pack.versions) {
    for (const s of symbolsOf(v)) {
      if (s.kind === 'cell') add(s.decl.sources, { kind: 'cell' });
      else if (s.kind === 'decision') add(s.decl.sources, { kind: 'decision', name: s.decl.name, rows: s.decl.rows.length });
      else if (s.kind === 'table') {
        add(s.decl.sources, { kind: 'table', name: s.decl.name, columns: s.decl.columns });
        for (const r of s.decl.rows) add(r.sources, { kind: 'row', name: s.decl.name, columns: s.decl.columns });
      }
    }
  }
  return out;
}

/** What `credits check` says about a pack's `source:` marks. */
export function checkProvenance(pack: CheckedPack): RuleError[] {
  const out: RuleError[] = [];
  const seeds = new SeedFolder(pack.decl);
  for (const { mark, holder } of marksOf(pack)) {
    checkScope(mark, holder, out);
    if (mark.kind === 'published') seeds.checkQuotes(mark, out);
  }
  return out;
}

function checkScope(mark: FigureSource, holder: Holder, out: RuleError[]): void {
  if (mark.columns) {
    if (holder.kind === 'cell' || holder.kind === 'decision') {
      out.push(errorAt(mark.columns[0]!.loc, 'source-scope', `'columns' narrows a table's mark; this mark is on a ${holder.kind === 'cell' ? 'cell' : 'decision table'}`,
        holder.kind === 'cell' ? "remove 'columns': a cell's mark covers the figures of its formula" : "use 'rows: [1, 2]' to say which rows it covers"));
    } else {
      for (const c of mark.columns) {
        if (!holder.columns.includes(c.name)) out.push(errorAt(c.loc, 'source-scope', `table '${holder.name}' has no column '${c.name}'`, didYouMean(c.name, holder.columns) ?? `its columns: ${holder.columns.join(', ')}`));
      }
    }
  }
  if (mark.rows) {
    if (holder.kind !== 'decision') {
      out.push(errorAt(mark.rows[0]!.loc, 'source-scope', `'rows' narrows a decision table's mark; this mark is on a ${holder.kind === 'cell' ? 'cell' : 'table'}`,
        holder.kind === 'cell' ? "remove 'rows'" : "put the mark on the row itself: - { key: …, source: { … } }"));
    } else {
      for (const r of mark.rows) {
        if (r.row > holder.rows) out.push(errorAt(r.loc, 'source-scope', `decision table '${holder.name}' has no row ${r.row}: it has ${holder.rows}`, 'count rows from 1, in the order they are written'));
      }
    }
  }
}

/** Seed files as text with whitespace, quotes and dashes made uniform, so a quote matches across line breaks. */
function normalise(text: string): string {
  return text.replace(/[\u2018\u2019]/g, "'").replace(/[\u201c\u201d]/g, '"').replace(/[\u2013\u2014]/g, '-').replace(/\s+/g, ' ').trim().toLowerCase();
}

class SeedFolder {
  private readonly dir: string;
  private readonly exists: boolean;
  private readonly texts = new Map<string, string | undefined>();
  private readonly where: Loc | undefined;

  constructor(pack: PackDecl) {
    this.dir = pack.seeds?.dir ?? pack.dir;
    this.where = pack.seeds?.loc;
    this.exists = existsSync(this.dir) && statSync(this.dir).isDirectory();
  }

  private text(file: string): string | undefined {
    if (!this.texts.has(file)) {
      const path = join(this.dir, file);
      this.texts.set(file, existsSync(path) && statSync(path).isFile() ? normalise(readFileSync(path, 'utf8')) : undefined);
    }
    return this.texts.get(file);
  }

  checkQuotes(mark: Extract<FigureSource, { kind: 'published' }>, out: RuleError[]): void {
    if (!this.exists) return; // nothing to verify against: see the note at the top
    const text = this.text(mark.seed);
    if (text === undefined) {
      const files = readdirSync(this.dir).filter((f) => !f.startsWith('.'));
      out.push(errorAt(mark.seedLoc, 'seed-not-found', `no seed file '${mark.seed}' in ${this.where ? 'the seeds folder' : 'the pack folder'} (${this.dir})`,
        didYouMean(mark.seed, files) ?? (this.where ? `name one of: ${files.join(', ')}` : "name the folder of published pages with 'seeds:' in pack.yaml")));
      return;
    }
    for (const q of mark.quotes) {
      if (text.includes(normalise(q.text))) continue;
      const words = normalise(q.text).split(' ');
      let found = 0;
      while (found < words.length && text.includes(words.slice(0, found + 1).join(' '))) found++;
      out.push(errorAt(q.loc, 'quote-not-found', `this quote is not in ${mark.seed}`,
        found ? `the seed file has "${words.slice(0, found).join(' ')}" but not what follows it; copy the phrase as written there` : `copy the phrase as written in ${mark.seed} (spaces, line breaks and case may differ)`));
    }
  }
}

/**
 * What `credits check --release` adds: an error at each illustrative mark an operation's
 * result depends on (outputs or constraints), naming the operations and the figures.
 */
export function releaseProblems(pack: CheckedPack): RuleError[] {
  // Keyed by where the mark is written: a mark shared by an anchor (&name … *name) is one mark.
  const byMark = new Map<string, { mark: FigureSource; ops: Set<string>; figures: FigureUse[]; via: string[] }>();
  for (const v of pack.versions) {
    for (const name of v.operations.keys()) {
      for (const r of figuresReached(v, name).filter((f): f is ReachedFigure & { source: { kind: 'illustrative' } } => f.source.kind === 'illustrative')) {
        const key = `${r.source.loc.source.file}:${r.source.loc.span.start}`;
        const entry = byMark.get(key) ?? { mark: r.source, ops: new Set(), figures: [], via: r.via };
        entry.ops.add(name);
        entry.figures.push(r);
        byMark.set(key, entry);
      }
    }
  }
  return [...byMark.values()].map(({ mark, ops, figures, via }) => {
    const names = [...ops].sort();
    const who = names.length === 1 ? `operation '${names[0]}' depends` : `operations ${names.map((n) => `'${n}'`).join(', ')} depend`;
    return errorAt(mark.loc, 'illustrative-figure', `${who} on an illustrative figure: ${mergeFigures(figures).join('; ')} (${(mark as { reason: string }).reason})`,
      `a release must rest on published figures: replace it with the published one and mark it { published: <seed file>, quote: "…" }; ${names[0]}'s result reaches it through ${via.join(' → ')}`);
  });
}

const MARK_HINT = 'say where they come from: source: { published: <seed file>, quote: "…" }, or { illustrative: <why it was invented> }';

/**
 * Figures without a mark, as warnings for `--release`: the numbers in tables, numbers a
 * decision table's rows give, and cells that are a bare number (a constant).
 */
export function unmarkedFigures(pack: CheckedPack): RuleError[] {
  const out: RuleError[] = [];
  const seen = new Set<object>();
  const isNumber = (text: string) => /^-?[0-9][0-9_]*(\.[0-9]+)?%?$/.test(text.trim());
  for (const v of pack.versions) {
    for (const s of symbolsOf(v)) {
      if (seen.has(s.decl)) continue;
      seen.add(s.decl);
      if (s.kind === 'table') {
        const t = s.decl;
        const bare = new Map<string, number>();
        t.rows.forEach((r, i) => {
          for (const c of t.columns) if (c !== t.key && r.cells[c] instanceof Decimal && tableFigureMarks(t, i, c).length === 0) bare.set(c, (bare.get(c) ?? 0) + 1);
        });
        if (bare.size) out.push(errorAt(t.loc, 'unmarked-figure', `table '${t.name}' has figures without a source: ${[...bare].map(([c, n]) => `${c} (${n} row${n === 1 ? '' : 's'})`).join(', ')}`, MARK_HINT, 'warning'));
      } else if (s.kind === 'decision') {
        const rows = s.decl.rows.flatMap((r, i) => (r.outputs.some((o) => isNumber(o.text)) && !(s.decl.sources ?? []).some((m) => !m.rows || m.rows.some((x) => x.row === i + 1)) ? [i + 1] : []));
        if (rows.length) out.push(errorAt(s.decl.loc, 'unmarked-figure', `decision table '${s.decl.name}' gives figures without a source in row${rows.length === 1 ? '' : 's'} ${rows.join(', ')}`, MARK_HINT, 'warning'));
      } else if (s.kind === 'cell' && !s.decl.sources && isNumber(s.decl.formula.text)) {
        out.push(errorAt(s.decl.loc, 'unmarked-figure', `cell '${s.decl.name}' is a figure without a source`, MARK_HINT.replace('they come', 'it comes'), 'warning'));
      }
    }
  }
  return out;
}

/** An illustrative figure as listings show it: which, why, and where it is marked. */
export interface IllustrativeFigure {
  figure: string;
  reason: string;
  at: string;
}

/** Uses of illustrative marks, one entry per mark, its figures merged. */
function illustrativeOf(uses: FigureUse[]): IllustrativeFigure[] {
  const byMark = new Map<string, FigureUse[]>();
  for (const u of uses) {
    if (u.source.kind !== 'illustrative') continue;
    const p = positionOf(u.source.loc.source, u.source.loc.span.start);
    const at = `${p.file}:${p.line}:${p.col}`;
    byMark.set(at, [...(byMark.get(at) ?? []), u]);
  }
  return [...byMark].map(([at, list]) => ({ figure: mergeFigures(list).join('; '), reason: (list[0]!.source as { reason: string }).reason, at }));
}

/** The illustrative figures each operation of a pack's latest version depends on, for listings. */
export function illustrativeFigures(pack: CheckedPack): Record<string, IllustrativeFigure[]> {
  const latest = pack.versions.reduce((a, b) => (b.decl.effective > a.decl.effective ? b : a));
  return Object.fromEntries([...latest.operations.keys()].map((name) => [name, illustrativeOf(figuresReached(latest, name))]));
}

/**
 * The illustrative figures one evaluation used, from its explain trace: for each trace line,
 * and for the whole result.
 */
export function illustrativeInTrace(pack: CheckedPack, version: string, operation: string, trace: TracedValue[]): { lines: IllustrativeFigure[][]; result: IllustrativeFigure[] } {
  const v = pack.versions.find((x) => x.decl.version === version);
  if (!v) return { lines: trace.map(() => []), result: [] };
  const uses = figuresOfTrace(v, operation, trace);
  return { lines: uses.map(illustrativeOf), result: illustrativeOf(uses.flat()) };
}
