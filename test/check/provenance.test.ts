// Provenance of figures: `source:` marks are read and checked (quotes found in their seed
// file, scopes that exist), `--release` refuses results that rest on illustrative figures,
// and one evaluation's trace says which illustrative figures it used.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { loadWorkspace } from '../../src/check/check-paths.ts';
import type { CheckedPack } from '../../src/check/model.ts';
import { checkProvenance, illustrativeFigures, illustrativeInTrace, releaseProblems, unmarkedFigures } from '../../src/check/provenance.ts';
import { checkPaths } from '../../src/cli/check.ts';
import { Engine } from '../../src/engine/index.ts';

const shop = join(import.meta.dirname, 'provenance', 'shop');
const temps: string[] = [];
afterAll(() => { for (const t of temps) rmSync(t, { recursive: true, force: true }); });

function load(dir: string): CheckedPack {
  const ws = loadWorkspace([dir]);
  expect(ws.diagnostics.map((d) => d.format())).toEqual([]);
  return ws.packs[0]!;
}

/** A copy of the shop pack with `price.yaml` (or pack.yaml) edited. */
function shopWith(edit: { file?: string; from: string; to: string }): string {
  const dir = mkdtempSync(join(tmpdir(), 'provenance-'));
  temps.push(dir);
  cpSync(shop, dir, { recursive: true });
  const file = join(dir, edit.file ?? 'price.yaml');
  const text = readFileSync(file, 'utf8');
  expect(text).toContain(edit.from);
  writeFileSync(file, text.replace(edit.from, edit.to));
  return dir;
}

const shown = (dir: string, list: { position?: { file: string; line: number; col: number }; code: string; message: string }[]) =>
  list.map((d) => `${d.position ? `${relative(dir, d.position.file)}:${d.position.line}:${d.position.col}` : '?'} ${d.code} ${d.message}`);

describe('checking source marks', () => {
  test('a pack whose marks cover what they name and whose quotes are in its seeds checks clean', () => {
    expect(checkPaths([shop]).diagnostics.map((d) => d.format())).toEqual([]);
  });

  test('a published quote that is not in the seed file is an error at the quote', () => {
    const dir = shopWith({ from: 'quote: "Small images cost 10 credits"', to: 'quote: "Small images cost 12 credits"' });
    const found = checkProvenance(load(dir));
    expect(shown(dir, found)).toEqual([expect.stringMatching(/^price\.yaml:6:77 quote-not-found this quote is not in page\.txt$/)]);
    expect(found[0]!.hint).toContain('"small images cost" but not what follows');
  });

  test('a quote matches across the seed file\'s line breaks and in any case', () => {
    const dir = shopWith({ from: '"Order ten or more and you get a discount"', to: '"order TEN or more   and you get a discount"' });
    expect(checkProvenance(load(dir))).toEqual([]);
  });

  test('a seed file that is not in the seeds folder is an error that suggests the right name', () => {
    const dir = shopWith({ from: 'published: page.txt, quote: "Small', to: 'published: pages.txt, quote: "Small' });
    const found = checkProvenance(load(dir));
    expect(shown(dir, found)).toEqual([expect.stringMatching(/^price\.yaml:6:60 seed-not-found no seed file 'pages\.txt' in the seeds folder/)]);
    expect(found[0]!.hint).toBe('did you mean "page.txt"?');
  });

  test('an absolute seeds folder is read from where it names, not from inside the pack', () => {
    const dir = shopWith({ from: 'published: page.txt, quote: "Small', to: 'published: pages.txt, quote: "Small' });
    const pack = readFileSync(join(dir, 'pack.yaml'), 'utf8');
    writeFileSync(join(dir, 'pack.yaml'), pack.replace('seeds: seeds', `seeds: ${JSON.stringify(join(dir, 'seeds'))}`));
    const found = checkProvenance(load(dir));
    expect(shown(dir, found)).toEqual([expect.stringMatching(/^price\.yaml:6:60 seed-not-found no seed file 'pages\.txt' in the seeds folder/)]);
  });

  test('without the seeds folder (a fresh clone without the shared folder), quotes are not verified and nothing fails', () => {
    const dir = shopWith({ file: 'pack.yaml', from: 'seeds: seeds', to: 'seeds: ../../nowhere/seeds' });
    const wrong = join(dir, 'price.yaml');
    writeFileSync(wrong, readFileSync(wrong, 'utf8').replace('Small images cost 10 credits', 'a phrase found nowhere'));
    expect(checkPaths([dir]).diagnostics).toEqual([]);
  });

  test('a column the table does not have, or rows on a table, are errors at the scope', () => {
    const dir = shopWith({ from: 'source: { illustrative: "the page says', to: 'source: { columns: [credit], illustrative: "the page says' });
    const found = checkProvenance(load(dir));
    expect(shown(dir, found)).toEqual(["price.yaml:8:27 source-scope table 'sizes' has no column 'credit'"]);
    expect(found[0]!.hint).toBe('did you mean "credits"?');
  });
});

