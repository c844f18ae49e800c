// Which figures behind the API's answers are illustrative (invented, not published), from the
// packs' `source:` marks: per operation for pack listings, per trace line for explained quotes.
import { illustrativeFigures, illustrativeInTrace, type IllustrativeFigure } from '../check/provenance.ts';
import type { CheckedPack } from '../check/model.ts';
import type { TracedValue } from '../check/figure-dependencies.ts';
import type { PackInfo } from '../engine/index.ts';

/** The engine the ledger prices with, which holds each pack as checked. */
interface Packs {
  checkedPack(pack: string): CheckedPack;
}

const figure = {
  type: 'object', additionalProperties: false, required: ['figure', 'reason', 'at'],
  properties: {
    figure: { type: 'string', description: 'Which figure: a cell, table values (models[haruka-v2].base_credits) or decision rows.' },
    reason: { type: 'string', description: 'Why it is illustrative, as its `source: { illustrative: … }` mark says.' },
    at: { type: 'string', description: 'Where the mark is written: file:line:col.' },
  },
};

/** OpenAPI: the `illustrative` property of a pack (by operation) and of an explained quote. */
export const illustrativeSchemas = {
  byOperation: {
    type: 'object', additionalProperties: { type: 'array', items: figure },
    description: "For each operation, the figures marked illustrative that its result may depend on; `credits check --release` refuses them.",
  },
  ofQuote: {
    type: 'array', items: figure,
    description: 'With explain: the figures marked illustrative this result used. Each trace line lists its own under `illustrative`.',
  },
};

export function illustrativeByOperation(engine: Packs, p: PackInfo): Record<string, IllustrativeFigure[]> {
  return illustrativeFigures(engine.checkedPack(p.name));
}

interface ExplainedView {
  pack: string;
  operation: string;
  version: string;
  /** The engine's trace lines as JSON: `kind` and `note` are there, though the view's type leaves them out. */
  trace?: { name: string; value: unknown }[];
}

/** An explained quote with its illustrative figures: on each trace line that used one, and for the whole result. */
export function withIllustrative<T extends ExplainedView>(engine: Packs, view: T): T {
  if (!view.trace) return view;
  const marks = illustrativeInTrace(engine.checkedPack(view.pack), view.version, view.operation, view.trace as TracedValue[]);
  return {
    ...view,
    trace: view.trace.map((t, i) => (marks.lines[i]?.length ? { ...t, illustrative: marks.lines[i] } : t)),
    illustrative: marks.result,
  };
}
