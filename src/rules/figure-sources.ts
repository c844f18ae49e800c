// Reads `source:` marks (where a cell's, a table's or a decision table's figures come from)
// into FigureSources. The schema has already said which keys and types are allowed; this
// reports what it can't: a mark that is neither published nor illustrative, or both, or a
// published mark without a quote.
import { isAlias, isMap, isScalar, isSeq, type Node } from 'yaml';
import type { RuleError } from '../../grammar/diagnostic.ts';
import type { FigureSource } from './model.ts';
import { errorAt, locOf, pairOf, type YamlFile } from './yaml-source.ts';

const EXAMPLE = "write { published: pixai-membership.txt, quote: \"Starter | 300,000\" } or { illustrative: <why the figure was invented> }";

export function readFigureSources(f: YamlFile, written: Node | null | undefined, out: RuleError[]): FigureSource[] | undefined {
  const node = resolved(f, written);
  if (!node) return undefined;
  const items = (isSeq(node) ? (node.items as Node[]) : [node]).map((n) => resolved(f, n)!);
  const marks = items.map((item) => readMark(f, item, out)).filter((m): m is FigureSource => m !== undefined);
  return marks.length ? marks : undefined;
}

/** A mark shared with an anchor (`&wider` … `*wider`) is read where the anchor is. */
function resolved(f: YamlFile, node: Node | null | undefined): Node | undefined {
  return (isAlias(node) ? (node.resolve(f.doc) as Node | undefined) : node) ?? undefined;
}

function readMark(f: YamlFile, node: Node, out: RuleError[]): FigureSource | undefined {
  const loc = locOf(f, node);
  if (!isMap(node)) return undefined; // the schema reports it
  const get = (k: string): Node | undefined => resolved(f, pairOf(node, k)?.value as Node | undefined);
  const text = (n: Node | undefined): string | undefined => (isScalar(n) && typeof n.value === 'string' ? n.value : undefined);
  const published = get('published');
  const illustrative = get('illustrative');
  const quote = get('quote');
  const list = (k: string) => {
    const n = get(k);
    return isSeq(n) ? (n.items as Node[]).map((i) => resolved(f, i)).filter(isScalar) : undefined;
  };
  const columns = list('columns')?.map((c) => ({ name: String(c.value), loc: locOf(f, c) }));
  const rows = list('rows')?.filter((r) => Number.isInteger(r.value)).map((r) => ({ row: r.value as number, loc: locOf(f, r) }));
  const scope = { loc, ...(columns ? { columns } : {}), ...(rows ? { rows } : {}) };
  if (published && illustrative) {
    out.push(errorAt(loc, 'source-shape', 'a source mark says both `published` and `illustrative`', 'a figure is either published (keep `published` and `quote`) or invented (keep `illustrative`); split the mark with `columns` or `rows` if it covers both kinds'));
    return undefined;
  }
  if (illustrative) {
    const reason = text(illustrative);
    return reason === undefined ? undefined : { kind: 'illustrative', reason, ...scope };
  }
  if (published) {
    const seed = text(published);
    const quotes = (isSeq(quote) ? (quote.items as Node[]).map((q) => resolved(f, q)) : quote ? [quote] : [])
      .filter((q) => isScalar(q) && typeof q.value === 'string').map((q) => ({ text: String((q as { value: string }).value), loc: locOf(f, q) }));
    if (!quote) {
      out.push(errorAt(loc, 'source-shape', 'a `published` source mark needs a `quote`: the phrase of the seed file that states the figure', `add quote: "<the phrase, copied from ${seed ?? 'the seed file'}>"`));
      return undefined;
    }
    return seed === undefined ? undefined : { kind: 'published', seed, seedLoc: locOf(f, published), quotes, ...scope };
  }
  out.push(errorAt(loc, 'source-shape', 'a source mark must say whether its figures are `published` or `illustrative`', EXAMPLE));
  return undefined;
}