describe('release: results that depend on illustrative figures', () => {
  const pack = load(shop);

  test('names each illustrative figure an operation depends on, once per mark, at the mark', () => {
    expect(shown(shop, releaseProblems(pack))).toEqual([
      "price.yaml:8:15 illustrative-figure operation 'price' depends on an illustrative figure: sizes[large].credits (the page says large images cost more, not how much)",
      "price.yaml:20:13 illustrative-figure operation 'price' depends on an illustrative figure: cell bulk (the page promises a discount, not its size)",
    ]);
    expect(releaseProblems(pack)[0]!.hint).toContain('through cost → per_image');
  });

  test('a lookup by a literal key depends only on that row: small_only rests on published figures', () => {
    expect(illustrativeFigures(pack).small_only).toEqual([]);
    expect(illustrativeFigures(pack).price!.map((f) => f.figure)).toEqual(['sizes[large].credits', 'cell bulk']);
  });

  test('every figure of the shop pack is marked; an unmarked one is a warning under --release', () => {
    expect(unmarkedFigures(pack)).toEqual([]);
    const dir = shopWith({ from: '      source: { illustrative: "the page says large images cost more, not how much" }\n', to: '' });
    expect(shown(dir, unmarkedFigures(load(dir)))).toEqual(["price.yaml:3:5 unmarked-figure table 'sizes' has figures without a source: credits (1 row)"]);
  });
});

describe('illustrative figures of one result, from its trace', () => {
  const engine = Engine.load(shop);
  const pack = load(shop);
  const used = (input: Record<string, unknown>) => {
    const r = engine.quote({ pack: 'shop', operation: 'price', input, explain: true });
    const marks = illustrativeInTrace(pack, r.version, 'price', r.trace!);
    return { result: marks.result.map((m) => m.figure), lines: Object.fromEntries(r.trace!.map((t, i) => [t.name, marks.lines[i]!.map((m) => m.figure)]).filter(([, m]) => m.length)) };
  };

  test('a lookup of the published row uses no illustrative table figure', () => {
    expect(used({ size: 'small' })).toEqual({ result: ['cell bulk'], lines: { bulk: ['cell bulk'] } });
  });

  test('a lookup of the illustrative row is marked on the cell that looked it up', () => {
    expect(used({ size: 'large' })).toEqual({ result: ['sizes[large].credits', 'cell bulk'], lines: { per_image: ['sizes[large].credits'], bulk: ['cell bulk'] } });
  });
});

describe('the bundled packs', () => {
  const rules = join(import.meta.dirname, '..', '..', 'rules');
  const packs = loadWorkspace([rules]).packs;

  test('mark every figure of their tables, decision tables and constant cells', () => {
    expect(packs.flatMap((p) => unmarkedFigures(p).map((d) => d.format()))).toEqual([]);
  });

  // The seed pages live in the shared folder beside the repository; a fresh clone may not have it.
  test.skipIf(!existsSync(join(rules, '..', '..', 'shared', 'seeds')))('quote their seed pages as written', () => {
    expect(packs.flatMap((p) => checkProvenance(p).map((d) => d.format()))).toEqual([]);
  });

  test("PixAI's image prices are illustrative, its LoRA training prices published", () => {
    const pixai = illustrativeFigures(packs.find((p) => p.decl.name === 'pixai')!);
    expect(pixai.generate_image!.map((f) => f.figure)).toContain('models[*].base_credits');
    expect(pixai.train_lora).toEqual([]);
    expect(pixai.topup).toEqual([]);
  });
});
